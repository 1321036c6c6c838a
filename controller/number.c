// SPDX-License-Identifier: GPL-2.0-only
/*
 * Telephone numbers (see number.h). URIs are parsed by sofia-sip's url
 * parser; this file only deals with the digits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "number.h"

void rr_numplan_default(struct rr_numplan *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->national_prefix, "0");
	strcpy(p->international_prefix, "00");
	p->max_short_len = 6;
	p->format = RR_NUM_AS_IS;
}

bool rr_number_is_digits(const char *n)
{
	if (*n == '+')
		n++;
	if (!*n)
		return false;
	return !n[strspn(n, "0123456789*#")];
}

/* Digits of a phone number written with visual separators (RFC 3966), into
 * out; false (out untouched) when s is not such a number. */
static bool phone_digits(const char *s, size_t n, char *out, size_t len)
{
	size_t i, o = 0, digits = 0;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '+' && o == 0 && !digits) {
			/* leading + only */
		} else if ((ch >= '0' && ch <= '9') || ch == '*' || ch == '#') {
			digits++;
		} else if (ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == ' ') {
			continue;
		} else {
			return false;
		}
		if (o + 1 >= len)
			return false;
		out[o++] = ch;
	}
	if (!digits)
		return false;
	out[o] = '\0';
	return true;
}

/* Value of parameter name in ";a=b;c=d" (params without the first ';'). */
static bool param(const char *params, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);
	const char *p = params;

	while (p && *p) {
		size_t seg = strcspn(p, ";");

		if (seg > nl && !strncasecmp(p, name, nl) && p[nl] == '=') {
			size_t vl = seg - nl - 1;

			if (vl >= len)
				return false;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p += seg;
		if (*p == ';')
			p++;
	}
	return false;
}

static int copy(const char *s, char *out, size_t len)
{
	if (strlen(s) >= len)
		return -ENOSPC;
	strcpy(out, s);
	return 0;
}

/* The number of user (maybe "+39-06;ext=8"), with ext_params the URI's own
 * parameters (tel: keeps ;ext= there). */
static int clean(const char *user, const char *ext_params, char *out, size_t len)
{
	char ext[RR_NUMBER_MAX], num[RR_NUMBER_MAX];
	const char *semi = strchr(user, ';');
	size_t main_len = semi ? (size_t)(semi - user) : strlen(user);

	if (((semi && param(semi + 1, "ext", ext, sizeof(ext))) ||
	     (ext_params && param(ext_params, "ext", ext, sizeof(ext)))) &&
	    phone_digits(ext, strlen(ext), num, sizeof(num)))
		return copy(num, out, len);
	if (phone_digits(user, main_len, num, sizeof(num)))
		return copy(num, out, len);
	return copy(user, out, len);
}

int rr_number_clean(const char *user, char *out, size_t len)
{
	return clean(user ? user : "", NULL, out, len);
}

int rr_number_from_uri(const char *uri, char *out, size_t len)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_make(home, uri);
	int ret = -EINVAL;

	if (u && (u->url_type == url_sip || u->url_type == url_sips ||
		  u->url_type == url_tel))
		ret = clean(u->url_user ? u->url_user : "",
			    u->url_type == url_tel ? u->url_params : NULL, out, len);
	su_home_deinit(home);
	return ret;
}

static bool starts(const char *s, const char *prefix)
{
	return *prefix && !strncmp(s, prefix, strlen(prefix));
}

int rr_number_canon(const struct rr_numplan *p, const char *n, char *out, size_t len)
{
	size_t l;
	int w;

	if (!rr_number_is_digits(n) || strpbrk(n, "*#"))
		return copy(n, out, len);	/* a name, a service code */
	if (n[0] == '+') {
		/* +8000: the remote numbering range dialled with a + */
		return copy(strlen(n + 1) <= p->max_short_len ? n + 1 : n, out, len);
	}
	l = strlen(n);
	if (l <= p->max_short_len)
		return copy(n, out, len);
	if (starts(n, p->international_prefix))
		w = snprintf(out, len, "+%s", n + strlen(p->international_prefix));
	else if (p->country_code && (!p->national_prefix[0] || starts(n, p->national_prefix)))
		w = snprintf(out, len, "+%u%s", p->country_code, n + strlen(p->national_prefix));
	else
		return copy(n, out, len);
	return w < 0 || (size_t)w >= len ? -ENOSPC : 0;
}

int rr_number_format(const struct rr_numplan *p, const char *c, char *out, size_t len)
{
	char cc[16];
	int w;

	if (p->format == RR_NUM_AS_IS || !rr_number_is_digits(c) || strpbrk(c, "*#"))
		return copy(c, out, len);
	if (c[0] != '+') {
		/* short number (or one the plan could not place) */
		if (p->format == RR_NUM_E164 && p->short_plus && strlen(c) <= p->max_short_len)
			w = snprintf(out, len, "+%s", c);
		else
			return copy(c, out, len);
	} else if (p->format == RR_NUM_E164) {
		return copy(c, out, len);
	} else {
		snprintf(cc, sizeof(cc), "+%u", p->country_code);
		if (p->country_code && starts(c, cc))
			w = snprintf(out, len, "%s%s", p->national_prefix, c + strlen(cc));
		else
			w = snprintf(out, len, "%s%s", p->international_prefix, c + 1);
	}
	return w < 0 || (size_t)w >= len ? -ENOSPC : 0;
}
