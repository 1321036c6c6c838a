// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "routing.h"

int rr_route_call(const struct rr_config *cfg, unsigned int in_trunk,
		  const char *number)
{
	const struct rr_trunk *in = &cfg->trunks[in_trunk];
	int best = -ENOENT;
	size_t best_len = 0, len;
	unsigned int i;

	if (!number)
		number = "";
	for (i = 0; i < cfg->n_routes; i++) {
		const struct rr_route *r = &cfg->routes[i];

		if (r->from[0] && strcmp(r->from, in->name))
			continue;
		if (cfg->trunks[r->trunk].side == in->side)
			continue;	/* a call always crosses the relay */
		len = strlen(r->prefix);
		if (strncmp(number, r->prefix, len))
			continue;
		/* longest prefix; on a tie, a route naming the trunk wins */
		if (best < 0 || len > best_len ||
		    (len == best_len && r->from[0] &&
		     !cfg->routes[best].from[0])) {
			best = (int)i;
			best_len = len;
		}
	}
	return best < 0 ? best : (int)cfg->routes[best].trunk;
}
