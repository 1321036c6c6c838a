// SPDX-License-Identifier: GPL-2.0-only
/*
 * Call-event log lines (controller/call_log.c): the fixed key order, the
 * keys that are always there, masking of every number, quoting and escaping
 * of values, one line whatever the input, truncation; hold detection in SDP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "call_log.h"
#include "log.h"

static const char *fmt(const struct rr_call_ev *ev, bool mask)
{
	static char buf[1024];

	rr_call_ev_format(ev, mask, buf, sizeof(buf));
	return buf;
}

static void test_answer(void **state)
{
	struct rr_call_ev ev;

	rr_call_ev_init(&ev, 42, "answer");
	ev.trunk_in = "teams";
	ev.trunk_out = "pbx";
	ev.from = "+390612345678";
	ev.to = "+4930123456";
	ev.status = 200;
	ev.outcome = "answered";
	assert_string_equal(fmt(&ev, false), "call=42 event=answer trunk_in=teams trunk_out=pbx "
			    "from=+390612345678 to=+4930123456 status=200 outcome=answered");
	assert_string_equal(fmt(&ev, true), "call=42 event=answer trunk_in=teams trunk_out=pbx "
			    "from=+3906******78 to=+4930****56 status=200 outcome=answered");
}

static void test_all_keys(void **state)
{
	struct rr_call_ev ev;

	rr_call_ev_init(&ev, 7, "end");
	ev.trunk_in = "sbc";
	ev.trunk_out = "pbx";
	ev.from = "4930111222";
	ev.to = "8001";
	ev.src = "198.51.100.10";
	ev.peer = "203.0.113.10:5060";
	ev.leg = 1;
	ev.status = 487;
	ev.hold = "yes";
	ev.target = "+4930999888";
	ev.outcome = "cancelled";
	ev.state = "H";
	ev.duration = 3.04;
	ev.talk = 0;
	ev.reason = "CANCEL from the caller";
	/* every key, in the documented order; short numbers stay whole */
	assert_string_equal(fmt(&ev, true),
			    "call=7 event=end trunk_in=sbc trunk_out=pbx from=49301***22 to=8001 "
			    "src=198.51.100.10 peer=203.0.113.10:5060 leg=1 status=487 hold=yes "
			    "target=+4930****88 outcome=cancelled state=H duration=3.0 talk=0.0 "
			    "reason=\"CANCEL from the caller\"");
}

static void test_quoting(void **state)
{
	struct rr_call_ev ev;

	/* no call number, no trunks, no numbers: the keys are still there */
	rr_call_ev_init(&ev, 0, "reject");
	ev.status = 403;
	assert_string_equal(fmt(&ev, true),
			    "call=- event=reject trunk_in=\"\" trunk_out=\"\" from=\"\" to=\"\" status=403");
	/* hostile input: quotes, backslashes, '=', a newline (log injection) */
	ev.from = "x\" y";
	ev.to = "a=b";
	ev.reason = "evil\nline \\ \"q\"";
	assert_string_equal(fmt(&ev, false),
			    "call=- event=reject trunk_in=\"\" trunk_out=\"\" from=\"x\\\" y\" "
			    "to=\"a=b\" status=403 reason=\"evil?line \\\\ \\\"q\\\"\"");
	assert_null(strchr(fmt(&ev, true), '\n'));
}

static void test_truncation(void **state)
{
	struct rr_call_ev ev;
	char small[16];
	size_t need;

	rr_call_ev_init(&ev, 123456, "start");
	ev.trunk_in = "sbc";
	need = rr_call_ev_format(&ev, false, small, sizeof(small));
	assert_true(need >= sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(strncmp(small, "call=123456 eve", 15), 0);
	assert_int_equal(need, strlen(fmt(&ev, false)));
}

static void test_hold(void **state)
{
	static const char *const hold[] = {
		"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 7000 RTP/AVP 0\r\na=sendonly\r\n",
		"v=0\nm=audio 7000 RTP/AVP 0\na=inactive\n",
		"v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 7000 RTP/AVP 0\r\n",
		"v=0\r\na=sendonly",
	};
	static const char *const active[] = {
		"v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 7000 RTP/AVP 0\r\na=sendrecv\r\n",
		"v=0\r\nc=IN IP4 0.0.0.01\r\n",
		"v=0\r\na=x-a=sendonly\r\n",
		"v=0\r\na=sendonlyx\r\n",
		"",
	};

	for (size_t i = 0; i < sizeof(hold) / sizeof(hold[0]); i++)
		assert_true(rr_sdp_is_hold(hold[i], strlen(hold[i])));
	for (size_t i = 0; i < sizeof(active) / sizeof(active[0]); i++)
		assert_false(rr_sdp_is_hold(active[i], strlen(active[i])));
	/* only len bytes count */
	assert_false(rr_sdp_is_hold(hold[1], 10));
}

static void test_mask(void **state)
{
	char b[128];

	assert_string_equal(rr_mask_number("+4930123456", b, sizeof(b)), "+4930****56");
	assert_string_equal(rr_mask_number("1234567", b, sizeof(b)), "1234567");
	assert_string_equal(rr_mask_number("12345678", b, sizeof(b)), "12345*78");
	assert_string_equal(rr_mask_number(NULL, b, sizeof(b)), "");
	/* free text (sofia-sip's lines): runs of 8+ digits masked */
	rr_mask_digits("nua(0x61): strange ACK from <sip:4940555987@198.51.100.10>\n", b,
		       sizeof(b));
	assert_string_equal(b, "nua(0x61): strange ACK from <sip:49405***87@198.51.100.10>\n");
	rr_mask_digits("To: <tel:+4930123456>;tag=1 port 5060 id 12345678", b, sizeof(b));
	assert_string_equal(b, "To: <tel:+4930****56>;tag=1 port 5060 id 12345*78");
	rr_mask_digits("+", b, sizeof(b));
	assert_string_equal(b, "+");
	rr_mask_digits("abc4930123456", b, 8);
	assert_string_equal(b, "abc4930");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_mask),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
