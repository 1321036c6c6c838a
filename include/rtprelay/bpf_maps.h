/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Names and pin location of the XDP tier's maps. The maps themselves are
 * declared in bpf/rtprelay.bpf.c; loader and tools find them by these names
 * under the pin directory.
 */
#ifndef RTPRELAY_BPF_MAPS_H
#define RTPRELAY_BPF_MAPS_H

#define RTPRELAY_PIN_DIR_DEFAULT	"/sys/fs/bpf/rtprelay"

/* BPF object names are at most 15 characters. */
#define RTPRELAY_MAP_FLOWS	"rr_flows"	/* HASH: flow_key -> flow */
#define RTPRELAY_MAP_FLOW_STATS	"rr_flow_stats"	/* PERCPU_ARRAY: id -> flow_stats */
#define RTPRELAY_MAP_GLOBAL	"rr_global"	/* PERCPU_ARRAY[1]: global_stats */
#define RTPRELAY_MAP_TX_PORTS	"rr_tx_ports"	/* DEVMAP_HASH: ifindex -> ifindex */
#define RTPRELAY_MAP_NH_CACHE	"rr_nh_cache"	/* PERCPU_ARRAY: id -> next hop (private) */
#define RTPRELAY_PROG_XDP	"rtprelay_xdp"

#endif /* RTPRELAY_BPF_MAPS_H */
