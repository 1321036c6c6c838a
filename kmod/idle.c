// SPDX-License-Identifier: GPL-2.0-only
/*
 * Idle-flow announcements: once a second, while someone listens on the
 * "idle" multicast group, flows that have forwarded nothing for
 * idle_timeout seconds are announced (once per idle period) so that the
 * controller can tear down dead calls.
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <linux/timekeeping.h>
#include "rtprelay.h"

unsigned int rr_idle_timeout = 30;
module_param_named(idle_timeout, rr_idle_timeout, uint, 0644);
MODULE_PARM_DESC(idle_timeout, "seconds without packets before a flow is announced idle (0: never)");

static void rr_idle_scan(struct work_struct *work);
static DECLARE_DELAYED_WORK(rr_idle_work, rr_idle_scan);

static int rr_idle_check(struct rr_entry *e, void *arg)
{
	u64 now = *(u64 *)arg, last = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		last = max(last, per_cpu_ptr(e->stats, cpu)->last_seen_ns);
	if (!last)
		last = e->created_ns;
	if (now - last >= (u64)READ_ONCE(rr_idle_timeout) * NSEC_PER_SEC &&
	    e->idle_reported_ns != last) {
		e->idle_reported_ns = last;	/* only this worker writes it */
		rr_genl_notify_idle(e);
	}
	return 0;
}

static void rr_idle_scan(struct work_struct *work)
{
	unsigned long bucket = 0, idx = 0;
	u64 now = ktime_get_ns();

	if (READ_ONCE(rr_idle_timeout) && rr_genl_idle_listeners()) {
		rcu_read_lock();
		rr_walk(&bucket, &idx, rr_idle_check, &now);
		rcu_read_unlock();
	}
	schedule_delayed_work(&rr_idle_work, HZ);
}

void rr_idle_init(void)
{
	schedule_delayed_work(&rr_idle_work, HZ);
}

void rr_idle_exit(void)
{
	cancel_delayed_work_sync(&rr_idle_work);
}
