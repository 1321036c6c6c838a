/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call detail records as text: the CSV line of one record, the header,
 * splitting a line back into fields, and the times rtprelayctl cdr takes.
 * No I/O here: rtprelayd writes the lines (cdr.c), rtprelayctl reads them
 * (tools/ctl_cdr.c). Columns: docs/rtprelayd.md, "Call detail records".
 */
#ifndef RR_CDR_CSV_H
#define RR_CDR_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Final states in the PBX's terms (TEAMS.md "Records"). */
enum rr_cdr_state {
	RR_CDR_NONE,	/* not decided yet (written as E) */
	RR_CDR_H,	/* abandoned: the caller gave up before an answer */
	RR_CDR_T,	/* ended by the service (rtprelayd itself) */
	RR_CDR_TT,	/* ended by a transfer */
	RR_CDR_RC,	/* answered, closed by the caller */
	RR_CDR_RA,	/* answered, closed by the callee */
	RR_CDR_RTB,	/* answered, blind transfer */
	RR_CDR_RTC,	/* answered, attended (consultative) transfer */
	RR_CDR_E,	/* error: refused, failed or no answer */
	RR_CDR_STATE_MAX,
};

/* Media of one direction of a call, summed over its streams. */
struct rr_cdr_dir {
	uint64_t packets;		/* RTP and RTCP forwarded */
	uint64_t lost;			/* RTP sequence gaps (RFC 3550) */
	double jitter_ms;		/* the largest stream's, ms */
};

struct rr_cdr {
	unsigned long call;		/* rtprelayd's call number */
	struct timespec start;		/* CLOCK_REALTIME of the INVITE */
	const char *clid, *dnis;	/* caller, called number */
	const char *trunk_in, *trunk_out;
	double duration;		/* INVITE to end, s */
	double billable;		/* answer to end, s (0: unanswered) */
	double queue;			/* INVITE to answer (or to end), s */
	enum rr_cdr_state state;
	int status;			/* final SIP status of the call */
	const char *reason;		/* why it ended, free text */
	const char *sip_call_id;	/* the caller leg's Call-ID */
	struct rr_cdr_dir to_callee, to_caller;
};

#define RR_CDR_N_COLUMNS 19
extern const char *const rr_cdr_columns[RR_CDR_N_COLUMNS];

const char *rr_cdr_state_name(enum rr_cdr_state s);
/* The header line, with its newline. */
size_t rr_cdr_header(char *buf, size_t len);
/* One record as a CSV line with its newline; numbers masked when mask.
 * Returns the length needed (as snprintf). */
size_t rr_cdr_format(const struct rr_cdr *r, bool mask, char *buf, size_t len);
/* Appends field to buf at *pos (which may pass len: then buf holds what
 * fit), quoted (RFC 4180, '"' doubled) when it holds ',' or '"', or a space
 * at either end; control characters become '?', so a record is one line. */
void rr_csv_field(char *buf, size_t len, size_t *pos, const char *field);
/* Splits line (its newline, if any, removed) in place into at most max
 * fields. Returns the count, or -EINVAL for a broken quote. */
int rr_csv_split(char *line, char **fields, int max);

/* TIME for rtprelayctl cdr --since/--until: "now", relative to now ("90s",
 * "15m", "1h", "2d", "1w": that long ago), or ISO 8601 in UTC
 * ("2026-11-23", "2026-11-23T22:05", "2026-11-23 22:05:30", with an
 * optional fraction and "Z"). 0 or -EINVAL. */
int rr_cdr_parse_time(const char *s, time_t now, time_t *t);
/* "cdr-YYYY-MM-DD.csv" of the UTC day of t. */
void rr_cdr_file_name(time_t t, char *buf, size_t len);
/* The UTC day (days since 1970) a "cdr-YYYY-MM-DD.csv" name is for, or -1. */
long rr_cdr_file_day(const char *name);

#endif
