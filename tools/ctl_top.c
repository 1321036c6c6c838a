// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelayctl top: the daemon's calls every interval with packets/s per
 * direction (the difference of the flow counters between two samples),
 * loss and jitter. Clears the screen only when stdout is a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"

#define MAX_SEEN	4096

struct sample {
	long long id, to_callee, to_caller;
};

struct top {
	struct sample prev[MAX_SEEN], cur[MAX_SEEN];
	size_t n_prev, n_cur;
	double t_prev;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


static const struct sample *find_prev(const struct top *t, long long id)
{
	for (size_t i = 0; i < t->n_prev; i++)
		if (t->prev[i].id == id)
			return &t->prev[i];
	return NULL;
}

/* One row per call; rates are null until a call was seen twice. */
static json_object *rows(struct top *t, json_object *calls, double dt)
{
	json_object *arr = json_object_new_array();

	t->n_cur = 0;
	for (size_t i = 0; i < json_object_array_length(calls); i++) {
		json_object *c = json_object_array_get_idx(calls, i);
		const struct sample *p;
		struct ctl_call_media m;
		json_object *r;

		ctl_call_media(c, &m);
		p = dt > 0 ? find_prev(t, ctl_jnum(c, "id")) : NULL;
		r = json_object_new_object();
		json_object_object_add(r, "id", json_object_new_int64(ctl_jnum(c, "id")));
		json_object_object_add(r, "state", json_object_new_string(ctl_jstr(c, "state")));
		json_object_object_add(r, "from", json_object_new_string(ctl_jstr(c, "from")));
		json_object_object_add(r, "to", json_object_new_string(ctl_jstr(c, "to")));
		json_object_object_add(r, "duration", json_object_new_double(
			json_object_get_double(json_object_object_get(c, "duration"))));
		json_object_object_add(r, "packets_to_callee", json_object_new_int64(m.to_callee));
		json_object_object_add(r, "packets_to_caller", json_object_new_int64(m.to_caller));
		json_object_object_add(r, "pps_to_callee", p ? json_object_new_double(
			(double)(m.to_callee - p->to_callee) / dt) : NULL);
		json_object_object_add(r, "pps_to_caller", p ? json_object_new_double(
			(double)(m.to_caller - p->to_caller) / dt) : NULL);
		json_object_object_add(r, "lost", json_object_new_int64(m.lost));
		json_object_object_add(r, "jitter", json_object_new_int64(m.jitter));
		json_object_array_add(arr, r);
		if (t->n_cur < MAX_SEEN)
			t->cur[t->n_cur++] = (struct sample){ ctl_jnum(c, "id"), m.to_callee, m.to_caller };
	}
	memcpy(t->prev, t->cur, t->n_cur * sizeof(t->cur[0]));
	t->n_prev = t->n_cur;
	return arr;
}

static void print_rate(json_object *r, const char *k)
{
	json_object *v = json_object_object_get(r, k);

	if (v)
		printf(" %8.1f", json_object_get_double(v));
	else
		printf(" %8s", "-");
}

static void print_screen(json_object *st, json_object *arr, bool tty)
{
	time_t now = time(NULL);
	char ts[32];

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("rtprelayd %s  datapath %s  calls %s  flows %s  answered %s  failed %s\n",
	       ts, ctl_jstr(st, "datapath"), ctl_jstr(st, "calls"), ctl_jstr(st, "flows"),
	       ctl_jstr(st, "calls_answered"), ctl_jstr(st, "calls_failed"));
	printf("%6s %-9s %-16s %-16s %7s %8s %8s %6s %6s\n", "id", "state", "from", "to",
	       "dur s", "pps >", "pps <", "lost", "jit ts");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i);

		printf("%6lld %-9s %-16.16s %-16.16s %7.1f", ctl_jnum(r, "id"), ctl_jstr(r, "state"),
		       ctl_jstr(r, "from"), ctl_jstr(r, "to"),
		       json_object_get_double(json_object_object_get(r, "duration")));
		print_rate(r, "pps_to_callee");
		print_rate(r, "pps_to_caller");
		printf(" %6lld %6lld\n", ctl_jnum(r, "lost"), ctl_jnum(r, "jitter"));
	}
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

int ctl_top(const char *sock, unsigned long count, unsigned long interval_ms, bool json)
{
	struct top *t = calloc(1, sizeof(*t));
	bool tty = !json && isatty(STDOUT_FILENO);
	int ret = 0;

	if (!t)
		return CTL_EXIT_RUNTIME;
	for (unsigned long n = 0; !count || n < count; n++) {
		char err[256] = "";
		json_object *st, *calls, *arr;
		double now;

		if (n) {
			struct timespec ts = { interval_ms / 1000, (long)(interval_ms % 1000) * 1000000 };

			nanosleep(&ts, NULL);
		}
		st = ctl_ask(sock, "status", err, sizeof(err));
		calls = st ? ctl_ask(sock, "calls", err, sizeof(err)) : NULL;
		if (!calls) {
			fprintf(stderr, "rtprelayctl: top: %s\n", err);
			json_object_put(st);
			ret = CTL_EXIT_RUNTIME;
			break;
		}
		now = now_s();
		arr = rows(t, json_object_object_get(calls, "calls"), n ? now - t->t_prev : 0);
		t->t_prev = now;
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "datapath", json_object_new_string(ctl_jstr(st, "datapath")));
			json_object_object_add(o, "calls", arr);
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			fflush(stdout);
			json_object_put(o);
		} else {
			print_screen(st, arr, tty);
			json_object_put(arr);
		}
		json_object_put(st);
		json_object_put(calls);
	}
	free(t);
	return ret;
}

int ctl_top_main(const char *sock, int argc, char **argv)
{
	unsigned long count = 0, interval_ms = 1000;
	bool json = false;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--count") || !strcmp(argv[i], "--interval")) {
			if (i + 1 >= argc)
				usage_err(argv[i], "needs a value");
			if (argv[i][2] == 'c')
				count = parse_uint("--count", argv[++i], 1, 1000000);
			else
				interval_ms = parse_uint("--interval", argv[++i], 100, 60000);
		} else {
			usage_err(argv[i], "unknown argument for top");
		}
	}
	return ctl_top(sock, count, interval_ms, json);
}
