// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp_kmod_check: drives rr_dp_kmod_ops (controller/dp_kmod.c), the backend
 * rtprelayd and rtprelayctl use, against the loaded module in the VM.
 * Prints one line per check ("ok - ..." / "FAIL - ...") and exits non-zero
 * on any failure. Expects an empty table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <datapath.h>
#include "dp_kmod.h"

static int failed;

static void check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "FAIL", what);
	if (!cond)
		failed = 1;
}

static void ep4(struct rtprelay_endpoint *ep, const char *a, int port)
{
	memset(ep, 0, sizeof(*ep));
	ep->family = RTPRELAY_AF_INET;
	inet_pton(AF_INET, a, &ep->addr.v4);
	ep->port = htons(port);
}

static int count_fn(const struct rtprelay_flow_key *key,
		    const struct rtprelay_flow *flow, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int stop_fn(const struct rtprelay_flow_key *key,
		   const struct rtprelay_flow *flow, void *arg)
{
	return 42;
}

int main(void)
{
	struct rr_dp dp = { .ops = &rr_dp_kmod_ops };
	struct rr_dp_config cfg = { 0 };
	struct rtprelay_flow_key key, key2;
	struct rtprelay_flow f, got;
	struct rtprelay_flow_stats st;
	struct rtprelay_global_stats gs;
	int n, err, i;

	err = dp.ops->open(&dp, &cfg);
	check(!err, "open");
	if (err)
		return 1;
	cfg.max_flows = 1u << 30;
	{
		struct rr_dp dp2 = { .ops = &rr_dp_kmod_ops };

		check(dp2.ops->open(&dp2, &cfg) == -ERANGE,
		      "open refuses max_flows above the module's");
	}
	memset(&key, 0, sizeof(key));
	ep4(&key.local, "198.51.100.1", 30500);
	memset(&f, 0, sizeof(f));
	f.id = 5;
	f.dscp = 46;
	ep4(&f.out_src, "203.0.113.1", 40500);
	ep4(&f.out_dst, "203.0.113.10", 5500);
	check(!dp.ops->flow_add(&dp, &key, &f), "flow_add");
	check(!dp.ops->flow_get(&dp, &key, &got) && !memcmp(&got, &f, sizeof(f)),
	      "flow_get returns the flow as installed");
	check(!dp.ops->flow_stats(&dp, 5, &st) && st.packets == 0,
	      "flow_stats by id: zeroed counters");
	check(dp.ops->flow_stats(&dp, 6, &st) == -ENOENT, "flow_stats of an unused id: -ENOENT");
	f.dscp = 64;
	check(dp.ops->flow_add(&dp, &key, &f) == -EINVAL &&
	      strstr(rr_dp_kmod_errmsg(&dp), "dscp"),
	      "flow_add of a bad flow: -EINVAL with the kernel's message");
	f.dscp = 46;
	for (i = 0; i < 100; i++) {
		key2 = key;
		key2.local.port = htons(31000 + i);
		f.id = 100 + i;
		if (dp.ops->flow_add(&dp, &key2, &f))
			break;
	}
	check(i == 100, "flow_add 100 more");
	n = 0;
	check(!dp.ops->flow_walk(&dp, count_fn, &n) && n == 101, "flow_walk visits 101 flows");
	check(dp.ops->flow_walk(&dp, stop_fn, NULL) == 42, "flow_walk stops on a non-zero return");
	check(!dp.ops->global_stats(&dp, &gs), "global_stats after an interrupted walk");
	check(!dp.ops->flow_del(&dp, &key), "flow_del");
	check(dp.ops->flow_get(&dp, &key, &got) == -ENOENT, "flow_get after del: -ENOENT");
	dp.ops->close(&dp, true);
	err = dp.ops->open(&dp, NULL);
	n = 0;
	check(!err && !dp.ops->flow_walk(&dp, count_fn, &n) && n == 100,
	      "close(keep_flows) keeps the flows");
	dp.ops->close(&dp, false);
	err = dp.ops->open(&dp, NULL);
	n = 0;
	check(!err && !dp.ops->flow_walk(&dp, count_fn, &n) && n == 0,
	      "close(!keep_flows) removes them");
	dp.ops->close(&dp, true);
	return failed;
}
