// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attended transfer's media join (rr_media_join) and rr_media_sdp_for on a
 * fake datapath: the two remaining parties keep the relay ports they send
 * to, the flows between them are the old keys rewritten in place, the
 * departing party's flows and ports are gone, and releasing both calls
 * leaves no flow and no port.
 */
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
#include "media.h"

/* config.c's, without linking the YAML loader */
const char *rr_side_name(enum rr_side side)
{
	return side == RR_SIDE_SBC ? "sbc" : "pbx";
}

#define MAXF 64
static struct {
	struct rtprelay_flow_key k;
	struct rtprelay_flow f;
	bool used;
} flows[MAXF];
static unsigned int adds, replaces;

static int find(const struct rtprelay_flow_key *k)
{
	for (int i = 0; i < MAXF; i++)
		if (flows[i].used && !memcmp(&flows[i].k, k, sizeof(*k)))
			return i;
	return -1;
}

static int f_add(struct rr_dp *dp, const struct rtprelay_flow_key *k, const struct rtprelay_flow *f)
{
	int i = find(k);

	if (i >= 0) {
		replaces++;
	} else {
		for (i = 0; i < MAXF && flows[i].used; i++)
			;
		assert_true(i < MAXF);
		adds++;
	}
	flows[i].k = *k;
	flows[i].f = *f;
	flows[i].used = true;
	return 0;
}

static int f_del(struct rr_dp *dp, const struct rtprelay_flow_key *k)
{
	int i = find(k);

	if (i < 0)
		return -ENOENT;
	flows[i].used = false;
	return 0;
}

static int f_stats(struct rr_dp *dp, __u32 id, struct rtprelay_flow_stats *st)
{
	memset(st, 0, sizeof(*st));
	return 0;
}

static const struct rr_dp_ops fake_ops = {
	.name = "fake", .flow_add = f_add, .flow_del = f_del, .flow_stats = f_stats,
};

static unsigned int n_flows(void)
{
	unsigned int n = 0;

	for (int i = 0; i < MAXF; i++)
		n += flows[i].used;
	return n;
}

/* The flow keyed on relay address a:port, or NULL. */
static const struct rtprelay_flow *flow_at(const char *a, uint16_t port)
{
	struct rtprelay_flow_key k = { 0 };
	int i;

	k.local.family = RTPRELAY_AF_INET;
	inet_pton(AF_INET, a, &k.local.addr);
	k.local.port = htons(port);
	i = find(&k);
	return i < 0 ? NULL : &flows[i].f;
}

static void dst_is(const struct rtprelay_flow *f, const char *a, uint16_t port)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(f);
	inet_ntop(AF_INET, &f->out_dst.addr, buf, sizeof(buf));
	assert_string_equal(buf, a);
	assert_int_equal(ntohs(f->out_dst.port), port);
}

static char *sdp(const char *ip, int port)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n",
		 ip, ip, port);
	return buf;
}

#define SBC_R "198.51.100.1"
#define PBX_R "203.0.113.1"
#define SBC "198.51.100.10"
#define PBX "203.0.113.10"

static void test_join(void **state)
{
	struct rr_config cfg = { 0 };
	struct rr_dp dp = { .ops = &fake_ops };
	struct rr_media m;
	struct rr_call_media a, b;
	uint16_t pT, pXa, pXb, pZ;
	char *out;
	int err;

	memset(flows, 0, sizeof(flows));
	cfg.media.port_min = 30000;
	cfg.media.port_max = 30099;
	cfg.media.latch = true;
	inet_pton(AF_INET, SBC_R, &cfg.media.addr[RR_SIDE_SBC].v4);
	inet_pton(AF_INET, PBX_R, &cfg.media.addr[RR_SIDE_PBX].v4);
	cfg.media.addr[RR_SIDE_SBC].has_v4 = cfg.media.addr[RR_SIDE_PBX].has_v4 = true;
	assert_int_equal(rr_media_init(&m, &cfg, &dp), 0);

	/* call A: T (SBC:7000) -> X (PBX:7000) */
	rr_call_media_init(&m, &a, RR_SIDE_SBC, AF_INET, RR_SIDE_PBX, AF_INET);
	free(rr_media_from(&m, &a, 0, sdp(SBC, 7000), strlen(sdp(SBC, 7000)), &err));
	assert_int_equal(err, 0);
	free(rr_media_from(&m, &a, 1, sdp(PBX, 7000), strlen(sdp(PBX, 7000)), &err));
	/* call B: X (PBX:7020) -> Z (SBC:7010) */
	rr_call_media_init(&m, &b, RR_SIDE_PBX, AF_INET, RR_SIDE_SBC, AF_INET);
	free(rr_media_from(&m, &b, 0, sdp(PBX, 7020), strlen(sdp(PBX, 7020)), &err));
	free(rr_media_from(&m, &b, 1, sdp(SBC, 7010), strlen(sdp(SBC, 7010)), &err));
	assert_int_equal(n_flows(), 8);
	assert_int_equal(m.n_flows, 8);
	pT = a.s[0].port[0];
	pXa = a.s[0].port[1];
	pXb = b.s[0].port[0];
	pZ = b.s[0].port[1];
	assert_int_equal(m.pool[RR_SIDE_SBC].in_use, 2);	/* an RTP/RTCP pair per call */
	assert_int_equal(m.pool[RR_SIDE_PBX].in_use, 2);

	/* X transfers: Z takes X's place in A */
	adds = replaces = 0;
	rr_media_join(&m, &a, 1, &b, 1);
	assert_int_equal(adds, 0);		/* nothing new: the old keys rewritten */
	assert_int_equal(replaces, 4);
	assert_int_equal(a.side[1], RR_SIDE_SBC);
	assert_int_equal(a.s[0].port[0], pT);	/* T keeps its relay port */
	assert_int_equal(a.s[0].port[1], pZ);	/* Z keeps its relay port */
	assert_int_equal(b.s[0].port[1], 0);
	assert_int_equal(n_flows(), 4);
	assert_int_equal(m.n_flows, 4);
	/* T -> relay:pT -> Z, from pZ; Z -> relay:pZ -> T, from pT */
	dst_is(flow_at(SBC_R, pT), SBC, 7010);
	assert_int_equal(ntohs(flow_at(SBC_R, pT)->out_src.port), pZ);
	dst_is(flow_at(SBC_R, pT + 1), SBC, 7011);
	dst_is(flow_at(SBC_R, pZ), SBC, 7000);
	assert_int_equal(ntohs(flow_at(SBC_R, pZ)->out_src.port), pT);
	/* X's flows gone */
	assert_null(flow_at(PBX_R, pXa));
	assert_null(flow_at(PBX_R, pXb));
	assert_int_equal(m.pool[RR_SIDE_PBX].in_use, 1);	/* B's pair towards X, until B ends */
	assert_int_equal(m.pool[RR_SIDE_SBC].in_use, 2);

	/* the SDP for T from Z's: the relay's address and T's port */
	out = rr_media_sdp_for(&m, &a, 0, sdp(SBC, 7010), strlen(sdp(SBC, 7010)));
	assert_non_null(out);
	assert_non_null(strstr(out, "c=IN IP4 " SBC_R));
	{
		char want[32];

		snprintf(want, sizeof(want), "m=audio %u ", pT);
		assert_non_null(strstr(out, want));
	}
	free(out);
	assert_null(rr_media_sdp_for(&m, &a, 0, "garbage", 7));

	rr_media_release(&m, &b);
	rr_media_release(&m, &a);
	assert_int_equal(n_flows(), 0);
	assert_int_equal(m.n_flows, 0);
	assert_int_equal(m.pool[RR_SIDE_SBC].in_use, 0);
	assert_int_equal(m.pool[RR_SIDE_PBX].in_use, 0);
	rr_media_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
