// SPDX-License-Identifier: GPL-2.0-only
/* One UDP socket per stream port (or one shared sending socket), with a
 * forced receive buffer: the default one holds only ~50 packets. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include "rtpgen.h"

static void set_rcvbuf(int fd, int bytes)
{
	/* SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it the sysctl
	 * net.core.rmem_max caps SO_RCVBUF. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static int open_one(struct run *r, const struct endpoint *local, bool rx,
		    uint32_t idx, int *fdp)
{
	struct cfg *c = r->cfg;
	char a[64];
	int fd, one = 1;

	fd = socket(local->set ? local->ss.ss_family : c->dst.ss.ss_family,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int err = errno;

		if (err == EMFILE || err == ENFILE) {
			struct rlimit rl;

			getrlimit(RLIMIT_NOFILE, &rl);
			fprintf(stderr, "rtpgen: out of file descriptors at stream %u of %u "
				"(open-files limit %llu, one socket per stream): use fewer --streams%s\n",
				idx + 1, c->streams, (unsigned long long)rl.rlim_cur,
				c->mode == MODE_SEND ? " or --one-socket" : "");
		} else {
			fprintf(stderr, "rtpgen: socket: %s\n", strerror(err));
		}
		return -err;
	}
	if (rx) {
		set_rcvbuf(fd, c->rcvbuf);
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	}
	if (c->sndbuf)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &c->sndbuf, sizeof(c->sndbuf));
	if (local->set && bind(fd, (const struct sockaddr *)&local->ss, local->len)) {
		int err = errno;

		format_sockaddr(&local->ss, a, sizeof(a));
		fprintf(stderr, "rtpgen: cannot bind %s (stream %u): %s\n", a, idx + 1,
			strerror(err));
		close(fd);
		return -err;
	}
	if (rx) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = idx };

		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			int err = errno;

			fprintf(stderr, "rtpgen: epoll_ctl: %s\n", strerror(err));
			close(fd);
			return -err;
		}
	}
	*fdp = fd;
	return 0;
}

int open_sockets(struct run *r)
{
	struct cfg *c = r->cfg;
	unsigned lport = endpoint_port(&c->local), dport = endpoint_port(&c->dst);
	int err;

	for (uint32_t i = 0; i < c->streams; i++) {
		struct stream *s = &r->st[i];

		s->fd = -1;
		s->local = c->local;
		if (s->local.set && lport && !c->one_socket)
			endpoint_set_port(&s->local, lport + i * c->port_step);
		s->dst = c->dst;
		if (s->dst.set)
			endpoint_set_port(&s->dst, dport + i * c->port_step);
	}
	if (c->one_socket) {
		err = open_one(r, &c->local, false, 0, &r->shared_fd);
		if (err)
			return err;
		for (uint32_t i = 0; i < c->streams; i++)
			r->st[i].fd = r->shared_fd;
		return 0;
	}
	for (uint32_t i = 0; i < c->streams; i++) {
		err = open_one(r, &r->st[i].local, c->mode & MODE_RECV, i, &r->st[i].fd);
		if (err)
			return err;
	}
	return 0;
}

void close_sockets(struct run *r)
{
	if (r->shared_fd >= 0) {
		close(r->shared_fd);
		r->shared_fd = -1;
		return;
	}
	for (uint32_t i = 0; i < r->cfg->streams; i++)
		if (r->st[i].fd >= 0)
			close(r->st[i].fd);
}
