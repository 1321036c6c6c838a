// SPDX-License-Identifier: GPL-2.0-only
/* sofia-sip's own log lines, masked like ours (see sofia_log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sofia-sip/su_log.h>

#include "log.h"
#include "sofia_log.h"

/* sofia writes a line in pieces; a line is emitted at its '\n' */
static char line[2048];
static size_t used;

static void emit(void)
{
	char out[sizeof(line)];

	line[used] = '\0';
	if (rr_log_masking()) {
		rr_mask_digits(line, out, sizeof(out));
		fputs(out, stderr);
	} else {
		fputs(line, stderr);
	}
	used = 0;
}

static void sofia_logger(void *stream, char const *fmt, va_list ap)
{
	char piece[sizeof(line)], *p = piece;
	int n = vsnprintf(piece, sizeof(piece), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(piece))
		n = sizeof(piece) - 1;
	while (n > 0) {
		char *nl = memchr(p, '\n', (size_t)n);
		size_t take = nl ? (size_t)(nl - p) + 1 : (size_t)n;

		if (take > sizeof(line) - 1 - used)
			take = sizeof(line) - 1 - used;
		memcpy(line + used, p, take);
		used += take;
		p += take;
		n -= (int)take;
		if ((used && line[used - 1] == '\n') || used == sizeof(line) - 1)
			emit();
	}
}

void rr_sofia_log_setup(void)
{
	su_log_redirect(NULL, sofia_logger, NULL);
}
