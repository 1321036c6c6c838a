/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace client of the rtprelay.ko generic-netlink family
 * (include/rtprelay/genl.h). Used by the kmod datapath backend
 * (dp_kmod.c), rtprelayctl --backend kmod and the VM tests.
 *
 * Every function returns 0 or a negative errno; after an error,
 * rr_genl_errmsg() gives the kernel's extack message ("" if none).
 */
#ifndef RTPRELAY_RR_GENL_H
#define RTPRELAY_RR_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

struct rr_genl;

/* -ENOENT: the rtprelay family is not registered (module not loaded). */
int rr_genl_open(struct rr_genl **out);
void rr_genl_close(struct rr_genl *nl);
const char *rr_genl_errmsg(const struct rr_genl *nl);

/* excl: fail with -EEXIST instead of replacing a flow at key. */
int rr_genl_flow_add(struct rr_genl *nl, const struct rtprelay_flow_key *key,
		     const struct rtprelay_flow *flow, bool excl);
int rr_genl_flow_del(struct rr_genl *nl, const struct rtprelay_flow_key *key);
/* flow and stats may be NULL. */
int rr_genl_flow_get(struct rr_genl *nl, const struct rtprelay_flow_key *key,
		     struct rtprelay_flow *flow,
		     struct rtprelay_flow_stats *stats);
int rr_genl_flow_get_id(struct rr_genl *nl, __u32 id,
			struct rtprelay_flow_key *key, struct rtprelay_flow *flow,
			struct rtprelay_flow_stats *stats);

typedef int (*rr_genl_flow_fn)(const struct rtprelay_flow_key *key,
			       const struct rtprelay_flow *flow,
			       const struct rtprelay_flow_stats *stats,
			       void *arg);
/* Calls fn for every flow; a non-zero return stops and is returned. */
int rr_genl_flow_dump(struct rr_genl *nl, rr_genl_flow_fn fn, void *arg);

/* Any output pointer may be NULL. */
int rr_genl_stats(struct rr_genl *nl, struct rtprelay_global_stats *gs,
		  __u32 *flow_count, __u32 *max_flows);
int rr_genl_flush(struct rr_genl *nl, __u32 *removed);

/* Idle-flow notifications: subscribe once, then wait for events.
 * rr_genl_idle_wait returns 1 with an event, 0 on timeout. */
int rr_genl_idle_subscribe(struct rr_genl *nl);
int rr_genl_idle_wait(struct rr_genl *nl, int timeout_ms,
		      struct rtprelay_flow_key *key,
		      struct rtprelay_flow *flow,
		      struct rtprelay_flow_stats *stats);

/* Tests: send cmd with arbitrary attributes and wait for the ack. */
struct rr_genl_raw_attr {
	__u16 type;
	__u16 len;
	const void *data;
};
int rr_genl_raw(struct rr_genl *nl, __u8 cmd, __u16 nlflags,
		const struct rr_genl_raw_attr *attrs, size_t n);

#endif /* RTPRELAY_RR_GENL_H */
