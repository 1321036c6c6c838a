// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>

#include "port_pool.h"

int rr_port_pool_init(struct rr_port_pool *p, uint16_t min, uint16_t max)
{
	if (min % 2 || max <= min)
		return -EINVAL;
	p->min = min;
	p->max = max;
	p->n_pairs = (unsigned int)(max - min + 1) / 2;
	p->in_use = 0;
	p->cursor = 0;
	p->bits = calloc((p->n_pairs + 63) / 64, sizeof(*p->bits));
	return p->bits ? 0 : -ENOMEM;
}

void rr_port_pool_fini(struct rr_port_pool *p)
{
	free(p->bits);
	p->bits = NULL;
}

int rr_port_pool_get(struct rr_port_pool *p)
{
	unsigned int i, k;

	if (p->in_use >= p->n_pairs)
		return -ENOSPC;
	for (k = 0; k < p->n_pairs; k++) {
		i = (p->cursor + k) % p->n_pairs;
		if (!(p->bits[i / 64] & (1ULL << (i % 64)))) {
			p->bits[i / 64] |= 1ULL << (i % 64);
			p->in_use++;
			p->cursor = (i + 1) % p->n_pairs;
			return p->min + 2 * (int)i;
		}
	}
	return -ENOSPC;
}

int rr_port_pool_put(struct rr_port_pool *p, uint16_t port)
{
	unsigned int i;

	if (port < p->min || port > p->max || (port - p->min) % 2)
		return -EINVAL;
	i = (port - p->min) / 2;
	if (i >= p->n_pairs || !(p->bits[i / 64] & (1ULL << (i % 64))))
		return -EINVAL;
	p->bits[i / 64] &= ~(1ULL << (i % 64));
	p->in_use--;
	return 0;
}

int rr_port_pool_reserve(struct rr_port_pool *p, uint16_t port)
{
	unsigned int i;

	if (port < p->min || port > p->max || (port - p->min) % 2)
		return -EINVAL;
	i = (port - p->min) / 2;
	if (i >= p->n_pairs)
		return -EINVAL;
	if (p->bits[i / 64] & (1ULL << (i % 64)))
		return -EBUSY;
	p->bits[i / 64] |= 1ULL << (i % 64);
	p->in_use++;
	return 0;
}

bool rr_port_pool_taken(const struct rr_port_pool *p, uint16_t port)
{
	unsigned int i;

	if (port < p->min || port > p->max)
		return false;
	i = (unsigned int)(port - p->min) / 2;
	return i < p->n_pairs && (p->bits[i / 64] & (1ULL << (i % 64)));
}
