// SPDX-License-Identifier: GPL-2.0-only
/*
 * rr_dp_xdp_ops and rr_xdp_alloc_id on real pinned maps of the same shape
 * as bpf/maps.bpf.h (made here, no program, no device): id allocation,
 * counter zeroing on add, per-CPU summing, the RTP view from the busiest
 * CPU, validation, walk, delete, close without keep_flows. Needs root
 * (BPF maps); runs in its own network namespace so that the neighbour kick
 * of flow_add cannot touch the host's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <rtprelay/bpf_maps.h>

#include "dp_xdp.h"
#include "endpoint.h"

#define MAX_IDS	8
static char pin_dir[128];
static int ncpus;

static int make_pinned(const char *name, enum bpf_map_type t, __u32 ksz, __u32 vsz, __u32 max)
{
	char path[256];
	int fd = bpf_map_create(t, name, ksz, vsz, max, NULL);

	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	if (bpf_obj_pin(fd, path))
		return -errno;
	return fd;
}

static int setup(void **state)
{
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/rrut%d", getpid());
	if (mkdir(pin_dir, 0700))
		return -1;
	if (make_pinned(RTPRELAY_MAP_FLOWS, BPF_MAP_TYPE_HASH, sizeof(struct rtprelay_flow_key),
			sizeof(struct rtprelay_flow), 64) < 0 ||
	    make_pinned(RTPRELAY_MAP_FLOW_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			sizeof(struct rtprelay_flow_stats), MAX_IDS) < 0 ||
	    make_pinned(RTPRELAY_MAP_GLOBAL, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			sizeof(struct rtprelay_global_stats), 1) < 0)
		return -1;
	ncpus = libbpf_num_possible_cpus();
	return ncpus > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pin_dir);
	return system(cmd) ? -1 : 0;
}

static void open_dp(struct rr_dp *dp)
{
	struct rr_dp_config cfg = { .pin_dir = pin_dir };

	dp->ops = &rr_dp_xdp_ops;
	assert_int_equal(dp->ops->open(dp, &cfg), 0);
}

static void mkflow(unsigned port, __u32 id, struct rtprelay_flow_key *k, struct rtprelay_flow *f)
{
	char a[64], err[RR_ENDPOINT_ERRLEN];

	memset(k, 0, sizeof(*k));
	memset(f, 0, sizeof(*f));
	snprintf(a, sizeof(a), "198.51.100.1:%u", port);
	assert_int_equal(rr_endpoint_parse(a, &k->local, err, sizeof(err)), 0);
	assert_int_equal(rr_endpoint_parse("203.0.113.1:30000", &f->out_src, err, sizeof(err)), 0);
	assert_int_equal(rr_endpoint_parse("203.0.113.10:50000", &f->out_dst, err, sizeof(err)), 0);
	f->id = id;
	f->dscp = 46;
}

static int stats_fd(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, RTPRELAY_MAP_FLOW_STATS);
	return bpf_obj_get(path);
}

static void test_open_missing(void **state)
{
	struct rr_dp_config cfg = { .pin_dir = "/sys/fs/bpf/rrut-does-not-exist" };
	struct rr_dp dp = { .ops = &rr_dp_xdp_ops };

	assert_int_equal(dp.ops->open(&dp, &cfg), -ENOENT);
	assert_null(dp.priv);
}

/* Ids come from the top down (rtprelayd's own count up from 0). */
static void test_alloc_highest_free(void **state)
{
	const __u32 top = MAX_IDS - 1;
	struct rr_dp dp;
	struct rtprelay_flow_key k;
	struct rtprelay_flow f;
	__u32 id, ids[] = { top, top - 1, top - 3 };

	open_dp(&dp);
	assert_int_equal(rr_xdp_max_flows(&dp), MAX_IDS);
	assert_int_equal(rr_xdp_alloc_id(&dp, &id), 0);
	assert_int_equal(id, top);
	for (unsigned i = 0; i < 3; i++) {
		mkflow(20000 + i, ids[i], &k, &f);
		assert_int_equal(dp.ops->flow_add(&dp, &k, &f), 0);
	}
	assert_int_equal(rr_xdp_alloc_id(&dp, &id), 0);
	assert_int_equal(id, top - 2);
	for (__u32 i = top - 2 + 1; i-- > 0;) {
		if (i == top - 3)
			continue;
		assert_int_equal(rr_xdp_alloc_id(&dp, &id), 0);
		assert_int_equal(id, i);
		mkflow(21000 + i, id, &k, &f);
		assert_int_equal(dp.ops->flow_add(&dp, &k, &f), 0);
	}
	assert_int_equal(rr_xdp_alloc_id(&dp, &id), -ENOSPC);
	/* Free one in the middle: it is the next one handed out. */
	mkflow(20001, top - 1, &k, &f);
	assert_int_equal(dp.ops->flow_del(&dp, &k), 0);
	assert_int_equal(dp.ops->flow_del(&dp, &k), -ENOENT);
	assert_int_equal(rr_xdp_alloc_id(&dp, &id), 0);
	assert_int_equal(id, top - 1);
	/* close without keep_flows removes every flow. */
	dp.ops->close(&dp, false);
	open_dp(&dp);
	assert_int_equal(rr_xdp_alloc_id(&dp, &id), 0);
	assert_int_equal(id, top);
	dp.ops->close(&dp, true);
}

static void test_add_validates(void **state)
{
	struct rr_dp dp;
	struct rtprelay_flow_key k;
	struct rtprelay_flow f;
	char err[RR_ENDPOINT_ERRLEN];

	open_dp(&dp);
	mkflow(22000, MAX_IDS, &k, &f);
	assert_int_equal(dp.ops->flow_add(&dp, &k, &f), -ERANGE);
	mkflow(22000, 0, &k, &f);
	assert_int_equal(rr_endpoint_parse("[2001:db8::1]:5", &f.out_dst, err, sizeof(err)), 0);
	assert_int_equal(dp.ops->flow_add(&dp, &k, &f), -EINVAL);
	mkflow(22000, 0, &k, &f);
	f.dscp = 64;
	assert_int_equal(dp.ops->flow_add(&dp, &k, &f), -EINVAL);
	mkflow(22000, 0, &k, &f);
	f.flags = 1u << 20;
	assert_int_equal(dp.ops->flow_add(&dp, &k, &f), -EINVAL);
	mkflow(22000, 0, &k, &f);
	assert_int_equal(dp.ops->flow_get(&dp, &k, &f), -ENOENT);
	dp.ops->close(&dp, true);
}

static void test_stats_zeroed_and_summed(void **state)
{
	const size_t stride = (sizeof(struct rtprelay_flow_stats) + 7) & ~7ul;
	struct rtprelay_flow_stats *pc, st;
	struct rtprelay_flow_key k;
	struct rtprelay_flow f, got;
	struct rr_dp dp;
	__u32 id = 5;
	int fd = stats_fd(), cpu;

	assert_true(fd >= 0);
	pc = calloc((size_t)ncpus, stride);
	assert_non_null(pc);
	/* Left-over counters of an earlier flow with this id. */
	for (cpu = 0; cpu < ncpus; cpu++) {
		struct rtprelay_flow_stats *c = (void *)((char *)pc + cpu * stride);

		c->packets = 1000;
		c->rtp.received = 1000;
	}
	assert_int_equal(bpf_map_update_elem(fd, &id, pc, BPF_ANY), 0);

	open_dp(&dp);
	mkflow(23000, id, &k, &f);
	assert_int_equal(dp.ops->flow_add(&dp, &k, &f), 0);
	assert_int_equal(dp.ops->flow_get(&dp, &k, &got), 0);
	assert_memory_equal(&got, &f, sizeof(f));
	assert_int_equal(dp.ops->flow_stats(&dp, id, &st), 0);
	assert_int_equal(st.packets, 0);
	assert_int_equal(st.rtp.received, 0);

	/* Every CPU counts; the RTP view is the busiest CPU's. */
	memset(pc, 0, (size_t)ncpus * stride);
	for (cpu = 0; cpu < ncpus; cpu++) {
		struct rtprelay_flow_stats *c = (void *)((char *)pc + cpu * stride);

		c->packets = 10 + (__u64)cpu;
		c->bytes = 1000;
		c->rtcp_packets = 1;
		c->last_seen_ns = 500 + (__u64)(cpu == ncpus / 2) * 1000;
		c->drops[RTPRELAY_FDROP_TTL] = 2;
		c->rtp.received = cpu == ncpus - 1 ? 99 : 5;
		c->rtp.ssrc = 0x100 + (__u32)cpu;
	}
	assert_int_equal(bpf_map_update_elem(fd, &id, pc, BPF_ANY), 0);
	assert_int_equal(dp.ops->flow_stats(&dp, id, &st), 0);
	assert_int_equal(st.packets, 10 * ncpus + ncpus * (ncpus - 1) / 2);
	assert_int_equal(st.bytes, 1000 * ncpus);
	assert_int_equal(st.rtcp_packets, ncpus);
	assert_int_equal(st.last_seen_ns, 1500);
	assert_int_equal(st.drops[RTPRELAY_FDROP_TTL], 2 * ncpus);
	assert_int_equal(st.rtp.received, 99);
	assert_int_equal(st.rtp.ssrc, 0x100 + (__u32)(ncpus - 1));
	assert_int_equal(dp.ops->flow_stats(&dp, MAX_IDS, &st), -ERANGE);
	dp.ops->close(&dp, false);
	free(pc);
	close(fd);
}

static int count_cb(const struct rtprelay_flow_key *k, const struct rtprelay_flow *f, void *arg)
{
	int *n = arg;

	return ++*n == 3 ? 42 : 0;
}

static void test_walk_and_global(void **state)
{
	const size_t stride = sizeof(struct rtprelay_global_stats);
	struct rtprelay_global_stats *pc, g;
	struct rtprelay_flow_key k;
	struct rtprelay_flow f;
	struct rr_dp dp;
	char path[256];
	__u32 zero = 0;
	int n = 0, fd, cpu;

	open_dp(&dp);
	for (__u32 i = 0; i < 4; i++) {
		mkflow(24000 + i, i, &k, &f);
		assert_int_equal(dp.ops->flow_add(&dp, &k, &f), 0);
	}
	assert_int_equal(dp.ops->flow_walk(&dp, count_cb, &n), 42);	/* stops at 3 */
	assert_int_equal(n, 3);

	snprintf(path, sizeof(path), "%s/%s", pin_dir, RTPRELAY_MAP_GLOBAL);
	fd = bpf_obj_get(path);
	assert_true(fd >= 0);
	pc = calloc((size_t)ncpus, stride);
	assert_non_null(pc);
	for (cpu = 0; cpu < ncpus; cpu++) {
		pc[cpu].counters[RTPRELAY_G_FWD_REDIRECT] = 7;
		pc[cpu].counters[RTPRELAY_G_ERR_INTERNAL] = (__u64)cpu;
	}
	assert_int_equal(bpf_map_update_elem(fd, &zero, pc, BPF_ANY), 0);
	assert_int_equal(dp.ops->global_stats(&dp, &g), 0);
	assert_int_equal(g.counters[RTPRELAY_G_FWD_REDIRECT], 7 * ncpus);
	assert_int_equal(g.counters[RTPRELAY_G_ERR_INTERNAL], ncpus * (ncpus - 1) / 2);
	assert_int_equal(g.counters[RTPRELAY_G_PASS_MISS], 0);
	dp.ops->close(&dp, false);
	free(pc);
	close(fd);
}

static void test_incompatible_map(void **state)
{
	struct rr_dp_config cfg = { .pin_dir = pin_dir };
	struct rr_dp dp = { .ops = &rr_dp_xdp_ops };
	char path[256];

	/* A stats map from a build with another struct layout. */
	snprintf(path, sizeof(path), "%s/%s", pin_dir, RTPRELAY_MAP_GLOBAL);
	assert_int_equal(unlink(path), 0);
	assert_true(make_pinned(RTPRELAY_MAP_GLOBAL, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1) >= 0);
	assert_int_equal(dp.ops->open(&dp, &cfg), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_alloc_highest_free),
		cmocka_unit_test(test_add_validates),
		cmocka_unit_test(test_stats_zeroed_and_summed),
		cmocka_unit_test(test_walk_and_global),
		cmocka_unit_test(test_incompatible_map),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (geteuid() != 0) {
		printf("not ok 1 - needs root (BPF maps, network namespace): run as root\n");
		return 1;
	}
	if (unshare(CLONE_NEWNET)) {
		printf("not ok 1 - unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
