// SPDX-License-Identifier: GPL-2.0-only
/*
 * ns/packet of the XDP program through BPF_PROG_TEST_RUN, side by side with
 * a floor program (swap MACs, XDP_TX) in the same run: rtprelay hit IPv4,
 * hit IPv6 and miss, with a few flows and with the flows map full.
 *
 * With `repeat` the kernel runs the program again and again on the same
 * buffer, so a forwarder sees its own output. The hit flows are therefore
 * a cycle: flow A rewrites the packet into one that hits flow B, and B
 * rewrites it back into the original, so every run is a hit. Each run also
 * decrements the TTL, which no cycle can undo: the frames start at TTL 255
 * and each call repeats 254 times (all forwarded). A call with repeat > 1
 * also swaps the kernel's XDP dispatcher twice (~20 ms of wall time, not
 * counted in the duration it reports), so hits run as CALLS calls of 254;
 * the floor and the miss run both that way and as one call of RUNS, which
 * shows what the short calls cost (a cold first run per call). The kernel
 * reports the mean per call in whole ns; rows give the mean over calls.
 * A third way, SINGLE calls of repeat 1 (no dispatcher swap, warm caches),
 * times each run with one clock read more: compare it with the floor run
 * the same way, or subtract the floor's single-call overhead.
 * Flow and global counters then check that every run was a hit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/pkt.h"
#include "../bpf/xdp_env.h"

#define BATCH	254	/* runs per call: TTL 255 down to 2, all forwarded */

static struct xdp_env env;

struct variant {
	const char *name;
	int prog_fd;
	uint8_t frame[PKT_MAX];
	size_t len;
	uint32_t want_verdict;
	int counter;		/* global counter every run must bump */
	uint32_t ids[2];	/* flows that must count every run; 0: none */
	double ns;
	uint64_t hits;
};

static const uint8_t mac_sbc0[6] = MAC_SBC0, mac_sbc_peer[6] = MAC_SBC_PEER;

static void put_flow(const char *addr, uint16_t port, uint32_t id, uint32_t flags,
		     const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct rtprelay_flow_key k = rr_key(addr, port);
	struct rtprelay_flow f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.flags = flags;
	f.dscp = RTPRELAY_DSCP_EF;
	f.out_src = rr_ep(src, sport);
	f.out_dst = rr_ep(dst, dport);
	if (bpf_map_update_elem(env.flows_fd, &k, &f, BPF_ANY) ||
	    xdp_env_flow_stats_zero(&env, id)) {
		fprintf(stderr, "bench: flow %u: %s\n", id, strerror(errno));
		exit(1);
	}
}

/* A (relay-facing key d0) -> B (key dA) -> back to the original packet;
 * every destination is a neighbour behind pbx0, so both redirect. */
static void cycle_flows(int v6, uint32_t id_a, uint32_t id_b, uint16_t port, uint32_t flags)
{
	const char *d0 = v6 ? "2001:db8:113::10" : "203.0.113.10";
	const char *da = v6 ? "2001:db8:113::11" : "203.0.113.11";
	const char *relay = v6 ? "2001:db8:113::1" : "203.0.113.1";
	const char *s0 = v6 ? "2001:db8:51::10" : "198.51.100.10";

	put_flow(d0, port, id_a, flags, relay, 40000, da, port + 2);
	put_flow(da, port + 2, id_b, flags, s0, 6000, d0, port);
}

static size_t frame(uint8_t *out, const char *src, const char *dst, uint16_t dport)
{
	struct pkt_spec s;

	memset(&s, 0, sizeof(s));
	s.family = strchr(dst, ':') ? 6 : 4;
	memcpy(s.dmac, mac_sbc0, 6);
	memcpy(s.smac, mac_sbc_peer, 6);
	pkt_addr(s.saddr, src);
	pkt_addr(s.daddr, dst);
	s.sport = 6000;
	s.dport = dport;
	s.ttl = 255;
	s.payload_len = rtp_build(s.payload, 0, 1000, 160000, 0x11223344, 160);
	return pkt_build(&s, out);
}

static int measure(struct variant *v, uint64_t total, uint32_t batch)
{
	uint64_t before[RTPRELAY_G_MAX], after[RTPRELAY_G_MAX], runs = 0, pk[2] = { 0 };
	uint8_t out[PKT_MAX];
	double sum = 0;

	for (int i = 0; i < 2; i++)
		if (v->ids[i])
			xdp_env_flow_stats_zero(&env, v->ids[i]);
	xdp_env_global(&env, before);
	while (runs < total) {
		uint32_t n = total - runs < batch ? (uint32_t)(total - runs) : batch;
		uint32_t olen = sizeof(out), ret, dur;
		int rc = xdp_env_run(&env, v->prog_fd, v->frame, v->len, env.if_sbc,
				     out, &olen, n, &ret, &dur);

		if (rc) {
			fprintf(stderr, "bench: %s: BPF_PROG_TEST_RUN: %s\n", v->name,
				strerror(-rc));
			return -1;
		}
		if (ret != v->want_verdict) {
			fprintf(stderr, "bench: %s: verdict %u, expected %u\n", v->name,
				ret, v->want_verdict);
			return -1;
		}
		sum += (double)dur * n;
		runs += n;
	}
	v->ns = sum / (double)runs;
	v->hits = runs;
	if (v->counter < 0)
		return 0;
	/* Every run must have bumped the expected counter, and the flows of
	 * the cycle must have forwarded all of them. */
	xdp_env_global(&env, after);
	if (after[v->counter] - before[v->counter] != runs) {
		fprintf(stderr, "bench: %s: %s went up by %llu, expected %llu\n", v->name,
			rtprelay_global_counter_names[v->counter],
			(unsigned long long)(after[v->counter] - before[v->counter]),
			(unsigned long long)runs);
		return -1;
	}
	if (v->ids[0]) {
		for (int i = 0; i < 2; i++) {
			struct rtprelay_flow_stats s;

			xdp_env_flow_stats(&env, v->ids[i], &s, NULL);
			pk[i] = s.packets;
		}
		v->hits = pk[0] + pk[1];
		if (v->hits != runs) {
			fprintf(stderr, "bench: %s: flows forwarded %llu of %llu runs\n",
				v->name, (unsigned long long)v->hits, (unsigned long long)runs);
			return -1;
		}
	}
	return 0;
}

/* Fills the flows map to max_entries with flows nobody sends to, on the
 * ids the bench's own `used` flows (1..used) leave free. */
static int fill_flows(uint32_t used)
{
	uint32_t n = env.max_flows - used, count = n;
	struct rtprelay_flow_key *keys = calloc(n, sizeof(*keys));
	struct rtprelay_flow *vals = calloc(n, sizeof(*vals));
	int rc = -1;

	if (!keys || !vals)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		keys[i].local.family = RTPRELAY_AF_INET;
		keys[i].local.addr.v4 = htonl(0x0a000000u | (i >> 4));	/* 10.x.y.z */
		keys[i].local.port = htons((uint16_t)(20000 + (i & 15) * 2));
		vals[i].id = i ? used + i : 0;
		vals[i].dscp = RTPRELAY_DSCP_EF;
		vals[i].out_src = rr_ep("203.0.113.1", 40000);
		vals[i].out_dst = rr_ep("203.0.113.10", (uint16_t)(1024 + (i & 0x7fff)));
	}
	rc = bpf_map_update_batch(env.flows_fd, keys, vals, &count, NULL);
	if (rc || count != n)
		fprintf(stderr, "bench: filling %u flows: %s (%u done)\n", n,
			strerror(errno), count);
out:
	free(keys);
	free(vals);
	return rc;
}

static int row(struct variant *v, const char *flows, uint64_t total, uint32_t batch,
	       double floor_ns)
{
	char how[48];

	if (measure(v, total, batch))
		return -1;
	snprintf(how, sizeof(how), "%llu x %u", (unsigned long long)((total + batch - 1) / batch),
		 batch);
	printf("| %-28s | %6s | %16s | %7.1f | %5.2fx | %9llu |\n", v->name, flows, how,
	       v->ns, v->ns / (floor_ns ? floor_ns : v->ns), (unsigned long long)v->hits);
	return 0;
}

/* Each program of obj alone, one call of `total` runs, beside the floor. */
static int helper_costs(const char *path, struct bpf_object **obj, const uint8_t *fr,
			size_t len, uint64_t total, double floor_ns)
{
	struct bpf_program *p;
	struct variant v;

	*obj = bpf_object__open_file(path, NULL);
	if (!*obj || bpf_object__load(*obj)) {
		fprintf(stderr, "bench: %s: cannot load\n", path);
		return -1;
	}
	printf("\nHelpers alone (one call each, then XDP_TX; ns/pkt includes the floor's, "
	       "ratio vs the floor in one call)\n\n");
	bpf_object__for_each_program(p, *obj) {
		memset(&v, 0, sizeof(v));
		v.name = bpf_program__name(p);
		v.prog_fd = bpf_program__fd(p);
		v.want_verdict = XDP_TX;
		v.counter = -1;
		memcpy(v.frame, fr, len);
		v.len = len;
		if (row(&v, "-", total, (uint32_t)total, floor_ns))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *obj = "build/rtprelay.bpf.o", *floor_obj = "build/xdp_floor.bpf.o";
	const char *cost_obj = NULL;
	uint64_t total = 10000000, calls = 200, single = 1000000, short_runs;
	double floor_one = 0;
	struct bpf_object *fo = NULL, *co = NULL;
	struct variant v[5];
	char err[256];
	int opt, rc = 1, floor_fd;

	while ((opt = getopt(argc, argv, "n:c:s:o:f:x:")) != -1) {
		switch (opt) {
		case 'n':
			total = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			calls = strtoull(optarg, NULL, 10);
			break;
		case 's':
			single = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			obj = optarg;
			break;
		case 'f':
			floor_obj = optarg;
			break;
		case 'x':
			cost_obj = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-n RUNS] [-c CALLS] [-s SINGLE] [-o rtprelay.bpf.o] "
				"[-f floor.bpf.o] [-x helper_cost.bpf.o]\n", argv[0]);
			return 2;
		}
	}
	if (!total || total > UINT32_MAX || !calls || !single) {
		fprintf(stderr, "bench: -n/-c/-s: need positive numbers (RUNS < 2^32)\n");
		return 2;
	}
	short_runs = calls * BATCH;
	if (xdp_env_setup(&env, obj, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		goto out;
	}
	fo = bpf_object__open_file(floor_obj, NULL);
	if (!fo || bpf_object__load(fo)) {
		fprintf(stderr, "bench: %s: cannot load\n", floor_obj);
		goto out;
	}
	floor_fd = bpf_program__fd(bpf_object__find_program_by_name(fo, "xdp_floor"));

	cycle_flows(0, 1, 2, 5000, 0);
	cycle_flows(1, 3, 4, 5000, 0);
	cycle_flows(0, 5, 6, 5100, RTPRELAY_F_NO_JITTER);
	memset(v, 0, sizeof(v));
	v[0] = (struct variant){ .name = "floor (swap MACs, XDP_TX)", .prog_fd = floor_fd,
				 .want_verdict = XDP_TX, .counter = -1 };
	v[0].len = frame(v[0].frame, "198.51.100.10", "203.0.113.10", 5000);
	v[1] = (struct variant){ .name = "rtprelay hit IPv4 (redirect)", .prog_fd = env.prog_fd,
				 .want_verdict = XDP_REDIRECT,
				 .counter = RTPRELAY_G_FWD_REDIRECT, .ids = { 1, 2 } };
	v[1].len = frame(v[1].frame, "198.51.100.10", "203.0.113.10", 5000);
	v[2] = (struct variant){ .name = "rtprelay hit IPv6 (redirect)", .prog_fd = env.prog_fd,
				 .want_verdict = XDP_REDIRECT,
				 .counter = RTPRELAY_G_FWD_REDIRECT, .ids = { 3, 4 } };
	v[2].len = frame(v[2].frame, "2001:db8:51::10", "2001:db8:113::10", 5000);
	v[3] = (struct variant){ .name = "rtprelay miss (XDP_PASS)", .prog_fd = env.prog_fd,
				 .want_verdict = XDP_PASS, .counter = RTPRELAY_G_PASS_MISS };
	v[3].len = frame(v[3].frame, "198.51.100.10", "198.51.100.1", 9999);
	v[4] = (struct variant){ .name = "rtprelay hit IPv4, no-jitter", .prog_fd = env.prog_fd,
				 .want_verdict = XDP_REDIRECT,
				 .counter = RTPRELAY_G_FWD_REDIRECT, .ids = { 5, 6 } };
	v[4].len = frame(v[4].frame, "198.51.100.10", "203.0.113.10", 5100);

	printf("BPF_PROG_TEST_RUN on CPU %d, %zu-byte IPv4 / %zu-byte IPv6 frames; "
	       "ratio: vs the floor run the same way\n\n", env.cpu, v[1].len, v[2].len);
	printf("| %-28s | %6s | %16s | %7s | %6s | %9s |\n", "program", "flows",
	       "calls x repeat", "ns/pkt", "ratio", "hits");
	printf("|------------------------------|--------|------------------|---------|"
	       "--------|-----------|\n");
	for (int pass = 0; pass < 2; pass++) {
		const char *flows = pass ? "262144" : "6";
		double floor_long, floor_short, floor_single;

		if (pass && fill_flows(6))
			goto out;
		if (row(&v[0], "-", total, (uint32_t)total, 0))
			goto out;
		floor_long = floor_one = v[0].ns;
		if (row(&v[0], "-", short_runs, BATCH, floor_long))
			goto out;
		floor_short = v[0].ns;
		if (row(&v[1], flows, short_runs, BATCH, floor_short) ||
		    row(&v[4], flows, short_runs, BATCH, floor_short) ||
		    row(&v[2], flows, short_runs, BATCH, floor_short) ||
		    row(&v[3], flows, short_runs, BATCH, floor_short) ||
		    row(&v[3], flows, total, (uint32_t)total, floor_long))
			goto out;
		if (row(&v[0], "-", single, 1, 0))
			goto out;
		floor_single = v[0].ns;
		for (int i = 1; i < 5; i++)
			if (row(&v[i], flows, single, 1, floor_single))
				goto out;
	}
	if (cost_obj && helper_costs(cost_obj, &co, v[1].frame, v[1].len, total, floor_one))
		goto out;
	rc = 0;
out:
	bpf_object__close(co);
	bpf_object__close(fo);
	xdp_env_close(&env);
	return rc;
}
