/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The XDP tier: loader (attach/detach) and the rr_dp_xdp_ops backend over
 * the maps pinned in the pin directory (include/rtprelay/bpf_maps.h).
 *
 * Functions return 0 or a negative errno; on failure they write a one-line
 * reason into err (when given).
 *
 * rr_dp_xdp_ops: open() fails with -ENOENT when nothing is pinned and
 * -EPROTO when the pinned maps have other key/value sizes than this build;
 * close(dp, false) deletes every flow in rr_flows (the maps belong to one
 * controller); flow_add() kicks neighbour resolution of out_dst.
 */
#ifndef RTPRELAY_DP_XDP_H
#define RTPRELAY_DP_XDP_H

#include <stdbool.h>
#include <stddef.h>
#include "datapath.h"

#define RR_XDP_ERRLEN	256
#define RR_XDP_INFOLEN	1024

/* Where attach looks for the BPF object when none is given, in order:
 * $RTPRELAY_BPF_OBJ, the directory of the running executable (build/ holds
 * rtprelayctl next to rtprelay.bpf.o), ./build/, then the install paths
 * (make install: PREFIX/lib/rtprelay/). */
#define RR_XDP_OBJ_NAME			"rtprelay.bpf.o"
#define RR_XDP_OBJ_INSTALLED_LOCAL	"/usr/local/lib/rtprelay/" RR_XDP_OBJ_NAME
#define RR_XDP_OBJ_INSTALLED		"/usr/lib/rtprelay/" RR_XDP_OBJ_NAME

struct rr_xdp_attach_opts {
	const char *pin_dir;	/* NULL: RTPRELAY_PIN_DIR_DEFAULT */
	const char *obj_path;	/* NULL: search (see above) */
	const char *ifname;
	bool generic;		/* XDP_FLAGS_SKB_MODE instead of native */
	/* 0: the size of maps already pinned, else RTPRELAY_MAX_FLOWS_DEFAULT.
	 * Differing from pinned maps is refused (they keep the flows). */
	unsigned int max_flows;
};

/*
 * Loads the program (reusing maps already pinned in pin_dir, so flows
 * survive a reload), pins the maps, adds the device to rr_tx_ports, turns
 * on the device's IPv4/IPv6 forwarding (bpf_fib_lookup needs it) and
 * attaches the program with netlink (it stays after the process exits).
 * Re-attaching replaces the program in place. On failure, everything this
 * call did is undone. info gets a line saying what was done.
 */
int rr_xdp_attach(const struct rr_xdp_attach_opts *o, char *info,
		  size_t infolen, char *err, size_t errlen);

/*
 * Removes the program from the device and the device from rr_tx_ports.
 * When no device is left in rr_tx_ports, unpins every map and removes
 * pin_dir (the flows are gone then). info says what was removed.
 * Per-device forwarding is left as it is.
 */
int rr_xdp_detach(const char *pin_dir, const char *ifname, char *info,
		  size_t infolen, char *err, size_t errlen);

/* The highest flow id no installed flow uses, < the stats map's size.
 * -ENOSPC when all are taken. dp must be open on rr_dp_xdp_ops. */
int rr_xdp_alloc_id(struct rr_dp *dp, __u32 *id);

/* "native", "generic", "offload", "multi" or "none" for an XDP_ATTACHED_*
 * mode (bpf_xdp_query). */
const char *rr_xdp_mode_name(__u8 mode);

/* Number of ids (max_entries of rr_flow_stats) of an open dp. */
__u32 rr_xdp_max_flows(struct rr_dp *dp);

/* Asks the kernel to resolve the next hop towards dst (RTM_NEWNEIGH with
 * NTF_USE on the route's device), so that the XDP program's NO_NEIGH
 * passes end quickly. Best effort: 0 or a negative errno. */
int rr_neigh_kick(const struct rtprelay_endpoint *dst);

#endif /* RTPRELAY_DP_XDP_H */
