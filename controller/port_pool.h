/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Media port pool of one relay side: RTP on even ports, RTCP on the next odd
 * one, handed out as pairs. Next-fit from a rotating cursor so a freed pair
 * is not reused at once (late packets of the old call must not hit a new one).
 */
#ifndef RR_PORT_POOL_H
#define RR_PORT_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct rr_port_pool {
	uint16_t min, max;	/* even min .. max (inclusive) */
	unsigned int n_pairs, in_use, cursor;
	uint64_t *bits;		/* one bit per pair */
};

int rr_port_pool_init(struct rr_port_pool *p, uint16_t min, uint16_t max);
void rr_port_pool_fini(struct rr_port_pool *p);
/* Even RTP port of a free pair, or -ENOSPC. */
int rr_port_pool_get(struct rr_port_pool *p);
/* Takes the pair of an even port (a restored call's): -EINVAL outside the
 * range or odd, -EBUSY when already handed out. */
int rr_port_pool_reserve(struct rr_port_pool *p, uint16_t port);
/* Is the pair of port (RTP or RTCP) handed out? false outside the range. */
bool rr_port_pool_taken(const struct rr_port_pool *p, uint16_t port);
/* Returns -EINVAL for a port that is not a handed-out pair. */
int rr_port_pool_put(struct rr_port_pool *p, uint16_t port);

#endif
