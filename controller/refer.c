// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "refer.h"

/* Copies the value of header name out of URL headers "a=1&b=2", unescaped. */
static int url_header(const char *headers, const char *name, char *out, size_t len)
{
	size_t n = strlen(name);
	const char *p = headers;

	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t vl;

		if (!strncasecmp(p, name, n) && p[n] == '=') {
			p += n + 1;
			vl = end ? (size_t)(end - p) : strlen(p);
			if (vl >= len)
				return -EINVAL;
			memcpy(out, p, vl);
			out[vl] = '\0';
			url_unescape(out, out);
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

static int copy(char *out, size_t len, const char *s)
{
	if (!s || !*s || strlen(s) >= len)
		return -EINVAL;
	snprintf(out, len, "%s", s);
	return 0;
}

int rr_refer_parse_url(const url_t *url, struct rr_refer_target *t)
{
	const char *user;
	char buf[512];
	int err;

	memset(t, 0, sizeof(*t));
	if (!url)
		return -EINVAL;
	user = url->url_user ? url->url_user : url->url_host;
	if (url->url_type != url_tel && !url->url_user)
		user = NULL;	/* sip:host alone names no number */
	if (copy(t->user, sizeof(t->user), user))
		return -EINVAL;
	url_unescape(t->user, t->user);
	/* the user goes into URIs rtprelayd writes (the new INVITE's
	 * Request-URI, a relayed Refer-To): an escaped '?', '&', '=', ':' or
	 * '%' would start URI headers there (an injected Replaces or any
	 * header) or parameters; a number or user name needs none of them */
	if (t->user[strspn(t->user, "0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ+-._*#!~()")])
		return -EINVAL;
	err = url->url_headers ? url_header(url->url_headers, "Replaces", buf, sizeof(buf)) :
				 -ENOENT;
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	{
		su_home_t home[1] = { SU_HOME_INIT(home) };
		sip_replaces_t *rp = sip_replaces_make(home, buf);

		err = -EINVAL;
		if (rp && !copy(t->call_id, sizeof(t->call_id), rp->rp_call_id) &&
		    !copy(t->to_tag, sizeof(t->to_tag), rp->rp_to_tag) &&
		    !copy(t->from_tag, sizeof(t->from_tag), rp->rp_from_tag)) {
			t->replaces = true;
			err = 0;
		}
		su_home_deinit(home);
	}
	return err;
}

int rr_refer_parse(const char *refer_to, struct rr_refer_target *t)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sip_refer_to_t *r = sip_refer_to_make(home, refer_to);
	int err = r ? rr_refer_parse_url(r->r_url, t) : -EINVAL;

	if (!r)
		memset(t, 0, sizeof(*t));
	su_home_deinit(home);
	return err;
}
