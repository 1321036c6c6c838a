/* SPDX-License-Identifier: GPL-2.0-only */
/* rtprelay.ko internals shared by its files (not UAPI). */
#ifndef RTPRELAY_KMOD_H
#define RTPRELAY_KMOD_H

#include <linux/types.h>
#include <linux/rcupdate.h>
#include <linux/percpu.h>
#include <linux/netlink.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

/* The flow action packets read; immutable once published, replaced whole
 * (latching, FLOW_ADD) so readers never see a half-written address. */
struct rr_act {
	struct rtprelay_flow flow;
	struct rcu_head rcu;
};

struct rr_entry {
	struct hlist_node node;			/* bucket, RCU */
	struct rtprelay_flow_key key;
	struct rr_act __rcu *act;
	struct rtprelay_flow_stats __percpu *stats;
	u64 created_ns;
	u64 idle_reported_ns;			/* last_seen already announced */
	struct rcu_head rcu;
};

/* flow_table.c */
extern unsigned int rr_max_flows;
int rr_table_init(unsigned int buckets, unsigned int max_flows);
void rr_table_exit(void);
struct rr_entry *rr_lookup(const struct rtprelay_flow_key *key);	/* RCU */
struct rr_entry *rr_lookup_id(u32 id);					/* RCU */
int rr_flow_add(const struct rtprelay_flow_key *key,
		const struct rtprelay_flow *flow, bool excl,
		struct netlink_ext_ack *extack);
int rr_flow_del(const struct rtprelay_flow_key *key);
unsigned int rr_flush(void);
unsigned int rr_flow_count(void);
/* Walk from cursor (bucket, index within bucket); fn returns non-zero to
 * stop, and the cursor then points at the entry that stopped it. RCU. */
int rr_walk(unsigned long *bucket, unsigned long *idx,
	    int (*fn)(struct rr_entry *e, void *arg), void *arg);
void rr_entry_stats(const struct rr_entry *e, struct rtprelay_flow_stats *out);
int rr_latch(struct rr_entry *e, const struct rtprelay_endpoint *src);

/* Global counters, per CPU. */
extern struct rtprelay_global_stats __percpu *rr_global;
static inline void rr_count(enum rtprelay_global_counter c)
{
	this_cpu_inc(rr_global->counters[c]);
}
void rr_global_sum(struct rtprelay_global_stats *out);

/* genl.c */
int rr_genl_init(void);
void rr_genl_exit(void);
bool rr_genl_idle_listeners(void);
void rr_genl_notify_idle(struct rr_entry *e);	/* RCU */

/* nf_hook.c */
int rr_nf_init(void);
void rr_nf_exit(void);

/* idle.c */
extern unsigned int rr_idle_timeout;
void rr_idle_init(void);
void rr_idle_exit(void);

#endif /* RTPRELAY_KMOD_H */
