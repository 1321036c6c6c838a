// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared UAPI header must mean the same bytes to every tier: compare the
 * size and every member offset that userspace C sees with the BTF that clang
 * emitted for the same header compiled as BPF (build/header_abi.bpf.o).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

static struct btf *btf;

static const char *abi_obj(void)
{
	const char *b = getenv("RR_BUILD");

	static char path[512];
	snprintf(path, sizeof(path), "%s/header_abi.bpf.o", b ? b : "build");
	return path;
}

static const struct btf_type *find_struct(const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	assert_true(id > 0);
	return btf__type_by_id(btf, id);
}

/* Byte offset of member `m` in BTF struct `t`, descending into anonymous
 * unions/structs is not needed: the header names every member. */
static long member_off(const struct btf_type *t, const char *m)
{
	const struct btf_member *mem = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, mem++)
		if (!strcmp(btf__name_by_offset(btf, mem->name_off), m))
			return btf_member_bit_offset(t, i) / 8;
	fail_msg("member %s not in BTF", m);
	return -1;
}

#define CHECK_SIZE(type) \
	assert_int_equal(find_struct(#type)->size, sizeof(struct type))
#define CHECK_OFF(type, m) \
	assert_int_equal(member_off(find_struct(#type), #m), offsetof(struct type, m))

static void test_flow_key(void **state)
{
	CHECK_SIZE(rtprelay_flow_key);
	CHECK_SIZE(rtprelay_endpoint);
	CHECK_SIZE(rtprelay_addr);
	CHECK_OFF(rtprelay_endpoint, addr);
	CHECK_OFF(rtprelay_endpoint, port);
	CHECK_OFF(rtprelay_endpoint, family);
	CHECK_OFF(rtprelay_endpoint, pad);
}

static void test_flow(void **state)
{
	CHECK_SIZE(rtprelay_flow);
	CHECK_OFF(rtprelay_flow, id);
	CHECK_OFF(rtprelay_flow, flags);
	CHECK_OFF(rtprelay_flow, clock_rate);
	CHECK_OFF(rtprelay_flow, dscp);
	CHECK_OFF(rtprelay_flow, expect);
	CHECK_OFF(rtprelay_flow, out_src);
	CHECK_OFF(rtprelay_flow, out_dst);
	CHECK_OFF(rtprelay_flow, reverse);
}

static void test_stats(void **state)
{
	CHECK_SIZE(rtprelay_flow_stats);
	CHECK_SIZE(rtprelay_rtp_stats);
	CHECK_SIZE(rtprelay_global_stats);
	CHECK_OFF(rtprelay_flow_stats, packets);
	CHECK_OFF(rtprelay_flow_stats, bytes);
	CHECK_OFF(rtprelay_flow_stats, last_seen_ns);
	CHECK_OFF(rtprelay_flow_stats, drops);
	CHECK_OFF(rtprelay_flow_stats, rtp);
	CHECK_OFF(rtprelay_rtp_stats, ssrc);
	CHECK_OFF(rtprelay_rtp_stats, jitter);
	CHECK_OFF(rtprelay_rtp_stats, clock_rate);
}

/* Every counter has a stable name for JSON and metrics. */
static void test_counter_names(void **state)
{
	for (int i = 0; i < RTPRELAY_G_MAX; i++)
		assert_non_null(rtprelay_global_counter_names[i]);
	for (int i = 0; i < RTPRELAY_FDROP_MAX; i++)
		assert_non_null(rtprelay_flow_drop_names[i]);
}

static int setup(void **state)
{
	btf = btf__parse_elf(abi_obj(), NULL);
	if (!btf) {
		fprintf(stderr, "cannot read BTF from %s\n", abi_obj());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	btf__free(btf);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_key),
		cmocka_unit_test(test_flow),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_counter_names),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("header", tests, setup, teardown);
}
