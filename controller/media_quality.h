/* SPDX-License-Identifier: GPL-2.0-only */
/* A call's media quality per direction, read from the data path's flow
 * counters (for CDRs): call it before rr_media_release(). */
#ifndef RR_MEDIA_QUALITY_H
#define RR_MEDIA_QUALITY_H

#include "cdr_csv.h"
#include "media.h"

/* What the flows towards leg carried over the whole call, summed over its
 * streams and over flows replaced on the way (re-INVITE, UPDATE, transfer):
 * packets (RTP and RTCP), RTP packets lost, the largest jitter in ms. */
void rr_media_quality(struct rr_media *m, const struct rr_call_media *cm, int leg,
		      struct rr_cdr_dir *d);

#endif
