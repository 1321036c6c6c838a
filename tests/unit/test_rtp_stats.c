// SPDX-License-Identifier: GPL-2.0-only
/*
 * include/rtprelay/rtp_stats.h, the RTP view every tier keeps (XDP, kernel
 * module, userspace relay): RFC 3550 A.1 sequence tracking and A.8 jitter on
 * hand-made streams, and the accuracy of its division-free time base.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <rtprelay/rtp.h>
#include <rtprelay/rtp_stats.h>

/* s sees an RTP packet (PT, sequence, timestamp, SSRC) at now (ns), with
 * the flow's clock rate clock (0: by PT) */
static void feed(struct rtprelay_rtp_stats *s, __u8 pt, __u16 seq, __u32 ts, __u32 ssrc,
		 __u32 clock, __u64 now)
{
	__u8 h[12];

	rtp_write_header(h, pt, false, seq, ts, ssrc);
	rtprelay_rtp_update(s, h, clock, now);
}

/* 20 ms G.711 packets arriving exactly on time: no jitter, no loss. */
static void test_steady_stream(void **state)
{
	struct rtprelay_rtp_stats s = { 0 };
	__u64 t0 = 5000000000ull;
	int i;

	for (i = 0; i < 50; i++) {
		/* arrival in 8 kHz units = t0*8000/1e9 + 160*i */
		feed(&s, 0, 100 + i, 160 * i, 0xabcd, 0, t0 + 20000000ull * i);
	}
	assert_int_equal(s.ssrc, 0xabcd);
	assert_int_equal(s.received, 50);
	assert_int_equal(s.base_seq, 100);
	assert_int_equal(s.ext_max_seq, 149);
	assert_int_equal(s.clock_rate, 8000);
	assert_int_equal(s.jitter, 0);
	assert_int_equal(s.ssrc_changes, 0);
}

static void test_wrap_and_loss(void **state)
{
	struct rtprelay_rtp_stats s = { 0 };

	feed(&s, 8, 65534, 0, 1, 0, 1000);
	feed(&s, 8, 65535, 160, 1, 0, 2000);
	feed(&s, 8, 2, 640, 1, 0, 3000);		/* wrapped, 0 and 1 lost */
	assert_int_equal(s.ext_max_seq, 0x10002);
	assert_int_equal(s.received, 3);
	/* lost = ext_max - base + 1 - received */
	assert_int_equal(s.ext_max_seq - s.base_seq + 1 - s.received, 2);
}

static void test_jump_restarts_late_does_not(void **state)
{
	struct rtprelay_rtp_stats s = { 0 };

	feed(&s, 0, 1000, 0, 7, 0, 1);
	feed(&s, 0, 1001, 0, 7, 0, 1);
	feed(&s, 0, 1001 - 99, 0, 7, 0, 1);	/* 99 behind: late */
	assert_int_equal(s.base_seq, 1000);
	assert_int_equal(s.received, 3);
	feed(&s, 0, 1001 - 100, 0, 7, 0, 1);	/* 100 behind: restart */
	assert_int_equal(s.base_seq, 901);
	assert_int_equal(s.received, 1);
	feed(&s, 0, 901 + 3000, 0, 7, 0, 1);	/* 3000 ahead: restart */
	assert_int_equal(s.base_seq, 3901);
}

static void test_ssrc_change_and_dynamic_pt(void **state)
{
	struct rtprelay_rtp_stats s = { 0 };
	__u8 h[12];

	feed(&s, 96, 1, 0, 1, 0, 1);		/* dynamic PT, no clock: no jitter */
	assert_int_equal(s.clock_rate, 0);
	feed(&s, 96, 5, 0, 2, 48000, 1);	/* flow clock wins */
	assert_int_equal(s.ssrc, 2);
	assert_int_equal(s.ssrc_changes, 1);
	assert_int_equal(s.clock_rate, 48000);
	rtp_write_header(h, 96, false, 5, 0, 2);
	h[0] = 0x40;			/* version 1: ignored */
	rtprelay_rtp_update(&s, h, 0, 1);
	assert_int_equal(s.received, 1);
}

static void test_rtcp_classification(void **state)
{
	__u8 p[2] = { 0x80, 200 };

	assert_true(rtprelay_is_rtcp(RTPRELAY_F_RTCP, p, 2));
	assert_true(rtprelay_is_rtcp(RTPRELAY_F_RTCP_MUX, p, 2));
	p[1] = 0;
	assert_false(rtprelay_is_rtcp(RTPRELAY_F_RTCP_MUX, p, 2));
	p[1] = 200;
	assert_false(rtprelay_is_rtcp(0, p, 2));
}

/*
 * The multiply-shift time base against exact arithmetic. Transit times and
 * jitter are made of differences, so that is what must be exact: the step
 * over 20 ms (one packet) within one unit and over 10 s (a silence) within
 * one unit, anywhere in ten years of uptime, at every accelerated clock and
 * one that takes the division path.
 */
static void test_ns_to_ts_accuracy(void **state)
{
	static const __u32 rates[] = { 8000, 16000, 44100, 48000, 90000, 12000 };
	static const __u64 gaps[] = { 20000000ULL, 10000000000ULL };
	const __u64 ten_years = 10ULL * 365 * 86400 * 1000000000ULL;

	srandom(7);
	for (unsigned int r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		for (int i = 0; i < 20000; i++) {
			__u64 now = ((__u64)random() << 31 ^ random()) % ten_years;
			__u64 gap = gaps[i & 1];
			__u32 step = rtprelay_ns_to_ts(now + gap, rates[r]) -
				     rtprelay_ns_to_ts(now, rates[r]);
			__u32 exact = (__u32)((unsigned __int128)gap * rates[r] / 1000000000ULL);
			__s32 err = (__s32)(step - exact);

			if (err < -1 || err > 1)
				fail_msg("rate %u now %llu gap %llu: step %u, exact %u",
					 rates[r], (unsigned long long)now,
					 (unsigned long long)gap, step, exact);
		}
	}
}

static __u32 lost_of(const struct rtprelay_rtp_stats *r)
{
	return r->ext_max_seq - r->base_seq + 1 - r->received;
}

/* One stream split over two CPUs' views (a veth runs XDP on the sender's
 * CPU): merged, it is whole again; a real gap still counts; a view of
 * another SSRC stays out. */
static void test_merge_split_stream(void **state)
{
	struct rtprelay_rtp_stats cpu[2], m, other;
	int i;

	memset(cpu, 0, sizeof(cpu));
	for (i = 0; i < 300; i++) {
		if (i == 200)
			continue;	/* one packet really lost */
		/* the sequence wraps at i = 36 */
		feed(&cpu[(i / 3) % 2], 0, 65500 + i, 160 * i, 0x1234, 0, 20000000ULL * i);
	}
	assert_true(lost_of(&cpu[0]) > 100);	/* each part alone looks lossy */
	m = cpu[0].received >= cpu[1].received ? cpu[0] : cpu[1];
	rtprelay_rtp_merge(&m, cpu[0].received >= cpu[1].received ? &cpu[1] : &cpu[0]);
	assert_int_equal(m.received, 299);
	assert_int_equal(lost_of(&m), 1);

	memset(&other, 0, sizeof(other));
	feed(&other, 0, 5, 0, 0x9999, 0, 1);
	rtprelay_rtp_merge(&m, &other);
	assert_int_equal(m.received, 299);
	assert_int_equal(m.ssrc, 0x1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_stream),
		cmocka_unit_test(test_wrap_and_loss),
		cmocka_unit_test(test_jump_restarts_late_does_not),
		cmocka_unit_test(test_ssrc_change_and_dynamic_pt),
		cmocka_unit_test(test_rtcp_classification),
		cmocka_unit_test(test_ns_to_ts_accuracy),
		cmocka_unit_test(test_merge_split_stream),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
