// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the forwarder's helpers cost alone, for the test-run benchmark: each
 * program makes one call the way rtprelay_xdp does (bench flows' next hops
 * behind pbx0) and bounces the frame. Subtract the floor for the helper.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline int fib(struct xdp_md *ctx, int v6)
{
	struct bpf_fib_lookup p;

	__builtin_memset(&p, 0, sizeof(p));
	p.ifindex = ctx->ingress_ifindex;
	p.l4_protocol = 17;
	p.tot_len = 200;
	if (!v6) {
		p.family = 2;
		p.ipv4_src = bpf_htonl(0xcb007101);	/* 203.0.113.1 */
		p.ipv4_dst = bpf_htonl(0xcb00710a);	/* 203.0.113.10 */
	} else {
		p.family = 10;
		p.ipv6_src[0] = p.ipv6_dst[0] = bpf_htonl(0x20010db8);
		p.ipv6_src[1] = p.ipv6_dst[1] = bpf_htonl(0x01130000);
		p.ipv6_src[3] = bpf_htonl(1);		/* 2001:db8:113::1 */
		p.ipv6_dst[3] = bpf_htonl(0x10);	/* 2001:db8:113::10 */
	}
	return bpf_fib_lookup(ctx, &p, sizeof(p), 0) == BPF_FIB_LKUP_RET_SUCCESS ?
	       XDP_TX : XDP_DROP;
}

SEC("xdp")
int cost_fib_v4(struct xdp_md *ctx)
{
	return fib(ctx, 0);
}

SEC("xdp")
int cost_fib_v6(struct xdp_md *ctx)
{
	return fib(ctx, 1);
}

SEC("xdp")
int cost_ktime(struct xdp_md *ctx)
{
	volatile __u64 t = bpf_ktime_get_ns();

	(void)t;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
