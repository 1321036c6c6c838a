// SPDX-License-Identifier: GPL-2.0-only
/* ADDR:PORT and [V6]:PORT <-> struct rtprelay_endpoint. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Decimal 1..65535, digits only (no sign, no spaces, no 0x). */
static int parse_port(const char *s, __be16 *port, char *err, size_t errlen)
{
	unsigned long v = 0;
	const char *p;

	if (!*s)
		return fail(err, errlen, "missing port after ':'");
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return fail(err, errlen, "port '%.16s' is not a number", s);
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return fail(err, errlen, "port %.16s out of range 1..65535", s);
	}
	if (v == 0)
		return fail(err, errlen, "port 0 out of range 1..65535");
	*port = htons((unsigned short)v);
	return 0;
}

static int parse_addr(const char *s, int family, struct rtprelay_endpoint *ep,
		      char *err, size_t errlen)
{
	if (family == RTPRELAY_AF_INET6) {
		if (strchr(s, '%'))
			return fail(err, errlen, "IPv6 scope ids are not supported: '%.64s'", s);
		if (inet_pton(AF_INET6, s, ep->addr.v6) != 1)
			return fail(err, errlen, "'%.64s' is not an IPv6 address", s);
	} else {
		if (inet_pton(AF_INET, s, &ep->addr.v4) != 1)
			return fail(err, errlen, "'%.64s' is not an IPv4 address", s);
	}
	ep->family = (__u8)family;
	return 0;
}

int rr_addr_parse(const char *s, struct rtprelay_endpoint *ep,
		  char *err, size_t errlen)
{
	memset(ep, 0, sizeof(*ep));
	if (!s || !*s)
		return fail(err, errlen, "empty address");
	return parse_addr(s, strchr(s, ':') ? RTPRELAY_AF_INET6 : RTPRELAY_AF_INET,
			  ep, err, errlen);
}

int rr_endpoint_parse(const char *s, struct rtprelay_endpoint *ep,
		      char *err, size_t errlen)
{
	char host[64];
	const char *colon, *close;
	size_t n;
	int family, ret;

	memset(ep, 0, sizeof(*ep));
	if (!s || !*s)
		return fail(err, errlen, "empty endpoint, expected ADDR:PORT or [V6ADDR]:PORT");
	if (s[0] == '[') {
		close = strchr(s, ']');
		if (!close)
			return fail(err, errlen, "missing ']' in '%.64s'", s);
		if (close[1] != ':')
			return fail(err, errlen, "expected ':PORT' after ']' in '%.64s'", s);
		n = (size_t)(close - s - 1);
		if (n == 0)
			return fail(err, errlen, "empty address in '[]'");
		if (n >= sizeof(host))
			return fail(err, errlen, "address too long in '%.64s'", s);
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon = close + 1;
		family = RTPRELAY_AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return fail(err, errlen, "missing ':PORT' in '%.64s'", s);
		if (memchr(s, ':', (size_t)(colon - s)))
			return fail(err, errlen, "IPv6 address needs brackets: '[ADDR]:PORT', got '%.64s'", s);
		if (strchr(s, ']'))
			return fail(err, errlen, "missing '[' in '%.64s'", s);
		n = (size_t)(colon - s);
		if (n == 0)
			return fail(err, errlen, "missing address before ':' in '%.64s'", s);
		if (n >= sizeof(host))
			return fail(err, errlen, "address too long in '%.64s'", s);
		memcpy(host, s, n);
		host[n] = '\0';
		family = RTPRELAY_AF_INET;
	}
	ret = parse_addr(host, family, ep, err, errlen);
	if (!ret)
		ret = parse_port(colon + 1, &ep->port, err, errlen);
	if (ret)
		memset(ep, 0, sizeof(*ep));
	return ret;
}

char *rr_addr_format(const struct rtprelay_endpoint *ep, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (ep->family == RTPRELAY_AF_INET)
		inet_ntop(AF_INET, &ep->addr.v4, a, sizeof(a));
	else if (ep->family == RTPRELAY_AF_INET6)
		inet_ntop(AF_INET6, ep->addr.v6, a, sizeof(a));
	else
		snprintf(a, sizeof(a), "-");
	snprintf(buf, len, "%s", a);
	return buf;
}

char *rr_endpoint_format(const struct rtprelay_endpoint *ep, char *buf,
			 size_t len)
{
	char a[INET6_ADDRSTRLEN];

	rr_addr_format(ep, a, sizeof(a));
	if (ep->family == RTPRELAY_AF_INET)
		snprintf(buf, len, "%s:%u", a, ntohs(ep->port));
	else if (ep->family == RTPRELAY_AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, ntohs(ep->port));
	else
		snprintf(buf, len, "-");
	return buf;
}
