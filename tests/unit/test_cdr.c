// SPDX-License-Identifier: GPL-2.0-only
/*
 * Call detail records (controller/cdr_csv.c, controller/cdr.c): CSV quoting
 * and splitting back, the record line and header, --since/--until times,
 * file names, and the writer on a temporary directory with a fake clock:
 * header once per file, daily rollover, retention pruning. Also the cost
 * of one record (append + fflush), printed as a TAP comment.
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
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "cdr.h"
#include "log.h"

/* 2026-11-20T12:00:00Z */
#define T0	((time_t)1795176000)
#define DAY	86400

static void test_csv_field(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ " lead", "\" lead\"" },
		{ "trail ", "\"trail \"" },
		{ "in side", "in side" },
		{ "new\nline\r", "new?line?" },
		{ "+4930123", "+4930123" },
	};
	char buf[64];
	size_t pos;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pos = 0;
		rr_csv_field(buf, sizeof(buf), &pos, cases[i].in);
		buf[pos] = '\0';
		assert_string_equal(buf, cases[i].out);
	}
	/* NULL is an empty field */
	pos = 0;
	rr_csv_field(buf, sizeof(buf), &pos, NULL);
	assert_int_equal(pos, 0);
	/* too small a buffer: the length it needed, nothing written past */
	memset(buf, 'x', sizeof(buf));
	pos = 0;
	rr_csv_field(buf, 4, &pos, "a,bcdef");
	assert_int_equal(pos, 9);
	assert_int_equal(buf[4], 'x');
}

static void test_csv_split(void **state)
{
	char line[128], *f[8];

	strcpy(line, "a,\"b,c\",,\"say \"\"hi\"\"\",\"\"\n");
	assert_int_equal(rr_csv_split(line, f, 8), 5);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b,c");
	assert_string_equal(f[2], "");
	assert_string_equal(f[3], "say \"hi\"");
	assert_string_equal(f[4], "");
	strcpy(line, "x,\"open");
	assert_int_equal(rr_csv_split(line, f, 8), -EINVAL);
	strcpy(line, "\"a\"b,c");
	assert_int_equal(rr_csv_split(line, f, 8), -EINVAL);
	strcpy(line, "1,2,3,4");
	assert_int_equal(rr_csv_split(line, f, 2), 2);
	strcpy(line, "");
	assert_int_equal(rr_csv_split(line, f, 8), 1);
	assert_string_equal(f[0], "");
}

static struct rr_cdr sample(void)
{
	struct rr_cdr r = {
		.call = 42,
		.start = { T0, 123456789 },
		.clid = "+4930111222", .dnis = "+4930123456",
		.trunk_in = "teams", .trunk_out = "pbx",
		.duration = 12.5, .billable = 10.25, .queue = 2.25,
		.state = RR_CDR_RC, .status = 200,
		.reason = "BYE from the caller",
		.sip_call_id = "abc@198.51.100.10",
		.to_callee = { 500, 2, 1.25 },
		.to_caller = { 498, 0, 0.5 },
	};

	return r;
}

static void test_format(void **state)
{
	struct rr_cdr r = sample();
	char buf[512], *f[32];
	int n;

	rr_cdr_header(buf, sizeof(buf));
	assert_string_equal(buf, "start,call,clid,dnis,trunk_in,trunk_out,duration,billable,"
			    "queue,state,status,reason,sip_call_id,to_callee_packets,"
			    "to_callee_lost,to_callee_jitter_ms,to_caller_packets,"
			    "to_caller_lost,to_caller_jitter_ms\n");
	rr_cdr_format(&r, false, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-20T12:00:00.123Z,42,+4930111222,+4930123456,teams,pbx,"
			    "12.500,10.250,2.250,RC,200,BYE from the caller,abc@198.51.100.10,"
			    "500,2,1.2,498,0,0.5\n");
	rr_cdr_format(&r, true, buf, sizeof(buf));
	assert_non_null(strstr(buf, ",+4930****22,+4930****56,"));
	/* a reason with a comma and a quote survives the round trip */
	r.reason = "Busy, \"really\"";
	r.state = RR_CDR_NONE;
	rr_cdr_format(&r, false, buf, sizeof(buf));
	n = rr_csv_split(buf, f, 32);
	assert_int_equal(n, RR_CDR_N_COLUMNS);
	assert_string_equal(f[9], "E");	/* undecided is an error */
	assert_string_equal(f[11], "Busy, \"really\"");
	assert_string_equal(f[18], "0.5");
	/* every state by name */
	assert_string_equal(rr_cdr_state_name(RR_CDR_H), "H");
	assert_string_equal(rr_cdr_state_name(RR_CDR_T), "T");
	assert_string_equal(rr_cdr_state_name(RR_CDR_TT), "TT");
	assert_string_equal(rr_cdr_state_name(RR_CDR_RA), "RA");
	assert_string_equal(rr_cdr_state_name(RR_CDR_RTB), "RTB");
	assert_string_equal(rr_cdr_state_name(RR_CDR_RTC), "RTC");
	assert_string_equal(rr_cdr_state_name(99), "E");
}

static void test_parse_time(void **state)
{
	time_t t;

	assert_int_equal(rr_cdr_parse_time("now", T0, &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(rr_cdr_parse_time("90s", T0, &t), 0);
	assert_int_equal(t, T0 - 90);
	assert_int_equal(rr_cdr_parse_time("15m", T0, &t), 0);
	assert_int_equal(t, T0 - 900);
	assert_int_equal(rr_cdr_parse_time("1h", T0, &t), 0);
	assert_int_equal(t, T0 - 3600);
	assert_int_equal(rr_cdr_parse_time("2d", T0, &t), 0);
	assert_int_equal(t, T0 - 2 * DAY);
	assert_int_equal(rr_cdr_parse_time("1w", T0, &t), 0);
	assert_int_equal(t, T0 - 7 * DAY);
	assert_int_equal(rr_cdr_parse_time("2026-11-20", 0, &t), 0);
	assert_int_equal(t, T0 - 12 * 3600);
	assert_int_equal(rr_cdr_parse_time("2026-11-20T12:00", 0, &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(rr_cdr_parse_time("2026-11-20 12:00:30", 0, &t), 0);
	assert_int_equal(t, T0 + 30);
	assert_int_equal(rr_cdr_parse_time("2026-11-20T12:00:30.123Z", 0, &t), 0);
	assert_int_equal(t, T0 + 30);
	assert_int_equal(rr_cdr_parse_time("2026-11-20T12:00Z", 0, &t), 0);
	assert_int_equal(t, T0);
	static const char *const bad[] = {
		"", "yesterday", "1", "1x", "1hh", "-1h", "2026-11", "2026-11-20T", "2026-11-20T1:00",
		"2026-11-20T25:00", "2026-02-30", "2026-13-01", "2026-11-20T12:00:00.",
		"2026-11-20T12:00:00+01:00", "1969-12-31", "2026-11-20x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rr_cdr_parse_time(bad[i], T0, &t) != -EINVAL)
			fail_msg("'%s' was taken as a time", bad[i]);
	}
}

static void test_file_names(void **state)
{
	char name[32];

	rr_cdr_file_name(T0, name, sizeof(name));
	assert_string_equal(name, "cdr-2026-11-20.csv");
	rr_cdr_file_name(T0 + 12 * 3600 - 1, name, sizeof(name));
	assert_string_equal(name, "cdr-2026-11-20.csv");
	rr_cdr_file_name(T0 + 12 * 3600, name, sizeof(name));
	assert_string_equal(name, "cdr-2026-11-21.csv");
	assert_int_equal(rr_cdr_file_day("cdr-2026-11-20.csv"), T0 / DAY);
	assert_int_equal(rr_cdr_file_day("cdr-2026-11-20.csv.gz"), -1);
	assert_int_equal(rr_cdr_file_day("cdr-2026-11-2x.csv"), -1);
	assert_int_equal(rr_cdr_file_day("cdr-2026-02-30.csv"), -1);
	assert_int_equal(rr_cdr_file_day("notes.txt"), -1);
}

static char dir[64];

static int lines(const char *name, char *first, size_t len)
{
	char path[128], buf[1024];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		if (!n && first)
			snprintf(first, len, "%.*s", (int)(len - 1), buf);
		n++;
	}
	fclose(f);
	return n;
}

static bool exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void touch(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static void rm_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[400];

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

static void test_writer(void **state)
{
	struct rr_cdr r = sample();
	struct rr_cdr_writer *w;
	char first[512], hdr[512];

	snprintf(dir, sizeof(dir), "/tmp/rr-cdr-unit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	rr_cdr_header(hdr, sizeof(hdr));

	/* off: nothing written anywhere */
	w = rr_cdr_writer_new();
	assert_non_null(w);
	assert_false(rr_cdr_enabled(w));
	assert_int_equal(rr_cdr_write(w, &r, T0), 0);

	/* old files, a foreign file; retention 3 days at T0 (2026-11-20) */
	touch("cdr-2026-11-16.csv");	/* 4 days back: goes */
	touch("cdr-2026-11-17.csv");	/* 3 days back: stays */
	touch("cdr-2025-01-01.csv");
	touch("cdr-notes.csv");
	assert_int_equal(rr_cdr_configure(w, dir, 3, false, T0), 0);
	assert_true(rr_cdr_enabled(w));
	assert_false(exists("cdr-2026-11-16.csv"));
	assert_false(exists("cdr-2025-01-01.csv"));
	assert_true(exists("cdr-2026-11-17.csv"));
	assert_true(exists("cdr-notes.csv"));

	/* two records today: header + 2 */
	assert_int_equal(rr_cdr_write(w, &r, T0), 0);
	assert_int_equal(rr_cdr_write(w, &r, T0 + 3600), 0);
	assert_int_equal(lines("cdr-2026-11-20.csv", first, sizeof(first)), 3);
	assert_string_equal(first, hdr);

	/* the next day: a new file with its own header; pruning moves on */
	assert_int_equal(rr_cdr_write(w, &r, T0 + DAY), 0);
	assert_int_equal(lines("cdr-2026-11-21.csv", first, sizeof(first)), 2);
	assert_string_equal(first, hdr);
	assert_false(exists("cdr-2026-11-17.csv"));
	assert_int_equal(lines("cdr-2026-11-20.csv", NULL, 0), 3);

	/* a restart appends to the day's file: no second header */
	rr_cdr_writer_free(w);
	w = rr_cdr_writer_new();
	assert_int_equal(rr_cdr_configure(w, dir, 3, true, T0 + DAY), 0);
	assert_int_equal(rr_cdr_write(w, &r, T0 + DAY + 60), 0);
	assert_int_equal(lines("cdr-2026-11-21.csv", NULL, 0), 3);

	/* days pass with no call: the tick prunes (retention 3 at 11-25) */
	rr_cdr_tick(w, T0 + 5 * DAY);
	assert_false(exists("cdr-2026-11-20.csv"));
	assert_false(exists("cdr-2026-11-21.csv"));

	/* retention 0 keeps everything */
	touch("cdr-2000-01-01.csv");
	assert_int_equal(rr_cdr_configure(w, dir, 0, true, T0 + 5 * DAY), 0);
	assert_int_equal(rr_cdr_prune(w, T0 + 5 * DAY), 0);
	assert_true(exists("cdr-2000-01-01.csv"));

	/* off again: no more writes */
	assert_int_equal(rr_cdr_configure(w, "", 0, false, T0 + 5 * DAY), 0);
	assert_int_equal(rr_cdr_write(w, &r, T0 + 5 * DAY), 0);
	assert_false(exists("cdr-2026-11-25.csv"));

	/* a directory that cannot be made: an error, no crash, writes fail */
	assert_int_not_equal(rr_cdr_configure(w, "/proc/no/such/dir", 3, false, T0), 0);
	assert_int_not_equal(rr_cdr_write(w, &r, T0), 0);
	rr_cdr_writer_free(w);
	rm_dir();
}

/* What one record costs the SIP loop: format, append, fflush. */
static void test_cost(void **state)
{
	struct rr_cdr r = sample();
	struct rr_cdr_writer *w;
	struct timespec a, b;
	const int n = 2000;
	double us;

	snprintf(dir, sizeof(dir), "/tmp/rr-cdr-unit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	w = rr_cdr_writer_new();
	assert_int_equal(rr_cdr_configure(w, dir, 3, true, T0), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++)
		assert_int_equal(rr_cdr_write(w, &r, T0 + i), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / n;
#ifdef __SANITIZE_ADDRESS__
	const char *build = "ASan build";
#else
	const char *build = "optimised build";
#endif
	printf("# cdr: %.1f us per record (format + append + fflush, %d records, %s, %s)\n",
	       us, n, build, dir);
	assert_int_equal(lines("cdr-2026-11-20.csv", NULL, 0), n + 1);
	/* far below a SIP transaction's budget */
	assert_true(us < 1000);
	rr_cdr_writer_free(w);
	rm_dir();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_csv_split),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_cost),
	};

	rr_log_setup(LOG_CRIT, false, false);	/* the writer's notes: not TAP */
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
