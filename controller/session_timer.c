// SPDX-License-Identifier: GPL-2.0-only
/*
 * RFC 4028 session timers per leg (see session_timer.h). nua keeps the
 * timers; with NUTAG_MEDIA_ENABLE(0) and NUTAG_AUTOACK(0) it reports the
 * answer to each refresh it sends and leaves the ACK (and any SDP answer in
 * it) to us. Refresh failures end the call with RR_END_SESSION_TIMER.
 */
#include "b2bua_int.h"

#include <stdlib.h>
#include <string.h>

#include "call_record.h"
#include "log.h"
#include "session_timer.h"

static enum nua_session_refresher refresher(const struct rr_session_timer *st)
{
	return st->refresher == RR_REFRESHER_LOCAL ? nua_local_refresher :
	       st->refresher == RR_REFRESHER_REMOTE ? nua_remote_refresher : nua_no_refresher;
}

void rr_st_apply(nua_handle_t *nh, const struct rr_trunk *t)
{
	const struct rr_session_timer *st = &t->session_timer;

	nua_set_hparams(nh, NUTAG_SESSION_TIMER(st->interval), NUTAG_MIN_SE(st->min_se),
			NUTAG_SESSION_REFRESHER(refresher(st)), NUTAG_UPDATE_REFRESH(st->update),
			TAG_END());
}

/* One "session" line of c (RFC 4028): leg, status (0: none), what happened. */
static void st_event(const struct rr_call *c, int level, int leg, int status, const char *what)
{
	struct rr_call_ev ev;

	rr_call_ev_fill(c, &ev, "session");
	ev.leg = leg;
	ev.status = status;
	ev.reason = what;
	rr_call_ev_log(level, &ev);
}

void rr_st_defaults(struct rr_b2bua *b)
{
	for (int s = 0; s < RR_SIDE_MAX; s++) {
		const struct rr_session_timer *first = NULL;
		unsigned int min = 0;

		for (unsigned int i = 0; i < b->cfg->n_trunks; i++) {
			const struct rr_trunk *t = &b->cfg->trunks[i];

			if (t->side != (enum rr_side)s)
				continue;
			if (!first)
				first = &t->session_timer;
			if (!min || t->session_timer.min_se < min)
				min = t->session_timer.min_se;
		}
		if (!first || !b->side[s].nua)
			continue;
		/* nua negotiates an incoming INVITE's timer as it arrives, with
		 * the stack's defaults (its trunk is not known yet): those of
		 * the side's first trunk, the smallest Min-SE of the side */
		for (int k = 0; k < 2; k++) {
			nua_t *nua = k ? b->side2[s].nua : b->side[s].nua;

			if (nua)
				nua_set_params(nua, NUTAG_SESSION_TIMER(first->interval),
					       NUTAG_MIN_SE(min),
					       NUTAG_SESSION_REFRESHER(refresher(first)),
					       NUTAG_UPDATE_REFRESH(first->update), TAG_END());
		}
	}
}

static void refresh_failed(struct rr_leg *l, int status)
{
	struct rr_call *c = l->call;

	st_event(c, LOG_WARNING, l->idx, status, "refresh failed: releasing the call");
	c->b->stats.session_timer_hangups++;
	rr_b2b_call_end(c, RR_END_SESSION_TIMER, SIP_408_REQUEST_TIMEOUT);
}

/* A refresh is an INVITE/UPDATE nua sent on an answered leg with nothing of
 * ours outstanding on it. */
static bool is_refresh(const struct rr_leg *l, bool update)
{
	const struct rr_call *c = l->call;

	if (c->state != RR_CALL_ANSWERED || !l->established || l->local_reinvite)
		return false;
	return update ? c->update_from != !l->idx : c->reinvite_from != !l->idx;
}

bool rr_st_r_invite(struct rr_leg *l, int status, const sip_t *sip)
{
	struct rr_call *c = l->call;
	char *sdp, *answer = NULL;
	int err;

	if (!is_refresh(l, false))
		return false;
	if (status < 200)
		return true;
	if (status >= 300) {
		/* RFC 4028 10: 408 and 481 end the session; others leave it
		 * to the timer */
		if (status == 408 || status == 481)
			refresh_failed(l, status);
		return true;
	}
	sdp = rr_b2b_sdp_across(l, sip, &err);	/* flows follow a moved peer */
	free(sdp);
	if (!l->invite_sdp && rr_b2b_is_sdp(sip) && c->sdp_from[!l->idx]) {
		/* refresh without SDP (what nua sends on a leg it never sent an
		 * INVITE on): the peer offered; answer with the relay's SDP */
		answer = rr_media_sdp_for(c->b->media, &c->media, l->idx, c->sdp_from[!l->idx],
					  strlen(c->sdp_from[!l->idx]));
	}
	nua_ack(l->nh, SDP_TAGS(answer), TAG_END());
	free(answer);
	st_event(c, LOG_DEBUG, l->idx, 0, "refreshed");
	return true;
}

bool rr_st_r_update(struct rr_leg *l, int status)
{
	if (!is_refresh(l, true))
		return false;
	if (status >= 200 && status < 300)
		st_event(l->call, LOG_DEBUG, l->idx, 0, "refreshed (UPDATE)");
	else if (status == 408 || status == 481)
		refresh_failed(l, status);
	return true;
}

bool rr_st_i_reinvite(struct rr_leg *l, const sip_t *sip)
{
	struct rr_call *c = l->call;
	const char *last = c->sdp_from[l->idx];
	char *sdp;

	if (!rr_b2b_is_sdp(sip) || !last || !c->sdp_from[!l->idx] ||
	    strlen(last) != sip->sip_payload->pl_len ||
	    memcmp(last, sip->sip_payload->pl_data, sip->sip_payload->pl_len))
		return false;
	/* the same offer again: nothing changes for the other leg */
	sdp = rr_media_sdp_for(c->b->media, &c->media, l->idx, c->sdp_from[!l->idx],
			       strlen(c->sdp_from[!l->idx]));
	if (!sdp)
		return false;
	nua_respond(l->nh, SIP_200_OK, SDP_TAGS(sdp), TAG_END());
	free(sdp);
	st_event(c, LOG_DEBUG, l->idx, 0, "refresh answered here");
	return true;
}

void rr_st_bye_sent(struct rr_leg *l)
{
	struct rr_call *c = l->call;

	if (c->state == RR_CALL_ENDING)
		return;
	st_event(c, LOG_WARNING, l->idx, 0, "expired without refresh: releasing the call");
	l->ending = true;
	c->b->stats.session_timer_hangups++;
	rr_b2b_call_end(c, RR_END_SESSION_TIMER, SIP_408_REQUEST_TIMEOUT);
}

void rr_st_leg_lost(struct rr_leg *l, int status)
{
	struct rr_call *c = l->call;

	if (c->state != RR_CALL_ANSWERED || !l->established)
		return;
	/* an answered dialog nua ended by itself: a refresh it sent failed
	 * (408/481) or the session expired */
	st_event(c, LOG_WARNING, l->idx, status, "leg ended by the SIP stack");
	c->b->stats.session_timer_hangups++;
	rr_call_end_reason(c, RR_END_SESSION_TIMER);
}
