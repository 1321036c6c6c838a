/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packet parsing for the XDP tier: Ethernet, up to two VLAN tags, IPv4
 * (with options) or IPv6 (walking hop-by-hop and destination options), UDP.
 * Every read is bounds-checked against data_end; anything we do not fully
 * understand is reported with the global counter that explains the PASS.
 */
#ifndef RTPRELAY_PARSE_BPF_H
#define RTPRELAY_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

#define VLAN_MAX_DEPTH		2
#define IPV6_EXT_MAX		4

#define NEXTHDR_HOP		0
#define NEXTHDR_ROUTING		43
#define NEXTHDR_FRAGMENT	44
#define NEXTHDR_ESP		50
#define NEXTHDR_AUTH		51
#define NEXTHDR_DEST		60
#define NEXTHDR_MOBILITY	135

#define IPV4_MF			0x2000
#define IPV4_OFFSET		0x1fff

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* What the parser found; pointers are into the packet. */
struct pkt {
	struct ethhdr *eth;
	struct iphdr *ip4;	/* one of ip4/ip6 is set */
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	__u32 l3_len;		/* IP total length */
	__u8 family;
};

/* Returns -1 on success, else the global counter explaining the PASS. */
static __always_inline int parse_ipv4(struct pkt *p, void *l3, void *end)
{
	struct iphdr *ip = l3;
	struct udphdr *udp;
	__u32 hlen, tot, ulen;

	if ((void *)(ip + 1) > end)
		return RTPRELAY_G_PASS_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return RTPRELAY_G_PASS_MALFORMED;
	hlen = ip->ihl * 4;
	tot = bpf_ntohs(ip->tot_len);
	barrier_var(tot);
	tot &= 0xffff;
	if (l3 + hlen > end || tot < hlen + sizeof(*udp) || l3 + tot > end)
		return RTPRELAY_G_PASS_TRUNCATED;
	if (ip->frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET))
		return RTPRELAY_G_PASS_FRAGMENT;
	if (ip->protocol != IPPROTO_UDP)
		return RTPRELAY_G_PASS_NOT_UDP;
	udp = l3 + hlen;
	if ((void *)(udp + 1) > end)
		return RTPRELAY_G_PASS_TRUNCATED;
	ulen = bpf_ntohs(udp->len);
	barrier_var(ulen);
	ulen &= 0xffff;
	if (ulen < sizeof(*udp) || ulen > tot - hlen)
		return RTPRELAY_G_PASS_TRUNCATED;
	p->ip4 = ip;
	p->udp = udp;
	p->l3_len = tot;
	p->family = RTPRELAY_AF_INET;
	return -1;
}

static __always_inline int parse_ipv6(struct pkt *p, void *l3, void *end)
{
	struct ipv6hdr *ip = l3;
	struct udphdr *udp;
	void *l4 = ip + 1;
	__u32 plen, ulen;
	__u8 nh;

	if (l4 > end)
		return RTPRELAY_G_PASS_TRUNCATED;
	if (ip->version != 6)
		return RTPRELAY_G_PASS_MALFORMED;
	plen = bpf_ntohs(ip->payload_len);
	barrier_var(plen);
	plen &= 0xffff;
	if (l4 + plen > end)
		return RTPRELAY_G_PASS_TRUNCATED;
	nh = ip->nexthdr;
#pragma unroll
	for (int i = 0; i < IPV6_EXT_MAX; i++) {
		struct ipv6_opt_hdr *oh = l4;

		if (nh != NEXTHDR_HOP && nh != NEXTHDR_DEST)
			break;
		if (l4 + 8 > end)
			return RTPRELAY_G_PASS_TRUNCATED;
		nh = oh->nexthdr;
		l4 += (oh->hdrlen + 1) * 8;
	}
	switch (nh) {
	case IPPROTO_UDP:
		break;
	case NEXTHDR_FRAGMENT:
		return RTPRELAY_G_PASS_FRAGMENT;
	case NEXTHDR_HOP:
	case NEXTHDR_DEST:
	case NEXTHDR_ROUTING:
	case NEXTHDR_ESP:
	case NEXTHDR_AUTH:
	case NEXTHDR_MOBILITY:
		return RTPRELAY_G_PASS_IP_OPTIONS;
	default:
		return RTPRELAY_G_PASS_NOT_UDP;
	}
	udp = l4;
	if ((void *)(udp + 1) > end)
		return RTPRELAY_G_PASS_TRUNCATED;
	ulen = bpf_ntohs(udp->len);
	barrier_var(ulen);
	ulen &= 0xffff;
	if (ulen < sizeof(*udp) || (void *)udp + ulen > (void *)(ip + 1) + plen)
		return RTPRELAY_G_PASS_TRUNCATED;
	/* A zero UDP checksum is invalid over IPv6 (RFC 8200): not ours to fix. */
	if (!udp->check)
		return RTPRELAY_G_PASS_MALFORMED;
	p->ip6 = ip;
	p->udp = udp;
	p->l3_len = plen + sizeof(*ip);
	p->family = RTPRELAY_AF_INET6;
	return -1;
}

static __always_inline int parse_packet(struct pkt *p, void *data, void *end)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	if (l3 > end)
		return RTPRELAY_G_PASS_TRUNCATED;
	p->eth = eth;
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
		struct vlan_tag *tag = l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > end)
			return RTPRELAY_G_PASS_TRUNCATED;
		proto = tag->proto;
		l3 = tag + 1;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(p, l3, end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(p, l3, end);
	return RTPRELAY_G_PASS_NOT_IP;
}

#endif /* RTPRELAY_PARSE_BPF_H */
