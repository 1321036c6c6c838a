// SPDX-License-Identifier: GPL-2.0-only
/* Call detail records as text (cdr_csv.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdr_csv.h"
#include "log.h"

const char *const rr_cdr_columns[RR_CDR_N_COLUMNS] = {
	"start", "call", "clid", "dnis", "trunk_in", "trunk_out",
	"duration", "billable", "queue", "state", "status", "reason",
	"sip_call_id",
	"to_callee_packets", "to_callee_lost", "to_callee_jitter_ms",
	"to_caller_packets", "to_caller_lost", "to_caller_jitter_ms",
};

const char *rr_cdr_state_name(enum rr_cdr_state s)
{
	static const char *const n[RR_CDR_STATE_MAX] = {
		[RR_CDR_NONE] = "E", [RR_CDR_H] = "H", [RR_CDR_T] = "T",
		[RR_CDR_TT] = "TT", [RR_CDR_RC] = "RC", [RR_CDR_RA] = "RA",
		[RR_CDR_RTB] = "RTB", [RR_CDR_RTC] = "RTC", [RR_CDR_E] = "E",
	};

	return (unsigned int)s < RR_CDR_STATE_MAX ? n[s] : "E";
}

static void put_c(char *buf, size_t len, size_t *pos, char c)
{
	if (*pos + 1 < len)
		buf[*pos] = c;
	(*pos)++;
}

static void put_s(char *buf, size_t len, size_t *pos, const char *s)
{
	while (*s)
		put_c(buf, len, pos, *s++);
}

void rr_csv_field(char *buf, size_t len, size_t *pos, const char *field)
{
	size_t n = field ? strlen(field) : 0;
	bool quote;

	if (!field)
		field = "";
	quote = strpbrk(field, ",\"") || (n && (field[0] == ' ' || field[n - 1] == ' '));
	if (quote)
		put_c(buf, len, pos, '"');
	for (const char *p = field; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			put_c(buf, len, pos, '"');
		put_c(buf, len, pos, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (quote)
		put_c(buf, len, pos, '"');
}

static void terminate(char *buf, size_t len, size_t pos)
{
	if (len)
		buf[pos < len ? pos : len - 1] = '\0';
}

size_t rr_cdr_header(char *buf, size_t len)
{
	size_t pos = 0;

	for (int i = 0; i < RR_CDR_N_COLUMNS; i++) {
		if (i)
			put_c(buf, len, &pos, ',');
		put_s(buf, len, &pos, rr_cdr_columns[i]);
	}
	put_c(buf, len, &pos, '\n');
	terminate(buf, len, pos);
	return pos;
}

static void put_dir(char *buf, size_t len, size_t *pos, const struct rr_cdr_dir *d)
{
	char t[96];

	snprintf(t, sizeof(t), ",%llu,%llu,%.1f", (unsigned long long)d->packets,
		 (unsigned long long)d->lost, d->jitter_ms);
	put_s(buf, len, pos, t);
}

size_t rr_cdr_format(const struct rr_cdr *r, bool mask, char *buf, size_t len)
{
	char t[96], m[128];
	struct tm tm;
	size_t pos = 0;
	time_t s = r->start.tv_sec;

	gmtime_r(&s, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	put_s(buf, len, &pos, t);
	snprintf(t, sizeof(t), ".%03ldZ,%lu,", r->start.tv_nsec / 1000000, r->call);
	put_s(buf, len, &pos, t);
	rr_csv_field(buf, len, &pos, mask ? rr_mask_number(r->clid, m, sizeof(m)) : r->clid);
	put_c(buf, len, &pos, ',');
	rr_csv_field(buf, len, &pos, mask ? rr_mask_number(r->dnis, m, sizeof(m)) : r->dnis);
	put_c(buf, len, &pos, ',');
	rr_csv_field(buf, len, &pos, r->trunk_in);
	put_c(buf, len, &pos, ',');
	rr_csv_field(buf, len, &pos, r->trunk_out);
	snprintf(t, sizeof(t), ",%.3f,%.3f,%.3f,%s,%d,", r->duration, r->billable, r->queue,
		 rr_cdr_state_name(r->state), r->status);
	put_s(buf, len, &pos, t);
	rr_csv_field(buf, len, &pos, r->reason);
	put_c(buf, len, &pos, ',');
	rr_csv_field(buf, len, &pos, r->sip_call_id);
	put_dir(buf, len, &pos, &r->to_callee);
	put_dir(buf, len, &pos, &r->to_caller);
	put_c(buf, len, &pos, '\n');
	terminate(buf, len, pos);
	return pos;
}

int rr_csv_split(char *line, char **fields, int max)
{
	char *r = line, *w = line;
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (;;) {
		if (n == max)
			return n;
		fields[n++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				if (!*r)
					return -EINVAL;	/* unterminated */
				if (*r == '"') {
					if (r[1] != '"')
						break;
					r++;
				}
				*w++ = *r++;
			}
			r++;	/* the closing quote */
			if (*r && *r != ',')
				return -EINVAL;
		} else {
			while (*r && *r != ',')
				*w++ = *r++;
		}
		if (!*r) {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		r++;	/* the comma */
		/* w <= r always: fields only shrink */
	}
}

int rr_cdr_parse_time(const char *s, time_t now, time_t *t)
{
	static const struct { char u; long secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 },
	};
	struct tm tm = { 0 };
	int n = 0, consumed = -1;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "now")) {
		*t = now;
		return 0;
	}
	if (isdigit((unsigned char)s[0]) && !strchr(s, '-')) {
		unsigned long v;

		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s || !end[0] || end[1] || v > 100UL * 365 * 86400)
			return -EINVAL;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (units[i].u == end[0]) {
				*t = now - (time_t)(v * (unsigned long)units[i].secs);
				return 0;
			}
		return -EINVAL;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3 ||
	    consumed != 10)
		return -EINVAL;
	s += consumed;
	if (*s == 'T' || *s == ' ') {
		consumed = -1;
		n = sscanf(s + 1, "%2d:%2d%n:%2d%n", &tm.tm_hour, &tm.tm_min, &consumed,
			   &tm.tm_sec, &consumed);
		if (n < 2 || consumed < 5 || (n == 2 && consumed != 5) || (n == 3 && consumed != 8))
			return -EINVAL;
		s += 1 + consumed;
		if (n == 3 && *s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -EINVAL;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	if (*s == 'Z')
		s++;
	if (*s)
		return -EINVAL;
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	{
		int mday = tm.tm_mday;

		*t = timegm(&tm);
		if (tm.tm_mday != mday)	/* 2026-02-30 rolled over */
			return -EINVAL;
	}
	return 0;
}

void rr_cdr_file_name(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "cdr-%Y-%m-%d.csv", &tm);
}

long rr_cdr_file_day(const char *name)
{
	time_t t;
	char d[11];

	if (strlen(name) != strlen("cdr-YYYY-MM-DD.csv") || strncmp(name, "cdr-", 4) ||
	    strcmp(name + 14, ".csv"))
		return -1;
	memcpy(d, name + 4, 10);
	d[10] = '\0';
	if (rr_cdr_parse_time(d, 0, &t) || !isdigit((unsigned char)d[0]))
		return -1;
	return (long)(t / 86400);
}
