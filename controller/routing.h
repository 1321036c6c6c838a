/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call routing: where a call goes and with which numbers. The incoming
 * trunk's translation rules and numbering plan, then (as the trunk's
 * allowed_destinations permit) inbound rules, internal numbers, outbound
 * rules, the routes prefix table and the default destination
 * (route_rules.h), then each target trunk's numbering plan and outbound
 * translation rules. rr_route_decide_call is the entry point of the B2BUA
 * and of the dry run (rtprelayctl route test).
 */
#ifndef RR_ROUTING_H
#define RR_ROUTING_H

#include "config.h"

/* A destination may ring up to this many targets in parallel (the CCAI
 * guide's cap for external agents). */
#define RR_ROUTE_MAX_TARGETS 100
/* Trunks seized one after the other when the targets fail. */
#define RR_ROUTE_MAX_ALT 16

/* One branch of a call: where it goes and the numbers it carries there,
 * each formatted for and translated by that trunk. */
struct rr_route_target {
	unsigned int trunk;		/* index into cfg->trunks */
	char user[64];			/* Request-URI user ("" = none) */
	char to[64];			/* To user */
	char from[64];			/* the caller (From user; "" = none) */
	char pai[64];			/* P-Asserted-Identity number ("" = none) */
};

/* The numbers of an incoming call, as taken out of its URIs
 * (rr_number_from_uri / rr_number_clean); "" when absent. */
struct rr_call_numbers {
	char ruri[64], to[64], from[64], pai[64];
};

/* The routing decision for one call. */
struct rr_route_result {
	char rule[256];			/* what matched, for logs and dry runs */
	int status;			/* when no route: 403 (not allowed) or 404 */
	char dialled[64];		/* the called number after inbound translation */
	char canon[64];			/* ... in canonical form (number.h) */
	char steps[1024];		/* translations applied, one per line */
	unsigned int n_targets;		/* rung in parallel: first 2xx wins */
	struct rr_route_target target[RR_ROUTE_MAX_TARGETS];
	/* Trunk seizure: when every target failed (no peer up, or a failover
	 * status), alt[0], then alt[1]... (same numbers, that trunk's format). */
	unsigned int n_alt;
	struct rr_route_target alt[RR_ROUTE_MAX_ALT];
};

/* Decides where a call that came in on trunk in_trunk with numbers in
 * goes. 0 with res filled, -EACCES (allowed_destinations: none; res->status
 * 403) or -ENOENT (nothing matches; 404). Round-robin rules advance. */
int rr_route_decide_call(const struct rr_config *cfg, unsigned int in_trunk,
			 const struct rr_call_numbers *in, struct rr_route_result *res);

/* The same with just the caller's and the called number. */
int rr_route_decide(const struct rr_config *cfg, unsigned int in_trunk,
		    const char *from, const char *to, struct rr_route_result *res);

/* Outgoing trunk of the first target of rr_route_decide(), or -ENOENT. */
int rr_route_call(const struct rr_config *cfg, unsigned int in_trunk,
		  const char *number);

#endif
