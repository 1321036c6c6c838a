// SPDX-License-Identifier: GPL-2.0-only
/* What every datapath backend shares, built on struct rr_dp_ops alone. */
#include <errno.h>
#include <stdlib.h>
#include "datapath.h"

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

/*
 * Highest flow id below max that no installed flow uses. rtprelayd numbers
 * its flows from 0 up ((side, port) slots), so static flows that operators
 * add with rtprelayctl take ids from the top down and never meet them.
 * One walk of the flows: right for a tool, not for a packet-rate caller.
 */
int rr_dp_alloc_id(struct rr_dp *dp, __u32 max, __u32 *id)
{
	struct id_scan s = { .max = max };
	__u32 i;
	int ret;

	s.used = calloc(max / 8 + 1, 1);
	if (!s.used)
		return -ENOMEM;
	ret = dp->ops->flow_walk(dp, mark_used, &s);
	if (ret)
		goto out;
	ret = -ENOSPC;
	for (i = max; i-- > 0;) {
		if (!(s.used[i / 8] & (1u << (i % 8)))) {
			*id = i;
			ret = 0;
			break;
		}
	}
out:
	free(s.used);
	return ret;
}
