/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call transfer (RFC 3515 REFER, RFC 3891 Replaces) through the B2BUA.
 *
 * A REFER arriving on one leg of an answered call (from the transferor):
 *  - with Replaces naming another call through the relay (attended): the
 *    two remaining parties are joined here, their media re-pointed in place,
 *    both told who they now talk to, the transferor's two legs released;
 *  - without Replaces, when the kept party's trunk has `refer: pass`: the
 *    REFER is relayed to it in-dialog, Refer-To pointing at the relay (the
 *    kept party calls the target through the relay), NOTIFYs relayed back;
 *  - without Replaces, `refer: handle` (default): rtprelayd is the referee.
 *    202, NOTIFY sipfrag, a new call to the Refer-To number routed with
 *    rr_route_call() from the kept party's trunk, presenting the kept
 *    party (attendant console: the original caller, not the attendant);
 *    on its answer the kept party is re-INVITEd with the new party's SDP
 *    and identity, the flows re-pointed in place and the transferor BYEd.
 */
#ifndef RR_TRANSFER_H
#define RR_TRANSFER_H

#include <stdbool.h>
#include <sofia-sip/nua.h>

struct rr_b2bua;
struct rr_call;
struct rr_leg;
struct rr_hmagic;

void rr_xfer_i_refer(struct rr_leg *l, nua_t *nua, const sip_t *sip, tagi_t tags[]);
/* The answer to a REFER relayed on leg l (refer: pass). */
void rr_xfer_r_refer(struct rr_leg *l, int status, const char *phrase);
/* A NOTIFY on leg l (the progress of a REFER relayed on it). */
void rr_xfer_i_notify(struct rr_leg *l, const sip_t *sip, tagi_t tags[]);
/* Events of the handles transfer.c owns (RR_HM_XFER, RR_HM_GONE). */
void rr_xfer_event(nua_event_t event, int status, const char *phrase, nua_t *nua,
		   nua_handle_t *nh, struct rr_hmagic *hm, const sip_t *sip, tagi_t tags[]);
/* A response to an INVITE on leg l: true when it answered our own re-INVITE
 * (the identity update after a transfer). */
bool rr_xfer_r_invite(struct rr_leg *l, int status, const sip_t *sip);
/* A BYE from leg l: true when l is the transferor of a transfer still
 * calling the new party (the call goes on without it). */
bool rr_xfer_i_bye(struct rr_leg *l);
/* The call is ending: a transfer in progress is abandoned. */
void rr_xfer_call_ending(struct rr_call *c);
void rr_xfer_call_free(struct rr_call *c);
/* Periodic: BYE and reap cut legs that did not end. */
void rr_xfer_tick(struct rr_b2bua *b);
void rr_xfer_free_all(struct rr_b2bua *b);

#endif
