// SPDX-License-Identifier: GPL-2.0-only
#include <stddef.h>

#include "fork.h"

/* Lower is better. */
static int rank(int status)
{
	static const int pref4[] = { 486, 480, 404, 484, 403, 410, 401, 407, 415, 420 };

	if (status >= 600 && status < 700)
		return 0;
	if (status >= 300 && status < 400)
		return 1000 + status;
	if (status >= 400 && status < 500) {
		for (size_t i = 0; i < sizeof(pref4) / sizeof(pref4[0]); i++)
			if (pref4[i] == status)
				return 2000 + (int)i;
		if (status == 408 || status == 487)
			return 2900 + status - 400;
		return 2100 + status;
	}
	if (status >= 500 && status < 600)
		return 3000 + status;
	return 9000;
}

int rr_fork_better(int cur, int status)
{
	if (!cur)
		return status;
	if (!status)
		return cur;
	return rank(status) < rank(cur) ? status : cur;
}
