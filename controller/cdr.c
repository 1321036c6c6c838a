// SPDX-License-Identifier: GPL-2.0-only
/* The CDR writer (cdr.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cdr.h"
#include "log.h"

struct rr_cdr_writer {
	char dir[256];
	unsigned int retention_days;
	bool mask;
	FILE *f;
	long day;		/* UTC day of f; -1: none open */
	long pruned_day;	/* last day pruning ran */
	bool failing;		/* an error was logged; quiet until it works */
};

struct rr_cdr_writer *rr_cdr_writer_new(void)
{
	struct rr_cdr_writer *w = calloc(1, sizeof(*w));

	if (w) {
		w->day = -1;
		w->pruned_day = -1;
	}
	return w;
}

static void close_file(struct rr_cdr_writer *w)
{
	if (w->f)
		fclose(w->f);
	w->f = NULL;
	w->day = -1;
}

void rr_cdr_writer_free(struct rr_cdr_writer *w)
{
	if (!w)
		return;
	close_file(w);
	free(w);
}

bool rr_cdr_enabled(const struct rr_cdr_writer *w)
{
	return w && w->dir[0];
}

static void fail_once(struct rr_cdr_writer *w, const char *what, const char *path, int err)
{
	if (!w->failing)
		rr_err("cdr: %s %s: %s (records are lost until it works)", what, path,
		       strerror(err));
	w->failing = true;
}

int rr_cdr_prune(struct rr_cdr_writer *w, time_t now)
{
	long today = (long)(now / 86400), day;
	struct dirent *de;
	char path[512];
	int n = 0;
	DIR *d;

	w->pruned_day = today;
	if (!w->dir[0] || !w->retention_days)
		return 0;
	d = opendir(w->dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		day = rr_cdr_file_day(de->d_name);
		if (day < 0 || day >= today - (long)w->retention_days)
			continue;
		snprintf(path, sizeof(path), "%s/%s", w->dir, de->d_name);
		if (unlink(path) == 0) {
			rr_info("cdr: removed %s (older than %u days)", path, w->retention_days);
			n++;
		} else {
			rr_warn("cdr: cannot remove %s: %s", path, strerror(errno));
		}
	}
	closedir(d);
	return n;
}

int rr_cdr_configure(struct rr_cdr_writer *w, const char *dir, unsigned int retention_days,
		     bool mask_numbers, time_t now)
{
	if (strcmp(w->dir, dir)) {
		close_file(w);
		w->failing = false;
		snprintf(w->dir, sizeof(w->dir), "%s", dir);
		if (dir[0])
			rr_info("cdr: writing records to %s/cdr-YYYY-MM-DD.csv", dir);
	}
	w->retention_days = retention_days;
	w->mask = mask_numbers;
	if (!dir[0])
		return 0;
	if (mkdir(dir, 0750) && errno != EEXIST) {
		int err = errno;

		fail_once(w, "cannot create", dir, err);
		return -err;
	}
	rr_cdr_prune(w, now);
	return 0;
}

static int open_day(struct rr_cdr_writer *w, time_t now)
{
	char name[32], path[512], hdr[512];
	struct stat st;
	int fd;

	close_file(w);
	rr_cdr_file_name(now, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", w->dir, name);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0 || fstat(fd, &st)) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		fail_once(w, "cannot open", path, err);
		return -err;
	}
	w->f = fdopen(fd, "a");
	if (!w->f) {
		int err = errno;

		close(fd);
		fail_once(w, "cannot open", path, err);
		return -err;
	}
	w->day = (long)(now / 86400);
	if (st.st_size == 0) {
		rr_cdr_header(hdr, sizeof(hdr));
		fputs(hdr, w->f);
	}
	return 0;
}

void rr_cdr_tick(struct rr_cdr_writer *w, time_t now)
{
	long today = (long)(now / 86400);

	if (!rr_cdr_enabled(w))
		return;
	if (w->f && w->day != today)
		close_file(w);
	if (w->pruned_day != today)
		rr_cdr_prune(w, now);
}

int rr_cdr_write(struct rr_cdr_writer *w, const struct rr_cdr *r, time_t now)
{
	char line[2048], path[300];
	int err;

	if (!rr_cdr_enabled(w))
		return 0;
	rr_cdr_tick(w, now);
	if (!w->f && (err = open_day(w, now)))
		return err;
	if (rr_cdr_format(r, w->mask, line, sizeof(line)) >= sizeof(line))
		line[sizeof(line) - 2] = '\n';	/* cut, still one line */
	if (fputs(line, w->f) == EOF || fflush(w->f)) {
		err = errno ? errno : EIO;
		snprintf(path, sizeof(path), "%s", w->dir);
		close_file(w);	/* reopened at the next record */
		fail_once(w, "cannot write to", path, err);
		return -err;
	}
	if (w->failing)
		rr_log(LOG_NOTICE, "cdr: writing records again");
	w->failing = false;
	return 0;
}
