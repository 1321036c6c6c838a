// SPDX-License-Identifier: GPL-2.0-only
/*
 * The paced sender: every stream's next packet sits in a min-heap by due
 * time; the main loop sleeps until the earliest and sends what is due.
 * Packets that share a socket in a row go out in one sendmmsg() (always, with
 * --one-socket). Impairments are decided here, from a per-stream seeded
 * random source, so a run is reproducible with --seed.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "rtpgen.h"

#define TX_BATCH	64
#define TX_SLACK_NS	20000	/* send what is due within 20 us now */

static struct {
	int fd;
	unsigned n;
	struct mmsghdr msgs[TX_BATCH];
	struct iovec iov[TX_BATCH];
	uint32_t idx[TX_BATCH];
	uint8_t buf[TX_BATCH][RTPGEN_MAX_PKT];
} q;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void flush(struct run *r)
{
	unsigned done = 0;

	while (done < q.n) {
		int n = sendmmsg(q.fd, q.msgs + done, q.n - done, 0);

		if (n <= 0) {
			/* The first unsent message failed: count it, go on. */
			r->st[q.idx[done]].tx.errors++;
			done++;
			continue;
		}
		for (int j = 0; j < n; j++) {
			struct tx_stats *t = &r->st[q.idx[done + j]].tx;

			t->packets++;
			t->bytes += q.iov[done + j].iov_len;
		}
		done += n;
	}
	q.n = 0;
}

/* origin_ns: CLOCK_REALTIME the packet counts as sent, written into the
 * payload tag; --delay-jitter and --reorder hold-back count as latency. */
static void enqueue(struct run *r, uint32_t idx, uint64_t k, uint64_t origin_ns)
{
	const struct cfg *c = r->cfg;
	struct stream *s = &r->st[idx];
	uint8_t *b;

	if (q.n && (q.fd != s->fd || q.n == TX_BATCH))
		flush(r);
	q.fd = s->fd;
	b = q.buf[q.n];
	rtp_write_header(b, c->pt, k == 0, (uint16_t)(s->seq0 + k),
			 (uint32_t)(s->ts0 + k * c->ts_step), s->ssrc);
	if (c->payload_size >= RTPGEN_TAG_LEN) {
		uint64_t t = origin_ns;

		put_be32(b + RTP_HDR_LEN, RTPGEN_TAG_MAGIC);
		put_be32(b + RTP_HDR_LEN + 4, idx);
		put_be32(b + RTP_HDR_LEN + 8, t >> 32);
		put_be32(b + RTP_HDR_LEN + 12, (uint32_t)t);
	}
	q.iov[q.n] = (struct iovec){ b, RTP_HDR_LEN + c->payload_size };
	q.msgs[q.n].msg_hdr = (struct msghdr){
		.msg_name = &s->dst.ss, .msg_namelen = s->dst.len,
		.msg_iov = &q.iov[q.n], .msg_iovlen = 1,
	};
	q.idx[q.n++] = idx;
}

void tx_init(struct run *r)
{
	const struct cfg *c = r->cfg;
	/* Fill the payload once: G.711 mu-law silence after the tag. */
	for (unsigned j = 0; j < TX_BATCH; j++)
		memset(q.buf[j] + RTP_HDR_LEN, 0xff, c->payload_size);

	for (uint32_t i = 0; i < c->streams; i++) {
		struct stream *s = &r->st[i];

		s->rng = c->seed ^ ((uint64_t)(i + 1) * 0x2545f4914f6cdd1dull);
		rng_next(&s->rng);
		s->ssrc = c->have_ssrc ? c->ssrc_base + i : (uint32_t)rng_next(&s->rng);
		s->seq0 = (uint16_t)rng_next(&s->rng);
		s->ts0 = (uint32_t)rng_next(&s->rng);
		/* Spread the streams over one interval: no bursts. */
		s->start_ns = r->t0_ns + c->interval_ns * i / c->streams;
		s->due_ns = s->start_ns;
		if (c->delay_jitter_ns)
			s->due_ns += (uint64_t)(rng_unit(&s->rng) * c->delay_jitter_ns);
		if (c->count == 0) {
			s->tx_done = true;
			continue;
		}
		r->tx_active++;
		heap_push(r, i);
	}
}

static void send_one(struct run *r, uint32_t idx, uint64_t now)
{
	const struct cfg *c = r->cfg;
	struct stream *s = &r->st[idx];
	uint64_t k = s->k, nominal, due, origin;
	bool last = k + 1 == c->count;

	/* The impairment delay is what the packet waited past its slot. */
	origin = now_real_ns() - (s->due_ns - (s->start_ns + k * c->interval_ns));

	if (now > s->due_ns) {
		uint64_t late = now - s->due_ns;

		if (late > s->tx.late_max_ns)
			s->tx.late_max_ns = late;
		if (late > 1000000)
			s->tx.late_over_1ms++;
	}
	if ((c->drop_every && (k + 1) % c->drop_every == 0) ||
	    (c->loss > 0 && rng_unit(&s->rng) < c->loss)) {
		s->tx.dropped++;
	} else if (c->reorder > 0 && !s->held && !last &&
		   rng_unit(&s->rng) < c->reorder) {
		/* Held back: it leaves right after the next packet sent. */
		s->held = true;
		s->held_k = k;
		s->held_origin_ns = origin;
		s->tx.reordered++;
	} else {
		enqueue(r, idx, k, origin);
		if (c->dup > 0 && rng_unit(&s->rng) < c->dup) {
			enqueue(r, idx, k, origin);
			s->tx.duplicated++;
		}
		if (s->held) {
			enqueue(r, idx, s->held_k, s->held_origin_ns);
			s->held = false;
		}
	}
	s->k++;
	if (last) {
		if (s->held) {	/* its successor was dropped */
			enqueue(r, idx, s->held_k, s->held_origin_ns);
			s->held = false;
		}
		s->tx_done = true;
		r->tx_active--;
		return;
	}
	nominal = s->start_ns + s->k * c->interval_ns;
	due = nominal;
	if (c->delay_jitter_ns)
		due += (uint64_t)(rng_unit(&s->rng) * c->delay_jitter_ns);
	/* Delay never reorders: a packet leaves no earlier than the one
	 * before it (--reorder does reordering). */
	s->due_ns = due > s->due_ns ? due : s->due_ns;
	heap_push(r, idx);
}

void tx_run_due(struct run *r, uint64_t now)
{
	while (r->heap_len && r->st[r->heap[0]].due_ns <= now + TX_SLACK_NS)
		send_one(r, heap_pop(r), now);
	if (q.n)
		flush(r);
}

uint64_t tx_next_due(const struct run *r)
{
	return r->heap_len ? r->st[r->heap[0]].due_ns : UINT64_MAX;
}
