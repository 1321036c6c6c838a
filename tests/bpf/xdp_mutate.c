// SPDX-License-Identifier: GPL-2.0-only
/*
 * Property test (and libFuzzer target) for the XDP program: whatever bytes
 * arrive, the verdict is PASS with the frame untouched, DROP, or a forward
 * of a well-formed packet to the flow's peer whose checksums are valid
 * exactly when the input's were. "Bad input never costs data": a malformed
 * packet is passed or dropped, never forwarded wrong.
 *
 * Runs in a private network namespace with two veth pairs shaped like the
 * lab's relay (sbc0 198.51.100.1, pbx0 203.0.113.1, static neighbours).
 * Built twice: with -DRR_FUZZ_MAIN=0 as a libFuzzer target (make fuzz), and
 * as a TAP test that applies N seeded mutations to valid seed packets.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <rtprelay/bpf_maps.h>
#include <rtprelay/flow.h>

static int prog_fd = -1, ifindex_sbc;
static struct bpf_object *obj;
static struct rtprelay_flow flow4, flow6;

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "setup: '%s' failed (%d)\n", cmd, rc);
	return rc;
}

static void ep(struct rtprelay_endpoint *e, const char *addr, int port)
{
	memset(e, 0, sizeof(*e));
	e->family = strchr(addr, ':') ? RTPRELAY_AF_INET6 : RTPRELAY_AF_INET;
	inet_pton(e->family, addr, &e->addr);
	e->port = htons(port);
}

static int add_flow(int fd, const char *in, const char *src, const char *dst,
		    __u32 id, struct rtprelay_flow *f)
{
	struct rtprelay_flow_key k;

	memset(f, 0, sizeof(*f));
	ep(&k.local, in, 20000);
	ep(&f->out_src, src, 30000);
	ep(&f->out_dst, dst, 50000);
	f->id = id;
	f->dscp = RTPRELAY_DSCP_EF;
	return bpf_map_update_elem(fd, &k, f, BPF_ANY);
}

static int setup(void)
{
	const char *obj_path = getenv("RR_BPF_OBJ") ?: "build/rtprelay.bpf.o";
	static const char *const cmds[] = {
		"ip link add sbc0 address 02:00:00:51:00:01 type veth peer name sbc-eth address 02:00:00:51:00:10",
		"ip link add pbx0 address 02:00:00:13:00:01 type veth peer name pbx-eth address 02:00:00:13:00:10",
		"ip addr add 198.51.100.1/24 dev sbc0",
		"ip addr add 203.0.113.1/24 dev pbx0",
		"ip -6 addr add 2001:db8:51::1/64 dev sbc0 nodad",
		"ip -6 addr add 2001:db8:113::1/64 dev pbx0 nodad",
		"for d in lo sbc0 sbc-eth pbx0 pbx-eth; do ip link set $d up; done",
		"ip neigh replace 198.51.100.10 lladdr 02:00:00:51:00:10 dev sbc0 nud permanent",
		"ip neigh replace 203.0.113.10 lladdr 02:00:00:13:00:10 dev pbx0 nud permanent",
		"ip neigh replace 2001:db8:51::10 lladdr 02:00:00:51:00:10 dev sbc0 nud permanent",
		"ip neigh replace 2001:db8:113::10 lladdr 02:00:00:13:00:10 dev pbx0 nud permanent",
		"sysctl -qw net.ipv4.conf.sbc0.forwarding=1 net.ipv4.conf.pbx0.forwarding=1 "
		"net.ipv6.conf.sbc0.forwarding=1 net.ipv6.conf.pbx0.forwarding=1",
	};
	int fd, ifi;

	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET) (needs root)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (sh(cmds[i]))
			return -1;
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s\n", obj_path);
		return -1;
	}
	prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, RTPRELAY_PROG_XDP));
	ifindex_sbc = if_nametoindex("sbc0");
	fd = bpf_object__find_map_fd_by_name(obj, RTPRELAY_MAP_TX_PORTS);
	ifi = if_nametoindex("pbx0");
	if (bpf_map_update_elem(fd, &ifi, &ifi, BPF_ANY))
		return -1;
	fd = bpf_object__find_map_fd_by_name(obj, RTPRELAY_MAP_FLOWS);
	if (add_flow(fd, "198.51.100.1", "203.0.113.1", "203.0.113.10", 1, &flow4) ||
	    add_flow(fd, "2001:db8:51::1", "2001:db8:113::1", "2001:db8:113::10", 2, &flow6))
		return -1;
	return 0;
}

/* RFC 1071 sum over a buffer, from scratch (not the program's code). */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* Locate L3 behind Ethernet and up to two VLAN tags; -1 if not IP. */
static int l3_off(const uint8_t *p, size_t n, uint16_t *proto)
{
	size_t off = 12;

	for (int i = 0; i < 3 && off + 2 <= n; i++) {
		*proto = (p[off] << 8) | p[off + 1];
		if (*proto != ETH_P_8021Q && *proto != ETH_P_8021AD)
			return off + 2;
		off += 4;
	}
	return -1;
}

/*
 * The UDP checksum of the datagram at `udp` (length from its header) is
 * valid; 1 valid, 0 invalid, -1 not checkable (v4 zero checksum).
 */
static int udp_csum_ok(const uint8_t *src, const uint8_t *dst, int alen,
		       const uint8_t *udp, size_t ulen)
{
	uint32_t s;

	if (alen == 4 && !udp[6] && !udp[7])
		return -1;
	s = sum16(src, alen, 0);
	s = sum16(dst, alen, s);
	s += IPPROTO_UDP + ulen;
	s = sum16(udp, ulen, s);
	return fold(s) == 0xffff;
}

struct parsed {
	int family;
	const uint8_t *src, *dst, *udp;
	size_t ulen;
	int hops;
	int l3csum_ok;
	int l4csum_ok;
};

/* Parse just enough of a frame the program forwarded (or its input); the
 * frame must be a plain, consistent IPv4/IPv6 UDP packet. */
static bool parse(const uint8_t *p, size_t n, struct parsed *o)
{
	uint16_t proto = 0;
	int off = l3_off(p, n, &proto);

	memset(o, 0, sizeof(*o));
	if (off < 0)
		return false;
	/* Byte offsets, not struct casts: L3 is rarely 4-byte aligned. */
	if (proto == ETH_P_IP) {
		const uint8_t *ip = p + off;
		size_t hl, tot;

		if ((size_t)off + 20 > n)
			return false;
		hl = (ip[0] & 0xf) * 4;
		tot = (ip[2] << 8) | ip[3];
		if (hl < 20 || off + hl + 8 > n || tot > n - off)
			return false;
		o->family = 4;
		o->src = p + off + 12;
		o->dst = p + off + 16;
		o->udp = p + off + hl;
		o->ulen = (o->udp[4] << 8) | o->udp[5];
		if (o->ulen < 8 || o->ulen > tot - hl)
			return false;
		o->hops = ip[8];
		o->l3csum_ok = fold(sum16(p + off, hl, 0)) == 0xffff;
		o->l4csum_ok = udp_csum_ok(o->src, o->dst, 4, o->udp, o->ulen);
		return true;
	}
	if (proto == ETH_P_IPV6) {
		const uint8_t *ip = p + off;

		if ((size_t)off + 48 > n || ip[6] != IPPROTO_UDP)
			return false; /* forwarded output never needs ext. headers here */
		o->family = 6;
		o->src = p + off + 8;
		o->dst = p + off + 24;
		o->udp = p + off + 40;
		o->ulen = (o->udp[4] << 8) | o->udp[5];
		if (o->ulen < 8 || off + 40 + o->ulen > n)
			return false;
		o->hops = ip[7];
		o->l3csum_ok = 1;
		o->l4csum_ok = udp_csum_ok(o->src, o->dst, 16, o->udp, o->ulen);
		return true;
	}
	return false;
}

static char violation[256];

#define FAIL(...) do { snprintf(violation, sizeof(violation), __VA_ARGS__); return false; } while (0)

/* Runs one frame through the program and checks the invariants. */
static bool check_one(const uint8_t *in, size_t n)
{
	uint8_t out[2048];
	struct xdp_md ctx = { .data_end = n, .ingress_ifindex = ifindex_sbc };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = n,
		    .data_out = out, .data_size_out = sizeof(out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	struct parsed pi, po;
	const struct rtprelay_flow *f;

	if (n < ETH_HLEN || n > 1500 + ETH_HLEN + 8)
		return true; /* the kernel refuses such test runs itself */
	if (bpf_prog_test_run_opts(prog_fd, &o)) {
		if (errno == EINVAL)
			return true; /* e.g. a frame too short for the test-run API */
		FAIL("test run: %s", strerror(errno));
	}
	switch (o.retval) {
	case XDP_PASS:
		if (o.data_size_out != n || memcmp(in, out, n))
			FAIL("PASS changed the frame");
		return true;
	case XDP_DROP:
		return true;
	case XDP_TX:
	case XDP_REDIRECT:
		break;
	default:
		FAIL("verdict %u", o.retval);
	}
	if (o.data_size_out != n)
		FAIL("forward changed the length %zu -> %u", n, o.data_size_out);
	if (!parse(in, n, &pi))
		FAIL("forwarded a frame that is not a consistent UDP packet");
	if (!parse(out, n, &po) || po.family != pi.family)
		FAIL("forwarded output is not a consistent UDP packet");
	f = po.family == 4 ? &flow4 : &flow6;
	if (memcmp(po.src, &f->out_src.addr, po.family == 4 ? 4 : 16) ||
	    memcmp(po.dst, &f->out_dst.addr, po.family == 4 ? 4 : 16) ||
	    memcmp(po.udp, &f->out_src.port, 2) || memcmp(po.udp + 2, &f->out_dst.port, 2))
		FAIL("forwarded to the wrong address/port");
	if (po.hops != pi.hops - 1 || pi.hops <= 1)
		FAIL("TTL %d -> %d", pi.hops, po.hops);
	if (!po.l3csum_ok && pi.l3csum_ok)
		FAIL("IPv4 header checksum broken by the rewrite");
	if (po.l4csum_ok != pi.l4csum_ok)
		FAIL("UDP checksum validity changed %d -> %d", pi.l4csum_ok, po.l4csum_ok);
	if (memcmp(out + 6, "\x02\x00\x00\x13\x00\x01", 6) ||
	    memcmp(out, "\x02\x00\x00\x13\x00\x10", 6))
		FAIL("wrong MAC addresses");
	return true;
}

/* Valid seed frames: RTP to the v4 and v6 flows, VLAN-tagged, v4 options. */
static size_t seed(int which, uint8_t *p)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0x51, 0, 1, 2, 0, 0, 0x51, 0, 0x10 };
	bool v6 = which & 1, vlan = which & 2, opts = (which & 4) && !v6;
	size_t off = 12, pl = 12 + 160, hl = opts ? 24 : (v6 ? 40 : 20);
	uint8_t *ip, *udp;
	uint32_t s;

	memset(p, 0, 1600);
	memcpy(p, mac, 12);
	if (vlan) {
		p[off] = 0x81; p[off + 2] = 0; p[off + 3] = 42;
		off += 4;
	}
	p[off] = v6 ? 0x86 : 0x08;
	p[off + 1] = v6 ? 0xdd : 0x00;
	ip = p + off + 2;
	udp = ip + hl;
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (8 + pl) >> 8; ip[5] = (8 + pl) & 0xff;
		ip[6] = IPPROTO_UDP; ip[7] = 64;
		inet_pton(AF_INET6, "2001:db8:51::10", ip + 8);
		inet_pton(AF_INET6, "2001:db8:51::1", ip + 24);
	} else {
		ip[0] = 0x40 | (hl / 4);
		ip[2] = (hl + 8 + pl) >> 8; ip[3] = (hl + 8 + pl) & 0xff;
		ip[8] = 64; ip[9] = IPPROTO_UDP;
		inet_pton(AF_INET, "198.51.100.10", ip + 12);
		inet_pton(AF_INET, "198.51.100.1", ip + 16);
		if (opts)
			ip[20] = 1, ip[21] = 1, ip[22] = 1, ip[23] = 0; /* NOPs, EOL */
		s = fold(sum16(ip, hl, 0));
		ip[10] = ~s >> 8; ip[11] = ~s & 0xff;
	}
	udp[0] = 40000 >> 8; udp[1] = 40000 & 0xff;
	udp[2] = 20000 >> 8; udp[3] = 20000 & 0xff;
	udp[4] = (8 + pl) >> 8; udp[5] = (8 + pl) & 0xff;
	udp[8] = 0x80; udp[10] = 0; udp[11] = which; /* RTP v2, PT 0 */
	s = sum16(ip + (v6 ? 8 : 12), v6 ? 32 : 8, 0) + IPPROTO_UDP + 8 + pl;
	s = fold(sum16(udp, 8 + pl, s));
	udp[6] = ~s >> 8; udp[7] = ~s & 0xff;
	return ip - p + hl + 8 + pl;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (setup())
		exit(1);
	return 0;
}

/*
 * libFuzzer cannot see coverage inside the BPF program, and random bytes
 * rarely hit a flow: each input is a recipe applied to a valid seed frame.
 * Byte 0 picks the seed, byte 1 a truncation/extension, then (offset, value)
 * pairs overwrite bytes of the frame.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[1600];
	size_t n;

	if (size < 2)
		return 0;
	n = seed(data[0] & 7, buf);
	if (data[1] & 0x80)
		n = ETH_HLEN + (data[1] & 0x7f) * n / 128;	/* truncate */
	else
		n += data[1] & 0x1f;				/* trailing bytes */
	for (size_t i = 2; i + 1 < size; i += 2)
		buf[data[i] % (n < 128 ? n : 128)] = data[i + 1];
	if (!check_one(buf, n)) {
		fprintf(stderr, "invariant violated: %s\n", violation);
		abort();
	}
	return 0;
}

#if RR_FUZZ_MAIN
/* xorshift64*: deterministic, seedable mutations for the TAP run. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dULL >> 32) % n;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	uint8_t buf[1600];
	long forwards = 0, passes = 0, bad = 0;
	int t = 0;

	if (getenv("RR_SEED"))
		rng = strtoull(getenv("RR_SEED"), NULL, 0) | 1;
	if (setup()) {
		printf("not ok 1 - setup (root, build/rtprelay.bpf.o)\n1..1\n");
		return 1;
	}
	/* The seeds themselves must be forwarded. */
	for (int w = 0; w < 8; w++) {
		size_t n = seed(w, buf);
		uint8_t out[1600];
		struct xdp_md ctx = { .data_end = n, .ingress_ifindex = ifindex_sbc };
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = n,
			    .data_out = out, .data_size_out = sizeof(out),
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

		bool ok = !bpf_prog_test_run_opts(prog_fd, &o) &&
			  o.retval == XDP_REDIRECT && check_one(buf, n);
		printf("%sok %d - seed %d (%s%s%s) forwarded and consistent%s%s\n",
		       ok ? "" : "not ", ++t, w, w & 1 ? "IPv6" : "IPv4",
		       w & 2 ? ", VLAN" : "", (w & 4) && !(w & 1) ? ", options" : "",
		       ok ? "" : ": ", ok ? "" : violation);
		bad += !ok;
	}
	for (long i = 0; i < iters; i++) {
		size_t n = seed(rnd(8), buf);
		int muts = 1 + rnd(4);

		for (int m = 0; m < muts; m++) {
			static const uint8_t edge[] = { 0, 1, 2, 0x7f, 0x80, 0xff };

			switch (rnd(5)) {
			case 0: buf[rnd(n)] ^= 1 << rnd(8); break;		/* bit flip */
			case 1: buf[rnd(n < 80 ? n : 80)] = rnd(256); break;	/* header byte */
			case 2: n = ETH_HLEN + rnd(n - ETH_HLEN + 1); break;	/* truncate */
			case 3: n += rnd(32); break;				/* trailing junk */
			case 4: buf[rnd(n < 80 ? n : 80)] = edge[rnd(6)]; break; /* boundary value */
			}
		}
		if (!check_one(buf, n)) {
			printf("not ok %d - mutation %ld: %s\n", ++t, i, violation);
			bad++;
			break;
		}
		/* Count what happened to the mutants, so a regression that
		 * passes everything is visible. */
		{
			uint8_t out[2048];
			struct xdp_md ctx = { .data_end = n, .ingress_ifindex = ifindex_sbc };
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = n,
				    .data_out = out, .data_size_out = sizeof(out),
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
			if (n >= ETH_HLEN && !bpf_prog_test_run_opts(prog_fd, &o))
				o.retval == XDP_PASS ? passes++ : o.retval != XDP_DROP ? forwards++ : 0;
		}
	}
	printf("%sok %d - %ld mutated frames: no PASS altered, no wrong forward "
	       "(%ld forwarded, %ld passed)\n", bad ? "not " : "", ++t, iters,
	       forwards, passes);
	/* Both outcomes must occur, or the mutations are not reaching the parser. */
	printf("%sok %d - mutations exercise both forwarding and passing\n",
	       forwards > iters / 20 && passes > iters / 20 ? "" : "not ", ++t);
	bad += !(forwards > iters / 20 && passes > iters / 20);
	printf("1..%d\n", t);
	bpf_object__close(obj);
	return bad ? 1 : 0;
}
#endif
