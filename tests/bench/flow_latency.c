// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow install/remove latency through datapath.h, as rtprelayd pays it per
 * call (4 flows: RTP and RTCP each way). usage:
 *   flow_latency user|xdp [PIN_DIR] [N]
 * user: binds N sockets on 127.0.0.1 (run where that is allowed);
 * xdp: the maps pinned in PIN_DIR (attach first). Prints mean and p99.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include "datapath.h"

static __u64 now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, __u64 *t, unsigned int n)
{
	__u64 sum = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, n, sizeof(*t), cmp);
	printf("flow %s: %u flows, mean %.1f us, p50 %.1f us, p99 %.1f us\n", what, n,
	       sum / 1e3 / n, t[n / 2] / 1e3, t[n * 99 / 100] / 1e3);
}

int main(int argc, char **argv)
{
	struct rr_dp dp = { 0 };
	struct rr_dp_config cfg = { .max_flows = 65536 };
	unsigned int n = argc > 3 ? (unsigned int)atoi(argv[3]) : 2000, i;
	__u64 *tadd, *tdel;
	int err;

	if (argc < 2 || (strcmp(argv[1], "user") && strcmp(argv[1], "xdp"))) {
		fprintf(stderr, "usage: flow_latency user|xdp [PIN_DIR] [N]\n");
		return 2;
	}
	dp.ops = !strcmp(argv[1], "xdp") ? &rr_dp_xdp_ops : &rr_dp_user_ops;
	cfg.pin_dir = argc > 2 ? argv[2] : NULL;
	if (n < 1 || n > 20000) {
		fprintf(stderr, "flow_latency: N in 1..20000\n");
		return 2;
	}
	err = dp.ops->open(&dp, &cfg);
	if (err) {
		fprintf(stderr, "flow_latency: open %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	tadd = calloc(n, sizeof(*tadd));
	tdel = calloc(n, sizeof(*tdel));
	if (!tadd || !tdel)
		return 1;
	for (i = 0; i < n; i++) {
		struct rtprelay_flow_key k = { 0 };
		struct rtprelay_flow f = { 0 };
		__u64 t0;

		k.local.family = RTPRELAY_AF_INET;
		k.local.addr.v4 = htonl(INADDR_LOOPBACK);
		k.local.port = htons((__u16)(40000 + i));
		f.id = i;
		f.flags = RTPRELAY_F_LATCH;
		f.dscp = RTPRELAY_DSCP_EF;
		f.out_src = k.local;
		f.out_dst = k.local;
		f.out_dst.port = htons(9);
		t0 = now();
		err = dp.ops->flow_add(&dp, &k, &f);
		tadd[i] = now() - t0;
		if (err) {
			fprintf(stderr, "flow_latency: add %u: %s\n", i, strerror(-err));
			n = i;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		struct rtprelay_flow_key k = { 0 };
		__u64 t0;

		k.local.family = RTPRELAY_AF_INET;
		k.local.addr.v4 = htonl(INADDR_LOOPBACK);
		k.local.port = htons((__u16)(40000 + i));
		t0 = now();
		dp.ops->flow_del(&dp, &k);
		tdel[i] = now() - t0;
	}
	if (n) {
		printf("backend %s\n", dp.ops->name);
		report("install", tadd, n);
		report("remove", tdel, n);
	}
	dp.ops->close(&dp, false);
	free(tadd);
	free(tdel);
	return n ? 0 : 1;
}
