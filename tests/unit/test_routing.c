// SPDX-License-Identifier: GPL-2.0-only
/*
 * Numbering (number.c), translation rules (translate.c), dial patterns and
 * routing rules (route_rules.c, routing.c), their configuration
 * (config_routing.c) and caller identity (identity.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "config.h"
#include "identity.h"
#include "number.h"
#include "route_rules.h"
#include "routing.h"
#include "config_text.h"
#include "translate.h"

/* ---- numbers ---------------------------------------------------------- */

static void expect_uri(const char *uri, const char *want)
{
	char out[RR_NUMBER_MAX];

	assert_int_equal(rr_number_from_uri(uri, out, sizeof(out)), 0);
	if (strcmp(out, want))
		fail_msg("%s: got '%s', want '%s'", uri, out, want);
}

static void test_number_uri(void **state)
{
	char out[RR_NUMBER_MAX];

	expect_uri("sip:+390612345678@198.51.100.10;user=phone", "+390612345678");
	expect_uri("tel:+39-06-1234-5678", "+390612345678");
	expect_uri("tel:+1-(425)-555.1234", "+14255551234");
	expect_uri("tel:8000", "8000");
	expect_uri("tel:+8000", "+8000");
	/* ;ext= names the Teams user: the extension is the number */
	expect_uri("tel:+390612345;ext=8000", "8000");
	expect_uri("sip:+390612345;ext=8001@sbc.example.com;user=phone", "8001");
	expect_uri("sip:8000@203.0.113.10", "8000");
	expect_uri("sips:+4930123@h;user=phone", "+4930123");
	expect_uri("sip:alice@example.com", "alice");
	expect_uri("sip:anonymous@anonymous.invalid", "anonymous");
	assert_int_equal(rr_number_from_uri("http://example.com/", out, sizeof(out)), -EINVAL);
	assert_int_equal(rr_number_from_uri("not a uri", out, sizeof(out)), -EINVAL);
	assert_int_equal(rr_number_clean("+39 06 1234", out, sizeof(out)), 0);
	assert_string_equal(out, "+39061234");
	assert_int_equal(rr_number_clean("*21#", out, sizeof(out)), 0);
	assert_string_equal(out, "*21#");
	assert_int_equal(rr_number_clean("12-", out, sizeof(out)), 0);
	assert_string_equal(out, "12");
	assert_int_equal(rr_number_clean("+", out, sizeof(out)), 0);
	assert_string_equal(out, "+");		/* no digits: left as is */
}

static void plan_it(struct rr_numplan *p)
{
	rr_numplan_default(p);
	p->country_code = 39;
	p->national_prefix[0] = '\0';	/* Italy: the 0 is part of the number */
}

static void plan_de(struct rr_numplan *p)
{
	rr_numplan_default(p);
	p->country_code = 49;
}

static void expect_canon(const struct rr_numplan *p, const char *in, const char *want)
{
	char out[RR_NUMBER_MAX];

	assert_int_equal(rr_number_canon(p, in, out, sizeof(out)), 0);
	if (strcmp(out, want))
		fail_msg("canon %s: got '%s', want '%s'", in, out, want);
}

static void expect_format(const struct rr_numplan *p, const char *in, const char *want)
{
	char out[RR_NUMBER_MAX];

	assert_int_equal(rr_number_format(p, in, out, sizeof(out)), 0);
	if (strcmp(out, want))
		fail_msg("format %s: got '%s', want '%s'", in, out, want);
}

static void test_number_canon(void **state)
{
	struct rr_numplan it, de, none;
	char small[4];

	plan_it(&it);
	plan_de(&de);
	rr_numplan_default(&none);
	expect_canon(&it, "0612345678", "+390612345678");
	expect_canon(&it, "3351234567", "+393351234567");
	expect_canon(&it, "00390612345678", "+390612345678");
	expect_canon(&it, "0033123456789", "+33123456789");
	expect_canon(&it, "+390612345678", "+390612345678");
	expect_canon(&it, "8000", "8000");
	expect_canon(&it, "+8000", "8000");	/* the remote range with a + */
	expect_canon(&de, "03012345678", "+493012345678");
	expect_canon(&de, "004930123456", "+4930123456");
	expect_canon(&de, "12345678", "12345678");	/* no national prefix: unknown */
	expect_canon(&de, "201", "201");
	expect_canon(&de, "*21#", "*21#");
	expect_canon(&de, "anonymous", "anonymous");
	expect_canon(&none, "0612345678", "0612345678");	/* no country code */
	expect_canon(&none, "00390612345678", "+390612345678");
	assert_int_equal(rr_number_canon(&it, "0612345678", small, sizeof(small)), -ENOSPC);
}

static void test_number_format(void **state)
{
	struct rr_numplan it, de;

	plan_it(&it);
	plan_de(&de);
	it.format = RR_NUM_E164;
	expect_format(&it, "+390612345678", "+390612345678");
	expect_format(&it, "8000", "8000");
	it.short_plus = true;
	expect_format(&it, "8000", "+8000");	/* Teams: tel:+8000 */
	expect_format(&it, "anonymous", "anonymous");
	it.format = RR_NUM_NATIONAL;
	expect_format(&it, "+390612345678", "0612345678");
	expect_format(&it, "+33123456789", "0033123456789");
	expect_format(&it, "8000", "8000");
	de.format = RR_NUM_NATIONAL;
	expect_format(&de, "+493012345678", "03012345678");
	expect_format(&de, "+390612345678", "00390612345678");
	de.format = RR_NUM_AS_IS;
	expect_format(&de, "+493012345678", "+493012345678");
}

/* ---- translation rules --------------------------------------------------- */

static void test_translate(void **state)
{
	struct rr_xl_list l = { 0 };
	char out[RR_NUMBER_MAX], err[200];

	assert_int_equal(rr_xl_add(&l, "^\\+39(\\d+)$", "$1", RR_XL_RURI | RR_XL_TO, 1, err,
				   sizeof(err)), 0);
	assert_int_equal(rr_xl_add(&l, "^\\+(\\d+)$", "00$1", RR_XL_ALL, 2, err, sizeof(err)), 0);
	assert_int_equal(rr_xl_add(&l, "^(\\d{4})$", "+3906123${1}", RR_XL_FROM, 3, err,
				   sizeof(err)), 0);
	/* first match wins */
	assert_int_equal(rr_xl_apply(&l, RR_XL_RURI, "+390612345678", out, sizeof(out)), 0);
	assert_string_equal(out, "0612345678");
	/* rule 0 is not for From: rule 1 */
	assert_int_equal(rr_xl_apply(&l, RR_XL_FROM, "+390612345678", out, sizeof(out)), 1);
	assert_string_equal(out, "00390612345678");
	assert_int_equal(rr_xl_apply(&l, RR_XL_FROM, "8000", out, sizeof(out)), 2);
	assert_string_equal(out, "+39061238000");
	assert_int_equal(rr_xl_apply(&l, RR_XL_PAI, "+4930", out, sizeof(out)), 1);
	assert_string_equal(out, "004930");
	/* no match: unchanged */
	assert_int_equal(rr_xl_apply(&l, RR_XL_RURI, "8000", out, sizeof(out)), -ENOENT);
	assert_string_equal(out, "8000");
	/* too long for out */
	{
		char small[8];

		assert_int_equal(rr_xl_apply(&l, RR_XL_RURI, "+390612345678", small, sizeof(small)),
				 -ENOSPC);
	}
	assert_int_equal(rr_xl_field_parse("pai"), RR_XL_PAI);
	assert_int_equal(rr_xl_field_parse("via"), 0);
	rr_xl_free(&l);

	/* a bad regex: PCRE2's message and offset */
	assert_int_equal(rr_xl_add(&l, "^(\\d+$", "$1", RR_XL_ALL, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "missing closing parenthesis"));
	assert_non_null(strstr(err, "offset 6"));
	assert_int_equal(rr_xl_add(&l, "^(\\d+)$", "$2", RR_XL_ALL, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "group 2"));
	rr_xl_free(&l);
}

/* ---- dial patterns -------------------------------------------------------- */

static bool pm(const char *pattern, const char *number, const char *want_rest)
{
	struct rr_pattern p;
	const char *rest = NULL;
	char err[160];
	bool m;

	if (rr_pattern_parse(pattern, &p, err, sizeof(err)))
		fail_msg("pattern %s: %s", pattern, err);
	m = rr_pattern_match(&p, number, &rest);
	if (m && want_rest && strcmp(rest, want_rest))
		fail_msg("%s on %s: rest '%s', want '%s'", pattern, number, rest, want_rest);
	return m;
}

static void test_pattern(void **state)
{
	struct rr_pattern p;
	char err[160];

	/* the TVox guide's example: access code 0, then 0039, a digit, more */
	assert_true(pm("0|0039X.", "00039061234567", "0039061234567"));
	assert_false(pm("0|0039X.", "0039061234567", NULL));	/* no access code */
	assert_false(pm("0|0039X.", "000390", NULL));		/* '.' needs one more */
	assert_true(pm("0|0039X.", "0003906", "003906"));
	assert_false(pm("0|0039X.", "00033061234567", NULL));
	/* X, Z, N */
	assert_true(pm("8XXX", "8000", "8000"));
	assert_false(pm("8XXX", "800", NULL));
	assert_false(pm("8XXX", "80000", NULL));
	assert_false(pm("8XXX", "9000", NULL));
	assert_true(pm("Z.", "1", NULL) == false);
	assert_true(pm("Z.", "12", NULL));
	assert_false(pm("Z.", "02", NULL));
	assert_true(pm("NXX", "200", NULL));
	assert_false(pm("NXX", "100", NULL));
	assert_true(pm("[1-3]X", "25", NULL));
	assert_false(pm("[1-3]X", "45", NULL));
	assert_true(pm("[137]X", "75", NULL));
	assert_true(pm("+39.", "+390612", NULL));
	assert_false(pm("+39.", "0039", NULL));
	assert_true(pm("99|+X.", "99+4930", "+4930"));
	/* bad patterns */
	assert_int_equal(rr_pattern_parse("0|1|X.", &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(rr_pattern_parse("X.X", &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "only at the end"));
	assert_int_equal(rr_pattern_parse("8ABC", &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(rr_pattern_parse("[1-", &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(rr_pattern_parse("|X", &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(rr_pattern_parse("A|X", &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(rr_pattern_parse("", &p, err, sizeof(err)), -EINVAL);
}

static void test_out_number(void **state)
{
	struct rr_out_rule r = { .strip = 4 };
	char out[RR_NUMBER_MAX];

	strcpy(r.prefix, "0");
	assert_int_equal(rr_out_rule_number(&r, "0039061234", out, sizeof(out)), 0);
	assert_string_equal(out, "0061234");
	r.strip = 99;
	assert_int_equal(rr_out_rule_number(&r, "0039", out, sizeof(out)), 0);
	assert_string_equal(out, "0");
}

/* ---- configuration and routing ------------------------------------------- */

static const char cfg_text[] =
	"listen:\n"
	"  sbc: { address: 198.51.100.1 }\n"
	"  pbx: { address: 203.0.113.1 }\n"
	"trunks:\n"
	"  - name: sbc\n"
	"    side: sbc\n"
	"    peers: [\"198.51.100.10\"]\n"
	"    country_code: 39\n"
	"    national_prefix: \"\"\n"
	"    number_format: e164\n"
	"    short_numbers_plus: true\n"
	"    short_number_length: 5\n"
	"    trust: true\n"
	"    allowed_destinations: inbound_rules_and_outbound\n"
	"    translate:\n"
	"      outbound:\n"
	"        - { match: '^\\+390612345(\\d{3})$', replace: '+390612345$1', fields: [ruri] }\n"
	"  - name: pbx\n"
	"    side: pbx\n"
	"    peers: [\"203.0.113.10\"]\n"
	"    country_code: 39\n"
	"    national_prefix: \"\"\n"
	"    number_format: as_is\n"
	"    short_number_length: 5\n"
	"    trust: true\n"
	"    allowed_destinations: inbound_rules_and_internal\n"
	"    default_destination: { trunk: sbc, number: \"8999\" }\n"
	"    translate:\n"
	"      inbound:\n"
	"        - { match: '^0039(\\d+)$', replace: '+39$1', fields: [from, pai] }\n"
	"      outbound:\n"
	"        - { match: '^\\+39(\\d+)$', replace: '0039$1', fields: [from, pai] }\n"
	"  - name: pbx2\n"
	"    side: pbx\n"
	"    peers: [\"203.0.113.10:5070\"]\n"
	"    allow: [\"203.0.113.11/32\"]\n"
	"    number_format: national\n"
	"    country_code: 39\n"
	"    national_prefix: \"\"\n"
	"  - name: carrier\n"
	"    side: pbx\n"
	"    peers: [\"203.0.113.10:5080\"]\n"
	"    allow: [\"203.0.113.12/32\"]\n"
	"    allowed_destinations: none\n"
	"    privacy: id\n"
	"  - name: dect\n"
	"    side: sbc\n"
	"    peers: [\"198.51.100.10:5070\"]\n"
	"    allow: [\"198.51.100.11/32\"]\n"
	"    allowed_destinations: none\n"
	"routing:\n"
	"  inbound_rules:\n"
	"    - { name: twin, match: \"+39061234500X\", destination: [ sbc, { trunk: dect, number: \"201\" } ] }\n"
	"  internal:\n"
	"    - { name: teams-users, match: \"8XXX\", destination: sbc }\n"
	"  outbound_rules:\n"
	"    - { name: pstn, pattern: \"0|0039X.\", from: sbc, trunks: [pbx, pbx2], seize: round_robin }\n"
	"    - { name: national, pattern: \"0|0Z.\", strip: 0, prefix: \"0039\", trunks: [pbx, pbx2] }\n"
	"    - { name: e164, pattern: \"+39X.\", trunks: pbx }\n"
	"    - { name: pbx-ext, pattern: \"2XX\", trunks: pbx }\n"
	"    - { name: remote, pattern: \"9XXXXXX\", remote_numbering: true, trunks: pbx }\n"
	"media:\n"
	"  address:\n"
	"    sbc: { ipv4: 198.51.100.1 }\n"
	"    pbx: { ipv4: 203.0.113.1 }\n";


static int setup(void **state)
{
	char err[512];
	struct rr_config *cfg = config_text_load(cfg_text, err, sizeof(err));

	if (!cfg)
		fail_msg("%s", err);
	*state = cfg;
	return 0;
}

static int teardown(void **state)
{
	rr_config_free(*state);
	return 0;
}

enum { SBC, PBX, PBX2, CARRIER, DECT };

static struct rr_route_result *route(struct rr_config *cfg, unsigned int in, const char *from,
				     const char *to, int want)
{
	static struct rr_route_result res;
	int r = rr_route_decide(cfg, in, from, to, &res);

	if (r != want)
		fail_msg("%s -> %s on trunk %u: %d (%s), want %d", from, to, in, r, res.rule, want);
	return &res;
}

static const char *cfg_name(const struct rr_config *cfg, unsigned int t)
{
	return cfg->trunks[t].name;
}

static void test_cfg_parsed(void **state)
{
	struct rr_config *cfg = *state;

	assert_int_equal(cfg->trunks[SBC].plan.country_code, 39);
	assert_int_equal(cfg->trunks[SBC].plan.format, RR_NUM_E164);
	assert_true(cfg->trunks[SBC].trust);
	assert_int_equal(cfg->trunks[SBC].allowed, RR_ALLOW_INBOUND_OUTBOUND);
	assert_int_equal(cfg->trunks[PBX].xl[RR_XL_INBOUND].n, 1);
	assert_int_equal(cfg->trunks[PBX].default_dest.n, 1);
	assert_int_equal(cfg->trunks[CARRIER].privacy, RR_PRIVACY_ID);
	assert_false(cfg->trunks[CARRIER].trust);
	assert_int_equal(cfg->rules->n_in, 1);
	assert_int_equal(cfg->rules->in[0].dest.n, 2);
	assert_int_equal(cfg->rules->n_out, 5);
	assert_string_equal(cfg->rules->out[0].pat.access, "0");
	assert_string_equal(cfg->rules->out[0].pat.pat, "0039X.");
}

/* Teams -> PSTN: the TVox-style access code, trunks seized round robin */
static void test_route_outbound(void **state)
{
	struct rr_config *cfg = *state;
	struct rr_route_result *r;

	r = route(cfg, SBC, "+390612345001", "00039021234567", 0);
	assert_non_null(strstr(r->rule, "outbound rule 1 'pstn'"));
	assert_int_equal(r->n_targets, 1);
	assert_int_equal(r->target[0].trunk, PBX);
	assert_string_equal(r->target[0].user, "0039021234567");	/* as_is */
	assert_string_equal(r->target[0].to, "0039021234567");
	/* the PBX's outbound From rule: +39... -> 0039... */
	assert_string_equal(r->target[0].from, "00390612345001");
	assert_int_equal(r->n_alt, 1);
	assert_int_equal(r->alt[0].trunk, PBX2);
	assert_string_equal(r->alt[0].user, "021234567");		/* national */
	/* round robin: the next call seizes pbx2 first */
	r = route(cfg, SBC, "+390612345001", "00039021234567", 0);
	assert_int_equal(r->target[0].trunk, PBX2);
	assert_string_equal(r->target[0].user, "021234567");
	assert_int_equal(r->alt[0].trunk, PBX);
	r = route(cfg, SBC, "+390612345001", "00039021234567", 0);
	assert_int_equal(r->target[0].trunk, PBX);
	/* static order: always pbx first, the prefix added */
	r = route(cfg, SBC, "8000", "0021234567", 0);
	assert_non_null(strstr(r->rule, "'national'"));
	assert_string_equal(r->target[0].user, "0039021234567");
	assert_int_equal(r->alt[0].trunk, PBX2);
	r = route(cfg, SBC, "8000", "0021234567", 0);
	assert_int_equal(r->target[0].trunk, PBX);
	/* a Teams user dialling E.164 */
	r = route(cfg, SBC, "8000", "+390298765432", 0);
	assert_non_null(strstr(r->rule, "'e164'"));
	assert_string_equal(r->target[0].user, "+390298765432");
	/* Teams -> PBX extension */
	r = route(cfg, SBC, "+390612345001", "201", 0);
	assert_non_null(strstr(r->rule, "'pbx-ext'"));
	assert_int_equal(r->target[0].trunk, PBX);
	assert_string_equal(r->target[0].user, "201");
	/* remote numbering: a 7-digit range, never given a country code */
	r = route(cfg, SBC, "8000", "+9123456", 0);
	assert_non_null(strstr(r->rule, "'remote'"));
	assert_string_equal(r->target[0].user, "9123456");
	/* nothing matches */
	r = route(cfg, SBC, "8000", "12", -ENOENT);
	assert_int_equal(r->status, 404);
}

/* PSTN -> Teams: inbound rule with twin ring, E.164 with + towards Teams */
static void test_route_inbound(void **state)
{
	struct rr_config *cfg = *state;
	struct rr_route_result *r;

	r = route(cfg, PBX, "00390298765432", "0612345001", 0);
	assert_non_null(strstr(r->rule, "inbound rule 1 'twin'"));
	assert_string_equal(r->canon, "+390612345001");
	assert_int_equal(r->n_targets, 2);
	assert_int_equal(r->target[0].trunk, SBC);
	assert_string_equal(r->target[0].user, "+390612345001");
	/* the PBX's inbound From rule, then E.164 towards Teams */
	assert_string_equal(r->target[0].from, "+390298765432");
	/* twin ring: the DECT gateway rings too, with its own number */
	assert_int_equal(r->target[1].trunk, DECT);
	assert_string_equal(r->target[1].user, "201");
	assert_string_equal(r->target[1].from, "+390298765432");	/* as_is: translated only */
	/* outbound translation of the SBC trunk touched the Request-URI only */
	assert_non_null(strstr(r->steps, "outbound translation of trunk sbc"));
	/* not in the inbound rule range: the default destination */
	r = route(cfg, PBX, "201", "0612345011", 0);
	assert_non_null(strstr(r->rule, "default destination"));
}

/* PBX -> Teams by 8000 and +8000; allowed destinations */
static void test_route_internal(void **state)
{
	struct rr_config *cfg = *state;
	struct rr_route_result *r;

	r = route(cfg, PBX, "201", "8000", 0);
	assert_non_null(strstr(r->rule, "internal number 1 'teams-users'"));
	assert_int_equal(r->target[0].trunk, SBC);
	assert_string_equal(r->target[0].user, "+8000");	/* short_numbers_plus */
	assert_string_equal(r->target[0].from, "+201");
	r = route(cfg, PBX, "201", "+8000", 0);
	assert_non_null(strstr(r->rule, "teams-users"));
	assert_string_equal(r->target[0].user, "+8000");
	/* inbound_rules_and_internal: no outbound rules; the default */
	r = route(cfg, PBX, "201", "0039021234567", 0);
	assert_non_null(strstr(r->rule, "default destination of trunk pbx"));
	assert_string_equal(r->target[0].user, "+8999");
	/* none: 403 */
	r = route(cfg, CARRIER, "201", "8000", -EACCES);
	assert_int_equal(r->status, 403);
	/* pbx2 allows everything (default): the internal number too */
	r = route(cfg, PBX2, "0612345678", "8001", 0);
	assert_int_equal(r->target[0].trunk, SBC);
	assert_string_equal(r->target[0].from, "+390612345678");
}

/* The routes prefix table still works, as configs/lab.yaml uses it. */
static void test_route_legacy(void **state)
{
	static const char text[] =
		"listen:\n"
		"  sbc: { address: 198.51.100.1 }\n"
		"  pbx: { address: 203.0.113.1 }\n"
		"trunks:\n"
		"  - { name: s, side: sbc, peers: [\"198.51.100.10\"] }\n"
		"  - { name: p, side: pbx, peers: [\"203.0.113.10\"] }\n"
		"routes:\n"
		"  - { from: s, prefix: \"\", trunk: p }\n"
		"  - { from: p, prefix: \"\", trunk: s }\n"
		"media:\n"
		"  address:\n"
		"    sbc: { ipv4: 198.51.100.1 }\n"
		"    pbx: { ipv4: 203.0.113.1 }\n";
	char err[512];
	struct rr_config *cfg = config_text_load(text, err, sizeof(err));
	struct rr_route_result *r;

	if (!cfg)
		fail_msg("%s", err);
	r = route(cfg, 0, "alice", "+390612345678", 0);
	assert_int_equal(r->target[0].trunk, 1);
	assert_string_equal(r->target[0].user, "+390612345678");	/* as_is */
	assert_string_equal(r->target[0].from, "alice");
	assert_non_null(strstr(r->rule, "route 1"));
	assert_int_equal(rr_route_call(cfg, 1, "8000"), 0);
	rr_config_free(cfg);
}

/* Every error names its line; bad regexes carry PCRE2's message. */
static void expect_bad(const char *trunk_extra, const char *routing, int line, const char *what)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 CONFIG_TEXT_LAB_HEAD			/* 1-7 */
		 "trunks:\n"				/* 8 */
		 "  - { name: p, side: pbx, peers: [\"203.0.113.10\"] }\n"	/* 9 */
		 "  - name: s\n"			/* 10 */
		 "    side: sbc\n"			/* 11 */
		 "    peers: [\"198.51.100.10\"]\n"	/* 12 */
		 "%s%s", trunk_extra, routing);
	config_text_refused(text, line, what);
}

static void test_cfg_errors(void **state)
{
	expect_bad("    translate:\n      inbound:\n        - { match: '^(\\d+$', replace: '$1' }\n",
		   "", 15, "missing closing parenthesis at offset 6");
	expect_bad("    translate:\n      inbound:\n        - { match: '^(\\d+)$', replace: '$3' }\n",
		   "", 15, "group 3");
	expect_bad("    translate:\n      sideways: []\n", "", 14, "unknown key 'sideways'");
	expect_bad("    translate:\n      inbound:\n        - { match: 'x' }\n", "", 15,
		   "'match' and 'replace' are required");
	expect_bad("    translate:\n      inbound:\n        - { match: 'x', replace: y, fields: [via] }\n",
		   "", 15, "'via' is not ruri");
	expect_bad("    number_format: e165\n", "", 13, "not e164");
	expect_bad("    country_code: 0\n", "", 13, "country_code");
	expect_bad("    national_prefix: x\n", "", 13, "not digits");
	expect_bad("    allowed_destinations: some\n", "", 13, "allowed_destinations");
	expect_bad("    privacy: maybe\n", "", 13, "privacy");
	expect_bad("    trust: maybe\n", "", 13, "boolean");
	expect_bad("    default_destination: nowhere\n", "", 13, "unknown trunk 'nowhere'");
	expect_bad("    default_destination: [p, s]\n", "", 13, "different sides");
	expect_bad("", "routing:\n  outbound_rules:\n    - { pattern: \"0|X.X\", trunks: p }\n", 15,
		   "only at the end");
	expect_bad("", "routing:\n  outbound_rules:\n    - { pattern: \"0|X.\" }\n", 15,
		   "'pattern' and 'trunks' are required");
	expect_bad("", "routing:\n  outbound_rules:\n    - { pattern: \"X.\", trunks: [p, s] }\n", 15,
		   "different sides");
	expect_bad("", "routing:\n  outbound_rules:\n    - { pattern: \"X.\", trunks: p, seize: random }\n",
		   15, "round_robin");
	expect_bad("", "routing:\n  inbound_rules:\n    - { match: \"0|8XXX\", destination: s }\n", 15,
		   "access code only in outbound");
	expect_bad("", "routing:\n  inbound_rules:\n    - { match: \"8XXX\", destination: { trunk: s, number: abc } }\n",
		   15, "not a number");
	expect_bad("", "routing:\n  internal:\n    - { match: \"8XXX\" }\n", 15,
		   "'match' and 'destination' are required");
	expect_bad("", "routing:\n  bogus: 1\n", 14, "unknown key 'bogus'");
}

/* ---- identity ------------------------------------------------------------- */

static void test_identity(void **state)
{
	struct rr_trunk trusted = { .trust = true, .privacy = RR_PRIVACY_PASS };
	struct rr_trunk untrusted = { .trust = false, .privacy = RR_PRIVACY_PASS };
	struct rr_trunk hiding = { .trust = true, .privacy = RR_PRIVACY_ID };
	struct rr_route_target t = { 0 };
	struct rr_identity id = { 0 };
	struct rr_identity_out o;
	char from[256], pai[256];

	strcpy(t.from, "+390298765432");
	strcpy(t.pai, "+390298765432");
	strcpy(id.display, "Mario Rossi");
	/* trusted: From and PAI kept */
	rr_identity_out(&trusted, &id, &t, &o);
	assert_false(o.anonymous);
	assert_string_equal(o.from_user, "+390298765432");
	assert_string_equal(o.pai, "+390298765432");
	assert_string_equal(o.privacy, "");
	rr_identity_headers(&o, "198.51.100.1", from, sizeof(from), pai, sizeof(pai));
	assert_string_equal(from, "\"Mario Rossi\" <sip:+390298765432@198.51.100.1;user=phone>");
	assert_string_equal(pai, "<sip:+390298765432@198.51.100.1;user=phone>");
	/* untrusted: no PAI */
	rr_identity_out(&untrusted, &id, &t, &o);
	assert_false(o.anonymous);
	assert_string_equal(o.pai, "");
	/* Privacy: id: anonymous From; PAI only into the trust domain, with Privacy */
	id.privacy_id = true;
	strcpy(id.privacy, "id");
	rr_identity_out(&untrusted, &id, &t, &o);
	assert_true(o.anonymous);
	assert_string_equal(o.pai, "");
	assert_string_equal(o.privacy, "id");
	rr_identity_headers(&o, "203.0.113.1", from, sizeof(from), pai, sizeof(pai));
	assert_string_equal(from, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	assert_string_equal(pai, "");
	rr_identity_out(&trusted, &id, &t, &o);
	assert_true(o.anonymous);
	assert_string_equal(o.pai, "+390298765432");
	assert_string_equal(o.privacy, "id");
	/* a trunk that always hides the caller */
	id.privacy_id = false;
	id.privacy[0] = '\0';
	rr_identity_out(&hiding, &id, &t, &o);
	assert_true(o.anonymous);
	assert_string_equal(o.privacy, "id");
	assert_string_equal(o.pai, "+390298765432");
	/* no caller number at all: anonymous */
	t.from[0] = t.pai[0] = '\0';
	rr_identity_out(&trusted, &id, &t, &o);
	assert_true(o.anonymous);
	assert_true(rr_identity_is_anonymous("Anonymous", NULL));
	assert_true(rr_identity_is_anonymous("x", "anonymous.invalid"));
	assert_false(rr_identity_is_anonymous("8000", "h"));
}

/* From rewritten from PAI when the carrier sends the number only there. */
static void test_from_pai(void **state)
{
	struct rr_config *cfg = *state;
	struct rr_call_numbers n = { 0 };
	struct rr_route_result *r = malloc(sizeof(*r));

	assert_non_null(r);
	strcpy(n.ruri, "0612345001");
	strcpy(n.to, "0612345001");
	strcpy(n.from, "anonymous");
	strcpy(n.pai, "00390298765432");
	assert_int_equal(rr_route_decide_call(cfg, PBX, &n, r), 0);
	assert_string_equal(r->target[0].from, "+390298765432");
	assert_string_equal(r->target[0].pai, "+390298765432");
	assert_non_null(strstr(r->steps, "taken from P-Asserted-Identity"));
	/* not from an untrusted trunk */
	assert_int_equal(rr_route_decide_call(cfg, PBX2, &n, r), 0);
	assert_string_equal(r->target[0].from, "anonymous");
	free(r);
}

/* An INVITE parsed by sofia-sip, as nua hands it to new_call(). */
static msg_t *parse_invite(const char *headers)
{
	char text[2048];
	msg_t *msg;
	int n;

	n = snprintf(text, sizeof(text),
		     "INVITE sip:+39-06-12345001@203.0.113.1;user=phone SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK1\r\n"
		     "To: <tel:+390612345001>\r\n"
		     "Call-ID: 1@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
		     "%sContent-Length: 0\r\n\r\n", headers);
	msg = msg_make(sip_default_mclass(), 0, text, (size_t)n);
	assert_non_null(msg);
	assert_non_null(sip_object(msg)->sip_request);
	return msg;
}

/* What new_call() takes from an INVITE: numbers, PAI by trust, Privacy. */
static void test_identity_take(void **state)
{
	struct rr_trunk trusted = { .trust = true }, untrusted = { .trust = false };
	struct rr_call_numbers n;
	struct rr_identity id;
	msg_t *msg;

	rr_identity_init();	/* P-Asserted-Identity known to the parser */
	msg = parse_invite("From: \"Mario Rossi\" <sip:0298765432@203.0.113.10>;tag=a\r\n"
			   "P-Asserted-Identity: \"Mario R.\" <sip:+390298765432@203.0.113.10;user=phone>\r\n"
			   "P-Asserted-Identity: <tel:+390298765432>\r\n");
	rr_identity_take(&trusted, sip_object(msg), &n, &id);
	assert_string_equal(n.ruri, "+390612345001");	/* separators dropped */
	assert_string_equal(n.to, "+390612345001");	/* tel: */
	assert_string_equal(n.from, "0298765432");
	assert_string_equal(n.pai, "+390298765432");
	assert_string_equal(id.display, "Mario Rossi");
	assert_false(id.privacy_id);
	/* from an untrusted trunk the PAI is not believed */
	rr_identity_take(&untrusted, sip_object(msg), &n, &id);
	assert_string_equal(n.pai, "");
	msg_destroy(msg);

	/* anonymous with Privacy: id; the number in PAI only */
	msg = parse_invite("From: \"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=a\r\n"
			   "P-Asserted-Identity: <tel:+390298765432;ext=8001>\r\n"
			   "Privacy: id;critical\r\n");
	rr_identity_take(&trusted, sip_object(msg), &n, &id);
	assert_string_equal(n.from, "");		/* anonymous: no number */
	assert_string_equal(n.pai, "8001");		/* ;ext= wins */
	assert_string_equal(id.display, "");
	assert_true(id.privacy_id);
	assert_string_equal(id.privacy, "id;critical");
	msg_destroy(msg);

	/* Privacy: none asks for nothing */
	msg = parse_invite("From: <sip:201@203.0.113.10>;tag=a\r\nPrivacy: none\r\n");
	rr_identity_take(&trusted, sip_object(msg), &n, &id);
	assert_false(id.privacy_id);
	assert_string_equal(n.from, "201");
	msg_destroy(msg);
}

/* A number longer than the number fields is refused, never cut: a cut
 * number would be routed to someone else. */
static void test_identity_long_number(void **state)
{
	struct rr_trunk trusted = { .trust = true };
	struct rr_call_numbers n;
	struct rr_identity id;
	char text[2048], digits[80];
	msg_t *msg;
	int len;

	rr_identity_init();
	memset(digits, '7', sizeof(digits) - 1);
	digits[sizeof(digits) - 1] = '\0';
	len = snprintf(text, sizeof(text),
		       "INVITE sip:4930%s@203.0.113.1 SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK1\r\n"
		       "To: <sip:4930%s@203.0.113.1>\r\nFrom: <sip:201@203.0.113.10>;tag=a\r\n"
		       "Call-ID: 1@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
		       "Content-Length: 0\r\n\r\n", digits, digits);
	msg = msg_make(sip_default_mclass(), 0, text, (size_t)len);
	assert_non_null(msg);
	assert_int_equal(rr_identity_take(&trusted, sip_object(msg), &n, &id), -ENAMETOOLONG);
	assert_string_equal(n.ruri, "");
	assert_string_equal(n.from, "201");
	msg_destroy(msg);
	/* 63 characters still fit */
	msg = parse_invite("From: <sip:201@203.0.113.10>;tag=a\r\n");
	assert_int_equal(rr_identity_take(&trusted, sip_object(msg), &n, &id), 0);
	msg_destroy(msg);
}

/* Display names come out fit to be quoted again: a quoted-pair \" or \\ in
 * the caller's name never ends the quoted string early. */
static void test_identity_display(void **state)
{
	struct rr_trunk trusted = { .trust = true };
	struct rr_identity_out o = { .display = "" };
	struct rr_call_numbers n;
	struct rr_identity id;
	char out[64], from[256], pai[256];
	msg_t *msg;

	rr_identity_display("\"Eve \\\"x\\\" \\\\\"", out, sizeof(out));
	assert_string_equal(out, "Eve x ");
	rr_identity_display("\"a\x1b[31m\x07" "b\"", out, sizeof(out));
	assert_string_equal(out, "a[31mb");
	rr_identity_display("Plain Token", out, sizeof(out));
	assert_string_equal(out, "Plain Token");
	rr_identity_display("\"unterminated\\", out, sizeof(out));
	assert_string_equal(out, "unterminated");

	rr_identity_init();
	msg = parse_invite("From: \"Eve \\\"boss\\\"\\\\\" <sip:201@203.0.113.10>;tag=a\r\n");
	rr_identity_take(&trusted, sip_object(msg), &n, &id);
	assert_string_equal(id.display, "Eve boss");
	snprintf(o.display, sizeof(o.display), "%s", id.display);
	snprintf(o.from_user, sizeof(o.from_user), "201");
	rr_identity_headers(&o, "198.51.100.1", from, sizeof(from), pai, sizeof(pai));
	assert_string_equal(from, "\"Eve boss\" <sip:201@198.51.100.1;user=phone>");
	msg_destroy(msg);
}

/* The worked configurations of docs/teams.md load and route as documented. */
static void test_shipped_teams(void **state)
{
	char err[512];
	struct rr_config *tv = rr_config_load("configs/teams-tvox.yaml", err, sizeof(err));
	struct rr_config *sf;
	struct rr_route_result *r;

	if (!tv)
		fail_msg("%s", err);
	sf = rr_config_load("configs/teams-starface.yaml", err, sizeof(err));
	if (!sf)
		fail_msg("%s", err);
	/* TVox: Teams -> PSTN with the access code, From as the remote number */
	r = route(tv, 0, "+390612345001", "00039021234567", 0);
	assert_string_equal(cfg_name(tv, r->target[0].trunk), "tvox");
	assert_string_equal(r->target[0].user, "+39021234567");
	assert_string_equal(r->target[0].from, "8001");
	/* PSTN -> Teams DID, PBX -> Teams by 8000 and +8000 */
	r = route(tv, 1, "+390298765432", "0612345001", 0);
	assert_string_equal(r->target[0].user, "+390612345001");
	r = route(tv, 1, "201", "8000", 0);
	assert_string_equal(r->target[0].user, "+8000");
	r = route(tv, 1, "201", "+8000", 0);
	assert_string_equal(r->target[0].user, "+8000");
	/* STARFACE: Teams -> PSTN abroad: the PBX nationally, then the carrier */
	r = route(sf, 0, "+4930123456101", "+33123456789", 0);
	assert_string_equal(cfg_name(sf, r->target[0].trunk), "starface");
	assert_string_equal(r->target[0].user, "0033123456789");
	assert_string_equal(r->target[0].from, "101");
	assert_int_equal(r->n_alt, 1);
	assert_string_equal(cfg_name(sf, r->alt[0].trunk), "carrier");
	assert_string_equal(r->alt[0].user, "+33123456789");
	/* Teams dialling +201: an extension */
	r = route(sf, 0, "+4930123456101", "+201", 0);
	assert_string_equal(r->target[0].user, "201");
	/* PBX -> Teams user by extension and by DID (national) */
	r = route(sf, 1, "201", "105", 0);
	assert_string_equal(r->target[0].user, "105");
	r = route(sf, 0, "+4930123456101", "12", 0);
	assert_string_equal(cfg_name(sf, r->target[0].trunk), "starface");	/* default: operator */
	assert_string_equal(r->target[0].user, "200");
	r = route(sf, 1, "201", "030123456105", 0);
	assert_string_equal(r->target[0].user, "+4930123456105");
	assert_string_equal(r->target[0].from, "201");
	/* the carrier may not call in */
	r = route(sf, 2, "0301111", "105", -EACCES);
	assert_int_equal(r->status, 403);
	rr_config_free(tv);
	rr_config_free(sf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_uri),
		cmocka_unit_test(test_number_canon),
		cmocka_unit_test(test_number_format),
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_out_number),
		cmocka_unit_test(test_cfg_parsed),
		cmocka_unit_test(test_route_outbound),
		cmocka_unit_test(test_route_inbound),
		cmocka_unit_test(test_route_internal),
		cmocka_unit_test(test_route_legacy),
		cmocka_unit_test(test_cfg_errors),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_from_pai),
		cmocka_unit_test(test_shipped_teams),
		cmocka_unit_test(test_identity_take),
		cmocka_unit_test(test_identity_long_number),
		cmocka_unit_test(test_identity_display),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
