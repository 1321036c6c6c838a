// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet fixtures for the XDP tier, run through BPF_PROG_TEST_RUN: every
 * case asserts the verdict, the exact output bytes (built independently here
 * from the contract in docs/datapath.md), every checksum recomputed from
 * scratch, the per-flow counters and the one global counter it bumps.
 *
 * The test unshares into its own network namespace (root), so the relay's
 * devices, neighbours and routes it builds disturb nothing.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

#include "pkt.h"
#include "xdp_env.h"

static struct xdp_env env;

static const uint8_t mac_sbc0[6] = MAC_SBC0, mac_sbc_peer[6] = MAC_SBC_PEER;
static const uint8_t mac_sbc_nat[6] = MAC_SBC_NAT;
static const uint8_t mac_pbx0[6] = MAC_PBX0, mac_pbx_peer[6] = MAC_PBX_PEER;

static const char *verdict_name(uint32_t v)
{
	static const char *const n[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

	return v < 5 ? n[v] : "?";
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- flows ---- */

static struct rtprelay_flow mkflow(uint32_t id, uint32_t flags,
				   const char *src, uint16_t sport,
				   const char *dst, uint16_t dport)
{
	struct rtprelay_flow f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.flags = flags;
	f.dscp = RTPRELAY_DSCP_EF;
	f.out_src = rr_ep(src, sport);
	f.out_dst = rr_ep(dst, dport);
	return f;
}

static void flow_put(const char *addr, uint16_t port, const struct rtprelay_flow *f)
{
	struct rtprelay_flow_key k = rr_key(addr, port);

	assert_int_equal(bpf_map_update_elem(env.flows_fd, &k, f, BPF_ANY), 0);
	assert_int_equal(xdp_env_flow_stats_zero(&env, f->id), 0);
}

static void flow_get(const char *addr, uint16_t port, struct rtprelay_flow *f)
{
	struct rtprelay_flow_key k = rr_key(addr, port);

	assert_int_equal(bpf_map_lookup_elem(env.flows_fd, &k, f), 0);
}

static void assert_flow_eq(const struct rtprelay_flow *want, const struct rtprelay_flow *got)
{
	if (memcmp(want, got, sizeof(*want))) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(got->expect.family == RTPRELAY_AF_INET6 ? AF_INET6 : AF_INET,
			  &got->expect.addr, a, sizeof(a));
		fail_msg("flow %u differs: flags 0x%x (want 0x%x), expect %s:%u fam %u, "
			 "out_dst port %u (want %u)", got->id, got->flags, want->flags, a,
			 ntohs(got->expect.port), got->expect.family,
			 ntohs(got->out_dst.port), ntohs(want->out_dst.port));
	}
}

static struct rtprelay_flow_stats fstats(uint32_t id)
{
	struct rtprelay_flow_stats s;

	assert_int_equal(xdp_env_flow_stats(&env, id, &s, NULL), 0);
	return s;
}

/* ---- packets ---- */

/* An RTP packet (G.711, 160 bytes of payload: a 214-byte IPv4 frame) from
 * the SBC to relay address dst:dport, arriving on sbc0. */
static void spec_from_sbc(struct pkt_spec *s, const char *dst, uint16_t dport)
{
	int v6 = strchr(dst, ':') != NULL;

	memset(s, 0, sizeof(*s));
	s->family = v6 ? 6 : 4;
	memcpy(s->dmac, mac_sbc0, 6);
	memcpy(s->smac, mac_sbc_peer, 6);
	pkt_addr(s->saddr, v6 ? "2001:db8:51::10" : "198.51.100.10");
	pkt_addr(s->daddr, dst);
	s->sport = 6000;
	s->dport = dport;
	s->ttl = 64;
	s->ip_id = 0x1c46;
	s->flow_label = 0xbeef5;
	s->payload_len = rtp_build(s->payload, 0, 1000, 160000, 0x11223344, 160);
}

static void spec_src(struct pkt_spec *s, const char *src, uint16_t sport)
{
	pkt_addr(s->saddr, src);
	s->sport = sport;
}

/* What docs/datapath.md step 9 makes of `in` for flow f, leaving through a
 * device with MAC smac to a neighbour with MAC dmac. */
static void spec_rewrite(struct pkt_spec *s, const struct rtprelay_flow *f,
			 const uint8_t *dmac, const uint8_t *smac)
{
	memcpy(s->dmac, dmac, 6);
	memcpy(s->smac, smac, 6);
	memcpy(s->saddr, &f->out_src.addr, 16);
	memcpy(s->daddr, &f->out_dst.addr, 16);
	s->sport = ntohs(f->out_src.port);
	s->dport = ntohs(f->out_dst.port);
	s->ttl--;
	if (!(f->flags & RTPRELAY_F_KEEP_DSCP))
		s->tos = (uint8_t)(f->dscp << 2 | (s->tos & 3));
}

static void hexdump(const char *what, const uint8_t *p, size_t len)
{
	fprintf(stderr, "# %s (%zu bytes):", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n#   ", p[i]);
	fprintf(stderr, "\n");
}

static void assert_frame_eq(const uint8_t *want, size_t wlen, const uint8_t *got, size_t glen)
{
	size_t i, n = wlen < glen ? wlen : glen;

	for (i = 0; i < n && want[i] == got[i]; i++)
		;
	if (i == n && wlen == glen)
		return;
	hexdump("expected", want, wlen);
	hexdump("got", got, glen);
	fail_msg("output frame differs at byte %zu (expected %zu bytes, got %zu)",
		 i, wlen, glen);
}

static void assert_csums_ok(const uint8_t *f, size_t len)
{
	char why[128];

	if (pkt_verify_csums(f, len, why, sizeof(why)))
		fail_msg("checksum check on the output: %s", why);
}

struct res {
	uint32_t verdict;
	uint8_t out[PKT_MAX];
	uint32_t len;
	uint64_t t0, t1;	/* CLOCK_MONOTONIC around the run */
	char gerr[160];		/* global counter check, "" when right */
};

/* Runs one frame; records whether exactly one global counter, `counter`,
 * went up by one (asserted by assert_verdict, after the verdict). */
static void run(const uint8_t *in, size_t len, int ifindex, int counter, struct res *r)
{
	uint64_t before[RTPRELAY_G_MAX], after[RTPRELAY_G_MAX], total = 0;
	int rc;

	assert_int_equal(xdp_env_global(&env, before), 0);
	r->len = sizeof(r->out);
	r->gerr[0] = 0;
	r->t0 = now_ns();
	rc = xdp_env_run(&env, env.prog_fd, in, len, ifindex, r->out, &r->len, 1,
			 &r->verdict, NULL);
	r->t1 = now_ns();
	if (rc)
		fail_msg("BPF_PROG_TEST_RUN: %s", strerror(-rc));
	assert_int_equal(xdp_env_global(&env, after), 0);
	for (int i = 0; i < RTPRELAY_G_MAX; i++) {
		uint64_t d = after[i] - before[i];

		total += d;
		if (d && i != counter)
			snprintf(r->gerr, sizeof(r->gerr),
				 "global counter %s went up by %llu (expected only %s)",
				 rtprelay_global_counter_names[i], (unsigned long long)d,
				 rtprelay_global_counter_names[counter]);
	}
	if (!r->gerr[0] && total != 1)
		snprintf(r->gerr, sizeof(r->gerr),
			 "global counters went up by %llu in all, expected exactly 1 (%s)",
			 (unsigned long long)total, rtprelay_global_counter_names[counter]);
}

static void assert_global(const struct res *r)
{
	if (r->gerr[0])
		fail_msg("%s", r->gerr);
}

static void assert_verdict(const struct res *r, uint32_t want)
{
	if (r->verdict != want)
		fail_msg("verdict XDP_%s, expected XDP_%s%s%s", verdict_name(r->verdict),
			 verdict_name(want), r->gerr[0] ? "; " : "", r->gerr);
}

/* A frame the program does not own: verdict (PASS or DROP) and counter;
 * a PASS leaves every byte as it was. */
static void expect_untouched(const uint8_t *in, size_t len, int ifindex,
			     uint32_t verdict, int counter)
{
	struct res r;

	run(in, len, ifindex, counter, &r);
	assert_verdict(&r, verdict);
	if (verdict == XDP_PASS)
		assert_frame_eq(in, len, r.out, r.len);
	assert_global(&r);
}

static void expect_untouched_spec(const struct pkt_spec *in, int ifindex,
				  uint32_t verdict, int counter)
{
	uint8_t f[PKT_MAX];
	size_t len = pkt_build(in, f);

	expect_untouched(f, len, ifindex, verdict, counter);
}

/* A forwarded frame: verdict, exact bytes and checksums. */
static void expect_fwd(const struct pkt_spec *in, int ifindex,
		       const struct pkt_spec *want, uint32_t verdict, struct res *r)
{
	uint8_t fin[PKT_MAX], fwant[PKT_MAX];
	size_t lin = pkt_build(in, fin), lwant = pkt_build(want, fwant);

	run(fin, lin, ifindex, verdict == XDP_TX ? RTPRELAY_G_FWD_TX :
	    RTPRELAY_G_FWD_REDIRECT, r);
	assert_verdict(r, verdict);
	assert_frame_eq(fwant, lwant, r->out, r->len);
	assert_csums_ok(r->out, r->len);
	assert_global(r);
}

/* The usual SBC -> PBX flow: relay dst:port -> 203.0.113.1:oport ->
 * 203.0.113.10:pport, and the frame it produces from `in`. */
static struct rtprelay_flow flow_to_pbx(uint32_t id, uint32_t flags, int v6,
					uint16_t oport, uint16_t pport)
{
	return mkflow(id, flags, v6 ? "2001:db8:113::1" : "203.0.113.1", oport,
		      v6 ? "2001:db8:113::10" : "203.0.113.10", pport);
}

static void assert_counted(uint32_t id, uint64_t packets, uint64_t bytes,
			   uint64_t rtcp_packets, uint64_t rtcp_bytes)
{
	struct rtprelay_flow_stats s = fstats(id);

	assert_int_equal(s.packets, packets);
	assert_int_equal(s.bytes, bytes);
	assert_int_equal(s.rtcp_packets, rtcp_packets);
	assert_int_equal(s.rtcp_bytes, rtcp_bytes);
	for (int i = 0; i < RTPRELAY_FDROP_MAX; i++)
		if (s.drops[i])
			fail_msg("flow %u: drop %s = %llu, expected none", id,
				 rtprelay_flow_drop_names[i], (unsigned long long)s.drops[i]);
}

static void assert_dropped(uint32_t id, int reason, uint64_t n)
{
	struct rtprelay_flow_stats s = fstats(id);

	for (int i = 0; i < RTPRELAY_FDROP_MAX; i++)
		if (s.drops[i] != (i == reason ? n : 0))
			fail_msg("flow %u: drop %s = %llu, expected %llu", id,
				 rtprelay_flow_drop_names[i], (unsigned long long)s.drops[i],
				 (unsigned long long)(i == reason ? n : 0));
	assert_int_equal(s.packets, 0);
}

/* ---- forwarding ---- */

static void test_map_sizes(void **state)
{
	struct bpf_map *m = bpf_object__find_map_by_name(env.obj, "rr_flow_stats");

	assert_int_equal(env.max_flows, RTPRELAY_MAX_FLOWS_DEFAULT);
	assert_non_null(m);
	assert_int_equal(bpf_map__max_entries(m), RTPRELAY_MAX_FLOWS_DEFAULT);
	/* The last id is usable: its stats live at the end of the array. */
	struct rtprelay_flow f = flow_to_pbx(RTPRELAY_MAX_FLOWS_DEFAULT - 1, 0, 0, 40001, 5001);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30001, &f);
	spec_from_sbc(&in, "198.51.100.1", 30001);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_counted(f.id, 1, 200, 0, 0);
}

static void test_v4_redirect(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(1, 0, 0, 40000, 5000), got;
	struct pkt_spec in, want;
	struct rtprelay_flow_stats s;
	struct res r;

	flow_put("198.51.100.1", 30000, &f);
	spec_from_sbc(&in, "198.51.100.1", 30000);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.len, 214);

	assert_counted(1, 1, 200, 0, 0);
	s = fstats(1);
	assert_true(s.last_seen_ns != 0);
	assert_true(s.last_seen_ns >= r.t0 && s.last_seen_ns <= r.t1);
	assert_int_equal(s.rtp.ssrc, 0x11223344);
	assert_int_equal(s.rtp.base_seq, 1000);
	assert_int_equal(s.rtp.ext_max_seq, 1000);
	assert_int_equal(s.rtp.received, 1);
	assert_int_equal(s.rtp.jitter, 0);
	assert_int_equal(s.rtp.clock_rate, 8000);
	assert_int_equal(s.rtp.ssrc_changes, 0);
	/* No latching asked for: the flow is left as installed. */
	flow_get("198.51.100.1", 30000, &got);
	assert_flow_eq(&f, &got);
}

static void test_v4_tx_same_device(void **state)
{
	/* SBC to SBC (two legs on one side): out of the ingress device. */
	struct rtprelay_flow f = mkflow(2, 0, "198.51.100.1", 30003, "198.51.100.10", 6002);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30002, &f);
	spec_from_sbc(&in, "198.51.100.1", 30002);
	want = in;
	spec_rewrite(&want, &f, mac_sbc_peer, mac_sbc0);
	expect_fwd(&in, env.if_sbc, &want, XDP_TX, &r);
	assert_counted(2, 1, 200, 0, 0);
}

static void test_v6_redirect(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(3, 0, 1, 40004, 5004);
	struct pkt_spec in, want;
	struct rtprelay_flow_stats s;
	struct res r;

	flow_put("2001:db8:51::1", 30004, &f);
	spec_from_sbc(&in, "2001:db8:51::1", 30004);
	in.tos = 0x01;		/* ECT(1): the ECN bits survive */
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	assert_int_equal(want.tos, 46 << 2 | 1);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.len, 234);
	assert_counted(3, 1, 220, 0, 0);
	s = fstats(3);
	assert_true(s.last_seen_ns >= r.t0 && s.last_seen_ns <= r.t1);
	assert_int_equal(s.rtp.received, 1);
	assert_int_equal(s.rtp.ssrc, 0x11223344);
}

static void test_v6_tx_same_device(void **state)
{
	struct rtprelay_flow f = mkflow(4, 0, "2001:db8:51::1", 30007,
					"2001:db8:51::10", 6006);
	struct pkt_spec in, want;
	struct res r;

	flow_put("2001:db8:51::1", 30006, &f);
	spec_from_sbc(&in, "2001:db8:51::1", 30006);
	want = in;
	spec_rewrite(&want, &f, mac_sbc_peer, mac_sbc0);
	expect_fwd(&in, env.if_sbc, &want, XDP_TX, &r);
	assert_counted(4, 1, 220, 0, 0);
}

static void test_vlan_one_tag(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(5, 0, 0, 40008, 5008);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30008, &f);
	spec_from_sbc(&in, "198.51.100.1", 30008);
	in.nvlan = 1;
	in.vlan_tpid[0] = 0x8100;
	in.vlan_tci[0] = 0x2064;	/* PCP 1, VID 100 */
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.len, 218);
	assert_counted(5, 1, 200, 0, 0);
}

static void test_vlan_two_tags(void **state)
{
	struct rtprelay_flow f4 = flow_to_pbx(6, 0, 0, 40010, 5010);
	struct rtprelay_flow f6 = flow_to_pbx(7, 0, 1, 40010, 5010);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30010, &f4);
	flow_put("2001:db8:51::1", 30010, &f6);
	for (int v6 = 0; v6 < 2; v6++) {
		const struct rtprelay_flow *f = v6 ? &f6 : &f4;

		printf("# %s in 802.1ad + 802.1Q\n", v6 ? "IPv6" : "IPv4");
		spec_from_sbc(&in, v6 ? "2001:db8:51::1" : "198.51.100.1", 30010);
		in.nvlan = 2;
		in.vlan_tpid[0] = 0x88a8;
		in.vlan_tci[0] = 200;
		in.vlan_tpid[1] = 0x8100;
		in.vlan_tci[1] = 0xa00a;	/* PCP 5, VID 10 */
		want = in;
		spec_rewrite(&want, f, mac_pbx_peer, mac_pbx0);
		expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
		assert_counted(f->id, 1, v6 ? 220 : 200, 0, 0);
	}
}

static void test_vlan_three_tags_pass(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(8, 0, 0, 40012, 5012);
	struct pkt_spec in;

	flow_put("198.51.100.1", 30012, &f);
	spec_from_sbc(&in, "198.51.100.1", 30012);
	in.nvlan = 3;
	for (int i = 0; i < 3; i++) {
		in.vlan_tpid[i] = 0x8100;
		in.vlan_tci[i] = (uint16_t)(10 + i);
	}
	/* Only two tags are parsed: the third leaves ethertype 0x8100. */
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NOT_IP);
	assert_counted(8, 0, 0, 0, 0);
}

static void test_ipv4_options(void **state)
{
	static const uint8_t opts[8] = { 0x94, 0x04, 0x00, 0x00,	/* router alert */
					 0x01, 0x01, 0x01, 0x00 };	/* NOP NOP NOP EOL */
	struct rtprelay_flow f = flow_to_pbx(9, 0, 0, 40014, 5014);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30014, &f);
	spec_from_sbc(&in, "198.51.100.1", 30014);
	memcpy(in.ipopts, opts, sizeof(opts));
	in.ipopts_len = sizeof(opts);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[14], 0x47);	/* IHL 7 kept */
	assert_memory_equal(r.out + 34, opts, sizeof(opts));
	assert_counted(9, 1, 208, 0, 0);
}

/* ---- RTCP ---- */

static size_t rtcp_sr(uint8_t *p, uint8_t pt)
{
	/* RC 0, PT, length 6 words: an SR without report blocks (28 bytes). */
	memset(p, 0, 28);
	p[0] = 0x80;
	p[1] = pt;
	p[3] = 6;
	p[4] = 0x11;		/* SSRC */
	p[7] = 0x44;
	for (int i = 8; i < 28; i++)
		p[i] = (uint8_t)i;
	return 28;
}

static void test_rtcp_flow(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(10, RTPRELAY_F_RTCP, 0, 40017, 5017);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30017, &f);
	spec_from_sbc(&in, "198.51.100.1", 30017);
	in.sport = 6001;
	in.payload_len = rtcp_sr(in.payload, 200);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	/* 20 + 8 + 28 bytes at L3; RTCP counts apart, no RTP view. */
	assert_counted(10, 1, 56, 1, 56);
	assert_int_equal(fstats(10).rtp.received, 0);

	/* Even a payload that looks like RTP is RTCP on an RTCP flow. */
	in.payload_len = rtp_build(in.payload, 0, 5, 5, 5, 20);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_counted(10, 2, 56 + 60, 2, 56 + 60);
	assert_int_equal(fstats(10).rtp.received, 0);
}

/* A minimal RTCP RR is a 50-byte frame, padded to 60 on the wire: the
 * padding is not part of the packet (tot_len), is carried along as it is,
 * and is not counted. */
static void test_rtcp_ethernet_padding(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(56, RTPRELAY_F_RTCP, 0, 40170, 5170);
	uint8_t fin[PKT_MAX], fwant[PKT_MAX];
	struct pkt_spec in, want;
	size_t lin, lwant;
	struct res r;

	flow_put("198.51.100.1", 30170, &f);
	spec_from_sbc(&in, "198.51.100.1", 30170);
	memset(in.payload, 0, 8);
	in.payload[0] = 0x80;
	in.payload[1] = 201;	/* RR, no report blocks */
	in.payload[3] = 1;
	in.payload[7] = 0x42;
	in.payload_len = 8;
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	lin = pkt_build(&in, fin);
	lwant = pkt_build(&want, fwant);
	assert_int_equal(lin, 50);
	memset(fin + lin, 0, 60 - lin);
	memset(fwant + lwant, 0, 60 - lwant);
	run(fin, 60, env.if_sbc, RTPRELAY_G_FWD_REDIRECT, &r);
	assert_verdict(&r, XDP_REDIRECT);
	assert_frame_eq(fwant, 60, r.out, r.len);
	assert_csums_ok(r.out, r.len);
	assert_global(&r);
	assert_counted(56, 1, 36, 1, 36);
}

static void test_rtcp_mux(void **state)
{
	/* RFC 5761: second byte 192..223 is RTCP, anything else RTP. */
	static const struct { uint8_t b1; int rtcp; } cls[] = {
		{ 0x00, 0 }, { 200, 1 }, { 192, 1 }, { 223, 1 }, { 191, 0 }, { 224, 0 },
		{ 201, 1 }, { 0x80, 0 },
	};
	struct rtprelay_flow f = flow_to_pbx(11, RTPRELAY_F_RTCP_MUX, 0, 40019, 5019);
	uint64_t pk = 0, by = 0, rp = 0, rb = 0, rtp = 0;
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30019, &f);
	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		printf("# rtcp-mux second byte %u: %s\n", cls[i].b1, cls[i].rtcp ? "RTCP" : "RTP");
		spec_from_sbc(&in, "198.51.100.1", 30019);
		if (cls[i].rtcp)
			in.payload_len = rtcp_sr(in.payload, cls[i].b1);
		else
			in.payload_len = rtp_build(in.payload, cls[i].b1,
						   (uint16_t)(100 + i), (uint32_t)(160 * i),
						   0x5150, 160);
		want = in;
		spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
		expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
		pk++;
		by += 28 + in.payload_len;
		if (cls[i].rtcp) {
			rp++;
			rb += 28 + in.payload_len;
		} else {
			rtp++;
		}
		assert_counted(11, pk, by, rp, rb);
		assert_int_equal(fstats(11).rtp.received, rtp);
	}
	/* An empty receiver report is 8 bytes, shorter than an RTP header:
	 * still RTCP (the second byte decides, as in every tier). */
	printf("# rtcp-mux 8-byte empty RR: RTCP\n");
	spec_from_sbc(&in, "198.51.100.1", 30019);
	in.payload_len = 8;
	memcpy(in.payload, "\x80\xc9\x00\x01\x00\x00\x51\x50", 8);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	pk++, rp++;
	by += 28 + 8;
	rb += 28 + 8;
	assert_counted(11, pk, by, rp, rb);
	assert_int_equal(fstats(11).rtp.received, rtp);
}

/* ---- source checks ---- */

static void test_latch(void **state)
{
	/* L: SBC leg in (learns the SBC's NATed source); R: the PBX's answer
	 * back, whose out_dst the latch re-points. */
	struct rtprelay_flow l = flow_to_pbx(12, RTPRELAY_F_LATCH, 0, 40100, 5100);
	struct rtprelay_flow rv = mkflow(13, 0, "198.51.100.1", 30100, "198.51.100.10", 6100);
	struct rtprelay_flow got, want_l, want_r;
	struct pkt_spec in, want;
	struct res r;

	l.reverse = rr_key("203.0.113.1", 40100);
	rv.reverse = rr_key("198.51.100.1", 30100);
	flow_put("198.51.100.1", 30100, &l);
	flow_put("203.0.113.1", 40100, &rv);

	/* First packet from 198.51.100.20:7020 (not the SDP address). */
	spec_from_sbc(&in, "198.51.100.1", 30100);
	spec_src(&in, "198.51.100.20", 7020);
	memcpy(in.smac, mac_sbc_nat, 6);
	want = in;
	spec_rewrite(&want, &l, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	want_l = l;
	want_l.flags |= RTPRELAY_F_LATCHED;
	want_l.expect = rr_ep("198.51.100.20", 7020);
	want_r = rv;
	want_r.out_dst = rr_ep("198.51.100.20", 7020);
	flow_get("198.51.100.1", 30100, &got);
	assert_flow_eq(&want_l, &got);
	flow_get("203.0.113.1", 40100, &got);
	assert_flow_eq(&want_r, &got);
	assert_counted(12, 1, 200, 0, 0);

	/* Second packet from elsewhere: forwarded, nothing re-learned. */
	spec_src(&in, "198.51.100.30", 7030);
	want = in;
	spec_rewrite(&want, &l, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	flow_get("198.51.100.1", 30100, &got);
	assert_flow_eq(&want_l, &got);
	flow_get("203.0.113.1", 40100, &got);
	assert_flow_eq(&want_r, &got);
	assert_counted(12, 2, 400, 0, 0);

	/* The PBX's answer now goes to the learned address. */
	memset(&in, 0, sizeof(in));
	in.family = 4;
	memcpy(in.dmac, mac_pbx0, 6);
	memcpy(in.smac, mac_pbx_peer, 6);
	pkt_addr(in.saddr, "203.0.113.10");
	pkt_addr(in.daddr, "203.0.113.1");
	in.sport = 5100;
	in.dport = 40100;
	in.ttl = 64;
	in.payload_len = rtp_build(in.payload, 8, 77, 1234, 0xabcdef, 160);
	want = in;
	spec_rewrite(&want, &want_r, mac_sbc_nat, mac_sbc0);
	expect_fwd(&in, env.if_pbx, &want, XDP_REDIRECT, &r);
	assert_counted(13, 1, 200, 0, 0);
}

static void test_latch_v6_no_reverse(void **state)
{
	struct rtprelay_flow l = flow_to_pbx(14, RTPRELAY_F_LATCH, 1, 40102, 5102), got;
	struct pkt_spec in, want;
	struct res r;

	flow_put("2001:db8:51::1", 30102, &l);
	spec_from_sbc(&in, "2001:db8:51::1", 30102);
	spec_src(&in, "2001:db8:51::20", 7022);
	want = in;
	spec_rewrite(&want, &l, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	l.flags |= RTPRELAY_F_LATCHED;
	l.expect = rr_ep("2001:db8:51::20", 7022);
	flow_get("2001:db8:51::1", 30102, &got);
	assert_flow_eq(&l, &got);
}

static void test_strict(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(15, RTPRELAY_F_STRICT, 0, 40104, 5104);
	struct rtprelay_flow any = flow_to_pbx(16, RTPRELAY_F_STRICT, 0, 40106, 5106);
	struct pkt_spec in, want;
	struct res r;

	f.expect = rr_ep("198.51.100.10", 6104);
	flow_put("198.51.100.1", 30104, &f);

	printf("# wrong port\n");
	spec_from_sbc(&in, "198.51.100.1", 30104);
	spec_src(&in, "198.51.100.10", 6105);
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_SRC_MISMATCH);
	assert_dropped(15, RTPRELAY_FDROP_SRC_MISMATCH, 1);
	printf("# wrong address\n");
	spec_src(&in, "198.51.100.11", 6104);
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_SRC_MISMATCH);
	assert_dropped(15, RTPRELAY_FDROP_SRC_MISMATCH, 2);
	printf("# expected source\n");
	spec_src(&in, "198.51.100.10", 6104);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	struct rtprelay_flow_stats s = fstats(15);

	assert_int_equal(s.packets, 1);
	assert_int_equal(s.drops[RTPRELAY_FDROP_SRC_MISMATCH], 2);

	printf("# strict without expect: any source\n");
	flow_put("198.51.100.1", 30106, &any);
	spec_from_sbc(&in, "198.51.100.1", 30106);
	spec_src(&in, "198.51.100.99", 9);
	want = in;
	spec_rewrite(&want, &any, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_counted(16, 1, 200, 0, 0);
}

static void test_latch_strict(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(17, RTPRELAY_F_LATCH | RTPRELAY_F_STRICT, 0,
					     40108, 5108);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30108, &f);
	spec_from_sbc(&in, "198.51.100.1", 30108);
	spec_src(&in, "198.51.100.20", 7020);
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	printf("# after latching, another source is dropped\n");
	spec_src(&in, "198.51.100.10", 6000);
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_SRC_MISMATCH);
	printf("# the learned source still passes\n");
	spec_src(&in, "198.51.100.20", 7020);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	struct rtprelay_flow_stats s = fstats(17);

	assert_int_equal(s.packets, 2);
	assert_int_equal(s.drops[RTPRELAY_FDROP_SRC_MISMATCH], 1);
}

/* ---- what the program does not own ---- */

static void test_miss(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(18, 0, 0, 40110, 5110);
	struct rtprelay_flow f6 = flow_to_pbx(19, 0, 1, 40112, 5112);
	struct pkt_spec in;

	flow_put("198.51.100.1", 30110, &f);
	flow_put("2001:db8:51::1", 30112, &f6);
	printf("# unknown port (SIP)\n");
	spec_from_sbc(&in, "198.51.100.1", 5060);
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_MISS);
	printf("# known port, other address\n");
	spec_from_sbc(&in, "203.0.113.1", 30110);
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_MISS);
	printf("# IPv6 packet to the port of an IPv4 flow\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30110);
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_MISS);
	printf("# IPv4 packet to the port of an IPv6 flow\n");
	spec_from_sbc(&in, "198.51.100.1", 30112);
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_MISS);
	printf("# IPv6 unknown port\n");
	spec_from_sbc(&in, "2001:db8:51::1", 5060);
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_MISS);
	assert_counted(18, 0, 0, 0, 0);
	assert_counted(19, 0, 0, 0, 0);
}

static void test_not_ip(void **state)
{
	static const uint8_t arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x51, 0x00, 0x10,
		0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x02, 0x00, 0x00, 0x51, 0x00, 0x10, 198, 51, 100, 10,
		0, 0, 0, 0, 0, 0, 198, 51, 100, 1,
	};
	uint8_t lldp[60] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e, 2, 0, 0, 0x51, 0, 0x10, 0x88, 0xcc };

	printf("# ARP request\n");
	expect_untouched(arp, sizeof(arp), env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NOT_IP);
	printf("# LLDP\n");
	expect_untouched(lldp, sizeof(lldp), env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NOT_IP);
}

static void test_not_udp(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(20, 0, 0, 40114, 5114);
	struct rtprelay_flow f6 = flow_to_pbx(21, 0, 1, 40114, 5114);
	struct pkt_spec in;

	flow_put("198.51.100.1", 30114, &f);
	flow_put("2001:db8:51::1", 30114, &f6);
	printf("# TCP to a flow's address and port\n");
	spec_from_sbc(&in, "198.51.100.1", 30114);
	in.proto = 6;
	memset(in.payload, 0, 20);
	in.payload[0] = 6000 >> 8;
	in.payload[1] = 6000 & 0xff;
	in.payload[2] = 30114 >> 8;
	in.payload[3] = 30114 & 0xff;
	in.payload[12] = 0x50;
	in.payload_len = 20;
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NOT_UDP);
	printf("# ICMP echo\n");
	in.proto = 1;
	memset(in.payload, 0, 16);
	in.payload[0] = 8;
	in.payload_len = 16;
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NOT_UDP);
	printf("# ICMPv6 echo\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30114);
	in.proto = 58;
	memset(in.payload, 0, 16);
	in.payload[0] = 128;
	in.payload_len = 16;
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NOT_UDP);
	printf("# IPv6 hop-by-hop then TCP\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30114);
	in.ext[0] = 0;
	in.n_ext = 1;
	in.proto = 6;
	memset(in.payload, 0, 20);
	in.payload[12] = 0x50;
	in.payload_len = 20;
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NOT_UDP);
	assert_counted(20, 0, 0, 0, 0);
	assert_counted(21, 0, 0, 0, 0);
}

/* ---- truncated, inconsistent and malformed headers: one TAP line each ---- */

enum trunc_mut {
	TM_NONE, TM_IHL15, TM_TOTLEN_PLUS20, TM_TOTLEN_27, TM_IHL4, TM_VER6,
	TM_TOTLEN_24, TM_V6_PLEN4, TM_UDPLEN, TM_TOTLEN_180, TM_V6_PLEN_1000, TM_V6_VER4,
};

struct trunc_case {
	const char *name;
	int v6, nvlan, hbh;	/* the whole frame the case starts from */
	enum trunc_mut mut;
	unsigned arg;		/* TM_UDPLEN: the UDP length */
	size_t cut;		/* frame length kept; 0: all */
	int malformed;		/* pass_malformed rather than pass_truncated */
};

static const struct trunc_case trunc_cases[] = {
	{ "truncated: Ethernet header only, ethertype IPv4", 0, 0, 0, TM_NONE, 0, 14, 0 },
	{ "truncated: Ethernet header only, ethertype IPv6", 1, 0, 0, TM_NONE, 0, 14, 0 },
	{ "truncated: 802.1ad tag without inner ethertype", 0, 2, 0, TM_NONE, 0, 16, 0 },
	{ "truncated: second VLAN tag cut", 0, 2, 0, TM_NONE, 0, 20, 0 },
	{ "truncated: two VLAN tags, no IPv4 header", 0, 2, 0, TM_NONE, 0, 22, 0 },
	{ "truncated: IPv4 fixed header cut at 19 bytes", 0, 0, 0, TM_NONE, 0, 14 + 19, 0 },
	{ "truncated: IPv4 IHL 15 beyond the frame", 0, 0, 0, TM_IHL15, 0, 14 + 40, 0 },
	{ "truncated: IPv4 tot_len beyond the frame", 0, 0, 0, TM_TOTLEN_PLUS20, 0, 0, 0 },
	{ "truncated: IPv4 tot_len < header + 8", 0, 0, 0, TM_TOTLEN_27, 0, 0, 0 },
	{ "malformed: IPv4 IHL 4", 0, 0, 0, TM_IHL4, 0, 0, 1 },
	{ "malformed: IP version 6 under ethertype IPv4", 0, 0, 0, TM_VER6, 0, 0, 1 },
	{ "malformed: IP version 4 under ethertype IPv6", 1, 0, 0, TM_V6_VER4, 0, 0, 1 },
	{ "truncated: IPv4 with a 4-byte UDP header", 0, 0, 0, TM_TOTLEN_24, 0, 14 + 24, 0 },
	{ "truncated: IPv6 fixed header cut at 39 bytes", 1, 0, 0, TM_NONE, 0, 14 + 39, 0 },
	{ "truncated: IPv6 with a 4-byte UDP header", 1, 0, 0, TM_V6_PLEN4, 0, 14 + 44, 0 },
	{ "truncated: IPv6 hop-by-hop header cut", 1, 0, 1, TM_NONE, 0, 14 + 44, 0 },
	{ "truncated: IPv6 payload length beyond the frame", 1, 0, 0, TM_V6_PLEN_1000, 0, 0, 0 },
	{ "udp len: IPv4 UDP len 7", 0, 0, 0, TM_UDPLEN, 7, 0, 0 },
	{ "udp len: IPv4 UDP len beyond tot_len", 0, 0, 0, TM_UDPLEN, 181, 0, 0 },
	{ "udp len: IPv4 UDP len beyond tot_len, inside the frame", 0, 0, 0, TM_TOTLEN_180, 0, 0, 0 },
	{ "udp len: IPv6 UDP len 7", 1, 0, 0, TM_UDPLEN, 7, 0, 0 },
	{ "udp len: IPv6 UDP len beyond the payload length", 1, 0, 0, TM_UDPLEN, 188, 0, 0 },
	{ "udp len: IPv6 UDP len beyond the frame, payload length too", 1, 0, 0,
	  TM_V6_PLEN_1000, 500, 0, 0 },
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void fix_ip4_csum(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, ipv4_hdr_csum(ip, (ip[0] & 0xf) * 4u));
}

/* Flows 22 (IPv4) and 23 (IPv6) would forward every one of these frames
 * if it were whole. */
static void test_truncated(void **state)
{
	const struct trunc_case *c = *state;
	struct rtprelay_flow f4 = flow_to_pbx(22, 0, 0, 40116, 5116);
	struct rtprelay_flow f6 = flow_to_pbx(23, 0, 1, 40116, 5116);
	uint8_t f[PKT_MAX];
	struct pkt_spec in;
	size_t len, l3, l4;
	uint8_t *ip;

	flow_put("198.51.100.1", 30116, &f4);
	flow_put("2001:db8:51::1", 30116, &f6);
	spec_from_sbc(&in, c->v6 ? "2001:db8:51::1" : "198.51.100.1", 30116);
	in.nvlan = c->nvlan;
	in.vlan_tpid[0] = 0x88a8;
	in.vlan_tpid[1] = 0x8100;
	in.vlan_tci[0] = 1;
	in.vlan_tci[1] = 2;
	if (c->hbh) {
		in.ext[0] = 0;
		in.n_ext = 1;
	}
	len = pkt_build(&in, f);
	l3 = 14 + 4u * (unsigned)c->nvlan;
	l4 = l3 + (c->v6 ? 40 : 20);
	ip = f + l3;
	switch (c->mut) {
	case TM_NONE:
		break;
	case TM_IHL15:		/* 60-byte header, 40 bytes in the frame */
		ip[0] = 0x4f;
		put16(ip + 2, 40);
		fix_ip4_csum(ip);
		break;
	case TM_TOTLEN_PLUS20:
		put16(ip + 2, 200 + 20);
		fix_ip4_csum(ip);
		break;
	case TM_TOTLEN_27:
		put16(ip + 2, 27);
		fix_ip4_csum(ip);
		break;
	case TM_IHL4:
		ip[0] = 0x44;
		fix_ip4_csum(ip);
		break;
	case TM_VER6:
		ip[0] = 0x65;
		fix_ip4_csum(ip);
		break;
	case TM_TOTLEN_24:
		put16(ip + 2, 24);
		fix_ip4_csum(ip);
		break;
	case TM_V6_PLEN4:
		put16(ip + 4, 4);
		break;
	case TM_UDPLEN:
		put16(f + l4 + 4, c->arg);
		break;
	case TM_TOTLEN_180:	/* the last 20 bytes become Ethernet padding */
		put16(ip + 2, 180);
		fix_ip4_csum(ip);
		break;
	case TM_V6_VER4:
		ip[0] = (uint8_t)((ip[0] & 0x0f) | 0x40);
		break;
	case TM_V6_PLEN_1000:
		put16(ip + 4, 1000);
		if (c->arg)
			put16(f + l4 + 4, c->arg);
		break;
	}
	expect_untouched(f, c->cut ? c->cut : len, env.if_sbc, XDP_PASS,
			 c->malformed ? RTPRELAY_G_PASS_MALFORMED : RTPRELAY_G_PASS_TRUNCATED);
	assert_counted(22, 0, 0, 0, 0);
	assert_counted(23, 0, 0, 0, 0);
}

static void test_ipv4_fragments(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(24, 0, 0, 40118, 5118);
	struct pkt_spec in;

	flow_put("198.51.100.1", 30118, &f);
	printf("# first fragment (MF)\n");
	spec_from_sbc(&in, "198.51.100.1", 30118);
	in.frag = 0x2000;
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_FRAGMENT);
	printf("# later fragment (offset 185 x 8)\n");
	in.frag = 185;
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_FRAGMENT);
	printf("# DF alone is not a fragment\n");
	in.frag = 0x4000;
	struct pkt_spec want = in;
	struct res r;

	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_counted(24, 1, 200, 0, 0);
}

static void test_ipv6_extension_headers(void **state)
{
	static const struct {
		const char *what;
		uint8_t ext[PKT_MAX_EXT];
		int n;
		int counter;	/* -1: forwarded */
	} cases[] = {
		{ "fragment header", { 44 }, 1, RTPRELAY_G_PASS_FRAGMENT },
		{ "hop-by-hop, fragment", { 0, 44 }, 2, RTPRELAY_G_PASS_FRAGMENT },
		{ "hop-by-hop", { 0 }, 1, -1 },
		{ "destination options", { 60 }, 1, -1 },
		{ "hop-by-hop, destination options", { 0, 60 }, 2, -1 },
		{ "four option headers", { 0, 60, 60, 60 }, 4, -1 },
		{ "five option headers", { 0, 60, 60, 60, 60 }, 5, RTPRELAY_G_PASS_IP_OPTIONS },
		{ "routing header", { 43 }, 1, RTPRELAY_G_PASS_IP_OPTIONS },
		{ "hop-by-hop, routing", { 0, 43 }, 2, RTPRELAY_G_PASS_IP_OPTIONS },
	};
	struct rtprelay_flow f = flow_to_pbx(25, 0, 1, 40120, 5120);
	uint64_t fwd = 0, bytes = 0;
	struct pkt_spec in, want;
	struct res r;

	flow_put("2001:db8:51::1", 30120, &f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		printf("# %s\n", cases[i].what);
		spec_from_sbc(&in, "2001:db8:51::1", 30120);
		memcpy(in.ext, cases[i].ext, sizeof(in.ext));
		in.n_ext = cases[i].n;
		if (cases[i].counter >= 0) {
			expect_untouched_spec(&in, env.if_sbc, XDP_PASS, cases[i].counter);
			continue;
		}
		want = in;
		spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
		expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
		fwd++;
		bytes += 220 + 8u * cases[i].n;
		assert_counted(25, fwd, bytes, 0, 0);
	}
}

/* ---- checksums ---- */

static void test_v4_zero_udp_csum(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(26, 0, 0, 40122, 5122);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30122, &f);
	spec_from_sbc(&in, "198.51.100.1", 30122);
	in.udp_csum_zero = true;
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[40] | r.out[41], 0);
	assert_counted(26, 1, 200, 0, 0);
}

static void test_v6_zero_udp_csum(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(27, 0, 1, 40122, 5122);
	struct pkt_spec in;

	flow_put("2001:db8:51::1", 30122, &f);
	spec_from_sbc(&in, "2001:db8:51::1", 30122);
	in.udp_csum_zero = true;
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_MALFORMED);
	assert_counted(27, 0, 0, 0, 0);
}

/* The payload is chosen so that the rewritten packet's checksum computes
 * to zero: it must leave as 0xffff. */
static void csum_zero_case(int v6, uint32_t id, uint16_t port)
{
	struct rtprelay_flow f = flow_to_pbx(id, 0, v6, (uint16_t)(port + 10000), port);
	const char *relay = v6 ? "2001:db8:51::1" : "198.51.100.1";
	uint8_t fw[PKT_MAX];
	struct pkt_spec in, want;
	struct pkt_info pi;
	struct res r;
	uint16_t c;

	flow_put(relay, port, &f);
	spec_from_sbc(&in, relay, port);
	in.payload[12] = in.payload[13] = 0;	/* the word we tune */
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	want.udp_csum_zero = true;
	pkt_build(&want, fw);
	assert_int_equal(pkt_parse(fw, sizeof(fw), &pi), 0);
	c = udp_csum(pi.family, fw + pi.l3 + (v6 ? 8 : 12), fw + pi.l3 + (v6 ? 24 : 16),
		     fw + pi.l4, 8 + want.payload_len);
	/* Adding the checksum value itself makes the one's complement sum
	 * all ones, i.e. a computed checksum of zero. */
	in.payload[12] = want.payload[12] = (uint8_t)(c >> 8);
	in.payload[13] = want.payload[13] = (uint8_t)c;
	want.udp_csum_zero = false;
	pkt_build(&want, fw);
	assert_int_equal(fw[pi.l4 + 6] << 8 | fw[pi.l4 + 7], 0xffff);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[pi.l4 + 6] << 8 | r.out[pi.l4 + 7], 0xffff);
}

static void test_udp_csum_zero_sent_as_ffff(void **state)
{
	printf("# IPv4\n");
	csum_zero_case(0, 28, 30124);
	printf("# IPv6\n");
	csum_zero_case(1, 29, 30124);
}

/* ---- TTL, DSCP ---- */

static void test_ttl(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(30, 0, 0, 40126, 5126);
	struct rtprelay_flow f6 = flow_to_pbx(31, 0, 1, 40126, 5126);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30126, &f);
	flow_put("2001:db8:51::1", 30126, &f6);
	printf("# TTL 1\n");
	spec_from_sbc(&in, "198.51.100.1", 30126);
	in.ttl = 1;
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_TTL);
	assert_dropped(30, RTPRELAY_FDROP_TTL, 1);
	printf("# TTL 0\n");
	in.ttl = 0;
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_TTL);
	assert_dropped(30, RTPRELAY_FDROP_TTL, 2);
	printf("# TTL 2 leaves with 1\n");
	in.ttl = 2;
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[22], 1);
	printf("# hop limit 1\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30126);
	in.ttl = 1;
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_TTL);
	assert_dropped(31, RTPRELAY_FDROP_TTL, 1);
	printf("# hop limit 255\n");
	in.ttl = 255;
	want = in;
	spec_rewrite(&want, &f6, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[21], 254);
}

static void test_dscp(void **state)
{
	struct rtprelay_flow set = flow_to_pbx(32, 0, 0, 40128, 5128);
	struct rtprelay_flow keep = flow_to_pbx(33, RTPRELAY_F_KEEP_DSCP, 0, 40130, 5130);
	struct rtprelay_flow zero = flow_to_pbx(34, 0, 0, 40132, 5132);
	struct rtprelay_flow set6 = flow_to_pbx(35, 0, 1, 40128, 5128);
	struct rtprelay_flow keep6 = flow_to_pbx(36, RTPRELAY_F_KEEP_DSCP, 1, 40130, 5130);
	struct pkt_spec in, want;
	struct res r;

	zero.dscp = 0;
	flow_put("198.51.100.1", 30128, &set);
	flow_put("198.51.100.1", 30130, &keep);
	flow_put("198.51.100.1", 30132, &zero);
	flow_put("2001:db8:51::1", 30128, &set6);
	flow_put("2001:db8:51::1", 30130, &keep6);

	printf("# IPv4 AF11 + ECT(0) -> EF + ECT(0)\n");
	spec_from_sbc(&in, "198.51.100.1", 30128);
	in.tos = 10 << 2 | 2;
	want = in;
	spec_rewrite(&want, &set, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[15], 46 << 2 | 2);

	printf("# IPv4 KEEP_DSCP: AF41 + CE stays\n");
	spec_from_sbc(&in, "198.51.100.1", 30130);
	in.tos = 34 << 2 | 3;
	want = in;
	spec_rewrite(&want, &keep, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[15], 34 << 2 | 3);

	printf("# IPv4 dscp 0 clears EF, keeps ECT(1)\n");
	spec_from_sbc(&in, "198.51.100.1", 30132);
	in.tos = 46 << 2 | 1;
	want = in;
	spec_rewrite(&want, &zero, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal(r.out[15], 1);

	printf("# IPv6 CS1 + CE -> EF + CE, flow label kept\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30128);
	in.tos = 8 << 2 | 3;
	want = in;
	spec_rewrite(&want, &set6, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_int_equal((r.out[14] & 0xf) << 4 | r.out[15] >> 4, 46 << 2 | 3);

	printf("# IPv6 KEEP_DSCP\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30130);
	in.tos = 26 << 2;
	want = in;
	spec_rewrite(&want, &keep6, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
}

/* ---- next hop ---- */

static void test_no_neigh(void **state)
{
	/* On-link, but no neighbour entry: the stack must resolve it. */
	struct rtprelay_flow f = mkflow(37, 0, "203.0.113.1", 40134, "203.0.113.99", 5134);
	struct rtprelay_flow f6 = mkflow(38, 0, "2001:db8:113::1", 40134,
					 "2001:db8:113::99", 5134);
	struct pkt_spec in;

	flow_put("198.51.100.1", 30134, &f);
	flow_put("2001:db8:51::1", 30134, &f6);
	printf("# IPv4\n");
	spec_from_sbc(&in, "198.51.100.1", 30134);
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NO_NEIGH);
	assert_counted(37, 0, 0, 0, 0);
	printf("# IPv6\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30134);
	expect_untouched_spec(&in, env.if_sbc, XDP_PASS, RTPRELAY_G_PASS_NO_NEIGH);
	assert_counted(38, 0, 0, 0, 0);
}

static void test_drop_fib(void **state)
{
	struct rtprelay_flow f = mkflow(39, 0, "203.0.113.1", 40136, "192.0.2.1", 5136);
	struct rtprelay_flow f6 = mkflow(40, 0, "2001:db8:113::1", 40136,
					 "2001:db8:ffff::1", 5136);
	struct rtprelay_flow mix = mkflow(41, 0, "2001:db8:113::1", 40138,
					  "2001:db8:113::10", 5138);
	struct pkt_spec in;

	flow_put("198.51.100.1", 30136, &f);
	flow_put("2001:db8:51::1", 30136, &f6);
	flow_put("198.51.100.1", 30138, &mix);
	printf("# IPv4 no route\n");
	spec_from_sbc(&in, "198.51.100.1", 30136);
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_FIB);
	assert_dropped(39, RTPRELAY_FDROP_FIB, 1);
	printf("# IPv6 no route\n");
	spec_from_sbc(&in, "2001:db8:51::1", 30136);
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_FIB);
	assert_dropped(40, RTPRELAY_FDROP_FIB, 1);
	printf("# IPv4 packet, IPv6 out_dst\n");
	spec_from_sbc(&in, "198.51.100.1", 30138);
	expect_untouched_spec(&in, env.if_sbc, XDP_DROP, RTPRELAY_G_DROP_FIB);
	assert_dropped(41, RTPRELAY_FDROP_FIB, 1);
}

static void test_drop_tx(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(42, 0, 0, 40140, 5140);
	__u32 ifi = (__u32)env.if_pbx;
	struct pkt_spec in;
	struct res r;
	uint8_t fr[PKT_MAX];
	size_t len;

	flow_put("198.51.100.1", 30140, &f);
	assert_int_equal(bpf_map_delete_elem(env.tx_fd, &ifi), 0);
	spec_from_sbc(&in, "198.51.100.1", 30140);
	len = pkt_build(&in, fr);
	run(fr, len, env.if_sbc, RTPRELAY_G_DROP_TX, &r);
	assert_int_equal(bpf_map_update_elem(env.tx_fd, &ifi, &ifi, BPF_ANY), 0);
	assert_verdict(&r, XDP_DROP);
	assert_global(&r);
	assert_dropped(42, RTPRELAY_FDROP_TX, 1);
}

/* ---- RTP view ---- */

static void rtp_pkt(uint16_t port, uint8_t b1, uint16_t seq, uint32_t ts, uint32_t ssrc,
		    struct res *r)
{
	uint8_t fr[PKT_MAX];
	struct pkt_spec in;
	size_t len;

	spec_from_sbc(&in, "198.51.100.1", port);
	in.payload_len = rtp_build(in.payload, b1, seq, ts, ssrc, 160);
	len = pkt_build(&in, fr);
	run(fr, len, env.if_sbc, RTPRELAY_G_FWD_REDIRECT, r);
	assert_verdict(r, XDP_REDIRECT);
	assert_global(r);
}

static void test_rtp_sequence_wrap(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(43, 0, 0, 40142, 5142);
	struct rtprelay_rtp_stats rtp;
	struct res r;
	static const uint16_t seqs[] = { 65534, 65535, 0, 1 };

	flow_put("198.51.100.1", 30142, &f);
	for (int i = 0; i < 4; i++)
		rtp_pkt(30142, 0, seqs[i], (uint32_t)(160 * i), 0xcafe, &r);
	rtp = fstats(43).rtp;
	assert_int_equal(rtp.ssrc, 0xcafe);
	assert_int_equal(rtp.base_seq, 65534);
	assert_int_equal(rtp.ext_max_seq, 65536 + 1);
	assert_int_equal(rtp.received, 4);
	assert_int_equal(rtp.ext_max_seq - rtp.base_seq + 1 - rtp.received, 0);
	printf("# one lost (2 skipped)\n");
	rtp_pkt(30142, 0, 3, 160 * 5, 0xcafe, &r);
	rtp = fstats(43).rtp;
	assert_int_equal(rtp.ext_max_seq, 65536 + 3);
	assert_int_equal(rtp.received, 5);
	assert_int_equal(rtp.ext_max_seq - rtp.base_seq + 1 - rtp.received, 1);
	printf("# the late one arrives: nothing lost, max unchanged\n");
	rtp_pkt(30142, 0, 2, 160 * 4, 0xcafe, &r);
	rtp = fstats(43).rtp;
	assert_int_equal(rtp.ext_max_seq, 65536 + 3);
	assert_int_equal(rtp.received, 6);
	assert_int_equal(rtp.ext_max_seq - rtp.base_seq + 1 - rtp.received, 0);
	assert_int_equal(rtp.ssrc_changes, 0);
}

static void test_rtp_ssrc_change(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(44, 0, 0, 40144, 5144);
	struct rtprelay_rtp_stats rtp;
	struct res r;

	flow_put("198.51.100.1", 30144, &f);
	rtp_pkt(30144, 0, 100, 0, 0xaaaa, &r);
	rtp_pkt(30144, 0, 101, 160, 0xaaaa, &r);
	rtp_pkt(30144, 0, 102, 160 + 8000, 0xaaaa, &r);	/* some jitter */
	assert_true(fstats(44).rtp.jitter > 0);
	rtp_pkt(30144, 0, 7000, 99999, 0xbbbb, &r);
	rtp = fstats(44).rtp;
	assert_int_equal(rtp.ssrc, 0xbbbb);
	assert_int_equal(rtp.ssrc_changes, 1);
	assert_int_equal(rtp.base_seq, 7000);
	assert_int_equal(rtp.ext_max_seq, 7000);
	assert_int_equal(rtp.received, 1);
	assert_int_equal(rtp.jitter, 0);
	rtp_pkt(30144, 0, 100, 0, 0xaaaa, &r);
	assert_int_equal(fstats(44).rtp.ssrc_changes, 2);
}

/* From sequence `from`, a packet `delta` away: where is the base after? */
static void seq_step(uint32_t id, uint16_t port, uint16_t from, int delta,
		     uint32_t want_base, uint32_t want_max)
{
	struct rtprelay_flow f = flow_to_pbx(id, 0, 0, (uint16_t)(port + 10000), port);
	struct rtprelay_rtp_stats rtp;
	struct res r;

	flow_put("198.51.100.1", port, &f);
	rtp_pkt(port, 0, from, 0, 0xbbbb, &r);
	rtp_pkt(port, 0, (uint16_t)(from + delta), 160, 0xbbbb, &r);
	rtp = fstats(id).rtp;
	if (rtp.base_seq != want_base || rtp.ext_max_seq != want_max)
		fail_msg("seq %u then %u: base_seq %u ext_max_seq %u, expected %u %u "
			 "(restart only on >= 3000 ahead or >= 100 behind)", from,
			 (uint16_t)(from + delta), rtp.base_seq, rtp.ext_max_seq,
			 want_base, want_max);
	assert_int_equal(rtp.ssrc_changes, 0);
}

static void test_rtp_seq_2999_ahead(void **state)
{
	seq_step(51, 30160, 7000, 2999, 7000, 9999);
}

static void test_rtp_seq_3000_ahead_restarts(void **state)
{
	seq_step(52, 30162, 7000, 3000, 10000, 10000);
}

static void test_rtp_seq_3000_ahead_across_wrap_restarts(void **state)
{
	seq_step(53, 30164, 65000, 3000, 2464, 2464);
}

static void test_rtp_seq_99_behind_late(void **state)
{
	seq_step(54, 30166, 7000, -99, 7000, 7000);
}

static void test_rtp_seq_100_behind_restarts(void **state)
{
	seq_step(55, 30168, 7000, -100, 6900, 6900);
}

static void test_rtp_seq_99_behind_across_wrap_late(void **state)
{
	seq_step(57, 30172, 50, -99, 50, 50);
}

/* Two packets back to back whose RTP timestamps are `jump` apart: the
 * arrival gap is at most the wall time around both runs, so |D| is jump
 * minus at most that gap in timestamp units (RFC 3550 A.8, J scaled by 16:
 * J1 = |D| from J0 = 0). A third packet with the same timestamp gives
 * J2 = J1 - ((J1 + 8) >> 4) + |D2|, |D2| <= the gap. */
static void jitter_case(uint32_t id, uint16_t port, uint8_t pt, uint32_t clock_rate,
			uint32_t rate, uint32_t jump)
{
	struct rtprelay_flow f = flow_to_pbx(id, 0, 0, (uint16_t)(port + 10000), port);
	struct rtprelay_rtp_stats rtp;
	struct res r1, r2, r3;
	uint64_t gap;
	uint32_t j1;

	f.clock_rate = clock_rate;
	flow_put("198.51.100.1", port, &f);
	rtp_pkt(port, pt, 10, 1000, 0x1111, &r1);
	rtp = fstats(id).rtp;
	assert_int_equal(rtp.jitter, 0);
	assert_int_equal(rtp.clock_rate, rate);
	rtp_pkt(port, pt, 11, 1000 + jump, 0x1111, &r2);
	rtp = fstats(id).rtp;
	if (!rate) {
		assert_int_equal(rtp.jitter, 0);
		return;
	}
	gap = (r2.t1 - r1.t0) * rate / 1000000000ull + 2;
	j1 = rtp.jitter;
	printf("# jitter after a %u-unit jump: %u (gap <= %llu units)\n", jump, j1,
	       (unsigned long long)gap);
	assert_in_range(j1, jump > gap ? jump - gap : 0, jump + 2);
	rtp_pkt(port, pt, 12, 1000 + jump, 0x1111, &r3);
	rtp = fstats(id).rtp;
	gap = (r3.t1 - r2.t0) * rate / 1000000000ull + 2;
	printf("# then the same timestamp again: %u\n", rtp.jitter);
	assert_in_range(rtp.jitter, j1 - ((j1 + 8) >> 4), j1 - ((j1 + 8) >> 4) + gap);
	assert_int_equal(rtp.received, 3);
}

static void test_rtp_jitter(void **state)
{
	printf("# PCMU (PT 0): 8000 Hz from the payload type\n");
	jitter_case(45, 30146, 0, 0, 8000, 8000);
	printf("# G.722 (PT 9): 8000 Hz RTP clock\n");
	jitter_case(46, 30148, 9, 0, 8000, 4000);
	printf("# dynamic PT 111 with flow clock_rate 48000\n");
	jitter_case(47, 30150, 111, 48000, 48000, 48000);
	printf("# flow clock_rate overrides a static PT\n");
	jitter_case(48, 30152, 0, 16000, 16000, 16000);
	printf("# dynamic PT 96 without clock_rate: no jitter\n");
	jitter_case(49, 30154, 96, 0, 0, 8000);
}

/* RTPRELAY_F_NO_JITTER: sequence and loss as usual, no jitter, and the
 * flow is still seen (last_seen_ns from the coarse clock). */
static void test_rtp_no_jitter(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(60, RTPRELAY_F_NO_JITTER, 0, 40180, 5180);
	struct rtprelay_flow_stats st;
	struct res r;

	flow_put("198.51.100.1", 30180, &f);
	rtp_pkt(30180, 0, 10, 1000, 0x2222, &r);
	rtp_pkt(30180, 0, 11, 9000, 0x2222, &r);	/* an 8000-unit jump */
	rtp_pkt(30180, 0, 13, 9320, 0x2222, &r);	/* seq 12 lost */
	st = fstats(60);
	assert_int_equal(st.packets, 3);
	assert_true(st.last_seen_ns > 0);
	assert_int_equal(st.rtp.received, 3);
	assert_int_equal(st.rtp.ext_max_seq - st.rtp.base_seq + 1 - st.rtp.received, 1);
	assert_int_equal(st.rtp.jitter, 0);
	assert_int_equal(st.rtp.clock_rate, 0);
}

static void test_rtp_not_rtp(void **state)
{
	struct rtprelay_flow f = flow_to_pbx(50, 0, 0, 40156, 5156);
	struct pkt_spec in, want;
	struct res r;

	flow_put("198.51.100.1", 30156, &f);
	printf("# 11-byte payload: forwarded, no RTP view\n");
	spec_from_sbc(&in, "198.51.100.1", 30156);
	in.payload_len = 11;
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	printf("# version 0 (e.g. STUN): forwarded, no RTP view\n");
	spec_from_sbc(&in, "198.51.100.1", 30156);
	in.payload[0] = 0x00;
	want = in;
	spec_rewrite(&want, &f, mac_pbx_peer, mac_pbx0);
	expect_fwd(&in, env.if_sbc, &want, XDP_REDIRECT, &r);
	assert_counted(50, 2, 20 + 8 + 11 + 200, 0, 0);
	assert_int_equal(fstats(50).rtp.received, 0);
	assert_int_equal(fstats(50).rtp.ssrc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_sizes),
		cmocka_unit_test(test_v4_redirect),
		cmocka_unit_test(test_v4_tx_same_device),
		cmocka_unit_test(test_v6_redirect),
		cmocka_unit_test(test_v6_tx_same_device),
		cmocka_unit_test(test_vlan_one_tag),
		cmocka_unit_test(test_vlan_two_tags),
		cmocka_unit_test(test_vlan_three_tags_pass),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_rtcp_flow),
		cmocka_unit_test(test_rtcp_mux),
		cmocka_unit_test(test_rtcp_ethernet_padding),
		cmocka_unit_test(test_latch),
		cmocka_unit_test(test_latch_v6_no_reverse),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_latch_strict),
		cmocka_unit_test(test_miss),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_not_udp),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_v4_zero_udp_csum),
		cmocka_unit_test(test_v6_zero_udp_csum),
		cmocka_unit_test(test_udp_csum_zero_sent_as_ffff),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_dscp),
		cmocka_unit_test(test_no_neigh),
		cmocka_unit_test(test_drop_fib),
		cmocka_unit_test(test_drop_tx),
		cmocka_unit_test(test_rtp_sequence_wrap),
		cmocka_unit_test(test_rtp_ssrc_change),
		cmocka_unit_test(test_rtp_seq_2999_ahead),
		cmocka_unit_test(test_rtp_seq_3000_ahead_restarts),
		cmocka_unit_test(test_rtp_seq_3000_ahead_across_wrap_restarts),
		cmocka_unit_test(test_rtp_seq_99_behind_late),
		cmocka_unit_test(test_rtp_seq_100_behind_restarts),
		cmocka_unit_test(test_rtp_seq_99_behind_across_wrap_late),
		cmocka_unit_test(test_rtp_jitter),
		cmocka_unit_test(test_rtp_not_rtp),
		cmocka_unit_test(test_rtp_no_jitter),
	};
	const char *b = getenv("RR_BUILD");
	char obj[512], err[256];
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	snprintf(obj, sizeof(obj), "%s/rtprelay.bpf.o", b ? b : "build");
	if (xdp_env_setup(&env, obj, err, sizeof(err))) {
		printf("not ok 1 - xdp fixture setup: %s\n1..1\n", err);
		xdp_env_close(&env);
		return 1;
	}
	size_t nfixed = sizeof(tests) / sizeof(tests[0]);
	size_t ntrunc = sizeof(trunc_cases) / sizeof(trunc_cases[0]);
	struct CMUnitTest *all = calloc(nfixed + ntrunc, sizeof(*all));

	if (!all)
		return 1;
	memcpy(all, tests, sizeof(tests));
	for (size_t i = 0; i < ntrunc; i++) {
		all[nfixed + i].name = trunc_cases[i].name;
		all[nfixed + i].test_func = test_truncated;
		all[nfixed + i].initial_state = (void *)&trunc_cases[i];
	}
	rc = _cmocka_run_group_tests("xdp_fixtures", all, nfixed + ntrunc, NULL, NULL);
	free(all);
	xdp_env_close(&env);
	return rc;
}
