// SPDX-License-Identifier: GPL-2.0-only
/*
 * One lab packets/s measurement (tests/bench/bench_xdp_lab.sh runs it).
 *
 *   xdp_bench --mode floor|redirect|relay [--flows N] [--seconds S] [--pin-dir DIR]
 *             [--prefix P] [--obj build/bench_xdp.bpf.o] [--cpu N]
 *
 * Load: BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on sbc-eth in
 * <P>sbc (bench_gen: 214-byte G.711/20 ms frames, XDP_TX towards the relay).
 * floor: bench_floor (swap MACs, XDP_TX) on sbc0, counted back on sbc-eth.
 * redirect: bench_redirect (devmap redirect to pbx0, no rewrite) on sbc0,
 * counted on pbx-eth.
 * relay: rtprelay (already attached with maps in --pin-dir) forwards to
 * pbx0; counted on pbx-eth. With --flows N, N flows are installed first
 * (and removed after) and the generator spreads packets over them.
 * The programs it replaces on the lab's devices are put back at exit.
 * Prints one line: mode flows seconds generated delivered gen_pps pps.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "endpoint.h"

#define FRAME_LEN	214	/* 14 + 20 + 8 + 12 RTP + 160 G.711 */
#define GEN_HDR_LEN	42
#define REPEAT		(1 << 21)	/* ~0.3-0.5 s per call at 4-6 Mpps */

struct gen_cfg {
	__u8 hdr[GEN_HDR_LEN];
	__u16 pad;
	__u32 nflows;
	__u32 base_port;
	__u32 next;
};

static const char *prefix = "rr-";

static void die(const char *msg)
{
	fprintf(stderr, "xdp_bench: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void enter_ns(const char *node)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/var/run/netns/%s%s", prefix, node);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

/* A program swapped onto a device, and what to put back. */
struct swap {
	const char *node, *dev;
	int ifindex;
	int old_fd;	/* holds the old program: detached, it would be freed */
};

static void swap_in(struct swap *s, int prog_fd)
{
	__u32 id = 0;

	enter_ns(s->node);
	s->ifindex = (int)if_nametoindex(s->dev);
	if (!s->ifindex)
		die(s->dev);
	s->old_fd = -1;
	if (!bpf_xdp_query_id(s->ifindex, XDP_FLAGS_DRV_MODE, &id) && id)
		s->old_fd = bpf_prog_get_fd_by_id(id);
	if (bpf_xdp_attach(s->ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL))
		die(s->dev);
}

static void swap_out(struct swap *s)
{
	if (!s->ifindex)
		return;
	enter_ns(s->node);
	if (s->old_fd >= 0) {
		bpf_xdp_attach(s->ifindex, s->old_fd, XDP_FLAGS_DRV_MODE, NULL);
		close(s->old_fd);
	} else {
		bpf_xdp_detach(s->ifindex, XDP_FLAGS_DRV_MODE, NULL);
	}
}

static __u64 read_count(int map_fd, int ncpus)
{
	__u64 v[ncpus], sum = 0;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(map_fd, &zero, v))
		die("count map");
	for (int i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static __u16 csum16(const void *p, size_t len)
{
	const __u8 *b = p;
	__u32 s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (__u32)(b[i] << 8 | b[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* SBC 198.51.100.10:40000 -> relay 198.51.100.1:base_port, RTP PCMU. */
static void build_frame(__u8 *f, __u16 dport)
{
	static const __u8 dmac[6] = { 0x02, 0, 0, 0x51, 0, 0x01 };	/* sbc0 */
	static const __u8 smac[6] = { 0x02, 0, 0, 0x51, 0, 0x10 };	/* sbc-eth */
	__u8 *ip = f + 14, *udp = f + 34, *rtp = f + 42;
	__u16 c;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (FRAME_LEN - 14) >> 8;
	ip[3] = (FRAME_LEN - 14) & 0xff;
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, "198.51.100.10", ip + 12);
	inet_pton(AF_INET, "198.51.100.1", ip + 16);
	c = csum16(ip, 20);
	ip[10] = (__u8)(c >> 8);
	ip[11] = (__u8)c;
	udp[0] = 40000 >> 8;
	udp[1] = 40000 & 0xff;
	udp[2] = (__u8)(dport >> 8);
	udp[3] = (__u8)dport;
	udp[4] = (FRAME_LEN - 34) >> 8;
	udp[5] = (FRAME_LEN - 34) & 0xff;
	/* UDP checksum 0: allowed on IPv4, and the relay keeps it 0. */
	rtp[0] = 0x80;
	rtp[1] = 0;		/* PT 0: PCMU, 8000 Hz */
	rtp[11] = 0x42;		/* SSRC */
	memset(rtp + 12, 0xd5, 160);
}

/* --no-jitter: the relay's flows skip jitter (RTPRELAY_F_NO_JITTER). */
static __u32 flow_flags;

static int install_flows(const char *pin_dir, unsigned int n, bool del)
{
	struct rr_dp_config cfg = { .pin_dir = pin_dir };
	struct rr_dp dp = { .ops = &rr_dp_xdp_ops };
	char err[RR_ENDPOINT_ERRLEN];
	int ret;

	enter_ns("relay");
	ret = dp.ops->open(&dp, &cfg);
	if (ret) {
		fprintf(stderr, "xdp_bench: open %s: %s\n", pin_dir, strerror(-ret));
		return ret;
	}
	for (unsigned int i = 0; i < n && !ret; i++) {
		struct rtprelay_flow_key key = {};
		struct rtprelay_flow flow = { .id = i, .dscp = 46, .flags = flow_flags };
		char a[64];

		snprintf(a, sizeof(a), "198.51.100.1:%u", 20000 + i);
		rr_endpoint_parse(a, &key.local, err, sizeof(err));
		if (del) {
			dp.ops->flow_del(&dp, &key);
			continue;
		}
		snprintf(a, sizeof(a), "203.0.113.1:%u", 30000 + i);
		rr_endpoint_parse(a, &flow.out_src, err, sizeof(err));
		snprintf(a, sizeof(a), "203.0.113.10:%u", 50000 + i % 10000);
		rr_endpoint_parse(a, &flow.out_dst, err, sizeof(err));
		ret = dp.ops->flow_add(&dp, &key, &flow);
		if (ret)
			fprintf(stderr, "xdp_bench: flow %u: %s\n", i, strerror(-ret));
	}
	dp.ops->close(&dp, true);
	return ret;
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *pin_dir = NULL, *obj_path = "build/bench_xdp.bpf.o";
	unsigned int flows = 0, seconds = 3;
	int cpu = -1, ncpus, gen_fd, count_fd, cfg_fd, ret = 0;
	struct swap relay_dev = { .node = "relay", .dev = "sbc0" }, sink = { .node = NULL };
	struct bpf_object *obj;
	struct gen_cfg cfg = {};
	__u8 frame[FRAME_LEN];
	__u32 zero = 0;
	__u64 c0, c1, generated = 0;
	double t0, t1;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--no-jitter")) {
			flow_flags |= RTPRELAY_F_NO_JITTER;
			continue;
		}
		if (!v)
			goto usage;
		if (!strcmp(argv[i], "--mode"))
			mode = v;
		else if (!strcmp(argv[i], "--flows"))
			flows = (unsigned int)atoi(v);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = (unsigned int)atoi(v);
		else if (!strcmp(argv[i], "--pin-dir"))
			pin_dir = v;
		else if (!strcmp(argv[i], "--prefix"))
			prefix = v;
		else if (!strcmp(argv[i], "--obj"))
			obj_path = v;
		else if (!strcmp(argv[i], "--cpu"))
			cpu = atoi(v);
		else
			goto usage;
		i++;
	}
	if (!mode || (strcmp(mode, "floor") && strcmp(mode, "relay") && strcmp(mode, "redirect")) ||
	    seconds < 1 || seconds > 30 || flows > 65535 - 20000 ||
	    (!strcmp(mode, "relay") && !pin_dir))
		goto usage;
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}

	ncpus = libbpf_num_possible_cpus();
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj || bpf_object__load(obj))
		die(obj_path);
	gen_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "bench_gen"));
	count_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "count"));
	cfg_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "gen_cfg"));

	build_frame(frame, 20000);
	memcpy(cfg.hdr, frame, GEN_HDR_LEN);
	cfg.nflows = flows > 1 ? flows : 1;
	cfg.base_port = 20000;
	if (bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY))
		die("gen_cfg");

	if (!strcmp(mode, "floor")) {
		swap_in(&relay_dev, bpf_program__fd(bpf_object__find_program_by_name(obj, "bench_floor")));
		sink = (struct swap){ .node = "sbc", .dev = "sbc-eth" };
	} else if (!strcmp(mode, "redirect")) {
		__u32 pbx0;

		enter_ns("relay");
		pbx0 = if_nametoindex("pbx0");
		if (!pbx0 || bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj,
						 "tx_port")), &zero, &pbx0, BPF_ANY))
			die("tx_port");
		swap_in(&relay_dev, bpf_program__fd(bpf_object__find_program_by_name(obj, "bench_redirect")));
		sink = (struct swap){ .node = "pbx", .dev = "pbx-eth" };
	} else {
		relay_dev.ifindex = 0;	/* rtprelay stays on sbc0 */
		if (install_flows(pin_dir, cfg.nflows, false)) {
			ret = 1;
			goto out;
		}
		sink = (struct swap){ .node = "pbx", .dev = "pbx-eth" };
	}
	swap_in(&sink, bpf_program__fd(bpf_object__find_program_by_name(obj, "bench_count")));

	enter_ns("sbc");
	{
		struct xdp_md ctx = {
			.data_end = FRAME_LEN,
			.ingress_ifindex = if_nametoindex("sbc-eth"),
		};
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = frame,
			.data_size_in = FRAME_LEN,
			.ctx_in = &ctx,
			.ctx_size_in = sizeof(ctx),
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			.repeat = 1 << 16,
		);

		/* Warm-up: page pool, neighbour and FIB caches. */
		if (bpf_prog_test_run_opts(gen_fd, &opts))
			die("BPF_PROG_TEST_RUN (live frames)");
		usleep(100000);
		opts.repeat = REPEAT;
		c0 = read_count(count_fd, ncpus);
		t0 = now();
		do {
			if (bpf_prog_test_run_opts(gen_fd, &opts))
				die("BPF_PROG_TEST_RUN (live frames)");
			generated += REPEAT;
			t1 = now();
		} while (t1 - t0 < seconds);
		c1 = read_count(count_fd, ncpus);
	}
	printf("%s%s %u %.2f %llu %llu %.0f %.0f\n", mode, flow_flags ? "-nojitter" : "",
	       cfg.nflows, t1 - t0,
	       (unsigned long long)generated, (unsigned long long)(c1 - c0),
	       (double)generated / (t1 - t0), (double)(c1 - c0) / (t1 - t0));
out:
	swap_out(&sink);
	swap_out(&relay_dev);
	if (!strcmp(mode, "relay"))
		install_flows(pin_dir, cfg.nflows, true);
	bpf_object__close(obj);
	return ret;
usage:
	fprintf(stderr, "usage: xdp_bench --mode floor|redirect|relay [--flows N<=45535] [--seconds 1..30] "
		"[--pin-dir DIR (relay)] [--no-jitter] [--prefix P] [--obj PATH] [--cpu N]\n");
	return 2;
}
