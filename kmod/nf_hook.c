// SPDX-License-Identifier: GPL-2.0-only
/*
 * The packet path: IPv4 and IPv6 PRE_ROUTING hooks that forward UDP packets
 * of installed flows, per docs/datapath.md. A hit is rewritten, routed by the
 * kernel (ip_route_output_key / ip6_route_output: no forwarding sysctl
 * involved) and sent with ip_local_out / ip6_local_out; the hook returns
 * NF_STOLEN. Everything else is NF_ACCEPT, untouched. Each packet bumps
 * exactly one global counter, as in the XDP tier (pass_not_ip never happens
 * here: the hooks see IP only).
 *
 * The hooks run before defragmentation and conntrack (priority
 * RAW_BEFORE_DEFRAG), so fragments are seen as fragments and passed, as XDP
 * does, and relayed media creates no conntrack entry on the way in.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/checksum.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <rtprelay/rtp_stats.h>
#include "compat.h"
#include "rtprelay.h"

enum rr_src_verdict { RR_SRC_OK, RR_SRC_DROP, RR_SRC_ERR };

/* Step 6: source check and latching. *fp is re-read after a latch. */
static enum rr_src_verdict rr_check_source(struct rr_entry *e,
					   const struct rtprelay_flow **fp,
					   const struct rtprelay_endpoint *src)
{
	const struct rtprelay_flow *f = *fp;

	if ((f->flags & RTPRELAY_F_LATCH) && !(f->flags & RTPRELAY_F_LATCHED)) {
		if (rr_latch(e, src))
			return RR_SRC_ERR;
		*fp = &rcu_dereference(e->act)->flow;
		return RR_SRC_OK;
	}
	if ((f->flags & RTPRELAY_F_STRICT) && f->expect.family &&
	    memcmp(&f->expect, src, sizeof(*src)))
		return RR_SRC_DROP;
	return RR_SRC_OK;
}

static unsigned int rr_drop(struct rtprelay_flow_stats *st,
			    enum rtprelay_flow_drop fd,
			    enum rtprelay_global_counter g)
{
	st->drops[fd]++;
	rr_count(g);
	return NF_DROP;
}

static unsigned int rr_pass(enum rtprelay_global_counter g)
{
	rr_count(g);
	return NF_ACCEPT;
}

/* Per-flow counting of a packet about to be sent: RTP view, RTCP split. */
static void rr_account(struct rtprelay_flow_stats *st,
		       const struct rtprelay_flow *f, const struct sk_buff *skb,
		       unsigned int payload_off, unsigned int l3_len, u64 now)
{
	u8 buf[12];
	const u8 *p;
	unsigned int plen = skb->len - payload_off;

	p = skb_header_pointer(skb, payload_off, min(plen, 12u), buf);
	if (p && rtprelay_is_rtcp(f->flags, p, plen)) {
		st->rtcp_packets++;
		st->rtcp_bytes += l3_len;
	} else if (p && plen >= 12) {
		rtprelay_rtp_update(&st->rtp, p, rtprelay_flow_clock(f), now);
	}
	st->packets++;
	st->bytes += l3_len;
	st->last_seen_ns = now;
}

/* After the dst is set: clear input state and hand the packet to output. */
static void rr_prepare_out(struct sk_buff *skb)
{
	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	nf_reset_ct(skb);
}

/* Step 10's counting, once the stack took (or refused) the packet. */
static unsigned int rr_sent(int err, bool same_dev,
			    struct rtprelay_flow_stats *st)
{
	if (unlikely(net_xmit_eval(err))) {
		st->drops[RTPRELAY_FDROP_TX]++;
		rr_count(RTPRELAY_G_DROP_TX);
	} else {
		rr_count(same_dev ? RTPRELAY_G_FWD_TX : RTPRELAY_G_FWD_REDIRECT);
	}
	return NF_STOLEN;
}

/* Not a netfilter verdict: rr_match() found a flow to forward on. */
#define RR_FORWARD	(~0U)

/*
 * What both families share once the headers are parsed: the flow lookup,
 * the source check (with latching), the TTL and the out_dst family.
 * Returns RR_FORWARD with *fp and *stp set, else the packet's verdict.
 */
static unsigned int rr_match(const struct rtprelay_flow_key *key,
			     const struct rtprelay_endpoint *src, u8 hops,
			     const struct rtprelay_flow **fp,
			     struct rtprelay_flow_stats **stp)
{
	struct rr_entry *e = rr_lookup(key);	/* hooks run under rcu_read_lock() */
	struct rtprelay_flow_stats *st;

	if (!e)
		return rr_pass(RTPRELAY_G_PASS_MISS);
	*fp = &rcu_dereference(e->act)->flow;
	*stp = st = this_cpu_ptr(e->stats);
	switch (rr_check_source(e, fp, src)) {
	case RR_SRC_OK:
		break;
	case RR_SRC_DROP:
		return rr_drop(st, RTPRELAY_FDROP_SRC_MISMATCH,
			       RTPRELAY_G_DROP_SRC_MISMATCH);
	case RR_SRC_ERR:
		return rr_pass(RTPRELAY_G_ERR_INTERNAL);
	}
	if (hops <= 1)
		return rr_drop(st, RTPRELAY_FDROP_TTL, RTPRELAY_G_DROP_TTL);
	if ((*fp)->out_dst.family != key->local.family)
		return rr_drop(st, RTPRELAY_FDROP_FIB, RTPRELAY_G_DROP_FIB);
	return RR_FORWARD;
}

static unsigned int rr_hook_v4(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct rtprelay_flow_key key = {};
	struct rtprelay_endpoint src = {};
	const struct rtprelay_flow *f;
	struct rtprelay_flow_stats *st;
	unsigned int ihl, len;
	struct flowi4 fl4;
	unsigned int verdict;
	struct udphdr *uh;
	struct iphdr *iph;
	struct rtable *rt;
	bool same_dev;
	u64 now;

	/* ip_rcv() already checked version, ihl, tot_len and trimmed. */
	iph = ip_hdr(skb);
	if (ip_is_fragment(iph))
		return rr_pass(RTPRELAY_G_PASS_FRAGMENT);
	if (iph->protocol != IPPROTO_UDP)
		return rr_pass(RTPRELAY_G_PASS_NOT_UDP);
	ihl = iph->ihl * 4;
	len = ntohs(iph->tot_len);
	if (len < ihl + sizeof(*uh) || !pskb_may_pull(skb, ihl + sizeof(*uh)))
		return rr_pass(RTPRELAY_G_PASS_TRUNCATED);
	iph = ip_hdr(skb);
	uh = (struct udphdr *)(skb_network_header(skb) + ihl);
	if (ntohs(uh->len) < sizeof(*uh) || ntohs(uh->len) > len - ihl)
		return rr_pass(RTPRELAY_G_PASS_TRUNCATED);
	/* A GRO super-packet is many datagrams: not ours to rewrite. */
	if (skb_is_gso(skb))
		return rr_pass(RTPRELAY_G_PASS_FRAGMENT);

	key.local.family = RTPRELAY_AF_INET;
	key.local.addr.v4 = iph->daddr;
	key.local.port = uh->dest;
	src.family = RTPRELAY_AF_INET;
	src.addr.v4 = iph->saddr;
	src.port = uh->source;
	verdict = rr_match(&key, &src, iph->ttl, &f, &st);
	if (verdict != RR_FORWARD)
		return verdict;

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = f->out_dst.addr.v4;
	fl4.saddr = f->out_src.addr.v4;
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.flowi4_mark = skb->mark;
	fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;	/* out_src need not be local */
	fl4.fl4_sport = f->out_src.port;
	fl4.fl4_dport = f->out_dst.port;
	rt = ip_route_output_key(state->net, &fl4);
	if (IS_ERR(rt))
		return rr_drop(st, RTPRELAY_FDROP_FIB, RTPRELAY_G_DROP_FIB);
	if (rt->rt_type != RTN_UNICAST && rt->rt_type != RTN_LOCAL) {
		ip_rt_put(rt);
		return rr_drop(st, RTPRELAY_FDROP_FIB, RTPRELAY_G_DROP_FIB);
	}
	if (skb_ensure_writable(skb, ihl + sizeof(*uh))) {
		ip_rt_put(rt);
		return rr_pass(RTPRELAY_G_ERR_INTERNAL);
	}
	iph = ip_hdr(skb);
	uh = (struct udphdr *)(skb_network_header(skb) + ihl);

	/* Step 9: rewrite; a zero IPv4 UDP checksum ("none") stays zero. */
	if (uh->check || skb->ip_summed == CHECKSUM_PARTIAL) {
		inet_proto_csum_replace4(&uh->check, skb, iph->saddr,
					 f->out_src.addr.v4, true);
		inet_proto_csum_replace4(&uh->check, skb, iph->daddr,
					 f->out_dst.addr.v4, true);
		inet_proto_csum_replace2(&uh->check, skb, uh->source,
					 f->out_src.port, false);
		inet_proto_csum_replace2(&uh->check, skb, uh->dest,
					 f->out_dst.port, false);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	uh->source = f->out_src.port;
	uh->dest = f->out_dst.port;
	iph->saddr = f->out_src.addr.v4;
	iph->daddr = f->out_dst.addr.v4;
	iph->ttl--;
	if (!(f->flags & RTPRELAY_F_KEEP_DSCP))
		iph->tos = (iph->tos & INET_ECN_MASK) | (f->dscp << 2);
	ip_send_check(iph);

	now = ktime_get_ns();
	rr_account(st, f, skb, ihl + sizeof(*uh), len, now);

	same_dev = rt->dst.dev == state->in;
	skb_dst_drop(skb);
	skb_dst_set(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	rr_prepare_out(skb);
	return rr_sent(ip_local_out(state->net, NULL, skb), same_dev, st);
}

/* Step 3: walk hop-by-hop and destination options (up to 4). */
static int rr_v6_udp_offset(const struct sk_buff *skb, u8 *nexthdr)
{
	unsigned int off = sizeof(struct ipv6hdr);
	struct ipv6_opt_hdr _h;
	const struct ipv6_opt_hdr *h;
	int i;

	*nexthdr = ipv6_hdr(skb)->nexthdr;
	for (i = 0; i < 4 && (*nexthdr == NEXTHDR_HOP || *nexthdr == NEXTHDR_DEST); i++) {
		h = skb_header_pointer(skb, off, sizeof(_h), &_h);
		if (!h)
			return -1;
		*nexthdr = h->nexthdr;
		off += ipv6_optlen(h);
	}
	return off;
}

static unsigned int rr_hook_v6(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct rtprelay_flow_key key = {};
	struct rtprelay_endpoint src = {};
	const struct rtprelay_flow *f;
	struct rtprelay_flow_stats *st;
	struct ipv6hdr *ip6h;
	struct dst_entry *dst;
	unsigned int len;
	struct flowi6 fl6;
	unsigned int verdict;
	struct udphdr *uh;
	bool same_dev;
	int off;
	u8 nh;
	u64 now;

	/* ipv6_rcv() already checked the fixed header and trimmed. */
	len = ntohs(ipv6_hdr(skb)->payload_len) + sizeof(struct ipv6hdr);
	off = rr_v6_udp_offset(skb, &nh);
	if (off < 0)
		return rr_pass(RTPRELAY_G_PASS_TRUNCATED);
	if (nh == NEXTHDR_FRAGMENT)
		return rr_pass(RTPRELAY_G_PASS_FRAGMENT);
	if (nh != IPPROTO_UDP)
		return rr_pass(ipv6_ext_hdr(nh) && nh != NEXTHDR_NONE ?
			       RTPRELAY_G_PASS_IP_OPTIONS :
			       RTPRELAY_G_PASS_NOT_UDP);
	if (len < off + sizeof(*uh) || !pskb_may_pull(skb, off + sizeof(*uh)))
		return rr_pass(RTPRELAY_G_PASS_TRUNCATED);
	ip6h = ipv6_hdr(skb);
	uh = (struct udphdr *)(skb_network_header(skb) + off);
	if (ntohs(uh->len) < sizeof(*uh) || ntohs(uh->len) > len - off)
		return rr_pass(RTPRELAY_G_PASS_TRUNCATED);
	if (!uh->check)		/* RFC 8200: invalid for IPv6 */
		return rr_pass(RTPRELAY_G_PASS_MALFORMED);
	if (skb_is_gso(skb))
		return rr_pass(RTPRELAY_G_PASS_FRAGMENT);

	key.local.family = RTPRELAY_AF_INET6;
	memcpy(key.local.addr.v6, &ip6h->daddr, 16);
	key.local.port = uh->dest;
	src.family = RTPRELAY_AF_INET6;
	memcpy(src.addr.v6, &ip6h->saddr, 16);
	src.port = uh->source;
	verdict = rr_match(&key, &src, ip6h->hop_limit, &f, &st);
	if (verdict != RR_FORWARD)
		return verdict;

	memset(&fl6, 0, sizeof(fl6));
	memcpy(&fl6.daddr, f->out_dst.addr.v6, 16);
	memcpy(&fl6.saddr, f->out_src.addr.v6, 16);
	fl6.flowi6_proto = IPPROTO_UDP;
	fl6.flowi6_mark = skb->mark;
	fl6.fl6_sport = f->out_src.port;
	fl6.fl6_dport = f->out_dst.port;
	dst = ip6_route_output(state->net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return rr_drop(st, RTPRELAY_FDROP_FIB, RTPRELAY_G_DROP_FIB);
	}
	if (skb_ensure_writable(skb, off + sizeof(*uh))) {
		dst_release(dst);
		return rr_pass(RTPRELAY_G_ERR_INTERNAL);
	}
	ip6h = ipv6_hdr(skb);
	uh = (struct udphdr *)(skb_network_header(skb) + off);

	inet_proto_csum_replace16(&uh->check, skb, ip6h->saddr.s6_addr32,
				  f->out_src.addr.v6, true);
	inet_proto_csum_replace16(&uh->check, skb, ip6h->daddr.s6_addr32,
				  f->out_dst.addr.v6, true);
	inet_proto_csum_replace2(&uh->check, skb, uh->source, f->out_src.port,
				 false);
	inet_proto_csum_replace2(&uh->check, skb, uh->dest, f->out_dst.port,
				 false);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	uh->source = f->out_src.port;
	uh->dest = f->out_dst.port;
	memcpy(&ip6h->saddr, f->out_src.addr.v6, 16);
	memcpy(&ip6h->daddr, f->out_dst.addr.v6, 16);
	ip6h->hop_limit--;
	if (!(f->flags & RTPRELAY_F_KEEP_DSCP))
		ipv6_change_dsfield(ip6h, INET_ECN_MASK, f->dscp << 2);

	now = ktime_get_ns();
	rr_account(st, f, skb, off + sizeof(*uh), len, now);

	same_dev = dst->dev == state->in;
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	rr_prepare_out(skb);
	return rr_sent(ip6_local_out(state->net, NULL, skb), same_dev, st);
}

static const struct nf_hook_ops rr_nf_ops[] = {
	{
		.hook = rr_hook_v4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_RAW_BEFORE_DEFRAG,
	},
	{
		.hook = rr_hook_v6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_RAW_BEFORE_DEFRAG,
	},
};

/* Flows live in the initial network namespace (the genl family is not
 * netns-aware), so the hooks do too. */
int rr_nf_init(void)
{
	return nf_register_net_hooks(&init_net, rr_nf_ops, ARRAY_SIZE(rr_nf_ops));
}

void rr_nf_exit(void)
{
	/* Unregistering waits for a grace period: no packet is in a hook
	 * when this returns. */
	nf_unregister_net_hooks(&init_net, rr_nf_ops, ARRAY_SIZE(rr_nf_ops));
}
