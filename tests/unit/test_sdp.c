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
		char *out = rr_sdp_rewrite(hold, strlen(hold), AF_INET, &relay, ports, 1);

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
	assert_null(rr_sdp_rewrite("garbage", 7, AF_INET, &a, ports, 1));
}

static void test_rewrite(void **state)
{
	struct in_addr relay;
	uint16_t ports[3] = { 30000, 30002, 30004 };
	struct rr_sdp_info info;
	char *out;

	inet_pton(AF_INET, "203.0.113.1", &relay);
	out = rr_sdp_rewrite(offer, strlen(offer), AF_INET, &relay, ports, 3);
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
	out = rr_sdp_rewrite(offer, strlen(offer), AF_INET, &relay, ports, 1);
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
	out = rr_sdp_rewrite(offer, strlen(offer), AF_INET6, &relay, ports, 1);
	assert_non_null(out);
	assert_non_null(strstr(out, "c=IN IP6 2001:db8:113::1\r\n"));
	assert_non_null(strstr(out, "m=audio 40000 "));
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
		cmocka_unit_test(test_pool),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
