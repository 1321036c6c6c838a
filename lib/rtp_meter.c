// SPDX-License-Identifier: GPL-2.0-only
/*
 * Receive statistics of one RTP stream after RFC 3550 appendix A.1 (sequence
 * validation, extended sequence numbers, expected and lost packets) and A.8
 * (interarrival jitter), plus duplicate and reordering counts from a bitmap
 * of the last RTP_DUP_WINDOW sequence numbers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <rtprelay/rtp.h>

_Static_assert(RTP_DUP_WINDOW > RTP_MAX_MISORDER, "window must cover misorder");
/* bad_seq holds 16-bit values; this one matches none. */
#define RTP_BAD_SEQ_NONE	(1u << 16)
_Static_assert(RTP_DUP_WINDOW % 64 == 0, "window is whole words");

void rtp_meter_init(struct rtp_meter *m, uint32_t clock_rate)
{
	memset(m, 0, sizeof(*m));
	m->clock_rate = clock_rate ? clock_rate : 8000;
}

static bool win_test(const struct rtp_meter *m, int64_t ext)
{
	uint64_t b = (uint64_t)ext % RTP_DUP_WINDOW;

	return m->window[b / 64] & (1ULL << (b % 64));
}

static void win_set(struct rtp_meter *m, int64_t ext)
{
	uint64_t b = (uint64_t)ext % RTP_DUP_WINDOW;

	m->window[b / 64] |= 1ULL << (b % 64);
}

static void win_clear(struct rtp_meter *m, int64_t ext)
{
	uint64_t b = (uint64_t)ext % RTP_DUP_WINDOW;

	m->window[b / 64] &= ~(1ULL << (b % 64));
}

static int64_t max_ext(const struct rtp_meter *m)
{
	return m->cycles + m->max_seq;
}

/* Closes the current sequence (its expected count is kept) and starts a new
 * one at seq: on the first packet, a new SSRC, or a confirmed jump. */
static void start_seq(struct rtp_meter *m, uint16_t seq)
{
	if (m->started)
		m->expected_done += max_ext(m) - m->base_ext + 1;
	m->started = true;
	m->max_seq = seq;
	m->cycles = 0;
	m->base_ext = seq;
	m->bad_seq = RTP_BAD_SEQ_NONE;
	memset(m->window, 0, sizeof(m->window));
	win_set(m, seq);
	/* The jitter estimate carries over; its reference does not, as the
	 * new sequence's timestamps have an unrelated origin. */
	m->have_prev = false;
}

/* RFC 3550 A.8: J += (|D(i-1,i)| - J) / 16, with D in timestamp units.
 * The timestamp difference is taken modulo 2^32 so wraps do not matter. */
static void update_jitter(struct rtp_meter *m, const struct rtp_meter_pkt *p)
{
	if (m->have_prev) {
		double arr = (double)(int64_t)(p->arrival_ns - m->prev_arrival_ns) *
			     m->clock_rate / 1e9;
		double d = arr - (double)(int32_t)(p->ts - m->prev_ts);

		m->jitter += (fabs(d) - m->jitter) / 16.0;
	}
	m->have_prev = true;
	m->prev_arrival_ns = p->arrival_ns;
	m->prev_ts = p->ts;
}

static void update_latency(struct rtp_meter *m, const struct rtp_meter_pkt *p)
{
	if (!p->has_latency)
		return;
	if (!m->lat_count || p->latency_ns < m->lat_min_ns)
		m->lat_min_ns = p->latency_ns;
	if (!m->lat_count || p->latency_ns > m->lat_max_ns)
		m->lat_max_ns = p->latency_ns;
	m->lat_count++;
	m->lat_sum_ns += p->latency_ns;
}

static void accept_pkt(struct rtp_meter *m, const struct rtp_meter_pkt *p)
{
	m->received++;
	update_jitter(m, p);
	update_latency(m, p);
}

enum rtp_verdict rtp_meter_update(struct rtp_meter *m, const struct rtp_meter_pkt *p)
{
	uint16_t udelta;
	int64_t ext, e;

	if (!m->started || p->ssrc != m->ssrc) {
		enum rtp_verdict v = m->started ? RTP_V_NEW_SSRC : RTP_V_FIRST;

		if (m->started)
			m->ssrc_changes++;
		m->ssrc = p->ssrc;
		start_seq(m, p->seq);
		accept_pkt(m, p);
		return v;
	}

	udelta = p->seq - m->max_seq;
	if (udelta == 0) {
		m->duplicates++;
		return RTP_V_DUP;
	}
	if (udelta < RTP_MAX_DROPOUT) {
		/* In order, with a permissible gap; wrap when seq went down. */
		if (p->seq < m->max_seq)
			m->cycles += 65536;
		ext = m->cycles + p->seq;
		for (e = ext - 1; e > ext - udelta && e > ext - RTP_DUP_WINDOW; e--)
			win_clear(m, e);
		win_set(m, ext);
		m->max_seq = p->seq;
		m->bad_seq = RTP_BAD_SEQ_NONE;
		accept_pkt(m, p);
		return RTP_V_IN_ORDER;
	}
	if (udelta <= 65536 - RTP_MAX_MISORDER) {
		/* A big jump: the source restarted only if the next packet
		 * follows on from this one (A.1's bad_seq). */
		if (p->seq == m->bad_seq) {
			m->resyncs++;
			start_seq(m, p->seq);
			accept_pkt(m, p);
			return RTP_V_RESYNC;
		}
		m->bad_seq = (uint16_t)(p->seq + 1);
		m->bad_jumps++;
		return RTP_V_BAD_JUMP;
	}
	/* Up to MAX_MISORDER behind the newest: late or duplicate. Its
	 * extended number lies in the previous cycle if seq is above max. */
	ext = m->cycles + p->seq - (p->seq > m->max_seq ? 65536 : 0);
	if (win_test(m, ext)) {
		m->duplicates++;
		return RTP_V_DUP;
	}
	win_set(m, ext);
	if (ext < m->base_ext)
		m->base_ext = ext;	/* the first packet we saw was itself late */
	m->reordered++;
	accept_pkt(m, p);
	return RTP_V_LATE;
}

uint64_t rtp_meter_expected(const struct rtp_meter *m)
{
	if (!m->started)
		return 0;
	return m->expected_done + (uint64_t)(max_ext(m) - m->base_ext + 1);
}

int64_t rtp_meter_lost(const struct rtp_meter *m)
{
	return (int64_t)rtp_meter_expected(m) - (int64_t)m->received;
}

double rtp_meter_jitter_ms(const struct rtp_meter *m)
{
	return m->jitter * 1000.0 / m->clock_rate;
}
