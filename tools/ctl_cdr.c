// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelayctl cdr: the call detail records rtprelayd wrote (cdr.dir,
 * cdr-YYYY-MM-DD.csv per UTC day), those whose call started in
 * [--since, --until), oldest first, as a table or JSON. Reads the files
 * only: no daemon needed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdr_csv.h"
#include "ctl.h"

#define CDR_DIR_DEFAULT	"/var/lib/rtprelay/cdr"

struct rec {
	time_t start;
	char *f[RR_CDR_N_COLUMNS];	/* by rr_cdr_columns order; NULL: absent */
	char *line;			/* owns the fields */
};

struct recs {
	struct rec *r;
	size_t n, cap;
	unsigned long bad;
};

static int col(const char *name)
{
	for (int i = 0; i < RR_CDR_N_COLUMNS; i++)
		if (!strcmp(rr_cdr_columns[i], name))
			return i;
	return -1;
}

static int read_file(const char *path, time_t since, time_t until, struct recs *rs)
{
	int map[64], n_map = 0, n, i;
	char *line = NULL, *fields[64];
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "rtprelayctl: cdr: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (getline(&line, &cap, f) > 0) {
		struct rec r = { 0 };
		char *copy;

		if (!strncmp(line, "start,", 6)) {
			/* the header: columns by name, so older files still read */
			n = rr_csv_split(line, fields, 64);
			for (n_map = 0; n_map < n; n_map++)
				map[n_map] = col(fields[n_map]);
			continue;
		}
		if (!n_map || !(copy = strdup(line)))
			continue;
		n = rr_csv_split(copy, fields, 64);
		if (n < 1 || rr_cdr_parse_time(fields[0], 0, &r.start)) {
			rs->bad++;
			free(copy);
			continue;
		}
		if (r.start < since || r.start >= until) {
			free(copy);
			continue;
		}
		for (i = 0; i < n && i < n_map; i++)
			if (map[i] >= 0)
				r.f[map[i]] = fields[i];
		r.line = copy;
		if (rs->n == rs->cap) {
			size_t nc = rs->cap ? 2 * rs->cap : 64;
			struct rec *nr = realloc(rs->r, nc * sizeof(*nr));

			if (!nr) {
				free(copy);
				break;
			}
			rs->r = nr;
			rs->cap = nc;
		}
		rs->r[rs->n++] = r;
	}
	free(line);
	fclose(f);
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->f[0] ? x->f[0] : "", y->f[0] ? y->f[0] : "");
}

static const char *fv(const struct rec *r, const char *name)
{
	int i = col(name);

	return i >= 0 && r->f[i] ? r->f[i] : "";
}

static bool numeric(const char *name)
{
	static const char *const num[] = {
		"call", "duration", "billable", "queue", "status",
		"to_callee_packets", "to_callee_lost", "to_callee_jitter_ms",
		"to_caller_packets", "to_caller_lost", "to_caller_jitter_ms",
	};

	for (size_t i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		if (!strcmp(num[i], name))
			return true;
	return false;
}

static void print_json(const struct recs *rs)
{
	json_object *arr = json_object_new_array();

	for (size_t k = 0; k < rs->n; k++) {
		json_object *o = json_object_new_object();

		for (int i = 0; i < RR_CDR_N_COLUMNS; i++) {
			const char *v = rs->r[k].f[i];
			char *end;
			double d;

			if (!v)
				continue;
			if (numeric(rr_cdr_columns[i])) {
				d = strtod(v, &end);
				if (*v && !*end) {
					json_object_object_add(o, rr_cdr_columns[i],
						strchr(v, '.') ? json_object_new_double(d) :
						json_object_new_int64((long long)d));
					continue;
				}
			}
			json_object_object_add(o, rr_cdr_columns[i], json_object_new_string(v));
		}
		json_object_array_add(arr, o);
	}
	ctl_print_json(arr);
	json_object_put(arr);
}

static void print_table(const struct recs *rs)
{
	printf("%-24s %6s %-3s %3s %-16s %-16s %-12s %8s %8s %6s %7s %7s %5s %6s %s\n",
	       "start", "call", "st", "sip", "clid", "dnis", "trunks", "dur s", "bill s",
	       "queue", "pkts >", "pkts <", "lost", "jit ms", "reason");
	for (size_t k = 0; k < rs->n; k++) {
		const struct rec *r = &rs->r[k];
		char trunks[64];
		double jit_a = atof(fv(r, "to_callee_jitter_ms")), jit_b = atof(fv(r, "to_caller_jitter_ms"));

		snprintf(trunks, sizeof(trunks), "%s>%s", fv(r, "trunk_in"), fv(r, "trunk_out"));
		printf("%-24s %6s %-3s %3s %-16s %-16s %-12s %8.1f %8.1f %6.1f %7s %7s %5lld %6.1f %s\n",
		       fv(r, "start"), fv(r, "call"), fv(r, "state"), fv(r, "status"),
		       fv(r, "clid"), fv(r, "dnis"), trunks, atof(fv(r, "duration")),
		       atof(fv(r, "billable")), atof(fv(r, "queue")), fv(r, "to_callee_packets"),
		       fv(r, "to_caller_packets"),
		       atoll(fv(r, "to_callee_lost")) + atoll(fv(r, "to_caller_lost")),
		       jit_a > jit_b ? jit_a : jit_b, fv(r, "reason"));
	}
	printf("%zu record%s\n", rs->n, rs->n == 1 ? "" : "s");
}

int ctl_cdr_main(int argc, char **argv)
{
	const char *dir = CDR_DIR_DEFAULT, *since_s = "1d", *until_s = NULL;
	time_t now = time(NULL), since, until = (time_t)1 << 62;
	struct recs rs = { 0 };
	struct dirent **names = NULL;
	bool json = false;
	int n, rc = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--since") || !strcmp(argv[i], "--until") ||
			   !strcmp(argv[i], "--dir")) {
			if (i + 1 >= argc)
				usage_err(argv[i], "needs a value");
			if (argv[i][2] == 's')
				since_s = argv[++i];
			else if (argv[i][2] == 'u')
				until_s = argv[++i];
			else
				dir = argv[++i];
		} else {
			usage_err(argv[i], "unknown argument for cdr");
		}
	}
	if (rr_cdr_parse_time(since_s, now, &since))
		usage_err("--since", "'%s' is not a time (2026-11-23, 2026-11-23T22:05, 15m, 1h, 2d)",
			  since_s);
	if (until_s && rr_cdr_parse_time(until_s, now, &until))
		usage_err("--until", "'%s' is not a time (2026-11-23, 2026-11-23T22:05, 15m, 1h, 2d)",
			  until_s);
	if (!*dir)
		usage_err("--dir", "empty path");
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "rtprelayctl: cdr: %s: %s\n", dir, strerror(errno));
		return CTL_EXIT_RUNTIME;
	}
	for (int i = 0; i < n; i++) {
		long day = rr_cdr_file_day(names[i]->d_name);
		char path[4096];

		/* a file holds the calls that ended that day: none that started
		 * at or after since can be in an older file */
		if (day >= 0 && day >= (long)(since / 86400)) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (read_file(path, since, until, &rs))
				rc = CTL_EXIT_RUNTIME;
		}
		free(names[i]);
	}
	free(names);
	qsort(rs.r, rs.n, sizeof(*rs.r), by_start);
	if (json)
		print_json(&rs);
	else
		print_table(&rs);
	if (rs.bad)
		fprintf(stderr, "rtprelayctl: cdr: %lu unreadable line%s skipped\n", rs.bad,
			rs.bad == 1 ? "" : "s");
	for (size_t k = 0; k < rs.n; k++)
		free(rs.r[k].line);
	free(rs.r);
	return rc;
}
