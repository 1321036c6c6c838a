// SPDX-License-Identifier: GPL-2.0-only
/* Endpoint parsing: "1.2.3.4:5000", "[2001:db8::1]:5000", "1.2.3.4", "::1". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rtpgen.h"

static int parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

int parse_endpoint(const char *s, struct endpoint *ep, bool need_port)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port = NULL;
	size_t hlen;
	unsigned p = 0;

	memset(ep, 0, sizeof(*ep));
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb)
			return -EINVAL;
		hlen = rb - s - 1;
		s++;
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1])
			return -EINVAL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;	/* bare IPv6 address, no port */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = 0;
	if (port && parse_port(port, &p))
		return -EINVAL;
	if (need_port && (!port || !p))
		return -EDESTADDRREQ;

	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ep->ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -EINVAL;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p);
		ep->len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		a->sin_family = AF_INET;
		a->sin_port = htons(p);
		ep->len = sizeof(*a);
	}
	ep->set = true;
	return 0;
}

void endpoint_set_port(struct endpoint *ep, unsigned port)
{
	if (ep->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ep->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&ep->ss)->sin_port = htons(port);
}

unsigned endpoint_port(const struct endpoint *ep)
{
	if (ep->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&ep->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&ep->ss)->sin_port);
}

void format_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a->sin_port));
	} else {
		snprintf(buf, len, "none");
	}
}
