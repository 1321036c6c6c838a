/* SPDX-License-Identifier: GPL-2.0-only */
/* The XDP tier's maps, BTF-described so bpftool prints named fields. Sizes
 * are defaults: the loader sets max_entries before load (--max-flows). */
#ifndef RTPRELAY_MAPS_BPF_H
#define RTPRELAY_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTPRELAY_MAX_FLOWS_DEFAULT);
	__type(key, struct rtprelay_flow_key);
	__type(value, struct rtprelay_flow);
} rr_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RTPRELAY_MAX_FLOWS_DEFAULT);
	__type(key, __u32);
	__type(value, struct rtprelay_flow_stats);
} rr_flow_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtprelay_global_stats);
} rr_global SEC(".maps");

/* Devices the relay may redirect to (ifindex -> ifindex); the loader adds
 * each device it attaches to. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} rr_tx_ports SEC(".maps");

/*
 * Next hop of a flow, as bpf_fib_lookup() last resolved it on this CPU.
 * The FIB lookup is the largest per-packet cost (35 ns IPv4, 110 ns IPv6
 * here), so a hit reuses it for RTPRELAY_NH_TTL_NS unless the flow's
 * out_dst or the ingress device changed. Per CPU: no locks, no torn MACs.
 * Private to the XDP program (userspace never reads it).
 */
#define RTPRELAY_NH_TTL_NS	(500ULL * 1000 * 1000)

struct rr_nh {
	__u64 expires_ns;
	struct rtprelay_addr dst;	/* out_dst it was resolved for */
	__u32 in_ifindex;		/* ingress device it was resolved on */
	__u32 ifindex;			/* egress device */
	__u8 dmac[6];
	__u8 smac[6];
	__u8 family;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RTPRELAY_MAX_FLOWS_DEFAULT);
	__type(key, __u32);
	__type(value, struct rr_nh);
} rr_nh_cache SEC(".maps");

#endif /* RTPRELAY_MAPS_BPF_H */
