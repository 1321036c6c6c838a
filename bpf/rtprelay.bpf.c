// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelay XDP data path: forwards the RTP/RTCP flows installed in rr_flows
 * between the relay's legs, rewriting addresses, ports, TTL and DSCP, and
 * counting per flow and per CPU. Anything it does not own is XDP_PASS,
 * untouched. The contract is docs/datapath.md.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "csum.bpf.h"
#include <rtprelay/rtp_stats.h>

#ifndef AF_INET
#define AF_INET		2
#define AF_INET6	10
#endif

static __always_inline void count(__u32 counter)
{
	__u32 zero = 0;
	struct rtprelay_global_stats *g = bpf_map_lookup_elem(&rr_global, &zero);

	if (g && counter < RTPRELAY_G_MAX)
		g->counters[counter]++;
}

static __always_inline int pass(__u32 counter)
{
	count(counter);
	return XDP_PASS;
}

static __always_inline int drop(struct rtprelay_flow_stats *fs,
				__u32 flow_drop, __u32 counter)
{
	if (flow_drop < RTPRELAY_FDROP_MAX)
		fs->drops[flow_drop]++;
	count(counter);
	return XDP_DROP;
}

static __always_inline bool ep_equal(const struct rtprelay_endpoint *a,
				     const struct rtprelay_endpoint *b)
{
	return a->port == b->port && a->family == b->family &&
	       a->addr.v6[0] == b->addr.v6[0] && a->addr.v6[1] == b->addr.v6[1] &&
	       a->addr.v6[2] == b->addr.v6[2] && a->addr.v6[3] == b->addr.v6[3];
}

static __always_inline void pkt_endpoints(const struct pkt *p,
					  struct rtprelay_endpoint *src,
					  struct rtprelay_endpoint *dst)
{
	__builtin_memset(src, 0, sizeof(*src));
	__builtin_memset(dst, 0, sizeof(*dst));
	src->family = dst->family = p->family;
	src->port = p->udp->source;
	dst->port = p->udp->dest;
	if (p->ip4) {
		src->addr.v4 = p->ip4->saddr;
		dst->addr.v4 = p->ip4->daddr;
	} else if (p->ip6) {
		__builtin_memcpy(src->addr.v6, &p->ip6->saddr, 16);
		__builtin_memcpy(dst->addr.v6, &p->ip6->daddr, 16);
	}
}

/*
 * Learn `src` as this flow's peer and point the reverse flow at it. Whole
 * values are replaced (not written in place) so that other CPUs reading the
 * flows never see a half-written address.
 */
static __always_inline void latch(const struct rtprelay_flow_key *key,
				  const struct rtprelay_flow *f,
				  const struct rtprelay_endpoint *src)
{
	struct rtprelay_flow upd = *f;
	struct rtprelay_flow *rev;

	upd.expect = *src;
	upd.flags |= RTPRELAY_F_LATCHED;
	bpf_map_update_elem(&rr_flows, key, &upd, BPF_EXIST);

	if (!f->reverse.local.family)
		return;
	rev = bpf_map_lookup_elem(&rr_flows, &f->reverse);
	if (!rev)
		return;
	upd = *rev;
	upd.out_dst = *src;
	bpf_map_update_elem(&rr_flows, &f->reverse, &upd, BPF_EXIST);
}

static __always_inline int fib_lookup(struct xdp_md *ctx, const struct pkt *p,
				      const struct rtprelay_flow *f,
				      struct bpf_fib_lookup *fib)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->l4_protocol = IPPROTO_UDP;
	fib->sport = f->out_src.port;
	fib->dport = f->out_dst.port;
	fib->tot_len = p->l3_len;
	fib->ifindex = ctx->ingress_ifindex;
	if (p->family == RTPRELAY_AF_INET) {
		fib->family = AF_INET;
		fib->tos = f->dscp << 2;
		fib->ipv4_src = f->out_src.addr.v4;
		fib->ipv4_dst = f->out_dst.addr.v4;
	} else {
		fib->family = AF_INET6;
		__builtin_memcpy(fib->ipv6_src, f->out_src.addr.v6, 16);
		__builtin_memcpy(fib->ipv6_dst, f->out_dst.addr.v6, 16);
	}
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

/*
 * The flow's next hop: from this CPU's cache while it is fresh and was
 * resolved for the same out_dst and ingress device, else from the FIB
 * (and cached). Returns a BPF_FIB_LKUP_RET_* code.
 */
static __always_inline int next_hop(struct xdp_md *ctx, const struct pkt *p,
				    const struct rtprelay_flow *f,
				    struct rr_nh *nh, __u64 now)
{
	struct bpf_fib_lookup fib;
	int rc;

	if (now < nh->expires_ns && nh->in_ifindex == ctx->ingress_ifindex &&
	    nh->family == f->out_dst.family &&
	    nh->dst.v6[0] == f->out_dst.addr.v6[0] &&
	    nh->dst.v6[1] == f->out_dst.addr.v6[1] &&
	    nh->dst.v6[2] == f->out_dst.addr.v6[2] &&
	    nh->dst.v6[3] == f->out_dst.addr.v6[3])
		return BPF_FIB_LKUP_RET_SUCCESS;

	rc = fib_lookup(ctx, p, f, &fib);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		nh->expires_ns = 0;
		return rc;
	}
	nh->dst = f->out_dst.addr;
	nh->family = f->out_dst.family;
	nh->in_ifindex = ctx->ingress_ifindex;
	nh->ifindex = fib.ifindex;
	__builtin_memcpy(nh->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(nh->smac, fib.smac, ETH_ALEN);
	nh->expires_ns = now + RTPRELAY_NH_TTL_NS;
	return rc;
}

static __always_inline void rewrite_ipv4(struct iphdr *ip, struct udphdr *udp,
					 const struct rtprelay_flow *f)
{
	struct csum_delta ipd = {}, l4d = {};
	__u16 *w0 = (__u16 *)ip, *w4 = (__u16 *)ip + 4; /* tos, ttl words */
	__u16 old;

	old = *w0;
	if (!(f->flags & RTPRELAY_F_KEEP_DSCP))
		ip->tos = (f->dscp << 2) | (ip->tos & 3);
	csum_delta16(&ipd, old, *w0);
	old = *w4;
	ip->ttl--;
	csum_delta16(&ipd, old, *w4);

	/* The addresses are in both sums: the UDP one covers the pseudo-header. */
	csum_delta32(&ipd, ip->saddr, f->out_src.addr.v4);
	csum_delta32(&ipd, ip->daddr, f->out_dst.addr.v4);
	csum_delta32(&l4d, ip->saddr, f->out_src.addr.v4);
	csum_delta32(&l4d, ip->daddr, f->out_dst.addr.v4);
	ip->saddr = f->out_src.addr.v4;
	ip->daddr = f->out_dst.addr.v4;
	ip->check = csum_apply(ip->check, &ipd);

	csum_delta16(&l4d, udp->source, f->out_src.port);
	csum_delta16(&l4d, udp->dest, f->out_dst.port);
	udp->source = f->out_src.port;
	udp->dest = f->out_dst.port;
	/* Zero means "no checksum" on IPv4: keep it; a computed zero is
	 * sent as its one's complement twin 0xffff (RFC 768). */
	if (udp->check) {
		udp->check = csum_apply(udp->check, &l4d);
		if (!udp->check)
			udp->check = 0xffff;
	}
}

static __always_inline void rewrite_ipv6(struct ipv6hdr *ip, struct udphdr *udp,
					 const struct rtprelay_flow *f)
{
	struct csum_delta l4d = {};
	__be32 *w0 = (__be32 *)ip;

	if (!(f->flags & RTPRELAY_F_KEEP_DSCP)) {
		/* version:4 traffic class:8 flow label:20; ECN kept */
		__u32 w = bpf_ntohl(*w0);

		w = (w & ~(0xfcU << 20)) | ((__u32)f->dscp << 22);
		*w0 = bpf_htonl(w);
	}
	ip->hop_limit--;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		csum_delta32(&l4d, ip->saddr.in6_u.u6_addr32[i], f->out_src.addr.v6[i]);
		csum_delta32(&l4d, ip->daddr.in6_u.u6_addr32[i], f->out_dst.addr.v6[i]);
	}
	__builtin_memcpy(&ip->saddr, f->out_src.addr.v6, 16);
	__builtin_memcpy(&ip->daddr, f->out_dst.addr.v6, 16);

	csum_delta16(&l4d, udp->source, f->out_src.port);
	csum_delta16(&l4d, udp->dest, f->out_dst.port);
	udp->source = f->out_src.port;
	udp->dest = f->out_dst.port;
	udp->check = csum_apply(udp->check, &l4d);
	if (!udp->check)
		udp->check = 0xffff;
}

static __always_inline void count_flow(struct rtprelay_flow_stats *fs,
				       const struct rtprelay_flow *f,
				       const struct pkt *p, void *end,
				       __u64 now)
{
	const __u8 *pl = (void *)(p->udp + 1);
	bool rtcp = f->flags & RTPRELAY_F_RTCP;

	/* RFC 5761 classifies by the second byte alone: short RTCP (an
	 * empty RR is 8 bytes) counts as RTCP like in every other tier. */
	if (!rtcp && (f->flags & RTPRELAY_F_RTCP_MUX) && (void *)(pl + 2) <= end)
		rtcp = rtprelay_is_rtcp(f->flags, pl, 2);
	fs->packets++;
	fs->bytes += p->l3_len;
	fs->last_seen_ns = now;
	if (rtcp) {
		fs->rtcp_packets++;
		fs->rtcp_bytes += p->l3_len;
	} else if ((void *)(pl + 12) <= end) {
		rtprelay_rtp_update(&fs->rtp, pl, rtprelay_flow_clock(f), now);
	}
}

SEC("xdp")
int rtprelay_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct rtprelay_endpoint src;
	struct rtprelay_flow_key key;
	struct rtprelay_flow_stats *fs;
	struct rtprelay_flow *mf, f;
	struct pkt p = {};
	struct rr_nh *nh;
	__u64 now;
	int rc;

	rc = parse_packet(&p, data, end);
	if (rc >= 0)
		return pass(rc);

	pkt_endpoints(&p, &src, &key.local);
	mf = bpf_map_lookup_elem(&rr_flows, &key);
	if (!mf)
		return pass(RTPRELAY_G_PASS_MISS);
	f = *mf; /* one consistent snapshot of the action */
	fs = bpf_map_lookup_elem(&rr_flow_stats, &f.id);
	if (!fs)
		return pass(RTPRELAY_G_ERR_INTERNAL);

	if ((f.flags & (RTPRELAY_F_LATCH | RTPRELAY_F_LATCHED)) == RTPRELAY_F_LATCH) {
		/* Only the first packet to set LATCHED learns its source. */
		if (!(__sync_fetch_and_or(&mf->flags, RTPRELAY_F_LATCHED) &
		      RTPRELAY_F_LATCHED))
			latch(&key, &f, &src);
	} else if ((f.flags & RTPRELAY_F_STRICT) && f.expect.family &&
		   !ep_equal(&f.expect, &src)) {
		return drop(fs, RTPRELAY_FDROP_SRC_MISMATCH,
			    RTPRELAY_G_DROP_SRC_MISMATCH);
	}

	if ((p.ip4 && p.ip4->ttl <= 1) || (p.ip6 && p.ip6->hop_limit <= 1))
		return drop(fs, RTPRELAY_FDROP_TTL, RTPRELAY_G_DROP_TTL);
	if (f.out_dst.family != p.family || f.out_src.family != p.family)
		return drop(fs, RTPRELAY_FDROP_FIB, RTPRELAY_G_DROP_FIB);

	nh = bpf_map_lookup_elem(&rr_nh_cache, &f.id);
	if (!nh)
		return pass(RTPRELAY_G_ERR_INTERNAL);
	/* The fine clock is the largest single cost of a hit (~25 ns here);
	 * only jitter needs it: last-seen and the next-hop cache do not. */
	now = (f.flags & RTPRELAY_F_NO_JITTER) ? bpf_ktime_get_coarse_ns() :
						 bpf_ktime_get_ns();
	rc = next_hop(ctx, &p, &f, nh, now);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return pass(RTPRELAY_G_PASS_NO_NEIGH);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return drop(fs, RTPRELAY_FDROP_FIB, RTPRELAY_G_DROP_FIB);

	if (nh->ifindex == ctx->ingress_ifindex) {
		rc = XDP_TX;
	} else {
		rc = bpf_redirect_map(&rr_tx_ports, nh->ifindex, XDP_DROP);
		if (rc != XDP_REDIRECT)
			return drop(fs, RTPRELAY_FDROP_TX, RTPRELAY_G_DROP_TX);
	}

	count_flow(fs, &f, &p, end, now);
	__builtin_memcpy(p.eth->h_dest, nh->dmac, ETH_ALEN);
	__builtin_memcpy(p.eth->h_source, nh->smac, ETH_ALEN);
	if (p.ip4)
		rewrite_ipv4(p.ip4, p.udp, &f);
	else if (p.ip6)
		rewrite_ipv6(p.ip6, p.udp, &f);
	count(rc == XDP_TX ? RTPRELAY_G_FWD_TX : RTPRELAY_G_FWD_REDIRECT);
	return rc;
}

char LICENSE[] SEC("license") = "GPL";
