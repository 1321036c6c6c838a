// SPDX-License-Identifier: GPL-2.0-only
/* A private netns with the relay's devices and the XDP object; xdp_env.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <rtprelay/bpf_maps.h>

#include "xdp_env.h"

/* Runs inside the new namespace (system() children inherit it). Per-device
 * forwarding: bpf_fib_lookup() returns FWD_DISABLED without it. */
static const char net_script[] =
	"set -e\n"
	"ip link set lo up\n"
	"ip link add sbc0 address 02:00:00:51:00:01 type veth peer name sbcp address 02:00:00:51:00:10\n"
	"ip link add pbx0 address 02:00:00:13:00:01 type veth peer name pbxp address 02:00:00:13:00:10\n"
	"for d in sbc0 sbcp pbx0 pbxp; do ip link set $d up; done\n"
	"ip addr add 198.51.100.1/24 dev sbc0\n"
	"ip -6 addr add 2001:db8:51::1/64 dev sbc0 nodad\n"
	"ip addr add 203.0.113.1/24 dev pbx0\n"
	"ip -6 addr add 2001:db8:113::1/64 dev pbx0 nodad\n"
	"n() { ip neigh replace $1 lladdr $2 dev $3 nud permanent; }\n"
	"n 198.51.100.10 02:00:00:51:00:10 sbc0\n"
	"n 2001:db8:51::10 02:00:00:51:00:10 sbc0\n"
	"n 198.51.100.20 02:00:00:51:00:20 sbc0\n"
	"n 2001:db8:51::20 02:00:00:51:00:20 sbc0\n"
	"n 203.0.113.10 02:00:00:13:00:10 pbx0\n"
	"n 2001:db8:113::10 02:00:00:13:00:10 pbx0\n"
	"n 203.0.113.11 02:00:00:13:00:11 pbx0\n"
	"n 2001:db8:113::11 02:00:00:13:00:11 pbx0\n"
	"for d in sbc0 pbx0; do\n"
	"  sysctl -qw net.ipv4.conf.$d.forwarding=1 net.ipv6.conf.$d.forwarding=1\n"
	"done\n";

static int map_fd(struct xdp_env *e, const char *name, char *err, size_t errlen)
{
	struct bpf_map *m = bpf_object__find_map_by_name(e->obj, name);

	if (!m) {
		snprintf(err, errlen, "map %s not in the object", name);
		return -1;
	}
	return bpf_map__fd(m);
}

int xdp_env_setup(struct xdp_env *e, const char *obj_path, char *err, size_t errlen)
{
	struct bpf_program *prog;
	cpu_set_t set;
	int rc;

	memset(e, 0, sizeof(*e));
	e->prog_fd = e->flows_fd = e->stats_fd = e->global_fd = e->tx_fd = -1;
	if (geteuid() != 0) {
		snprintf(err, errlen, "needs root (network namespace, BPF): run as root");
		return -1;
	}
	/* One CPU: the RTP view is per CPU, and benchmarks want no migration. */
	e->cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(e->cpu, &set);
	if (e->cpu < 0 || sched_setaffinity(0, sizeof(set), &set)) {
		snprintf(err, errlen, "cannot pin to a CPU: %s", strerror(errno));
		return -1;
	}
	if (unshare(CLONE_NEWNET)) {
		snprintf(err, errlen, "unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	rc = system(net_script);
	if (rc != 0) {
		snprintf(err, errlen, "network setup in the private netns failed (status %d)", rc);
		return -1;
	}
	e->if_sbc = (int)if_nametoindex("sbc0");
	e->if_pbx = (int)if_nametoindex("pbx0");
	if (!e->if_sbc || !e->if_pbx) {
		snprintf(err, errlen, "sbc0/pbx0 missing after setup");
		return -1;
	}
	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs");
		return -1;
	}

	e->obj = bpf_object__open_file(obj_path, NULL);
	if (!e->obj) {
		snprintf(err, errlen, "%s: cannot open: %s", obj_path, strerror(errno));
		return -1;
	}
	rc = bpf_object__load(e->obj);
	if (rc) {
		snprintf(err, errlen, "%s: load failed: %s", obj_path, strerror(-rc));
		return -1;
	}
	prog = bpf_object__find_program_by_name(e->obj, RTPRELAY_PROG_XDP);
	if (!prog) {
		snprintf(err, errlen, "%s: no program %s", obj_path, RTPRELAY_PROG_XDP);
		return -1;
	}
	e->prog_fd = bpf_program__fd(prog);
	if ((e->flows_fd = map_fd(e, RTPRELAY_MAP_FLOWS, err, errlen)) < 0 ||
	    (e->stats_fd = map_fd(e, RTPRELAY_MAP_FLOW_STATS, err, errlen)) < 0 ||
	    (e->global_fd = map_fd(e, RTPRELAY_MAP_GLOBAL, err, errlen)) < 0 ||
	    (e->tx_fd = map_fd(e, RTPRELAY_MAP_TX_PORTS, err, errlen)) < 0)
		return -1;
	e->max_flows = bpf_map__max_entries(
		bpf_object__find_map_by_name(e->obj, RTPRELAY_MAP_FLOWS));

	/* The loader adds every attached device; here both relay devices. */
	for (int i = 0; i < 2; i++) {
		__u32 ifi = (__u32)(i ? e->if_pbx : e->if_sbc);

		if (bpf_map_update_elem(e->tx_fd, &ifi, &ifi, BPF_ANY)) {
			snprintf(err, errlen, "rr_tx_ports add %u: %s", ifi, strerror(errno));
			return -1;
		}
	}
	return 0;
}

void xdp_env_close(struct xdp_env *e)
{
	bpf_object__close(e->obj);
	e->obj = NULL;
}

int xdp_env_run(const struct xdp_env *e, int prog_fd, const void *in, size_t len,
		int ifindex, void *out, uint32_t *out_len, uint32_t repeat,
		uint32_t *retval, uint32_t *duration)
{
	struct xdp_md ctx = {
		.data_end = (__u32)len,
		.ingress_ifindex = (__u32)ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = in,
		.data_size_in = (__u32)len,
		.data_out = out,
		.data_size_out = out_len ? *out_len : 0,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = repeat,
	);
	int rc = bpf_prog_test_run_opts(prog_fd, &o);

	if (rc)
		return -errno;
	if (out_len)
		*out_len = o.data_size_out;
	if (retval)
		*retval = o.retval;
	if (duration)
		*duration = o.duration;
	return 0;
}

int xdp_env_global(const struct xdp_env *e, uint64_t c[RTPRELAY_G_MAX])
{
	struct rtprelay_global_stats *v = calloc((size_t)e->ncpus, sizeof(*v));
	__u32 key = 0;
	int rc = -1;

	if (!v)
		return -1;
	memset(c, 0, sizeof(uint64_t) * RTPRELAY_G_MAX);
	if (bpf_map_lookup_elem(e->global_fd, &key, v))
		goto out;
	for (int cpu = 0; cpu < e->ncpus; cpu++)
		for (int i = 0; i < RTPRELAY_G_MAX; i++)
			c[i] += v[cpu].counters[i];
	rc = 0;
out:
	free(v);
	return rc;
}

int xdp_env_flow_stats(const struct xdp_env *e, uint32_t id,
		       struct rtprelay_flow_stats *sum, struct rtprelay_rtp_stats *rtp)
{
	struct rtprelay_flow_stats *v = calloc((size_t)e->ncpus, sizeof(*v));
	int rc = -1;

	_Static_assert(sizeof(*v) % 8 == 0, "per-CPU values are 8-byte aligned");
	if (!v)
		return -1;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(e->stats_fd, &id, v))
		goto out;
	for (int cpu = 0; cpu < e->ncpus; cpu++) {
		sum->packets += v[cpu].packets;
		sum->bytes += v[cpu].bytes;
		sum->rtcp_packets += v[cpu].rtcp_packets;
		sum->rtcp_bytes += v[cpu].rtcp_bytes;
		if (v[cpu].last_seen_ns > sum->last_seen_ns)
			sum->last_seen_ns = v[cpu].last_seen_ns;
		for (int i = 0; i < RTPRELAY_FDROP_MAX; i++)
			sum->drops[i] += v[cpu].drops[i];
	}
	sum->rtp = v[e->cpu].rtp;
	if (rtp)
		*rtp = v[e->cpu].rtp;
	rc = 0;
out:
	free(v);
	return rc;
}

int xdp_env_flow_stats_zero(const struct xdp_env *e, uint32_t id)
{
	struct rtprelay_flow_stats *v = calloc((size_t)e->ncpus, sizeof(*v));
	int rc;

	if (!v)
		return -1;
	rc = bpf_map_update_elem(e->stats_fd, &id, v, BPF_ANY);
	free(v);
	return rc;
}

struct rtprelay_endpoint rr_ep(const char *addr, uint16_t port)
{
	struct rtprelay_endpoint ep;

	memset(&ep, 0, sizeof(ep));
	if (!addr)
		return ep;
	if (strchr(addr, ':')) {
		if (inet_pton(AF_INET6, addr, &ep.addr) != 1)
			abort();
		ep.family = RTPRELAY_AF_INET6;
	} else {
		if (inet_pton(AF_INET, addr, &ep.addr.v4) != 1)
			abort();
		ep.family = RTPRELAY_AF_INET;
	}
	ep.port = htons(port);
	return ep;
}

struct rtprelay_flow_key rr_key(const char *addr, uint16_t port)
{
	struct rtprelay_flow_key k;

	memset(&k, 0, sizeof(k));
	k.local = rr_ep(addr, port);
	return k;
}
