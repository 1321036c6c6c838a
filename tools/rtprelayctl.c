// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelayctl: attach the XDP tier, program flows, read counters, on the
 * pinned maps alone (no daemon needed). See docs/rtprelayctl.md.
 *
 * Exit status: 0 success, 1 runtime failure, 2 bad arguments.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <rtprelay/bpf_maps.h>

#include "datapath.h"
#include "ctl.h"
#include "ctl_daemon.h"
#include "dp_kmod.h"
#include "dp_xdp.h"
#include "endpoint.h"

#ifndef RTPRELAY_VERSION
#define RTPRELAY_VERSION "0.1.0"
#endif

#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

static const char *prog = "rtprelayctl";

/*
 * Backends: the verbs run on whichever tier --backend names. Flow verbs go
 * through struct rr_dp_ops only; attach/detach are tier specific.
 */
struct backend {
	const char *name;
	const struct rr_dp_ops *ops;
	__u32 (*max_flows)(struct rr_dp *dp);
	bool attachable;
};

static const struct backend backends[] = {
	{ "xdp", &rr_dp_xdp_ops, rr_xdp_max_flows, true },
	{ "kmod", &rr_dp_kmod_ops, rr_dp_kmod_max_flows, false },
};

struct ctx {
	const char *pin_dir;
	const char *socket;		/* rtprelayd's control socket */
	const struct backend *be;
	struct rr_dp dp;
	bool open;
};

void usage_err(const char *arg, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, arg);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s --help')\n", prog);
	exit(EXIT_USAGE);
}

__attribute__((format(printf, 2, 3), noreturn))
static void die(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_RUNTIME);
}

static void help(FILE *f)
{
	fprintf(f,
"usage: %s [--pin-dir DIR] [--backend xdp|kmod] VERB ...\n"
"\n"
"Program the rtprelay data path: attach the XDP tier, install and inspect\n"
"flows, read counters. Works on the pinned maps alone (no daemon needed).\n"
"\n"
"verbs:\n"
"  attach DEV [--mode native|generic] [--max-flows N] [--obj PATH]\n"
"        load the XDP program (reusing pinned maps: flows survive), pin maps,\n"
"        enable forwarding on DEV for bpf_fib_lookup, attach to DEV\n"
"  detach DEV\n"
"        remove the program from DEV; after the last device, unpin the maps\n"
"  flow add --in ADDR:PORT --out-src ADDR:PORT --out-dst ADDR:PORT\n"
"           [--from ADDR:PORT] [--strict|--latch] [--dscp N|--keep-dscp]\n"
"           [--rtcp|--rtcp-mux] [--clock-rate HZ] [--reverse ADDR:PORT]\n"
"           [--no-jitter]\n"
"        install a flow; prints its id. --from alone implies --strict;\n"
"        --no-jitter keeps loss but skips jitter (cheaper per packet)\n"
"  flow del ID | flow del --in ADDR:PORT\n"
"  flow list [--json]        (also: flows [--json])\n"
"  flow show ID [--json]     flow, counters, RTP view (ssrc, lost, jitter)\n"
"  stats [--json]            global counters\n"
"\n"
"verbs that ask a running rtprelayd (its control socket, --socket):\n"
"  calls [--json]            calls: legs, state, duration, packets per\n"
"                            direction, loss, jitter (timestamp units)\n"
"  call hangup ID            end call ID on both legs\n"
"  trunks [--json]           each trunk's peers and their OPTIONS state\n"
"  top [--count N] [--interval MS] [--json]\n"
"        live per-call view every second: state, packets/s per direction,\n"
"        loss, jitter; N screens then exit (default: until interrupted)\n"
"  route test --trunk T --to N [--from N] [--pai N] [--config FILE] [--json]\n"
"        dry run: the rule a call on trunk T would match, the translations\n"
"        and the targets (trunk, number, peer); with --config evaluates\n"
"        FILE here, else asks rtprelayd. Exit 1 when it would be refused\n"
"\n"
"  cdr [--since TIME] [--until TIME] [--json] [--dir DIR]\n"
"        call detail records rtprelayd wrote (CSV files in DIR, default\n"
"        /var/lib/rtprelay/cdr; no daemon needed) of the calls that started\n"
"        in [since, until), oldest first. TIME: 2026-11-23, 2026-11-23T22:05[:30]\n"
"        (UTC), now, or that long ago: 90s, 15m, 1h, 2d, 1w (default since:\n"
"        1d). Exit 1 when DIR or a file cannot be read\n"
"\n"
"  status [--json]   data path and daemon: pinned maps and fill levels,\n"
"        devices with XDP (mode, program id), kmod, daemon reachable or\n"
"        'rtprelayd: not running'. Exit 0 if any of them is there, 1 if none\n"
"  --help, --version\n"
"\n"
"options:\n"
"  --pin-dir DIR     pinned maps (default %s)\n"
"  --backend NAME    xdp (default: pinned maps) or kmod (the rtprelay.ko\n"
"                    module over generic netlink; no attach/detach)\n"
"  --socket PATH     rtprelayd's control socket (default %s)\n"
"\n"
"ADDR:PORT is 198.51.100.1:20000 or [2001:db8::1]:20000; ports 1..65535,\n"
"DSCP 0..63 (default 46, EF). All endpoints of a flow share one family.\n"
"\n"
"exit status: 0 success, 1 runtime failure, 2 bad arguments\n"
"(status: 0 when any tier or the daemon is found, 1 when none is)\n",
		prog, RTPRELAY_PIN_DIR_DEFAULT, RR_CTL_SOCKET_DEFAULT);
}

unsigned long parse_uint(const char *arg, const char *s, unsigned long min,
				unsigned long max)
{
	unsigned long v = 0;
	const char *p;

	if (!s || !*s)
		usage_err(arg, "missing number");
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			usage_err(arg, "'%s' is not a number", s);
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			usage_err(arg, "%s out of range %lu..%lu", s, min, max);
	}
	if (v < min)
		usage_err(arg, "%s out of range %lu..%lu", s, min, max);
	return v;
}

static void parse_ep(const char *arg, const char *s, struct rtprelay_endpoint *ep)
{
	char err[RR_ENDPOINT_ERRLEN];

	if (!s)
		usage_err(arg, "missing ADDR:PORT");
	if (rr_endpoint_parse(s, ep, err, sizeof(err)))
		usage_err(arg, "%s", err);
}

/* The value of option argv[*i] (consumes it). */
static const char *optval(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		usage_err(argv[*i], "needs a value");
	return argv[++*i];
}

static void dp_open(struct ctx *c)
{
	struct rr_dp_config cfg = { .pin_dir = c->pin_dir };
	int ret;

	c->dp.ops = c->be->ops;
	ret = c->dp.ops->open(&c->dp, &cfg);
	if (ret == -ENOENT && !c->be->attachable)
		die(c->be->name, "the rtprelay kernel module is not loaded (modprobe rtprelay)");
	if (ret == -ENOENT)
		die(c->be->name, "no rtprelay maps in %s: run '%s attach DEV' first",
		    c->pin_dir ? c->pin_dir : RTPRELAY_PIN_DIR_DEFAULT, prog);
	if (ret == -EPROTO)
		die(c->be->name, "maps in %s were made by an incompatible build",
		    c->pin_dir ? c->pin_dir : RTPRELAY_PIN_DIR_DEFAULT);
	if (ret)
		die(c->be->name, "cannot open the data path: %s", strerror(-ret));
	c->open = true;
}

static void dp_close(struct ctx *c)
{
	if (c->open)
		c->dp.ops->close(&c->dp, true);	/* flows stay: they are the point */
	c->open = false;
}

/* ---- attach / detach ---- */

static int cmd_attach(struct ctx *c, int argc, char **argv)
{
	struct rr_xdp_attach_opts o = { .pin_dir = c->pin_dir };
	char info[RR_XDP_INFOLEN] = "", err[RR_XDP_ERRLEN] = "";
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--mode")) {
			const char *m = optval(argc, argv, &i);

			if (!strcmp(m, "native"))
				o.generic = false;
			else if (!strcmp(m, "generic"))
				o.generic = true;
			else
				usage_err("--mode", "'%s' is not native or generic", m);
		} else if (!strcmp(argv[i], "--max-flows")) {
			o.max_flows = (unsigned int)parse_uint("--max-flows",
						optval(argc, argv, &i), 1, 1u << 24);
		} else if (!strcmp(argv[i], "--obj")) {
			o.obj_path = optval(argc, argv, &i);
		} else if (argv[i][0] == '-') {
			usage_err(argv[i], "unknown option for attach");
		} else if (!o.ifname) {
			o.ifname = argv[i];
		} else {
			usage_err(argv[i], "attach takes one device");
		}
	}
	if (!o.ifname)
		usage_err("attach", "missing DEV");
	if (!c->be->attachable)
		die("attach", "not supported by the %s backend", c->be->name);
	if (rr_xdp_attach(&o, info, sizeof(info), err, sizeof(err)))
		die("attach", "%s", err);
	printf("%s\n", info);
	return 0;
}

static int cmd_detach(struct ctx *c, int argc, char **argv)
{
	char info[RR_XDP_INFOLEN] = "", err[RR_XDP_ERRLEN] = "";

	if (argc < 1 || argv[0][0] == '-')
		usage_err("detach", argc ? "unknown option for detach" : "missing DEV");
	if (argc > 1)
		usage_err(argv[1], "detach takes one device");
	if (!c->be->attachable)
		die("detach", "not supported by the %s backend", c->be->name);
	if (rr_xdp_detach(c->pin_dir, argv[0], info, sizeof(info), err, sizeof(err)))
		die("detach", "%s", err);
	printf("%s\n", info);
	return 0;
}

/* ---- flows ---- */

static const char *family_name(__u8 f)
{
	return f == RTPRELAY_AF_INET ? "ipv4" : f == RTPRELAY_AF_INET6 ? "ipv6" : "none";
}

static void same_family(const char *arg, const struct rtprelay_endpoint *ep,
			const struct rtprelay_endpoint *in)
{
	if (ep->family && ep->family != in->family)
		usage_err(arg, "is %s but --in is %s (no IPv4/IPv6 bridging)",
			  family_name(ep->family), family_name(in->family));
}

struct find_id {
	__u32 id;
	bool found;
	struct rtprelay_flow_key key;
	struct rtprelay_flow flow;
};

static int match_id(const struct rtprelay_flow_key *key,
		    const struct rtprelay_flow *flow, void *arg)
{
	struct find_id *f = arg;

	if (flow->id != f->id)
		return 0;
	f->found = true;
	f->key = *key;
	f->flow = *flow;
	return 1;
}

static void find_by_id(struct ctx *c, __u32 id, struct find_id *f)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->id = id;
	ret = c->dp.ops->flow_walk(&c->dp, match_id, f);
	if (ret < 0)
		die("flow", "cannot read flows: %s", strerror(-ret));
	if (!f->found)
		die("flow", "no flow with id %u", id);
}

static int cmd_flow_add(struct ctx *c, int argc, char **argv)
{
	struct rtprelay_flow_key key = {}, old_key;
	struct rtprelay_flow flow = {}, old;
	bool have_in = false, have_src = false, have_dst = false, have_dscp = false;
	bool strict = false, latch = false;
	char buf[RR_ENDPOINT_STRLEN];
	const char *a;
	int i, ret;

	flow.dscp = RTPRELAY_DSCP_EF;
	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "--in")) {
			parse_ep(a, optval(argc, argv, &i), &key.local);
			have_in = true;
		} else if (!strcmp(a, "--from")) {
			parse_ep(a, optval(argc, argv, &i), &flow.expect);
		} else if (!strcmp(a, "--out-src")) {
			parse_ep(a, optval(argc, argv, &i), &flow.out_src);
			have_src = true;
		} else if (!strcmp(a, "--out-dst")) {
			parse_ep(a, optval(argc, argv, &i), &flow.out_dst);
			have_dst = true;
		} else if (!strcmp(a, "--reverse")) {
			parse_ep(a, optval(argc, argv, &i), &flow.reverse.local);
		} else if (!strcmp(a, "--dscp")) {
			flow.dscp = (__u8)parse_uint(a, optval(argc, argv, &i), 0,
						     RTPRELAY_DSCP_MAX);
			have_dscp = true;
		} else if (!strcmp(a, "--keep-dscp")) {
			flow.flags |= RTPRELAY_F_KEEP_DSCP;
		} else if (!strcmp(a, "--no-jitter")) {
			flow.flags |= RTPRELAY_F_NO_JITTER;
		} else if (!strcmp(a, "--strict")) {
			strict = true;
		} else if (!strcmp(a, "--latch")) {
			latch = true;
		} else if (!strcmp(a, "--rtcp")) {
			flow.flags |= RTPRELAY_F_RTCP;
		} else if (!strcmp(a, "--rtcp-mux")) {
			flow.flags |= RTPRELAY_F_RTCP_MUX;
		} else if (!strcmp(a, "--clock-rate")) {
			flow.clock_rate = (__u32)parse_uint(a, optval(argc, argv, &i), 1,
							    10000000);
		} else {
			usage_err(a, "unknown argument for flow add");
		}
	}
	if (!have_in)
		usage_err("--in", "required");
	if (!have_src)
		usage_err("--out-src", "required");
	if (!have_dst)
		usage_err("--out-dst", "required");
	same_family("--out-src", &flow.out_src, &key.local);
	same_family("--out-dst", &flow.out_dst, &key.local);
	same_family("--from", &flow.expect, &key.local);
	same_family("--reverse", &flow.reverse.local, &key.local);
	if (strict && latch)
		usage_err("--latch", "excludes --strict");
	if (latch && flow.expect.family)
		usage_err("--from", "excludes --latch (latching learns the source)");
	if (strict && !flow.expect.family)
		usage_err("--strict", "needs --from ADDR:PORT");
	if ((flow.flags & RTPRELAY_F_RTCP) && (flow.flags & RTPRELAY_F_RTCP_MUX))
		usage_err("--rtcp-mux", "excludes --rtcp");
	if (have_dscp && (flow.flags & RTPRELAY_F_KEEP_DSCP))
		usage_err("--keep-dscp", "excludes --dscp");
	if (flow.clock_rate && (flow.flags & RTPRELAY_F_NO_JITTER))
		usage_err("--no-jitter", "excludes --clock-rate (the clock is only for jitter)");
	if (flow.reverse.local.family && !memcmp(&flow.reverse, &key, sizeof(key)))
		usage_err("--reverse", "is the flow itself");
	if (latch)
		flow.flags |= RTPRELAY_F_LATCH;
	else if (flow.expect.family)
		flow.flags |= RTPRELAY_F_STRICT;	/* --from means: only from there */
	if (flow.flags & RTPRELAY_F_KEEP_DSCP)
		flow.dscp = 0;

	dp_open(c);
	old_key = key;
	if (!c->dp.ops->flow_get(&c->dp, &old_key, &old))
		die("flow add", "a flow for --in %s exists (id %u): 'flow del %u' first",
		    rr_endpoint_format(&key.local, buf, sizeof(buf)), old.id, old.id);
	ret = rr_dp_alloc_id(&c->dp, c->be->max_flows(&c->dp), &flow.id);
	if (ret == -ENOSPC)
		die("flow add", "all %u flow ids are in use", c->be->max_flows(&c->dp));
	if (ret)
		die("flow add", "cannot allocate a flow id: %s", strerror(-ret));
	ret = c->dp.ops->flow_add(&c->dp, &key, &flow);
	if (ret && c->dp.ops == &rr_dp_kmod_ops && *rr_dp_kmod_errmsg(&c->dp))
		die("flow add", "the module refused the flow: %s", rr_dp_kmod_errmsg(&c->dp));
	if (ret)
		die("flow add", "cannot install the flow: %s", strerror(-ret));
	printf("%u\n", flow.id);
	dp_close(c);
	return 0;
}

static int cmd_flow_del(struct ctx *c, int argc, char **argv)
{
	struct rtprelay_flow_key key = {};
	struct find_id f;
	char buf[RR_ENDPOINT_STRLEN];
	int ret;

	if (argc == 2 && !strcmp(argv[0], "--in")) {
		parse_ep("--in", argv[1], &key.local);
		dp_open(c);
		ret = c->dp.ops->flow_del(&c->dp, &key);
		if (ret == -ENOENT)
			die("flow del", "no flow for --in %s",
			    rr_endpoint_format(&key.local, buf, sizeof(buf)));
	} else if (argc == 1 && argv[0][0] != '-') {
		__u32 id = (__u32)parse_uint("ID", argv[0], 0, 0xffffffffu);

		dp_open(c);
		find_by_id(c, id, &f);
		ret = c->dp.ops->flow_del(&c->dp, &f.key);
	} else {
		usage_err("flow del", "expects ID or --in ADDR:PORT");
	}
	if (ret)
		die("flow del", "%s", strerror(-ret));
	dp_close(c);
	return 0;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static __u32 rtp_lost(const struct rtprelay_rtp_stats *r)
{
	__s64 expected;

	if (!r->received)
		return 0;
	expected = (__s64)r->ext_max_seq - (__s64)r->base_seq + 1;
	return expected > (__s64)r->received ? (__u32)(expected - r->received) : 0;
}

/* RFC 3550 jitter (scaled by 16, timestamp units) in ms; < 0: unknown. */
static double rtp_jitter_ms(const struct rtprelay_rtp_stats *r)
{
	if (!r->clock_rate)
		return -1;
	return (double)r->jitter / 16.0 * 1000.0 / (double)r->clock_rate;
}

static const struct {
	__u32 flag;
	const char *name;
} flag_names[] = {
	{ RTPRELAY_F_STRICT, "strict" },
	{ RTPRELAY_F_LATCH, "latch" },
	{ RTPRELAY_F_LATCHED, "latched" },
	{ RTPRELAY_F_RTCP, "rtcp" },
	{ RTPRELAY_F_RTCP_MUX, "rtcp-mux" },
	{ RTPRELAY_F_KEEP_DSCP, "keep-dscp" },
	{ RTPRELAY_F_NO_JITTER, "no-jitter" },
};

static json_object *ep_json(const struct rtprelay_endpoint *ep)
{
	char buf[RR_ENDPOINT_STRLEN];

	if (!ep->family)
		return NULL;	/* JSON null */
	return json_object_new_string(rr_endpoint_format(ep, buf, sizeof(buf)));
}

static json_object *flow_json(const struct rtprelay_flow_key *key,
			      const struct rtprelay_flow *flow,
			      const struct rtprelay_flow_stats *st, bool with_rtp)
{
	json_object *o = json_object_new_object(), *flags = json_object_new_array();
	json_object *s = json_object_new_object(), *drops = json_object_new_object();
	size_t i;

	json_object_object_add(o, "id", json_object_new_int64(flow->id));
	json_object_object_add(o, "family", json_object_new_string(family_name(key->local.family)));
	json_object_object_add(o, "in", ep_json(&key->local));
	json_object_object_add(o, "from", ep_json(&flow->expect));
	json_object_object_add(o, "out_src", ep_json(&flow->out_src));
	json_object_object_add(o, "out_dst", ep_json(&flow->out_dst));
	json_object_object_add(o, "reverse", ep_json(&flow->reverse.local));
	json_object_object_add(o, "dscp", (flow->flags & RTPRELAY_F_KEEP_DSCP) ? NULL :
			       json_object_new_int(flow->dscp));
	json_object_object_add(o, "clock_rate", json_object_new_int64(flow->clock_rate));
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flow->flags & flag_names[i].flag)
			json_object_array_add(flags, json_object_new_string(flag_names[i].name));
	json_object_object_add(o, "flags", flags);

	json_object_object_add(s, "packets", json_object_new_uint64(st->packets));
	json_object_object_add(s, "bytes", json_object_new_uint64(st->bytes));
	json_object_object_add(s, "rtcp_packets", json_object_new_uint64(st->rtcp_packets));
	json_object_object_add(s, "rtcp_bytes", json_object_new_uint64(st->rtcp_bytes));
	json_object_object_add(s, "last_seen_ns", json_object_new_uint64(st->last_seen_ns));
	json_object_object_add(s, "idle_ms", st->last_seen_ns ?
			       json_object_new_uint64((mono_ns() - st->last_seen_ns) / 1000000) :
			       NULL);
	for (i = 0; i < RTPRELAY_FDROP_MAX; i++)
		json_object_object_add(drops, rtprelay_flow_drop_names[i],
				       json_object_new_uint64(st->drops[i]));
	json_object_object_add(s, "drops", drops);
	json_object_object_add(o, "stats", s);

	if (with_rtp) {
		json_object *r = json_object_new_object();
		double j = rtp_jitter_ms(&st->rtp);

		json_object_object_add(r, "ssrc", json_object_new_int64(st->rtp.ssrc));
		json_object_object_add(r, "received", json_object_new_int64(st->rtp.received));
		json_object_object_add(r, "base_seq", json_object_new_int64(st->rtp.base_seq));
		json_object_object_add(r, "ext_max_seq", json_object_new_int64(st->rtp.ext_max_seq));
		json_object_object_add(r, "lost", json_object_new_int64(rtp_lost(&st->rtp)));
		json_object_object_add(r, "jitter_ms", j < 0 ? NULL : json_object_new_double(j));
		json_object_object_add(r, "clock_rate", json_object_new_int64(st->rtp.clock_rate));
		json_object_object_add(r, "ssrc_changes", json_object_new_int64(st->rtp.ssrc_changes));
		json_object_object_add(o, "rtp", r);
	}
	return o;
}

static void print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void flags_text(__u32 flags, char *buf, size_t len)
{
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if ((flags & flag_names[i].flag) && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
						flag_names[i].name);
	if (!off)
		snprintf(buf, len, "-");
}

struct list_state {
	struct ctx *c;
	json_object *arr;	/* NULL: text */
	unsigned int n;
};

static int list_one(const struct rtprelay_flow_key *key,
		    const struct rtprelay_flow *flow, void *arg)
{
	struct list_state *ls = arg;
	struct rtprelay_flow_stats st = {};
	char in[RR_ENDPOINT_STRLEN], from[RR_ENDPOINT_STRLEN], src[RR_ENDPOINT_STRLEN];
	char dst[RR_ENDPOINT_STRLEN], fl[96];

	/* A flow with unreadable counters is still listed (zeros). */
	ls->c->dp.ops->flow_stats(&ls->c->dp, flow->id, &st);
	ls->n++;
	if (ls->arr) {
		json_object_array_add(ls->arr, flow_json(key, flow, &st, false));
		return 0;
	}
	flags_text(flow->flags, fl, sizeof(fl));
	printf("%-6u %-24s %-24s %-24s %-24s %-20s %10llu %12llu\n", flow->id,
	       rr_endpoint_format(&key->local, in, sizeof(in)),
	       rr_endpoint_format(&flow->expect, from, sizeof(from)),
	       rr_endpoint_format(&flow->out_src, src, sizeof(src)),
	       rr_endpoint_format(&flow->out_dst, dst, sizeof(dst)), fl,
	       (unsigned long long)st.packets, (unsigned long long)st.bytes);
	return 0;
}

static bool want_json(int argc, char **argv, const char *verb)
{
	bool json = false;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else
			usage_err(argv[i], "unknown argument for %s", verb);
	}
	return json;
}

static int cmd_flow_list(struct ctx *c, int argc, char **argv)
{
	struct list_state ls = { .c = c };
	bool json = want_json(argc, argv, "flow list");
	int ret;

	dp_open(c);
	if (json)
		ls.arr = json_object_new_array();
	else
		printf("%-6s %-24s %-24s %-24s %-24s %-20s %10s %12s\n", "ID", "IN", "FROM",
		       "OUT-SRC", "OUT-DST", "FLAGS", "PACKETS", "BYTES");
	ret = c->dp.ops->flow_walk(&c->dp, list_one, &ls);
	if (ret < 0) {
		json_object_put(ls.arr);
		die("flow list", "%s", strerror(-ret));
	}
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "flows", ls.arr);
		print_json(o);
	}
	dp_close(c);
	return 0;
}

static int cmd_flow_show(struct ctx *c, int argc, char **argv)
{
	struct rtprelay_flow_stats st;
	struct find_id f;
	bool json;
	__u32 id;
	int ret;

	if (argc < 1 || argv[0][0] == '-')
		usage_err("flow show", "missing ID");
	id = (__u32)parse_uint("ID", argv[0], 0, 0xffffffffu);
	json = want_json(argc - 1, argv + 1, "flow show");
	dp_open(c);
	find_by_id(c, id, &f);
	ret = c->dp.ops->flow_stats(&c->dp, id, &st);
	if (ret)
		die("flow show", "cannot read counters of flow %u: %s", id, strerror(-ret));
	if (json) {
		print_json(flow_json(&f.key, &f.flow, &st, true));
	} else {
		char b[RR_ENDPOINT_STRLEN], fl[96];
		double j = rtp_jitter_ms(&st.rtp);
		int i;

		flags_text(f.flow.flags, fl, sizeof(fl));
		printf("flow %u (%s)\n", id, family_name(f.key.local.family));
		printf("  in        %s\n", rr_endpoint_format(&f.key.local, b, sizeof(b)));
		printf("  from      %s\n", rr_endpoint_format(&f.flow.expect, b, sizeof(b)));
		printf("  out-src   %s\n", rr_endpoint_format(&f.flow.out_src, b, sizeof(b)));
		printf("  out-dst   %s\n", rr_endpoint_format(&f.flow.out_dst, b, sizeof(b)));
		printf("  reverse   %s\n", rr_endpoint_format(&f.flow.reverse.local, b, sizeof(b)));
		if (f.flow.flags & RTPRELAY_F_KEEP_DSCP)
			printf("  dscp      kept\n");
		else
			printf("  dscp      %u\n", f.flow.dscp);
		printf("  flags     %s\n", fl);
		printf("  packets   %llu (rtcp %llu)\n", (unsigned long long)st.packets,
		       (unsigned long long)st.rtcp_packets);
		printf("  bytes     %llu (rtcp %llu)\n", (unsigned long long)st.bytes,
		       (unsigned long long)st.rtcp_bytes);
		if (st.last_seen_ns)
			printf("  idle      %llu ms\n",
			       (unsigned long long)((mono_ns() - st.last_seen_ns) / 1000000));
		else
			printf("  idle      never seen\n");
		for (i = 0; i < RTPRELAY_FDROP_MAX; i++)
			printf("  drop %-12s %llu\n", rtprelay_flow_drop_names[i],
			       (unsigned long long)st.drops[i]);
		printf("  rtp ssrc  0x%08x\n", st.rtp.ssrc);
		printf("  rtp packets %u, lost %u", st.rtp.received, rtp_lost(&st.rtp));
		if (j >= 0)
			printf(", jitter %.3f ms\n", j);
		else
			printf(", jitter unknown (no clock rate)\n");
	}
	dp_close(c);
	return 0;
}

static int count_one(const struct rtprelay_flow_key *key,
		     const struct rtprelay_flow *flow, void *arg)
{
	++*(unsigned int *)arg;
	return 0;
}

static int cmd_stats(struct ctx *c, int argc, char **argv)
{
	struct rtprelay_global_stats st;
	bool json = want_json(argc, argv, "stats");
	unsigned int nflows = 0;
	int i, ret;

	dp_open(c);
	ret = c->dp.ops->global_stats(&c->dp, &st);
	if (ret)
		die("stats", "%s", strerror(-ret));
	ret = c->dp.ops->flow_walk(&c->dp, count_one, &nflows);
	if (ret < 0)
		die("stats", "%s", strerror(-ret));
	if (json) {
		json_object *o = json_object_new_object(), *cnt = json_object_new_object();

		json_object_object_add(o, "backend", json_object_new_string(c->be->name));
		json_object_object_add(o, "flows", json_object_new_int64(nflows));
		if (c->be->max_flows)
			json_object_object_add(o, "max_flows",
					       json_object_new_int64(c->be->max_flows(&c->dp)));
		for (i = 0; i < RTPRELAY_G_MAX; i++)
			json_object_object_add(cnt, rtprelay_global_counter_names[i],
					       json_object_new_uint64(st.counters[i]));
		json_object_object_add(o, "counters", cnt);
		print_json(o);
	} else {
		printf("%-20s %u\n", "flows", nflows);
		for (i = 0; i < RTPRELAY_G_MAX; i++)
			printf("%-20s %llu\n", rtprelay_global_counter_names[i],
			       (unsigned long long)st.counters[i]);
	}
	dp_close(c);
	return 0;
}

static int cmd_flow(struct ctx *c, int argc, char **argv)
{
	if (argc < 1)
		usage_err("flow", "missing add, del, list or show");
	if (!strcmp(argv[0], "add"))
		return cmd_flow_add(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "del"))
		return cmd_flow_del(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "list"))
		return cmd_flow_list(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "show"))
		return cmd_flow_show(c, argc - 1, argv + 1);
	usage_err(argv[0], "unknown flow verb (add, del, list, show)");
}

static int cmd_call(struct ctx *c, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "hangup"))
		usage_err(argc ? argv[0] : "call", "unknown call verb (hangup ID)");
	if (argc != 2)
		usage_err("call hangup", "needs exactly one call ID");
	return ctl_call_hangup(c->socket, parse_uint("call hangup", argv[1], 0, 0xffffffffUL));
}

int main(int argc, char **argv)
{
	struct ctx c = { .be = &backends[0], .socket = RR_CTL_SOCKET_DEFAULT };
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("rtprelayctl %s\n", RTPRELAY_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--pin-dir")) {
			c.pin_dir = optval(argc, argv, &i);
			if (!*c.pin_dir)
				usage_err("--pin-dir", "empty path");
		} else if (!strcmp(argv[i], "--socket")) {
			c.socket = optval(argc, argv, &i);
			if (!*c.socket)
				usage_err("--socket", "empty path");
		} else if (!strcmp(argv[i], "--backend")) {
			const char *b = optval(argc, argv, &i);
			size_t k;

			for (k = 0; k < sizeof(backends) / sizeof(backends[0]); k++)
				if (!strcmp(backends[k].name, b))
					c.be = &backends[k];
			if (strcmp(c.be->name, b))
				usage_err("--backend", "'%s' is not xdp or kmod", b);
		} else {
			usage_err(argv[i], "unknown option");
		}
	}
	if (i >= argc)
		usage_err("VERB", "missing (attach, detach, flow, stats, calls, call, status, trunks, top, route, cdr)");
	if (!strcmp(argv[i], "attach"))
		return cmd_attach(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "detach"))
		return cmd_detach(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "flow"))
		return cmd_flow(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "flows"))	/* as `flow list` */
		return cmd_flow_list(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "stats"))
		return cmd_stats(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "calls"))
		return ctl_calls(c.socket, want_json(argc - i - 1, argv + i + 1, "calls"));
	if (!strcmp(argv[i], "call"))
		return cmd_call(&c, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "status"))
		return ctl_status(c.pin_dir, c.socket, want_json(argc - i - 1, argv + i + 1, "status"));
	if (!strcmp(argv[i], "trunks"))
		return ctl_trunks(c.socket, want_json(argc - i - 1, argv + i + 1, "trunks"));
	if (!strcmp(argv[i], "top"))
		return ctl_top_main(c.socket, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "route"))
		return ctl_route_main(c.socket, argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "cdr"))
		return ctl_cdr_main(argc - i - 1, argv + i + 1);
	usage_err(argv[i], "unknown verb (attach, detach, flow, stats, calls, call, status, trunks, top, route, cdr)");
}
