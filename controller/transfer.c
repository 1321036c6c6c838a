// SPDX-License-Identifier: GPL-2.0-only
/*
 * Call transfer through the B2BUA (see transfer.h for what happens when).
 *
 * Handles transfer.c owns besides the call legs:
 *  - struct rr_xfer (RR_HM_XFER): the new party being called for a REFER
 *    rtprelayd handles; on its 2xx the handle becomes the call's leg in the
 *    transferor's place;
 *  - struct rr_gone (RR_HM_GONE): a leg cut from its call (the transferor's,
 *    or an abandoned new party): gets the final NOTIFY, then BYE (or CANCEL),
 *    and is freed when nua reports it terminated (reaped after 40 s).
 */
#include "b2bua_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_protos.h>

#include "call_record.h"
#include "log.h"
#include "refer.h"
#include "routing.h"
#include "session_timer.h"
#include "transfer.h"

struct rr_xfer {
	struct rr_hmagic hm;		/* first: RR_HM_XFER */
	struct rr_call *c;
	int from;			/* the transferor's leg in c */
	nua_handle_t *nh;		/* the INVITE to the new party */
	int trunk;
	char target[64];
};

struct rr_gone {
	struct rr_hmagic hm;		/* first: RR_HM_GONE */
	struct rr_gone *next, *prev;
	struct rr_b2bua *b;
	nua_handle_t *nh;
	unsigned long call;		/* for the log */
	bool bye_due, bye_sent;
	struct timespec since;
};

static double age(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

static const char *phrase_of(int status)
{
	const char *p = sip_status_phrase(status);

	return p ? p : status < 300 ? "OK" : "Call Failed";
}

/* The number and display name of the party on leg i; a caller who asked
 * for privacy (Privacy: id, header or user) is "anonymous", no name. */
static const char *party(const struct rr_call *c, int i, const char **display)
{
	if (i == 0 && c->ident.privacy_id) {
		*display = "";
		return "anonymous";
	}
	*display = i == 0 ? c->display : "";
	return i == 0 ? c->from : c->to;
}

static void set_party(struct rr_call *c, int i, const char *number, const char *display)
{
	if (i == 0) {
		/* another party: the caller's Privacy went with the caller */
		c->ident.privacy_id = false;
		snprintf(c->from, sizeof(c->from), "%s", number);
		snprintf(c->display, sizeof(c->display), "%s", display ? display : "");
	} else {
		snprintf(c->to, sizeof(c->to), "%s", number);
	}
}

/* "Display" <sip:number@host>, the relay's host on the side it goes to. */
static void identity(char *buf, size_t len, const struct rr_call *c, int side,
		     const char *number, const char *display)
{
	const struct rr_listen *ls = &c->cfg->listen[side];
	char hp[80];

	rr_b2b_host(ls->address, ls->family, hp, sizeof(hp));
	if (number && !strcmp(number, "anonymous"))
		snprintf(buf, len, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	else if (display && *display)
		snprintf(buf, len, "\"%.*s\" <sip:%s@%s>", (int)strcspn(display, "\"\\"), display,
			 number && *number ? number : "anonymous", hp);
	else
		snprintf(buf, len, "<sip:%s@%s>", number && *number ? number : "anonymous", hp);
}

/* P-Asserted-Identity (only towards trunks in the trust domain, `trust:`,
 * as for new calls) as a raw header: nua's default message class does
 * not know the RFC 3325 headers (sip_extra.h), an unknown header it sends
 * as given. */
#define PAI_TAG(buf, id) SIPTAG_HEADER_STR((snprintf(buf, sizeof(buf), "P-Asserted-Identity: %s", id), buf))

/* The number and display name a response asserts: its first
 * P-Asserted-Identity with a user part, else none. rr_identity_init()
 * made the header known to the parser (sip_p_asserted_identity); a stack
 * without it leaves it unknown, read then with the From parser. */
static bool asserted(const sip_t *sip, char *number, size_t nlen, char *display, size_t dlen)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	bool found = false;

	for (const sip_p_asserted_identity_t *p = sip ? sip_p_asserted_identity(sip) : NULL;
	     p && !found; p = p->paid_next) {
		if (!p->paid_url->url_user || strlen(p->paid_url->url_user) >= nlen)
			continue;
		snprintf(number, nlen, "%s", p->paid_url->url_user);
		if (p->paid_display)
			rr_identity_display(p->paid_display, display, dlen);
		found = true;
	}
	for (const sip_unknown_t *u = sip ? sip->sip_unknown : NULL; u && !found; u = u->un_next) {
		sip_from_t *a;

		if (!u->un_name || strcasecmp(u->un_name, "P-Asserted-Identity") || !u->un_value)
			continue;
		a = sip_from_make(home, u->un_value);
		if (!a || !a->a_url->url_user || strlen(a->a_url->url_user) >= nlen)
			continue;
		snprintf(number, nlen, "%s", a->a_url->url_user);
		if (a->a_display)
			rr_identity_display(a->a_display, display, dlen);
		found = true;
	}
	su_home_deinit(home);
	return found;
}

static void notify(nua_handle_t *nh, const char *event, bool final, int status,
		   const char *phrase)
{
	char frag[96];

	if (!nh || !event[0])
		return;
	snprintf(frag, sizeof(frag), "SIP/2.0 %d %s\r\n", status, phrase);
	nua_notify(nh, SIPTAG_EVENT_STR(event),
		   NUTAG_SUBSTATE(final ? nua_substate_terminated : nua_substate_active),
		   SIPTAG_CONTENT_TYPE_STR("message/sipfrag"), SIPTAG_PAYLOAD_STR(frag),
		   TAG_END());
}

/* ---- cut legs --------------------------------------------------------- */

static struct rr_gone *gone_new(struct rr_b2bua *b, nua_handle_t *nh, unsigned long call)
{
	struct rr_gone *g = calloc(1, sizeof(*g));

	if (!g) {
		nua_handle_bind(nh, NULL);
		nua_handle_destroy(nh);
		return NULL;
	}
	g->hm.kind = RR_HM_GONE;
	g->b = b;
	g->nh = nh;
	g->call = call;
	clock_gettime(CLOCK_MONOTONIC, &g->since);
	nua_handle_bind(nh, &g->hm);
	g->next = b->gone;
	if (b->gone)
		b->gone->prev = g;
	b->gone = g;
	return g;
}

static void gone_free(struct rr_gone *g)
{
	if (g->prev)
		g->prev->next = g->next;
	else
		g->b->gone = g->next;
	if (g->next)
		g->next->prev = g->prev;
	if (g->nh) {
		nua_handle_bind(g->nh, NULL);
		nua_handle_destroy(g->nh);
	}
	free(g);
}

/* Takes leg i out of c: its handle goes to a rr_gone, the leg is empty
 * (what it owned besides the handle freed). */
static struct rr_gone *cut_leg(struct rr_call *c, int i)
{
	struct rr_leg *l = &c->leg[i];
	struct rr_leg empty = { .hm = l->hm, .call = c, .idx = i };
	struct rr_gone *g = l->nh ? gone_new(c->b, l->nh, c->id) : NULL;

	rr_b2b_leg_clear(l);
	if (c->reinvite_from >= 0 || c->update_from >= 0) {
		/* a relayed re-INVITE/UPDATE to or from the leg: its answer is
		 * taken as a refresh's (session_timer.c) */
		c->reinvite_from = -1;
		c->update_from = -1;
	}
	*l = empty;
	return g;
}

/* The transferor's part is over: final NOTIFY, then BYE when it is answered. */
static void release_transferor(struct rr_gone *g, const char *event)
{
	if (!g)
		return;
	g->bye_due = true;
	if (event[0]) {
		notify(g->nh, event, true, 200, "OK");
	} else {
		g->bye_sent = true;
		nua_bye(g->nh, TAG_END());
	}
}

/* Puts handle nh into the empty leg i of c. */
static void take_leg(struct rr_call *c, int i, nua_handle_t *nh, int trunk,
		     const char *call_id, bool invite_sdp)
{
	struct rr_leg *l = &c->leg[i];

	l->nh = nh;
	l->trunk = trunk;
	l->established = l->final = true;
	l->invite_sdp = invite_sdp;
	snprintf(l->call_id, sizeof(l->call_id), "%s", call_id ? call_id : "");
	nua_handle_bind(nh, &l->hm);
}

/* Tells leg i who it talks to now: re-INVITE with the other party's SDP
 * (through the relay, same ports) and P-Asserted-Identity. */
static void identity_update(struct rr_call *c, int i, const char *number, const char *display)
{
	struct rr_leg *l = &c->leg[i];
	const char *src = c->sdp_from[!i];
	char *sdp = src ? rr_media_sdp_for(c->b->media, &c->media, i, src, strlen(src)) : NULL;
	char pai[256], hdr[300];

	if (!l->nh || l->ending) {
		free(sdp);
		return;
	}
	identity(pai, sizeof(pai), c, c->cfg->trunks[l->trunk].side, number, display);
	{
		struct rr_call_ev ev;

		rr_call_ev_fill(c, &ev, "identity");
		ev.leg = i;
		ev.target = number;
		ev.reason = "re-INVITE with P-Asserted-Identity";
		rr_call_ev_log(LOG_INFO, &ev);
	}
	l->local_reinvite = true;
	l->invite_sdp = sdp != NULL;
	if (sdp) {
		free(l->sdp_to);
		l->sdp_to = strdup(sdp);
	}
	nua_invite(l->nh, SDP_TAGS(sdp), TAG_IF(c->cfg->trunks[l->trunk].trust, PAI_TAG(hdr, pai)),
		   TAG_END());
	free(sdp);
}

bool rr_xfer_r_invite(struct rr_leg *l, int status, const sip_t *sip)
{
	char *sdp;
	int err;

	if (!l->local_reinvite)
		return false;
	if (status < 200)
		return true;
	l->local_reinvite = false;
	if (status >= 300) {
		struct rr_call_ev ev;

		rr_call_ev_fill(l->call, &ev, "identity");
		ev.leg = l->idx;
		ev.status = status;
		ev.reason = "identity update refused";
		rr_call_ev_log(LOG_WARNING, &ev);
		return true;
	}
	sdp = rr_b2b_sdp_across(l, sip, &err);	/* its answer: flows towards it */
	free(sdp);
	nua_ack(l->nh, TAG_END());
	return true;
}

/* ---- REFER relayed (refer: pass) -------------------------------------- */

static void relay_refer(struct rr_leg *l, nua_t *nua, const sip_t *sip,
			const struct rr_refer_target *t)
{
	struct rr_call *c = l->call;
	struct rr_leg *o = &c->leg[!l->idx];
	const struct rr_listen *ls = &c->cfg->listen[c->cfg->trunks[o->trunk].side];
	const char *xn, *xd;
	char rt[256], rb[256], hp[80];

	rr_b2b_host(ls->address, ls->family, hp, sizeof(hp));
	/* the kept party calls the target through the relay: routed as any
	 * call from its trunk; the far side's host never shows */
	snprintf(rt, sizeof(rt), "<sip:%s@%s:%u>", t->user, hp, ls->port);
	/* Referred-By: the transferor as it named itself, on the relay's host */
	xn = party(c, l->idx, &xd);
	if (sip->sip_referred_by && sip->sip_referred_by->b_url->url_user) {
		xn = sip->sip_referred_by->b_url->url_user;
		xd = "";
	}
	identity(rb, sizeof(rb), c, c->cfg->trunks[o->trunk].side, xn, xd);
	l->refer_req = msg_ref_create(nua_current_request(nua));
	c->b->stats.transfers_relayed++;
	rr_call_xfer_event(c, LOG_INFO, l->idx, t->user, 0,
			   o->idx ? "REFER relayed to the callee" : "REFER relayed to the caller");
	nua_refer(o->nh, SIPTAG_REFER_TO_STR(rt), SIPTAG_REFERRED_BY_STR(rb), TAG_END());
}

void rr_xfer_r_refer(struct rr_leg *l, int status, const char *phrase)
{
	struct rr_call *c = l->call;
	struct rr_leg *x = &c->leg[!l->idx];

	if (status < 200 || !x->refer_req)
		return;
	if (x->nh && !x->ending)
		nua_respond(x->nh, status, phrase_of(status), NUTAG_WITH(x->refer_req), TAG_END());
	msg_destroy(x->refer_req);
	x->refer_req = NULL;
	if (status >= 300) {
		x->refer_event[0] = '\0';
		c->b->stats.transfers_failed++;
		rr_call_xfer_event(c, LOG_INFO, -1, NULL, status, "relayed REFER refused");
	}
}

void rr_xfer_i_notify(struct rr_leg *l, const sip_t *sip, tagi_t tags[])
{
	struct rr_call *c = l->call;
	struct rr_leg *x = &c->leg[!l->idx];
	int ss = nua_substate_active;
	char *frag;

	if (!x->refer_event[0] || !x->nh || x->ending || !sip || !sip->sip_payload)
		return;
	tl_gets(tags, NUTAG_SUBSTATE_REF(ss), TAG_END());
	frag = strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
	if (!frag)
		return;
	nua_notify(x->nh, SIPTAG_EVENT_STR(x->refer_event), NUTAG_SUBSTATE(ss),
		   SIPTAG_CONTENT_TYPE_STR("message/sipfrag"), SIPTAG_PAYLOAD_STR(frag), TAG_END());
	if (!strncmp(frag, "SIP/2.0 2", 9)) {
		/* the kept party reached the target: this call is the
		 * transferor's part, about to be hung up */
		c->transferred = RR_XFER_BLIND;
		rr_call_end_reason(c, RR_END_TRANSFER_BLIND);
		rr_call_xfer_event(c, LOG_INFO, -1, NULL, 200, "relayed transfer completed");
	}
	if (ss == nua_substate_terminated)
		x->refer_event[0] = '\0';
	free(frag);
}

/* ---- blind transfer, rtprelayd the referee (refer: handle) ------------ */

static void blind_fail(struct rr_call *c, struct rr_leg *x, int status, const char *why)
{
	char text[160];

	snprintf(text, sizeof(text), "failed: %s", why ? why : "");
	rr_call_xfer_event(c, LOG_INFO, x->idx, NULL, status, text);
	c->b->stats.transfers_failed++;
	notify(x->nh, x->refer_event, true, status, phrase_of(status));
	x->refer_event[0] = '\0';
}

static void blind(struct rr_leg *l, nua_t *nua, const struct rr_refer_target *t)
{
	struct rr_call *c = l->call;
	struct rr_b2bua *b = c->b;
	struct rr_leg *o = &c->leg[!l->idx];
	const char *tn, *td, *xn, *xd;
	char uri[256], from[256], to[256], rb[256], hp[80], lh[80], hdr[300];
	const struct rr_trunk *tr;
	const struct rr_peer *p;
	const struct rr_listen *ls;
	struct rr_xfer *x;
	char *offer;
	int out;

	nua_respond(l->nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(nua), TAG_END());
	out = rr_route_call(c->cfg, (unsigned int)o->trunk, t->user);
	if (out < 0) {
		blind_fail(c, l, 404, "no route");
		return;
	}
	tr = &c->cfg->trunks[out];
	if (tr->side != c->media.side[l->idx]) {
		blind_fail(c, l, 403, "the route crosses to the kept party's side");
		return;
	}
	if (!c->sdp_from[o->idx]) {
		blind_fail(c, l, 488, "no SDP of the kept party");
		return;
	}
	x = calloc(1, sizeof(*x));
	{
		/* offered as the new party's trunk allows */
		const struct rr_codec_list *keep = c->media.codecs[l->idx];

		c->media.codecs[l->idx] = tr->codecs.n ? &tr->codecs : NULL;
		offer = rr_media_sdp_for(b->media, &c->media, l->idx, c->sdp_from[o->idx],
					 strlen(c->sdp_from[o->idx]));
		c->media.codecs[l->idx] = keep;
	}
	if (!x || !offer) {
		free(x);
		free(offer);
		blind_fail(c, l, 500, "out of memory");
		return;
	}
	x->hm.kind = RR_HM_XFER;
	x->c = c;
	x->from = l->idx;
	x->trunk = out;
	snprintf(x->target, sizeof(x->target), "%s", t->user);
	p = &tr->peers[0];
	ls = &c->cfg->listen[tr->side];
	rr_b2b_host(p->host, p->family, hp, sizeof(hp));
	rr_b2b_host(ls->address, ls->family, lh, sizeof(lh));
	snprintf(uri, sizeof(uri), "sip:%s@%s:%u;transport=%s", t->user, hp, p->port,
		 tr->transport == RR_TP_TLS ? "tls" : tr->transport == RR_TP_TCP ? "tcp" : "udp");
	/* the new party sees the kept party (the original caller, not the
	 * attendant who transferred): From and P-Asserted-Identity */
	tn = party(c, o->idx, &td);
	identity(from, sizeof(from), c, tr->side, tn, td);
	snprintf(to, sizeof(to), "<sip:%s@%s>", t->user, hp);
	xn = party(c, l->idx, &xd);
	identity(rb, sizeof(rb), c, tr->side, xn, xd);
	x->nh = nua_handle(rr_b2b_side(b, tr->side, p->family, NULL, 0)->nua, &x->hm,
			   SIPTAG_FROM_STR(from), SIPTAG_TO_STR(to),
			   NUTAG_AUTOANSWER(0), TAG_END());
	if (!x->nh) {
		free(x);
		free(offer);
		blind_fail(c, l, 500, "no handle");
		return;
	}
	rr_st_apply(x->nh, tr);
	c->xfer = x;
	notify(l->nh, l->refer_event, false, 100, "Trying");
	{
		char text[160];

		snprintf(text, sizeof(text), "blind: calling the target on trunk %s", tr->name);
		rr_call_xfer_event(c, LOG_INFO, l->idx, t->user, 0, text);
	}
	nua_invite(x->nh, NUTAG_URL(uri), SDP_TAGS(offer), TAG_IF(tr->trust, PAI_TAG(hdr, from)),
		   SIPTAG_REFERRED_BY_STR(rb), TAG_END());
	free(offer);
}

/* The new party answered: it takes the transferor's place. */
static void blind_complete(struct rr_xfer *x, const sip_t *sip)
{
	struct rr_call *c = x->c;
	int xi = x->from, ti = !xi;
	struct rr_leg *o = &c->leg[ti], *l = &c->leg[xi];
	char number[64], display[64] = "", event[40];
	struct rr_gone *g;
	char *sdp;
	int err;

	/* what the new party asserts is believed from the trust domain only;
	 * else the kept party is told the number the REFER named */
	if (!c->cfg->trunks[x->trunk].trust ||
	    !asserted(sip, number, sizeof(number), display, sizeof(display))) {
		snprintf(number, sizeof(number), "%s", x->target);
		display[0] = '\0';
	}
	snprintf(event, sizeof(event), "%s", l->refer_event);
	g = cut_leg(c, xi);
	take_leg(c, xi, x->nh, x->trunk, sip && sip->sip_call_id ? sip->sip_call_id->i_id : "",
		 true);
	c->xfer = NULL;
	free(x);
	c->media.codecs[xi] = c->cfg->trunks[l->trunk].codecs.n ? &c->cfg->trunks[l->trunk].codecs :
								  NULL;
	c->media.no_jitter[xi] = !c->cfg->trunks[l->trunk].jitter;
	rr_b2b_leg_answered(l, sip);
	if (c->sdp_from[ti])
		l->sdp_to = rr_media_sdp_for(c->b->media, &c->media, xi, c->sdp_from[ti],
					     strlen(c->sdp_from[ti]));
	/* the flows towards the transferor's place now carry to the new party
	 * (updated in place: same keys, new destination) */
	sdp = rr_b2b_sdp_across(l, sip, &err);
	set_party(c, xi, number, display);
	c->transferred = RR_XFER_BLIND;
	c->b->stats.transfers_blind++;
	rr_call_xfer_event(c, LOG_INFO, xi, number, 200, "blind: the target answered");
	if (sdp && o->nh && !o->ending) {
		char id[256], hdr[300];

		identity(id, sizeof(id), c, c->cfg->trunks[o->trunk].side, number, display);
		o->local_reinvite = true;
		o->invite_sdp = true;
		nua_invite(o->nh, SDP_TAGS(sdp),
			   TAG_IF(c->cfg->trunks[o->trunk].trust, PAI_TAG(hdr, id)), TAG_END());
	}
	free(sdp);
	release_transferor(g, event);
	rr_b2b_call_save(c);
}

static void xfer_event(nua_event_t event, int status, const char *phrase, struct rr_xfer *x,
		       const sip_t *sip, tagi_t tags[])
{
	struct rr_call *c = x->c;
	int cs = -1;

	switch (event) {
	case nua_r_invite:
		if (status < 200)
			return;
		if (status >= 300) {
			if (c) {
				struct rr_leg *l = &c->leg[x->from];

				blind_fail(c, l, status, phrase);
				c->xfer = NULL;
				x->c = NULL;
				/* the transferor hung up already: nobody is left
				 * for the kept party */
				if (!l->nh)
					rr_b2b_call_end(c, RR_END_FAILED, status, phrase_of(status));
			}
			return;
		}
		nua_ack(x->nh, TAG_END());
		if (!c || c->state != RR_CALL_ANSWERED || c->leg[!x->from].ending) {
			nua_bye(x->nh, TAG_END());
			if (c)
				c->xfer = NULL;
			x->c = NULL;
			return;
		}
		blind_complete(x, sip);	/* x is freed */
		return;
	case nua_i_state:
		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs != nua_callstate_terminated)
			return;
		if (c)
			c->xfer = NULL;
		nua_handle_bind(x->nh, NULL);
		nua_handle_destroy(x->nh);
		free(x);
		return;
	default:
		return;
	}
}

/* ---- attended transfer (Replaces) ------------------------------------- */

static struct rr_call *find_replaced(struct rr_call *c, const struct rr_refer_target *t, int *leg)
{
	for (struct rr_call *d = c->b->calls; d; d = d->next) {
		if (d == c)
			continue;
		for (int i = 0; i < 2; i++)
			if (!strcmp(d->leg[i].call_id, t->call_id)) {
				*leg = i;
				return d;
			}
	}
	return NULL;
}

static void attended(struct rr_leg *l, nua_t *nua, const struct rr_refer_target *t)
{
	struct rr_call *c = l->call, *d;
	struct rr_b2bua *b = c->b;
	int slot = l->idx, kept = !slot, dx = -1, moved, zt;
	const char *kn, *kd, *zn, *zd;
	char knum[64], kdisp[64], znum[64], zdisp[64], event[40];
	struct rr_leg *z;
	struct rr_gone *g;

	d = find_replaced(c, t, &dx);
	if (!d || d->state != RR_CALL_ANSWERED || d->xfer || d->reinvite_from >= 0 ||
	    d->update_from >= 0 || d->media.side[dx] != c->media.side[slot] ||
	    !d->leg[!dx].established || d->leg[!dx].ending || d->leg[!dx].local_reinvite ||
	    c->reinvite_from >= 0 || c->update_from >= 0) {
		rr_call_xfer_event(c, LOG_INFO, l->idx, NULL, 403,
				   "failed: Replaces names no call through the relay to join");
		b->stats.transfers_failed++;
		nua_respond(l->nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	moved = !dx;
	z = &d->leg[moved];
	/* the moved leg's trunk in this call's configuration (d may have
	 * begun under another one, before a reload) */
	zt = c->cfg == d->cfg ? z->trunk :
	     rr_config_trunk_find(c->cfg, d->cfg->trunks[z->trunk].name);
	if (zt < 0) {
		b->stats.transfers_failed++;
		nua_respond(l->nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	nua_respond(l->nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(nua), TAG_END());
	kn = party(c, kept, &kd);
	zn = party(d, moved, &zd);
	snprintf(knum, sizeof(knum), "%s", kn);
	snprintf(kdisp, sizeof(kdisp), "%s", kd);
	snprintf(znum, sizeof(znum), "%s", zn);
	snprintf(zdisp, sizeof(zdisp), "%s", zd);
	{
		char text[160];

		snprintf(text, sizeof(text), "attended: joined with call %lu leg %d", d->id, moved);
		rr_call_xfer_event(c, LOG_INFO, kept, NULL, 0, text);
	}
	/* media first: both remaining parties keep sending where they do */
	rr_media_join(b->media, &c->media, slot, &d->media, moved);
	c->media.codecs[slot] = c->cfg->trunks[zt].codecs.n ? &c->cfg->trunks[zt].codecs : NULL;
	c->media.no_jitter[slot] = !c->cfg->trunks[zt].jitter;
	snprintf(event, sizeof(event), "%s", l->refer_event);
	g = cut_leg(c, slot);
	take_leg(c, slot, z->nh, zt, z->call_id, z->invite_sdp);
	free(c->sdp_from[slot]);
	c->sdp_from[slot] = d->sdp_from[moved];
	d->sdp_from[moved] = NULL;
	{
		struct rr_leg empty = { .hm = z->hm, .call = d, .idx = moved };
		struct rr_leg *nl = &c->leg[slot];

		/* the moved party's dialog goes with it */
		nl->d = z->d;
		nl->sdp_to = z->sdp_to;
		memset(&z->d, 0, sizeof(z->d));
		z->sdp_to = NULL;
		rr_b2b_leg_clear(z);
		*z = empty;
		z->terminated = z->ending = true;
	}
	set_party(c, slot, znum, zdisp);
	c->transferred = RR_XFER_ATTENDED;
	d->transferred = RR_XFER_ATTENDED;
	b->stats.transfers_attended++;
	/* the consultation call's transferor leg goes */
	rr_b2b_call_end(d, RR_END_TRANSFER_ATTENDED, SIP_480_TEMPORARILY_UNAVAILABLE);
	identity_update(c, kept, znum, zdisp);
	identity_update(c, slot, knum, kdisp);
	release_transferor(g, event);
	rr_b2b_call_save(c);
}

/* ---- entry points ----------------------------------------------------- */

static void event_name(const sip_event_t *ev, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", ev && ev->o_type ? ev->o_type : "refer");
	for (int i = 0; ev && ev->o_params && ev->o_params[i]; i++) {
		n = strlen(buf);
		snprintf(buf + n, len - n, ";%s", ev->o_params[i]);
	}
}

static bool refer_allowed(const struct rr_trunk *from)
{
	switch (from->refer_from) {
	case RR_REFER_FROM_ANY:
		return true;
	case RR_REFER_FROM_TRUSTED:
		return from->trust;
	default:
		return false;
	}
}

void rr_xfer_i_refer(struct rr_leg *l, nua_t *nua, const sip_t *sip, tagi_t tags[])
{
	struct rr_call *c = l->call;
	struct rr_leg *o = &c->leg[!l->idx];
	const sip_event_t *ev = NULL;
	struct rr_refer_target t;

	if (c->state != RR_CALL_ANSWERED || c->xfer || l->refer_req || o->refer_req ||
	    !o->established || !o->nh || o->ending || l->ending || l->local_reinvite ||
	    o->local_reinvite) {
		nua_respond(l->nh, SIP_491_REQUEST_PENDING, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	if (!sip || !sip->sip_refer_to || rr_refer_parse_url(sip->sip_refer_to->r_url, &t)) {
		rr_call_xfer_event(c, LOG_INFO, l->idx, NULL, 400, "failed: no usable Refer-To");
		nua_respond(l->nh, SIP_400_BAD_REQUEST, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	if (!refer_allowed(&c->cfg->trunks[l->trunk])) {
		/* toll fraud: a REFER makes the relay (or the far party, via the
		 * relay) call a number the sender chose */
		rr_call_xfer_event(c, LOG_NOTICE, l->idx, NULL, 403,
				   "failed: REFER not accepted from this trunk (refer_from)");
		c->b->stats.transfers_failed++;
		nua_respond(l->nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	tl_gets(tags, NUTAG_REFER_EVENT_REF(ev), TAG_END());
	event_name(ev, l->refer_event, sizeof(l->refer_event));
	if (t.replaces)
		attended(l, nua, &t);
	else if (c->cfg->trunks[o->trunk].refer == RR_REFER_PASS)
		relay_refer(l, nua, sip, &t);
	else
		blind(l, nua, &t);
}

static void gone_event(nua_event_t event, int status, nua_t *nua, struct rr_gone *g,
		       tagi_t tags[])
{
	int cs = -1;

	switch (event) {
	case nua_r_notify:
		if (status >= 200 && g->bye_due && !g->bye_sent) {
			g->bye_sent = true;
			nua_bye(g->nh, TAG_END());
		}
		return;
	case nua_r_invite:
		/* an abandoned new party answered after all */
		if (status >= 200 && status < 300) {
			nua_ack(g->nh, TAG_END());
			nua_bye(g->nh, TAG_END());
		}
		return;
	case nua_i_invite:
	case nua_i_update:
	case nua_i_refer:
	case nua_i_info:
	case nua_i_message:
		nua_respond(g->nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	case nua_i_state:
		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated)
			gone_free(g);
		return;
	default:
		return;
	}
}

void rr_xfer_event(nua_event_t event, int status, const char *phrase, nua_t *nua,
		   nua_handle_t *nh, struct rr_hmagic *hm, const sip_t *sip, tagi_t tags[])
{
	if (hm->kind == RR_HM_XFER)
		xfer_event(event, status, phrase, (struct rr_xfer *)hm, sip, tags);
	else
		gone_event(event, status, nua, (struct rr_gone *)hm, tags);
}

bool rr_xfer_i_bye(struct rr_leg *l)
{
	struct rr_call *c = l->call;
	struct rr_gone *g;

	if (!c->xfer || c->xfer->from != l->idx)
		return false;
	/* the transferor hangs up once its REFER is accepted: the kept party
	 * waits for the new one */
	rr_call_xfer_event(c, LOG_INFO, l->idx, c->xfer->target, 0,
			   "the transferor hung up; the transfer goes on");
	g = cut_leg(c, l->idx);
	(void)g;	/* nua answered the BYE; the handle ends by itself */
	return true;
}

static void abandon(struct rr_xfer *x)
{
	struct rr_call *c = x->c;
	struct rr_gone *g;

	if (c)
		c->xfer = NULL;
	g = gone_new(c->b, x->nh, c->id);
	if (g)
		nua_cancel(g->nh, TAG_END());
	free(x);
}

void rr_xfer_call_ending(struct rr_call *c)
{
	if (c->xfer) {
		rr_call_xfer_event(c, LOG_INFO, -1, c->xfer->target, 0,
				   "the call ended before the target answered: cancelled");
		c->b->stats.transfers_failed++;
		abandon(c->xfer);
	}
}

void rr_xfer_call_free(struct rr_call *c)
{
	if (c->xfer)
		abandon(c->xfer);
}

void rr_xfer_tick(struct rr_b2bua *b)
{
	struct rr_gone *g, *n;

	for (g = b->gone; g; g = n) {
		double a = age(&g->since);

		n = g->next;
		if (g->bye_due && !g->bye_sent && a > 3) {
			/* the final NOTIFY was never answered */
			g->bye_sent = true;
			nua_bye(g->nh, TAG_END());
		}
		if (a > 40) {
			rr_warn("call %lu: a released leg did not end in 40 s: freed", g->call);
			gone_free(g);
		}
	}
}

void rr_xfer_free_all(struct rr_b2bua *b)
{
	while (b->gone)
		gone_free(b->gone);
}
