/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rtprelay counters: per flow (indexed by rtprelay_flow.id) and global.
 * Kept per CPU by the data paths so that no two CPUs write one cache line;
 * readers sum counters over CPUs (see rtprelay_flow_stats_merge users).
 */
#ifndef RTPRELAY_STATS_H
#define RTPRELAY_STATS_H

#include <linux/types.h>

/* Why a flow dropped a packet it owned. */
enum rtprelay_flow_drop {
	RTPRELAY_FDROP_SRC_MISMATCH,	/* strict source check failed */
	RTPRELAY_FDROP_TTL,		/* TTL / hop limit would reach 0 */
	RTPRELAY_FDROP_FIB,		/* no route to out_dst */
	RTPRELAY_FDROP_TX,		/* egress device not usable */
	RTPRELAY_FDROP_MAX,
};

/* RFC 3550 receiver view of the RTP stream that the flow carries. */
struct rtprelay_rtp_stats {
	__u32 ssrc;
	__u32 received;		/* RTP packets seen (not RTCP) */
	__u32 base_seq;		/* first sequence number seen */
	__u32 ext_max_seq;	/* highest sequence, extended with wrap cycles */
	__u32 jitter;		/* RFC 3550 A.8 estimate, scaled by 16, TS units */
	__s32 transit;		/* last relative transit time, TS units */
	__u32 clock_rate;	/* Hz used for the jitter estimate; 0: unknown */
	__u32 ssrc_changes;	/* new SSRCs seen after the first */
};

struct rtprelay_flow_stats {
	__u64 packets;		/* forwarded (RTP and RTCP) */
	__u64 bytes;		/* forwarded L3 bytes */
	__u64 rtcp_packets;	/* of which RTCP */
	__u64 rtcp_bytes;
	__u64 last_seen_ns;	/* CLOCK_MONOTONIC of the last packet */
	__u64 drops[RTPRELAY_FDROP_MAX];
	struct rtprelay_rtp_stats rtp;
};

/* Global counters; each packet the XDP program sees bumps exactly one of
 * the RTPRELAY_G_PASS_*, RTPRELAY_G_DROP_* or RTPRELAY_G_FWD_* counters. */
enum rtprelay_global_counter {
	RTPRELAY_G_FWD_TX,		/* forwarded out of the ingress device */
	RTPRELAY_G_FWD_REDIRECT,	/* forwarded to another device */
	RTPRELAY_G_PASS_NOT_IP,		/* ARP, unknown ethertype, ... */
	RTPRELAY_G_PASS_NOT_UDP,
	RTPRELAY_G_PASS_FRAGMENT,
	RTPRELAY_G_PASS_IP_OPTIONS,	/* IPv6 extension header we do not walk */
	RTPRELAY_G_PASS_TRUNCATED,	/* headers shorter than they claim */
	RTPRELAY_G_PASS_MALFORMED,	/* e.g. IPv6 UDP with zero checksum */
	RTPRELAY_G_PASS_MISS,		/* UDP, but no flow for it */
	RTPRELAY_G_PASS_NO_NEIGH,	/* next hop unresolved: stack resolves */
	RTPRELAY_G_DROP_SRC_MISMATCH,
	RTPRELAY_G_DROP_TTL,
	RTPRELAY_G_DROP_FIB,
	RTPRELAY_G_DROP_TX,
	RTPRELAY_G_ERR_INTERNAL,	/* map or helper failure */
	RTPRELAY_G_MAX,
};

struct rtprelay_global_stats {
	__u64 counters[RTPRELAY_G_MAX];
};

_Static_assert(sizeof(struct rtprelay_rtp_stats) == 32, "rtprelay_rtp_stats ABI");
_Static_assert(sizeof(struct rtprelay_flow_stats) == 40 + 8 * RTPRELAY_FDROP_MAX + 32,
	       "rtprelay_flow_stats ABI");

#if !defined(__bpf__) && !defined(__KERNEL__)
/* Stable names, used in JSON output and metrics. */
static const char *const rtprelay_global_counter_names[RTPRELAY_G_MAX] = {
	[RTPRELAY_G_FWD_TX] = "fwd_tx",
	[RTPRELAY_G_FWD_REDIRECT] = "fwd_redirect",
	[RTPRELAY_G_PASS_NOT_IP] = "pass_not_ip",
	[RTPRELAY_G_PASS_NOT_UDP] = "pass_not_udp",
	[RTPRELAY_G_PASS_FRAGMENT] = "pass_fragment",
	[RTPRELAY_G_PASS_IP_OPTIONS] = "pass_ip_options",
	[RTPRELAY_G_PASS_TRUNCATED] = "pass_truncated",
	[RTPRELAY_G_PASS_MALFORMED] = "pass_malformed",
	[RTPRELAY_G_PASS_MISS] = "pass_miss",
	[RTPRELAY_G_PASS_NO_NEIGH] = "pass_no_neigh",
	[RTPRELAY_G_DROP_SRC_MISMATCH] = "drop_src_mismatch",
	[RTPRELAY_G_DROP_TTL] = "drop_ttl",
	[RTPRELAY_G_DROP_FIB] = "drop_fib",
	[RTPRELAY_G_DROP_TX] = "drop_tx",
	[RTPRELAY_G_ERR_INTERNAL] = "err_internal",
};

static const char *const rtprelay_flow_drop_names[RTPRELAY_FDROP_MAX] = {
	[RTPRELAY_FDROP_SRC_MISMATCH] = "src_mismatch",
	[RTPRELAY_FDROP_TTL] = "ttl",
	[RTPRELAY_FDROP_FIB] = "fib",
	[RTPRELAY_FDROP_TX] = "tx",
};
#endif

#endif /* RTPRELAY_STATS_H */
