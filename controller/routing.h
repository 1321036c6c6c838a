/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call routing: which trunk a call goes out on. Today a longest-prefix match
 * over the routes table of the configuration; the Teams routing rules plug in
 * here (rr_route_call is the one entry point the B2BUA uses).
 */
#ifndef RR_ROUTING_H
#define RR_ROUTING_H

#include "config.h"

/* A destination may ring up to this many targets in parallel (the CCAI
 * guide's cap for external agents). */
#define RR_ROUTE_MAX_TARGETS 100

/* One branch of a call: where it goes and the number it dials there. */
struct rr_route_target {
	unsigned int trunk;		/* index into cfg->trunks */
	char user[64];			/* Request-URI user ("" = none) */
};

/* The routing decision for one call. */
struct rr_route_result {
	char rule[128];			/* what matched, for logs and dry runs */
	unsigned int n_targets;		/* rung in parallel: first 2xx wins */
	struct rr_route_target target[RR_ROUTE_MAX_TARGETS];
};

/* Decides where a call that came in on trunk in_trunk, from number `from`
 * to number `to` (either may be NULL/empty), goes. 0 with res filled, or
 * -ENOENT when nothing matches (the caller answers 404). */
int rr_route_decide(const struct rr_config *cfg, unsigned int in_trunk,
		    const char *from, const char *to, struct rr_route_result *res);

/* Outgoing trunk of the first target of rr_route_decide(), or -ENOENT. */
int rr_route_call(const struct rr_config *cfg, unsigned int in_trunk,
		  const char *number);

#endif
