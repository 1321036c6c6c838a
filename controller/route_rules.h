/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Routing rules in the PBX's terms (TVox trunk and routing-rule pages):
 * dial patterns, inbound rules (DNIS -> destination), internal numbers,
 * outbound rules (pattern, access code, digits passed to the trunk, remote
 * numbering, trunks seized in order or round robin) and default
 * destinations. routing.c evaluates them; config_routing.c reads them.
 */
#ifndef RR_ROUTE_RULES_H
#define RR_ROUTE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "number.h"

/* A dial pattern "[ACCESS|]PATTERN": X 0-9, Z 1-9, N 2-9, [1-5] a set,
 * '.' (last) one or more of anything, anything else literal; the access
 * code before '|' must be dialled and is stripped. */
struct rr_pattern {
	char access[16];
	char pat[RR_NUMBER_MAX];
};

/* 0, or -EINVAL with the reason in err. */
int rr_pattern_parse(const char *s, struct rr_pattern *p, char *err, size_t errlen);
/* Whether number matches p; *rest points past the access code in number. */
bool rr_pattern_match(const struct rr_pattern *p, const char *number, const char **rest);

/* One branch of a destination: a trunk and the number dialled there
 * ("" = the called number). */
struct rr_dest_target {
	unsigned int trunk;
	char number[RR_NUMBER_MAX];
};

/* A destination: targets rung in parallel (twin ring, up to 100). */
struct rr_dest {
	struct rr_dest_target *t;
	unsigned int n;
	int line;
};

/* An inbound or internal rule: the called number (canonical form,
 * number.h) matched against pattern -> destination. */
struct rr_in_rule {
	char name[64];
	struct rr_pattern pat;
	struct rr_dest dest;
	int line;
};

enum rr_seize {
	RR_SEIZE_ORDER,		/* the first trunk, the others on failure */
	RR_SEIZE_ROUND_ROBIN,	/* the first trunk rotates call by call */
};

/* An outbound rule: the dialled number (after the incoming trunk's
 * translation rules) against pattern. */
struct rr_out_rule {
	char name[64];
	struct rr_pattern pat;
	unsigned int strip;		/* digits removed after the access code */
	char prefix[32];		/* then prepended */
	bool remote;			/* remote numbering: a short number, '+' ignored */
	unsigned int *from;		/* calls from these trunks only (none: any) */
	unsigned int n_from;
	unsigned int *trunk;		/* seized in order / round robin */
	unsigned int n_trunks;
	enum rr_seize seize;
	unsigned int rr_next;		/* round robin position */
	int line;
};

struct rr_rules {
	struct rr_in_rule *in;
	unsigned int n_in;
	struct rr_in_rule *internal;
	unsigned int n_internal;
	struct rr_out_rule *out;
	unsigned int n_out;
	struct rr_dest def;		/* routing.default_destination; n = 0: none */
};

/* allowed_destinations of a trunk: what calls arriving on it may reach. */
enum rr_allowed {
	RR_ALLOW_ALL,			/* default: every rule and the routes table */
	RR_ALLOW_NONE,			/* 403 */
	RR_ALLOW_INBOUND,		/* inbound rules, else the default */
	RR_ALLOW_INBOUND_INTERNAL,	/* ... and internal numbers */
	RR_ALLOW_INBOUND_OUTBOUND,	/* ... and outbound rules/routes */
};

const char *rr_allowed_name(enum rr_allowed a);
int rr_allowed_parse(const char *s, enum rr_allowed *a);

/* Number for an outbound rule: rest (after the access code) with strip
 * digits removed and prefix added. 0 or -ENOSPC. */
int rr_out_rule_number(const struct rr_out_rule *r, const char *rest, char *out, size_t len);

void rr_dest_free(struct rr_dest *d);
void rr_rules_free(struct rr_rules *r);

#endif
