/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RFC 3550 receiver statistics, updated per packet on the flow's per-CPU
 * stats slot: sequence tracking (A.1, without probation) and interarrival
 * jitter (A.8, integer form scaled by 16).
 */
#ifndef RTPRELAY_RTP_STATS_BPF_H
#define RTPRELAY_RTP_STATS_BPF_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include <rtprelay/stats.h>

#define RTP_MAX_DROPOUT		3000
#define RTP_MAX_MISORDER	100

struct rtp_hdr {
	__u8 vpxcc;
	__u8 mpt;
	__be16 seq;
	__be32 ts;
	__be32 ssrc;
};

/* RTP clock of the static payload types (RFC 3551); 0: unknown. */
static __always_inline __u32 rtp_pt_clock(__u8 pt)
{
	switch (pt) {
	case 0: case 3: case 4: case 5: case 7: case 8: case 9:
	case 12: case 13: case 15: case 18:
		return 8000;
	case 6:
		return 16000;
	case 10: case 11:
		return 44100;
	}
	return 0;
}

/* RFC 5761: RTCP packet types 192..223 share the RTP second byte. */
static __always_inline bool rtp_is_rtcp_mux(__u8 second)
{
	return second >= 192 && second <= 223;
}

static __always_inline void rtp_stats_update(struct rtprelay_rtp_stats *r,
					     const struct rtp_hdr *h,
					     __u32 flow_clock, __u64 now_ns)
{
	__u32 ssrc = bpf_ntohl(h->ssrc);
	__u32 seq = bpf_ntohs(h->seq);
	__u32 clock = flow_clock ? flow_clock : rtp_pt_clock(h->mpt & 0x7f);
	__s32 transit = 0, d;
	__u16 udelta;

	/* Arrival in timestamp units; microseconds first keeps the product
	 * inside 64 bits for years of uptime at 48 kHz. */
	if (clock)
		transit = (__u32)((now_ns / 1000) * clock / 1000000) -
			  bpf_ntohl(h->ts);

	if (!r->received || r->ssrc != ssrc) {
		if (r->received)
			r->ssrc_changes++;
		r->ssrc = ssrc;
		r->received = 1;
		r->base_seq = seq;
		r->ext_max_seq = seq;
		r->jitter = 0;
		r->transit = transit;
		r->clock_rate = clock;
		return;
	}

	r->received++;
	udelta = seq - (r->ext_max_seq & 0xffff);
	if (udelta < RTP_MAX_DROPOUT) {
		if (seq < (r->ext_max_seq & 0xffff))
			r->ext_max_seq += 0x10000;	/* wrapped */
		r->ext_max_seq = (r->ext_max_seq & 0xffff0000) | seq;
	} else if (udelta <= 65536 - RTP_MAX_MISORDER) {
		/* A jump: the sender restarted; so do we. */
		r->base_seq = seq;
		r->ext_max_seq = seq;
		r->received = 1;
	} /* else: duplicate or reordered, counted in received only */

	if (!clock)
		return;
	d = transit - r->transit;
	if (d < 0)
		d = -d;
	r->transit = transit;
	r->jitter += d - ((r->jitter + 8) >> 4);
	r->clock_rate = clock;
}

#endif /* RTPRELAY_RTP_STATS_BPF_H */
