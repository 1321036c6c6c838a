// SPDX-License-Identifier: GPL-2.0-only
/* rtprelay XDP data path (placeholder until the forwarder lands: passes all). */
#include "maps.bpf.h"

SEC("xdp")
int rtprelay_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
