// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kmod datapath backend (rr_dp_kmod_ops): the flow model of datapath.h
 * on rtprelay.ko's generic-netlink family, through rr_genl.c. The module
 * keeps one flow table in the initial network namespace; max_flows is a
 * module parameter there, so cfg->max_flows is only checked against it.
 */
#include <errno.h>
#include <datapath.h>
#include "rr_genl.h"
#include "dp_kmod.h"

static struct rr_genl *nl_of(struct rr_dp *dp)
{
	return dp->priv;
}

const char *rr_dp_kmod_errmsg(struct rr_dp *dp)
{
	return rr_genl_errmsg(nl_of(dp));
}

static int kmod_open(struct rr_dp *dp, const struct rr_dp_config *cfg)
{
	struct rr_genl *nl;
	__u32 max_flows;
	int err;

	err = rr_genl_open(&nl);
	if (err)
		return err;
	err = rr_genl_stats(nl, NULL, NULL, &max_flows);
	if (!err && cfg && cfg->max_flows && cfg->max_flows > max_flows)
		err = -ERANGE;	/* module loaded with a smaller max_flows */
	if (err) {
		rr_genl_close(nl);
		return err;
	}
	dp->priv = nl;
	return 0;
}

static void kmod_close(struct rr_dp *dp, bool keep_flows)
{
	if (!keep_flows)
		rr_genl_flush(nl_of(dp), NULL);
	rr_genl_close(nl_of(dp));
	dp->priv = NULL;
}

static int kmod_flow_add(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			 const struct rtprelay_flow *flow)
{
	/* The module starts every installed flow with zeroed counters. */
	return rr_genl_flow_add(nl_of(dp), key, flow, false);
}

static int kmod_flow_del(struct rr_dp *dp, const struct rtprelay_flow_key *key)
{
	return rr_genl_flow_del(nl_of(dp), key);
}

static int kmod_flow_get(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			 struct rtprelay_flow *flow)
{
	return rr_genl_flow_get(nl_of(dp), key, flow, NULL);
}

static int kmod_flow_stats(struct rr_dp *dp, __u32 id,
			   struct rtprelay_flow_stats *stats)
{
	return rr_genl_flow_get_id(nl_of(dp), id, NULL, NULL, stats);
}

struct kmod_walk {
	int (*fn)(const struct rtprelay_flow_key *key,
		  const struct rtprelay_flow *flow, void *arg);
	void *arg;
};

static int kmod_walk_one(const struct rtprelay_flow_key *key,
			 const struct rtprelay_flow *flow,
			 const struct rtprelay_flow_stats *stats, void *arg)
{
	struct kmod_walk *w = arg;

	return w->fn(key, flow, w->arg);
}

static int kmod_flow_walk(struct rr_dp *dp,
			  int (*fn)(const struct rtprelay_flow_key *key,
				    const struct rtprelay_flow *flow, void *arg),
			  void *arg)
{
	struct kmod_walk w = { .fn = fn, .arg = arg };

	return rr_genl_flow_dump(nl_of(dp), kmod_walk_one, &w);
}

static int kmod_global_stats(struct rr_dp *dp,
			     struct rtprelay_global_stats *stats)
{
	return rr_genl_stats(nl_of(dp), stats, NULL, NULL);
}

const struct rr_dp_ops rr_dp_kmod_ops = {
	.name = "kmod",
	.open = kmod_open,
	.close = kmod_close,
	.flow_add = kmod_flow_add,
	.flow_del = kmod_flow_del,
	.flow_get = kmod_flow_get,
	.flow_stats = kmod_flow_stats,
	.flow_walk = kmod_flow_walk,
	.global_stats = kmod_global_stats,
};
