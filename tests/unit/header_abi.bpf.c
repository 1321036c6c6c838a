// SPDX-License-Identifier: GPL-2.0-only
/* The shared header compiled as BPF: its _Static_asserts run under the BPF
 * target, and the BTF of these globals lets test_header compare every
 * member offset with what the userspace compiler laid out. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

struct rtprelay_flow_key abi_flow_key SEC(".abi");
struct rtprelay_flow abi_flow SEC(".abi");
struct rtprelay_flow_stats abi_flow_stats SEC(".abi");
struct rtprelay_global_stats abi_global_stats SEC(".abi");

char LICENSE[] SEC("license") = "GPL";
