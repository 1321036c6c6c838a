// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelayd configuration: the shipped files load, and every kind of bad
 * file is refused with FILE:LINE: reason naming the offending line.
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
#include <arpa/inet.h>
#include <cmocka.h>
#include "config.h"
#include "routing.h"
#include "config_text.h"

static const char base[] =
	"listen:\n"						/* 1 */
	"  sbc: { address: 198.51.100.1 }\n"			/* 2 */
	"  pbx: { address: 203.0.113.1, port: 5070 }\n"		/* 3 */
	"trunks:\n"						/* 4 */
	"  - name: s\n"						/* 5 */
	"    side: sbc\n"					/* 6 */
	"    peers: [\"198.51.100.10\"]\n"			/* 7 */
	"  - name: p\n"						/* 8 */
	"    side: pbx\n"					/* 9 */
	"    peers: [\"203.0.113.10:5080\"]\n"			/* 10 */
	"    allow: [\"203.0.113.0/24\"]\n"			/* 11 */
	"media:\n"						/* 12 */
	"  address:\n"						/* 13 */
	"    sbc: { ipv4: 198.51.100.1 }\n"			/* 14 */
	"    pbx: { ipv4: 203.0.113.1 }\n";			/* 15 */

/* Loads base + extra and expects an error on line `line` containing `what`. */
static void expect_error(const char *extra, int line, const char *what)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", base, extra);
	config_text_refused(text, line, what);
}

static void test_base(void **state)
{
	struct rr_config *cfg = config_text_ok(base);

	assert_int_equal(cfg->n_trunks, 2);
	assert_int_equal(cfg->listen[RR_SIDE_PBX].port, 5070);
	assert_int_equal(cfg->listen[RR_SIDE_SBC].port, 5060);
	/* calls: survive a restart by default; SIGTERM hands them over */
	assert_string_equal(cfg->calls.state_dir, "/run/rtprelay/calls");
	assert_false(cfg->calls.end_on_term);
	assert_int_equal(cfg->trunks[1].peers[0].port, 5080);
	assert_int_equal(cfg->trunks[0].n_allow, 1);	/* defaults to the peer */
	assert_int_equal(cfg->media.port_min, 30000);
	assert_int_equal(cfg->media.dscp, 46);
	assert_true(cfg->media.latch);
	rr_config_free(cfg);
}

static void test_shipped(void **state)
{
	static const char *files[] = { "configs/lab.yaml", "configs/example.yaml" };
	char err[512];

	for (unsigned int i = 0; i < 2; i++) {
		struct rr_config *cfg = rr_config_load(files[i], err, sizeof(err));

		if (!cfg)
			fail_msg("%s", err);
		assert_int_equal(cfg->n_routes, 2);
		rr_config_free(cfg);
	}
}

static void test_lab(void **state)
{
	char err[512];
	struct rr_config *cfg = rr_config_load("configs/lab.yaml", err, sizeof(err));
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (!cfg)
		fail_msg("%s", err);
	inet_pton(AF_INET, "198.51.100.10", &sin.sin_addr);
	assert_int_equal(rr_config_trunk_for_source(cfg, RR_SIDE_SBC, (void *)&sin), 0);
	assert_int_equal(rr_config_trunk_for_source(cfg, RR_SIDE_PBX, (void *)&sin), -1);
	inet_pton(AF_INET, "198.51.100.11", &sin.sin_addr);
	assert_int_equal(rr_config_trunk_for_source(cfg, RR_SIDE_SBC, (void *)&sin), -1);
	assert_string_equal(cfg->listen[RR_SIDE_SBC].address, "198.51.100.1");
	assert_int_equal(cfg->datapath.n_interfaces, 2);
	assert_string_equal(cfg->trunks[cfg->routes[0].trunk[0]].name, "pbx");
	assert_string_equal(cfg->calls.state_dir, "/run/rtprelayd-lab/calls");
	assert_false(cfg->calls.end_on_term);
	rr_config_free(cfg);
}

static void test_response_map(void **state)
{
	char text[4096];
	struct rr_config *cfg;

	snprintf(text, sizeof(text), "%s%s", base, "");
	strcpy(strstr(text, "    allow: [\"203.0.113.0/24\"]\n"),
	       "    allow: [\"203.0.113.0/24\"]\n    response_map: { 503: 500, \"486\": 480 }\n"
	       "media:\n  address:\n    sbc: { ipv4: 198.51.100.1 }\n    pbx: { ipv4: 203.0.113.1 }\n");
	cfg = config_text_ok(text);
	assert_int_equal(rr_trunk_map_status(&cfg->trunks[1], 503), 500);
	assert_int_equal(rr_trunk_map_status(&cfg->trunks[1], 486), 480);
	assert_int_equal(rr_trunk_map_status(&cfg->trunks[1], 404), 404);
	assert_int_equal(rr_trunk_map_status(&cfg->trunks[0], 503), 503);
	rr_config_free(cfg);
}

static void test_routing(void **state)
{
	static const char text[] =
		"listen: { sbc: { address: 198.51.100.1 }, pbx: { address: 203.0.113.1 } }\n"
		"media: { address: { sbc: { ipv4: 198.51.100.1 }, pbx: { ipv4: 203.0.113.1 } } }\n"
		"trunks:\n"
		"  - { name: s1, side: sbc, peers: [\"198.51.100.10\"] }\n"
		"  - { name: s2, side: sbc, peers: [\"198.51.100.11\"] }\n"
		"  - { name: p1, side: pbx, peers: [\"203.0.113.10\"] }\n"
		"  - { name: p2, side: pbx, peers: [\"203.0.113.11\"] }\n"
		"routes:\n"
		"  - { prefix: \"\", trunk: p1 }\n"
		"  - { prefix: \"+4930\", trunk: p2 }\n"
		"  - { from: s2, prefix: \"\", trunk: p2 }\n"
		"  - { from: p1, prefix: \"+49\", trunk: s1 }\n"
		"  - { from: p2, prefix: \"+39\", trunk: [s2, s1] }\n";
	char err[512];
	struct rr_config *cfg = config_text_load(text, err, sizeof(err));
	struct rr_route_result res;

	if (!cfg)
		fail_msg("%s", err);
	/* a list of trunks: every one is a target, in order, same number */
	assert_int_equal(rr_route_decide(cfg, 3, "201", "+39021", &res), 0);
	assert_int_equal(res.n_targets, 2);
	assert_int_equal(res.target[0].trunk, 1);
	assert_int_equal(res.target[1].trunk, 0);
	assert_string_equal(res.target[1].user, "+39021");
	assert_non_null(strstr(res.rule, "prefix \"+39\""));
	assert_int_equal(rr_route_decide(cfg, 3, "201", "+44", &res), -ENOENT);
	/* too long for the number fields: refused, never routed cut */
	{
		char longer[200];

		memset(longer, '3', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		longer[0] = '+';
		longer[1] = '3';
		longer[2] = '9';
		assert_int_equal(rr_route_decide(cfg, 3, "201", longer, &res), -ENOENT);
		assert_int_equal(res.status, 404);
		assert_int_equal(rr_route_decide(cfg, 3, longer, "+39021", &res), -ENOENT);
	}
	assert_int_equal(rr_route_call(cfg, 0, "+4989123"), 2);	/* default */
	assert_int_equal(rr_route_call(cfg, 0, "+4930123"), 3);	/* longer prefix */
	assert_int_equal(rr_route_call(cfg, 0, NULL), 2);
	assert_int_equal(rr_route_call(cfg, 1, "+4989123"), 3);	/* from s2 wins the tie */
	assert_int_equal(rr_route_call(cfg, 2, "+4930123"), 0);	/* never to its own side */
	assert_int_equal(rr_route_call(cfg, 2, "+1555"), -ENOENT);
	assert_int_equal(rr_route_call(cfg, 3, "+4930"), -ENOENT);	/* p2: no route from it */
	rr_config_free(cfg);
}

static void test_trunk_media(void **state)
{
	static const char head[] =
		"listen: { sbc: { address: 198.51.100.1 }, pbx: { address: 203.0.113.1 } }\n"
		"media: { address: { sbc: { ipv4: 198.51.100.1 }, pbx: { ipv4: 203.0.113.1 } } }\n"
		"trunks:\n"
		"  - { name: s, side: sbc, peers: [\"198.51.100.10\"] }\n";
	char text[1024], err[512];
	struct rr_config *cfg;

	snprintf(text, sizeof(text), "%s%s", head,
		 "  - { name: p, side: pbx, peers: [\"203.0.113.10\"], jitter: false,\n"
		 "      codecs: [PCMA, telephone-event] }\n");
	cfg = config_text_ok(text);
	assert_true(cfg->trunks[0].jitter);		/* default: measured */
	assert_int_equal(cfg->trunks[0].codecs.n, 0);	/* default: all */
	assert_false(cfg->trunks[1].jitter);
	assert_int_equal(cfg->trunks[1].codecs.n, 2);
	assert_string_equal(cfg->trunks[1].codecs.name[1], "telephone-event");
	rr_config_free(cfg);

	snprintf(text, sizeof(text), "%s%s", head,
		 "  - { name: p, side: pbx, peers: [\"203.0.113.10\"], codecs: [] }\n");
	assert_null(config_text_load(text, err, sizeof(err)));
	assert_non_null(strstr(err, ":5: codecs: an empty list"));
	snprintf(text, sizeof(text), "%s%s", head,
		 "  - { name: p, side: pbx, peers: [\"203.0.113.10\"], codecs: [PCMA/8000] }\n");
	assert_null(config_text_load(text, err, sizeof(err)));
	assert_non_null(strstr(err, ":5: codecs: 'PCMA/8000' is not a codec name"));
}

static void test_cidr(void **state)
{
	struct rr_cidr c;
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	assert_int_equal(rr_cidr_parse("10.0.0.0/8", &c), 0);
	assert_int_equal(c.prefix, 8);
	assert_int_not_equal(rr_cidr_parse("10.0.0.0/33", &c), 0);
	assert_int_not_equal(rr_cidr_parse("10.0.0/8", &c), 0);
	assert_int_not_equal(rr_cidr_parse("10.0.0.0/", &c), 0);
	assert_int_equal(rr_cidr_parse("2001:db8::/33", &c), 0);
	inet_pton(AF_INET6, "2001:db8:7fff::1", &s6.sin6_addr);
	assert_true(rr_cidr_match(&c, (void *)&s6));
	inet_pton(AF_INET6, "2001:db8:8000::1", &s6.sin6_addr);
	assert_false(rr_cidr_match(&c, (void *)&s6));
	/* a v4-mapped source matches a v4 network */
	assert_int_equal(rr_cidr_parse("192.0.2.0/24", &c), 0);
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &s6.sin6_addr);
	assert_true(rr_cidr_match(&c, (void *)&s6));
}

static void test_syntax(void **state)
{
	expect_error("  bad: value: more\n", 16, "mapping values");
	expect_error("  bad: [unclosed\n", 17, "flow sequence");
	expect_error("media:\n\tdscp: 4\n", 17, "");
}

static void test_semantic(void **state)
{
	expect_error("  ports: { min: 30001, max: 30010 }\n", 16, "even");
	expect_error("  ports: { min: 30000, max: 30000 }\n", 16, "even");
	expect_error("  ports: { min: 70000 }\n", 16, "ports.min");
	expect_error("  dscp: 64\n", 16, "dscp");
	expect_error("  latch: maybe\n", 16, "boolean");
	expect_error("  inactivity_timeout: -1\n", 16, "inactivity_timeout");
	expect_error("  colour: blue\n", 16, "unknown key 'colour'");
	expect_error("routes:\n  - { prefix: \"49\", trunk: nope }\n", 17, "unknown trunk 'nope'");
	expect_error("routes:\n  - prefix: \"49\"\n    from: ghost\n    trunk: p\n", 18, "unknown trunk 'ghost'");
	expect_error("routes:\n  - { prefix: \"4a\", trunk: p }\n", 17, "number prefix");
	expect_error("routes:\n  - { from: s, trunk: s }\n", 17, "same side");
	expect_error("routes:\n  - { from: p, trunk: [s, p] }\n", 17, "same side");
	expect_error("routes:\n  - { trunk: [] }\n", 17, "empty list");
	expect_error("routes:\n  - { prefix: \"1\" }\n", 17, "'trunk' is required");
	expect_error("datapath:\n  mode: turbo\n", 17, "mode");
	expect_error("datapath:\n  pin_dir: relative\n", 17, "absolute");
	expect_error("calls:\n  shutdown: maybe\n", 17, "not keep_calls or end_calls");
	expect_error("calls:\n  state_dir: calls\n", 17, "absolute");
	expect_error("calls:\n  restart: yes\n", 17, "unknown key 'restart'");
	expect_error("logging:\n  level: loud\n", 17, "level");
	expect_error("frobnicate: 1\n", 16, "unknown key 'frobnicate'");
	expect_error("options_interval: x\n", 16, "options_interval");
	/* TLS: files checked at load, the line of the offending one */
	expect_error("listen:\n  sbc:\n    address: 198.51.100.1\n"
		     "    tls:\n      cert: /nonexistent/rr.pem\n      key: /nonexistent/rr.key\n",
		     20, "tls cert: '/nonexistent/rr.pem': No such file");
	expect_error("listen:\n  sbc:\n    address: 198.51.100.1\n"
		     "    tls:\n      cert: configs/example.yaml\n      key: /x\n",
		     20, "not a PEM certificate");
	expect_error("listen:\n  sbc:\n    address: 198.51.100.1\n    tls: { port: 5061 }\n",
		     19, "'cert' and 'key' are required");
	expect_error("listen:\n  sbc:\n    address: 198.51.100.1\n    transports: [tls]\n",
		     19, "own 'tls' section");
	/* dual stack: one address of each family */
	expect_error("listen:\n  sbc:\n    address: [198.51.100.1, 198.51.100.2]\n",
		     18, "one IPv4 and one IPv6");
	expect_error("listen:\n  sbc:\n    address: [198.51.100.1, nope]\n",
		     18, "'nope' is not an IP address");
}

static void test_metrics(void **state)
{
	char text[4096];
	struct rr_config *cfg = config_text_ok(base);

	assert_false(cfg->metrics.enabled);	/* off by default */
	rr_config_free(cfg);
	snprintf(text, sizeof(text), "%smetrics: { listen: \"127.0.0.1:9200\" }\n", base);
	cfg = config_text_ok(text);
	assert_true(cfg->metrics.enabled);
	assert_string_equal(cfg->metrics.host, "127.0.0.1");
	assert_int_equal(cfg->metrics.port, 9200);
	rr_config_free(cfg);
	snprintf(text, sizeof(text), "%smetrics:\n  listen: \"[::1]\"\n", base);
	cfg = config_text_ok(text);
	assert_int_equal(cfg->metrics.family, AF_INET6);
	assert_int_equal(cfg->metrics.port, 9120);	/* the default port */
	rr_config_free(cfg);
	expect_error("metrics:\n  listen: localhost:9120\n", 17, "metrics listen");
	expect_error("metrics:\n  listen: \"127.0.0.1:0\"\n", 17, "metrics listen");
	expect_error("metrics:\n  listen: \"127.0.0.1:70000\"\n", 17, "metrics listen");
	expect_error("metrics:\n  listen: [1, 2]\n", 17, "metrics listen");
	expect_error("metrics:\n  port: 9120\n", 17, "unknown key 'port'");
	expect_error("metrics: on\n", 16, "metrics");
}

static void test_cdr(void **state)
{
	char text[4096];
	struct rr_config *cfg = config_text_ok(base);

	assert_string_equal(cfg->cdr.dir, "");		/* off by default */
	assert_int_equal(cfg->cdr.retention_days, 90);
	assert_false(cfg->cdr.mask_numbers);
	rr_config_free(cfg);
	snprintf(text, sizeof(text),
		 "%scdr: { dir: /var/lib/rtprelay/cdr, retention_days: 0, mask_numbers: yes }\n",
		 base);
	cfg = config_text_ok(text);
	assert_string_equal(cfg->cdr.dir, "/var/lib/rtprelay/cdr");
	assert_int_equal(cfg->cdr.retention_days, 0);
	assert_true(cfg->cdr.mask_numbers);
	rr_config_free(cfg);
	expect_error("cdr:\n  dir: var/cdr\n", 17, "not an absolute path");
	expect_error("cdr:\n  retention_days: -1\n", 17, "cdr retention_days");
	expect_error("cdr:\n  retention_days: 40000\n", 17, "cdr retention_days");
	expect_error("cdr:\n  mask_numbers: maybe\n", 17, "cdr mask_numbers");
	expect_error("cdr:\n  directory: /x\n", 17, "unknown key 'directory'");
	expect_error("cdr: /var/cdr\n", 16, "cdr");
}

static void test_trunk_errors(void **state)
{
	static const char head[] =
		"listen:\n"
		"  sbc: { address: 198.51.100.1 }\n"
		"  pbx: { address: 203.0.113.1 }\n"
		"media: { address: { sbc: { ipv4: 198.51.100.1 }, pbx: { ipv6: \"2001:db8::1\" } } }\n"
		"trunks:\n"						/* 5 */
		"  - name: s\n"						/* 6 */
		"    side: sbc\n"					/* 7 */
		"    peers: [\"198.51.100.10\"]\n";			/* 8 */
	static const struct { const char *tail; int line; const char *what; } cases[] = {
		{ "    allow: [\"198.51.100.0/33\"]\n", 9, "not a network" },
		{ "    allow: [\"300.1.1.1/8\"]\n", 9, "not a network" },
		{ "    transport: sctp\n", 9, "transport" },
		{ "  - name: t\n    side: middle\n", 10, "unknown side" },
		{ "  - name: t\n    side: pbx\n    peers: [\"host.example\"]\n", 11, "peer" },
		{ "  - name: t\n    side: pbx\n    peers: [\"203.0.113.10:0\"]\n", 11, "peer" },
		{ "  - name: t\n    side: pbx\n", 9, "at least one peer" },
		{ "  - side: pbx\n    peers: [\"203.0.113.10\"]\n", 9, "'name' is required" },
		{ "  - name: s\n    side: pbx\n    peers: [\"203.0.113.10\"]\n", 9, "defined twice" },
		{ "    response_map: { 503: 200 }\n", 9, "response_map status" },
		{ "    response_map: { abc: 480 }\n", 9, "response_map status" },
		{ "    response_map:\n      486: 480\n      999: 500\n", 11, "response_map status" },
	};
	char text[4096];

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].tail);
		config_text_refused(text, cases[i].line, cases[i].what);
	}
}

static void test_missing(void **state)
{
	char err[512];
	struct rr_config *cfg;

	cfg = config_text_load("listen:\n  sbc: { address: 198.51.100.1 }\n", err, sizeof(err));
	assert_null(cfg);
	if (!strstr(err, "side 'pbx' is missing"))
		fail_msg("%s", err);
	cfg = rr_config_load("/nonexistent/rr.yaml", err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "/nonexistent/rr.yaml:0: cannot open"));
	cfg = config_text_load("", err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "empty configuration"));
	cfg = config_text_load("- a\n- b\n", err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, ":1: top level: expected a mapping"));
}

/* Forking, early media, failover and admission keys of a trunk. */
static void test_trunk_fork(void **state)
{
	static const char head[] =
		"listen: { sbc: { address: 198.51.100.1 }, pbx: { address: 203.0.113.1 } }\n"
		"media: { address: { sbc: { ipv4: 198.51.100.1 }, pbx: { ipv4: 203.0.113.1 } } }\n"
		"trunks:\n"
		"  - { name: s, side: sbc, peers: [\"198.51.100.10\"] }\n";
	static const struct { const char *trunk, *err; } bad[] = {
		{ "early_media: some", ":5: early_media: 'some' is not one of all, first, convert_183" },
		{ "failover_codes: [200]", ":5: failover_codes status: '200' is not an integer in 300..699" },
		{ "failover_codes: 503", ":5: failover_codes: expected a list" },
		{ "failover_timeout: -1", ":5: failover_timeout: '-1' is not a number of seconds" },
		{ "failover_timeout: 1s", ":5: failover_timeout: '1s' is not a number of seconds" },
		{ "max_calls: many", ":5: max_calls: 'many' is not an integer" },
		{ "cancel_reason_always: sometimes", ":5: cancel_reason_always: 'sometimes' is not a boolean" },
	};
	char text[1024], err[512];
	struct rr_config *cfg;
	const struct rr_trunk *t;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", head,
		 "  - { name: p, side: pbx, peers: [\"203.0.113.10\", \"203.0.113.11\"],\n"
		 "      early_media: convert_183, failover_codes: [408, 500], failover_timeout: 2.5,\n"
		 "      cancel_reason_completed_elsewhere: false, cancel_reason_always: true,\n"
		 "      max_calls: 30, max_cps: 5, max_bandwidth_kbps: 9000, call_bandwidth_kbps: 100 }\n");
	cfg = config_text_ok(text);
	/* defaults */
	t = &cfg->trunks[0];
	assert_true(t->cancel_reason_elsewhere);
	assert_false(t->cancel_reason_always);
	assert_int_equal(t->early_media, RR_EARLY_ALL);
	assert_int_equal(t->n_failover_codes, 3);
	assert_true(rr_trunk_failover_status(t, 408));
	assert_true(rr_trunk_failover_status(t, 503));
	assert_true(rr_trunk_failover_status(t, 504));
	assert_false(rr_trunk_failover_status(t, 500));
	assert_int_equal(t->failover_timeout_ms, 10000);
	assert_int_equal(t->max_calls, 0);
	assert_int_equal(t->max_cps, 0);
	assert_int_equal(t->max_bandwidth_kbps, 0);
	assert_int_equal(t->call_bandwidth_kbps, 300);
	/* set */
	t = &cfg->trunks[1];
	assert_false(t->cancel_reason_elsewhere);
	assert_true(t->cancel_reason_always);
	assert_int_equal(t->early_media, RR_EARLY_CONVERT_183);
	assert_true(rr_trunk_failover_status(t, 500));
	assert_false(rr_trunk_failover_status(t, 503));
	assert_int_equal(t->failover_timeout_ms, 2500);
	assert_int_equal(t->max_calls, 30);
	assert_int_equal(t->max_cps, 5);
	assert_int_equal(t->max_bandwidth_kbps, 9000);
	assert_int_equal(t->call_bandwidth_kbps, 100);
	rr_config_free(cfg);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s  - { name: p, side: pbx, peers: [\"203.0.113.10\"], %s }\n",
			 head, bad[i].trunk);
		cfg = config_text_load(text, err, sizeof(err));
		if (cfg) {
			rr_config_free(cfg);
			fail_msg("accepted %s", bad[i].trunk);
		}
		if (!strstr(err, bad[i].err))
			fail_msg("'%s': error '%s', expected '%s'", bad[i].trunk, err, bad[i].err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_lab),
		cmocka_unit_test(test_response_map),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_trunk_media),
		cmocka_unit_test(test_trunk_fork),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_semantic),
		cmocka_unit_test(test_trunk_errors),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_cdr),
		cmocka_unit_test(test_missing),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
