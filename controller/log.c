// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int log_level = LOG_INFO;
static bool log_syslog, log_mask;

void rr_log_setup(int level, bool use_syslog, bool mask_numbers)
{
	log_level = level;
	log_mask = mask_numbers;
	if (use_syslog && !log_syslog)
		openlog("rtprelayd", LOG_PID, LOG_DAEMON);
	log_syslog = use_syslog;
}

void rr_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "emerg", "alert", "crit", "error",
					     "warning", "notice", "info", "debug" };
	struct timespec ts;
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(level, fmt, ap);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "%ld.%03ld rtprelayd %s: ", (long)ts.tv_sec,
			ts.tv_nsec / 1000000, names[level & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

bool rr_log_masking(void)
{
	return log_mask;
}

const char *rr_mask_number(const char *num, char *buf, size_t len)
{
	size_t n;

	if (!num)
		return "";
	snprintf(buf, len, "%s", num);
	n = strlen(buf);
	/* keep the first 5 and last 2 characters: enough to tell calls apart */
	for (size_t i = 5; i + 2 < n; i++)
		buf[i] = '*';
	return buf;
}

size_t rr_mask_digits(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (!len)
		return 0;
	while (*in && o + 1 < len) {
		size_t n = strspn(in + (*in == '+'), "0123456789") + (*in == '+');
		char run[128], m[128];

		if (n < 8 || n >= sizeof(run)) {
			/* not a number, or too long for one: as is up to the next digit */
			size_t k = n ? n : strcspn(in, "+0123456789");

			if (!k)
				k = 1;
			for (; k && *in && o + 1 < len; k--)
				out[o++] = *in++;
			continue;
		}
		memcpy(run, in, n);
		run[n] = '\0';
		rr_mask_number(run, m, sizeof(m));
		for (const char *p = m; *p && o + 1 < len; p++)
			out[o++] = *p;
		in += n;
	}
	out[o] = '\0';
	return o;
}

const char *rr_log_number(const char *num, char *buf, unsigned int len)
{
	if (!num)
		return "";
	if (!log_mask)
		return num;
	return rr_mask_number(num, buf, len);
}
