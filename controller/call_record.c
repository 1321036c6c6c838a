// SPDX-License-Identifier: GPL-2.0-only
/* A call's log lines and record (call_record.h). */
#include "call_record.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "media_quality.h"

void rr_call_ev_fill(const struct rr_call *c, struct rr_call_ev *ev, const char *event)
{
	rr_call_ev_init(ev, c->id, event);
	ev->trunk_in = c->cfg->trunks[c->leg[0].trunk].name;
	ev->trunk_out = c->cfg->trunks[c->leg[1].trunk].name;
	ev->from = c->from;
	ev->to = c->to;
}

void rr_call_event(const struct rr_call *c, int level, const char *event, int status,
		   const char *reason)
{
	struct rr_call_ev ev;

	rr_call_ev_fill(c, &ev, event);
	ev.status = status;
	ev.reason = reason;
	rr_call_ev_log(level, &ev);
}

void rr_call_xfer_event(const struct rr_call *c, int level, int leg, const char *target,
			int status, const char *reason)
{
	struct rr_call_ev ev;

	rr_call_ev_fill(c, &ev, "transfer");
	ev.leg = leg;
	ev.target = target;
	ev.status = status;
	ev.reason = reason;
	rr_call_ev_log(level, &ev);
}

void rr_call_end_detail(struct rr_call *c, int status, const char *text)
{
	if (status)
		c->end_status = status;
	if (text && !c->end_text[0])
		snprintf(c->end_text, sizeof(c->end_text), "%s", text);
}

void rr_call_keep_quality(struct rr_call *c)
{
	if (c->quality_done || !c->media.n)
		return;
	rr_media_quality(c->b->media, &c->media, 1, &c->quality[1]);
	rr_media_quality(c->b->media, &c->media, 0, &c->quality[0]);
	c->quality_done = true;
}

enum rr_cdr_state rr_call_cdr_state(enum rr_end_reason why, bool answered,
				    enum rr_xfer_kind xfer)
{
	/* a call joined into another (Replaces): its parties go on there */
	if (why == RR_END_TRANSFER_ATTENDED)
		return RR_CDR_TT;
	if (xfer == RR_XFER_ATTENDED)
		return RR_CDR_RTC;
	if (xfer == RR_XFER_BLIND || why == RR_END_TRANSFER_BLIND)
		return RR_CDR_RTB;
	switch (why) {
	case RR_END_CALLER_BYE:
		return answered ? RR_CDR_RC : RR_CDR_H;
	case RR_END_CALLEE_BYE:
		return answered ? RR_CDR_RA : RR_CDR_E;
	case RR_END_CANCEL:
		return RR_CDR_H;
	case RR_END_HANGUP:
	case RR_END_INACTIVITY:
	case RR_END_SESSION_TIMER:
	case RR_END_SHUTDOWN:
		return RR_CDR_T;
	case RR_END_FAILED:
	case RR_END_ERROR:
	default:
		return RR_CDR_E;
	}
}

static double elapsed(const struct timespec *from, const struct timespec *to)
{
	if (!from->tv_sec || !to->tv_sec)
		return 0;
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

void rr_call_record(struct rr_call *c)
{
	struct timespec end = c->end, now_rt;
	bool answered = c->answer.tv_sec != 0;
	struct rr_cdr r = { 0 };
	struct rr_call_ev ev;
	char reason[128];

	if (!end.tv_sec)
		clock_gettime(CLOCK_MONOTONIC, &end);
	if (c->end_text[0])
		snprintf(reason, sizeof(reason), "%s: %s",
			 rr_end_reason_name(c->end_reason) [0] ? rr_end_reason_name(c->end_reason) :
			 "error", c->end_text);
	else
		snprintf(reason, sizeof(reason), "%s", rr_end_reason_name(c->end_reason)[0] ?
			 rr_end_reason_name(c->end_reason) : "error");
	r.call = c->id;
	r.start = c->start_rt;
	r.clid = c->clid;
	r.dnis = c->dnis;
	r.trunk_in = c->cfg->trunks[c->leg[0].trunk].name;
	r.trunk_out = c->cfg->trunks[c->trunk_out].name;
	r.duration = elapsed(&c->start, &end);
	r.billable = answered ? elapsed(&c->answer, &end) : 0;
	r.queue = answered ? elapsed(&c->start, &c->answer) : r.duration;
	r.state = rr_call_cdr_state(c->end_reason, answered, c->transferred);
	r.status = c->end_status ? c->end_status :
		   c->end_reason == RR_END_CANCEL ? 487 : answered ? 200 : 0;
	r.reason = reason;
	r.sip_call_id = c->leg[0].call_id;
	r.to_callee = c->quality[1];
	r.to_caller = c->quality[0];

	rr_call_ev_fill(c, &ev, "end");
	ev.status = r.status;
	ev.outcome = answered ? "answered" : r.state == RR_CDR_E ? "failed" : "cancelled";
	ev.state = rr_cdr_state_name(r.state);
	ev.duration = r.duration;
	ev.talk = r.billable;
	ev.reason = reason;
	rr_call_ev_log(LOG_INFO, &ev);
	clock_gettime(CLOCK_REALTIME, &now_rt);
	rr_cdr_write(c->b->cdr, &r, now_rt.tv_sec);
}

void rr_call_record_reject(struct rr_b2bua *b, const struct rr_config *cfg, int in,
			   const sip_t *sip, const char *src, int status, const char *reason)
{
	const char *from = sip->sip_from ? sip->sip_from->a_url->url_user : NULL;
	const char *to = sip->sip_request->rq_url->url_user;
	struct rr_call_ev ev;
	struct rr_cdr r = { 0 };

	rr_call_ev_init(&ev, in >= 0 ? ++b->next_id : 0, "reject");
	ev.trunk_in = in >= 0 ? cfg->trunks[in].name : "";
	ev.from = from;
	ev.to = to;
	ev.src = src;
	ev.status = status;
	ev.outcome = "rejected";
	ev.state = in >= 0 ? "E" : NULL;
	ev.reason = reason;
	rr_call_ev_log(LOG_WARNING, &ev);
	if (in < 0)
		return;		/* not from a trunk: no call of ours */
	r.call = ev.call;
	clock_gettime(CLOCK_REALTIME, &r.start);
	r.clid = from ? from : "";
	r.dnis = to ? to : "";
	r.trunk_in = ev.trunk_in;
	r.trunk_out = "";
	r.state = RR_CDR_E;
	r.status = status;
	r.reason = reason;
	r.sip_call_id = sip->sip_call_id ? sip->sip_call_id->i_id : "";
	rr_cdr_write(b->cdr, &r, r.start.tv_sec);
}
