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

/* BPF needs the body inlined (packet pointers cannot cross subprograms on
 * older kernels); elsewhere the compiler decides. */
#ifdef __bpf__
#define RTPRELAY_INLINE static __always_inline
#else
#define RTPRELAY_INLINE static inline
#endif

/*
 * now_ns in RTP timestamp units, modulo 2^32 (only differences matter).
 * The packet path cannot afford two 64-bit divisions, so the usual clocks
 * use a multiply and shift: ts = (now_ns >> 10) * m >> 32 with
 * m = rate * 2^42 / 1e9. Bits 32..63 of the 64-bit product are exact even
 * when it overflows, which is all a wrapping timestamp needs. The rounding
 * of m makes the clock run up to 1.1e-5 off (below the drift of real RTP
 * senders): a step of 20 ms or 10 s comes out within one unit, which is
 * what transit differences and jitter need; the time base has 1.024 us
 * resolution.
 */
#define RTPRELAY_TS_MULT(rate)	((__u64)(rate) * (1ULL << 42) / 1000000000ULL)

RTPRELAY_INLINE __u32 rtprelay_ns_to_ts(__u64 now_ns, __u32 rate)
{
	__u64 m;

	switch (rate) {
	case 8000:	m = RTPRELAY_TS_MULT(8000); break;
	case 16000:	m = RTPRELAY_TS_MULT(16000); break;
	case 44100:	m = RTPRELAY_TS_MULT(44100); break;
	case 48000:	m = RTPRELAY_TS_MULT(48000); break;
	case 90000:	m = RTPRELAY_TS_MULT(90000); break;
	default:
		/* microseconds first: the product stays in 64 bits */
		return (__u32)((now_ns / 1000) * rate / 1000000);
	}
	return (__u32)(((now_ns >> 10) * m) >> 32);
}

/* flow_rate for rtprelay_rtp_update(): sequence and loss only, no jitter. */
#define RTPRELAY_CLOCK_NONE	0xffffffffU

/* The flow_rate a tier passes for flow f. */
RTPRELAY_INLINE __u32 rtprelay_flow_clock(const struct rtprelay_flow *f)
{
	return (f->flags & RTPRELAY_F_NO_JITTER) ? RTPRELAY_CLOCK_NONE : f->clock_rate;
}

/* Clock rate of a static payload type (RFC 3551), 0 when dynamic/unknown. */
RTPRELAY_INLINE __u32 rtprelay_rtp_pt_rate(__u8 pt)
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
RTPRELAY_INLINE int rtprelay_is_rtcp(__u32 flags, const __u8 *udp_payload,
				   __u32 len)
{
	if (flags & RTPRELAY_F_RTCP)
		return 1;
	return (flags & RTPRELAY_F_RTCP_MUX) && len >= 2 &&
	       udp_payload[1] >= 192 && udp_payload[1] <= 223;
}

/*
 * Update the view with one RTP packet (A.1 without probation, A.8 integer
 * jitter). Every tier calls this one function, so all report the same
 * numbers for the same packets. hdr: the first 12 bytes of the UDP
 * payload (caller checked len >= 12). flow_rate: rtprelay_flow_clock() of
 * the flow (its clock_rate, 0 for the payload type's, or RTPRELAY_CLOCK_NONE).
 * now_ns: CLOCK_MONOTONIC. SSRC is kept in host order.
 */
RTPRELAY_INLINE void rtprelay_rtp_update(struct rtprelay_rtp_stats *r,
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
	if (flow_rate == RTPRELAY_CLOCK_NONE)
		clock = 0;
	else
		clock = flow_rate ? flow_rate : rtprelay_rtp_pt_rate(hdr[1] & 0x7f);

	if (clock)
		transit = (__s32)(rtprelay_ns_to_ts(now_ns, clock) - ts);

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

/*
 * Fold one CPU's view of a stream into another's. A stream normally stays on
 * one CPU, but a sender whose packets arrive on several CPUs (a veth, RSS
 * changes) leaves each CPU with part of it: summed, the parts give the
 * stream's loss instead of counting the other CPUs' packets as lost.
 * `into` should be the view that saw most packets; views of another SSRC
 * are left out (that CPU saw an older or newer stream). Jitter: the
 * larger estimate.
 */
RTPRELAY_INLINE void rtprelay_rtp_merge(struct rtprelay_rtp_stats *into,
					const struct rtprelay_rtp_stats *from)
{
	if (!from->received)
		return;
	if (!into->received) {
		*into = *from;
		return;
	}
	if (from->ssrc != into->ssrc)
		return;
	into->received += from->received;
	/* Extended sequence numbers compared as distances, wrap-safe. */
	if ((__s32)(from->ext_max_seq - into->ext_max_seq) > 0)
		into->ext_max_seq = from->ext_max_seq;
	if ((__s32)(from->base_seq - into->base_seq) < 0)
		into->base_seq = from->base_seq;
	if (from->jitter > into->jitter)
		into->jitter = from->jitter;
	if (from->ssrc_changes > into->ssrc_changes)
		into->ssrc_changes = from->ssrc_changes;
}

#endif /* RTPRELAY_RTP_STATS_H */
