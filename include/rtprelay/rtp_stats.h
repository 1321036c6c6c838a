/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The RFC 3550 receiver view of docs/datapath.md ("Counting"), as one inline
 * function that the BPF program, the kernel module and the userspace relay
 * can all compile: fixed-width types, no library calls, no loops.
 */
#ifndef RTPRELAY_RTP_STATS_H
#define RTPRELAY_RTP_STATS_H

#include <linux/types.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

#define RTPRELAY_RTP_MAX_DROPOUT	3000
#define RTPRELAY_RTP_MAX_MISORDER	100

/* Clock rate of a static payload type (RFC 3551), 0 when dynamic/unknown. */
static inline __u32 rtprelay_rtp_pt_rate(__u8 pt)
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

/* True when a packet of a flow with `flags` is RTCP (RFC 5761 for mux). */
static inline int rtprelay_is_rtcp(__u32 flags, const __u8 *udp_payload,
				   __u32 len)
{
	if (flags & RTPRELAY_F_RTCP)
		return 1;
	return (flags & RTPRELAY_F_RTCP_MUX) && len >= 2 &&
	       udp_payload[1] >= 192 && udp_payload[1] <= 223;
}

/*
 * Update the view with one RTP packet, step for step as the XDP tier's
 * bpf/rtp_stats.bpf.h does (A.1 without probation, A.8 integer jitter), so
 * both tiers report the same numbers. hdr: the first 12 bytes of the UDP
 * payload (caller checked len >= 12). flow_rate: rtprelay_flow.clock_rate.
 * now_ns: CLOCK_MONOTONIC. SSRC is kept in host order.
 */
static inline void rtprelay_rtp_update(struct rtprelay_rtp_stats *r,
				       const __u8 *hdr, __u32 flow_rate,
				       __u64 now_ns)
{
	__u32 seq, ts, ssrc, clock;
	__s32 transit = 0, d;
	__u16 udelta;

	if ((hdr[0] >> 6) != 2)
		return;
	seq = (__u32)hdr[2] << 8 | hdr[3];
	ts = (__u32)hdr[4] << 24 | (__u32)hdr[5] << 16 | (__u32)hdr[6] << 8 | hdr[7];
	ssrc = (__u32)hdr[8] << 24 | (__u32)hdr[9] << 16 | (__u32)hdr[10] << 8 | hdr[11];
	clock = flow_rate ? flow_rate : rtprelay_rtp_pt_rate(hdr[1] & 0x7f);

	/* Arrival in timestamp units; microseconds first keeps the product
	 * inside 64 bits for years of uptime. */
	if (clock)
		transit = (__s32)((__u32)((now_ns / 1000) * clock / 1000000) - ts);

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
	udelta = (__u16)(seq - (r->ext_max_seq & 0xffff));
	if (udelta < RTPRELAY_RTP_MAX_DROPOUT) {
		if (seq < (r->ext_max_seq & 0xffff))
			r->ext_max_seq += 0x10000;	/* wrapped */
		r->ext_max_seq = (r->ext_max_seq & 0xffff0000) | seq;
	} else if (udelta <= 65536 - RTPRELAY_RTP_MAX_MISORDER) {
		/* A jump (>= 3000 ahead or >= 100 behind): restart the base. */
		r->base_seq = seq;
		r->ext_max_seq = seq;
		r->received = 1;
	} /* else: late or duplicate, counted in received only */

	if (!clock)
		return;
	d = transit - r->transit;
	if (d < 0)
		d = -d;
	r->transit = transit;
	r->jitter += (__u32)d - ((r->jitter + 8) >> 4);
	r->clock_rate = clock;
}

#endif /* RTPRELAY_RTP_STATS_H */
