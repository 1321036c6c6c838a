// SPDX-License-Identifier: GPL-2.0-only
/*
 * rr_dp_xdp_ops: flows and counters of the XDP tier, on the maps pinned in
 * the pin directory by rr_xdp_attach (xdp_loader.c). Per-CPU maps are read
 * whole (one value per possible CPU) and summed here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <rtprelay/bpf_maps.h>

#include "dp_xdp.h"

struct xdp_priv {
	int flows_fd, stats_fd, global_fd;
	__u32 max_ids;		/* max_entries of rr_flow_stats */
	int ncpus;
	void *percpu;		/* ncpus * flow_stats (largest per-CPU value) */
};

/* libbpf lays per-CPU values out 8-byte aligned. */
#define PCPU_STRIDE(t)	((sizeof(t) + 7) & ~(size_t)7)

static struct xdp_priv *priv_of(struct rr_dp *dp)
{
	return dp->priv;
}

static int open_map(const char *dir, const char *name, __u32 key_size,
		    __u32 value_size, __u32 *max_entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[512];
	int fd, ret;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (ret) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* A map from another build of the structs would be misread. */
	if (info.key_size != key_size || info.value_size != value_size) {
		close(fd);
		return -EPROTO;
	}
	if (max_entries)
		*max_entries = info.max_entries;
	return fd;
}

static void xdp_close(struct rr_dp *dp, bool keep_flows);

static int xdp_open(struct rr_dp *dp, const struct rr_dp_config *cfg)
{
	const char *dir = cfg && cfg->pin_dir ? cfg->pin_dir : RTPRELAY_PIN_DIR_DEFAULT;
	struct xdp_priv *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->flows_fd = p->stats_fd = p->global_fd = -1;
	dp->priv = p;
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0) {
		ret = p->ncpus ? p->ncpus : -EINVAL;
		goto fail;
	}
	p->percpu = calloc((size_t)p->ncpus, PCPU_STRIDE(struct rtprelay_flow_stats) +
			   PCPU_STRIDE(struct rtprelay_global_stats));
	if (!p->percpu) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = open_map(dir, RTPRELAY_MAP_FLOWS, sizeof(struct rtprelay_flow_key),
		       sizeof(struct rtprelay_flow), NULL);
	if (ret < 0)
		goto fail;
	p->flows_fd = ret;
	ret = open_map(dir, RTPRELAY_MAP_FLOW_STATS, sizeof(__u32),
		       sizeof(struct rtprelay_flow_stats), &p->max_ids);
	if (ret < 0)
		goto fail;
	p->stats_fd = ret;
	ret = open_map(dir, RTPRELAY_MAP_GLOBAL, sizeof(__u32),
		       sizeof(struct rtprelay_global_stats), NULL);
	if (ret < 0)
		goto fail;
	p->global_fd = ret;
	return 0;
fail:
	xdp_close(dp, true);
	return ret;
}

static int xdp_flow_del(struct rr_dp *dp, const struct rtprelay_flow_key *key)
{
	if (bpf_map_delete_elem(priv_of(dp)->flows_fd, key))
		return -errno;
	return 0;
}

static void xdp_close(struct rr_dp *dp, bool keep_flows)
{
	struct xdp_priv *p = priv_of(dp);
	struct rtprelay_flow_key key, next;

	if (!p)
		return;
	/* The flows map belongs to one controller: without keep_flows, the
	 * relay stops forwarding everything that was installed. */
	if (!keep_flows && p->flows_fd >= 0)
		while (!bpf_map_get_next_key(p->flows_fd, NULL, &next)) {
			key = next;
			if (bpf_map_delete_elem(p->flows_fd, &key))
				break;
		}
	if (p->flows_fd >= 0)
		close(p->flows_fd);
	if (p->stats_fd >= 0)
		close(p->stats_fd);
	if (p->global_fd >= 0)
		close(p->global_fd);
	free(p->percpu);
	free(p);
	dp->priv = NULL;
}

static bool family_ok(__u8 f)
{
	return f == RTPRELAY_AF_INET || f == RTPRELAY_AF_INET6;
}

static int xdp_flow_add(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			const struct rtprelay_flow *flow)
{
	struct xdp_priv *p = priv_of(dp);
	size_t sz = (size_t)p->ncpus * PCPU_STRIDE(struct rtprelay_flow_stats);

	if (flow->id >= p->max_ids)
		return -ERANGE;
	/* No v4/v6 bridging in XDP; families are all the packet's. */
	if (!family_ok(key->local.family) || flow->out_src.family != key->local.family ||
	    flow->out_dst.family != key->local.family ||
	    (flow->expect.family && flow->expect.family != key->local.family) ||
	    (flow->flags & ~(__u32)(RTPRELAY_F_USER_MASK | RTPRELAY_F_LATCHED)) ||
	    flow->dscp > RTPRELAY_DSCP_MAX)
		return -EINVAL;
	memset(p->percpu, 0, sz);
	if (bpf_map_update_elem(p->stats_fd, &flow->id, p->percpu, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(p->flows_fd, key, flow, BPF_ANY))
		return -errno;
	/* The program passes packets to the stack until the next hop is
	 * resolved; ask for it now rather than on the first packet. */
	rr_neigh_kick(&flow->out_dst);
	return 0;
}

static int xdp_flow_get(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			struct rtprelay_flow *flow)
{
	if (bpf_map_lookup_elem(priv_of(dp)->flows_fd, key, flow))
		return -errno;
	return 0;
}

static int xdp_flow_stats(struct rr_dp *dp, __u32 id,
			  struct rtprelay_flow_stats *st)
{
	struct xdp_priv *p = priv_of(dp);
	const size_t stride = PCPU_STRIDE(struct rtprelay_flow_stats);
	__u32 best = 0;
	int cpu, i;

	if (id >= p->max_ids)
		return -ERANGE;
	if (bpf_map_lookup_elem(p->stats_fd, &id, p->percpu))
		return -errno;
	memset(st, 0, sizeof(*st));
	for (cpu = 0; cpu < p->ncpus; cpu++) {
		const struct rtprelay_flow_stats *c =
			(const void *)((const char *)p->percpu + (size_t)cpu * stride);

		st->packets += c->packets;
		st->bytes += c->bytes;
		st->rtcp_packets += c->rtcp_packets;
		st->rtcp_bytes += c->rtcp_bytes;
		if (c->last_seen_ns > st->last_seen_ns)
			st->last_seen_ns = c->last_seen_ns;
		for (i = 0; i < RTPRELAY_FDROP_MAX; i++)
			st->drops[i] += c->drops[i];
		/* RTP state cannot be summed: one stream is normally steered
		 * to one CPU, so take the CPU that saw most of it. */
		if (cpu == 0 || c->rtp.received > best) {
			best = c->rtp.received;
			st->rtp = c->rtp;
		}
	}
	return 0;
}

static int xdp_flow_walk(struct rr_dp *dp,
			 int (*fn)(const struct rtprelay_flow_key *key,
				   const struct rtprelay_flow *flow, void *arg),
			 void *arg)
{
	struct xdp_priv *p = priv_of(dp);
	struct rtprelay_flow_key key, next;
	struct rtprelay_flow flow;
	const void *prev = NULL;
	int ret;

	while (!bpf_map_get_next_key(p->flows_fd, prev, &next)) {
		key = next;
		prev = &key;
		/* Deleted between the two calls: skip it. */
		if (bpf_map_lookup_elem(p->flows_fd, &key, &flow))
			continue;
		ret = fn(&key, &flow, arg);
		if (ret)
			return ret;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int xdp_global_stats(struct rr_dp *dp, struct rtprelay_global_stats *st)
{
	struct xdp_priv *p = priv_of(dp);
	const size_t stride = PCPU_STRIDE(struct rtprelay_global_stats);
	__u32 zero = 0;
	int cpu, i;

	if (bpf_map_lookup_elem(p->global_fd, &zero, p->percpu))
		return -errno;
	memset(st, 0, sizeof(*st));
	for (cpu = 0; cpu < p->ncpus; cpu++) {
		const struct rtprelay_global_stats *c =
			(const void *)((const char *)p->percpu + (size_t)cpu * stride);

		for (i = 0; i < RTPRELAY_G_MAX; i++)
			st->counters[i] += c->counters[i];
	}
	return 0;
}

struct id_scan {
	unsigned char *used;
	__u32 max;
};

static int mark_used(const struct rtprelay_flow_key *key,
		     const struct rtprelay_flow *flow, void *arg)
{
	struct id_scan *s = arg;

	if (flow->id < s->max)
		s->used[flow->id / 8] |= (unsigned char)(1u << (flow->id % 8));
	return 0;
}

int rr_xdp_alloc_id(struct rr_dp *dp, __u32 *id)
{
	struct xdp_priv *p = priv_of(dp);
	struct id_scan s = { .max = p->max_ids };
	__u32 i;
	int ret;

	s.used = calloc(s.max / 8 + 1, 1);
	if (!s.used)
		return -ENOMEM;
	ret = xdp_flow_walk(dp, mark_used, &s);
	if (ret)
		goto out;
	ret = -ENOSPC;
	for (i = 0; i < s.max; i++)
		if (!(s.used[i / 8] & (1u << (i % 8)))) {
			*id = i;
			ret = 0;
			break;
		}
out:
	free(s.used);
	return ret;
}

__u32 rr_xdp_max_flows(struct rr_dp *dp)
{
	return priv_of(dp)->max_ids;
}

const struct rr_dp_ops rr_dp_xdp_ops = {
	.name = "xdp",
	.open = xdp_open,
	.close = xdp_close,
	.flow_add = xdp_flow_add,
	.flow_del = xdp_flow_del,
	.flow_get = xdp_flow_get,
	.flow_stats = xdp_flow_stats,
	.flow_walk = xdp_flow_walk,
	.global_stats = xdp_global_stats,
};
