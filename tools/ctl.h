/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the rtprelayctl verb files (tools/ctl_*.c): the control-socket
 * client and the verbs that are not in rtprelayctl.c. Verbs return the
 * process exit status: 0 done, 1 runtime failure (see docs/rtprelayctl.md).
 */
#ifndef RTPRELAYCTL_CTL_H
#define RTPRELAYCTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#define CTL_EXIT_RUNTIME	1

/* Sends {"cmd": cmd} to rtprelayd's control socket and returns the reply
 * (caller puts it), or NULL with a one-line reason in err. */
json_object *ctl_ask(const char *sock, const char *cmd, char *err, size_t errlen);

void ctl_print_json(json_object *o);

/* Member k of o as a string ("" when absent) or a number (0). */
const char *ctl_jstr(json_object *o, const char *k);
long long ctl_jnum(json_object *o, const char *k);

/* A call's media, summed over its streams (docs/control.md "A call"). */
struct ctl_call_media {
	long long to_callee, to_caller;	/* packets */
	long long lost;			/* both directions */
	long long jitter;		/* the larger, RTP timestamp units */
};

void ctl_call_media(json_object *call, struct ctl_call_media *m);

/* status: data path (pinned maps, XDP devices, kmod) and daemon health. */
int ctl_status(const char *pin_dir, const char *sock, bool json);

/* From rtprelayctl.c: a one-line argument error, exit 2. */
__attribute__((format(printf, 2, 3), noreturn))
void usage_err(const char *arg, const char *fmt, ...);
unsigned long parse_uint(const char *arg, const char *s, unsigned long min,
			 unsigned long max);

/* top [--count N] [--interval MS] [--json] */
int ctl_top_main(const char *sock, int argc, char **argv);

/* top: per-call rates every interval_ms; count 0 runs until killed. */
int ctl_top(const char *sock, unsigned long count, unsigned long interval_ms, bool json);

/* Sends the request object req and returns the reply (caller puts it), or
 * NULL with a one-line reason in err. */
json_object *ctl_request(const char *sock, json_object *req, char *err, size_t errlen);

/* route test --trunk T --to N [--from N] [--pai N] [--config FILE] [--json] */
int ctl_route_main(const char *sock, int argc, char **argv);

/* cdr [--since TIME] [--until TIME] [--json] [--dir DIR]: call detail
 * records from rtprelayd's CSV files (tools/ctl_cdr.c). */
int ctl_cdr_main(int argc, char **argv);

/* trunks: each trunk's peers and their OPTIONS state. */
int ctl_trunks(const char *sock, bool json);

#endif
