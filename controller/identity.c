// SPDX-License-Identifier: GPL-2.0-only
/* Caller identity and privacy (see identity.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>

#include "identity.h"
#include "number.h"

void rr_identity_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	sip_update_default_mclass(sip_extend_mclass(NULL));
}

bool rr_identity_is_anonymous(const char *user, const char *host)
{
	return (user && !strcasecmp(user, "anonymous")) ||
	       (host && !strcasecmp(host, "anonymous.invalid"));
}

/* The number of u into out; -ENAMETOOLONG (out "") when u names a number
 * longer than out holds: a cut number would name someone else. */
static int number_of(const url_t *u, char *out, size_t len)
{
	out[0] = '\0';
	if (!u)
		return 0;
	if (rr_identity_is_anonymous(u->url_user, u->url_host))
		return 0;
	if (u->url_type == url_tel || u->url_type == url_sip || u->url_type == url_sips) {
		char tmp[RR_NUMBER_MAX];

		/* tel:+39-06;ext=8 keeps ;ext= in the URI's parameters */
		if (u->url_type == url_tel && u->url_params && strlen(u->url_params) < 40 &&
		    u->url_user && strlen(u->url_user) < 20) {
			snprintf(tmp, sizeof(tmp), "%s;%s", u->url_user, u->url_params);
			if (rr_number_clean(tmp, out, len))
				return -ENAMETOOLONG;
		} else if (rr_number_clean(u->url_user ? u->url_user : "", out, len)) {
			return -ENAMETOOLONG;
		}
	}
	return 0;
}

void rr_identity_display(const char *d, char *out, size_t len)
{
	bool quoted = d && d[0] == '"';
	size_t o = 0;

	if (!len)
		return;
	for (const char *p = d ? d + quoted : ""; *p && o + 1 < len; p++) {
		unsigned char ch = (unsigned char)*p;

		if (quoted && ch == '"')
			break;
		if (quoted && ch == '\\' && p[1])
			ch = (unsigned char)*++p;	/* quoted-pair */
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
			continue;
		out[o++] = (char)ch;
	}
	out[o] = '\0';
}

static void unquote(const char *d, char *out, size_t len)
{
	rr_identity_display(d, out, len);
}

int rr_identity_take(const struct rr_trunk *in, const sip_t *sip, struct rr_call_numbers *n,
		     struct rr_identity *id)
{
	int err = 0;

	sip_p_asserted_identity_t *paid = sip_p_asserted_identity(sip);
	sip_privacy_t *priv = sip_privacy(sip);

	memset(n, 0, sizeof(*n));
	memset(id, 0, sizeof(*id));
	if (sip->sip_request)
		err = number_of(sip->sip_request->rq_url, n->ruri, sizeof(n->ruri));
	if (sip->sip_to && number_of(sip->sip_to->a_url, n->to, sizeof(n->to)))
		err = -ENAMETOOLONG;
	if (sip->sip_from) {
		number_of(sip->sip_from->a_url, n->from, sizeof(n->from));
		if (sip->sip_from->a_display && !rr_identity_is_anonymous(sip->sip_from->a_display +
			(sip->sip_from->a_display[0] == '"'), NULL))
			unquote(sip->sip_from->a_display, id->display, sizeof(id->display));
		if (!strncasecmp(id->display, "anonymous", 9))
			id->display[0] = '\0';
	}
	if (paid && in->trust) {
		/* the first identity; a tel: one if both a sip: and a tel: come */
		for (sip_p_asserted_identity_t *p = paid; p; p = p->paid_next) {
			number_of(p->paid_url, n->pai, sizeof(n->pai));
			if (n->pai[0])
				break;
		}
		if (!id->display[0] && paid->paid_display)
			unquote(paid->paid_display, id->display, sizeof(id->display));
	}
	for (unsigned int i = 0; priv && priv->priv_values && priv->priv_values[i]; i++) {
		const char *v = priv->priv_values[i];
		size_t l = strlen(id->privacy);

		if (!strcasecmp(v, "id") || !strcasecmp(v, "header") || !strcasecmp(v, "user"))
			id->privacy_id = true;
		snprintf(id->privacy + l, sizeof(id->privacy) - l, "%s%s", l ? ";" : "", v);
	}
	if (sip->sip_from && rr_identity_is_anonymous(sip->sip_from->a_url->url_user,
						      sip->sip_from->a_url->url_host) && !n->pai[0])
		id->display[0] = '\0';
	return err;
}

void rr_identity_out(const struct rr_trunk *out, const struct rr_identity *id,
		     const struct rr_route_target *t, struct rr_identity_out *o)
{
	bool hide = id->privacy_id || out->privacy == RR_PRIVACY_ID;

	memset(o, 0, sizeof(*o));
	o->anonymous = hide || !t->from[0];
	if (!o->anonymous) {
		snprintf(o->from_user, sizeof(o->from_user), "%s", t->from);
		snprintf(o->display, sizeof(o->display), "%s", id->display);
	}
	switch (out->privacy) {
	case RR_PRIVACY_PASS:
		snprintf(o->privacy, sizeof(o->privacy), "%s", id->privacy);
		break;
	case RR_PRIVACY_ID:
		snprintf(o->privacy, sizeof(o->privacy), "id");
		break;
	case RR_PRIVACY_NONE:
		break;
	}
	/* the asserted identity goes only into the trust domain, and a hidden
	 * caller's only with the Privacy that tells the peer to hide it */
	if (out->trust && t->pai[0] && (!hide || o->privacy[0]))
		snprintf(o->pai, sizeof(o->pai), "%s", t->pai);
}

void rr_identity_headers(const struct rr_identity_out *o, const char *host, char *from,
			 size_t from_len, char *pai, size_t pai_len)
{
	if (o->anonymous)
		snprintf(from, from_len, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	else if (o->display[0])
		snprintf(from, from_len, "\"%s\" <sip:%s@%s%s>", o->display, o->from_user, host,
			 rr_number_is_digits(o->from_user) ? ";user=phone" : "");
	else
		snprintf(from, from_len, "<sip:%s@%s%s>", o->from_user, host,
			 rr_number_is_digits(o->from_user) ? ";user=phone" : "");
	pai[0] = '\0';
	if (o->pai[0])
		snprintf(pai, pai_len, "<sip:%s@%s%s>", o->pai, host,
			 rr_number_is_digits(o->pai) ? ";user=phone" : "");
}
