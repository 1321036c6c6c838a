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
 * Update the view with one RTP packet. hdr: the first 12 bytes of the UDP
 * payload (caller checked len >= 12). flow_rate: rtprelay_flow.clock_rate.
 * now_ns: CLOCK_MONOTONIC. SSRC is kept in host order.
 */
static inline void rtprelay_rtp_update(struct rtprelay_rtp_stats *s,
				       const __u8 *hdr, __u32 flow_rate,
				       __u64 now_ns)
{
	__u32 seq, ts, ssrc, rate, arrival, max, cycles;
	__s32 transit, d;
	__u16 udelta;

	if ((hdr[0] >> 6) != 2)
		return;
	seq = (__u32)hdr[2] << 8 | hdr[3];
	ts = (__u32)hdr[4] << 24 | (__u32)hdr[5] << 16 | (__u32)hdr[6] << 8 | hdr[7];
	ssrc = (__u32)hdr[8] << 24 | (__u32)hdr[9] << 16 | (__u32)hdr[10] << 8 | hdr[11];
	rate = flow_rate ? flow_rate : rtprelay_rtp_pt_rate(hdr[1] & 0x7f);

	if (s->received == 0 || s->ssrc != ssrc) {
		if (s->received != 0 && s->ssrc != ssrc)
			s->ssrc_changes++;
		s->ssrc = ssrc;
		s->received = 0;
		s->base_seq = seq;
		s->ext_max_seq = seq;
		s->jitter = 0;
		s->transit = 0;
	} else {
		max = s->ext_max_seq & 0xffff;
		cycles = s->ext_max_seq & ~0xffffu;
		udelta = (__u16)(seq - max);
		if (udelta < RTPRELAY_RTP_MAX_DROPOUT) {
			if (seq < max)
				cycles += 0x10000;
			s->ext_max_seq = cycles | seq;
		} else if (udelta <= 0x10000 - RTPRELAY_RTP_MAX_MISORDER) {
			/* A big jump ahead or far behind: restart the base. */
			s->received = 0;
			s->base_seq = seq;
			s->ext_max_seq = seq;
		}
	}
	s->received++;
	s->clock_rate = rate;
	if (!rate)
		return;
	/* Arrival in timestamp units; microseconds first so that the product
	 * stays in 64 bits for years of uptime. Wraps like RTP timestamps. */
	arrival = (__u32)((now_ns / 1000) * rate / 1000000);
	transit = (__s32)(arrival - ts);
	if (s->received > 1) {
		d = transit - s->transit;
		if (d < 0)
			d = -d;
		s->jitter += (__u32)d - ((s->jitter + 8) >> 4);
	}
	s->transit = transit;
}

#endif /* RTPRELAY_RTP_STATS_H */
