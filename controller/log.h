/* SPDX-License-Identifier: GPL-2.0-only */
/* rtprelayd logging: stderr or syslog, one line per event. */
#ifndef RR_LOG_H
#define RR_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

void rr_log_setup(int level, bool use_syslog, bool mask_numbers);
void rr_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A phone number as logs may show it: masked when logging.mask_numbers. */
const char *rr_log_number(const char *num, char *buf, unsigned int len);
/* Whether logging.mask_numbers is on. */
bool rr_log_masking(void);
/* num masked into buf: the first 5 and the last 2 characters kept, the
 * rest '*' (+4930****12). NULL gives "". */
const char *rr_mask_number(const char *num, char *buf, size_t len);
/* in into out with every run of 8 or more digits (maybe after a '+')
 * masked as rr_mask_number() does: for free text (sofia-sip's own log
 * lines print URIs); returns the length written. */
size_t rr_mask_digits(const char *in, char *out, size_t len);

#define rr_err(...)	rr_log(LOG_ERR, __VA_ARGS__)
#define rr_warn(...)	rr_log(LOG_WARNING, __VA_ARGS__)
#define rr_info(...)	rr_log(LOG_INFO, __VA_ARGS__)
#define rr_dbg(...)	rr_log(LOG_DEBUG, __VA_ARGS__)

#endif
