// SPDX-License-Identifier: GPL-2.0-only
/*
 * RFC 3550 receive statistics (lib/rtp_meter.c) and RTP header parsing
 * (lib/rtp_header.c): sequence wraparound, loss, duplicates, reordering,
 * SSRC changes, restarts, the A.8 jitter estimate and latency.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <rtprelay/rtp.h>

#define SSRC_A	0x11111111u
#define SSRC_B	0x22222222u

/* One packet of a 20 ms, 8 kHz stream: seq n has timestamp 160 * n and
 * arrives at 20 ms * n plus extra_us. */
static enum rtp_verdict feed_at(struct rtp_meter *m, uint32_t ssrc, uint16_t seq,
				uint32_t ts, uint64_t arrival_ns)
{
	struct rtp_meter_pkt p = {
		.ssrc = ssrc, .seq = seq, .ts = ts, .arrival_ns = arrival_ns,
	};

	return rtp_meter_update(m, &p);
}

static enum rtp_verdict feed(struct rtp_meter *m, uint16_t seq, uint64_t n)
{
	return feed_at(m, SSRC_A, seq, (uint32_t)(160 * n), 1000000000ull + n * 20000000ull);
}

static void test_in_order(void **state)
{
	struct rtp_meter m;

	rtp_meter_init(&m, 8000);
	assert_int_equal(feed(&m, 1000, 0), RTP_V_FIRST);
	for (unsigned n = 1; n < 100; n++)
		assert_int_equal(feed(&m, 1000 + n, n), RTP_V_IN_ORDER);
	assert_int_equal(rtp_meter_expected(&m), 100);
	assert_int_equal(m.received, 100);
	assert_int_equal(rtp_meter_lost(&m), 0);
	assert_int_equal(m.duplicates, 0);
	assert_int_equal(m.reordered, 0);
	assert_true(rtp_meter_jitter_ms(&m) < 1e-9);
}

static void test_loss(void **state)
{
	struct rtp_meter m;

	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 100; n++)
		if (n % 10 != 5)
			feed(&m, 500 + n, n);
	assert_int_equal(rtp_meter_expected(&m), 100);
	assert_int_equal(m.received, 90);
	assert_int_equal(rtp_meter_lost(&m), 10);
	/* A loss at the end is not visible: the last packet seen bounds it. */
	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 10; n++)
		if (n != 9)
			feed(&m, 500 + n, n);
	assert_int_equal(rtp_meter_expected(&m), 9);
	assert_int_equal(rtp_meter_lost(&m), 0);
}

static void test_wraparound(void **state)
{
	struct rtp_meter m;

	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 20; n++)
		assert_in_range(feed(&m, (uint16_t)(65530 + n), n), RTP_V_FIRST, RTP_V_IN_ORDER);
	assert_int_equal(m.cycles, 65536);
	assert_int_equal(m.max_seq, 13);
	assert_int_equal(rtp_meter_expected(&m), 20);
	assert_int_equal(rtp_meter_lost(&m), 0);

	/* A gap that spans the wrap: 65535 and 0 are lost. */
	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 20; n++) {
		uint16_t seq = 65530 + n;

		if (seq != 65535 && seq != 0)
			feed(&m, seq, n);
	}
	assert_int_equal(rtp_meter_expected(&m), 20);
	assert_int_equal(rtp_meter_lost(&m), 2);

	/* Many cycles: 200000 packets, nothing lost. */
	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 200000; n++)
		feed(&m, (uint16_t)n, n);
	assert_int_equal(m.cycles, 3 * 65536);
	assert_int_equal(rtp_meter_expected(&m), 200000);
	assert_int_equal(rtp_meter_lost(&m), 0);
}

static void test_duplicates(void **state)
{
	struct rtp_meter m;

	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 10; n++) {
		feed(&m, 100 + n, n);
		if (n == 3)	/* immediate duplicate of the newest */
			assert_int_equal(feed(&m, 100 + n, n), RTP_V_DUP);
	}
	/* A late duplicate of an older packet. */
	assert_int_equal(feed(&m, 105, 5), RTP_V_DUP);
	assert_int_equal(m.duplicates, 2);
	assert_int_equal(m.received, 10);
	assert_int_equal(rtp_meter_lost(&m), 0);
	assert_int_equal(m.reordered, 0);

	/* Duplicates across the wrap. */
	rtp_meter_init(&m, 8000);
	feed(&m, 65534, 0);
	feed(&m, 65535, 1);
	feed(&m, 0, 2);
	assert_int_equal(feed(&m, 65535, 1), RTP_V_DUP);
	assert_int_equal(feed(&m, 0, 2), RTP_V_DUP);
	assert_int_equal(m.duplicates, 2);
	assert_int_equal(rtp_meter_lost(&m), 0);
}

static void test_reorder(void **state)
{
	struct rtp_meter m;

	/* Swap every 5th packet with its successor. */
	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 100; n++) {
		unsigned s = n;

		if (n % 5 == 1)
			s = n + 1;
		else if (n % 5 == 2)
			s = n - 1;
		feed(&m, 40000 + s, s);
	}
	assert_int_equal(m.reordered, 20);
	assert_int_equal(rtp_meter_lost(&m), 0);
	assert_int_equal(m.duplicates, 0);
	assert_int_equal(rtp_meter_expected(&m), 100);

	/* Across the wrap: 65535 arrives after 0 and 1. */
	rtp_meter_init(&m, 8000);
	feed(&m, 65534, 0);
	feed(&m, 0, 2);
	feed(&m, 1, 3);
	assert_int_equal(feed(&m, 65535, 1), RTP_V_LATE);
	assert_int_equal(m.reordered, 1);
	assert_int_equal(rtp_meter_expected(&m), 4);
	assert_int_equal(rtp_meter_lost(&m), 0);

	/* The very first packet received was itself late. */
	rtp_meter_init(&m, 8000);
	feed(&m, 11, 1);
	assert_int_equal(feed(&m, 10, 0), RTP_V_LATE);
	feed(&m, 12, 2);
	assert_int_equal(rtp_meter_expected(&m), 3);
	assert_int_equal(rtp_meter_lost(&m), 0);

	/* Late and lost: reordered packets still fill their gap. */
	rtp_meter_init(&m, 8000);
	feed(&m, 1, 1);
	feed(&m, 4, 4);
	feed(&m, 2, 2);
	assert_int_equal(rtp_meter_lost(&m), 1);	/* 3 never came */
	assert_int_equal(m.reordered, 1);
}

static void test_ssrc_change(void **state)
{
	struct rtp_meter m;

	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 50; n++)
		feed_at(&m, SSRC_A, 100 + n, 160 * n, n * 20000000ull);
	assert_int_equal(feed_at(&m, SSRC_B, 30000, 999, 50 * 20000000ull), RTP_V_NEW_SSRC);
	for (unsigned n = 1; n < 50; n++)
		feed_at(&m, SSRC_B, 30000 + n, 999 + 160 * n, (50 + n) * 20000000ull);
	assert_int_equal(m.ssrc_changes, 1);
	assert_int_equal(m.ssrc, SSRC_B);
	assert_int_equal(rtp_meter_expected(&m), 100);
	assert_int_equal(m.received, 100);
	assert_int_equal(rtp_meter_lost(&m), 0);
	/* The new timestamp origin did not feed the jitter estimate. */
	assert_true(rtp_meter_jitter_ms(&m) < 1e-9);
}

static void test_jump_and_resync(void **state)
{
	struct rtp_meter m;

	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 10; n++)
		feed(&m, 100 + n, n);
	/* One stray packet far ahead is discarded... */
	assert_int_equal(feed(&m, 20000, 10), RTP_V_BAD_JUMP);
	assert_int_equal(feed(&m, 110, 10), RTP_V_IN_ORDER);
	assert_int_equal(m.bad_jumps, 1);
	assert_int_equal(m.resyncs, 0);
	assert_int_equal(rtp_meter_expected(&m), 11);
	/* ...two in a row mean the sender restarted its sequence. */
	assert_int_equal(feed(&m, 50000, 11), RTP_V_BAD_JUMP);
	assert_int_equal(feed(&m, 50001, 12), RTP_V_RESYNC);
	assert_int_equal(feed(&m, 50002, 13), RTP_V_IN_ORDER);
	assert_int_equal(m.resyncs, 1);
	/* 11 of the old sequence, 50001 and 50002 of the new. */
	assert_int_equal(rtp_meter_expected(&m), 13);
	assert_int_equal(m.received, 13);
	assert_int_equal(rtp_meter_lost(&m), 0);
}

static void test_jitter(void **state)
{
	struct rtp_meter m;

	/* Every other packet arrives 10 ms late: |D| = 80 timestamp units
	 * each time, so J converges to 80 units = 10 ms (A.8). */
	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 400; n++)
		feed_at(&m, SSRC_A, n, 160 * n, n * 20000000ull + (n % 2) * 10000000ull);
	assert_float_equal(rtp_meter_jitter_ms(&m), 10.0, 0.01);

	/* One step of the filter, exactly: J = |D| / 16 after one jump. */
	rtp_meter_init(&m, 8000);
	feed_at(&m, SSRC_A, 0, 0, 0);
	feed_at(&m, SSRC_A, 1, 160, 20000000ull + 2000000ull);	/* 2 ms late: 16 units */
	assert_float_equal(m.jitter, 1.0, 1e-9);

	/* Timestamps wrapping at 2^32 do not disturb it. */
	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 100; n++)
		feed_at(&m, SSRC_A, n, UINT32_MAX - 800 + 160 * n, n * 20000000ull);
	assert_true(rtp_meter_jitter_ms(&m) < 1e-6);

	/* Duplicates do not count as transit samples. */
	rtp_meter_init(&m, 8000);
	feed_at(&m, SSRC_A, 0, 0, 0);
	feed_at(&m, SSRC_A, 0, 0, 15000000ull);
	feed_at(&m, SSRC_A, 1, 160, 20000000ull);
	assert_true(rtp_meter_jitter_ms(&m) < 1e-9);
}

static void test_latency(void **state)
{
	struct rtp_meter m;
	struct rtp_meter_pkt p = { .ssrc = SSRC_A, .has_latency = true };
	const int64_t lat[] = { 3000000, 1000000, 2000000 };

	rtp_meter_init(&m, 8000);
	for (unsigned n = 0; n < 3; n++) {
		p.seq = n;
		p.ts = 160 * n;
		p.arrival_ns = n * 20000000ull;
		p.latency_ns = lat[n];
		rtp_meter_update(&m, &p);
	}
	assert_int_equal(m.lat_count, 3);
	assert_int_equal(m.lat_min_ns, 1000000);
	assert_int_equal(m.lat_max_ns, 3000000);
	assert_float_equal(m.lat_sum_ns / m.lat_count, 2000000.0, 1e-6);
}

static void test_header(void **state)
{
	uint8_t b[64] = { 0 };
	struct rtp_hdr_info h;

	rtp_write_header(b, 8, true, 0xfffe, 0xdeadbeef, 0x01020304);
	assert_int_equal(rtp_parse_header(b, 12 + 160, &h), 0);
	assert_int_equal(h.pt, 8);
	assert_true(h.marker);
	assert_int_equal(h.seq, 0xfffe);
	assert_int_equal(h.ts, 0xdeadbeef);
	assert_int_equal(h.ssrc, 0x01020304);
	assert_int_equal(h.payload_off, 12);
	assert_int_equal(h.payload_len, 160);

	/* Two CSRCs, a one-word extension, 3 bytes of padding. */
	b[0] = 0x80 | 0x20 | 0x10 | 2;
	b[12 + 8 + 2] = 0;
	b[12 + 8 + 3] = 1;
	b[40 - 1] = 3;
	assert_int_equal(rtp_parse_header(b, 40, &h), 0);
	assert_int_equal(h.payload_off, 12 + 8 + 4 + 4);
	assert_int_equal(h.payload_len, 40 - 28 - 3);

	assert_int_equal(rtp_parse_header(b, 11, &h), -EINVAL);	/* truncated */
	assert_int_equal(rtp_parse_header(b, 22, &h), -EINVAL);	/* in the extension */
	b[39] = 200;
	assert_int_equal(rtp_parse_header(b, 40, &h), -EINVAL);	/* padding > payload */
	b[0] = 0x40;
	assert_int_equal(rtp_parse_header(b, 40, &h), -EINVAL);	/* version 1 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_ssrc_change),
		cmocka_unit_test(test_jump_and_resync),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_latency),
		cmocka_unit_test(test_header),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
