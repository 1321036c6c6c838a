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

#endif /* RTPRELAY_MAPS_BPF_H */
