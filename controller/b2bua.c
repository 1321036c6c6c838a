// SPDX-License-Identifier: GPL-2.0-only
/*
 * B2BUA call logic on sofia-sip nua.
 *
 * Why nua rather than nta: nua keeps each leg's dialog (route set, CSeq,
 * tags, retransmissions, 2xx ACK and BYE handling, session refresh) so this
 * file only decides what crosses from one leg to the other. With
 * NUTAG_MEDIA_ENABLE(0) nua runs no offer/answer of its own: SDP is carried
 * as SIPTAG_PAYLOAD and rewritten here (media.c). NUTAG_AUTOANSWER(0) on
 * every handle (also for re-INVITEs), NUTAG_AUTOACK(0) so a delayed-offer
 * answer can ride on the ACK relayed from the caller.
 *
 * A call ends when nua reports all its legs terminated (nua_i_state); ports
 * and flows are released as soon as the first leg ends or fails.
 *
 * Forking: a call rings every target of its route at once, one callee leg
 * (branch) per target, each its own nua handle and dialog. leg[1] is the
 * first branch, c->br[] the others; the first 2xx wins and its leg is
 * swapped into leg[1], so everything after the answer (re-INVITE, UPDATE,
 * REFER, BYE, session timers, the state file) only ever sees leg[0] and
 * leg[1]. The losers are cancelled (BYE after a 2xx race) and marked
 * dropped: their end is not the call's. Early media, the failover timer
 * and admission (admission.c) are per branch's trunk.
 */
#define NUA_MAGIC_T	struct rr_sip_side
#define NUA_HMAGIC_T	struct rr_hmagic

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>

#include "b2bua_int.h"
#include "call_record.h"
#include "call_state.h"
#include "fork.h"
#include "identity.h"
#include "log.h"
#include "routing.h"
#include "tls.h"
#include "session_timer.h"
#include "transfer.h"

static struct rr_hmagic abandoned_hm = { RR_HM_ABANDONED };

/* Callee branch i (0-based) of c. */
static struct rr_leg *branch(struct rr_call *c, unsigned int i)
{
	return i ? &c->br[i - 1] : &c->leg[1];
}

#define for_each_branch(c, i, l) \
	for ((i) = 0; (i) < (c)->n_branches && ((l) = branch((c), (i))); (i)++)

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__u64)t.tv_sec * 1000000000ull + (__u64)t.tv_nsec;
}

static double since(const struct timespec *t)
{
	struct timespec now;

	if (!t->tv_sec)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

static const char *state_name(enum rr_call_state s)
{
	static const char *const n[] = { "calling", "early", "answered", "ending" };

	return n[s];
}

/* ---- call state files (call_state.h) ------------------------------------ */

static void call_unsave(struct rr_call *c)
{
	int err;

	if (!c->saved)
		return;
	c->saved = false;
	err = rr_cs_remove(c->b->state_dir, c->id);
	if (err)
		rr_warn("call %lu: removing its state file: %s", c->id, strerror(-err));
}

/* Writes the state of an answered call whose both dialogs are complete
 * (the caller's ACK brought our tag); again on every media change. */
static void call_save(struct rr_call *c)
{
	struct rr_b2bua *b = c->b;
	struct rr_cs_call st = { 0 };
	struct timespec t0, t1;
	int err;

	if (!b->state_dir[0] || c->state != RR_CALL_ANSWERED)
		return;
	if (c->xfer)
		return;	/* a transfer in progress: saved when it completes (transfer.c) */
	for (int l = 0; l < 2; l++)
		if (!c->leg[l].d.local || !c->leg[l].d.remote || !c->leg[l].d.target ||
		    !c->leg[l].call_id[0] || c->leg[l].ending || c->leg[l].terminated)
			return;
	st.id = c->id;
	st.from = c->from;
	st.to = c->to;
	st.display = c->display;
	st.privacy = c->ident.privacy_id;
	st.start = c->start_wall;
	st.answer = c->answer_wall;
	st.pin_dir = b->pin_dir;
	st.n = c->media.n;
	for (int l = 0; l < 2; l++) {
		struct rr_cs_dialog *g = &st.leg[l];
		struct rr_leg *lg = &c->leg[l];

		st.side[l] = c->media.side[l];
		st.family[l] = c->media.family[l];
		g->call_id = lg->call_id;
		g->local = lg->d.local;
		g->remote = lg->d.remote;
		g->target = lg->d.target;
		g->route = lg->d.route;
		g->peer = lg->d.peer;
		g->local_cseq = lg->d.local_cseq;
		g->remote_cseq = lg->d.remote_cseq;
		g->tcp = lg->d.tcp;
		g->trunk = c->cfg->trunks[lg->trunk].name;
		g->sdp = lg->sdp_to;
		g->sdp_from = c->sdp_from[l];
	}
	for (unsigned int i = 0; i < c->media.n; i++)
		for (int l = 0; l < 2; l++) {
			st.s[i].port[l] = c->media.s[i].port[l];
			st.s[i].installed[l] = c->media.s[i].installed[l];
			st.s[i].peer[l] = c->media.s[i].peer[l];
			st.s[i].flow_id[l] = c->media.s[i].port[!l] ?
				rr_media_flow_id(b->media, &c->media, i, l) : 0;
		}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = rr_cs_save(b->state_dir, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		b->stats.state_errors++;
		rr_warn("call %lu: saving its state in %s: %s (a restart would drop it)", c->id,
			b->state_dir, strerror(-err));
		return;
	}
	b->stats.state_writes++;
	b->stats.state_write_ns += (unsigned long long)((t1.tv_sec - t0.tv_sec) * 1000000000ll +
						     (t1.tv_nsec - t0.tv_nsec));
	c->saved = true;
}

static char *hdr_dup(const void *h)
{
	char *s, *r;

	if (!h)
		return NULL;
	s = sip_header_as_string(NULL, (const sip_header_t *)h);
	r = s ? strdup(s) : NULL;
	su_free(NULL, s);
	return r;
}

static void set_str(char **dst, char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = v;
}

/* Route set from Record-Route: in order (we are the UAS of the dialog) or
 * reversed (UAC), as "<uri>,<uri>". */
static char *route_dup(const sip_record_route_t *rr, bool reverse)
{
	char *parts[32], *out = NULL;
	unsigned int n = 0;
	size_t len = 0;

	for (; rr && n < 32; rr = rr->r_next) {
		sip_record_route_t one = *rr;

		one.r_next = NULL;
		parts[n] = hdr_dup(&one);
		if (!parts[n])
			goto out;
		len += strlen(parts[n++]) + 1;
	}
	if (!n || !(out = malloc(len)))
		goto out;
	out[0] = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, parts[reverse ? n - 1 - i : i]);
	}
out:
	while (n)
		free(parts[--n]);
	return out;
}

static char *uri_dup(const url_t *u)
{
	char *s, *r;

	if (!u)
		return NULL;
	s = url_as_string(NULL, u);
	r = s ? strdup(s) : NULL;
	su_free(NULL, s);
	return r;
}

/* A request received on leg l: its CSeq, and the remote target when it
 * refreshes it (INVITE, UPDATE). */
static void dialog_request(struct rr_leg *l, const sip_t *sip)
{
	if (!sip)
		return;
	if (sip->sip_cseq && sip->sip_cseq->cs_seq > l->d.remote_cseq)
		l->d.remote_cseq = sip->sip_cseq->cs_seq;
	if (sip->sip_contact && sip->sip_request &&
	    (sip->sip_request->rq_method == sip_method_invite ||
	     sip->sip_request->rq_method == sip_method_update))
		set_str(&l->d.target, uri_dup(sip->sip_contact->m_url));
}

/* A response to our request on leg l: its CSeq is ours; a 2xx to INVITE or
 * UPDATE refreshes the target. */
static void dialog_response(struct rr_leg *l, int status, const sip_t *sip)
{
	if (!sip)
		return;
	if (sip->sip_cseq && sip->sip_cseq->cs_seq > l->d.local_cseq)
		l->d.local_cseq = sip->sip_cseq->cs_seq;
	if (status >= 200 && status < 300 && sip->sip_contact)
		set_str(&l->d.target, uri_dup(sip->sip_contact->m_url));
}

static bool via_tcp(const sip_t *sip)
{
	return sip && sip->sip_via && sip->sip_via->v_protocol &&
	       strcasestr(sip->sip_via->v_protocol, "TCP");
}

void rr_b2b_leg_forget(struct rr_leg *l)
{
	free(l->d.local);
	free(l->d.remote);
	free(l->d.target);
	free(l->d.route);
	free(l->d.peer);
	free(l->sdp_to);
	memset(&l->d, 0, sizeof(l->d));
	l->sdp_to = NULL;
}

/* ---- call lifetime ---------------------------------------------------- */

static void call_release_media(struct rr_call *c)
{
	rr_call_keep_quality(c);
	rr_media_release(c->b->media, &c->media);
}

static void call_free(struct rr_call *c)
{
	struct rr_b2bua *b = c->b;

	call_release_media(c);
	rr_xfer_call_free(c);
	call_unsave(c);
	for (int i = 0; i < 2; i++)
		free(c->sdp_from[i]);
	for (unsigned int i = 0; i <= c->n_branches; i++) {
		struct rr_leg *l = i ? branch(c, i - 1) : &c->leg[0];

		rr_b2b_leg_clear(l);
		if (l->nh) {
			nua_handle_bind(l->nh, NULL);
			nua_handle_destroy(l->nh);
			l->nh = NULL;
		}
		free(l->early_sdp);
	}
	free(c->br);
	for (unsigned int i = 0; i < c->n_slots; i++)
		rr_adm_put(&c->slots[i]);
	free(c->slots);
	if (c->prev)
		c->prev->next = c->next;
	else
		b->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	b->n_calls--;
	rr_call_record(c);
	free(c->b_sdp);
	free(c->route);
	rr_config_put(c->cfg);
	free(c);
}

/* nua_respond() keeps the phrase pointer until its queued signal runs, after
 * the event that carried the far end's phrase is freed: relay the standard
 * phrase of the status, which is static. */
static const char *stable_phrase(int status)
{
	const char *p = sip_status_phrase(status);

	return p ? p : status < 300 ? "OK" : "Call Failed";
}

/* The Reason a CANCEL or BYE towards branch l carries (NULL: none):
 * "completed elsewhere" when another branch answered or the caller's
 * CANCEL said so (cancel_reason_completed_elsewhere), or on every CANCEL
 * (cancel_reason_always). */
static const char *branch_reason(const struct rr_leg *l)
{
	const struct rr_trunk *t = &l->call->cfg->trunks[l->trunk];

	if (l->idx != 1)
		return NULL;
	if (t->cancel_reason_elsewhere && (l->elsewhere || l->call->caller_elsewhere))
		return RR_REASON_ELSEWHERE;
	if (t->cancel_reason_always && !l->established)
		return RR_REASON_ELSEWHERE;
	return NULL;
}

/* Sends leg l's end (once): BYE when established, CANCEL when still
 * calling out, a final response when the caller is unanswered. */
static void leg_hangup(struct rr_leg *l, int status)
{
	const char *why = branch_reason(l);

	if (l->ending || l->terminated)
		return;
	l->ending = true;
	if (!l->nh) {
		l->terminated = true;
		return;
	}
	if (l->refreshing)
		return;		/* BYE once the re-INVITE is answered */
	if (l->established) {
		nua_bye(l->nh, TAG_IF(why, SIPTAG_REASON_STR(why)), TAG_END());
	} else if (l->idx == 1) {
		nua_cancel(l->nh, TAG_IF(why, SIPTAG_REASON_STR(why)), TAG_END());
	} else if (!l->final) {
		l->final = true;
		nua_respond(l->nh, status, stable_phrase(status), TAG_END());
	}
}

/* Ends leg l and with it the call. */
static void leg_end(struct rr_leg *l, int status, const char *phrase)
{
	struct rr_call *c = l->call;

	(void)phrase;
	if (l->ending || l->terminated)
		return;
	c->state = RR_CALL_ENDING;
	if (!c->end.tv_sec)
		clock_gettime(CLOCK_MONOTONIC, &c->end);
	leg_hangup(l, status);
}

static void call_end(struct rr_call *c, int status, const char *phrase)
{
	struct rr_leg *l;
	unsigned int i;

	rr_call_end_reason(c, RR_END_ERROR);
	if (!c->answer.tv_sec && !c->end_status)
		rr_call_end_detail(c, status, NULL);	/* what the caller got */
	rr_xfer_call_ending(c);
	call_unsave(c);
	call_release_media(c);
	leg_end(&c->leg[0], status, phrase);
	for_each_branch(c, i, l)
		leg_end(l, status, phrase);
}

static void call_check_done(struct rr_call *c)
{
	struct rr_leg *l;
	unsigned int i;

	if (!c->leg[0].terminated)
		return;
	for_each_branch(c, i, l)
		if (!l->terminated)
			return;
	call_free(c);
}

/* ---- SIP helpers ------------------------------------------------------ */

static const char *host_fmt(const char *host, int family, char *buf, size_t len)
{
	snprintf(buf, len, family == AF_INET6 ? "[%s]" : "%s", host);
	return buf;
}

struct rr_sip_side *rr_b2b_side(struct rr_b2bua *b, enum rr_side s, int family,
				char *host, size_t hostlen)
{
	const struct rr_listen *ls = &b->cfg->listen[s];

	if (b->side2[s].nua && ls->family2 == family) {
		if (host)
			host_fmt(ls->address2, ls->family2, host, hostlen);
		return &b->side2[s];
	}
	if (host)
		host_fmt(ls->address, ls->family, host, hostlen);
	return &b->side[s];
}

static const char *tp_param(unsigned int transport)
{
	return transport == RR_TP_TLS ? "tls" : transport == RR_TP_TCP ? "tcp" : "udp";
}

static bool is_sdp(const sip_t *sip)
{
	return sip && sip->sip_payload && sip->sip_payload->pl_len > 0 &&
	       (!sip->sip_content_type || !sip->sip_content_type->c_type ||
		!strcasecmp(sip->sip_content_type->c_type, "application/sdp"));
}

/* SDP from leg l, rewritten for the other leg; NULL when there was none.
 * *bad set when SDP was there but could not be relayed. */
static char *sdp_across(struct rr_leg *l, const sip_t *sip, int *err)
{
	struct rr_leg *o = &l->call->leg[!l->idx];
	char *out;

	*err = 0;
	if (!is_sdp(sip))
		return NULL;
	free(l->call->sdp_from[l->idx]);
	l->call->sdp_from[l->idx] = strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
	out = rr_media_from(l->call->b->media, &l->call->media, l->idx,
			    sip->sip_payload->pl_data, sip->sip_payload->pl_len, err);
	if (out) {
		free(o->sdp_to);
		o->sdp_to = strdup(out);
	}
	return out;
}

static void pings_setup(struct rr_b2bua *b);
static void pings_free(struct rr_b2bua *b);
static void pings_send(struct rr_b2bua *b);

static bool peer_up(const struct rr_b2bua *b, const struct rr_config *cfg,
		    unsigned int trunk, unsigned int peer)
{
	if (cfg != b->cfg)
		return true;	/* a call from before a reload: no state */
	for (unsigned int i = 0; i < b->n_pings; i++)
		if (b->pings[i].trunk == trunk && b->pings[i].peer == peer)
			return b->pings[i].up;
	return true;
}

/* Sends the INVITE to the current peer of the out trunk. */
static int call_out(struct rr_call *c, struct rr_leg *l)
{
	struct rr_b2bua *b = c->b;
	const struct rr_trunk *t = &c->cfg->trunks[l->trunk];
	const struct rr_peer *p;
	const struct rr_route_target *tg;
	struct rr_identity_out io;
	char uri[256], from[256], to[256], pai[256], hp[80], lh[80];
	bool phone;

	/* skip peers OPTIONS found down, unless none is left */
	while (l->peer_idx + 1 < t->n_peers && !peer_up(b, c->cfg, l->trunk, l->peer_idx))
		l->peer_idx++;
	p = &t->peers[l->peer_idx];
	/* from the side's address of the peer's family (dual stack) */
	struct rr_sip_side *sd = rr_b2b_side(b, t->side, p->family, lh, sizeof(lh));

	host_fmt(p->host, p->family, hp, sizeof(hp));
	/* numbers and identity as routing and the trunk's trust/privacy say */
	tg = &c->route->target[l->target];
	rr_identity_out(t, &c->ident, tg, &io);
	rr_identity_headers(&io, lh, from, sizeof(from), pai, sizeof(pai));
	/* E.164 trunks (Teams): numbers as user=phone, as Microsoft asks */
	phone = t->plan.format == RR_NUM_E164 && rr_number_is_digits(tg->user);
	snprintf(uri, sizeof(uri), "sip:%s%s%s:%u;transport=%s%s", tg->user, tg->user[0] ? "@" : "",
		 hp, p->port, tp_param(t->transport), phone ? ";user=phone" : "");
	snprintf(to, sizeof(to), "<sip:%s%s%s%s>", tg->to, tg->to[0] ? "@" : "", hp,
		 phone && rr_number_is_digits(tg->to) ? ";user=phone" : "");
	l->nh = nua_handle(sd->nua, &l->hm, SIPTAG_FROM_STR(from),
			   SIPTAG_TO_STR(to), TAG_IF(pai[0], SIPTAG_P_ASSERTED_IDENTITY_STR(pai)),
			   TAG_IF(io.privacy[0], SIPTAG_PRIVACY_STR(io.privacy)),
			   NUTAG_AUTOANSWER(0), NUTAG_APPL_METHOD(RR_LEG_APPL_METHODS), TAG_END());
	if (!l->nh)
		return -ENOMEM;
	rr_st_apply(l->nh, t);
	l->rseq = 0;
	l->invite_sdp = c->b_sdp != NULL;
	l->final = l->established = l->ack_pending = l->progressed = false;
	clock_gettime(CLOCK_MONOTONIC, &l->sent);
	nua_invite(l->nh, NUTAG_URL(uri), SDP_TAGS(c->b_sdp), TAG_END());
	{
		struct rr_call_ev ev;
		char peer[96], why[64];

		snprintf(peer, sizeof(peer), "%s:%u", hp, p->port);
		rr_call_ev_fill(c, &ev, "route");
		ev.trunk_out = t->name;
		ev.peer = peer;
		if (c->n_branches > 1) {
			snprintf(why, sizeof(why), "branch %u of %u", l->branch, c->n_branches);
			ev.reason = why;
		}
		rr_call_ev_log(LOG_INFO, &ev);
	}
	return 0;
}

/* ---- events ----------------------------------------------------------- */

/* "yes" when an SDP puts the media on hold, "no" otherwise, NULL without. */
static const char *sdp_hold(const sip_t *sip)
{
	if (!is_sdp(sip))
		return NULL;
	return rr_sdp_is_hold(sip->sip_payload->pl_data, sip->sip_payload->pl_len) ? "yes" : "no";
}

/* The call log line of an offer relayed in a dialog (re-INVITE, UPDATE). */
static void log_offer(struct rr_leg *l, const char *event, const sip_t *sip, const char *sdp)
{
	struct rr_call_ev ev;

	rr_call_ev_fill(l->call, &ev, event);
	ev.leg = l->idx;
	ev.hold = sdp_hold(sip);
	ev.reason = sdp ? NULL : "no SDP";
	rr_call_ev_log(LOG_INFO, &ev);
}

/* The part of a routing decision a call keeps (struct rr_call_route). */
static struct rr_call_route *route_keep(const struct rr_route_result *r)
{
	size_t n = r->n_targets + r->n_alt;
	struct rr_call_route *cr = malloc(sizeof(*cr) + n * sizeof(struct rr_route_target));

	if (!cr)
		return NULL;
	cr->n_targets = r->n_targets;
	cr->n_alt = r->n_alt;
	cr->target = (struct rr_route_target *)(cr + 1);
	cr->alt = cr->target + r->n_targets;
	memcpy(cr->target, r->target, r->n_targets * sizeof(*r->target));
	memcpy(cr->alt, r->alt, r->n_alt * sizeof(*r->alt));
	return cr;
}

/* A request refused before any call state: status, with Retry-After when
 * retry_after is not 0. */
static void refuse(struct rr_sip_side *sd, nua_handle_t *nh, int status, const char *phrase,
		   unsigned int retry_after)
{
	char ra[16];

	snprintf(ra, sizeof(ra), "%u", retry_after);
	nua_respond(nh, status, phrase, NUTAG_WITH_THIS(sd->nua),
		    TAG_IF(retry_after, SIPTAG_RETRY_AFTER_STR(ra)), TAG_END());
	nua_handle_destroy(nh);
}

/* Takes an admission slot of trunk for c (once per trunk). 0, or -EBUSY
 * with *why set. */
static int call_admit(struct rr_call *c, unsigned int trunk, enum rr_adm_verdict *why)
{
	const struct rr_trunk *t = &c->cfg->trunks[trunk];
	struct rr_adm_trunk *at;
	enum rr_adm_verdict v;

	for (unsigned int i = 0; i < c->n_slots; i++)
		if (!strcmp(c->slots[i].t->name, t->name))
			return 0;
	at = rr_adm_trunk(&c->b->adm, t->name);
	if (!at)
		return 0;	/* no memory to count it: not a reason to refuse */
	v = rr_adm_take(at, t, now_ns(), &c->slots[c->n_slots]);
	if (v != RR_ADM_OK) {
		*why = v;
		return -EBUSY;
	}
	c->n_slots++;
	return 0;
}

/* Frees a call that never made it into the list (nothing sent yet). */
static void call_discard(struct rr_call *c)
{
	for (unsigned int i = 0; i < c->n_slots; i++)
		rr_adm_put(&c->slots[i]);
	free(c->slots);
	free(c->br);
	free(c->route);
	rr_config_put(c->cfg);
	free(c);
}

/* The branches of c, one per target of its route that its trunk admits
 * (on the first target's side and address family). 0, or -EBUSY (every
 * target's trunk refused: *why) or -ENOENT. */
static int call_branches(struct rr_call *c, unsigned int in, enum rr_adm_verdict *why)
{
	const struct rr_config *cfg = c->cfg;
	const struct rr_call_route *route = c->route;
	int fam = 0, side = -1;
	bool busy = false;

	for (unsigned int i = 0; i < route->n_targets; i++) {
		const struct rr_route_target *tg = &route->target[i];
		const struct rr_trunk *t;
		struct rr_leg *l;

		if (tg->trunk >= cfg->n_trunks)
			continue;
		t = &cfg->trunks[tg->trunk];
		if (t->side == cfg->trunks[in].side || (side >= 0 && (int)t->side != side) ||
		    (fam && t->peers[0].family != fam)) {
			rr_warn("call %lu: target %u (trunk %s) skipped: a call's branches share one side and address family",
				c->id, i + 1, t->name);
			continue;
		}
		if (call_admit(c, tg->trunk, why)) {
			rr_warn("call %lu: target %u: trunk %s at its %s", c->id, i + 1, t->name,
				rr_adm_verdict_name(*why));
			busy = true;
			continue;
		}
		fam = t->peers[0].family;
		side = (int)t->side;
		l = branch(c, c->n_branches++);
		l->hm.kind = RR_HM_LEG;
		l->call = c;
		l->idx = 1;
		l->branch = c->n_branches;
		l->target = i;
		l->trunk = (int)tg->trunk;
	}
	if (c->n_branches)
		return 0;
	return busy ? -EBUSY : -ENOENT;
}

static void new_call(struct rr_sip_side *sd, nua_handle_t *nh, const sip_t *sip)
{
	struct rr_b2bua *b = sd->b;
	struct rr_config *cfg = b->cfg;
	msg_t *msg = nua_current_request(sd->nua);
	su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
	char src[INET6_ADDRSTRLEN] = "?";
	const char *number;
	struct rr_route_result *route;
	struct rr_call_numbers nums;
	struct rr_identity ident;
	enum rr_adm_verdict why = RR_ADM_OK;
	int in, out, err, fam1;
	unsigned int i, started;
	struct rr_call *c;
	struct rr_leg *l;
	char *sdp;

	if (ai && ai->ai_addr)
		getnameinfo(ai->ai_addr, (socklen_t)ai->ai_addrlen, src, sizeof(src), NULL, 0,
			    NI_NUMERICHOST);
	in = ai && ai->ai_addr ? rr_config_trunk_for_source(cfg, sd->side, ai->ai_addr) : -1;
	if (in < 0) {
		/* not from a trunk of this side: no state at all */
		rr_call_record_reject(b, cfg, -1, sip, src, 403, sd->side == RR_SIDE_SBC ?
				      "not an allowed source on side sbc" :
				      "not an allowed source on side pbx");
		b->stats.rejected_403++;
		refuse(sd, nh, SIP_403_FORBIDDEN, 0);
		return;
	}
	number = sip->sip_request->rq_url->url_user;
	if (rr_identity_take(&cfg->trunks[in], sip, &nums, &ident)) {
		/* cut, the number would name someone else: no route */
		rr_call_record_reject(b, cfg, in, sip, src, 404, "number too long");
		b->stats.rejected_404++;
		refuse(sd, nh, SIP_404_NOT_FOUND, 0);
		return;
	}
	route = malloc(sizeof(*route));
	out = route ? rr_route_decide_call(cfg, (unsigned int)in, &nums, route) : -ENOMEM;
	if (!out && !route->n_targets)
		out = -ENOENT;
	if (out == -EACCES) {
		rr_call_record_reject(b, cfg, in, sip, src, 403, route->rule);
		b->stats.rejected_403++;
		free(route);
		refuse(sd, nh, SIP_403_FORBIDDEN, 0);
		return;
	}
	if (out < 0 && out != -ENOMEM) {
		rr_call_record_reject(b, cfg, in, sip, src, 404, "no route");
		b->stats.rejected_404++;
		free(route);
		refuse(sd, nh, SIP_404_NOT_FOUND, 0);
		return;
	}
	c = out ? NULL : calloc(1, sizeof(*c));
	if (c) {
		c->route = route_keep(route);
		c->ident = ident;
		c->slots = calloc(route->n_targets + 1, sizeof(*c->slots));
		c->br = route->n_targets > 1 ? calloc(route->n_targets - 1, sizeof(*c->br)) : NULL;
		if (!c->route || !c->slots || (route->n_targets > 1 && !c->br)) {
			free(c->route);
			free(c->slots);
			free(c->br);
			free(c);
			c = NULL;
		}
	}
	free(route);
	if (!c) {
		b->stats.rejected_other++;
		refuse(sd, nh, SIP_500_INTERNAL_SERVER_ERROR, 0);
		return;
	}
	c->b = b;
	c->cfg = rr_config_get(cfg);
	c->id = b->next_id + 1;
	/* admission: the incoming trunk, then each target's */
	out = call_admit(c, (unsigned int)in, &why);
	if (!out)
		out = call_branches(c, (unsigned int)in, &why);
	if (out) {
		unsigned int ra = out == -EBUSY ? rr_adm_retry_after(why) : 0;
		char reason[96];

		if (out == -EBUSY) {
			snprintf(reason, sizeof(reason), "%s reached (Retry-After %u)",
				 rr_adm_verdict_name(why), ra);
			b->stats.rejected_admission++;
		} else {
			snprintf(reason, sizeof(reason), "no usable target");
			b->stats.rejected_404++;
		}
		rr_call_record_reject(b, cfg, in, sip, src, out == -EBUSY ? 503 : 404, reason);
		call_discard(c);
		if (out == -EBUSY)
			refuse(sd, nh, SIP_503_SERVICE_UNAVAILABLE, ra);
		else
			refuse(sd, nh, SIP_404_NOT_FOUND, 0);
		return;
	}
	b->next_id++;
	c->reinvite_from = -1;
	c->update_from = -1;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	clock_gettime(CLOCK_REALTIME, &c->start_rt);
	c->leg[0].hm.kind = RR_HM_LEG;
	c->leg[0].call = c;
	c->leg[0].idx = 0;
	c->leg[0].nh = nh;
	c->leg[0].trunk = in;
	snprintf(c->to, sizeof(c->to), "%s", number ? number : "");
	/* a caller number too long for the field stays out of logs and the
	 * record rather than cut into another number */
	if (sip->sip_from && sip->sip_from->a_url->url_user &&
	    strlen(sip->sip_from->a_url->url_user) < sizeof(c->from))
		snprintf(c->from, sizeof(c->from), "%s", sip->sip_from->a_url->url_user);
	if (sip->sip_from && sip->sip_from->a_display)
		rr_identity_display(sip->sip_from->a_display, c->display, sizeof(c->display));
	if (sip->sip_call_id)
		snprintf(c->leg[0].call_id, sizeof(c->leg[0].call_id), "%s", sip->sip_call_id->i_id);
	/* the record keeps them when a transfer changes the parties */
	memcpy(c->clid, c->from, sizeof(c->clid));
	memcpy(c->dnis, c->to, sizeof(c->dnis));
	c->trunk_out = c->leg[1].trunk;	/* the winner's, once a branch answers */
	c->start_wall = time(NULL);
	c->leg[0].d.remote = hdr_dup(sip->sip_from);
	c->leg[0].d.local = NULL;	/* with our tag: from the caller's ACK */
	c->leg[0].d.route = route_dup(sip->sip_record_route, false);
	c->leg[0].d.tcp = via_tcp(sip);
	c->leg[0].d.peer = strdup(src);
	dialog_request(&c->leg[0], sip);
	fam1 = cfg->trunks[c->leg[1].trunk].peers[0].family;
	rr_call_media_init(b->media, &c->media, sd->side, ai->ai_addr->sa_family,
			   cfg->trunks[c->leg[1].trunk].side, fam1);
	/* the first branch's trunk decides codecs and jitter towards the callee */
	for (int k = 0; k < 2; k++) {
		const struct rr_trunk *t = &cfg->trunks[c->leg[k].trunk];

		c->media.codecs[k] = t->codecs.n ? &t->codecs : NULL;
		c->media.no_jitter[k] = !t->jitter;
	}
	c->next = b->calls;
	if (b->calls)
		b->calls->prev = c;
	b->calls = c;
	b->n_calls++;
	b->stats.calls_total++;
	nua_handle_bind(nh, &c->leg[0].hm);
	nua_set_hparams(nh, NUTAG_AUTOANSWER(0), NUTAG_APPL_METHOD(RR_LEG_APPL_METHODS), TAG_END());
	rr_st_apply(nh, &cfg->trunks[in]);
	c->caller_100rel = sip_has_feature(sip->sip_supported, "100rel") ||
			   sip_has_feature(sip->sip_require, "100rel");
	{
		struct rr_call_ev ev;
		char fork[48];

		rr_call_ev_fill(c, &ev, "start");
		ev.src = src;
		if (c->n_branches > 1) {
			snprintf(fork, sizeof(fork), "forking to %u targets", c->n_branches);
			ev.reason = fork;
		}
		rr_call_ev_log(LOG_INFO, &ev);
	}

	sdp = sdp_across(&c->leg[0], sip, &err);
	if (err) {
		b->stats.calls_failed++;
		for_each_branch(c, i, l)
			l->terminated = true;
		rr_call_end_reason(c, RR_END_ERROR);
		if (err == -ENOSPC) {
			rr_call_end_detail(c, 503, "no free media port");
			call_end(c, SIP_503_SERVICE_UNAVAILABLE);
		} else {
			rr_call_end_detail(c, 488, "SDP not acceptable");
			call_end(c, SIP_488_NOT_ACCEPTABLE);
		}
		return;
	}
	c->b_sdp = sdp;
	started = 0;
	for_each_branch(c, i, l) {
		if (call_out(c, l)) {
			l->terminated = l->ending = l->dropped = true;
			continue;
		}
		started++;
	}
	if (!started) {
		b->stats.calls_failed++;
		rr_call_end_detail(c, 500, "cannot place the outgoing leg");
		call_end(c, SIP_500_INTERNAL_SERVER_ERROR);
	}
}

/* Gives back the admission slots no longer needed once the call is
 * answered: those of trunks neither leg[0] nor the winner is on. */
static void call_put_loser_slots(struct rr_call *c)
{
	const char *keep[2] = { c->cfg->trunks[c->leg[0].trunk].name,
				c->cfg->trunks[c->leg[1].trunk].name };

	for (unsigned int i = 0; i < c->n_slots; i++)
		if (c->slots[i].t && strcmp(c->slots[i].t->name, keep[0]) &&
		    strcmp(c->slots[i].t->name, keep[1]))
			rr_adm_put(&c->slots[i]);
}

/* Swaps two branches' places (and their handles' magic). */
static void leg_swap(struct rr_leg *a, struct rr_leg *b)
{
	struct rr_leg t = *a;

	*a = *b;
	*b = t;
	if (a->nh)
		nua_handle_bind(a->nh, &a->hm);
	if (b->nh)
		nua_handle_bind(b->nh, &b->hm);
}

/* Branch l answered first: the others are cancelled (completed elsewhere)
 * and l takes leg[1]'s place. Returns leg[1]. */
static struct rr_leg *fork_win(struct rr_leg *l)
{
	struct rr_call *c = l->call;
	struct rr_leg *x;
	unsigned int i;

	for_each_branch(c, i, x) {
		if (x == l || x->ending || x->terminated)
			continue;
		x->dropped = true;
		x->elsewhere = true;
		leg_hangup(x, 0);
	}
	if (l != &c->leg[1]) {
		leg_swap(&c->leg[1], l);
		l = &c->leg[1];
	}
	c->trunk_out = l->trunk;
	if (c->n_branches > 1) {
		char why[80];

		snprintf(why, sizeof(why), "branch %u answered; %u other branch(es) cancelled",
			 l->branch, c->n_branches - 1);
		rr_call_event(c, LOG_INFO, "fork", 0, why);
	}
	call_put_loser_slots(c);
	return l;
}

/* A 2xx on a branch that lost (or was dropped): ACK it, then BYE. */
static void branch_late_answer(struct rr_leg *l)
{
	const char *why;

	l->established = true;
	l->elsewhere = true;
	why = branch_reason(l);
	nua_ack(l->nh, TAG_END());
	nua_bye(l->nh, TAG_IF(why, SIPTAG_REASON_STR(why)), TAG_END());
	rr_call_event(l->call, LOG_INFO, "fork", 200, "a losing branch answered too: BYE");
}

/* An 18x on branch l, relayed to the caller as its trunk's early_media
 * says. Early flows point at the first branch that sent SDP. */
static void branch_early(struct rr_leg *l, int status, const sip_t *sip)
{
	struct rr_call *c = l->call;
	const struct rr_trunk *t = &c->cfg->trunks[l->trunk];
	bool with_sdp = is_sdp(sip);
	char *sdp = NULL;
	int err;

	if (with_sdp) {
		free(l->early_sdp);
		l->early_sdp = strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
	}
	if (t->early_media == RR_EARLY_FIRST && c->early_relayed)
		return;
	if (t->early_media == RR_EARLY_CONVERT_183) {
		with_sdp = false;
		if (status == 183)
			status = 180;
	}
	if (with_sdp && (!c->early_branch || c->early_branch == l->branch)) {
		sdp = sdp_across(l, sip, &err);
		if (sdp)
			c->early_branch = l->branch;
	}
	c->early_relayed = true;
	nua_respond(c->leg[0].nh, status, stable_phrase(status), SDP_TAGS(sdp), TAG_END());
	free(sdp);
	if (c->state == RR_CALL_CALLING)
		c->state = RR_CALL_EARLY;
	rr_call_event(c, LOG_INFO, "ringing", status, NULL);
}

/* Branch l failed for good with status: the call fails when it was the last
 * branch ringing, with the best failure of all (rr_fork_better). */
static void branch_failed(struct rr_leg *l, int status, const char *phrase)
{
	struct rr_call *c = l->call;
	struct rr_leg *x;
	unsigned int i;
	int mapped, best;
	char why[80];

	l->dropped = true;
	l->ending = true;	/* nua ends the failed INVITE itself */
	if (!l->nh)
		l->terminated = true;	/* no handle left to report it */
	if (c->early_branch == l->branch)
		c->early_branch = 0;	/* the next branch with SDP gets the early flows */
	c->best_status = rr_fork_better(c->best_status, status);
	for_each_branch(c, i, x)
		if (!x->dropped && !x->ending && !x->terminated) {
			snprintf(why, sizeof(why), "branch %u failed: %s", l->branch,
				 phrase ? phrase : "");
			rr_call_event(c, LOG_INFO, "fork", status, why);
			return;
		}
	best = c->best_status;
	if (best != status)
		phrase = stable_phrase(best);
	mapped = rr_trunk_map_status(&c->cfg->trunks[c->leg[0].trunk], best);
	snprintf(why, sizeof(why), "%s%s", phrase ? phrase : "",
		 c->n_branches > 1 ? " (best of the branches)" : "");
	if (mapped != best)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (relayed as %d)", mapped);
	rr_call_end_detail(c, best, why);
	c->b->stats.calls_failed++;
	rr_call_end_reason(c, RR_END_FAILED);
	call_end(c, mapped, phrase);
}

/* Failover on branch l: its trunk's next peer, else (a call of one branch)
 * the route's next trunk to seize. 0 when a new INVITE went out; the old
 * handle must be gone or abandoned already. */
static int branch_next(struct rr_leg *l, int status, const char *reason)
{
	struct rr_call *c = l->call;
	const struct rr_trunk *t = &c->cfg->trunks[l->trunk];
	struct rr_call_ev ev;
	char peer[96], hp[80];

	free(l->early_sdp);
	l->early_sdp = NULL;
	if (l->peer_idx + 1 < t->n_peers) {
		host_fmt(t->peers[l->peer_idx].host, t->peers[l->peer_idx].family, hp,
			 sizeof(hp));
		snprintf(peer, sizeof(peer), "%s:%u", hp, t->peers[l->peer_idx].port);
		rr_call_ev_fill(c, &ev, "failover");
		ev.trunk_out = t->name;
		ev.peer = peer;
		ev.status = status;
		ev.reason = reason;
		rr_call_ev_log(LOG_WARNING, &ev);
		l->peer_idx++;
		return call_out(c, l);
	}
	if (c->n_branches == 1 && c->route && c->alt_idx < c->route->n_alt) {
		/* trunk seizure (outbound rule, seize order/round robin):
		 * every peer of this trunk failed, the next trunk */
		char why[128];

		snprintf(why, sizeof(why), "every peer failed: seizing trunk %s",
			 c->cfg->trunks[c->route->alt[c->alt_idx].trunk].name);
		rr_call_ev_fill(c, &ev, "failover");
		ev.status = status;
		ev.reason = why;
		rr_call_ev_log(LOG_WARNING, &ev);
		c->route->target[l->target] = c->route->alt[c->alt_idx++];
		l->trunk = (int)c->route->target[l->target].trunk;
		c->trunk_out = l->trunk;	/* the record names the trunk seized */
		l->peer_idx = 0;
		return call_out(c, l);
	}
	return -ENOENT;
}

static void prack_send(struct rr_leg *l, const char *sdp)
{
	sip_rack_t rack[1];

	sip_rack_init(rack);
	rack->ra_response = l->rseq;
	rack->ra_cseq = l->rseq_cseq;
	rack->ra_method = sip_method_invite;
	rack->ra_method_name = "INVITE";
	l->rseq = 0;
	nua_prack(l->nh, SIPTAG_RACK(rack), SDP_TAGS(sdp), TAG_END());
}

/* A reliable 18x (RFC 3262) from leg l. Call legs leave PRACK to us
 * (RR_LEG_APPL_METHODS), so it is PRACKed here. When it is the callee's
 * answer to the caller's INVITE and the caller supports 100rel, it goes on
 * reliably (Require: 100rel) and the PRACK waits for the caller's, whose
 * SDP it carries (the answer to an offer in the 18x, or a new offer):
 * true then. Else PRACKed at once (100rel per leg) and false. */
static bool reliable_18x(struct rr_leg *l, const sip_t *sip)
{
	struct rr_call *c = l->call;
	struct rr_leg *o = &c->leg[!l->idx];
	char *sdp;
	int err;

	if (l->rseq && l->rseq != sip->sip_rseq->rs_response)
		prack_send(l, NULL);	/* an earlier one still open: close it */
	l->rseq = sip->sip_rseq->rs_response;
	l->rseq_cseq = sip->sip_cseq->cs_seq;
	/* passed through only for a call of one branch relaying every 18x:
	 * forks and early_media policies PRACK here and relay as they say */
	if (l->idx != 1 || !c->caller_100rel || o->final || !o->nh || o->ending ||
	    c->reinvite_from >= 0 || c->state == RR_CALL_ENDING || c->n_branches > 1 ||
	    c->cfg->trunks[l->trunk].early_media != RR_EARLY_ALL) {
		prack_send(l, NULL);
		return false;
	}
	sdp = sdp_across(l, sip, &err);
	nua_respond(o->nh, sip->sip_status->st_status, stable_phrase(sip->sip_status->st_status),
		    SIPTAG_REQUIRE_STR("100rel"), SDP_TAGS(sdp), TAG_END());
	free(sdp);
	if (c->state == RR_CALL_CALLING)
		c->state = RR_CALL_EARLY;
	rr_call_event(c, LOG_INFO, "ringing", sip->sip_status->st_status, NULL);
	return true;
}

/* PRACK from leg l: the other leg's reliable 18x it acknowledges is
 * PRACKed now with l's SDP; the answer comes back on the kept request. */
static void i_prack(struct rr_leg *l, nua_t *nua, const sip_t *sip)
{
	struct rr_leg *o = &l->call->leg[!l->idx];
	char *sdp;
	int err;

	if (!o->rseq || !o->nh || o->ending || l->prack_req) {
		/* nothing to pass on: a PRACK of nua's own reliable 18x */
		nua_respond(l->nh, SIP_200_OK, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	sdp = sdp_across(l, sip, &err);
	if (err) {
		nua_respond(l->nh, SIP_488_NOT_ACCEPTABLE, NUTAG_WITH_THIS(nua), TAG_END());
		prack_send(o, NULL);
		return;
	}
	l->prack_req = msg_ref_create(nua_current_request(nua));
	{
		struct rr_call_ev ev;

		rr_call_ev_fill(l->call, &ev, "prack");
		ev.leg = l->idx;
		ev.reason = sdp ? "relayed with SDP" : "relayed";
		rr_call_ev_log(LOG_INFO, &ev);
	}
	prack_send(o, sdp);
	free(sdp);
}

/* l's final answer to a request relayed from o (PRACK, UPDATE): relayed on
 * the request o's side saved (*req, then released), with l's SDP if it
 * succeeded. */
static void answer_saved(struct rr_leg *l, struct rr_leg *o, msg_t **req, int status,
			 const sip_t *sip)
{
	char *sdp = NULL;
	int err;

	if (status < 300)
		sdp = sdp_across(l, sip, &err);
	if (!o->ending && !o->terminated)
		nua_respond(o->nh, status, stable_phrase(status), NUTAG_WITH(*req),
			    SDP_TAGS(sdp), TAG_END());
	free(sdp);
	msg_destroy(*req);
	*req = NULL;
}

static void r_prack(struct rr_leg *l, int status, const sip_t *sip)
{
	struct rr_leg *o = &l->call->leg[!l->idx];

	if (status < 200 || !o->prack_req)
		return;
	answer_saved(l, o, &o->prack_req, status, sip);
}

/* The answer to the re-INVITE that adopted a restored leg (see
 * rr_b2bua_restore): from now on nua has the dialog. */
static void r_refresh(struct rr_leg *l, int status, const char *phrase, const sip_t *sip)
{
	struct rr_call *c = l->call;
	int err;

	if (status < 200)
		return;
	l->refreshing = false;
	if (status >= 300) {
		struct rr_call_ev ev;

		rr_call_ev_fill(c, &ev, "adopt");
		ev.leg = l->idx;
		ev.status = status;
		ev.reason = "the adopting re-INVITE was refused: ending the call";
		rr_call_ev_log(LOG_WARNING, &ev);
		l->ending = true;	/* nua ends the refused INVITE itself */
		call_end(c, SIP_480_TEMPORARILY_UNAVAILABLE);
		return;
	}
	dialog_response(l, status, sip);
	nua_ack(l->nh, TAG_END());
	if (c->state == RR_CALL_ENDING) {
		/* hung up while the re-INVITE was out */
		l->ending = false;
		leg_end(l, SIP_480_TEMPORARILY_UNAVAILABLE);
		return;
	}
	if (is_sdp(sip) && rr_media_same(&c->media, l->idx, sip->sip_payload->pl_data,
					 sip->sip_payload->pl_len)) {
		free(c->sdp_from[l->idx]);
		c->sdp_from[l->idx] = strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
	} else if (is_sdp(sip)) {
		/* the peer moved its media: flows towards it follow; the other
		 * leg keeps the relay's ports, so it needs no offer */
		char *sdp = sdp_across(l, sip, &err);

		free(sdp);
	}
	{
		struct rr_call_ev ev;

		rr_call_ev_fill(c, &ev, "adopt");
		ev.leg = l->idx;
		ev.status = status;
		ev.reason = "adopted after a restart (re-INVITE answered)";
		rr_call_ev_log(LOG_INFO, &ev);
	}
	call_save(c);
}

static void r_invite(struct rr_leg *l, int status, const char *phrase, const sip_t *sip)
{
	struct rr_call *c = l->call;
	struct rr_leg *o = &c->leg[!l->idx];
	char *sdp;
	int err;

	if (l->refreshing) {
		r_refresh(l, status, phrase, sip);
		return;
	}
	if (sip && sip->sip_call_id && !l->call_id[0])
		snprintf(l->call_id, sizeof(l->call_id), "%s", sip->sip_call_id->i_id);
	if (l->idx == 1 && l->dropped) {
		/* a branch that lost: only a 2xx needs anything (ACK, BYE) */
		if (status >= 200 && status < 300 && !l->final)
			branch_late_answer(l);
		if (status >= 200)
			l->final = true;
		return;
	}
	if (status > 100 && status < 200)
		l->progressed = true;	/* no failover timer */
	if (status >= 200 && status < 300 && sip) {
		dialog_response(l, status, sip);
		if (l->idx == 1 && !l->established) {
			/* the callee's dialog: its tag, target, route set */
			set_str(&l->d.local, hdr_dup(sip->sip_from));
			set_str(&l->d.remote, hdr_dup(sip->sip_to));
			set_str(&l->d.route, route_dup(sip->sip_record_route, true));
			l->d.tcp = c->cfg->trunks[l->trunk].transport == RR_TP_TCP;
		}
	}
	if (status > 100 && status < 200 && sip && sip->sip_rseq && sip->sip_cseq &&
	    reliable_18x(l, sip))
		return;	/* relayed reliably: PRACKed when the caller PRACKs */
	if (rr_xfer_r_invite(l, status, sip) || rr_st_r_invite(l, status, sip))
		return;	/* our own re-INVITE (transfer), a session refresh */
	if (status < 200) {
		if (status == 100 || c->reinvite_from >= 0 || l->idx != 1 || o->final)
			return;
		branch_early(l, status, sip);
		return;
	}
	if (status < 300 && l->idx == 1 && !l->final) {
		l->progressed = true;
		if (o->final || o->ending || o->terminated || c->state == RR_CALL_ENDING) {
			/* the caller is gone or another branch won meanwhile */
			l->final = true;
			if (c->state == RR_CALL_ANSWERED) {
				l->dropped = true;
				branch_late_answer(l);
				return;
			}
		} else {
			l = fork_win(l);
		}
	}
	l->final = true;
	if (status < 300) {
		l->established = true;
		sdp = sdp_across(l, sip, &err);
		if (!sdp && !is_sdp(sip) && l->idx == 1 && l->early_sdp &&
		    c->early_branch != l->branch && c->state != RR_CALL_ANSWERED)
			/* SDP-less 2xx after a reliable 18x whose SDP we did not use */
			sdp = rr_media_from(c->b->media, &c->media, 1, l->early_sdp,
					    strlen(l->early_sdp), &err);
		if (l->invite_sdp || c->state == RR_CALL_ENDING)
			nua_ack(l->nh, TAG_END());
		else
			l->ack_pending = true;	/* the answer comes with o's ACK */
		if (c->state == RR_CALL_ENDING || o->ending || o->terminated) {
			/* answered after CANCEL/BYE crossed: hang up at once */
			l->ending = false;
			leg_end(l, SIP_487_REQUEST_TERMINATED);
			free(sdp);
			return;
		}
		if (c->reinvite_from == o->idx) {
			c->reinvite_from = -1;
			nua_respond(o->nh, SIP_200_OK, SDP_TAGS(sdp), TAG_END());
			call_save(c);
		} else if (l->idx == 1 && !o->final) {
			o->final = true;
			o->established = true;
			c->state = RR_CALL_ANSWERED;
			clock_gettime(CLOCK_MONOTONIC, &c->answer);
			c->answer_wall = time(NULL);
			c->b->stats.calls_answered++;
			c->end_status = status;
			nua_respond(o->nh, SIP_200_OK, SDP_TAGS(sdp), TAG_END());
			{
				struct rr_call_ev ev;

				rr_call_ev_fill(c, &ev, "answer");
				ev.status = status;
				ev.outcome = "answered";
				rr_call_ev_log(LOG_INFO, &ev);
			}
		}
		free(sdp);
		return;
	}
	/* a final failure */
	if (c->reinvite_from == o->idx) {
		c->reinvite_from = -1;
		l->final = l->established;	/* the dialog itself lives on */
		nua_respond(o->nh, status, stable_phrase(status), TAG_END());
		return;
	}
	if (l->idx != 1 || c->state == RR_CALL_ENDING || l->established)
		return;
	if (rr_trunk_failover_status(&c->cfg->trunks[l->trunk], status) && !o->ending) {
		nua_handle_bind(l->nh, NULL);
		nua_handle_destroy(l->nh);
		l->nh = NULL;
		if (!branch_next(l, status, "trying the next peer"))
			return;
	}
	branch_failed(l, status, phrase);
}

/* Failover timer (Microsoft's): a branch that got no 18x or 2xx within its
 * trunk's failover_timeout is cancelled at that peer and tried at the
 * next one, when there is a next one. */
static void branch_check_timer(struct rr_leg *l, __u64 now)
{
	struct rr_call *c = l->call;
	const struct rr_trunk *t = &c->cfg->trunks[l->trunk];
	__u64 sent;

	if (!l->nh || l->progressed || l->dropped || l->ending || l->final ||
	    !t->failover_timeout_ms || l->peer_idx + 1 >= t->n_peers)
		return;
	sent = (__u64)l->sent.tv_sec * 1000000000ull + (__u64)l->sent.tv_nsec;
	if (now - sent < (__u64)t->failover_timeout_ms * 1000000ull)
		return;
	nua_cancel(l->nh, TAG_END());
	nua_handle_bind(l->nh, &abandoned_hm);
	l->nh = NULL;
	if (branch_next(l, 408, "no 18x/2xx in the failover timeout: trying the next peer"))
		branch_failed(l, SIP_408_REQUEST_TIMEOUT);
}

static void failover_timer(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct rr_b2bua *b = (struct rr_b2bua *)arg;
	struct rr_call *c, *n;
	struct rr_leg *l;
	unsigned int i;
	__u64 now = now_ns();

	(void)magic;
	(void)t;
	for (c = b->calls; c; c = n) {
		n = c->next;
		if (c->state != RR_CALL_CALLING && c->state != RR_CALL_EARLY)
			continue;
		for_each_branch(c, i, l) {
			branch_check_timer(l, now);
			if (c->state == RR_CALL_ENDING)
				break;
		}
	}
}

/* Events on an INVITE the failover timer abandoned. */
static void abandoned_event(nua_event_t event, int status, nua_handle_t *nh, tagi_t tags[])
{
	int cs = -1;

	if (event == nua_r_invite && status >= 200 && status < 300) {
		/* answered as the CANCEL crossed */
		nua_ack(nh, TAG_END());
		nua_bye(nh, TAG_END());
	} else if (event == nua_i_state) {
		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated)
			nua_handle_destroy(nh);
	}
}

static void i_reinvite(struct rr_leg *l, const sip_t *sip)
{
	struct rr_call *c = l->call;
	struct rr_leg *o = &c->leg[!l->idx];
	char *sdp;
	int err;

	dialog_request(l, sip);
	if (c->state != RR_CALL_ANSWERED || !o->established || o->ending) {
		nua_respond(l->nh, SIP_491_REQUEST_PENDING, TAG_END());
		return;
	}
	if (c->reinvite_from >= 0 || c->update_from >= 0) {
		nua_respond(l->nh, SIP_491_REQUEST_PENDING, TAG_END());
		return;
	}
	if (rr_st_i_reinvite(l, sip))
		return;	/* a session refresh with the same SDP: answered here */
	sdp = sdp_across(l, sip, &err);
	if (err) {
		nua_respond(l->nh, SIP_488_NOT_ACCEPTABLE, TAG_END());
		return;
	}
	log_offer(l, "reinvite", sip, sdp);
	c->reinvite_from = l->idx;
	o->invite_sdp = sdp != NULL;
	nua_invite(o->nh, SDP_TAGS(sdp), TAG_END());
	free(sdp);
}

/* UPDATE (RFC 3311) on an answered call or in the early dialog (calls of one
 * branch: a fork has no single early dialog to relay into): relayed to the other leg like a
 * re-INVITE, its SDP rewritten and the flows updated in place; the other
 * leg's answer goes back on the saved request (NUTAG_APPL_METHOD("UPDATE")
 * keeps nua from answering it itself). */
static void i_update(struct rr_leg *l, nua_t *nua, const sip_t *sip)
{
	struct rr_call *c = l->call;
	struct rr_leg *o = &c->leg[!l->idx];
	char *sdp;
	int err;

	dialog_request(l, sip);
	/* answered, or in the early dialog (RFC 3311 5.1: after a reliable
	 * 18x, e.g. preconditions): the other leg has its dialog too */
	bool ready = c->state == RR_CALL_ANSWERED ? o->established :
		     c->state == RR_CALL_EARLY && o->nh && !o->final && c->n_branches == 1;

	if (!ready || o->ending || c->reinvite_from >= 0 || c->update_from >= 0 ||
	    l->update_req) {
		nua_respond(l->nh, SIP_491_REQUEST_PENDING, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	sdp = sdp_across(l, sip, &err);
	if (err) {
		nua_respond(l->nh, SIP_488_NOT_ACCEPTABLE, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	l->update_req = msg_ref_create(nua_current_request(nua));
	log_offer(l, "update", sip, sdp);
	c->update_from = l->idx;
	nua_update(o->nh, SDP_TAGS(sdp), TAG_END());
	free(sdp);
}

static void r_update(struct rr_leg *l, int status, const sip_t *sip)
{
	struct rr_call *c = l->call;
	struct rr_leg *o = &c->leg[!l->idx];

	if (rr_st_r_update(l, status))
		return;	/* nua's own refresh UPDATE */
	if (status < 200 || c->update_from != o->idx || !o->update_req)
		return;
	dialog_response(l, status, sip);
	c->update_from = -1;
	answer_saved(l, o, &o->update_req, status, sip);
	if (status < 300)
		call_save(c);
}

static void i_ack(struct rr_leg *l, const sip_t *sip)
{
	struct rr_leg *o = &l->call->leg[!l->idx];
	char *sdp;
	int err;

	if (sip && sip->sip_to && sip->sip_to->a_tag && !l->d.local) {
		/* the first ACK of leg 0 carries the tag nua gave our 200 */
		l->d.local = hdr_dup(sip->sip_to);
		if (sip->sip_contact && !l->d.target)
			l->d.target = uri_dup(sip->sip_contact->m_url);
	}
	if (!o->ack_pending || !o->nh) {
		call_save(l->call);
		return;
	}
	o->ack_pending = false;
	sdp = sdp_across(l, sip, &err);
	nua_ack(o->nh, SDP_TAGS(sdp), TAG_END());
	free(sdp);
	call_save(l->call);
}

static void r_options(struct rr_ping *p, int status, const char *phrase)
{
	const struct rr_trunk *t = &p->b->cfg->trunks[p->trunk];
	/* any answer but a timeout or overload (also what nta reports for an
	 * unreachable peer) says the peer is there */
	bool up = status != 408 && status != 503;

	if (status < 200)
		return;
	p->pending = false;
	if (up != p->up)
		rr_log(up ? LOG_NOTICE : LOG_WARNING, "trunk %s peer %s:%u is %s (OPTIONS: %d %s)",
		       t->name, t->peers[p->peer].host, t->peers[p->peer].port,
		       up ? "up" : "down", status, phrase);
	p->up = up;
}

/* A request outside any call of ours: no dialog to relay it in. */
static void no_dialog(nua_t *nua, nua_handle_t *nh)
{
	nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
	nua_handle_destroy(nh);
}

static void event_cb(nua_event_t event, int status, char const *phrase, nua_t *nua,
		     struct rr_sip_side *sd, nua_handle_t *nh, struct rr_hmagic *hm,
		     sip_t const *sip, tagi_t tags[])
{
	struct rr_leg *l = hm && hm->kind == RR_HM_LEG ? (struct rr_leg *)hm : NULL;
	struct rr_call *c = l ? l->call : NULL;
	int cs = -1;

	if (hm && hm->kind == RR_HM_PING) {
		if (event == nua_r_options)
			r_options((struct rr_ping *)hm, status, phrase);
		return;
	}
	if (hm && (hm->kind == RR_HM_XFER || hm->kind == RR_HM_GONE)) {
		rr_xfer_event(event, status, phrase, nua, nh, hm, sip, tags);
		return;
	}
	if (hm && hm->kind == RR_HM_ABANDONED) {
		abandoned_event(event, status, nh, tags);
		return;
	}
	if (l && l->dropped && (event == nua_i_invite || event == nua_i_update ||
				event == nua_i_refer)) {
		/* a branch that lost has no call to relay into */
		nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	switch (event) {
	case nua_i_invite:
		if (!l)
			new_call(sd, nh, sip);
		else
			i_reinvite(l, sip);
		return;
	case nua_r_invite:
		if (l)
			r_invite(l, status, phrase, sip);
		return;
	case nua_i_ack:
		if (l)
			i_ack(l, sip);
		return;
	case nua_i_update:
		if (l)
			i_update(l, nua, sip);
		else if (nh)
			no_dialog(nua, nh);
		return;
	case nua_r_update:
		if (l)
			r_update(l, status, sip);
		return;
	case nua_i_prack:
		if (l)
			i_prack(l, nua, sip);
		else if (nh)
			nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
		return;
	case nua_r_prack:
		if (l)
			r_prack(l, status, sip);
		return;
	case nua_i_refer:
		if (l)
			rr_xfer_i_refer(l, nua, sip, tags);
		else if (nh)
			no_dialog(nua, nh);
		return;
	case nua_r_refer:
		if (l)
			rr_xfer_r_refer(l, status, phrase);
		return;
	case nua_i_notify:
		if (l)
			rr_xfer_i_notify(l, sip, tags);
		return;
	case nua_r_bye:
		if (l && !l->ending && status >= 200)
			rr_st_bye_sent(l);	/* nua's own BYE: the session expired */
		return;
	case nua_i_cancel:
		if (l) {
			for (sip_reason_t *r = sip ? sip->sip_reason : NULL; r; r = r->re_next)
				if (r->re_protocol && !strcasecmp(r->re_protocol, "SIP") &&
				    r->re_cause && atoi(r->re_cause) == 200)
					c->caller_elsewhere = true;
			rr_call_end_detail(c, 487, c->caller_elsewhere ?
					   "completed elsewhere (CANCEL Reason cause=200)" : NULL);
			c->b->stats.calls_cancelled++;
			l->final = true;	/* nua answered 487 */
			l->ending = true;
			rr_call_end_reason(c, RR_END_CANCEL);
			call_end(c, SIP_487_REQUEST_TERMINATED);
		}
		return;
	case nua_i_bye:
		if (l && l->dropped) {
			l->ending = true;	/* a branch that lost: nua answered 200 */
			return;
		}
		if (l && rr_xfer_i_bye(l))
			return;
		if (l) {
			l->ending = true;	/* nua answered 200 */
			rr_call_end_reason(c, l->idx ? RR_END_CALLEE_BYE : RR_END_CALLER_BYE);
			call_end(c, SIP_480_TEMPORARILY_UNAVAILABLE);
		}
		return;
	case nua_i_state:
		if (!l)
			return;
		tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
		if (cs == nua_callstate_terminated) {
			l->terminated = true;
			if (c->state != RR_CALL_ENDING && !l->dropped) {
				if (!l->ending)
					rr_st_leg_lost(l, status);
				call_end(c, SIP_480_TEMPORARILY_UNAVAILABLE);
			}
			call_check_done(c);
		}
		return;
	case nua_r_shutdown:
		if (status >= 200)
			sd->shut = true;
		return;
	case nua_i_error:
		rr_warn("sip %s: error %d %s", rr_side_name(sd->side), status, phrase);
		return;
	case nua_i_options:
		/* nua answered it (200 with Allow/Accept); the handle is unused */
		if (!l && nh)
			nua_handle_destroy(nh);
		return;
	default:
		return;
	}
}

/* ---- setup ------------------------------------------------------------ */

/* One nua per side: UDP and TCP on the listen address, and TLS on its tls
 * port when a certificate is configured (sofia-sip reads it from a
 * directory: laid out by tls.c, removed once the transport has loaded it). */
static int side_create(struct rr_b2bua *b, struct rr_sip_side *sd, const struct rr_listen *ls,
		       char *err, size_t errlen)
{
	const char *base = getenv("RUNTIME_DIRECTORY");
	char url[160], sips[160], hp[80], dir[256] = "";
	int rc;

	host_fmt(ls->address, ls->family, hp, sizeof(hp));
	snprintf(url, sizeof(url), "sip:%s:%u%s", hp, ls->port,
		 ls->transports == RR_TP_UDP ? ";transport=udp" :
		 ls->transports == RR_TP_TCP ? ";transport=tcp" : "");
	snprintf(sips, sizeof(sips), "sips:%s:%u", hp, ls->tls.port);
	if (ls->tls.enabled) {
		if (!base || !*base)
			base = getenv("TMPDIR");
		rc = rr_tls_dir_make(&ls->tls, base && *base ? base : "/tmp", dir, sizeof(dir));
		if (rc) {
			snprintf(err, errlen, "side %s: TLS certificate files: %s",
				 rr_side_name(sd->side), strerror(-rc));
			return rc;
		}
	}
	sd->nua = nua_create(b->root, event_cb, sd, NUTAG_URL(url),
			     TAG_IF(ls->tls.enabled, NUTAG_SIPS_URL(sips)),
			     TAG_IF(ls->tls.enabled, NUTAG_CERTIFICATE_DIR(dir)),
			     /* 0: any TLS version OpenSSL allows (1 would pin TLSv1.0) */
			     TAG_IF(ls->tls.enabled, TPTAG_TLS_VERSION(0)),
			     TAG_IF(ls->tls.enabled,
				    TPTAG_TLS_VERIFY_POLICY(ls->tls.verify_peer ?
							    TPTLS_VERIFY_ALL : TPTLS_VERIFY_NONE)),
			     NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOANSWER(0),
			     NUTAG_AUTOACK(0), NUTAG_AUTOALERT(0),
			     NUTAG_ENABLEINVITE(1), NUTAG_SESSION_TIMER(0),
			     NUTAG_APPL_METHOD("UPDATE, REFER"),
			     NUTAG_USER_AGENT("rtprelayd"),
			     SIPTAG_SERVER_STR("rtprelayd"),
			     TAG_END());
	rc = -errno;
	if (dir[0])
		rr_tls_dir_remove(dir);
	if (!sd->nua) {
		snprintf(err, errlen, "cannot listen on %s%s%s (side %s): %s", url,
			 ls->tls.enabled ? " and " : "", ls->tls.enabled ? sips : "",
			 rr_side_name(sd->side), strerror(-rc));
		return rc ? rc : -EINVAL;
	}
	rr_info("sip %s: listening on %s%s%s", rr_side_name(sd->side), url,
		ls->tls.enabled ? " and " : "", ls->tls.enabled ? sips : "");
	return 0;
}

struct rr_b2bua *rr_b2bua_create(su_root_t *root, struct rr_config *cfg,
				 struct rr_media *media, char *err, size_t errlen)
{
	struct rr_b2bua *b = calloc(1, sizeof(*b));

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->root = root;
	b->cfg = cfg;
	b->media = media;
	rr_identity_init();	/* P-Asserted-Identity parsed */
	b->cdr = rr_cdr_writer_new();
	if (!b->cdr) {
		snprintf(err, errlen, "out of memory");
		free(b);
		return NULL;
	}
	rr_cdr_configure(b->cdr, cfg->cdr.dir, cfg->cdr.retention_days, cfg->cdr.mask_numbers,
			 time(NULL));
	snprintf(b->pin_dir, sizeof(b->pin_dir), "%s", cfg->datapath.pin_dir);
	if (cfg->calls.state_dir[0]) {
		int e = rr_cs_mkdir(cfg->calls.state_dir);

		if (e)
			rr_err("calls state_dir %s: %s: calls will not survive a restart",
			       cfg->calls.state_dir, strerror(-e));
		else
			snprintf(b->state_dir, sizeof(b->state_dir), "%s", cfg->calls.state_dir);
	}
	for (int s = 0; s < RR_SIDE_MAX; s++) {
		struct rr_sip_side *sd = &b->side[s];

		sd->b = b;
		sd->side = s;
		if (side_create(b, sd, &cfg->listen[s], err, errlen)) {
			rr_b2bua_destroy(b);
			return NULL;
		}
		if (cfg->listen[s].address2[0]) {
			/* dual stack: a second stack on the other family's address */
			struct rr_listen l2 = cfg->listen[s];

			snprintf(l2.address, sizeof(l2.address), "%s", l2.address2);
			l2.family = l2.family2;
			b->side2[s].b = b;
			b->side2[s].side = s;
			if (side_create(b, &b->side2[s], &l2, err, errlen)) {
				rr_b2bua_destroy(b);
				return NULL;
			}
		}
	}
	b->fo_timer = su_timer_create(su_root_task(root), 100);
	if (b->fo_timer)
		su_timer_set_for_ever(b->fo_timer, failover_timer, (su_timer_arg_t *)b);
	pings_setup(b);
	rr_st_defaults(b);
	return b;
}

void rr_b2bua_shutdown(struct rr_b2bua *b)
{
	struct rr_call *c, *n;
	struct timespec t0;

	for (c = b->calls; c; c = n) {
		n = c->next;
		rr_call_end_reason(c, RR_END_SHUTDOWN);
		call_end(c, SIP_503_SERVICE_UNAVAILABLE);
	}
	/* let BYE/CANCEL go out and get answered, a bounded while. The bounds
	 * are time, not loop turns: su_root_step() returns at every event, so
	 * turns ran out in well under a second on a busy host, nua was never
	 * shut and could not be freed. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (b->calls && since(&t0) < 3)
		su_root_step(b->root, 100);
	for (int s = 0; s < RR_SIDE_MAX; s++) {
		if (b->side[s].nua)
			nua_shutdown(b->side[s].nua);
		if (b->side2[s].nua)
			nua_shutdown(b->side2[s].nua);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (since(&t0) < 10) {
		bool all = true;

		for (int s = 0; s < RR_SIDE_MAX; s++)
			if ((b->side[s].nua && !b->side[s].shut) ||
			    (b->side2[s].nua && !b->side2[s].shut))
				all = false;
		if (all) {
			rr_dbg("SIP stacks shut down in %.2f s", since(&t0));
			return;
		}
		su_root_step(b->root, 100);
	}
	rr_warn("SIP stacks not shut down after 10 s: exiting without freeing them");
}

void rr_b2bua_destroy(struct rr_b2bua *b)
{
	if (!b)
		return;
	while (b->calls)
		call_free(b->calls);
	rr_xfer_free_all(b);
	rr_cdr_writer_free(b->cdr);
	if (b->fo_timer)
		su_timer_destroy(b->fo_timer);
	rr_admission_free(&b->adm);
	pings_free(b);
	for (int s = 0; s < RR_SIDE_MAX; s++) {
		if (b->side[s].nua)
			nua_destroy(b->side[s].nua);
		if (b->side2[s].nua)
			nua_destroy(b->side2[s].nua);
	}
	free(b);
}

void rr_b2bua_tick(struct rr_b2bua *b)
{
	unsigned int timeout = b->cfg->media.inactivity_timeout;
	struct timespec now;
	struct rr_call *c, *n;
	__u64 now_ns, last;

	if (b->cfg->options_interval && b->ticks++ % b->cfg->options_interval == 0)
		pings_send(b);
	rr_xfer_tick(b);
	rr_cdr_tick(b->cdr, time(NULL));
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = (__u64)now.tv_sec * 1000000000ull + (__u64)now.tv_nsec;
	for (c = b->calls; c; c = n) {
		n = c->next;
		if (c->state == RR_CALL_ENDING) {
			/* nua never reported a leg over (lost BYE): reap */
			if (since(&c->end) > 40) {
				rr_call_event(c, LOG_WARNING, "reap", 0,
					      "legs did not end in 40 s: freed");
				call_free(c);
			}
			continue;
		}
		if (!timeout || c->state != RR_CALL_ANSWERED || since(&c->answer) < timeout)
			continue;
		last = rr_media_last_seen(b->media, &c->media);
		if (last && now_ns - last < (__u64)timeout * 1000000000ull)
			continue;
		{
			char why[48];

			snprintf(why, sizeof(why), "no media for %u s", timeout);
			rr_call_end_detail(c, 0, why);
		}
		b->stats.inactivity_hangups++;
		rr_call_end_reason(c, RR_END_INACTIVITY);
		call_end(c, SIP_480_TEMPORARILY_UNAVAILABLE);
	}
}

unsigned int rr_b2bua_n_calls(const struct rr_b2bua *b)
{
	return b->n_calls;
}

const struct rr_b2bua_stats *rr_b2bua_stats(const struct rr_b2bua *b)
{
	return &b->stats;
}

int rr_b2bua_walk(struct rr_b2bua *b, int (*fn)(struct rr_call *c, void *arg), void *arg)
{
	int rc = 0;

	for (struct rr_call *c = b->calls; c && !rc; c = c->next)
		rc = fn(c, arg);
	return rc;
}

int rr_b2bua_hangup(struct rr_b2bua *b, unsigned long id)
{
	for (struct rr_call *c = b->calls; c; c = c->next) {
		if (c->id == id) {
			rr_call_end_reason(c, RR_END_HANGUP);
			call_end(c, SIP_480_TEMPORARILY_UNAVAILABLE);
			return 0;
		}
	}
	return -ENOENT;
}

void rr_call_info(const struct rr_call *c, struct rr_call_info *info)
{
	const struct rr_config *cfg = c->cfg;

	info->id = c->id;
	info->state = c->restored && c->state == RR_CALL_ANSWERED ? "restored" :
		      state_name(c->state);
	info->from = c->from;
	info->to = c->to;
	for (int i = 0; i < 2; i++) {
		info->trunk[i] = cfg->trunks[c->leg[i].trunk].name;
		info->call_id[i] = c->leg[i].call_id;
	}
	info->duration = since(&c->start);
	info->talk = since(&c->answer);
	info->media = &c->media;
	info->end = c->end_reason;
	info->end_reason = rr_end_reason_name(c->end_reason);
	info->transferred = c->transferred == RR_XFER_BLIND ? "blind" :
			    c->transferred == RR_XFER_ATTENDED ? "attended" : "";
}

const char *rr_end_reason_name(enum rr_end_reason r)
{
	static const char *const n[] = {
		[RR_END_NONE] = "",
		[RR_END_CALLER_BYE] = "caller-bye",
		[RR_END_CALLEE_BYE] = "callee-bye",
		[RR_END_CANCEL] = "cancel",
		[RR_END_FAILED] = "failed",
		[RR_END_HANGUP] = "hangup",
		[RR_END_INACTIVITY] = "media-inactivity",
		[RR_END_SESSION_TIMER] = "session-timer",
		[RR_END_TRANSFER_BLIND] = "transfer-blind",
		[RR_END_TRANSFER_ATTENDED] = "transfer-attended",
		[RR_END_SHUTDOWN] = "shutdown",
		[RR_END_ERROR] = "error",
	};

	return (unsigned int)r < sizeof(n) / sizeof(n[0]) && n[r] ? n[r] : "?";
}

/* ---- for transfer.c and session_timer.c ------------------------------- */

void rr_b2b_call_end(struct rr_call *c, enum rr_end_reason why, int status,
		     const char *phrase)
{
	rr_call_end_reason(c, why);
	call_end(c, status, phrase);
}

void rr_b2b_leg_end(struct rr_leg *l, int status, const char *phrase)
{
	leg_end(l, status, phrase);
}

char *rr_b2b_sdp_across(struct rr_leg *l, const sip_t *sip, int *err)
{
	return sdp_across(l, sip, err);
}

bool rr_b2b_is_sdp(const sip_t *sip)
{
	return is_sdp(sip);
}

const char *rr_b2b_host(const char *host, int family, char *buf, size_t len)
{
	return host_fmt(host, family, buf, len);
}

void rr_b2b_leg_answered(struct rr_leg *l, const sip_t *sip)
{
	if (!sip)
		return;
	dialog_response(l, 200, sip);
	set_str(&l->d.local, hdr_dup(sip->sip_from));
	set_str(&l->d.remote, hdr_dup(sip->sip_to));
	set_str(&l->d.route, route_dup(sip->sip_record_route, true));
	l->d.tcp = l->call->cfg->trunks[l->trunk].transport == RR_TP_TCP;
}

void rr_b2b_leg_clear(struct rr_leg *l)
{
	rr_b2b_leg_forget(l);
	if (l->update_req)
		msg_destroy(l->update_req);
	if (l->prack_req)
		msg_destroy(l->prack_req);
	if (l->refer_req)
		msg_destroy(l->refer_req);
	l->update_req = l->prack_req = l->refer_req = NULL;
}

void rr_b2b_call_save(struct rr_call *c)
{
	call_save(c);
}

void rr_b2b_call_check_done(struct rr_call *c)
{
	call_check_done(c);
}

static void pings_free(struct rr_b2bua *b)
{
	for (unsigned int i = 0; i < b->n_pings; i++)
		if (b->pings[i].nh) {
			nua_handle_bind(b->pings[i].nh, NULL);
			nua_handle_destroy(b->pings[i].nh);
		}
	free(b->pings);
	b->pings = NULL;
	b->n_pings = 0;
}

static void pings_setup(struct rr_b2bua *b)
{
	const struct rr_config *cfg = b->cfg;
	unsigned int n = 0, t, p;

	for (t = 0; t < cfg->n_trunks; t++)
		n += cfg->trunks[t].n_peers;
	b->pings = calloc(n, sizeof(*b->pings));
	if (!b->pings)
		return;
	for (t = 0; t < cfg->n_trunks; t++)
		for (p = 0; p < cfg->trunks[t].n_peers; p++) {
			struct rr_ping *pg = &b->pings[b->n_pings++];

			pg->hm.kind = RR_HM_PING;
			pg->b = b;
			pg->trunk = t;
			pg->peer = p;
			pg->up = true;	/* until OPTIONS says otherwise */
		}
}

static void pings_send(struct rr_b2bua *b)
{
	for (unsigned int i = 0; i < b->n_pings; i++) {
		struct rr_ping *pg = &b->pings[i];
		const struct rr_trunk *t = &b->cfg->trunks[pg->trunk];
		const struct rr_peer *p = &t->peers[pg->peer];
		char uri[160], hp[80];

		if (pg->pending)
			continue;	/* the last one is still out */
		host_fmt(p->host, p->family, hp, sizeof(hp));
		snprintf(uri, sizeof(uri), "sip:%s:%u;transport=%s", hp, p->port,
			 tp_param(t->transport));
		if (!pg->nh)
			pg->nh = nua_handle(rr_b2b_side(b, t->side, p->family, NULL, 0)->nua,
					    &pg->hm, SIPTAG_TO_STR(uri),
					    TAG_END());
		if (!pg->nh)
			continue;
		pg->pending = true;
		nua_options(pg->nh, NUTAG_URL(uri), TAG_END());
	}
}

void rr_b2bua_set_config(struct rr_b2bua *b, struct rr_config *cfg)
{
	pings_free(b);
	b->cfg = cfg;
	pings_setup(b);
	rr_st_defaults(b);
	rr_cdr_configure(b->cdr, cfg->cdr.dir, cfg->cdr.retention_days, cfg->cdr.mask_numbers,
			 time(NULL));
}

struct rr_config *rr_b2bua_config(struct rr_b2bua *b)
{
	return b->cfg;
}

int rr_b2bua_trunk_load(struct rr_b2bua *b, const char *name, unsigned int *calls,
			unsigned long long *rejected)
{
	for (struct rr_adm_trunk *t = b->adm.trunks; t; t = t->next) {
		if (strcmp(t->name, name))
			continue;
		*calls = t->calls;
		*rejected = t->rejected[RR_ADM_CALLS] + t->rejected[RR_ADM_CPS] +
			    t->rejected[RR_ADM_BANDWIDTH];
		return 0;
	}
	return -ENOENT;
}

int rr_b2bua_peers(struct rr_b2bua *b,
		   int (*fn)(const char *trunk, const char *host, unsigned int port,
			     bool up, void *arg), void *arg)
{
	int rc = 0;

	for (unsigned int i = 0; i < b->n_pings && !rc; i++) {
		const struct rr_trunk *t = &b->cfg->trunks[b->pings[i].trunk];

		rc = fn(t->name, t->peers[b->pings[i].peer].host,
			t->peers[b->pings[i].peer].port, b->pings[i].up, arg);
	}
	return rc;
}

/* ---- restart: adopting saved calls, handing calls over --------------- */

static void timespec_ago(struct timespec *t, time_t wall)
{
	time_t ago = wall ? time(NULL) - wall : 0;

	clock_gettime(CLOCK_MONOTONIC, t);
	if (ago > 0 && ago < t->tv_sec)
		t->tv_sec -= ago;
}

/* Gives leg l's dialog to nua: a handle with the dialog's Call-ID, tags,
 * target and route set, and a re-INVITE (the SDP last sent on the leg, so
 * nothing changes for the peer). nua creates its dialog leg when it sends
 * the request, so in-dialog requests reach this handle from then on. */
static int leg_adopt(struct rr_leg *l)
{
	struct rr_call *c = l->call;
	const struct rr_trunk *t = &c->cfg->trunks[l->trunk];
	/* the stack of the leg's family (dual-stack sides) */
	nua_t *nua = rr_b2b_side(c->b, t->side, c->media.family[l->idx], NULL, 0)->nua;
	char url[512], cseq[32];
	bool tcp_param = l->d.tcp && !strstr(l->d.target, "transport=");

	snprintf(url, sizeof(url), "%s%s", l->d.target, tcp_param ? ";transport=tcp" : "");
	snprintf(cseq, sizeof(cseq), "%u INVITE", l->d.local_cseq);
	l->nh = nua_handle(nua, &l->hm, SIPTAG_CALL_ID_STR(l->call_id),
			   SIPTAG_FROM_STR(l->d.local), SIPTAG_TO_STR(l->d.remote),
			   TAG_IF(l->d.route, SIPTAG_ROUTE_STR(l->d.route)),
			   NUTAG_URL(url), NUTAG_AUTOANSWER(0), TAG_END());
	if (!l->nh)
		return -ENOMEM;
	rr_st_apply(l->nh, t);	/* the trunk's session timer, as for a new leg */
	l->established = l->final = true;
	l->invite_sdp = l->sdp_to != NULL;
	l->refreshing = true;
	/* CSeq: above every request we sent (nta sends this + 1); none seen:
	 * nta's clock-based start is above the old dialog's */
	nua_invite(l->nh, TAG_IF(l->d.local_cseq, SIPTAG_CSEQ_STR(cseq)),
		   SDP_TAGS(l->sdp_to), TAG_END());
	return 0;
}

static char *take(char **p)
{
	char *v = *p;

	*p = NULL;
	return v;
}

/* One state file: 0 adopted, 1 not ours (left alone), <0 refused (why). */
static int restore_one(struct rr_b2bua *b, const char *path, char *why, size_t len)
{
	struct rr_config *cfg = b->cfg;
	struct rr_cs_call st;
	struct rr_call *c = NULL;
	int err, tr[2];

	err = rr_cs_load(path, &st, why, len);
	if (err)
		return err;
	if (!st.pin_dir || strcmp(st.pin_dir, b->pin_dir)) {
		snprintf(why, len, "its flows are in %.100s, not this daemon's %.100s",
			 st.pin_dir ? st.pin_dir : "(none)", b->pin_dir);
		rr_cs_free(&st);
		return 1;
	}
	for (int l = 0; l < 2; l++) {
		tr[l] = rr_config_trunk_find(cfg, st.leg[l].trunk);
		if (tr[l] < 0) {
			snprintf(why, len, "trunk '%s' is not configured", st.leg[l].trunk);
			err = -ENOENT;
			goto out;
		}
		if (st.side[l] >= RR_SIDE_MAX) {
			snprintf(why, len, "side%d %d unknown", l, st.side[l]);
			err = -EINVAL;
			goto out;
		}
	}
	for (struct rr_call *o = b->calls; o; o = o->next)
		if (o->id == st.id) {
			snprintf(why, len, "call %lu is already up", st.id);
			err = -EEXIST;
			goto out;
		}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		snprintf(why, len, "out of memory");
		goto out;
	}
	c->b = b;
	c->id = st.id;
	c->n_branches = 1;	/* answered: leg[1] is the callee */
	c->leg[1].branch = 1;
	c->reinvite_from = c->update_from = -1;
	c->state = RR_CALL_ANSWERED;
	c->restored = true;
	c->start_wall = (time_t)st.start;
	c->answer_wall = (time_t)st.answer;
	timespec_ago(&c->start, c->start_wall);
	/* the flows' last-seen times are the kernel's monotonic clock, which
	 * a restart does not reset: inactivity goes on from them */
	timespec_ago(&c->answer, c->answer_wall ? c->answer_wall : time(NULL));
	c->start_rt.tv_sec = c->start_wall;	/* the CDR's start */
	snprintf(c->from, sizeof(c->from), "%s", st.from ? st.from : "");
	snprintf(c->to, sizeof(c->to), "%s", st.to ? st.to : "");
	snprintf(c->display, sizeof(c->display), "%s", st.display ? st.display : "");
	c->ident.privacy_id = st.privacy;	/* a transfer still hides the caller */
	memcpy(c->clid, c->from, sizeof(c->clid));
	memcpy(c->dnis, c->to, sizeof(c->dnis));
	/* the call's media, as media.c left it */
	memset(&c->media, 0, sizeof(c->media));
	c->media.n = st.n;
	for (int l = 0; l < 2; l++) {
		const struct rr_trunk *t = &cfg->trunks[tr[l]];

		c->media.side[l] = (enum rr_side)st.side[l];
		c->media.family[l] = st.family[l];
		c->media.codecs[l] = t->codecs.n ? &t->codecs : NULL;
		c->media.no_jitter[l] = !t->jitter;
	}
	for (unsigned int i = 0; i < st.n; i++)
		for (int l = 0; l < 2; l++) {
			c->media.s[i].port[l] = st.s[i].port[l];
			c->media.s[i].peer[l] = st.s[i].peer[l];
			c->media.s[i].installed[l] = st.s[i].installed[l];
		}
	err = rr_media_adopt(b->media, &c->media, why, len);
	if (err) {
		free(c);
		c = NULL;
		goto out;
	}
	c->cfg = rr_config_get(cfg);
	for (int l = 0; l < 2; l++) {
		struct rr_leg *lg = &c->leg[l];
		struct rr_cs_dialog *g = &st.leg[l];

		lg->hm.kind = RR_HM_LEG;
		lg->call = c;
		lg->idx = l;
		lg->trunk = tr[l];
		if (l == 1)
			c->trunk_out = tr[1];
		snprintf(lg->call_id, sizeof(lg->call_id), "%s", g->call_id);
		lg->d.local = take(&g->local);
		lg->d.remote = take(&g->remote);
		lg->d.target = take(&g->target);
		lg->d.route = take(&g->route);
		lg->d.peer = take(&g->peer);
		lg->d.local_cseq = g->local_cseq;
		lg->d.remote_cseq = g->remote_cseq;
		lg->d.tcp = g->tcp;
		lg->sdp_to = take(&g->sdp);
		c->sdp_from[l] = take(&g->sdp_from);
	}
	c->next = b->calls;
	if (b->calls)
		b->calls->prev = c;
	b->calls = c;
	b->n_calls++;
	if (c->id > b->next_id)
		b->next_id = c->id;
	c->saved = true;	/* its file is this call's until it ends */
	for (int l = 0; l < 2; l++)
		if (leg_adopt(&c->leg[l])) {
			struct rr_call_ev ev;

			rr_call_ev_fill(c, &ev, "adopt");
			ev.leg = l;
			ev.reason = "no nua handle: ending the call";
			rr_call_ev_log(LOG_ERR, &ev);
			c->leg[l].terminated = true;
			call_end(c, SIP_500_INTERNAL_SERVER_ERROR);
			break;
		}
	err = 0;
out:
	rr_cs_free(&st);
	return err;
}

unsigned int rr_b2bua_restore(struct rr_b2bua *b)
{
	unsigned int n = 0, bad = 0;
	struct dirent *de;
	DIR *d;

	if (!b->state_dir[0])
		return 0;
	d = opendir(b->state_dir);
	if (!d) {
		rr_warn("calls state_dir %s: %s", b->state_dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		char path[512], bad_path[520], why[320] = "";
		size_t nl = strlen(de->d_name);
		int r;

		if (strncmp(de->d_name, "call-", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->state_dir, de->d_name);
		if (nl > 4 && !strcmp(de->d_name + nl - 4, ".tmp")) {
			unlink(path);	/* a write cut short: the .state is the last good one */
			continue;
		}
		if (nl < 7 || strcmp(de->d_name + nl - 6, ".state"))
			continue;
		r = restore_one(b, path, why, sizeof(why));
		if (r == 0) {
			n++;
			continue;
		}
		if (r > 0) {
			rr_log(LOG_NOTICE, "calls: %s left alone: %s", path, why);
			continue;
		}
		bad++;
		snprintf(bad_path, sizeof(bad_path), "%s.bad", path);
		rr_err("calls: %s: %s: skipped (renamed to %s)", path, why, bad_path);
		if (rename(path, bad_path))
			rr_warn("calls: renaming %s: %s", path, strerror(errno));
	}
	closedir(d);
	{
		/* flows of calls that were not saved (being set up when the
		 * daemon died, or in a refused file) would forward to old
		 * peers until their ports are handed out again */
		unsigned int stale = rr_media_sweep(b->media);

		if (stale)
			rr_log(LOG_NOTICE, "calls: %u stale flows on the media ports removed "
			       "(no saved call owns them)", stale);
	}
	b->stats.calls_restored += n;
	b->stats.restore_failed += bad;
	if (n || bad)
		rr_info("calls: %u restored from %s, %u skipped", n, b->state_dir, bad);
	return n;
}

unsigned int rr_b2bua_handover(struct rr_b2bua *b)
{
	struct rr_call *c, *nx;
	unsigned int n = 0;
	int i;

	for (c = b->calls; c; c = nx) {
		nx = c->next;
		if (c->state == RR_CALL_ANSWERED && !c->saved)
			call_save(c);
		if (c->state != RR_CALL_ANSWERED || !c->saved)
			call_end(c, SIP_503_SERVICE_UNAVAILABLE);
	}
	/* let the ended ones' CANCEL/BYE/final responses go out, a bounded while */
	for (i = 0; i < 30; i++) {
		bool busy = false;

		for (c = b->calls; c; c = c->next)
			if (c->state == RR_CALL_ENDING)
				busy = true;
		if (!busy)
			break;
		su_root_step(b->root, 100);
	}
	for (c = b->calls; c; c = c->next)
		if (c->state == RR_CALL_ANSWERED) {
			call_save(c);	/* the latest CSeqs */
			n++;
		}
	return n;
}
