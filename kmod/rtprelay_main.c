// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelay.ko: the kernel forwarding tier of rtprelay (docs/kmod.md).
 * Load order: table, counters, genetlink, hooks, idle scan; unload reverses
 * it, so no packet or request sees a half-built or half-freed module.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include "rtprelay.h"

static unsigned int buckets = 16384;
module_param(buckets, uint, 0444);
MODULE_PARM_DESC(buckets, "flow hash buckets (rounded up to a power of two)");

static unsigned int max_flows = RTPRELAY_MAX_FLOWS_DEFAULT;
module_param(max_flows, uint, 0444);
MODULE_PARM_DESC(max_flows, "flow ids must be below this; bounds the table");

struct rtprelay_global_stats __percpu *rr_global;

void rr_global_sum(struct rtprelay_global_stats *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu)
		for (i = 0; i < RTPRELAY_G_MAX; i++)
			out->counters[i] += per_cpu_ptr(rr_global, cpu)->counters[i];
}

static int __init rr_init(void)
{
	int err;

	if (!max_flows) {
		pr_err("rtprelay: max_flows must be at least 1\n");
		return -EINVAL;
	}
	err = rr_table_init(buckets, max_flows);
	if (err)
		return err;
	rr_global = alloc_percpu(struct rtprelay_global_stats);
	if (!rr_global) {
		err = -ENOMEM;
		goto err_table;
	}
	err = rr_genl_init();
	if (err)
		goto err_stats;
	err = rr_nf_init();
	if (err)
		goto err_genl;
	rr_idle_init();
	pr_info("rtprelay: loaded (max_flows %u)\n", max_flows);
	return 0;
err_genl:
	rr_genl_exit();
err_stats:
	free_percpu(rr_global);
err_table:
	rr_table_exit();
	return err;
}

static void __exit rr_exit(void)
{
	rr_idle_exit();
	rr_nf_exit();		/* no packet in a hook after this */
	rr_genl_exit();		/* no request running after this */
	rr_table_exit();	/* flush + rcu_barrier */
	free_percpu(rr_global);
	pr_info("rtprelay: unloaded\n");
}

module_init(rr_init);
module_exit(rr_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rtprelay: RTP relay forwarding tier (netfilter + generic netlink)");
