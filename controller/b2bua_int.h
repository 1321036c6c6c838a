/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The B2BUA's internals, shared by b2bua.c (call setup and relaying),
 * transfer.c (REFER, Replaces, re-pointing a call to a new party) and
 * session_timer.c (RFC 4028 per leg). Not for other parts of the daemon:
 * they use b2bua.h.
 */
#ifndef RR_B2BUA_INT_H
#define RR_B2BUA_INT_H

#define NUA_MAGIC_T	struct rr_sip_side
#define NUA_HMAGIC_T	struct rr_hmagic

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>

#include "admission.h"
#include "b2bua.h"
#include "cdr_csv.h"
#include "identity.h"
#include "routing.h"

struct rr_sip_side {
	struct rr_b2bua *b;
	enum rr_side side;
	nua_t *nua;
	bool shut;
};

/* What a nua handle belongs to: a call leg, a peer's OPTIONS pinger, the
 * new party of a transfer being called, a leg cut from its call, or an
 * INVITE abandoned by the failover timer (cancelled, freed when over). */
enum { RR_HM_LEG = 1, RR_HM_PING, RR_HM_XFER, RR_HM_GONE, RR_HM_ABANDONED };
struct rr_hmagic {
	int kind;
};

/* OPTIONS keepalive state of one trunk peer. */
struct rr_ping {
	struct rr_hmagic hm;		/* first: the handle's magic */
	struct rr_b2bua *b;
	unsigned int trunk, peer;
	nua_handle_t *nh;
	bool up, pending;
};

struct rr_leg {
	struct rr_hmagic hm;		/* first: the handle's magic */
	struct rr_call *call;
	int idx;			/* 0: caller (incoming), 1: callee */
	nua_handle_t *nh;
	int trunk;
	bool terminated;		/* nua reported the leg over */
	bool ending;			/* we sent BYE/CANCEL/final response */
	bool established;		/* 2xx exchanged */
	bool final;			/* a final response went/came on the INVITE */
	bool invite_sdp;		/* our last INVITE on this leg had SDP */
	bool ack_pending;		/* its 2xx waits for the other leg's ACK */
	msg_t *update_req;		/* its UPDATE waiting for the other leg's answer */
	msg_t *refer_req;		/* its REFER relayed to the other leg (transfer.c) */
	bool local_reinvite;		/* our own re-INVITE is out (transfer, identity) */
	char refer_event[40];		/* Event of the REFER it sent us ("refer;id=N") */
	char call_id[96];
	/* 100rel passed through (RFC 3262): a reliable 18x from this leg not
	 * PRACKed yet (its RSeq, and the CSeq of the INVITE), and this leg's
	 * PRACK waiting for the other leg's answer */
	uint32_t rseq, rseq_cseq;
	msg_t *prack_req;
	/* The dialog as the state file keeps it (call_state.h), malloc()ed. */
	struct rr_leg_dialog {
		char *local, *remote, *target, *route, *peer;
		uint32_t local_cseq, remote_cseq;
		bool tcp;
	} d;
	char *sdp_to;			/* the SDP last sent on this leg */
	bool refreshing;		/* restored: our adopting re-INVITE is out */
	/* callee branches (idx 1) only: a call rings every target of its
	 * route, one branch each; leg[1] is branch 1, call->br[] the others,
	 * and the first to answer is swapped into leg[1] (b2bua.c) */
	unsigned int branch;		/* 1..n, stays with the leg when swapped */
	unsigned int target;		/* index into call->route->target[] */
	unsigned int peer_idx;		/* failover position in its trunk */
	bool dropped;			/* lost or failed: its end is not the call's */
	bool elsewhere;			/* lost to another branch's answer */
	bool progressed;		/* 18x/2xx came: no failover timer */
	struct timespec sent;		/* INVITE sent to the current peer */
	char *early_sdp;		/* its last 18x SDP, for an SDP-less 2xx */
};

/* What a call keeps of its routing decision: the targets and the trunks
 * to seize next, in one allocation (routing.h's whole result, with its
 * fixed arrays and dry-run text, is 31 KiB: kept per call it was most of
 * a call's memory). */
struct rr_call_route {
	unsigned int n_targets, n_alt;
	struct rr_route_target *target;	/* [n_targets], rung in parallel */
	struct rr_route_target *alt;	/* [n_alt], seized in order */
};

struct rr_call {
	struct rr_call *next, *prev;
	struct rr_b2bua *b;
	unsigned long id;
	enum rr_call_state state;
	struct rr_leg leg[2];
	struct rr_call_media media;
	int reinvite_from;		/* leg whose re-INVITE is pending, or -1 */
	int update_from;		/* leg whose UPDATE is pending, or -1 */
	struct rr_leg *br;		/* branches 2..n_branches (leg[1] is 1) */
	unsigned int n_branches;	/* >= 1 */
	unsigned int early_branch;	/* branch early flows point at (0: none) */
	bool early_relayed;		/* an 18x went to the caller */
	bool caller_elsewhere;		/* caller's CANCEL: Reason cause=200 */
	int best_status;		/* best final failure of the branches */
	struct rr_adm_slot *slots;	/* admission slots held (one per trunk) */
	unsigned int n_slots;
	char *b_sdp;			/* SDP sent to the callee (for failover) */
	struct rr_config *cfg;		/* the configuration the call began under */
	struct rr_call_route *route;	/* where it goes, the numbers it carries */
	struct rr_identity ident;	/* the caller as received */
	unsigned int alt_idx;		/* next of route->alt[] to seize */
	char from[64], to[64], display[64];
	struct timespec start, answer, end;
	enum rr_end_reason end_reason;	/* why it ended (the first reason wins) */
	enum rr_xfer_kind transferred;	/* last transfer completed on the call */
	char *sdp_from[2];		/* the last SDP each leg sent (raw) */
	struct rr_xfer *xfer;		/* a transfer in progress (transfer.c) */
	/* its record (call_record.c) */
	struct timespec start_rt;	/* CLOCK_REALTIME of the INVITE */
	int end_status;			/* the call's final SIP status; 0: not known */
	char end_text[80];		/* detail after the end reason's name */
	char clid[64], dnis[64];	/* from and to as the call began */
	int trunk_out;			/* the callee's trunk as the call began */
	struct rr_cdr_dir quality[2];	/* media towards leg i */
	bool quality_done;
	bool caller_100rel;		/* the caller's INVITE supports or requires 100rel */
	time_t start_wall, answer_wall;	/* for the state file */
	bool restored;			/* adopted from the state directory */
	bool saved;			/* has a state file */
};

struct rr_b2bua {
	su_root_t *root;
	struct rr_config *cfg;		/* for new calls; a call keeps its own */
	struct rr_media *media;
	struct rr_sip_side side[RR_SIDE_MAX];
	struct rr_sip_side side2[RR_SIDE_MAX];	/* listen.SIDE's second address (nua NULL: none) */
	struct rr_call *calls;
	unsigned int n_calls;
	unsigned long next_id;
	struct rr_b2bua_stats stats;
	struct rr_ping *pings;		/* one per peer of every trunk of cfg */
	unsigned int n_pings, ticks;
	struct rr_gone *gone;		/* legs cut from their call, ending (transfer.c) */
	struct rr_cdr_writer *cdr;	/* call detail records (cdr.h) */
	char state_dir[256];		/* calls.state_dir; "": no call state kept */
	char pin_dir[256];		/* whose flows the state files describe */
	struct rr_admission adm;	/* per-trunk limits (admission.h) */
	su_timer_t *fo_timer;		/* failover timer scan (b2bua.c) */
};

/* Methods a call leg's handle leaves to the B2BUA (nua answers the rest):
 * PRACK too, so that an SDP in PRACK crosses (b2bua.c). */
#define RR_LEG_APPL_METHODS "UPDATE, REFER, PRACK"

#define SDP_TAGS(sdp) \
	TAG_IF((sdp), SIPTAG_CONTENT_TYPE_STR("application/sdp")), \
	TAG_IF((sdp), SIPTAG_PAYLOAD_STR(sdp))

/* b2bua.c, for transfer.c and session_timer.c */
/* The stack of side s whose address is of family (the side's second
 * listen address when that one is of it), else the first; *host its
 * address as a URI host. */
struct rr_sip_side *rr_b2b_side(struct rr_b2bua *b, enum rr_side s, int family,
				char *host, size_t hostlen);
void rr_b2b_call_end(struct rr_call *c, enum rr_end_reason why, int status,
		     const char *phrase);
void rr_b2b_leg_end(struct rr_leg *l, int status, const char *phrase);
/* Frees what the state file keeps of leg l (its dialog, the SDP last
 * sent on it): a call freed, a leg cut or moved by a transfer. */
void rr_b2b_leg_forget(struct rr_leg *l);
char *rr_b2b_sdp_across(struct rr_leg *l, const sip_t *sip, int *err);
bool rr_b2b_is_sdp(const sip_t *sip);
void rr_b2b_call_check_done(struct rr_call *c);
/* A transfer's new party answered on l (a handle from elsewhere): its
 * dialog as the state file keeps it. */
void rr_b2b_leg_answered(struct rr_leg *l, const sip_t *sip);
/* Frees what a leg owns besides its handle (dialog strings, kept requests). */
void rr_b2b_leg_clear(struct rr_leg *l);
/* Writes the call's state file again (restart persistence). */
void rr_b2b_call_save(struct rr_call *c);
const char *rr_b2b_host(const char *host, int family, char *buf, size_t len);
/* The first reason given sticks. */
static inline void rr_call_end_reason(struct rr_call *c, enum rr_end_reason why)
{
	if (!c->end_reason)
		c->end_reason = why;
}

#endif
