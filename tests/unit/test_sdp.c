// SPDX-License-Identifier: GPL-2.0-only
/* SDP rewriting (sofia-sip parser/printer) and the media port pool. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "sdp_rewrite.h"
#include "port_pool.h"

static const char offer[] =
	"v=0\r\n"
	"o=- 123 1 IN IP4 198.51.100.10\r\n"
	"s=-\r\n"
	"c=IN IP4 198.51.100.10\r\n"
	"t=0 0\r\n"
	"a=ice-lite\r\n"
	"m=audio 6000 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=rtcp:6001 IN IP4 198.51.100.10\r\n"
	"a=candidate:1 1 UDP 1 198.51.100.10 6000 typ host\r\n"
	"a=sendrecv\r\n"
	"m=video 0 RTP/AVP 96\r\n"
	"m=audio 7000 RTP/AVP 0\r\n"
	"c=IN IP6 2001:db8:51::10\r\n"
	"a=rtcp-mux\r\n";

static void test_parse(void **state)
{
	struct rr_sdp_info info;
	uint8_t a[16];

	assert_int_equal(rr_sdp_parse(offer, strlen(offer), &info, NULL, 0), 0);
	assert_int_equal(info.n, 3);
	assert_int_equal(info.s[0].family, AF_INET);
	assert_int_equal(info.s[0].port, 6000);
	inet_pton(AF_INET, "198.51.100.10", a);
	assert_memory_equal(info.s[0].addr, a, 4);
	assert_false(info.s[0].rtcp_mux);
	assert_int_equal(info.s[1].port, 0);
	assert_int_equal(info.s[2].family, AF_INET6);
	assert_int_equal(info.s[2].port, 7000);
	assert_true(info.s[2].rtcp_mux);
}

static void test_hold(void **state)
{
	static const char hold[] = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\n"
		"c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=inactive\r\n";
	struct rr_sdp_info info;

	assert_int_equal(rr_sdp_parse(hold, strlen(hold), &info, NULL, 0), 0);
	assert_int_equal(info.n, 1);
	assert_int_equal(info.s[0].family, 0);
	{
		struct in_addr relay = { htonl(0xcb007101) };
		uint16_t ports[1] = { 30000 };
		char *out = rr_sdp_rewrite(hold, strlen(hold), AF_INET, &relay, ports, 1, NULL);

		assert_non_null(out);
		assert_non_null(strstr(out, "a=inactive\r\n"));	/* direction passes through */
		assert_non_null(strstr(out, "c=IN IP4 203.0.113.1\r\n"));
		free(out);
	}
}

static void test_bad(void **state)
{
	struct rr_sdp_info info;
	char err[128] = "";
	uint16_t ports[1] = { 30000 };
	struct in_addr a = { 0 };

	assert_int_not_equal(rr_sdp_parse("garbage", 7, &info, err, sizeof(err)), 0);
	assert_true(err[0]);
	assert_null(rr_sdp_rewrite("garbage", 7, AF_INET, &a, ports, 1, NULL));
}

static void test_rewrite(void **state)
{
	struct in_addr relay;
	uint16_t ports[3] = { 30000, 30002, 30004 };
	struct rr_sdp_info info;
	char *out;

	inet_pton(AF_INET, "203.0.113.1", &relay);
	out = rr_sdp_rewrite(offer, strlen(offer), AF_INET, &relay, ports, 3, NULL);
	assert_non_null(out);
	assert_null(strstr(out, "198.51.100.10"));
	assert_null(strstr(out, "2001:db8"));
	assert_null(strstr(out, "candidate"));
	assert_null(strstr(out, "a=rtcp:"));
	assert_null(strstr(out, "ice-lite"));
	assert_non_null(strstr(out, "o=- 123 1 IN IP4 203.0.113.1\r\n"));
	assert_non_null(strstr(out, "c=IN IP4 203.0.113.1\r\n"));
	assert_non_null(strstr(out, "m=audio 30000 RTP/AVP 0 8 101\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:101 telephone-event/8000\r\n"));
	assert_non_null(strstr(out, "m=video 0 RTP/AVP 96\r\n"));	/* stays rejected */
	assert_non_null(strstr(out, "m=audio 30004 RTP/AVP 0\r\n"));
	assert_non_null(strstr(out, "a=rtcp-mux\r\n"));
	assert_int_equal(rr_sdp_parse(out, strlen(out), &info, NULL, 0), 0);
	assert_int_equal(info.n, 3);
	assert_int_equal(info.s[2].family, AF_INET);
	free(out);

	/* fewer ports than lines: the rest is rejected */
	out = rr_sdp_rewrite(offer, strlen(offer), AF_INET, &relay, ports, 1, NULL);
	assert_non_null(out);
	assert_non_null(strstr(out, "m=audio 0 RTP/AVP 0\r\n"));
	free(out);
}

static void test_rewrite_v6(void **state)
{
	struct in6_addr relay;
	uint16_t ports[1] = { 40000 };
	char *out;

	inet_pton(AF_INET6, "2001:db8:113::1", &relay);
	out = rr_sdp_rewrite(offer, strlen(offer), AF_INET6, &relay, ports, 1, NULL);
	assert_non_null(out);
	assert_non_null(strstr(out, "c=IN IP6 2001:db8:113::1\r\n"));
	assert_non_null(strstr(out, "m=audio 40000 "));
	free(out);
}

/* Like what Teams offers: many codecs, rtcp-fb, ICE. */
static const char teams_offer[] =
	"v=0\r\n"
	"o=- 7 0 IN IP4 198.51.100.10\r\n"
	"s=session\r\n"
	"c=IN IP4 198.51.100.10\r\n"
	"b=CT:10000000\r\n"
	"t=0 0\r\n"
	"m=audio 52000 RTP/AVP 104 9 103 111 18 0 8 97 101 13 118\r\n"
	"a=rtcp:52001\r\n"
	"a=ice-ufrag:abcd\r\n"
	"a=ice-pwd:0123456789abcdef0123456789\r\n"
	"a=candidate:1 1 UDP 2130706431 198.51.100.10 52000 typ host\r\n"
	"a=candidate:1 2 UDP 2130705918 198.51.100.10 52001 typ host\r\n"
	"a=candidate:2 1 tcp-act 2121006078 198.51.100.10 52000 typ host\r\n"
	"a=candidate:2 2 tcp-act 2121006077 198.51.100.10 52000 typ host\r\n"
	"a=candidate:3 1 UDP 16648703 192.0.2.44 52012 typ relay raddr 198.51.100.10 rport 52000\r\n"
	"a=candidate:3 2 UDP 16648702 192.0.2.44 52013 typ relay raddr 198.51.100.10 rport 52001\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1\r\n"
	"a=x-candidate-ipv6:2 1 UDP 2130705919 2001:db8:51::10 52002 typ host\r\n"
	"a=rtcp-fb:111 nack\r\n"
	"a=rtcp-fb:* x-message app send:dsh recv:dsh\r\n"
	"a=rtpmap:104 SILK/16000\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:103 SILK/8000\r\n"
	"a=rtpmap:111 SATIN/16000\r\n"
	"a=fmtp:111 bitrate=30000\r\n"
	"a=rtpmap:18 G729/8000\r\n"
	"a=fmtp:18 annexb=no\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:97 RED/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=rtpmap:13 CN/8000\r\n"
	"a=rtpmap:118 CN/16000\r\n"
	"a=ptime:20\r\n";

static void test_codec_filter(void **state)
{
	char names[][32] = { "pcma", "PCMU", "telephone-event" };
	struct rr_codec_list keep = { names, 3 };
	char only_amr[][32] = { "AMR" };
	struct rr_codec_list none = { only_amr, 1 };
	struct in_addr relay;
	uint16_t ports[1] = { 30000 };
	struct rr_sdp_info info;
	char *out;

	inet_pton(AF_INET, "203.0.113.1", &relay);
	out = rr_sdp_rewrite(teams_offer, strlen(teams_offer), AF_INET, &relay, ports, 1, &keep);
	assert_non_null(out);
	assert_true(strlen(teams_offer) > 1200);
	assert_true(strlen(out) * 2 < strlen(teams_offer));
	/* order of the offer kept, names matched without case */
	assert_non_null(strstr(out, "m=audio 30000 RTP/AVP 0 8 101\r\n"));
	assert_non_null(strstr(out, "a=fmtp:101 0-16\r\n"));
	assert_non_null(strstr(out, "a=ptime:20\r\n"));
	assert_null(strstr(out, "SILK"));
	assert_null(strstr(out, "fmtp:18"));
	assert_null(strstr(out, "fmtp:111"));
	assert_null(strstr(out, "rtcp-fb:111"));
	assert_non_null(strstr(out, "a=rtcp-fb:* x-message"));	/* names no type */
	assert_null(strstr(out, "candidate"));
	assert_non_null(strstr(out, "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:"));
	assert_int_equal(rr_sdp_parse(out, strlen(out), &info, NULL, 0), 0);
	assert_int_equal(info.s[0].port, 30000);
	free(out);

	/* nothing left: the line is rejected rather than offered empty */
	out = rr_sdp_rewrite(teams_offer, strlen(teams_offer), AF_INET, &relay, ports, 1, &none);
	assert_non_null(out);
	assert_non_null(strstr(out, "m=audio 0 "));
	free(out);
}

static void test_pool(void **state)
{
	struct rr_port_pool p;
	int a, b, c;

	assert_int_not_equal(rr_port_pool_init(&p, 30001, 30010), 0);
	assert_int_equal(rr_port_pool_init(&p, 30000, 30005), 0);
	assert_int_equal(p.n_pairs, 3);
	a = rr_port_pool_get(&p);
	b = rr_port_pool_get(&p);
	c = rr_port_pool_get(&p);
	assert_int_equal(a, 30000);
	assert_int_equal(b, 30002);
	assert_int_equal(c, 30004);
	assert_int_equal(rr_port_pool_get(&p), -ENOSPC);
	assert_int_equal(p.in_use, 3);
	assert_int_equal(rr_port_pool_put(&p, 30002), 0);
	assert_int_equal(rr_port_pool_put(&p, 30002), -EINVAL);	/* double free */
	assert_int_equal(rr_port_pool_put(&p, 30003), -EINVAL);	/* odd */
	assert_int_equal(rr_port_pool_put(&p, 40000), -EINVAL);
	assert_int_equal(rr_port_pool_get(&p), 30002);
	assert_int_equal(rr_port_pool_put(&p, 30000), 0);
	assert_int_equal(rr_port_pool_put(&p, 30002), 0);
	assert_int_equal(rr_port_pool_put(&p, 30004), 0);
	assert_int_equal(p.in_use, 0);
	/* next-fit: after freeing, the cursor moves on rather than reusing 30000 */
	rr_port_pool_fini(&p);
	assert_int_equal(rr_port_pool_init(&p, 30000, 30009), 0);
	a = rr_port_pool_get(&p);
	assert_int_equal(rr_port_pool_put(&p, (uint16_t)a), 0);
	assert_int_not_equal(rr_port_pool_get(&p), a);
	rr_port_pool_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_rewrite_v6),
		cmocka_unit_test(test_codec_filter),
		cmocka_unit_test(test_pool),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
