// SPDX-License-Identifier: GPL-2.0-only
/* Call routing (see routing.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing.h"

/* One decision in progress. */
struct work {
	const struct rr_config *cfg;
	const struct rr_trunk *in;
	struct rr_call_numbers n;	/* after the incoming trunk's rules */
	struct rr_route_result *res;
};

static void step(struct rr_route_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void step(struct rr_route_result *res, const char *fmt, ...)
{
	size_t l = strlen(res->steps);
	va_list ap;

	if (l + 2 >= sizeof(res->steps))
		return;
	va_start(ap, fmt);
	vsnprintf(res->steps + l, sizeof(res->steps) - l - 1, fmt, ap);
	va_end(ap);
	l = strlen(res->steps);
	res->steps[l] = '\n';
	res->steps[l + 1] = '\0';
}

/* Translation rules of trunk t in direction dir on number buf (in place). */
static void xl(struct rr_route_result *res, const struct rr_trunk *t, int dir,
	       unsigned int field, char *buf, size_t len)
{
	char out[RR_NUMBER_MAX];
	int i;

	if (!buf[0] || !t->xl[dir].n)
		return;
	i = rr_xl_apply(&t->xl[dir], field, buf, out, sizeof(out));
	if (i < 0 || strlen(out) >= len)
		return;
	step(res, "%s translation of trunk %s (rule %d, line %d): %s %s -> %s",
	     dir == RR_XL_INBOUND ? "inbound" : "outbound", t->name, i + 1, t->xl[dir].rule[i].line,
	     rr_xl_field_name(field), buf, out);
	strcpy(buf, out);
}

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

/* A number of the call for trunk t: raw (the dialled form) when t takes
 * numbers as they are, else the canonical form in t's format. */
static void for_trunk(const struct work *w, const struct rr_trunk *t, const char *raw,
		      const char *canon, char *out, size_t len)
{
	out[0] = '\0';
	if (!raw[0])
		return;
	if (t->plan.format == RR_NUM_AS_IS || rr_number_format(&t->plan, canon, out, len))
		snprintf(out, len, "%s", raw);
	(void)w;
}

static void canon_of(const struct work *w, const char *raw, char *out, size_t len)
{
	if (rr_number_canon(&w->in->plan, raw, out, len))
		snprintf(out, len, "%s", raw);
}

/* Fills a target on trunk ti dialling raw (canonical form canon). */
static void fill(struct work *w, unsigned int ti, const char *raw, const char *canon,
		 struct rr_route_target *t)
{
	const struct rr_trunk *tr = &w->cfg->trunks[ti];
	char c[RR_NUMBER_MAX];

	memset(t, 0, sizeof(*t));
	t->trunk = ti;
	for_trunk(w, tr, raw, canon, t->user, sizeof(t->user));
	if (!strcmp(w->n.to, w->n.ruri) || !w->n.to[0]) {
		snprintf(t->to, sizeof(t->to), "%s", t->user);
	} else {
		canon_of(w, w->n.to, c, sizeof(c));
		for_trunk(w, tr, w->n.to, c, t->to, sizeof(t->to));
	}
	canon_of(w, w->n.from, c, sizeof(c));
	for_trunk(w, tr, w->n.from, c, t->from, sizeof(t->from));
	canon_of(w, w->n.pai, c, sizeof(c));
	for_trunk(w, tr, w->n.pai, c, t->pai, sizeof(t->pai));
	xl(w->res, tr, RR_XL_OUTBOUND, RR_XL_RURI, t->user, sizeof(t->user));
	xl(w->res, tr, RR_XL_OUTBOUND, RR_XL_TO, t->to, sizeof(t->to));
	xl(w->res, tr, RR_XL_OUTBOUND, RR_XL_FROM, t->from, sizeof(t->from));
	xl(w->res, tr, RR_XL_OUTBOUND, RR_XL_PAI, t->pai, sizeof(t->pai));
}

/* The targets of destination d (those across the relay); false if none. */
static bool use_dest(struct work *w, const struct rr_dest *d)
{
	struct rr_route_result *res = w->res;
	unsigned int i;

	if (strcmp(res->canon, w->n.ruri) && !strstr(res->steps, "canonical form"))
		step(res, "called number %s is %s in canonical form (trunk %s)", w->n.ruri,
		     res->canon, w->in->name);

	res->n_targets = 0;
	for (i = 0; i < d->n && res->n_targets < RR_ROUTE_MAX_TARGETS; i++) {
		const struct rr_dest_target *dt = &d->t[i];
		char c[RR_NUMBER_MAX];

		if (w->cfg->trunks[dt->trunk].side == w->in->side)
			continue;	/* a call always crosses the relay */
		if (dt->number[0]) {
			canon_of(w, dt->number, c, sizeof(c));
			fill(w, dt->trunk, dt->number, c, &res->target[res->n_targets++]);
		} else {
			fill(w, dt->trunk, w->n.ruri, res->canon, &res->target[res->n_targets++]);
		}
	}
	return res->n_targets > 0;
}

static bool in_rules(struct work *w, const struct rr_in_rule *r, unsigned int n,
		     const char *what)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!rr_pattern_match(&r[i].pat, w->res->canon, NULL) || !use_dest(w, &r[i].dest))
			continue;
		snprintf(w->res->rule, sizeof(w->res->rule), "%s %u%s%.40s%s (line %d, match %.64s)",
			 what, i + 1, r[i].name[0] ? " '" : "", r[i].name, r[i].name[0] ? "'" : "",
			 r[i].line, r[i].pat.pat);
		return true;
	}
	return false;
}

static bool from_allowed(const struct rr_out_rule *r, unsigned int in_idx)
{
	if (!r->n_from)
		return true;
	for (unsigned int i = 0; i < r->n_from; i++)
		if (r->from[i] == in_idx)
			return true;
	return false;
}

static bool out_rules(struct work *w, unsigned int in_idx)
{
	const struct rr_rules *rules = w->cfg->rules;
	struct rr_route_result *res = w->res;

	for (unsigned int i = 0; rules && i < rules->n_out; i++) {
		struct rr_out_rule *r = &rules->out[i];
		const char *dialled = w->n.ruri, *rest;
		char num[RR_NUMBER_MAX], canon[RR_NUMBER_MAX];
		unsigned int start, k;

		if (!from_allowed(r, in_idx) || w->cfg->trunks[r->trunk[0]].side == w->in->side)
			continue;
		if (r->remote && dialled[0] == '+')
			dialled++;	/* 8000 and +8000 alike */
		if (!rr_pattern_match(&r->pat, dialled, &rest))
			continue;
		if (rr_out_rule_number(r, rest, num, sizeof(num)))
			continue;
		if (r->remote)
			snprintf(canon, sizeof(canon), "%s", num + (num[0] == '+'));
		else
			canon_of(w, num, canon, sizeof(canon));
		if (strcmp(num, w->n.ruri))
			step(res, "outbound rule %u: dialled %s -> %s%s", i + 1, w->n.ruri, num,
			     r->remote ? " (remote numbering)" : "");
		start = r->seize == RR_SEIZE_ROUND_ROBIN ? r->rr_next++ % r->n_trunks : 0;
		fill(w, r->trunk[start], num, canon, &res->target[0]);
		res->n_targets = 1;
		for (k = 1; k < r->n_trunks && res->n_alt < RR_ROUTE_MAX_ALT; k++)
			fill(w, r->trunk[(start + k) % r->n_trunks], num, canon,
			     &res->alt[res->n_alt++]);
		snprintf(res->rule, sizeof(res->rule), "outbound rule %u%s%.40s%s (line %d, pattern %.16s%s%.64s%s)",
			 i + 1, r->name[0] ? " '" : "", r->name, r->name[0] ? "'" : "", r->line,
			 r->pat.access, r->pat.access[0] ? "|" : "", r->pat.pat,
			 r->seize == RR_SEIZE_ROUND_ROBIN ? ", round robin" : "");
		snprintf(res->canon, sizeof(res->canon), "%s", canon);
		return true;
	}
	return false;
}

static bool routes_table(struct work *w, unsigned int in_idx)
{
	struct rr_route_result *res = w->res;
	const struct rr_route *r;
	unsigned int i;
	int idx = prefix_route(w->cfg, in_idx, w->n.ruri);

	if (idx < 0)
		return false;
	r = &w->cfg->routes[idx];
	snprintf(res->rule, sizeof(res->rule), "route %d (line %d, prefix \"%.64s\")", idx + 1,
		 r->line, r->prefix);
	for (i = 0; i < r->n_trunks && i < RR_ROUTE_MAX_TARGETS; i++)
		fill(w, r->trunk[i], w->n.ruri, res->canon, &res->target[i]);
	res->n_targets = i;
	return true;
}

int rr_route_decide_call(const struct rr_config *cfg, unsigned int in_trunk,
			 const struct rr_call_numbers *in, struct rr_route_result *res)
{
	const struct rr_trunk *t = &cfg->trunks[in_trunk];
	const struct rr_rules *rules = cfg->rules;
	struct work w = { .cfg = cfg, .in = t, .n = *in, .res = res };
	enum rr_allowed a = t->allowed;

	memset(res, 0, sizeof(*res));
	if (a == RR_ALLOW_NONE) {
		res->status = 403;
		snprintf(res->rule, sizeof(res->rule), "trunk %.64s: allowed_destinations none",
			 t->name);
		return -EACCES;
	}
	xl(res, t, RR_XL_INBOUND, RR_XL_RURI, w.n.ruri, sizeof(w.n.ruri));
	xl(res, t, RR_XL_INBOUND, RR_XL_TO, w.n.to, sizeof(w.n.to));
	xl(res, t, RR_XL_INBOUND, RR_XL_FROM, w.n.from, sizeof(w.n.from));
	xl(res, t, RR_XL_INBOUND, RR_XL_PAI, w.n.pai, sizeof(w.n.pai));
	/* a carrier that sends the number only in P-Asserted-Identity */
	if (t->trust && rr_number_is_digits(w.n.pai) && !rr_number_is_digits(w.n.from)) {
		step(res, "caller %s taken from P-Asserted-Identity (From: %s)", w.n.pai,
		     w.n.from[0] ? w.n.from : "none");
		snprintf(w.n.from, sizeof(w.n.from), "%s", w.n.pai);
	}
	snprintf(res->dialled, sizeof(res->dialled), "%s", w.n.ruri);
	canon_of(&w, w.n.ruri, res->canon, sizeof(res->canon));

	if (rules && in_rules(&w, rules->in, rules->n_in, "inbound rule"))
		return 0;
	if ((a == RR_ALLOW_ALL || a == RR_ALLOW_INBOUND_INTERNAL) && rules &&
	    in_rules(&w, rules->internal, rules->n_internal, "internal number"))
		return 0;
	if ((a == RR_ALLOW_ALL || a == RR_ALLOW_INBOUND_OUTBOUND) &&
	    (out_rules(&w, in_trunk) || routes_table(&w, in_trunk)))
		return 0;
	if (t->default_dest.n && use_dest(&w, &t->default_dest)) {
		snprintf(res->rule, sizeof(res->rule), "default destination of trunk %.64s (line %d)",
			 t->name, t->default_dest.line);
		return 0;
	}
	if (rules && rules->def.n && use_dest(&w, &rules->def)) {
		snprintf(res->rule, sizeof(res->rule), "routing default destination (line %d)",
			 rules->def.line);
		return 0;
	}
	res->status = 404;
	snprintf(res->rule, sizeof(res->rule), "no rule matches %.64s (trunk %.64s, allowed %s)",
		 res->canon, t->name, rr_allowed_name(a));
	return -ENOENT;
}

int rr_route_decide(const struct rr_config *cfg, unsigned int in_trunk,
		    const char *from, const char *to, struct rr_route_result *res)
{
	struct rr_call_numbers n = { 0 };

	/* a number cut to fit would be another number: refused, as new_call() does */
	if ((to && rr_number_clean(to, n.ruri, sizeof(n.ruri))) ||
	    (from && rr_number_clean(from, n.from, sizeof(n.from)))) {
		memset(res, 0, sizeof(*res));
		res->status = 404;
		snprintf(res->rule, sizeof(res->rule), "number too long");
		return -ENOENT;
	}
	strcpy(n.to, n.ruri);
	return rr_route_decide_call(cfg, in_trunk, &n, res);
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
