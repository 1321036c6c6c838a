/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text form of relay endpoints, shared by rtprelayctl and rtprelayd:
 * "198.51.100.1:20000" and "[2001:db8::1]:20000".
 */
#ifndef RTPRELAY_ENDPOINT_H
#define RTPRELAY_ENDPOINT_H

#include <stddef.h>
#include <rtprelay/flow.h>

/* Longest "[v6]:port" plus NUL. */
#define RR_ENDPOINT_STRLEN	(46 + 2 + 6 + 1)
/* Longest error text rr_endpoint_parse writes. */
#define RR_ENDPOINT_ERRLEN	128

/*
 * Parses ADDR:PORT or [V6ADDR]:PORT into ep (every other byte zeroed, so
 * the result can be a hash key). Port 1..65535. Returns 0, or -EINVAL with
 * a one-line reason in err (without the argument name).
 */
int rr_endpoint_parse(const char *s, struct rtprelay_endpoint *ep,
		      char *err, size_t errlen);

/* Parses a bare address (no port, no brackets). Same contract. */
int rr_addr_parse(const char *s, struct rtprelay_endpoint *ep,
		  char *err, size_t errlen);

/* Writes "addr:port" / "[addr]:port"; "-" for family 0. Returns buf. */
char *rr_endpoint_format(const struct rtprelay_endpoint *ep, char *buf,
			 size_t len);

/* Writes the address only ("-" for family 0). Returns buf. */
char *rr_addr_format(const struct rtprelay_endpoint *ep, char *buf,
		     size_t len);

#endif /* RTPRELAY_ENDPOINT_H */
