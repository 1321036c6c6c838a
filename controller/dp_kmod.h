/* SPDX-License-Identifier: GPL-2.0-only */
/* Extras of the kmod backend beyond struct rr_dp_ops. */
#ifndef RTPRELAY_DP_KMOD_H
#define RTPRELAY_DP_KMOD_H

#include <datapath.h>

/* The kernel's extack message of the last failed call ("" if none). */
const char *rr_dp_kmod_errmsg(struct rr_dp *dp);

#endif /* RTPRELAY_DP_KMOD_H */
