/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CDR writer: one CSV line per call, appended to a file per UTC day
 * (DIR/cdr-YYYY-MM-DD.csv, a header line first) and flushed per record;
 * files older than the retention are removed at each new day. Off while
 * no directory is configured. The caller passes the time, so tests can
 * run days in a second.
 */
#ifndef RR_CDR_WRITER_H
#define RR_CDR_WRITER_H

#include <stdbool.h>
#include <time.h>

#include "cdr_csv.h"

struct rr_cdr_writer;

struct rr_cdr_writer *rr_cdr_writer_new(void);
void rr_cdr_writer_free(struct rr_cdr_writer *w);
/* dir "" turns records off. A new directory takes effect at once (the
 * current file is closed); old files are pruned now. 0 or negative errno
 * (logged) when dir cannot be made or written. */
int rr_cdr_configure(struct rr_cdr_writer *w, const char *dir, unsigned int retention_days,
		     bool mask_numbers, time_t now);
bool rr_cdr_enabled(const struct rr_cdr_writer *w);
/* Appends r to the file of now's day (opening it, and pruning, when the day
 * changed). 0, or negative errno (logged once until a write works again). */
int rr_cdr_write(struct rr_cdr_writer *w, const struct rr_cdr *r, time_t now);
/* Once in a while: a new day closes the old file and prunes, even with no
 * call to write. */
void rr_cdr_tick(struct rr_cdr_writer *w, time_t now);
/* Removes DIR's cdr-YYYY-MM-DD.csv files whose day is more than
 * retention_days before now's (0: keeps all). Returns how many went. */
int rr_cdr_prune(struct rr_cdr_writer *w, time_t now);

#endif
