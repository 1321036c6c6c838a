/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One small interface over the three forwarding tiers (XDP, kernel module,
 * userspace socket relay). rtprelayd and rtprelayctl program flows only
 * through it, so a flow means the same thing whichever tier carries it.
 *
 * All functions return 0 or a negative errno.
 */
#ifndef RTPRELAY_DATAPATH_H
#define RTPRELAY_DATAPATH_H

#include <stdbool.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

enum rr_dp_kind {
	RR_DP_XDP,
	RR_DP_KMOD,
	RR_DP_USER,
};

struct rr_dp_config {
	const char *pin_dir;		/* XDP: NULL = RTPRELAY_PIN_DIR_DEFAULT */
	unsigned int max_flows;		/* 0 = RTPRELAY_MAX_FLOWS_DEFAULT */
};

struct rr_dp;

struct rr_dp_ops {
	const char *name;
	int (*open)(struct rr_dp *dp, const struct rr_dp_config *cfg);
	/* keep_flows: leave installed flows forwarding (controller restart). */
	void (*close)(struct rr_dp *dp, bool keep_flows);
	/* Install or replace the flow at key; flow->id is chosen by the caller
	 * (rr_dp_id_*), and the backend zeroes that id's counters first. */
	int (*flow_add)(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			const struct rtprelay_flow *flow);
	int (*flow_del)(struct rr_dp *dp, const struct rtprelay_flow_key *key);
	int (*flow_get)(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			struct rtprelay_flow *flow);
	/* Counters summed over CPUs; rtp view from the busiest CPU. */
	int (*flow_stats)(struct rr_dp *dp, __u32 id,
			  struct rtprelay_flow_stats *stats);
	/* Calls fn for each installed flow; a non-zero return stops the walk
	 * and is returned. */
	int (*flow_walk)(struct rr_dp *dp,
			 int (*fn)(const struct rtprelay_flow_key *key,
				   const struct rtprelay_flow *flow, void *arg),
			 void *arg);
	int (*global_stats)(struct rr_dp *dp,
			    struct rtprelay_global_stats *stats);
};

struct rr_dp {
	const struct rr_dp_ops *ops;
	void *priv;			/* backend state */
};

/* Highest flow id below max that no installed flow uses (walks the flows);
 * rtprelayd's own ids count up from 0. */
int rr_dp_alloc_id(struct rr_dp *dp, __u32 max, __u32 *id);

extern const struct rr_dp_ops rr_dp_xdp_ops;
extern const struct rr_dp_ops rr_dp_kmod_ops;
extern const struct rr_dp_ops rr_dp_user_ops;

#endif /* RTPRELAY_DATAPATH_H */
