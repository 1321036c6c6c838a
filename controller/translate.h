/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Number translation rules, the model of Microsoft's Direct Routing number
 * manipulation: per trunk and direction an ordered list of {PCRE2 regex,
 * "$1"-style replacement}, each applying to some of the numbers of a call
 * (Request-URI, To, From, P-Asserted-Identity). For each number the first
 * rule that matches wins. Regexes are compiled once, at configuration load.
 */
#ifndef RR_TRANSLATE_H
#define RR_TRANSLATE_H

#include <stddef.h>

/* Which numbers a rule applies to. */
enum rr_xl_field {
	RR_XL_RURI = 1u << 0,
	RR_XL_TO = 1u << 1,
	RR_XL_FROM = 1u << 2,
	RR_XL_PAI = 1u << 3,
	RR_XL_ALL = (1u << 4) - 1,
};

/* Directions, relative to the trunk the rules belong to. */
enum rr_xl_dir {
	RR_XL_INBOUND,		/* a call arriving on the trunk */
	RR_XL_OUTBOUND,		/* a call leaving on it */
	RR_XL_DIRS,
};

struct rr_xl_rule {
	void *re;		/* pcre2_code */
	char *match, *replace;
	unsigned int fields;	/* RR_XL_* */
	int line;
};

struct rr_xl_list {
	struct rr_xl_rule *rule;
	unsigned int n;
};

/* Compiles and appends a rule. -EINVAL with "PCRE2 message at offset N"
 * in err for a bad regex; -ENOMEM. */
int rr_xl_add(struct rr_xl_list *l, const char *match, const char *replace,
	      unsigned int fields, int line, char *err, size_t errlen);
void rr_xl_free(struct rr_xl_list *l);

/* Applies the first rule of l for field that matches in: index of that rule
 * with the result in out, -ENOENT (no rule matched; out = in) or -ENOSPC. */
int rr_xl_apply(const struct rr_xl_list *l, unsigned int field, const char *in,
		char *out, size_t len);

/* "ruri", "to", "from", "pai" -> RR_XL_*; 0 when unknown. */
unsigned int rr_xl_field_parse(const char *s);
const char *rr_xl_field_name(unsigned int field);

#endif
