// SPDX-License-Identifier: GPL-2.0-only
/*
 * udptool: send RTP-shaped UDP packets and receive them showing what the
 * relay did to them (source, DSCP/TOS, TTL/hop limit), for the VM tests.
 *
 *   udptool send SRC PORT DST PORT COUNT [ttl=N] [ssrc=N] [size=N] [pps=N] [report=1]
 *                [nocsum=1]   (IPv4: send a zero UDP checksum, SO_NO_CHECK)
 *   udptool recv ADDR PORT COUNT TIMEOUT_MS [ready=FILE] [quiet=1]
 *   udptool setuid UID PROG ARGS...  (run PROG unprivileged: busybox has no
 *                                     setpriv --reuid)
 *
 * recv prints one line per packet: "from=ADDR:PORT len=N tos=N ttl=N" and
 * exits 0 once COUNT arrived, 1 on timeout ("got N"); quiet=1 prints only
 * "got=N". send report=1 prints "sent=N ns=ELAPSED" (benchmarks). Checksums are checked
 * by the receiving kernel: a packet with a bad one never reaches recv.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <rtprelay/rtp.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int mkaddr(const char *a, const char *port, struct sockaddr_storage *ss,
		  socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(port));
		*len = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(port));
		*len = sizeof(*s6);
		return AF_INET6;
	}
	fprintf(stderr, "udptool: bad address '%s'\n", a);
	exit(2);
}

static long opt(int argc, char **argv, const char *name, long def)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
			return strtol(argv[i] + n + 1, NULL, 0);
	return def;
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_storage src, dst;
	socklen_t slen, dlen;
	unsigned char pkt[1500];
	long count, ttl, size, pps, i;
	unsigned int ssrc;
	struct timespec gap, t0, t1;
	int fd, af, one = 1;

	if (argc < 5)
		return 2;
	af = mkaddr(argv[0], argv[1], &src, &slen);
	if (mkaddr(argv[2], argv[3], &dst, &dlen) != af) {
		fprintf(stderr, "udptool: mixed address families\n");
		return 2;
	}
	count = atol(argv[4]);
	ttl = opt(argc, argv, "ttl", 64);
	ssrc = opt(argc, argv, "ssrc", 0x11223344);
	size = opt(argc, argv, "size", 172);	/* G.711 20 ms */
	pps = opt(argc, argv, "pps", 0);
	if (size < 12 || size > (long)sizeof(pkt))
		return 2;
	fd = socket(af, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, slen))
		die("bind");
	if (opt(argc, argv, "nocsum", 0))
		setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one));
	if (af == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_TTL, &(int){ ttl }, sizeof(int));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &(int){ ttl }, sizeof(int));
	gap.tv_sec = 0;
	gap.tv_nsec = pps ? 1000000000L / pps : 0;
	memset(pkt, 0xd5, size);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		unsigned int seq = 1000 + i, ts = 160 * i;

		/* PT 0, PCMU, 8000 Hz */
		rtp_write_header(pkt, 0, false, (uint16_t)seq, ts, ssrc);
		if (sendto(fd, pkt, size, 0, (struct sockaddr *)&dst, dlen) != size)
			die("sendto");
		if (pps)
			nanosleep(&gap, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (opt(argc, argv, "report", 0))
		printf("sent=%ld ns=%lld\n", count,
		       (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec);
	close(fd);
	return 0;
}

static int do_recv(int argc, char **argv)
{
	struct sockaddr_storage local, from;
	socklen_t llen, flen;
	unsigned char buf[2048];
	char cbuf[256], a[INET6_ADDRSTRLEN];
	long count, timeout, got = 0;
	const char *ready;
	int fd, af, one = 1, i, quiet;

	if (argc < 4)
		return 2;
	af = mkaddr(argv[0], argv[1], &local, &llen);
	count = atol(argv[2]);
	timeout = atol(argv[3]);
	ready = NULL;
	quiet = opt(argc, argv, "quiet", 0);
	for (i = 4; i < argc; i++)
		if (!strncmp(argv[i], "ready=", 6))
			ready = argv[i] + 6;
	fd = socket(af, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (af == AF_INET) {
		setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one));
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 4 << 20 }, sizeof(int));
	if (bind(fd, (struct sockaddr *)&local, llen))
		die("bind");
	if (ready)
		close(open(ready, O_CREAT | O_WRONLY, 0644));
	while (got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { &from, sizeof(from), &iov, 1, cbuf, sizeof(cbuf), 0 };
		struct cmsghdr *c;
		int tos = -1, ttl = -1, port;
		ssize_t n;

		if (poll(&p, 1, timeout) <= 0)
			break;
		n = recvmsg(fd, &m, 0);
		if (n < 0)
			die("recvmsg");
		flen = m.msg_namelen;
		(void)flen;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			int v;

			if (c->cmsg_len == CMSG_LEN(1))
				v = *(unsigned char *)CMSG_DATA(c);
			else
				memcpy(&v, CMSG_DATA(c), sizeof(v));
			if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) ||
			    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS))
				tos = v;
			if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
			    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
				ttl = v;
		}
		got++;
		if (quiet)
			continue;
		if (from.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in *)&from)->sin_port);
			printf("from=%s:%d len=%zd tos=%d ttl=%d\n", a, port, n, tos, ttl);
		} else {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in6 *)&from)->sin6_port);
			printf("from=[%s]:%d len=%zd tos=%d ttl=%d\n", a, port, n, tos, ttl);
		}
	}
	if (quiet)
		printf("got=%ld\n", got);
	fflush(stdout);
	if (got < count && !quiet) {
		fprintf(stderr, "udptool: recv: got %ld of %ld\n", got, count);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	if (argc >= 2 && !strcmp(argv[1], "send"))
		r = do_send(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "recv"))
		r = do_recv(argc - 2, argv + 2);
	else if (argc >= 4 && !strcmp(argv[1], "setuid")) {
		uid_t uid = atoi(argv[2]);

		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			die("setuid");
		execv(argv[3], argv + 3);
		die(argv[3]);
	}
	if (r == 2)
		fprintf(stderr, "usage: udptool send SRC PORT DST PORT COUNT [ttl=N] [ssrc=N] [size=N] [pps=N] [report=1]\n"
				"       udptool recv ADDR PORT COUNT TIMEOUT_MS [ready=FILE] [quiet=1]\n"
				"       udptool setuid UID PROG ARGS...\n");
	return r;
}
