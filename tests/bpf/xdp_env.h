/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A private network namespace with the relay's two devices, static
 * neighbours and the XDP object loaded, for BPF_PROG_TEST_RUN fixtures and
 * the test-run benchmark. Addresses and MACs are the lab's (DESIGN.md).
 */
#ifndef RR_TEST_XDP_ENV_H
#define RR_TEST_XDP_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

/* sbc0/pbx0 are the relay's devices, sbcp/pbxp their veth peers (the
 * "SBC" and "PBX" hosts, whose MACs the static neighbours carry). */
#define MAC_SBC0	{ 0x02, 0x00, 0x00, 0x51, 0x00, 0x01 }
#define MAC_SBC_PEER	{ 0x02, 0x00, 0x00, 0x51, 0x00, 0x10 }	/* .10, ::10 */
#define MAC_SBC_NAT	{ 0x02, 0x00, 0x00, 0x51, 0x00, 0x20 }	/* .20, ::20 */
#define MAC_PBX0	{ 0x02, 0x00, 0x00, 0x13, 0x00, 0x01 }
#define MAC_PBX_PEER	{ 0x02, 0x00, 0x00, 0x13, 0x00, 0x10 }	/* .10, ::10 */
#define MAC_PBX_PEER2	{ 0x02, 0x00, 0x00, 0x13, 0x00, 0x11 }	/* .11, ::11 */

struct xdp_env {
	int if_sbc, if_pbx;
	int cpu;		/* the CPU this process is pinned to */
	int ncpus;		/* possible CPUs: per-CPU value count */
	struct bpf_object *obj;
	int prog_fd, flows_fd, stats_fd, global_fd, tx_fd;
	uint32_t max_flows;
};

/* Pins the process to its current CPU, unshares the network namespace,
 * builds the devices, loads obj_path (the rtprelay object, default map
 * sizes) and adds both devices to rr_tx_ports. Returns 0 or -1 with a
 * one-line reason in err. */
int xdp_env_setup(struct xdp_env *e, const char *obj_path, char *err, size_t errlen);
void xdp_env_close(struct xdp_env *e);

int xdp_env_run(const struct xdp_env *e, int prog_fd, const void *in, size_t len,
		int ifindex, void *out, uint32_t *out_len, uint32_t repeat,
		uint32_t *retval, uint32_t *duration);

int xdp_env_global(const struct xdp_env *e, uint64_t c[RTPRELAY_G_MAX]);
/* Sum of the per-CPU flow stats; rtp (optional) is this CPU's RTP view. */
int xdp_env_flow_stats(const struct xdp_env *e, uint32_t id,
		       struct rtprelay_flow_stats *sum, struct rtprelay_rtp_stats *rtp);
int xdp_env_flow_stats_zero(const struct xdp_env *e, uint32_t id);

/* Endpoint/key from text ("198.51.100.1", "2001:db8::1"); NULL: unset. */
struct rtprelay_endpoint rr_ep(const char *addr, uint16_t port);
struct rtprelay_flow_key rr_key(const char *addr, uint16_t port);

#endif
