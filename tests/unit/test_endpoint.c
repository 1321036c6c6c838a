// SPDX-License-Identifier: GPL-2.0-only
/* ADDR:PORT / [V6]:PORT parsing and formatting (controller/endpoint.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "endpoint.h"

static void parses(const char *s, int family, const char *addr, unsigned port)
{
	struct rtprelay_endpoint ep, want;
	char err[RR_ENDPOINT_ERRLEN] = "", buf[RR_ENDPOINT_STRLEN];

	memset(&want, 0, sizeof(want));
	want.family = (__u8)family;
	want.port = htons((uint16_t)port);
	assert_int_equal(inet_pton(family == RTPRELAY_AF_INET ? AF_INET : AF_INET6,
				   addr, want.addr.v6), 1);
	memset(&ep, 0xa5, sizeof(ep));	/* parse must zero every byte */
	if (rr_endpoint_parse(s, &ep, err, sizeof(err)))
		fail_msg("'%s' refused: %s", s, err);
	assert_memory_equal(&ep, &want, sizeof(ep));
	/* Round trip through the canonical text form. */
	rr_endpoint_format(&ep, buf, sizeof(buf));
	memset(&ep, 0xa5, sizeof(ep));
	assert_int_equal(rr_endpoint_parse(buf, &ep, err, sizeof(err)), 0);
	assert_memory_equal(&ep, &want, sizeof(ep));
}

/* s must be refused with an error containing `why`, and ep left zeroed. */
static void refuses(const char *s, const char *why)
{
	struct rtprelay_endpoint ep, zero;
	char err[RR_ENDPOINT_ERRLEN] = "";

	memset(&zero, 0, sizeof(zero));
	memset(&ep, 0xa5, sizeof(ep));
	assert_int_equal(rr_endpoint_parse(s, &ep, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("'%s': error '%s' does not say '%s'", s, err, why);
	assert_null(strchr(err, '\n'));
	assert_memory_equal(&ep, &zero, sizeof(ep));
}

static void test_valid_v4(void **state)
{
	parses("198.51.100.1:20000", RTPRELAY_AF_INET, "198.51.100.1", 20000);
	parses("0.0.0.0:1", RTPRELAY_AF_INET, "0.0.0.0", 1);
	parses("255.255.255.255:65535", RTPRELAY_AF_INET, "255.255.255.255", 65535);
}

static void test_valid_v6(void **state)
{
	parses("[2001:db8::1]:4000", RTPRELAY_AF_INET6, "2001:db8::1", 4000);
	parses("[::]:65535", RTPRELAY_AF_INET6, "::", 65535);
	parses("[::ffff:1.2.3.4]:5", RTPRELAY_AF_INET6, "::ffff:1.2.3.4", 5);
	parses("[2001:db8:113:0:0:0:0:10]:50000", RTPRELAY_AF_INET6,
	       "2001:db8:113::10", 50000);
}

static void test_bad_ports(void **state)
{
	refuses("198.51.100.1:0", "out of range 1..65535");
	refuses("198.51.100.1:00", "out of range 1..65535");
	refuses("198.51.100.1:65536", "out of range 1..65535");
	refuses("198.51.100.1:99999999999999999999", "out of range");
	refuses("198.51.100.1:12a", "not a number");
	refuses("198.51.100.1:-1", "not a number");
	refuses("198.51.100.1:+5", "not a number");
	refuses("198.51.100.1: 5", "not a number");
	refuses("198.51.100.1:0x10", "not a number");
	refuses("198.51.100.1:", "missing port");
	refuses("[2001:db8::1]:", "missing port");
	refuses("[2001:db8::1]:70000", "out of range");
	refuses("198.51.100.1", "missing ':PORT'");
}

static void test_brackets(void **state)
{
	refuses("2001:db8::1:4000", "needs brackets");
	refuses("[2001:db8::1:4000", "missing ']'");
	refuses("2001:db8::1]:4000", "needs brackets");
	refuses("1.2.3.4]:4000", "missing '['");
	refuses("[2001:db8::1]4000", "expected ':PORT'");
	refuses("[]:4000", "empty address");
	refuses("[198.51.100.1]:4000", "not an IPv6 address");
	refuses("[fe80::1%eth0]:4000", "scope ids");
}

static void test_bad_addresses(void **state)
{
	refuses("", "empty endpoint");
	refuses(":4000", "missing address");
	refuses("198.51.100:4000", "not an IPv4 address");
	refuses("198.51.100.256:4000", "not an IPv4 address");
	refuses("host.example:4000", "not an IPv4 address");
	refuses("[2001:db8::g]:4000", "not an IPv6 address");
	refuses("[2001:db8:::1]:4000", "not an IPv6 address");
	refuses("[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]:1",
		"too long");
	assert_int_equal(rr_endpoint_parse(NULL, &(struct rtprelay_endpoint){}, NULL, 0),
			 -EINVAL);
}

static void test_addr_parse_and_format(void **state)
{
	struct rtprelay_endpoint ep;
	char err[RR_ENDPOINT_ERRLEN], buf[RR_ENDPOINT_STRLEN];

	assert_int_equal(rr_addr_parse("2001:db8:51::10", &ep, err, sizeof(err)), 0);
	assert_int_equal(ep.family, RTPRELAY_AF_INET6);
	assert_int_equal(ep.port, 0);
	assert_string_equal(rr_addr_format(&ep, buf, sizeof(buf)), "2001:db8:51::10");
	assert_int_equal(rr_addr_parse("198.51.100.10", &ep, err, sizeof(err)), 0);
	assert_int_equal(ep.family, RTPRELAY_AF_INET);
	assert_int_equal(ep.addr.v6[1] | ep.addr.v6[2] | ep.addr.v6[3], 0);
	assert_int_equal(rr_addr_parse("198.51.100.10:1", &ep, err, sizeof(err)), -EINVAL);
	memset(&ep, 0, sizeof(ep));
	assert_string_equal(rr_endpoint_format(&ep, buf, sizeof(buf)), "-");
	assert_int_equal(rr_endpoint_parse("[2001:DB8::A]:7", &ep, err, sizeof(err)), 0);
	assert_string_equal(rr_endpoint_format(&ep, buf, sizeof(buf)), "[2001:db8::a]:7");
	/* Truncation never overflows. */
	assert_string_equal(rr_endpoint_format(&ep, buf, 4), "[20");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_v4),
		cmocka_unit_test(test_valid_v6),
		cmocka_unit_test(test_bad_ports),
		cmocka_unit_test(test_brackets),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_addr_parse_and_format),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
