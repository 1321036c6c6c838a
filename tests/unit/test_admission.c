// SPDX-License-Identifier: GPL-2.0-only
/*
 * Call admission (controller/admission.c): the token bucket, and per-trunk
 * max_calls / max_cps / max_bandwidth_kbps with slots given back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "admission.h"

#define SEC 1000000000ull

static void test_bucket(void **state)
{
	struct rr_token_bucket tb = { 0 };
	uint64_t t = 5 * SEC;
	int n = 0;

	(void)state;
	/* starts full: burst tokens at once, then empty */
	for (int i = 0; i < 10; i++)
		n += rr_token_bucket_take(&tb, 3, 3, t);
	assert_int_equal(n, 3);
	/* a third of a second refills one token at 3/s */
	assert_false(rr_token_bucket_take(&tb, 3, 3, t + SEC / 4));
	assert_true(rr_token_bucket_take(&tb, 3, 3, t + SEC / 3 + 1000));
	assert_false(rr_token_bucket_take(&tb, 3, 3, t + SEC / 3 + 2000));
	/* a long pause refills no more than the burst */
	n = 0;
	for (int i = 0; i < 10; i++)
		n += rr_token_bucket_take(&tb, 3, 3, t + 100 * SEC);
	assert_int_equal(n, 3);
	/* rate 0: no limit */
	for (int i = 0; i < 1000; i++)
		assert_true(rr_token_bucket_take(&tb, 0, 0, t));
}

static void test_bucket_steady_rate(void **state)
{
	struct rr_token_bucket tb = { 0 };
	int n = 0;

	(void)state;
	/* 1000 attempts a second for 10 s at rate 5: about 5/s plus the burst */
	for (uint64_t ms = 1; ms <= 10000; ms++)
		n += rr_token_bucket_take(&tb, 5, 5, ms * 1000000ull);
	assert_in_range(n, 50, 56);
}

static void test_max_calls(void **state)
{
	struct rr_admission a = { 0 };
	struct rr_trunk t = { .max_calls = 2, .call_bandwidth_kbps = 300 };
	struct rr_adm_trunk *at = rr_adm_trunk(&a, "pbx");
	struct rr_adm_slot s[3];

	(void)state;
	assert_non_null(at);
	assert_ptr_equal(rr_adm_trunk(&a, "pbx"), at);
	assert_ptr_not_equal(rr_adm_trunk(&a, "sbc"), at);
	assert_int_equal(rr_adm_take(at, &t, SEC, &s[0]), RR_ADM_OK);
	assert_int_equal(rr_adm_take(at, &t, SEC, &s[1]), RR_ADM_OK);
	assert_int_equal(at->calls, 2);
	assert_int_equal(rr_adm_take(at, &t, SEC, &s[2]), RR_ADM_CALLS);
	assert_null(s[2].t);
	assert_int_equal(at->rejected[RR_ADM_CALLS], 1);
	rr_adm_put(&s[0]);
	rr_adm_put(&s[0]);	/* idempotent */
	assert_int_equal(at->calls, 1);
	assert_int_equal(rr_adm_take(at, &t, SEC, &s[2]), RR_ADM_OK);
	rr_adm_put(&s[1]);
	rr_adm_put(&s[2]);
	assert_int_equal(at->calls, 0);
	assert_int_equal(at->kbps, 0);
	assert_int_equal(rr_adm_retry_after(RR_ADM_CALLS), 10);
	rr_admission_free(&a);
	assert_null(a.trunks);
}

static void test_cps_and_bandwidth(void **state)
{
	struct rr_admission a = { 0 };
	struct rr_trunk cps = { .max_cps = 2, .call_bandwidth_kbps = 300 };
	struct rr_trunk bw = { .max_bandwidth_kbps = 700, .call_bandwidth_kbps = 300 };
	struct rr_adm_trunk *at = rr_adm_trunk(&a, "t");
	struct rr_adm_slot s[4];

	(void)state;
	assert_int_equal(rr_adm_take(at, &cps, SEC, &s[0]), RR_ADM_OK);
	assert_int_equal(rr_adm_take(at, &cps, SEC, &s[1]), RR_ADM_OK);
	assert_int_equal(rr_adm_take(at, &cps, SEC, &s[2]), RR_ADM_CPS);
	assert_int_equal(rr_adm_retry_after(RR_ADM_CPS), 1);
	/* half a second later one token is back */
	assert_int_equal(rr_adm_take(at, &cps, SEC + SEC / 2, &s[2]), RR_ADM_OK);
	for (int i = 0; i < 3; i++)
		rr_adm_put(&s[i]);
	/* 700 kb/s at 300 each: two calls */
	assert_int_equal(rr_adm_take(at, &bw, SEC, &s[0]), RR_ADM_OK);
	assert_int_equal(rr_adm_take(at, &bw, SEC, &s[1]), RR_ADM_OK);
	assert_int_equal(at->kbps, 600);
	assert_int_equal(rr_adm_take(at, &bw, SEC, &s[2]), RR_ADM_BANDWIDTH);
	assert_int_equal(at->rejected[RR_ADM_BANDWIDTH], 1);
	rr_adm_put(&s[1]);
	assert_int_equal(rr_adm_take(at, &bw, SEC, &s[2]), RR_ADM_OK);
	assert_string_equal(rr_adm_verdict_name(RR_ADM_BANDWIDTH), "max_bandwidth_kbps");
	rr_admission_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_bucket_steady_rate),
		cmocka_unit_test(test_max_calls),
		cmocka_unit_test(test_cps_and_bandwidth),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
