/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The B2BUA: calls of two legs on sofia-sip's nua, one nua instance per
 * relay side (bound to that side's listen address, so each leg's Contact,
 * Via and From are the relay's own on that side: topology hiding).
 */
#ifndef RR_B2BUA_H
#define RR_B2BUA_H

#include <stdbool.h>
#include <time.h>
#include <sofia-sip/su_wait.h>

#include "config.h"
#include "media.h"

struct rr_b2bua;
struct rr_call;

enum rr_call_state {
	RR_CALL_CALLING,	/* INVITE sent to the callee */
	RR_CALL_EARLY,		/* a provisional response relayed */
	RR_CALL_ANSWERED,	/* 200 relayed */
	RR_CALL_ENDING,		/* BYE/CANCEL/failure: legs being torn down */
};

/* Why a call ended, for logs, the control socket and call records. Set
 * once, by the first cause: a BYE from either side, CANCEL, a failure, an
 * operator's hangup, no media, a session timer that was not refreshed
 * (RFC 4028), or the call was taken over by a transfer. */
enum rr_end_reason {
	RR_END_NONE,		/* still running */
	RR_END_CALLER_BYE,	/* the caller (leg 0) hung up */
	RR_END_CALLEE_BYE,	/* the callee (leg 1) hung up */
	RR_END_CANCEL,		/* the caller cancelled before the answer */
	RR_END_FAILED,		/* the callee side failed/refused (final >= 300) */
	RR_END_HANGUP,		/* control socket / rtprelayctl call hangup */
	RR_END_INACTIVITY,	/* no media either way for media.inactivity_timeout */
	RR_END_SESSION_TIMER,	/* a session refresh failed or never came */
	RR_END_TRANSFER_BLIND,	/* transferor's part after a blind transfer */
	RR_END_TRANSFER_ATTENDED, /* joined into another call (Replaces) */
	RR_END_SHUTDOWN,	/* rtprelayd stopped */
	RR_END_ERROR,		/* rtprelayd could not carry on (SDP, ports, SIP) */
};
/* "caller-bye", "callee-bye", "cancel", "failed", "hangup",
 * "media-inactivity", "session-timer", "transfer-blind",
 * "transfer-attended", "shutdown", "error"; "" while running. */
const char *rr_end_reason_name(enum rr_end_reason r);

enum rr_xfer_kind {
	RR_XFER_NONE,
	RR_XFER_BLIND,		/* REFER without Replaces */
	RR_XFER_ATTENDED,	/* REFER with Replaces */
};

struct rr_b2bua_stats {
	unsigned long long calls_total, calls_answered, calls_failed, calls_cancelled;
	unsigned long long rejected_403, rejected_404, rejected_other;
	unsigned long long rejected_admission;	/* 503: a trunk's max_calls/cps/bandwidth */
	unsigned long long inactivity_hangups;
	unsigned long long session_timer_hangups;	/* RR_END_SESSION_TIMER */
	/* REFERs relayed to the far trunk (refer: pass), handled here
	 * (refer: handle; blind), attended (Replaces; joined here), failed */
	unsigned long long transfers_relayed, transfers_blind, transfers_attended;
	unsigned long long transfers_failed;
	/* call state files: written, failed, time spent writing */
	unsigned long long state_writes, state_errors, state_write_ns;
	unsigned long long calls_restored, restore_failed;
};

/* cfg is borrowed: the caller keeps it alive until rr_b2bua_set_config()
 * or rr_b2bua_destroy(); each call takes its own reference. */
struct rr_b2bua *rr_b2bua_create(su_root_t *root, struct rr_config *cfg,
				 struct rr_media *media, char *err, size_t errlen);
/* Ends every call (BYE/CANCEL/final response) and shuts the stacks down;
 * returns when done or after a few seconds. */
void rr_b2bua_shutdown(struct rr_b2bua *b);
void rr_b2bua_destroy(struct rr_b2bua *b);
/* Adopts the answered calls saved in the state directory by an earlier
 * run (their flows kept forwarding in the kernel): ports taken, flows
 * counted (installed again where missing), and each leg's dialog given
 * back to nua by a re-INVITE with the SDP last sent on it. A bad file is
 * logged with its reason and renamed FILE.bad. Returns calls adopted. */
unsigned int rr_b2bua_restore(struct rr_b2bua *b);
/* SIGTERM with calls kept (shutdown: keep_calls, kernel data path): ends
 * calls not yet answered, leaves answered ones up with their state saved
 * and sends nothing on their dialogs. Returns the calls handed over; the
 * caller then exits without rr_b2bua_shutdown()/destroy() and keeps the
 * flows. */
unsigned int rr_b2bua_handover(struct rr_b2bua *b);
/* New calls use cfg from now on (SIGHUP); calls in progress keep theirs. */
void rr_b2bua_set_config(struct rr_b2bua *b, struct rr_config *cfg);
/* The configuration new calls use. */
struct rr_config *rr_b2bua_config(struct rr_b2bua *b);
/* Periodic work: media-inactivity teardown, reaping stuck calls. */
void rr_b2bua_tick(struct rr_b2bua *b);

/* For the control socket. */
unsigned int rr_b2bua_n_calls(const struct rr_b2bua *b);
const struct rr_b2bua_stats *rr_b2bua_stats(const struct rr_b2bua *b);
int rr_b2bua_walk(struct rr_b2bua *b, int (*fn)(struct rr_call *c, void *arg), void *arg);
int rr_b2bua_hangup(struct rr_b2bua *b, unsigned long id);
/* Admission state of the trunk named name: calls holding a slot now and
 * calls refused by its limits so far. -ENOENT before its first call. */
int rr_b2bua_trunk_load(struct rr_b2bua *b, const char *name, unsigned int *calls,
			unsigned long long *rejected);
/* Every trunk peer with its OPTIONS state (up until a ping fails). */
int rr_b2bua_peers(struct rr_b2bua *b,
		   int (*fn)(const char *trunk, const char *host, unsigned int port,
			     bool up, void *arg), void *arg);

struct rr_call_info {
	unsigned long id;
	const char *state;
	const char *from, *to;
	const char *trunk[2];
	const char *call_id[2];	/* SIP Call-ID of each leg */
	double duration;	/* seconds since the INVITE */
	double talk;		/* seconds since the answer (0: unanswered) */
	const struct rr_call_media *media;
	const char *end_reason;	/* rr_end_reason_name(); "" while running */
	enum rr_end_reason end;
	const char *transferred; /* "blind"/"attended" once transferred, else "" */
};
void rr_call_info(const struct rr_call *c, struct rr_call_info *info);

#endif
