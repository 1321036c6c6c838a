// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table: an RCU hash of rr_entry keyed by rtprelay_flow_key, and a
 * flow-id index (xarray). Packets look up without locks; writers (genl,
 * serialised by the genetlink mutex, and latching from the packet path)
 * take rr_lock. Removed entries are freed after a grace period.
 */
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/xarray.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>
#include <linux/timekeeping.h>
#include <linux/moduleparam.h>
#include "rtprelay.h"

unsigned int rr_max_flows;
static struct hlist_head *rr_buckets;
static unsigned int rr_nbuckets;	/* power of two */
static u32 rr_seed;
static unsigned int rr_count_flows;
static DEFINE_SPINLOCK(rr_lock);
static DEFINE_XARRAY(rr_ids);		/* id -> entry */

/* Live entries + actions: 2 per installed flow, 0 once flushed and a grace
 * period passed. Read-only parameter live_objects; checked at unload. */
static atomic_long_t rr_live = ATOMIC_LONG_INIT(0);

static int rr_live_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&rr_live));
}

static const struct kernel_param_ops rr_live_ops = { .get = rr_live_get };
module_param_cb(live_objects, &rr_live_ops, NULL, 0444);
MODULE_PARM_DESC(live_objects, "flow entries + actions allocated (leak check)");

static struct rr_act *rr_act_alloc(gfp_t gfp)
{
	struct rr_act *act = kmalloc(sizeof(*act), gfp);

	if (act)
		atomic_long_inc(&rr_live);
	return act;
}

static void rr_act_free(struct rr_act *act)
{
	if (!act)
		return;
	kfree(act);
	atomic_long_dec(&rr_live);
}

/* Not kfree_rcu(): rcu_barrier() at unload must wait for these too. */
static void rr_act_free_rcu(struct rcu_head *head)
{
	rr_act_free(container_of(head, struct rr_act, rcu));
}

static struct hlist_head *rr_bucket(const struct rtprelay_flow_key *key)
{
	u32 h = jhash2((const u32 *)key, sizeof(*key) / 4, rr_seed);

	return &rr_buckets[h & (rr_nbuckets - 1)];
}

int rr_table_init(unsigned int buckets, unsigned int max_flows)
{
	unsigned int i;

	rr_nbuckets = roundup_pow_of_two(clamp(buckets, 16u, 1u << 24));
	rr_max_flows = max_flows;
	rr_buckets = kvmalloc_array(rr_nbuckets, sizeof(*rr_buckets), GFP_KERNEL);
	if (!rr_buckets)
		return -ENOMEM;
	for (i = 0; i < rr_nbuckets; i++)
		INIT_HLIST_HEAD(&rr_buckets[i]);
	rr_seed = get_random_u32();
	return 0;
}

static void rr_entry_free_rcu(struct rcu_head *head)
{
	struct rr_entry *e = container_of(head, struct rr_entry, rcu);

	/* A grace period has passed: nobody reads e or its act any more. */
	rr_act_free(rcu_dereference_protected(e->act, 1));
	free_percpu(e->stats);
	kfree(e);
	atomic_long_dec(&rr_live);
}

void rr_table_exit(void)
{
	rr_flush();
	rcu_barrier();		/* every rr_*_free_rcu has run */
	WARN(atomic_long_read(&rr_live), "rtprelay: %ld flow objects leaked\n",
	     atomic_long_read(&rr_live));
	xa_destroy(&rr_ids);
	kvfree(rr_buckets);
}

struct rr_entry *rr_lookup(const struct rtprelay_flow_key *key)
{
	struct rr_entry *e;

	hlist_for_each_entry_rcu(e, rr_bucket(key), node,
				 lockdep_is_held(&rr_lock))
		if (!memcmp(&e->key, key, sizeof(*key)))
			return e;
	return NULL;
}

struct rr_entry *rr_lookup_id(u32 id)
{
	return xa_load(&rr_ids, id);
}

static struct rr_entry *rr_entry_alloc(const struct rtprelay_flow_key *key,
				       const struct rtprelay_flow *flow)
{
	struct rr_entry *e;
	struct rr_act *act;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return NULL;
	atomic_long_inc(&rr_live);
	act = rr_act_alloc(GFP_KERNEL);
	e->stats = alloc_percpu(struct rtprelay_flow_stats);
	if (!act || !e->stats)
		goto err;
	e->key = *key;
	act->flow = *flow;
	RCU_INIT_POINTER(e->act, act);
	e->created_ns = ktime_get_ns();
	return e;
err:
	rr_act_free(act);
	free_percpu(e->stats);
	kfree(e);
	atomic_long_dec(&rr_live);
	return NULL;
}

int rr_flow_add(const struct rtprelay_flow_key *key,
		const struct rtprelay_flow *flow, bool excl,
		struct netlink_ext_ack *extack)
{
	struct rr_entry *e, *old, *owner;
	u32 old_id = 0;
	int err;

	/* Writers are serialised by the genetlink mutex, so old and owner
	 * cannot change under us; rr_lock orders us against latching. */
	rcu_read_lock();
	old = rr_lookup(key);
	owner = rr_lookup_id(flow->id);
	if (old)
		old_id = rcu_dereference(old->act)->flow.id;
	rcu_read_unlock();
	if (old && excl) {
		NL_SET_ERR_MSG(extack, "a flow is already installed at this key");
		return -EEXIST;
	}
	if (owner && owner != old) {
		NL_SET_ERR_MSG(extack, "flow id is used by a flow at another key");
		return -EEXIST;
	}

	e = rr_entry_alloc(key, flow);
	if (!e)
		return -ENOMEM;
	err = xa_err(xa_store(&rr_ids, flow->id, e, GFP_KERNEL));
	if (err) {
		rr_entry_free_rcu(&e->rcu);
		return err;
	}

	spin_lock_bh(&rr_lock);
	if (old) {
		hlist_replace_rcu(&old->node, &e->node);
	} else {
		hlist_add_head_rcu(&e->node, rr_bucket(key));
		rr_count_flows++;
	}
	spin_unlock_bh(&rr_lock);

	if (old) {
		if (old_id != flow->id)
			xa_cmpxchg(&rr_ids, old_id, old, NULL, GFP_KERNEL);
		call_rcu(&old->rcu, rr_entry_free_rcu);
	}
	return 0;
}

static void rr_unlink(struct rr_entry *e)
{
	u32 id = rcu_dereference_protected(e->act, 1)->flow.id;

	/* Erasing never allocates; GFP_ATOMIC as flush calls us locked. */
	xa_cmpxchg(&rr_ids, id, e, NULL, GFP_ATOMIC);
	call_rcu(&e->rcu, rr_entry_free_rcu);
}

int rr_flow_del(const struct rtprelay_flow_key *key)
{
	struct rr_entry *e;

	spin_lock_bh(&rr_lock);
	e = rr_lookup(key);
	if (e) {
		hlist_del_rcu(&e->node);
		rr_count_flows--;
	}
	spin_unlock_bh(&rr_lock);
	if (!e)
		return -ENOENT;
	rr_unlink(e);
	return 0;
}

unsigned int rr_flush(void)
{
	struct hlist_node *tmp;
	struct rr_entry *e;
	unsigned int i, n = 0;

	for (i = 0; i < rr_nbuckets; i++) {
		spin_lock_bh(&rr_lock);
		hlist_for_each_entry_safe(e, tmp, &rr_buckets[i], node) {
			hlist_del_rcu(&e->node);
			rr_count_flows--;
			n++;
			rr_unlink(e);
		}
		spin_unlock_bh(&rr_lock);
		cond_resched();
	}
	return n;
}

unsigned int rr_flow_count(void)
{
	return READ_ONCE(rr_count_flows);
}

int rr_walk(unsigned long *bucket, unsigned long *idx,
	    int (*fn)(struct rr_entry *e, void *arg), void *arg)
{
	struct rr_entry *e;
	unsigned long i;
	int ret;

	for (; *bucket < rr_nbuckets; (*bucket)++, *idx = 0) {
		i = 0;
		hlist_for_each_entry_rcu(e, &rr_buckets[*bucket], node) {
			if (i++ < *idx)
				continue;
			ret = fn(e, arg);
			if (ret)
				return ret;
			(*idx)++;
		}
	}
	return 0;
}

void rr_entry_stats(const struct rr_entry *e, struct rtprelay_flow_stats *out)
{
	const struct rtprelay_flow_stats *s;
	u32 best = 0;
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(e->stats, cpu);
		out->packets += s->packets;
		out->bytes += s->bytes;
		out->rtcp_packets += s->rtcp_packets;
		out->rtcp_bytes += s->rtcp_bytes;
		out->last_seen_ns = max(out->last_seen_ns, s->last_seen_ns);
		for (i = 0; i < RTPRELAY_FDROP_MAX; i++)
			out->drops[i] += s->drops[i];
		if (s->rtp.received > best) {
			best = s->rtp.received;
			out->rtp = s->rtp;
		}
	}
}

/*
 * Learn src into e's expect (flag LATCHED) and point the reverse flow's
 * out_dst at it: both actions are replaced whole under rr_lock. Returns
 * -ENOMEM when a copy cannot be allocated (nothing changed).
 */
int rr_latch(struct rr_entry *e, const struct rtprelay_endpoint *src)
{
	struct rr_act *cur, *act, *rcur = NULL, *ract = NULL;
	struct rr_entry *rev = NULL;
	int err = 0;

	act = rr_act_alloc(GFP_ATOMIC);
	ract = rr_act_alloc(GFP_ATOMIC);
	if (!act || !ract) {
		err = -ENOMEM;
		goto out;
	}
	spin_lock(&rr_lock);
	cur = rcu_dereference_protected(e->act, lockdep_is_held(&rr_lock));
	if (cur->flow.flags & RTPRELAY_F_LATCHED)
		goto unlock;	/* another CPU won the race */
	act->flow = cur->flow;
	act->flow.expect = *src;
	act->flow.flags |= RTPRELAY_F_LATCHED;
	if (cur->flow.reverse.local.family)
		rev = rr_lookup(&cur->flow.reverse);
	if (rev && rev != e) {
		rcur = rcu_dereference_protected(rev->act,
						 lockdep_is_held(&rr_lock));
		ract->flow = rcur->flow;
		ract->flow.out_dst = *src;
		rcu_assign_pointer(rev->act, ract);
		ract = NULL;
	}
	rcu_assign_pointer(e->act, act);
	act = NULL;
	spin_unlock(&rr_lock);
	call_rcu(&cur->rcu, rr_act_free_rcu);
	if (rcur)
		call_rcu(&rcur->rcu, rr_act_free_rcu);
	goto out;
unlock:
	spin_unlock(&rr_lock);
out:
	rr_act_free(act);
	rr_act_free(ract);
	return err;
}
