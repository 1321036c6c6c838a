// SPDX-License-Identifier: GPL-2.0-only
/*
 * Programs of the lab packets/s benchmark (tests/bench/bench_xdp_lab.sh):
 *   bench_gen    the BPF_PROG_TEST_RUN live-frames program on the sender:
 *                writes the whole frame header from gen_cfg (live-frame
 *                pages come back rewritten by the relay), spreads the UDP
 *                destination port over nflows flows, XDP_TX.
 *   bench_floor  the floor to compare with: swap MACs, XDP_TX.
 *   bench_redirect  a second reference: devmap redirect to tx_port[0]
 *                (the relay's other veth), no rewrite, no lookup.
 *   bench_count  the sink: count per CPU, XDP_DROP.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define GEN_HDR_LEN	42	/* Ethernet + IPv4 (no options) + UDP */

struct gen_cfg {
	__u8 hdr[GEN_HDR_LEN];
	__u16 pad;
	__u32 nflows;
	__u32 base_port;	/* host order */
	__u32 next;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cfg);
} gen_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} count SEC(".maps");

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct gen_cfg *c;
	__u32 zero = 0, port, n, nflows, seq;
	__u16 *dport, *rtp;

	c = bpf_map_lookup_elem(&gen_cfg, &zero);
	if (!c)
		return XDP_ABORTED;
	if (data + GEN_HDR_LEN + 12 > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, c->hdr, GEN_HDR_LEN);
	n = c->next++;	/* one generator thread: no atomics needed */
	nflows = c->nflows ? c->nflows : 1;
	if (nflows > 1) {
		port = c->base_port + n % nflows;
		dport = data + 14 + 20 + 2;
		*dport = bpf_htons((__u16)port);
	}
	/* In-order RTP per flow: sequence +1, timestamp +160 (20 ms). */
	seq = n / nflows;
	rtp = data + GEN_HDR_LEN;
	rtp[1] = bpf_htons((__u16)seq);
	*(__u32 *)(rtp + 2) = bpf_htonl(seq * 160);
	return XDP_TX;
}

SEC("xdp")
int bench_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 tmp[ETH_ALEN];

	if (data + sizeof(*eth) > end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

SEC("xdp")
int bench_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_port, 0, XDP_DROP);
}

SEC("xdp")
int bench_count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&count, &zero);

	if (n)
		(*n)++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
