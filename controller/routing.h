/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call routing: which trunk a call goes out on. Today a longest-prefix match
 * over the routes table of the configuration; the Teams routing rules plug in
 * here (rr_route_call is the one entry point the B2BUA uses).
 */
#ifndef RR_ROUTING_H
#define RR_ROUTING_H

#include "config.h"

/* Outgoing trunk index for a call that came in on trunk in_trunk and dials
 * number (may be NULL/empty), or -ENOENT. */
int rr_route_call(const struct rr_config *cfg, unsigned int in_trunk,
		  const char *number);

#endif
