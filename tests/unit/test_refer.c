// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transfers and session timers, the parts without a SIP stack: Refer-To
 * reading (number, tel: URI, escaped Replaces of an attended transfer, bad
 * input refused) and the per-trunk keys refer / session_timer (defaults,
 * values, errors with FILE:LINE).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>
#include "config.h"
#include "refer.h"
#include "config_text.h"

static void test_blind(void **state)
{
	struct rr_refer_target t;

	assert_int_equal(rr_refer_parse("<sip:4930999@203.0.113.10>", &t), 0);
	assert_string_equal(t.user, "4930999");
	assert_false(t.replaces);
	assert_int_equal(rr_refer_parse("\"Bob\" <sip:%2B4930999@pbx.example;user=phone>", &t), 0);
	assert_string_equal(t.user, "+4930999");
	assert_int_equal(rr_refer_parse("sip:8000@198.51.100.1:5060", &t), 0);
	assert_string_equal(t.user, "8000");
	assert_int_equal(rr_refer_parse("<tel:+4930999>", &t), 0);
	assert_string_equal(t.user, "+4930999");
}

static void test_attended(void **state)
{
	struct rr_refer_target t;

	assert_int_equal(rr_refer_parse("<sip:8001@203.0.113.10?Replaces=abc-123%40203.0.113.10"
					"%3Bto-tag%3D77%3Bfrom-tag%3D88>", &t), 0);
	assert_string_equal(t.user, "8001");
	assert_true(t.replaces);
	assert_string_equal(t.call_id, "abc-123@203.0.113.10");
	assert_string_equal(t.to_tag, "77");
	assert_string_equal(t.from_tag, "88");
	/* other URI headers around it, lower-case name */
	assert_int_equal(rr_refer_parse("<sip:8001@h?X-A=1&replaces=c1%3Bfrom-tag%3Df%3Bto-tag%3Dt"
					"&X-B=2>", &t), 0);
	assert_true(t.replaces);
	assert_string_equal(t.call_id, "c1");
	assert_string_equal(t.to_tag, "t");
	assert_string_equal(t.from_tag, "f");
}

static void test_bad(void **state)
{
	struct rr_refer_target t;

	assert_int_equal(rr_refer_parse("<sip:203.0.113.10>", &t), -EINVAL);	/* no number */
	assert_int_equal(rr_refer_parse("", &t), -EINVAL);
	assert_int_equal(rr_refer_parse("<<<>>>", &t), -EINVAL);
	/* Replaces without its tags */
	assert_int_equal(rr_refer_parse("<sip:8001@h?Replaces=onlycallid>", &t), -EINVAL);
	/* escaped junk in the user part */
	assert_int_equal(rr_refer_parse("<sip:80%3E01@h>", &t), -EINVAL);
	/* escaped URI delimiters in the user would start headers or
	 * parameters in the URIs rtprelayd writes with it */
	assert_int_equal(rr_refer_parse("<sip:4930%3FReplaces%3Dc%253Bto-tag%253Dt%253Bfrom-tag%253Df@h>",
					&t), -EINVAL);
	assert_int_equal(rr_refer_parse("<sip:4930%3FP-Asserted-Identity%3D%253Csip:1%2540x%253E@h>",
					&t), -EINVAL);
	assert_int_equal(rr_refer_parse("<sip:4930%26x%3D1@h>", &t), -EINVAL);
	assert_int_equal(rr_refer_parse("<sip:4930%3Bmaddr%3D192.0.2.66@h>", &t), -EINVAL);
	assert_int_equal(rr_refer_parse("<sip:4930%2525@h>", &t), -EINVAL);
	assert_int_equal(rr_refer_parse("<sip:alice.smith_2-x@h>", &t), 0);	/* a user name */
	assert_int_equal(rr_refer_parse_url(NULL, &t), -EINVAL);
	{
		char big[1024] = "<sip:8001@h?Replaces=";

		memset(big + strlen(big), 'a', 900);
		strcat(big, "%3Bto-tag%3D1%3Bfrom-tag%3D2>");
		assert_int_equal(rr_refer_parse(big, &t), -EINVAL);	/* too long */
	}
}

static const char base[] =
	CONFIG_TEXT_LAB_HEAD					/* 1-7 */
	"trunks:\n"						/* 8 */
	"  - name: s\n"						/* 9 */
	"    side: sbc\n"					/* 10 */
	"    peers: [\"198.51.100.10\"]\n"			/* 11 */
	"  - name: p\n"						/* 12 */
	"    side: pbx\n"					/* 13 */
	"    peers: [\"203.0.113.10\"]\n";			/* 14 */

/* base with extra lines for trunk p, which must load */
static struct rr_config *load_ok(const char *extra)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", base, extra);
	return config_text_ok(text);
}

static void test_config(void **state)
{
	struct rr_config *cfg = load_ok("");

	/* defaults: rtprelayd is the referee; RFC 4028 on, 1800 s, Min-SE 90 */
	assert_int_equal(cfg->trunks[0].refer, RR_REFER_HANDLE);
	assert_int_equal(cfg->trunks[1].session_timer.interval, 1800);
	assert_int_equal(cfg->trunks[1].session_timer.min_se, 90);
	assert_int_equal(cfg->trunks[1].session_timer.refresher, RR_REFRESHER_AUTO);
	assert_false(cfg->trunks[1].session_timer.update);
	rr_config_free(cfg);

	cfg = load_ok("    refer: pass\n"
		      "    session_timer: { interval: 120, min_se: 10, refresher: local, method: update }\n");
	assert_int_equal(cfg->trunks[1].refer, RR_REFER_PASS);
	assert_int_equal(cfg->trunks[0].refer, RR_REFER_HANDLE);
	assert_int_equal(cfg->trunks[1].session_timer.interval, 120);
	assert_int_equal(cfg->trunks[1].session_timer.min_se, 10);
	assert_int_equal(cfg->trunks[1].session_timer.refresher, RR_REFRESHER_LOCAL);
	assert_true(cfg->trunks[1].session_timer.update);
	rr_config_free(cfg);

	cfg = load_ok("    session_timer: { interval: 0, refresher: remote }\n");
	assert_int_equal(cfg->trunks[1].session_timer.interval, 0);	/* off */
	assert_int_equal(cfg->trunks[1].session_timer.refresher, RR_REFRESHER_REMOTE);
	rr_config_free(cfg);
}

static void expect_error(const char *extra, int line, const char *what)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", base, extra);
	config_text_refused(text, line, what);
}

static void test_config_errors(void **state)
{
	expect_error("    refer: maybe\n", 15, "refer: 'maybe' is not pass or handle");
	expect_error("    refer: [pass]\n", 15, "expected a scalar");
	expect_error("    session_timer: 90\n", 15, "session_timer: expected a mapping");
	expect_error("    session_timer:\n      interval: -1\n", 16, "session_timer.interval");
	expect_error("    session_timer: { min_se: 0 }\n", 15, "session_timer.min_se");
	expect_error("    session_timer: { refresher: uac }\n", 15, "not auto, local or remote");
	expect_error("    session_timer: { method: options }\n", 15, "not invite or update");
	expect_error("    session_timer: { interval: 60, min_se: 90 }\n", 15, "below min_se 90");
	expect_error("    session_timer: { expires: 60 }\n", 15, "session_timer: unknown key 'expires'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blind),
		cmocka_unit_test(test_attended),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_errors),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
