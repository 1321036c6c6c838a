// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forking policy (controller/fork.c): which final failure a forked call
 * relays when every branch failed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "fork.h"

/* The best of a list, folded as the B2BUA does, branch by branch. */
static int best(const int *st, size_t n)
{
	int b = 0;

	for (size_t i = 0; i < n; i++)
		b = rr_fork_better(b, st[i]);
	return b;
}

#define BEST(...) best((const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

static void test_none_yet(void **state)
{
	(void)state;
	assert_int_equal(rr_fork_better(0, 486), 486);
	assert_int_equal(rr_fork_better(503, 0), 503);
	assert_int_equal(BEST(480), 480);
}

static void test_6xx_wins(void **state)
{
	(void)state;
	assert_int_equal(BEST(486, 603, 302), 603);
	assert_int_equal(BEST(302, 503, 600), 600);
	/* the first 6xx is kept */
	assert_int_equal(BEST(603, 600), 603);
	assert_int_equal(BEST(600, 603), 600);
}

static void test_lowest_class(void **state)
{
	(void)state;
	assert_int_equal(BEST(503, 404), 404);
	assert_int_equal(BEST(404, 503), 404);
	assert_int_equal(BEST(500, 302, 486), 302);
	assert_int_equal(BEST(504, 503, 500), 500);
}

static void test_telling_4xx(void **state)
{
	(void)state;
	/* busy is what a caller should hear over a timeout or a cancel */
	assert_int_equal(BEST(408, 486, 487), 486);
	assert_int_equal(BEST(487, 480), 480);
	assert_int_equal(BEST(480, 486), 486);
	assert_int_equal(BEST(404, 480), 480);
	/* any other 4xx beats 408/487, which come last */
	assert_int_equal(BEST(408, 488), 488);
	assert_int_equal(BEST(487, 408), 408);
	assert_int_equal(BEST(488, 403), 403);
	/* timeout or cancel still beat a 5xx (lower class) */
	assert_int_equal(BEST(503, 408), 408);
}

static void test_hundred_branches(void **state)
{
	int st[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		st[i] = i % 3 ? 503 : 408;
	assert_int_equal(best(st, 100), 408);
	st[57] = 486;
	assert_int_equal(best(st, 100), 486);
	st[99] = 603;
	assert_int_equal(best(st, 100), 603);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_yet),
		cmocka_unit_test(test_6xx_wins),
		cmocka_unit_test(test_lowest_class),
		cmocka_unit_test(test_telling_4xx),
		cmocka_unit_test(test_hundred_branches),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
