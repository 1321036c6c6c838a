// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtpgen: sends N paced RTP streams and/or receives and measures them (loss,
 * duplicates, reordering, RFC 3550 jitter, one-way latency), from one
 * process and thread: an epoll loop, a heap of due times, one socket per
 * stream port. docs/rtpgen.md describes the options and the JSON summary.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include "rtpgen.h"

static volatile sig_atomic_t stop;

static const char usage[] =
"usage: rtpgen send --dst ADDR:PORT [options]\n"
"       rtpgen recv --listen ADDR:PORT [options]\n"
"       rtpgen both --src ADDR:PORT --dst ADDR:PORT [options]\n"
"       rtpgen echo --listen ADDR:PORT [options]\n"
"\n"
"send  sends --streams RTP streams; stream i goes from port SRC+i*STEP to DST+i*STEP.\n"
"recv  binds --streams ports LISTEN+i*STEP and measures what arrives on each.\n"
"both  each stream's socket sends to DST+i*STEP and measures what arrives on it\n"
"      (symmetric RTP, as a phone or SBC does): both directions of a relay.\n"
"echo  like recv, and sends every packet back unchanged to where it came from:\n"
"      a 'both' on the other side then measures the round trip.\n"
"\n"
"Streams:\n"
"  --streams N          number of streams (default 1)\n"
"  --port-step N        port distance between streams (default 2; RTCP takes the odd ports)\n"
"  --dst ADDR:PORT      destination of stream 0 (send, both); IPv4 or [IPv6]\n"
"  --src ADDR[:PORT]    local address (and port of stream 0) to send from (send, both);\n"
"                       without a port, the kernel picks one per stream\n"
"  --listen ADDR:PORT   local address and port of stream 0 (recv, echo; same as --src in both)\n"
"  --one-socket         send every stream from one socket bound to --src (send only):\n"
"                       one source port, sendmmsg batches of up to 64 packets\n"
"\n"
"Packets (send, both):\n"
"  --pt N               RTP payload type (default 0, PCMU)\n"
"  --payload-size N     payload bytes, 0..8192 (default 160); from 16 bytes on, the\n"
"                       payload carries the send time, so the receiver reports latency\n"
"  --ptime MS           packet interval in ms (default 20), or\n"
"  --pps N              packets per second per stream\n"
"  --clock-rate HZ      RTP clock (default 8000); in every command the unit of the jitter\n"
"                       estimate\n"
"  --ts-step N          RTP timestamp increment (default clock-rate * ptime)\n"
"  --ssrc N             SSRC of stream 0, stream i gets N+i (default: random from --seed)\n"
"  --duration S         send for S seconds: exactly S*1000/ptime packets per stream;\n"
"                       recv, echo: stop after S seconds\n"
"  --count N            send N packets per stream (instead of --duration)\n"
"  --start-after S      start sending S seconds after the sockets are bound (both\n"
"                       ends of a test can bind before either sends)\n"
"\n"
"Impairments, decided per packet by the sender (send, both):\n"
"  --drop-every N       do not send every Nth packet (exactly 1/N loss)\n"
"  --loss PCT           drop packets at random with probability PCT percent\n"
"  --dup PCT            send packets twice with probability PCT percent\n"
"  --reorder PCT        hold a packet back until after the next one, probability PCT percent\n"
"  --delay-jitter MS    delay each packet by a random 0..MS ms (never reorders)\n"
"  --seed N             random seed: same seed, same SSRCs, sequence numbers and\n"
"                       impairments (default: from the clock; printed in the JSON)\n"
"\n"
"Receiving (recv, both, echo):\n"
"  --idle S             stop S seconds after the last packet (once one arrived)\n"
"  --linger S           both: keep receiving S seconds after sending ends (default 0.5)\n"
"  --rcvbuf BYTES       socket receive buffer, set with SO_RCVBUFFORCE (default 524288)\n"
"\n"
"Output:\n"
"  --json               JSON summary on stdout (fields in docs/rtpgen.md)\n"
"  --progress S         every S seconds a line on stderr: rates, loss, jitter so far\n"
"                       (one JSON object per line with --json)\n"
"  --no-per-stream      JSON: totals only, no per_stream array\n"
"  --sndbuf BYTES       socket send buffer (default: the system's)\n"
"  -h, --help           this text\n"
"\n"
"SIGINT or SIGTERM ends a run early; the summary is still printed.\n"
"Exit status: 0 done, 1 runtime error (bind, sockets, open-files limit), 2 bad arguments.\n";

static void __attribute__((format(printf, 1, 2), noreturn)) usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("rtpgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	exit(2);
}

static uint64_t parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (!*arg || *end || errno || *arg == '-' || v < min || v > max)
		usage_err("%s: expected an integer %llu..%llu, got '%s'", opt,
			  (unsigned long long)min, (unsigned long long)max, arg);
	return v;
}

static double parse_dbl(const char *opt, const char *arg, double min, double max, bool pct)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (pct && *end == '%' && end > arg)
		end++;
	if (!*arg || *end || errno || !isfinite(v) || v < min || v > max)
		usage_err("%s: expected a number %g..%g%s, got '%s'", opt, min, max,
			  pct ? " (percent)" : "", arg);
	return v;
}

static void parse_ep(const char *opt, const char *arg, struct endpoint *ep, bool need_port)
{
	int err = parse_endpoint(arg, ep, need_port);

	if (err == -EDESTADDRREQ)
		usage_err("%s: '%s' needs a port 1..65535 (ADDR:PORT, [IPv6]:PORT)", opt, arg);
	if (err)
		usage_err("%s: '%s' is not an IPv4 or IPv6 address with optional port "
			  "(ADDR:PORT, [IPv6]:PORT)", opt, arg);
}

enum {
	O_STREAMS = 256, O_PORT_STEP, O_DST, O_SRC, O_LISTEN, O_ONE_SOCKET, O_PT,
	O_PAYLOAD, O_PTIME, O_PPS, O_CLOCK, O_TS_STEP, O_SSRC, O_DURATION, O_COUNT,
	O_DROP_EVERY, O_LOSS, O_DUP, O_REORDER, O_DELAY, O_SEED, O_IDLE, O_LINGER,
	O_RCVBUF, O_SNDBUF, O_JSON, O_PROGRESS, O_START_AFTER, O_NO_PER_STREAM, O_HELP,
};

static const struct option opts[] = {
	{ "streams", 1, 0, O_STREAMS }, { "port-step", 1, 0, O_PORT_STEP },
	{ "dst", 1, 0, O_DST }, { "src", 1, 0, O_SRC }, { "listen", 1, 0, O_LISTEN },
	{ "one-socket", 0, 0, O_ONE_SOCKET }, { "pt", 1, 0, O_PT },
	{ "payload-size", 1, 0, O_PAYLOAD }, { "ptime", 1, 0, O_PTIME },
	{ "pps", 1, 0, O_PPS }, { "clock-rate", 1, 0, O_CLOCK },
	{ "ts-step", 1, 0, O_TS_STEP }, { "ssrc", 1, 0, O_SSRC },
	{ "duration", 1, 0, O_DURATION }, { "count", 1, 0, O_COUNT },
	{ "drop-every", 1, 0, O_DROP_EVERY }, { "loss", 1, 0, O_LOSS },
	{ "dup", 1, 0, O_DUP }, { "reorder", 1, 0, O_REORDER },
	{ "delay-jitter", 1, 0, O_DELAY }, { "seed", 1, 0, O_SEED },
	{ "idle", 1, 0, O_IDLE }, { "linger", 1, 0, O_LINGER },
	{ "rcvbuf", 1, 0, O_RCVBUF }, { "sndbuf", 1, 0, O_SNDBUF },
	{ "json", 0, 0, O_JSON }, { "progress", 1, 0, O_PROGRESS },
	{ "start-after", 1, 0, O_START_AFTER }, { "no-per-stream", 0, 0, O_NO_PER_STREAM },
	{ "help", 0, 0, O_HELP }, { 0 },
};

#define C_SEND	(1 << MODE_SEND)
#define C_RECV	(1 << MODE_RECV)
#define C_BOTH	(1 << MODE_BOTH)
#define C_ECHO	(1 << MODE_ECHO)

/* Which commands each option makes sense in; others are refused by name. */
static int opt_modes(int o)
{
	switch (o) {
	case O_DST: case O_SRC: case O_PT: case O_PAYLOAD: case O_PTIME: case O_PPS:
	case O_TS_STEP: case O_SSRC: case O_COUNT: case O_DROP_EVERY: case O_LOSS:
	case O_DUP: case O_REORDER: case O_DELAY: case O_SEED: case O_SNDBUF:
	case O_START_AFTER:
		return C_SEND | C_BOTH;
	case O_ONE_SOCKET:
		return C_SEND;
	case O_LISTEN: case O_IDLE: case O_RCVBUF:
		return C_RECV | C_BOTH | C_ECHO;
	case O_LINGER:
		return C_BOTH;
	default:
		return C_SEND | C_RECV | C_BOTH | C_ECHO;
	}
}

static const char *opt_name(int o)
{
	for (const struct option *p = opts; p->name; p++)
		if (p->val == o)
			return p->name;
	return "?";
}

static void parse_args(int argc, char **argv, struct cfg *c)
{
	const char *cmd = argv[1];
	bool have_ptime = false, have_pps = false, have_dur = false, have_count = false;
	bool have_ts_step = false, have_seed = false, have_listen = false;
	double ptime_ms = 20, pps = 0;
	struct endpoint listen = { 0 };
	int o;

	if (argc < 2 || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		exit(argc < 2 ? 2 : 0);
	}
	if (!strcmp(cmd, "send"))
		c->mode = MODE_SEND;
	else if (!strcmp(cmd, "recv"))
		c->mode = MODE_RECV;
	else if (!strcmp(cmd, "both"))
		c->mode = MODE_BOTH;
	else if (!strcmp(cmd, "echo"))
		c->mode = MODE_ECHO;
	else
		usage_err("unknown command '%s' (send, recv, both, echo; --help for usage)", cmd);

	*c = (struct cfg){
		.mode = c->mode, .streams = 1, .port_step = 2, .pt = 0,
		.payload_size = 160, .clock_rate = 8000, .linger_s = 0.5,
		.rcvbuf = 512 * 1024, .per_stream = true,
	};
	optind = 2;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == '?') {
			if (optopt >= O_STREAMS)
				usage_err("--%s needs a value (--help for usage)", opt_name(optopt));
			if (optopt)
				usage_err("option -%c is unknown (--help for usage)", optopt);
			usage_err("option '%s' is unknown or lacks its value (--help for usage)",
				  argv[optind - 1]);
		}
		if (o == 'h')
			o = O_HELP;
		if (!(opt_modes(o) & (1 << c->mode)))
			usage_err("--%s does not apply to '%s'", opt_name(o), cmd);
		switch (o) {
		case O_STREAMS: c->streams = parse_u64("--streams", optarg, 1, 65535); break;
		case O_PORT_STEP: c->port_step = parse_u64("--port-step", optarg, 0, 1000); break;
		case O_DST: parse_ep("--dst", optarg, &c->dst, true); break;
		case O_SRC: parse_ep("--src", optarg, &c->local, c->mode == MODE_BOTH); break;
		case O_LISTEN:
			parse_ep("--listen", optarg, &listen, true);
			have_listen = true;
			break;
		case O_ONE_SOCKET: c->one_socket = true; break;
		case O_PT: c->pt = parse_u64("--pt", optarg, 0, 127); break;
		case O_PAYLOAD:
			c->payload_size = parse_u64("--payload-size", optarg, 0, RTPGEN_MAX_PAYLOAD);
			break;
		case O_PTIME:
			ptime_ms = parse_dbl("--ptime", optarg, 0.01, 60000, false);
			have_ptime = true;
			break;
		case O_PPS:
			pps = parse_dbl("--pps", optarg, 0.001, 100000, false);
			have_pps = true;
			break;
		case O_CLOCK: c->clock_rate = parse_u64("--clock-rate", optarg, 1, 10000000); break;
		case O_TS_STEP:
			c->ts_step = parse_u64("--ts-step", optarg, 0, UINT32_MAX);
			have_ts_step = true;
			break;
		case O_SSRC:
			c->ssrc_base = parse_u64("--ssrc", optarg, 0, UINT32_MAX);
			c->have_ssrc = true;
			break;
		case O_DURATION:
			c->duration_s = parse_dbl("--duration", optarg, 0.001, 86400 * 365, false);
			have_dur = true;
			break;
		case O_COUNT:
			c->count = parse_u64("--count", optarg, 1, UINT64_MAX - 1);
			have_count = true;
			break;
		case O_DROP_EVERY: c->drop_every = parse_u64("--drop-every", optarg, 2, UINT32_MAX); break;
		case O_LOSS: c->loss = parse_dbl("--loss", optarg, 0, 100, true) / 100; break;
		case O_DUP: c->dup = parse_dbl("--dup", optarg, 0, 100, true) / 100; break;
		case O_REORDER: c->reorder = parse_dbl("--reorder", optarg, 0, 100, true) / 100; break;
		case O_DELAY:
			c->delay_jitter_ns = parse_dbl("--delay-jitter", optarg, 0, 60000, false) * 1e6;
			break;
		case O_SEED:
			c->seed = parse_u64("--seed", optarg, 0, UINT64_MAX);
			have_seed = true;
			break;
		case O_IDLE: c->idle_s = parse_dbl("--idle", optarg, 0.001, 86400, false); break;
		case O_LINGER: c->linger_s = parse_dbl("--linger", optarg, 0, 3600, false); break;
		case O_RCVBUF: c->rcvbuf = parse_u64("--rcvbuf", optarg, 4096, 1 << 30); break;
		case O_SNDBUF: c->sndbuf = parse_u64("--sndbuf", optarg, 4096, 1 << 30); break;
		case O_JSON: c->json = true; break;
		case O_START_AFTER:
			c->start_after_s = parse_dbl("--start-after", optarg, 0, 3600, false);
			break;
		case O_PROGRESS:
			c->progress_s = parse_dbl("--progress", optarg, 0.1, 3600, false);
			break;
		case O_NO_PER_STREAM: c->per_stream = false; break;
		case O_HELP: fputs(usage, stdout); exit(0);
		}
	}
	if (optind < argc)
		usage_err("unexpected argument '%s' (--help for usage)", argv[optind]);

	if (have_ptime && have_pps)
		usage_err("--ptime and --pps both set the packet interval: give one");
	c->interval_ns = have_pps ? 1e9 / pps : ptime_ms * 1e6;
	if (c->interval_ns < 10000)
		usage_err("--pps: at most 100000 packets per second per stream");
	if (!have_ts_step)
		c->ts_step = llround((double)c->clock_rate * c->interval_ns / 1e9);
	if (!have_seed)
		c->seed = now_real_ns();

	if (have_listen) {
		if (c->local.set)
			usage_err("--listen: give either --src or --listen (the same socket in 'both')");
		c->local = listen;
	}
	if (c->mode & MODE_SEND) {
		if (!c->dst.set)
			usage_err("--dst: required for '%s'", cmd);
		if (c->local.set && c->local.ss.ss_family != c->dst.ss.ss_family)
			usage_err("--src: address family differs from --dst's");
		if (have_dur && have_count)
			usage_err("--count: give either --count or --duration");
		if (have_dur)
			c->count = llround(c->duration_s * 1e9 / c->interval_ns);
		if (!have_dur && !have_count)
			c->count = UINT64_MAX;	/* until SIGINT/SIGTERM */
		if (c->count == 0)
			usage_err("--duration: shorter than one packet interval");
		if (endpoint_port(&c->dst) + (uint64_t)(c->streams - 1) * c->port_step > 65535)
			usage_err("--dst: port %u + (%u streams - 1) * --port-step %u exceeds 65535",
				  endpoint_port(&c->dst), c->streams, c->port_step);
		if (c->one_socket && !c->local.set)
			usage_err("--one-socket: needs --src ADDR[:PORT] to bind");
	}
	if (c->mode & MODE_RECV) {
		if (!c->local.set)
			usage_err("%s: required for '%s'", c->mode == MODE_BOTH ?
				  "--src (or --listen)" : "--listen", cmd);
		if (c->streams > 1 && c->port_step == 0)
			usage_err("--port-step: 0 would bind one port %u times", c->streams);
	}
	if (c->local.set && endpoint_port(&c->local) && !c->one_socket &&
	    endpoint_port(&c->local) + (uint64_t)(c->streams - 1) * c->port_step > 65535)
		usage_err("%s: port %u + (%u streams - 1) * --port-step %u exceeds 65535",
			  have_listen ? "--listen" : "--src", endpoint_port(&c->local),
			  c->streams, c->port_step);
	if (c->delay_jitter_ns && !(c->mode & MODE_SEND))
		usage_err("--delay-jitter does not apply to '%s'", cmd);
}

/* Soft limit up to the hard one; refuse early, and say why, when the
 * streams need more sockets than the hard limit allows. */
static int raise_nofile(const struct cfg *c)
{
	rlim_t need = (c->one_socket ? 1 : c->streams) + 16;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (need > rl.rlim_cur) {
		fprintf(stderr, "rtpgen: --streams %u needs %llu open files (one socket per "
			"stream), the open-files limit is %llu (RLIMIT_NOFILE hard limit)%s\n",
			c->streams, (unsigned long long)need, (unsigned long long)rl.rlim_cur,
			c->mode == MODE_SEND ? "; --one-socket needs one" : "");
		return -EMFILE;
	}
	return 0;
}

static void on_signal(int sig)
{
	stop = 1;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void ready_line(const struct run *r)
{
	const struct cfg *c = r->cfg;
	char a[64], b[64];

	format_sockaddr(&r->st[0].local.ss, a, sizeof(a));
	format_sockaddr(&r->st[c->streams - 1].local.ss, b, sizeof(b));
	fprintf(stderr, "rtpgen: ready: %u stream%s on %s%s%s\n", c->streams,
		c->streams > 1 ? "s" : "", r->st[0].local.set ? a : "ephemeral ports",
		c->streams > 1 && r->st[0].local.set && !c->one_socket ? " .. " : "",
		c->streams > 1 && r->st[0].local.set && !c->one_socket ? b : "");
}

static int run_loop(struct run *r)
{
	const struct cfg *c = r->cfg;
	struct epoll_event ev[256];
	uint64_t now, tx_end = 0, rx_end = UINT64_MAX, next_prog = UINT64_MAX;
	uint64_t prog_ns = (uint64_t)(c->progress_s * 1e9);

	if (!(c->mode & MODE_SEND) && c->duration_s > 0)
		rx_end = r->t0_ns + (uint64_t)(c->duration_s * 1e9);
	if (prog_ns)
		next_prog = r->t0_ns + prog_ns;
	for (;;) {
		uint64_t deadline = UINT64_MAX;
		struct timespec ts;
		int n;

		now = now_mono_ns();
		if (stop)
			break;
		if (c->mode & MODE_SEND) {
			tx_run_due(r, now);
			if (!r->tx_active) {
				if (c->mode == MODE_SEND)
					break;
				if (!tx_end)
					tx_end = now + (uint64_t)(c->linger_s * 1e9);
				rx_end = min_u64(rx_end, tx_end);
			}
		}
		if (now >= rx_end)
			break;
		if (now >= next_prog) {
			progress(r, now - r->t0_ns);
			next_prog += prog_ns;
		}
		deadline = next_prog;
		if (c->idle_s > 0 && r->last_rx_ns && (!(c->mode & MODE_SEND) || !r->tx_active)) {
			uint64_t idle_end = r->last_rx_ns + (uint64_t)(c->idle_s * 1e9);

			if (now >= idle_end)
				break;
			deadline = min_u64(deadline, idle_end);
		}
		deadline = min_u64(deadline, min_u64(tx_next_due(r), rx_end));
		if (deadline == UINT64_MAX) {
			ts = (struct timespec){ 1, 0 };
		} else {
			uint64_t d = deadline > now ? deadline - now : 0;

			ts = (struct timespec){ d / 1000000000, d % 1000000000 };
		}
		n = epoll_pwait2(r->epfd, ev, 256, &ts, NULL);
		if (n < 0 && errno != EINTR) {
			perror("rtpgen: epoll_pwait2");
			return -errno;
		}
		for (int i = 0; i < n; i++)
			rx_drain(r, ev[i].data.u32);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct cfg cfg;
	struct run r = { .cfg = &cfg, .shared_fd = -1 };
	int err = 0;

	parse_args(argc, argv, &cfg);
	if (raise_nofile(&cfg))
		return 1;
	/* Timer slack would add up to 50 us of our own jitter per packet. */
	prctl(PR_SET_TIMERSLACK, 1UL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	r.st = calloc(cfg.streams, sizeof(*r.st));
	r.heap = calloc(cfg.streams, sizeof(*r.heap));
	r.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!r.st || !r.heap || r.epfd < 0) {
		fprintf(stderr, "rtpgen: out of memory or epoll: %s\n", strerror(errno));
		return 1;
	}
	for (uint32_t i = 0; i < cfg.streams; i++)
		rtp_meter_init(&r.st[i].meter, cfg.clock_rate);
	rx_init();
	err = open_sockets(&r);
	if (err)
		goto out;
	ready_line(&r);
	/* Start a little ahead so the first packets are not already late. */
	r.t0_ns = now_mono_ns() + 2000000 + (uint64_t)(cfg.start_after_s * 1e9);
	if (cfg.mode & MODE_SEND)
		tx_init(&r);
	err = run_loop(&r);
	report(&r, now_mono_ns() - r.t0_ns);
out:
	close_sockets(&r);
	close(r.epfd);
	free(r.heap);
	free(r.st);
	return err ? 1 : 0;
}
