/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call-event log lines: one line per event of a call, in a fixed key=value
 * form an operator can grep (docs/rtprelayd.md, "Call log"):
 *
 *   call=42 event=answer trunk_in=sbc trunk_out=pbx from=+4930****12 to=4930123 status=200
 *
 * Keys always come in the order of struct rr_call_ev; call, event,
 * trunk_in, trunk_out, from and to are always there, the others only when
 * set. Values with a space, '"', '=' or '\' are double-quoted ('"' and '\'
 * escaped); control characters become '?', so one event is one line.
 */
#ifndef RR_CALL_LOG_H
#define RR_CALL_LOG_H

#include <stdbool.h>
#include <stddef.h>

struct rr_call_ev {
	unsigned long call;		/* rtprelayd's call number; 0: "-" */
	const char *event;		/* start, route, ringing, answer, ... */
	const char *trunk_in, *trunk_out;
	const char *from, *to;		/* numbers: masked when asked */
	const char *src;		/* start: the caller's address */
	const char *peer;		/* route, failover: the peer's URI */
	int leg;			/* reinvite, update, bye: 0 caller, 1 callee; -1: none */
	int status;			/* SIP status; 0: none */
	const char *hold;		/* reinvite, update: "yes" or "no" */
	const char *target;		/* transfer: the number transferred to (masked) */
	const char *outcome;		/* end: answered, cancelled, failed, rejected */
	const char *state;		/* end: the CDR's final state (H, T, RC, ...) */
	double duration, talk;		/* end: seconds; < 0: none */
	const char *reason;		/* free text */
};

/* An event with nothing but its number and name set (leg -1, durations
 * < 0): fill in what applies. */
void rr_call_ev_init(struct rr_call_ev *ev, unsigned long call, const char *event);
/* The line (without newline) into buf; numbers masked when mask. Returns
 * the length it needed (as snprintf: truncated when >= len). */
size_t rr_call_ev_format(const struct rr_call_ev *ev, bool mask, char *buf, size_t len);
/* Whether an SDP body puts media on hold: a=sendonly or a=inactive (RFC
 * 3264), or the RFC 2543 c=IN IP4 0.0.0.0. */
bool rr_sdp_is_hold(const char *sdp, size_t len);
/* Formats ev (masked per logging.mask_numbers) and logs it at level. */
void rr_call_ev_log(int level, const struct rr_call_ev *ev);

#endif
