/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Incremental Internet checksum update (RFC 1624, eqn. 3):
 *   HC' = ~(~HC + ~m + m')
 * Values are taken as they sit in the packet (network order); one's
 * complement sums do not care about byte order as long as all terms agree.
 */
#ifndef RTPRELAY_CSUM_BPF_H
#define RTPRELAY_CSUM_BPF_H

#include <linux/types.h>

/* Running sum of ~old + new, 16 bits at a time. */
struct csum_delta {
	__u64 acc;
};

static __always_inline void csum_delta16(struct csum_delta *d, __u16 from, __u16 to)
{
	d->acc += (__u16)~from + (__u32)to;
}

static __always_inline void csum_delta32(struct csum_delta *d, __u32 from, __u32 to)
{
	csum_delta16(d, from >> 16, to >> 16);
	csum_delta16(d, from & 0xffff, to & 0xffff);
}

/* Apply the delta to checksum field value `check`; returns the new field. */
static __always_inline __u16 csum_apply(__u16 check, const struct csum_delta *d)
{
	__u64 s = d->acc + (__u16)~check;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

#endif /* RTPRELAY_CSUM_BPF_H */
