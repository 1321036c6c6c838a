/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The media of one call: for each media line, a port pair on each side of
 * the relay and the flows that carry it, installed through datapath.h.
 * Legs are 0 (the caller's, incoming) and 1 (the callee's, outgoing).
 *
 * Whenever SDP arrives from leg L, rr_media_from() records L's endpoints,
 * installs (or updates in place) the flows that deliver media TO leg L, and
 * returns the SDP to send to the other leg. So by the time an SDP is sent
 * on, every flow towards the endpoints known so far is in place.
 */
#ifndef RR_MEDIA_H
#define RR_MEDIA_H

#include <stdbool.h>
#include "config.h"
#include "datapath.h"
#include "port_pool.h"
#include "sdp_rewrite.h"

struct rr_media {
	const struct rr_config *cfg;
	struct rr_dp *dp;
	/* Optional: the userspace tier for calls whose legs differ in family
	 * (IPv4 on one side, IPv6 on the other), which XDP and the kernel
	 * module do not bridge. NULL: dp carries every call. */
	struct rr_dp *dp_bridge;
	struct rr_port_pool pool[RR_SIDE_MAX];
	unsigned int n_flows;		/* installed by the controller, now */
	unsigned long long flow_errors;
	/* Forwarded by flows since removed or replaced (a replaced flow's
	 * counters restart at 0): totals stay monotonic for metrics. */
	unsigned long long gone_packets, gone_bytes;
	/* Optional: called with each RTP flow's stats as its call ends. */
	void (*flow_done)(void *arg, const struct rtprelay_flow_stats *st);
	void *flow_done_arg;
};

struct rr_stream {
	uint16_t port[2];		/* relay RTP port facing leg i (0: none) */
	struct rr_sdp_stream peer[2];	/* what leg i advertised */
	bool installed[2];		/* flows towards leg i are in the datapath */
};

/* What flows towards one leg carried before they went or were replaced
 * (a replaced flow's counters restart): kept for the call's record. */
struct rr_media_gone {
	__u64 packets;			/* RTP and RTCP */
	__u64 lost;			/* RTP sequence gaps */
	double jitter_ms;		/* the largest seen */
};

struct rr_call_media {
	enum rr_side side[2];
	int family[2];			/* relay address family towards leg i */
	const struct rr_codec_list *codecs[2];	/* allowed in SDP to leg i (NULL: all) */
	bool no_jitter[2];		/* media from leg i: loss only, no jitter */
	unsigned int n;
	struct rr_stream s[RR_MAX_STREAMS];
	struct rr_media_gone gone[2];	/* towards leg i, from flows gone */
};

/* An RTP flow's loss (RFC 3550: expected - received) and jitter in ms
 * (0 when the clock rate is unknown). */
void rr_flow_quality(const struct rtprelay_flow_stats *st, __u64 *lost, double *jitter_ms);

int rr_media_init(struct rr_media *m, const struct rr_config *cfg, struct rr_dp *dp);
/* The tier carrying the flows of call cm. */
static inline struct rr_dp *rr_media_dp(const struct rr_media *m, const struct rr_call_media *cm)
{
	return m->dp_bridge && cm->family[0] != cm->family[1] ? m->dp_bridge : m->dp;
}
void rr_media_fini(struct rr_media *m);
void rr_call_media_init(struct rr_media *m, struct rr_call_media *cm,
			enum rr_side side0, int family0,
			enum rr_side side1, int family1);
/* SDP from leg `leg`: returns the malloc()ed SDP for the other leg, or NULL
 * with *err = -EINVAL (bad SDP), -ENOSPC (no ports) or another error. */
char *rr_media_from(struct rr_media *m, struct rr_call_media *cm, int leg,
		    const char *sdp, size_t len, int *err);
/* The SDP for leg `to` made from sdp, the last SDP of the other leg: the
 * relay's address and ports towards `to`, no flow touched (a re-offer to a
 * leg, a new party's INVITE in a transfer, a refresh answered here).
 * malloc()ed; NULL when sdp does not parse. */
char *rr_media_sdp_for(const struct rr_media *m, const struct rr_call_media *cm, int to,
		       const char *sdp, size_t len);
/* Attended transfer: the party on leg `moved` of src takes the place of leg
 * `slot` of dst. Its relay ports move from src to dst, so neither remaining
 * party changes where it sends: the flows from the moved party (keyed on
 * its relay port) and the flows towards it (keyed on the kept party's relay
 * port) are rewritten in place, the flows of the two dropped legs removed
 * and dst's old ports towards `slot` returned. src keeps only what faces
 * its other leg (released with it). */
void rr_media_join(struct rr_media *m, struct rr_call_media *dst, int slot,
		   struct rr_call_media *src, int moved);
/* A restored call (cm filled from its state file): takes its ports from
 * the pools and counts its flows; a flow missing from the data path (a
 * reboot, the userspace tier) is installed again from the saved
 * endpoints. 0, or -EINVAL/-EBUSY (a port outside the range or taken:
 * nothing taken) with a reason in why. */
int rr_media_adopt(struct rr_media *m, struct rr_call_media *cm, char *why, size_t len);
/* Removes the flows on the relay's media addresses and port range that no
 * call owns (their pair is not handed out): left by calls a crashed daemon
 * had not saved. Run once restored calls hold their ports. Returns the
 * number removed. */
unsigned int rr_media_sweep(struct rr_media *m);
/* SDP from leg whose endpoints are those already installed towards leg:
 * true (nothing to change; flows and their counters left alone). */
bool rr_media_same(const struct rr_call_media *cm, int leg, const char *sdp, size_t len);
/* Removes every flow and returns every port of the call (idempotent). */
void rr_media_release(struct rr_media *m, struct rr_call_media *cm);
/* Flow id of stream i towards leg (RTP; RTCP is +1). */
__u32 rr_media_flow_id(const struct rr_media *m, const struct rr_call_media *cm,
		       unsigned int i, int leg);
/* Relay address of the call towards leg, as text. */
const char *rr_media_relay_addr(const struct rr_media *m, const struct rr_call_media *cm,
				int leg, char *buf, size_t len);
/* Latest packet time (CLOCK_MONOTONIC ns) over the call's flows; 0: none. */
__u64 rr_media_last_seen(struct rr_media *m, const struct rr_call_media *cm);

#endif
