// SPDX-License-Identifier: GPL-2.0-only
/*
 * YAML configuration. libyaml's document API rather than libcyaml: every
 * node keeps its start mark, so semantic errors (a bad CIDR, an unknown
 * trunk, an odd port range) name the line of the offending value, which a
 * schema loader cannot do once the value is in a struct.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <yaml.h>

#include "config.h"
#include "tls.h"
#include "config_yaml.h"

void rr_yaml_fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%lu: %s", c->path,
		 n ? (unsigned long)n->start_mark.line + 1 : 0UL, msg);
}

const char *rr_side_name(enum rr_side side)
{
	return side == RR_SIDE_SBC ? "sbc" : side == RR_SIDE_PBX ? "pbx" : "?";
}

yaml_node_t *rr_yaml_node(struct ctx *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

const char *rr_yaml_scalar(struct ctx *c, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		fail(c, n, "%s: expected a scalar", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

bool rr_yaml_expect(struct ctx *c, yaml_node_t *n, yaml_node_type_t t,
		   const char *what)
{
	if (n->type == t)
		return true;
	fail(c, n, "%s: expected a %s", what,
	     t == YAML_MAPPING_NODE ? "mapping" :
	     t == YAML_SEQUENCE_NODE ? "list" : "scalar");
	return false;
}

int rr_yaml_get_uint(struct ctx *c, yaml_node_t *n, const char *what,
		    unsigned long min, unsigned long max, unsigned long *out)
{
	const char *s = scalar(c, n, what);
	char *end;
	unsigned long v;

	if (!s)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-' || v < min || v > max) {
		fail(c, n, "%s: '%s' is not an integer in %lu..%lu", what, s,
		     min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int rr_yaml_get_bool(struct ctx *c, yaml_node_t *n, const char *what, bool *out)
{
	const char *s = scalar(c, n, what);

	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "on")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "off")) {
		*out = false;
		return 0;
	}
	fail(c, n, "%s: '%s' is not a boolean (true/false)", what, s);
	return -EINVAL;
}

int rr_yaml_get_str(struct ctx *c, yaml_node_t *n, const char *what, char *out,
		   size_t len)
{
	const char *s = scalar(c, n, what);

	if (!s)
		return -EINVAL;
	if (strlen(s) >= len) {
		fail(c, n, "%s: longer than %zu characters", what, len - 1);
		return -EINVAL;
	}
	strcpy(out, s);
	return 0;
}

void *rr_cfg_append(void **arr, unsigned int *n, size_t size)
{
	char *a = realloc(*arr, (*n + 1) * size);

	if (!a)
		return NULL;
	*arr = a;
	a += (*n)++ * size;
	memset(a, 0, size);
	return a;
}

int rr_yaml_get_keyword(struct ctx *c, yaml_node_t *n, const char *what,
			const struct rr_yaml_keyword *kw, int *out)
{
	const char *s = scalar(c, n, what);
	char names[160] = "";
	size_t len = 0;

	if (!s)
		return -EINVAL;
	for (unsigned int i = 0; kw[i].name; i++) {
		if (!strcmp(s, kw[i].name)) {
			*out = kw[i].value;
			return 0;
		}
		len += snprintf(names + len, len < sizeof(names) ? sizeof(names) - len : 0,
				"%s%s", !i ? "" : kw[i + 1].name ? ", " : " or ", kw[i].name);
	}
	fail(c, n, "%s: '%s' is not %s", what, s, names);
	return -EINVAL;
}

int rr_yaml_get_flags(struct ctx *c, yaml_node_t *n, const char *what, const char *one,
		      unsigned int (*parse)(const char *s), const char *expected,
		      unsigned int *out)
{
	yaml_node_t *item;
	const char *s;

	*out = 0;
	if (n->type == YAML_SCALAR_NODE) {
		s = scalar(c, n, one);
		*out = parse(s);
		if (!*out) {
			fail(c, n, "%s: '%s' is not %s", one, s, expected);
			return -EINVAL;
		}
		return 0;
	}
	if (!expect(c, n, YAML_SEQUENCE_NODE, what))
		return -EINVAL;
	FOR_EACH_ITEM(c, n, item) {
		unsigned int f;

		if (get_flags(c, item, what, one, parse, expected, &f))
			return -EINVAL;
		*out |= f;
	}
	if (!*out) {
		fail(c, n, "%s: empty list", what);
		return -EINVAL;
	}
	return 0;
}

/* A path that is empty (off) or absolute. */
static int get_abs_path(struct ctx *c, yaml_node_t *n, const char *what, char *out, size_t len)
{
	if (get_str(c, n, what, out, len))
		return -EINVAL;
	if (out[0] && out[0] != '/') {
		fail(c, n, "%s: '%s' is not an absolute path", what, out);
		return -EINVAL;
	}
	return 0;
}

static int get_side(struct ctx *c, yaml_node_t *n, const char *what,
		    enum rr_side *out)
{
	const char *s = scalar(c, n, what);

	if (!s)
		return -EINVAL;
	if (!strcmp(s, "sbc"))
		*out = RR_SIDE_SBC;
	else if (!strcmp(s, "pbx"))
		*out = RR_SIDE_PBX;
	else {
		fail(c, n, "%s: unknown side '%s' (sbc or pbx)", what, s);
		return -EINVAL;
	}
	return 0;
}

static int parse_addr(const char *s, int *family, void *buf)
{
	if (inet_pton(AF_INET, s, buf) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int rr_cidr_parse(const char *s, struct rr_cidr *cidr)
{
	char buf[80], *slash, *end;
	unsigned long p;
	unsigned int max;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(cidr, 0, sizeof(*cidr));
	if (parse_addr(buf, &cidr->family, cidr->addr))
		return -EINVAL;
	max = cidr->family == AF_INET ? 32 : 128;
	cidr->prefix = max;
	if (slash) {
		errno = 0;
		p = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || p > max)
			return -EINVAL;
		cidr->prefix = p;
	}
	return 0;
}

bool rr_cidr_match(const struct rr_cidr *cidr, const struct sockaddr *sa)
{
	const uint8_t *a;
	unsigned int bits = cidr->prefix, i;
	uint8_t v4m[16];

	if (sa->sa_family == AF_INET && cidr->family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (cidr->family == AF_INET) {
			/* v4-mapped source on a dual-stack socket */
			static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

			if (memcmp(a, pfx, 12))
				return false;
			memcpy(v4m, a + 12, 4);
			a = v4m;
		}
	} else {
		return false;
	}
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != cidr->addr[i])
			return false;
	if (bits) {
		uint8_t m = (uint8_t)(0xff << (8 - bits));

		if ((a[i] & m) != (cidr->addr[i] & m))
			return false;
	}
	return true;
}

/* "ADDR:PORT", "[V6]:PORT" or "ADDR" (port defaults to def_port). */
static int parse_hostport(const char *s, char *host, size_t hlen, int *family,
			  uint16_t *port, uint16_t def_port)
{
	char buf[96];
	const char *h = buf, *p = NULL;
	uint8_t tmp[16];
	char *end, *colon;
	unsigned long v;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');

		if (!rb)
			return -EINVAL;
		*rb = '\0';
		h = buf + 1;
		if (rb[1] == ':')
			p = rb + 2;
		else if (rb[1])
			return -EINVAL;
	} else {
		colon = strchr(buf, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = '\0';
			p = colon + 1;
		}
	}
	if (parse_addr(h, family, tmp) || strlen(h) >= hlen)
		return -EINVAL;
	strcpy(host, h);
	*port = def_port;
	if (p) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (!*p || *end || errno || v == 0 || v > 65535)
			return -EINVAL;
		*port = (uint16_t)v;
	}
	return 0;
}

static unsigned int transport_parse(const char *s)
{
	return !strcmp(s, "udp") ? RR_TP_UDP : !strcmp(s, "tcp") ? RR_TP_TCP :
	       !strcmp(s, "tls") ? RR_TP_TLS : 0;
}

static int parse_transports(struct ctx *c, yaml_node_t *n, unsigned int *out)
{
	return get_flags(c, n, "transports", "transport", transport_parse, "udp, tcp or tls", out);
}

void rr_yaml_unknown_key(struct ctx *c, yaml_node_t *k, const char *section)
{
	fail(c, k, "%s: unknown key '%s'", section,
	     k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?");
}

/* listen.SIDE.tls: { cert, key, ca, port, verify_peer }; each file is
 * checked here so that --check-config refuses what TLS would fail on. */
static int parse_tls(struct ctx *c, yaml_node_t *m, struct rr_tls *t)
{
	yaml_node_t *k, *v, *at[3] = { NULL, NULL, NULL };
	static const char *const names[] = { "cert", "key", "ca" };
	enum rr_tls_file which;
	const char *key;
	unsigned long port;
	char why[256];

	if (!expect(c, m, YAML_MAPPING_NODE, "tls"))
		return -EINVAL;
	t->port = 5061;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "cert")) {
			if (get_str(c, v, "tls cert", t->cert, sizeof(t->cert)))
				return -EINVAL;
			at[RR_TLS_CERT] = v;
		} else if (!strcmp(key, "key")) {
			if (get_str(c, v, "tls key", t->key, sizeof(t->key)))
				return -EINVAL;
			at[RR_TLS_KEY] = v;
		} else if (!strcmp(key, "ca")) {
			if (get_str(c, v, "tls ca", t->ca, sizeof(t->ca)))
				return -EINVAL;
			at[RR_TLS_CA] = v;
		} else if (!strcmp(key, "port")) {
			if (get_uint(c, v, "tls port", 1, 65535, &port))
				return -EINVAL;
			t->port = (uint16_t)port;
		} else if (!strcmp(key, "verify_peer")) {
			if (get_bool(c, v, "tls verify_peer", &t->verify_peer))
				return -EINVAL;
		} else {
			unknown_key(c, k, "tls");
			return -EINVAL;
		}
	}
	if (!t->cert[0] || !t->key[0]) {
		fail(c, m, "tls: 'cert' and 'key' are required");
		return -EINVAL;
	}
	if (rr_tls_check(t, &which, why, sizeof(why))) {
		fail(c, at[which] ? at[which] : m, "tls %s: %s", names[which], why);
		return -EINVAL;
	}
	t->enabled = true;
	return 0;
}

static int parse_listen(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v, *k2, *v2;
	const char *key, *key2;
	enum rr_side side;

	if (!expect(c, m, YAML_MAPPING_NODE, "listen"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		struct rr_listen *l;
		uint8_t tmp[16];

		if (get_side(c, k, "listen", &side))
			return -EINVAL;
		l = &cfg->listen[side];
		if (!expect(c, v, YAML_MAPPING_NODE, "listen side"))
			return -EINVAL;
		l->set = true;
		l->port = 5060;
		l->transports = RR_TP_UDP | RR_TP_TCP;
		FOR_EACH_PAIR(c, v, k2, v2, key2) {
			unsigned long port;

			if (!strcmp(key2, "address") && v2->type == YAML_SEQUENCE_NODE) {
				/* [IPv4, IPv6]: dual stack, one address per family */
				yaml_node_item_t *it = v2->data.sequence.items.start;
				size_t n = (size_t)(v2->data.sequence.items.top - it);

				if (n < 1 || n > 2) {
					fail(c, v2, "listen address: one address, or a list of an "
					     "IPv4 and an IPv6 address");
					return -EINVAL;
				}
				if (get_str(c, node(c, it[0]), "address", l->address,
					    sizeof(l->address)) ||
				    parse_addr(l->address, &l->family, tmp)) {
					fail(c, v2, "listen address: '%s' is not an IP address",
					     l->address);
					return -EINVAL;
				}
				if (n == 2 &&
				    (get_str(c, node(c, it[1]), "address", l->address2,
					     sizeof(l->address2)) ||
				     parse_addr(l->address2, &l->family2, tmp))) {
					fail(c, v2, "listen address: '%s' is not an IP address",
					     l->address2);
					return -EINVAL;
				}
				if (n == 2 && l->family2 == l->family) {
					fail(c, v2, "listen address: two addresses must be one IPv4 "
					     "and one IPv6");
					return -EINVAL;
				}
			} else if (!strcmp(key2, "address")) {
				if (get_str(c, v2, "address", l->address, sizeof(l->address)))
					return -EINVAL;
				if (parse_addr(l->address, &l->family, tmp)) {
					fail(c, v2, "listen address: '%s' is not an IP address",
					     l->address);
					return -EINVAL;
				}
			} else if (!strcmp(key2, "port")) {
				if (get_uint(c, v2, "port", 1, 65535, &port))
					return -EINVAL;
				l->port = (uint16_t)port;
			} else if (!strcmp(key2, "transports")) {
				if (parse_transports(c, v2, &l->transports))
					return -EINVAL;
				if (l->transports & RR_TP_TLS) {
					fail(c, v2, "transports: udp and tcp; TLS has its own 'tls' section");
					return -EINVAL;
				}
			} else if (!strcmp(key2, "tls")) {
				if (parse_tls(c, v2, &l->tls))
					return -EINVAL;
			} else {
				unknown_key(c, k2, "listen");
				return -EINVAL;
			}
		}
		if (!l->address[0]) {
			fail(c, v, "listen %s: 'address' is required", rr_side_name(side));
			return -EINVAL;
		}
	}
	return 0;
}

/* codecs: [PCMU, PCMA, telephone-event]: rtpmap encoding names. */
static int parse_codecs(struct ctx *c, yaml_node_t *v, struct rr_codec_list *l)
{
	yaml_node_t *cn;

	if (!expect(c, v, YAML_SEQUENCE_NODE, "codecs"))
		return -EINVAL;
	FOR_EACH_ITEM(c, v, cn) {
		const char *s = scalar(c, cn, "codec");
		char (*n)[32];

		if (!s)
			return -EINVAL;
		if (!s[0] || strlen(s) >= sizeof(*n) || s[strcspn(s, " /\t")]) {
			fail(c, cn, "codecs: '%s' is not a codec name (as in a=rtpmap, e.g. PCMA)", s);
			return -EINVAL;
		}
		n = realloc(l->name, (l->n + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->name = n;
		snprintf(l->name[l->n++], sizeof(*n), "%s", s);
	}
	if (!l->n) {
		fail(c, v, "codecs: an empty list would refuse every call (leave it out to allow all)");
		return -EINVAL;
	}
	return 0;
}

/* refer: pass|handle and session_timer: {...} of a trunk (in-dialog
 * behaviour: transfer.c, session_timer.c). 1: not one of these keys. */
static int parse_trunk_dialog(struct ctx *c, const char *key, yaml_node_t *v,
			      struct rr_trunk *t)
{
	struct rr_session_timer *st = &t->session_timer;
	yaml_node_t *k2, *v2;
	const char *key2;
	unsigned long u;
	int kw;

	if (!strcmp(key, "refer")) {
		static const struct rr_yaml_keyword modes[] = {
			{ "pass", RR_REFER_PASS }, { "handle", RR_REFER_HANDLE }, { NULL, 0 },
		};

		if (get_keyword(c, v, "refer", modes, &kw))
			return -EINVAL;
		t->refer = kw;
		return 0;
	}
	if (!strcmp(key, "refer_from")) {
		static const struct rr_yaml_keyword who[] = {
			{ "any", RR_REFER_FROM_ANY }, { "trusted", RR_REFER_FROM_TRUSTED },
			{ "none", RR_REFER_FROM_NONE }, { NULL, 0 },
		};

		if (get_keyword(c, v, "refer_from", who, &kw))
			return -EINVAL;
		t->refer_from = kw;
		return 0;
	}
	if (strcmp(key, "session_timer"))
		return 1;
	if (!expect(c, v, YAML_MAPPING_NODE, "session_timer"))
		return -EINVAL;
	FOR_EACH_PAIR(c, v, k2, v2, key2) {
		if (!strcmp(key2, "interval")) {
			if (get_uint(c, v2, "session_timer.interval", 0, 86400, &u))
				return -EINVAL;
			st->interval = (unsigned int)u;
		} else if (!strcmp(key2, "min_se")) {
			if (get_uint(c, v2, "session_timer.min_se", 1, 86400, &u))
				return -EINVAL;
			st->min_se = (unsigned int)u;
		} else if (!strcmp(key2, "refresher")) {
			static const struct rr_yaml_keyword refreshers[] = {
				{ "auto", RR_REFRESHER_AUTO }, { "local", RR_REFRESHER_LOCAL },
				{ "remote", RR_REFRESHER_REMOTE }, { NULL, 0 },
			};

			if (get_keyword(c, v2, "session_timer.refresher", refreshers, &kw))
				return -EINVAL;
			st->refresher = kw;
		} else if (!strcmp(key2, "method")) {
			static const struct rr_yaml_keyword methods[] = {
				{ "invite", false }, { "update", true }, { NULL, 0 },
			};

			if (get_keyword(c, v2, "session_timer.method", methods, &kw))
				return -EINVAL;
			st->update = kw;
		} else {
			unknown_key(c, k2, "session_timer");
			return -EINVAL;
		}
	}
	if (st->interval && st->interval < st->min_se) {
		fail(c, v, "session_timer: interval %u is below min_se %u", st->interval,
		     st->min_se);
		return -EINVAL;
	}
	return 0;
}

/* Seconds with up to three decimals ("10", "0.5") as milliseconds. */
static int get_ms(struct ctx *c, yaml_node_t *n, const char *what, unsigned int max_s,
		  unsigned int *out)
{
	const char *s = scalar(c, n, what);
	char *end;
	double v;

	if (!s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= 0) || v > max_s || s[0] == '-') {
		fail(c, n, "%s: '%s' is not a number of seconds in 0..%u", what, s, max_s);
		return -EINVAL;
	}
	*out = (unsigned int)(v * 1000 + 0.5);
	return 0;
}

/* Forking, early media, failover and admission keys of a trunk: 0 when key
 * was one of them, 1 when not, -EINVAL on a bad value. */
static int parse_trunk_fork_key(struct ctx *c, const char *key, yaml_node_t *v,
				struct rr_trunk *t)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned long max;
	} uints[] = {
		{ "max_calls", offsetof(struct rr_trunk, max_calls), 1000000 },
		{ "max_cps", offsetof(struct rr_trunk, max_cps), 100000 },
		{ "max_bandwidth_kbps", offsetof(struct rr_trunk, max_bandwidth_kbps), 100000000 },
		{ "call_bandwidth_kbps", offsetof(struct rr_trunk, call_bandwidth_kbps), 100000 },
	};
	yaml_node_t *code;
	unsigned long u;

	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		if (strcmp(key, uints[i].key))
			continue;
		if (get_uint(c, v, key, 0, uints[i].max, &u))
			return -EINVAL;
		*(unsigned int *)((char *)t + uints[i].off) = (unsigned int)u;
		return 0;
	}
	if (!strcmp(key, "cancel_reason_completed_elsewhere"))
		return get_bool(c, v, key, &t->cancel_reason_elsewhere);
	if (!strcmp(key, "cancel_reason_always"))
		return get_bool(c, v, key, &t->cancel_reason_always);
	if (!strcmp(key, "failover_timeout"))
		return get_ms(c, v, key, 300, &t->failover_timeout_ms);
	if (!strcmp(key, "early_media")) {
		const char *s = scalar(c, v, key);

		if (!s)
			return -EINVAL;
		if (!strcmp(s, "all"))
			t->early_media = RR_EARLY_ALL;
		else if (!strcmp(s, "first"))
			t->early_media = RR_EARLY_FIRST;
		else if (!strcmp(s, "convert_183"))
			t->early_media = RR_EARLY_CONVERT_183;
		else {
			fail(c, v, "early_media: '%s' is not one of all, first, convert_183", s);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "failover_codes")) {
		if (!expect(c, v, YAML_SEQUENCE_NODE, key))
			return -EINVAL;
		t->n_failover_codes = 0;
		FOR_EACH_ITEM(c, v, code) {
			if (t->n_failover_codes == RR_MAX_FAILOVER_CODES) {
				fail(c, v, "failover_codes: at most %d", RR_MAX_FAILOVER_CODES);
				return -EINVAL;
			}
			if (get_uint(c, code, "failover_codes status", 300, 699, &u))
				return -EINVAL;
			t->failover_codes[t->n_failover_codes++] = (uint16_t)u;
		}
		return 0;
	}
	return 1;
}

static int parse_trunk(struct ctx *c, yaml_node_t *m, struct rr_trunk *t)
{
	yaml_node_t *k, *v;
	const char *key;
	yaml_node_t *pn, *an;
	bool has_side = false;

	if (!expect(c, m, YAML_MAPPING_NODE, "trunk"))
		return -EINVAL;
	t->line = (int)m->start_mark.line + 1;
	t->transport = RR_TP_UDP;
	t->jitter = true;
	t->session_timer.interval = 1800;
	t->session_timer.min_se = 90;
	rr_cfg_trunk_init(t);
	t->cancel_reason_elsewhere = true;
	t->early_media = RR_EARLY_ALL;
	t->failover_codes[0] = 408;
	t->failover_codes[1] = 503;
	t->failover_codes[2] = 504;
	t->n_failover_codes = 3;
	t->failover_timeout_ms = 10000;
	t->call_bandwidth_kbps = 300;
	FOR_EACH_PAIR(c, m, k, v, key) {
		int r = parse_trunk_dialog(c, key, v, t);

		if (r < 0)
			return r;
		if (!r)
			continue;
		if (!strcmp(key, "name")) {
			if (get_str(c, v, "name", t->name, sizeof(t->name)))
				return -EINVAL;
		} else if (!strcmp(key, "side")) {
			if (get_side(c, v, "side", &t->side))
				return -EINVAL;
			has_side = true;
		} else if (!strcmp(key, "transport")) {
			if (parse_transports(c, v, &t->transport))
				return -EINVAL;
			if (t->transport != RR_TP_UDP && t->transport != RR_TP_TCP &&
			    t->transport != RR_TP_TLS) {
				fail(c, v, "transport: one of udp, tcp or tls");
				return -EINVAL;
			}
		} else if (!strcmp(key, "peers")) {
			if (!expect(c, v, YAML_SEQUENCE_NODE, "peers"))
				return -EINVAL;
			FOR_EACH_ITEM(c, v, pn) {
				const char *s = scalar(c, pn, "peer");
				struct rr_peer *p;

				if (!s)
					return -EINVAL;
				p = realloc(t->peers, (t->n_peers + 1) * sizeof(*p));
				if (!p) {
					fail(c, pn, "out of memory");
					return -ENOMEM;
				}
				t->peers = p;
				p = &t->peers[t->n_peers];
				memset(p, 0, sizeof(*p));
				if (parse_hostport(s, p->host, sizeof(p->host), &p->family,
						   &p->port, 0)) {
					fail(c, pn, "peer: '%s' is not ADDRESS[:PORT] (use [v6]:port)", s);
					return -EINVAL;
				}
				t->n_peers++;
			}
		} else if (!strcmp(key, "allow")) {
			if (!expect(c, v, YAML_SEQUENCE_NODE, "allow"))
				return -EINVAL;
			FOR_EACH_ITEM(c, v, an) {
				const char *s = scalar(c, an, "allow");
				struct rr_cidr *a;

				if (!s)
					return -EINVAL;
				a = realloc(t->allow, (t->n_allow + 1) * sizeof(*a));
				if (!a) {
					fail(c, an, "out of memory");
					return -ENOMEM;
				}
				t->allow = a;
				if (rr_cidr_parse(s, &t->allow[t->n_allow])) {
					fail(c, an, "allow: '%s' is not a network (ADDRESS/PREFIX)", s);
					return -EINVAL;
				}
				t->n_allow++;
			}
		} else if (!strcmp(key, "response_map")) {
			yaml_node_t *k2, *v2;
			const char *key2;

			if (!expect(c, v, YAML_MAPPING_NODE, "response_map"))
				return -EINVAL;
			FOR_EACH_PAIR(c, v, k2, v2, key2) {
				unsigned long from, to;
				void *m;

				if (get_uint(c, k2, "response_map status", 300, 699, &from) ||
				    get_uint(c, v2, "response_map status", 300, 699, &to))
					return -EINVAL;
				m = realloc(t->response_map, (t->n_response_map + 1) *
					    sizeof(*t->response_map));
				if (!m)
					return -ENOMEM;
				t->response_map = m;
				t->response_map[t->n_response_map].from = (uint16_t)from;
				t->response_map[t->n_response_map].to = (uint16_t)to;
				t->n_response_map++;
			}
		} else if (!strcmp(key, "codecs")) {
			if (parse_codecs(c, v, &t->codecs))
				return -EINVAL;
		} else if (!strcmp(key, "jitter")) {
			if (get_bool(c, v, "jitter", &t->jitter))
				return -EINVAL;
		} else if ((r = rr_cfg_trunk_key(c, t, key, v)) != -ENOENT) {
			if (r)
				return r;
		} else if ((r = parse_trunk_fork_key(c, key, v, t)) <= 0) {
			if (r)
				return r;
		} else {
			unknown_key(c, k, "trunk");
			return -EINVAL;
		}
	}
	if (!t->name[0]) {
		fail(c, m, "trunk: 'name' is required");
		return -EINVAL;
	}
	if (!has_side) {
		fail(c, m, "trunk %s: 'side' is required (sbc or pbx)", t->name);
		return -EINVAL;
	}
	if (!t->n_peers) {
		fail(c, m, "trunk %s: at least one peer is required", t->name);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < t->n_peers; i++)
		if (!t->peers[i].port)
			t->peers[i].port = t->transport == RR_TP_TLS ? 5061 : 5060;
	if (!t->n_allow) {
		/* Default: accept exactly the peers. */
		t->allow = calloc(t->n_peers, sizeof(*t->allow));
		if (!t->allow)
			return -ENOMEM;
		for (unsigned int i = 0; i < t->n_peers; i++)
			rr_cidr_parse(t->peers[i].host, &t->allow[i]);
		t->n_allow = t->n_peers;
	}
	return 0;
}

static int parse_trunks(struct ctx *c, struct rr_config *cfg, yaml_node_t *s)
{
	yaml_node_t *m;

	if (!expect(c, s, YAML_SEQUENCE_NODE, "trunks"))
		return -EINVAL;
	FOR_EACH_ITEM(c, s, m) {
		struct rr_trunk *t = APPEND(cfg->trunks, cfg->n_trunks);

		if (!t)
			return -ENOMEM;
		if (parse_trunk(c, m, t))
			return -EINVAL;
		if (rr_config_trunk_find(cfg, t->name) != (int)cfg->n_trunks - 1) {
			fail(c, m, "trunk '%s' defined twice", t->name);
			return -EINVAL;
		}
	}
	return 0;
}

/* One trunk name of a route's "trunk:" (a name or a list of names). */
static int route_add_trunk(struct ctx *c, struct rr_config *cfg, struct rr_route *r,
			   yaml_node_t *v)
{
	char name[64];
	unsigned int *t;
	int idx;

	if (get_str(c, v, "trunk", name, sizeof(name)))
		return -EINVAL;
	idx = rr_config_trunk_find(cfg, name);
	if (idx < 0) {
		fail(c, v, "route: unknown trunk '%s'", name);
		return -EINVAL;
	}
	if (r->from[0]) {
		int from = rr_config_trunk_find(cfg, r->from);

		if (cfg->trunks[from].side == cfg->trunks[idx].side) {
			fail(c, v, "route: trunk '%s' is on the same side as '%s' (calls cross the relay)",
			     name, r->from);
			return -EINVAL;
		}
	}
	if (r->n_trunks && cfg->trunks[r->trunk[0]].side != cfg->trunks[idx].side) {
		fail(c, v, "route: trunks '%s' and '%s' are on different sides",
		     cfg->trunks[r->trunk[0]].name, name);
		return -EINVAL;
	}
	if (r->n_trunks >= 100) {
		fail(c, v, "route: more than 100 trunks rung in parallel");
		return -EINVAL;
	}
	t = realloc(r->trunk, (r->n_trunks + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	r->trunk = t;
	r->trunk[r->n_trunks++] = (unsigned int)idx;
	return 0;
}

static int parse_routes(struct ctx *c, struct rr_config *cfg, yaml_node_t *s)
{
	yaml_node_t *m, *tn, *k, *v;
	const char *key;

	if (!expect(c, s, YAML_SEQUENCE_NODE, "routes"))
		return -EINVAL;
	FOR_EACH_ITEM(c, s, m) {
		struct rr_route *r = APPEND(cfg->routes, cfg->n_routes);
		yaml_node_t *trunk_node = NULL;

		if (!r)
			return -ENOMEM;
		r->line = (int)m->start_mark.line + 1;
		if (!expect(c, m, YAML_MAPPING_NODE, "route"))
			return -EINVAL;
		FOR_EACH_PAIR(c, m, k, v, key) {
			if (!strcmp(key, "prefix")) {
				if (get_str(c, v, "prefix", r->prefix, sizeof(r->prefix)))
					return -EINVAL;
				if (r->prefix[strspn(r->prefix, "+0123456789*#")]) {
					fail(c, v, "prefix: '%s' is not a number prefix", r->prefix);
					return -EINVAL;
				}
			} else if (!strcmp(key, "from")) {
				if (get_str(c, v, "from", r->from, sizeof(r->from)))
					return -EINVAL;
				if (rr_config_trunk_find(cfg, r->from) < 0) {
					fail(c, v, "route: unknown trunk '%s'", r->from);
					return -EINVAL;
				}
			} else if (!strcmp(key, "trunk")) {
				trunk_node = v;	/* after "from", whatever the order */
			} else {
				unknown_key(c, k, "route");
				return -EINVAL;
			}
		}
		if (!trunk_node) {
			fail(c, m, "route: 'trunk' is required");
			return -EINVAL;
		}
		if (trunk_node->type != YAML_SEQUENCE_NODE) {
			if (route_add_trunk(c, cfg, r, trunk_node))
				return -EINVAL;
			continue;
		}
		FOR_EACH_ITEM(c, trunk_node, tn)
			if (route_add_trunk(c, cfg, r, tn))
				return -EINVAL;
		if (!r->n_trunks) {
			fail(c, trunk_node, "route: 'trunk' is an empty list");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_media_addr(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v, *k2, *v2;
	const char *key, *key2;
	enum rr_side side;

	if (!expect(c, m, YAML_MAPPING_NODE, "media address"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		struct rr_media_addr *a;

		if (get_side(c, k, "media address", &side))
			return -EINVAL;
		a = &cfg->media.addr[side];
		if (!expect(c, v, YAML_MAPPING_NODE, "media address side"))
			return -EINVAL;
		FOR_EACH_PAIR(c, v, k2, v2, key2) {
			const char *s = scalar(c, v2, key2);

			if (!s)
				return -EINVAL;
			if (!strcmp(key2, "ipv4")) {
				if (inet_pton(AF_INET, s, &a->v4) != 1) {
					fail(c, v2, "ipv4: '%s' is not an IPv4 address", s);
					return -EINVAL;
				}
				a->has_v4 = true;
			} else if (!strcmp(key2, "ipv6")) {
				if (inet_pton(AF_INET6, s, &a->v6) != 1) {
					fail(c, v2, "ipv6: '%s' is not an IPv6 address", s);
					return -EINVAL;
				}
				a->has_v6 = true;
			} else {
				unknown_key(c, k2, "media address");
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int parse_media(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v, *k2, *v2, *ports = NULL;
	const char *key, *key2;
	unsigned long u;

	if (!expect(c, m, YAML_MAPPING_NODE, "media"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "address")) {
			if (parse_media_addr(c, cfg, v))
				return -EINVAL;
		} else if (!strcmp(key, "ports")) {
			ports = v;
			if (!expect(c, v, YAML_MAPPING_NODE, "ports"))
				return -EINVAL;
			FOR_EACH_PAIR(c, v, k2, v2, key2) {
				if (!strcmp(key2, "min")) {
					if (get_uint(c, v2, "ports.min", 1024, 65535, &u))
						return -EINVAL;
					cfg->media.port_min = (uint16_t)u;
				} else if (!strcmp(key2, "max")) {
					if (get_uint(c, v2, "ports.max", 1024, 65535, &u))
						return -EINVAL;
					cfg->media.port_max = (uint16_t)u;
				} else {
					unknown_key(c, k2, "ports");
					return -EINVAL;
				}
			}
		} else if (!strcmp(key, "dscp")) {
			if (get_uint(c, v, "dscp", 0, 63, &u))
				return -EINVAL;
			cfg->media.dscp = (uint8_t)u;
		} else if (!strcmp(key, "latch")) {
			if (get_bool(c, v, "latch", &cfg->media.latch))
				return -EINVAL;
		} else if (!strcmp(key, "strict")) {
			if (get_bool(c, v, "strict", &cfg->media.strict))
				return -EINVAL;
		} else if (!strcmp(key, "inactivity_timeout")) {
			if (get_uint(c, v, "inactivity_timeout", 0, 86400, &u))
				return -EINVAL;
			cfg->media.inactivity_timeout = (unsigned int)u;
		} else {
			unknown_key(c, k, "media");
			return -EINVAL;
		}
	}
	if (ports && (cfg->media.port_min % 2 || cfg->media.port_max < cfg->media.port_min + 1)) {
		fail(c, ports, "ports: need an even min and max > min (got %u..%u): RTP even, RTCP odd",
		     cfg->media.port_min, cfg->media.port_max);
		return -EINVAL;
	}
	return 0;
}

static int parse_datapath(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v;
	const char *key, *s;
	yaml_node_t *in;
	unsigned long u;

	if (!expect(c, m, YAML_MAPPING_NODE, "datapath"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "mode")) {
			static const struct rr_yaml_keyword modes[] = {
				{ "xdp", RR_DP_MODE_XDP }, { "kmod", RR_DP_MODE_KMOD },
				{ "user", RR_DP_MODE_USER }, { "auto", RR_DP_MODE_AUTO },
				{ NULL, 0 },
			};
			int kw;

			if (get_keyword(c, v, "mode", modes, &kw))
				return -EINVAL;
			cfg->datapath.mode = kw;
		} else if (!strcmp(key, "interfaces")) {
			if (!expect(c, v, YAML_SEQUENCE_NODE, "interfaces"))
				return -EINVAL;
			FOR_EACH_ITEM(c, v, in) {
				char **arr;

				if (!(s = scalar(c, in, "interface")))
					return -EINVAL;
				if (!*s || strlen(s) >= 16) {
					fail(c, in, "interface: '%s' is not an interface name", s);
					return -EINVAL;
				}
				arr = realloc(cfg->datapath.interfaces,
					      (cfg->datapath.n_interfaces + 1) * sizeof(*arr));
				if (!arr)
					return -ENOMEM;
				cfg->datapath.interfaces = arr;
				arr[cfg->datapath.n_interfaces] = strdup(s);
				if (!arr[cfg->datapath.n_interfaces])
					return -ENOMEM;
				cfg->datapath.n_interfaces++;
			}
		} else if (!strcmp(key, "pin_dir")) {
			if (get_str(c, v, "pin_dir", cfg->datapath.pin_dir,
				    sizeof(cfg->datapath.pin_dir)))
				return -EINVAL;
			if (cfg->datapath.pin_dir[0] != '/') {
				fail(c, v, "pin_dir: must be an absolute path");
				return -EINVAL;
			}
		} else if (!strcmp(key, "max_flows")) {
			if (get_uint(c, v, "max_flows", 2, 1u << 24, &u))
				return -EINVAL;
			cfg->datapath.max_flows = (unsigned int)u;
		} else {
			unknown_key(c, k, "datapath");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_logging(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	static const struct rr_yaml_keyword levels[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG }, { NULL, 0 },
	};
	static const struct rr_yaml_keyword targets[] = {
		{ "stderr", RR_LOG_STDERR }, { "syslog", RR_LOG_SYSLOG }, { NULL, 0 },
	};
	yaml_node_t *k, *v;
	const char *key;
	int kw;

	if (!expect(c, m, YAML_MAPPING_NODE, "logging"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "level")) {
			if (get_keyword(c, v, "level", levels, &cfg->log.level))
				return -EINVAL;
		} else if (!strcmp(key, "target")) {
			if (get_keyword(c, v, "target", targets, &kw))
				return -EINVAL;
			cfg->log.target = kw;
		} else if (!strcmp(key, "mask_numbers")) {
			if (get_bool(c, v, "mask_numbers", &cfg->log.mask_numbers))
				return -EINVAL;
		} else {
			unknown_key(c, k, "logging");
			return -EINVAL;
		}
	}
	return 0;
}

/* cdr: { dir: ABSOLUTE_PATH, retention_days: N, mask_numbers: BOOL }; no
 * dir: no records. */
static int parse_cdr(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v;
	const char *key;
	unsigned long u;

	if (!expect(c, m, YAML_MAPPING_NODE, "cdr"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "dir")) {
			if (get_abs_path(c, v, "cdr dir", cfg->cdr.dir, sizeof(cfg->cdr.dir)))
				return -EINVAL;
		} else if (!strcmp(key, "retention_days")) {
			if (get_uint(c, v, "cdr retention_days", 0, 36500, &u))
				return -EINVAL;
			cfg->cdr.retention_days = (unsigned int)u;
		} else if (!strcmp(key, "mask_numbers")) {
			if (get_bool(c, v, "cdr mask_numbers", &cfg->cdr.mask_numbers))
				return -EINVAL;
		} else {
			unknown_key(c, k, "cdr");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_control(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v;
	const char *key;

	if (!expect(c, m, YAML_MAPPING_NODE, "control"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "socket")) {
			if (get_str(c, v, "control socket", cfg->control_socket,
				    sizeof(cfg->control_socket)))
				return -EINVAL;
		} else {
			unknown_key(c, k, "control");
			return -EINVAL;
		}
	}
	return 0;
}

/* metrics: { listen: "ADDR[:PORT]" } (port 9120 by default); absent: off. */
static int parse_metrics(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v;
	const char *key, *s;

	if (!expect(c, m, YAML_MAPPING_NODE, "metrics"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "listen")) {
			s = scalar(c, v, "metrics listen");
			if (!s)
				return -EINVAL;
			if (parse_hostport(s, cfg->metrics.host, sizeof(cfg->metrics.host),
					   &cfg->metrics.family, &cfg->metrics.port, 9120)) {
				fail(c, v, "metrics listen: '%s' is not ADDRESS[:PORT] "
				     "(an IPv4 or [IPv6] literal, port 1..65535)", s);
				return -EINVAL;
			}
			cfg->metrics.enabled = true;
		} else {
			unknown_key(c, k, "metrics");
			return -EINVAL;
		}
	}
	return 0;
}

/* calls: { state_dir: PATH, shutdown: keep_calls|end_calls } */
static int parse_calls(struct ctx *c, struct rr_config *cfg, yaml_node_t *m)
{
	yaml_node_t *k, *v;
	const char *key;

	if (!expect(c, m, YAML_MAPPING_NODE, "calls"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "state_dir")) {
			if (get_abs_path(c, v, "calls state_dir", cfg->calls.state_dir,
					 sizeof(cfg->calls.state_dir)))
				return -EINVAL;
		} else if (!strcmp(key, "shutdown")) {
			static const struct rr_yaml_keyword modes[] = {
				{ "keep_calls", false }, { "end_calls", true }, { NULL, 0 },
			};
			int kw;

			if (get_keyword(c, v, "calls shutdown", modes, &kw))
				return -EINVAL;
			cfg->calls.end_on_term = kw;
		} else {
			unknown_key(c, k, "calls");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_root(struct ctx *c, struct rr_config *cfg)
{
	yaml_node_t *root = yaml_document_get_root_node(&c->doc), *k, *v;
	yaml_node_t *routes = NULL, *trunks = NULL, *routing = NULL;
	const char *key;
	unsigned long u;
	int s;

	if (!root) {
		fail(c, NULL, "empty configuration");
		return -EINVAL;
	}
	if (!expect(c, root, YAML_MAPPING_NODE, "top level"))
		return -EINVAL;
	FOR_EACH_PAIR(c, root, k, v, key) {
		int r;

		if (!strcmp(key, "listen"))
			r = parse_listen(c, cfg, v);
		else if (!strcmp(key, "trunks")) {
			trunks = v;
			r = parse_trunks(c, cfg, v);
		} else if (!strcmp(key, "routing")) {
			routing = v;	/* after trunks, whatever the order */
			r = 0;
		}
		else if (!strcmp(key, "routes")) {
			routes = v;	/* after trunks, whatever the order */
			r = 0;
		} else if (!strcmp(key, "media"))
			r = parse_media(c, cfg, v);
		else if (!strcmp(key, "datapath"))
			r = parse_datapath(c, cfg, v);
		else if (!strcmp(key, "logging"))
			r = parse_logging(c, cfg, v);
		else if (!strcmp(key, "control"))
			r = parse_control(c, cfg, v);
		else if (!strcmp(key, "cdr"))
			r = parse_cdr(c, cfg, v);
		else if (!strcmp(key, "metrics"))
			r = parse_metrics(c, cfg, v);
		else if (!strcmp(key, "calls"))
			r = parse_calls(c, cfg, v);
		else if (!strcmp(key, "options_interval")) {
			r = get_uint(c, v, "options_interval", 0, 3600, &u);
			cfg->options_interval = (unsigned int)u;
		} else {
			unknown_key(c, k, "configuration");
			r = -EINVAL;
		}
		if (r)
			return r;
	}
	if (routes && parse_routes(c, cfg, routes))
		return -EINVAL;
	if (trunks && rr_cfg_routing(c, cfg, trunks, routing))
		return -EINVAL;

	for (s = 0; s < RR_SIDE_MAX; s++) {
		if (!cfg->listen[s].set) {
			fail(c, root, "listen: side '%s' is missing", rr_side_name(s));
			return -EINVAL;
		}
	}
	for (s = 0; s < RR_SIDE_MAX; s++) {
		if (!cfg->media.addr[s].has_v4 && !cfg->media.addr[s].has_v6) {
			fail(c, root, "media.address: side '%s' has no ipv4 or ipv6 address",
			     rr_side_name(s));
			return -EINVAL;
		}
	}
	if (!cfg->n_trunks) {
		fail(c, root, "trunks: at least one trunk is required");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->n_trunks; i++) {
		const struct rr_trunk *t = &cfg->trunks[i];

		if (t->transport == RR_TP_TLS && !cfg->listen[t->side].tls.enabled) {
			/* the TLS client of a side is its listen's TLS transport */
			snprintf(c->err, c->errlen, "%s:%d: trunk %s: transport tls needs "
				 "listen.%s.tls (a certificate)", c->path, t->line, t->name,
				 rr_side_name(t->side));
			c->failed = true;
			return -EINVAL;
		}
	}
	return 0;
}

static void defaults(struct rr_config *cfg)
{
	cfg->media.port_min = 30000;
	cfg->media.port_max = 39999;
	cfg->media.dscp = 46;
	cfg->media.latch = true;
	cfg->media.inactivity_timeout = 60;
	cfg->datapath.mode = RR_DP_MODE_AUTO;
	strcpy(cfg->datapath.pin_dir, "/sys/fs/bpf/rtprelay");
	cfg->log.level = LOG_INFO;
	cfg->log.target = RR_LOG_STDERR;
	cfg->cdr.retention_days = 90;
	strcpy(cfg->control_socket, "/run/rtprelay/rtprelayd.sock");
	strcpy(cfg->calls.state_dir, "/run/rtprelay/calls");
}

struct rr_config *rr_config_load(const char *path, char *err, size_t errlen)
{
	struct ctx c = { .path = path, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	struct rr_config *cfg;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s:0: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || !(cfg->path = strdup(path))) {
		snprintf(err, errlen, "%s:0: out of memory", path);
		free(cfg);
		fclose(f);
		return NULL;
	}
	defaults(cfg);
	cfg->refs = 1;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &c.doc)) {
		snprintf(err, errlen, "%s:%lu: %s%s%s", path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		rr_config_free(cfg);
		return NULL;
	}
	if (parse_root(&c, cfg) && !c.failed)
		fail(&c, NULL, "out of memory");
	yaml_document_delete(&c.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (c.failed) {
		rr_config_free(cfg);
		return NULL;
	}
	return cfg;
}

void rr_config_free(struct rr_config *cfg)
{
	unsigned int i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_trunks; i++) {
		free(cfg->trunks[i].peers);
		free(cfg->trunks[i].allow);
		free(cfg->trunks[i].response_map);
		free(cfg->trunks[i].codecs.name);
		rr_cfg_trunk_free(&cfg->trunks[i]);
	}
	free(cfg->trunks);
	for (i = 0; i < cfg->n_routes; i++)
		free(cfg->routes[i].trunk);
	free(cfg->routes);
	rr_rules_free(cfg->rules);
	for (i = 0; i < cfg->datapath.n_interfaces; i++)
		free(cfg->datapath.interfaces[i]);
	free(cfg->datapath.interfaces);
	free(cfg->path);
	free(cfg);
}

int rr_config_trunk_find(const struct rr_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->n_trunks; i++)
		if (!strcmp(cfg->trunks[i].name, name))
			return (int)i;
	return -1;
}

int rr_config_trunk_for_source(const struct rr_config *cfg, enum rr_side side,
			       const struct sockaddr *sa)
{
	unsigned int i, j;

	for (i = 0; i < cfg->n_trunks; i++) {
		if (cfg->trunks[i].side != side)
			continue;
		for (j = 0; j < cfg->trunks[i].n_allow; j++)
			if (rr_cidr_match(&cfg->trunks[i].allow[j], sa))
				return (int)i;
	}
	return -1;
}

struct rr_config *rr_config_get(struct rr_config *cfg)
{
	cfg->refs++;
	return cfg;
}

void rr_config_put(struct rr_config *cfg)
{
	if (cfg && --cfg->refs == 0)
		rr_config_free(cfg);
}

const char *rr_config_reload_blocker(const struct rr_config *cur,
				     const struct rr_config *next)
{
	unsigned int i;

	if (memcmp(cur->listen, next->listen, sizeof(cur->listen)))
		return "listen";
	if (memcmp(cur->media.addr, next->media.addr, sizeof(cur->media.addr)))
		return "media.address";
	if (cur->media.port_min != next->media.port_min ||
	    cur->media.port_max != next->media.port_max)
		return "media.ports";
	if (cur->datapath.mode != next->datapath.mode ||
	    strcmp(cur->datapath.pin_dir, next->datapath.pin_dir) ||
	    cur->datapath.max_flows != next->datapath.max_flows ||
	    cur->datapath.n_interfaces != next->datapath.n_interfaces)
		return "datapath";
	for (i = 0; i < cur->datapath.n_interfaces; i++)
		if (strcmp(cur->datapath.interfaces[i], next->datapath.interfaces[i]))
			return "datapath.interfaces";
	if (strcmp(cur->control_socket, next->control_socket))
		return "control.socket";
	if (cur->metrics.enabled != next->metrics.enabled ||
	    strcmp(cur->metrics.host, next->metrics.host) || cur->metrics.port != next->metrics.port)
		return "metrics.listen";
	if (strcmp(cur->calls.state_dir, next->calls.state_dir))
		return "calls.state_dir";
	return NULL;
}

bool rr_trunk_failover_status(const struct rr_trunk *t, int status)
{
	for (unsigned int i = 0; i < t->n_failover_codes; i++)
		if (t->failover_codes[i] == status)
			return true;
	return false;
}

int rr_trunk_map_status(const struct rr_trunk *t, int status)
{
	for (unsigned int i = 0; i < t->n_response_map; i++)
		if (t->response_map[i].from == status)
			return t->response_map[i].to;
	return status;
}
