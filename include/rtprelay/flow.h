/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rtprelay flow model: the one definition shared by the XDP program, the
 * kernel module, the controller and the tools.
 *
 * A flow is one direction of one media stream: a UDP packet arriving at
 * relay address/port `key` (optionally only from `expect`) leaves from
 * `out_src` towards `out_dst`. Kernel-style UAPI: fixed-width types, network
 * byte order where the wire has it, explicit padding, no pointers, and every
 * byte of a key zeroed so that hash lookups compare equal.
 */
#ifndef RTPRELAY_FLOW_H
#define RTPRELAY_FLOW_H

#include <linux/types.h>

/* Address families, numerically equal to AF_INET/AF_INET6 on Linux. */
#define RTPRELAY_AF_INET	2
#define RTPRELAY_AF_INET6	10

/* IPv4 lives in v4 (== v6[0]); the other three words are zero. */
struct rtprelay_addr {
	union {
		__be32 v4;
		__be32 v6[4];
	};
};

struct rtprelay_endpoint {
	struct rtprelay_addr addr;
	__be16 port;
	__u8 family;		/* 0: unset ("any") */
	__u8 pad;		/* must be zero */
};

/* Hash key: the relay-local address and port a packet was sent to. */
struct rtprelay_flow_key {
	struct rtprelay_endpoint local;
};

/* Flow flags. */
enum {
	/* Drop packets whose source is not `expect`. */
	RTPRELAY_F_STRICT	= 1u << 0,
	/* Learn the first source into `expect` and point the reverse flow's
	 * out_dst at it (symmetric RTP through NAT). */
	RTPRELAY_F_LATCH	= 1u << 1,
	/* Set by the data path once LATCH has learned a source. */
	RTPRELAY_F_LATCHED	= 1u << 2,
	/* The whole flow is RTCP (separate RTCP port). */
	RTPRELAY_F_RTCP		= 1u << 3,
	/* RTP and RTCP share the port (RFC 5761): classify per packet. */
	RTPRELAY_F_RTCP_MUX	= 1u << 4,
	/* Leave the DSCP bits as they arrived. */
	RTPRELAY_F_KEEP_DSCP	= 1u << 5,
	/* Keep sequence and loss but no jitter: the data path can then use a
	 * coarse clock, which costs the XDP tier ~25 ns less per packet. */
	RTPRELAY_F_NO_JITTER	= 1u << 6,
};

#define RTPRELAY_F_USER_MASK \
	(RTPRELAY_F_STRICT | RTPRELAY_F_LATCH | RTPRELAY_F_RTCP | \
	 RTPRELAY_F_RTCP_MUX | RTPRELAY_F_KEEP_DSCP | RTPRELAY_F_NO_JITTER)

#define RTPRELAY_DSCP_EF	46	/* RFC 3246, the default for media */
#define RTPRELAY_DSCP_MAX	63

/* Value of the flows map: what to do with a packet that hit `key`. */
struct rtprelay_flow {
	__u32 id;		/* index of the per-flow stats; < max flows */
	__u32 flags;		/* RTPRELAY_F_* */
	__u32 clock_rate;	/* RTP clock (Hz) for jitter; 0: from PT */
	__u8 dscp;		/* 0..63, unless RTPRELAY_F_KEEP_DSCP */
	__u8 pad[3];		/* must be zero */
	struct rtprelay_endpoint expect;	/* source check; family 0: any */
	struct rtprelay_endpoint out_src;	/* relay side packets leave from */
	struct rtprelay_endpoint out_dst;	/* peer packets go to */
	/* The flow of the other direction of this stream (family 0: none);
	 * latching re-points its out_dst at the learned source. */
	struct rtprelay_flow_key reverse;
};

#define RTPRELAY_MAX_FLOWS_DEFAULT	262144

_Static_assert(sizeof(struct rtprelay_addr) == 16, "rtprelay_addr ABI");
_Static_assert(sizeof(struct rtprelay_endpoint) == 20, "rtprelay_endpoint ABI");
_Static_assert(sizeof(struct rtprelay_flow_key) == 20, "rtprelay_flow_key ABI");
_Static_assert(sizeof(struct rtprelay_flow) == 96, "rtprelay_flow ABI");

#endif /* RTPRELAY_FLOW_H */
