// SPDX-License-Identifier: GPL-2.0-only
/* A call's media quality per direction (media_quality.h). */
#include <string.h>

#include "media_quality.h"

void rr_media_quality(struct rr_media *m, const struct rr_call_media *cm, int leg,
		      struct rr_cdr_dir *d)
{
	struct rr_dp *dp = rr_media_dp(m, cm);
	struct rtprelay_flow_stats st;
	double jitter;
	__u64 lost;

	/* what flows replaced or removed during the call carried, then the
	 * live ones */
	d->packets = cm->gone[leg].packets;
	d->lost = cm->gone[leg].lost;
	d->jitter_ms = cm->gone[leg].jitter_ms;
	for (unsigned int i = 0; i < cm->n; i++) {
		__u32 id = rr_media_flow_id(m, cm, i, leg);

		if (!cm->s[i].installed[leg])
			continue;
		if (!dp->ops->flow_stats(dp, id + 1, &st))
			d->packets += st.packets;	/* RTCP */
		if (dp->ops->flow_stats(dp, id, &st))
			continue;
		d->packets += st.packets;
		rr_flow_quality(&st, &lost, &jitter);
		d->lost += lost;
		if (jitter > d->jitter_ms)
			d->jitter_ms = jitter;
	}
}
