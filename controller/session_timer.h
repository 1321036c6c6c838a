/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RFC 4028 session timers on each leg, on nua's own support: the per-trunk
 * interval, Min-SE and refresher go on each leg's handle; nua adds
 * Session-Expires/Min-SE, answers 422 and sends the refreshes. What nua
 * leaves to the B2BUA is here: answering the refreshes nua sends (its
 * re-INVITE carries the SDP the relay gave that leg, or none: then the
 * peer's offer gets the relay's SDP back in the ACK), answering a peer's
 * refresh that repeats its SDP without bothering the other leg, and
 * releasing both legs when a refresh fails or the peer never refreshes.
 */
#ifndef RR_SESSION_TIMER_H
#define RR_SESSION_TIMER_H

#include <stdbool.h>
#include <sofia-sip/nua.h>

#include "config.h"

struct rr_leg;

struct rr_b2bua;

/* Each side's stack negotiates an incoming INVITE's session timer (422 for
 * a Session-Expires below Min-SE, who refreshes) before its trunk is known:
 * its defaults are the side's first trunk's interval, refresher and method
 * and the smallest min_se of the side (set again after a reload). */
void rr_st_defaults(struct rr_b2bua *b);
/* The trunk's session timer on a leg's handle (before its INVITE or 200). */
void rr_st_apply(nua_handle_t *nh, const struct rr_trunk *t);
/* A response to an INVITE on leg l: true when it answered a refresh nua
 * sent itself (consumed here). */
bool rr_st_r_invite(struct rr_leg *l, int status, const sip_t *sip);
/* A response to an UPDATE on leg l: true when it was nua's refresh. */
bool rr_st_r_update(struct rr_leg *l, int status);
/* A re-INVITE from leg l: true when it only refreshes the session (the
 * same SDP as the last one from that leg) and was answered here. */
bool rr_st_i_reinvite(struct rr_leg *l, const sip_t *sip);
/* nua sent a BYE on l that rtprelayd did not ask for: the session expired
 * (the peer, the refresher, never refreshed). Releases the other leg. */
void rr_st_bye_sent(struct rr_leg *l);
/* Leg l ended without a BYE either way (nua gave up on the dialog). */
void rr_st_leg_lost(struct rr_leg *l, int status);

#endif
