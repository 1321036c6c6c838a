// SPDX-License-Identifier: GPL-2.0-only
/* Dial patterns and routing rules (see route_rules.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_rules.h"

int rr_pattern_parse(const char *s, struct rr_pattern *p, char *err, size_t errlen)
{
	const char *bar = strchr(s, '|'), *pat = bar ? bar + 1 : s, *q;
	size_t al = bar ? (size_t)(bar - s) : 0;

	memset(p, 0, sizeof(*p));
	if (bar && (strchr(pat, '|') || !al)) {
		snprintf(err, errlen, "pattern '%s': one non-empty access code before '|'", s);
		return -EINVAL;
	}
	if (al >= sizeof(p->access) || strlen(pat) >= sizeof(p->pat)) {
		snprintf(err, errlen, "pattern '%s': too long", s);
		return -EINVAL;
	}
	if (al && s[strspn(s, "+0123456789*#")] != '|') {
		snprintf(err, errlen, "pattern '%s': the access code must be digits", s);
		return -EINVAL;
	}
	if (!*pat) {
		snprintf(err, errlen, "pattern '%s': empty", s);
		return -EINVAL;
	}
	for (q = pat; *q; q++) {
		if (*q == '.' && q[1]) {
			snprintf(err, errlen, "pattern '%s': '.' only at the end", s);
			return -EINVAL;
		}
		if (*q == '[') {
			const char *rb = strchr(q, ']');

			if (!rb || rb == q + 1 || q[1 + strspn(q + 1, "0123456789-")] != ']') {
				snprintf(err, errlen, "pattern '%s': bad set (want [1-5] or [137])", s);
				return -EINVAL;
			}
			q = rb;
			continue;
		}
		if (!strchr("XZNxzn.+*#0123456789", *q)) {
			snprintf(err, errlen, "pattern '%s': '%c' is not X, Z, N, ., a digit or a [set]",
				 s, *q);
			return -EINVAL;
		}
	}
	memcpy(p->access, s, al);
	strcpy(p->pat, pat);
	return 0;
}

/* Whether c is in the set [..] starting at set (past '['); *end past ']'. */
static bool in_set(const char *set, char c, const char **end)
{
	bool hit = false;
	const char *q = set;

	for (; *q != ']'; q++) {
		if (q[1] == '-' && q[2] != ']') {
			if (c >= q[0] && c <= q[2])
				hit = true;
			q += 2;
		} else if (*q == c) {
			hit = true;
		}
	}
	*end = q + 1;
	return hit;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool rr_pattern_match(const struct rr_pattern *p, const char *number, const char **rest)
{
	size_t al = strlen(p->access);
	const char *q = p->pat, *n;

	if (strncmp(number, p->access, al))
		return false;
	n = number + al;
	if (rest)
		*rest = n;
	while (*q) {
		char c = *n;

		switch (*q) {
		case '.':
			return c != '\0';
		case 'X': case 'x':
			if (!is_digit(c))
				return false;
			break;
		case 'Z': case 'z':
			if (c < '1' || c > '9')
				return false;
			break;
		case 'N': case 'n':
			if (c < '2' || c > '9')
				return false;
			break;
		case '[':
			if (!c || !in_set(q + 1, c, &q))
				return false;
			n++;
			continue;
		default:
			if (c != *q)
				return false;
		}
		q++;
		n++;
	}
	return *n == '\0';
}

int rr_out_rule_number(const struct rr_out_rule *r, const char *rest, char *out, size_t len)
{
	size_t l = strlen(rest);
	int w;

	rest += r->strip < l ? r->strip : l;
	w = snprintf(out, len, "%s%s", r->prefix, rest);
	return w < 0 || (size_t)w >= len ? -ENOSPC : 0;
}

static const char *const allowed_names[] = {
	[RR_ALLOW_ALL] = "all",
	[RR_ALLOW_NONE] = "none",
	[RR_ALLOW_INBOUND] = "inbound_rules",
	[RR_ALLOW_INBOUND_INTERNAL] = "inbound_rules_and_internal",
	[RR_ALLOW_INBOUND_OUTBOUND] = "inbound_rules_and_outbound",
};

const char *rr_allowed_name(enum rr_allowed a)
{
	return (unsigned int)a < sizeof(allowed_names) / sizeof(allowed_names[0]) ?
		allowed_names[a] : "?";
}

int rr_allowed_parse(const char *s, enum rr_allowed *a)
{
	for (unsigned int i = 0; i < sizeof(allowed_names) / sizeof(allowed_names[0]); i++) {
		if (!strcmp(s, allowed_names[i])) {
			*a = (enum rr_allowed)i;
			return 0;
		}
	}
	return -EINVAL;
}

void rr_dest_free(struct rr_dest *d)
{
	free(d->t);
	d->t = NULL;
	d->n = 0;
}

void rr_rules_free(struct rr_rules *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < r->n_in; i++)
		rr_dest_free(&r->in[i].dest);
	for (i = 0; i < r->n_internal; i++)
		rr_dest_free(&r->internal[i].dest);
	for (i = 0; i < r->n_out; i++) {
		free(r->out[i].from);
		free(r->out[i].trunk);
	}
	free(r->in);
	free(r->internal);
	free(r->out);
	rr_dest_free(&r->def);
	free(r);
}
