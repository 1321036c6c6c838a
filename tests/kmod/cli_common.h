/* SPDX-License-Identifier: GPL-2.0-only */
/* Endpoint/flag parsing and the one-line flow format shared by the VM test
 * CLIs (rrnl for the module, xdpload for the XDP tier), so that the guest
 * scripts read both tiers' flows the same way. */
#ifndef RR_CLI_COMMON_H
#define RR_CLI_COMMON_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>

#ifndef CLI_NAME
#define CLI_NAME "rrnl"
#endif

static inline int parse_ep(const char *s, struct rtprelay_endpoint *ep)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;
	size_t n;

	memset(ep, 0, sizeof(*ep));
	if (!strcmp(s, "-"))
		return 0;
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return -1;
		n = colon - s - 1;
		if (n >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon++;
		if (inet_pton(AF_INET6, host, ep->addr.v6) != 1)
			return -1;
		ep->family = RTPRELAY_AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, colon - s);
		host[colon - s] = '\0';
		if (inet_pton(AF_INET, host, &ep->addr.v4) != 1)
			return -1;
		ep->family = RTPRELAY_AF_INET;
	}
	port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535)
		return -1;
	ep->port = htons(port);
	return 0;
}

static inline void ep_arg(const char *what, const char *s, struct rtprelay_endpoint *ep)
{
	if (parse_ep(s, ep)) {
		fprintf(stderr, CLI_NAME ": %s: bad endpoint '%s' (want 192.0.2.1:5004, [2001:db8::1]:5004 or -)\n",
			what, s);
		exit(2);
	}
}

static inline const char *ep_str(const struct rtprelay_endpoint *ep, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!ep->family) {
		snprintf(buf, len, "-");
	} else if (ep->family == RTPRELAY_AF_INET) {
		inet_ntop(AF_INET, &ep->addr.v4, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(ep->port));
	} else {
		inet_ntop(AF_INET6, ep->addr.v6, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(ep->port));
	}
	return buf;
}

static inline unsigned long num(const char *what, const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end) {
		fprintf(stderr, CLI_NAME ": %s: not a number: '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static inline __u32 parse_flags(const char *s)
{
	static const struct { const char *name; __u32 bit; } names[] = {
		{ "strict", RTPRELAY_F_STRICT }, { "latch", RTPRELAY_F_LATCH },
		{ "latched", RTPRELAY_F_LATCHED }, { "rtcp", RTPRELAY_F_RTCP },
		{ "mux", RTPRELAY_F_RTCP_MUX }, { "keepdscp", RTPRELAY_F_KEEP_DSCP },
	};
	char buf[128], *tok, *save;
	__u32 f = 0;
	size_t i;

	if (s[0] >= '0' && s[0] <= '9')
		return num("flags", s);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, CLI_NAME ": flags: unknown flag '%s'\n", tok);
			exit(2);
		}
		f |= names[i].bit;
	}
	return f;
}

/* One NAME=VALUE option of a flow (id, expect, reverse, flags, dscp,
 * clock) into f; -1 for an unknown name. */
static inline int flow_opt(const char *name, const char *v, struct rtprelay_flow *f)
{
	if (!strcmp(name, "id"))
		f->id = num("id", v);
	else if (!strcmp(name, "expect"))
		ep_arg("expect", v, &f->expect);
	else if (!strcmp(name, "reverse"))
		ep_arg("reverse", v, &f->reverse.local);
	else if (!strcmp(name, "flags"))
		f->flags = parse_flags(v);
	else if (!strcmp(name, "dscp"))
		f->dscp = num("dscp", v);
	else if (!strcmp(name, "clock"))
		f->clock_rate = num("clock", v);
	else
		return -1;
	return 0;
}

static inline int print_flow(const struct rtprelay_flow_key *key,
		      const struct rtprelay_flow *f,
		      const struct rtprelay_flow_stats *s, void *arg)
{
	char k[64], e[64], os[64], od[64], r[64];
	int i;

	printf("key=%s id=%u flags=0x%x dscp=%u clock=%u expect=%s out_src=%s out_dst=%s reverse=%s"
	       " packets=%llu bytes=%llu rtcp_packets=%llu rtcp_bytes=%llu last_seen_ns=%llu",
	       ep_str(&key->local, k, sizeof(k)), f->id, f->flags, f->dscp,
	       f->clock_rate, ep_str(&f->expect, e, sizeof(e)),
	       ep_str(&f->out_src, os, sizeof(os)),
	       ep_str(&f->out_dst, od, sizeof(od)),
	       ep_str(&f->reverse.local, r, sizeof(r)),
	       (unsigned long long)s->packets, (unsigned long long)s->bytes,
	       (unsigned long long)s->rtcp_packets,
	       (unsigned long long)s->rtcp_bytes,
	       (unsigned long long)s->last_seen_ns);
	for (i = 0; i < RTPRELAY_FDROP_MAX; i++)
		printf(" drop_%s=%llu", rtprelay_flow_drop_names[i],
		       (unsigned long long)s->drops[i]);
	printf(" ssrc=%u received=%u base_seq=%u ext_max_seq=%u jitter=%u ssrc_changes=%u\n",
	       s->rtp.ssrc, s->rtp.received, s->rtp.base_seq, s->rtp.ext_max_seq,
	       s->rtp.jitter, s->rtp.ssrc_changes);
	return 0;
}

#endif /* RR_CLI_COMMON_H */
