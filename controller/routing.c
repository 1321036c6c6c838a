// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing.h"

/* Longest-prefix match over cfg->routes; index of the route or -ENOENT. */
static int prefix_route(const struct rr_config *cfg, unsigned int in_trunk,
			const char *number)
{
	const struct rr_trunk *in = &cfg->trunks[in_trunk];
	int best = -ENOENT;
	size_t best_len = 0, len;
	unsigned int i;

	for (i = 0; i < cfg->n_routes; i++) {
		const struct rr_route *r = &cfg->routes[i];

		if (r->from[0] && strcmp(r->from, in->name))
			continue;
		if (cfg->trunks[r->trunk[0]].side == in->side)
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
	return best;
}

int rr_route_decide(const struct rr_config *cfg, unsigned int in_trunk,
		    const char *from, const char *to, struct rr_route_result *res)
{
	const struct rr_route *r;
	unsigned int i;
	int idx;

	(void)from;
	if (!to)
		to = "";
	memset(res, 0, sizeof(*res));
	idx = prefix_route(cfg, in_trunk, to);
	if (idx < 0)
		return idx;
	r = &cfg->routes[idx];
	snprintf(res->rule, sizeof(res->rule), "route %d (line %d, prefix \"%.64s\")", idx + 1,
		 r->line, r->prefix);
	for (i = 0; i < r->n_trunks && i < RR_ROUTE_MAX_TARGETS; i++) {
		res->target[i].trunk = r->trunk[i];
		snprintf(res->target[i].user, sizeof(res->target[i].user), "%s", to);
	}
	res->n_targets = i;
	return 0;
}

int rr_route_call(const struct rr_config *cfg, unsigned int in_trunk,
		  const char *number)
{
	struct rr_route_result *res = malloc(sizeof(*res));
	int ret;

	if (!res)
		return -ENOMEM;
	ret = rr_route_decide(cfg, in_trunk, NULL, number, res);
	if (!ret)
		ret = res->n_targets ? (int)res->target[0].trunk : -ENOENT;
	free(res);
	return ret;
}
