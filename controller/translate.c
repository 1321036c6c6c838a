// SPDX-License-Identifier: GPL-2.0-only
/* Number translation rules on PCRE2 (see translate.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translate.h"

int rr_xl_add(struct rr_xl_list *l, const char *match, const char *replace,
	      unsigned int fields, int line, char *err, size_t errlen)
{
	struct rr_xl_rule *r;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	pcre2_code *re;
	uint32_t groups = 0;
	const char *p;
	int code;

	re = pcre2_compile((PCRE2_SPTR)match, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (!re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "%s at offset %zu", (char *)msg, (size_t)off);
		return -EINVAL;
	}
	r = realloc(l->rule, (l->n + 1) * sizeof(*r));
	if (!r) {
		pcre2_code_free(re);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	l->rule = r;
	r = &l->rule[l->n];
	memset(r, 0, sizeof(*r));
	r->re = re;
	r->match = strdup(match);
	r->replace = strdup(replace);
	r->fields = fields;
	r->line = line;
	l->n++;
	if (!r->match || !r->replace) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* a replacement naming a group the regex lacks fails here, not on
	 * the first call */
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
	for (p = replace; (p = strchr(p, '$')); ) {
		unsigned long g;
		char *end;

		p++;
		if (*p == '$') {
			p++;
			continue;
		}
		g = strtoul(p + (*p == '{'), &end, 10);
		if (end == p + (*p == '{'))
			continue;	/* ${name}: PCRE2 checks it */
		if (g > groups) {
			snprintf(err, errlen, "replacement '%s' refers to group %lu, the regex has %u",
				 replace, g, groups);
			return -EINVAL;
		}
		p = end;
	}
	return 0;
}

void rr_xl_free(struct rr_xl_list *l)
{
	unsigned int i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		pcre2_code_free(l->rule[i].re);
		free(l->rule[i].match);
		free(l->rule[i].replace);
	}
	free(l->rule);
	l->rule = NULL;
	l->n = 0;
}

int rr_xl_apply(const struct rr_xl_list *l, unsigned int field, const char *in,
		char *out, size_t len)
{
	unsigned int i;

	if (strlen(in) >= len)
		return -ENOSPC;
	strcpy(out, in);
	for (i = 0; l && i < l->n; i++) {
		const struct rr_xl_rule *r = &l->rule[i];
		pcre2_match_data *md;
		PCRE2_SIZE ol = len;
		int rc;

		if (!(r->fields & field))
			continue;
		md = pcre2_match_data_create_from_pattern(r->re, NULL);
		if (!md)
			return -ENOMEM;
		rc = pcre2_substitute(r->re, (PCRE2_SPTR)in, PCRE2_ZERO_TERMINATED, 0,
				      PCRE2_SUBSTITUTE_UNSET_EMPTY, md, NULL,
				      (PCRE2_SPTR)r->replace, PCRE2_ZERO_TERMINATED,
				      (PCRE2_UCHAR *)out, &ol);
		pcre2_match_data_free(md);
		if (rc == 0)
			continue;	/* no match: the next rule */
		if (rc < 0) {
			strcpy(out, in);
			return rc == PCRE2_ERROR_NOMEMORY ? -ENOSPC : -EINVAL;
		}
		return (int)i;
	}
	return -ENOENT;
}

static const struct {
	const char *name;
	unsigned int field;
} fields[] = {
	{ "ruri", RR_XL_RURI }, { "to", RR_XL_TO }, { "from", RR_XL_FROM }, { "pai", RR_XL_PAI },
};

unsigned int rr_xl_field_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(s, fields[i].name))
			return fields[i].field;
	return 0;
}

const char *rr_xl_field_name(unsigned int field)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].field == field)
			return fields[i].name;
	return "?";
}
