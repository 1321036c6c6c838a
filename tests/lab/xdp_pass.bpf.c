// SPDX-License-Identifier: GPL-2.0-only
/* Attached to the lab's outer veths: a veth drops XDP_TX/REDIRECT frames
 * unless its peer runs an XDP program, so the peers run this one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
