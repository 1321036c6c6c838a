/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a call leaves behind: its call-event log lines (call_log.h) and its
 * call detail record (cdr.h). The B2BUA (b2bua.c, transfer.c,
 * session_timer.c) calls these; the record's final state comes from the
 * call's rr_end_reason, whether it was answered, and whether it was
 * transferred (docs/rtprelayd.md, "Call detail records").
 */
#ifndef RR_CALL_RECORD_H
#define RR_CALL_RECORD_H

#include "b2bua_int.h"
#include "call_log.h"
#include "cdr.h"

/* ev for call c: number, trunks and numbers filled in; set what else
 * applies and pass it to rr_call_ev_log(). */
void rr_call_ev_fill(const struct rr_call *c, struct rr_call_ev *ev, const char *event);
/* Logs event `event` of c at level, with status (0: none) and reason
 * (NULL: none). */
void rr_call_event(const struct rr_call *c, int level, const char *event, int status,
		   const char *reason);
/* A "transfer" line of c: the leg it concerns (-1: none), the number
 * transferred to (NULL: none), a SIP status (0: none) and what happened. */
void rr_call_xfer_event(const struct rr_call *c, int level, int leg, const char *target,
			int status, const char *reason);
/* Detail for the record and end line: the final SIP status (0 keeps the
 * one known) and a text that goes after the end reason's name ("failed:
 * Busy Here"). The first text given stays. */
void rr_call_end_detail(struct rr_call *c, int status, const char *text);
/* Reads the media counters of c into its record (before its flows go). */
void rr_call_keep_quality(struct rr_call *c);
/* The end line and the record of c, as it is freed. */
void rr_call_record(struct rr_call *c);
/* An INVITE refused before it became a call: its line and, when it came
 * from a trunk (in >= 0), a record in state E with a call number. */
void rr_call_record_reject(struct rr_b2bua *b, const struct rr_config *cfg, int in,
			   const sip_t *sip, const char *src, int status, const char *reason);
/* The CDR state for a call that ended for why, answered or not, after a
 * transfer of kind xfer (RR_XFER_NONE: none). */
enum rr_cdr_state rr_call_cdr_state(enum rr_end_reason why, bool answered,
				    enum rr_xfer_kind xfer);

#endif
