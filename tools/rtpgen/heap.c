// SPDX-License-Identifier: GPL-2.0-only
/* Binary min-heap of stream indices keyed by due time: one timer for
 * thousands of streams, O(log n) per packet. */
#include "rtpgen.h"

static bool before(const struct run *r, uint32_t a, uint32_t b)
{
	return r->st[a].due_ns < r->st[b].due_ns ||
	       (r->st[a].due_ns == r->st[b].due_ns && a < b);
}

void heap_push(struct run *r, uint32_t idx)
{
	unsigned i = r->heap_len++;

	while (i > 0) {
		unsigned parent = (i - 1) / 2;

		if (!before(r, idx, r->heap[parent]))
			break;
		r->heap[i] = r->heap[parent];
		i = parent;
	}
	r->heap[i] = idx;
}

uint32_t heap_pop(struct run *r)
{
	uint32_t top = r->heap[0], last = r->heap[--r->heap_len];
	unsigned i = 0, n = r->heap_len;

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && before(r, r->heap[c + 1], r->heap[c]))
			c++;
		if (!before(r, r->heap[c], last))
			break;
		r->heap[i] = r->heap[c];
		i = c;
	}
	if (n)
		r->heap[i] = last;
	return top;
}
