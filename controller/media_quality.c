// SPDX-License-Identifier: GPL-2.0-only
/* A call's media quality per direction (media_quality.h). */
#include <string.h>

#include "media_quality.h"

void rr_media_quality(struct rr_media *m, const struct rr_call_media *cm, int leg,
		      struct rr_cdr_dir *d)
{
	struct rtprelay_flow_stats st;

	memset(d, 0, sizeof(*d));
	for (unsigned int i = 0; i < cm->n; i++) {
		const struct rtprelay_rtp_stats *r = &st.rtp;
		__u32 id = rr_media_flow_id(m, cm, i, leg);
		__u64 expected;

		if (!cm->s[i].installed[leg])
			continue;
		if (!m->dp->ops->flow_stats(m->dp, id + 1, &st))
			d->packets += st.packets;	/* RTCP */
		if (m->dp->ops->flow_stats(m->dp, id, &st))
			continue;
		d->packets += st.packets;
		if (!r->received)
			continue;
		expected = (__u64)r->ext_max_seq - r->base_seq + 1;
		if (expected > r->received)
			d->lost += expected - r->received;
		if (r->clock_rate && r->jitter / 16.0 * 1000.0 / r->clock_rate > d->jitter_ms)
			d->jitter_ms = r->jitter / 16.0 * 1000.0 / r->clock_rate;
	}
}
