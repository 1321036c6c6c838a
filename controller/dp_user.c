// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace socket relay: the datapath tier of last resort (no BPF
 * permission, datapath.mode: user). Each relay-local endpoint of a flow is a
 * bound UDP socket; a packet received on the socket of flow key K is sent
 * from the socket bound at K's out_src to out_dst, with the latching and
 * strict-source rules of docs/datapath.md, and counted per flow.
 *
 * One forwarding thread on epoll; the controller programs flows from its
 * own thread, so the tables are under one mutex (held per batch of packets,
 * never across a blocking call). Sockets are found by fd under the lock, so
 * an event for a socket closed meanwhile finds nothing and is ignored.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <rtprelay/rtp_stats.h>

#include "datapath.h"
#include "log.h"

#define HASH_BUCKETS	8192	/* power of two */
#define BATCH		32

struct usock {
	struct rtprelay_endpoint ep;
	int fd;
	unsigned int refs;	/* flows keyed here + flows sending from here */
	struct uflow *flow;	/* the flow whose key is this endpoint */
	struct usock *next;
};

struct uflow {
	struct rtprelay_flow_key key;
	struct rtprelay_flow flow;
	struct usock *in, *out;
	struct uflow *next;
};

struct user_dp {
	pthread_mutex_t lock;
	pthread_t thread;
	int ep, wake;
	bool running;
	unsigned int max_flows, n_flows, n_socks;
	struct usock *socks[HASH_BUCKETS];
	struct uflow *flows[HASH_BUCKETS];
	struct usock **by_fd;
	unsigned int n_fd;
	struct rtprelay_flow_stats *stats;
	struct rtprelay_global_stats global;
};

static unsigned int ep_hash(const struct rtprelay_endpoint *e)
{
	const unsigned char *p = (const void *)e;
	unsigned int h = 2166136261u;

	for (size_t i = 0; i < sizeof(*e); i++)
		h = (h ^ p[i]) * 16777619u;
	return h & (HASH_BUCKETS - 1);
}

static bool ep_eq(const struct rtprelay_endpoint *a, const struct rtprelay_endpoint *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static struct usock *sock_find(struct user_dp *u, const struct rtprelay_endpoint *e)
{
	struct usock *s;

	for (s = u->socks[ep_hash(e)]; s; s = s->next)
		if (ep_eq(&s->ep, e))
			return s;
	return NULL;
}

static struct uflow *flow_find(struct user_dp *u, const struct rtprelay_flow_key *k)
{
	struct uflow *f;

	for (f = u->flows[ep_hash(&k->local)]; f; f = f->next)
		if (ep_eq(&f->key.local, &k->local))
			return f;
	return NULL;
}

static socklen_t ep_to_sa(const struct rtprelay_endpoint *e, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (e->family == RTPRELAY_AF_INET) {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = e->port;
		s4->sin_addr.s_addr = e->addr.v4;
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (void *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = e->port;
	memcpy(&s6->sin6_addr, e->addr.v6, 16);
	return sizeof(*s6);
}

static void sa_to_ep(const struct sockaddr_storage *ss, struct rtprelay_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		e->family = RTPRELAY_AF_INET;
		e->port = s4->sin_port;
		e->addr.v4 = s4->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		e->family = RTPRELAY_AF_INET6;
		e->port = s6->sin6_port;
		memcpy(e->addr.v6, &s6->sin6_addr, 16);
	}
}

static int sock_get(struct user_dp *u, const struct rtprelay_endpoint *e,
		    struct usock **out)
{
	struct sockaddr_storage ss;
	struct epoll_event ev = { .events = EPOLLIN };
	struct usock *s = sock_find(u, e);
	int fd, one = 1, buf = 1 << 20, err;
	socklen_t len;

	if (s) {
		s->refs++;
		*out = s;
		return 0;
	}
	if (e->family != RTPRELAY_AF_INET && e->family != RTPRELAY_AF_INET6)
		return -EAFNOSUPPORT;
	fd = socket(e->family == RTPRELAY_AF_INET ? AF_INET : AF_INET6,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		if (err == -EMFILE || err == -ENFILE) {
			struct rlimit rl = { 0 };

			getrlimit(RLIMIT_NOFILE, &rl);
			rr_err("userspace datapath: out of file descriptors (%u sockets open, open-files limit %lu): cannot bind another media port; use datapath mode xdp for more calls",
			       u->n_socks, (unsigned long)rl.rlim_cur);
		}
		return err;
	}
	if (fd >= (int)u->n_fd) {
		close(fd);
		return -EMFILE;
	}
	if (e->family == RTPRELAY_AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* the default buffer holds ~50 packets: a burst would be lost */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	len = ep_to_sa(e, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		err = -errno;
		close(fd);
		return err;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->ep = *e;
	s->fd = fd;
	s->refs = 1;
	ev.data.fd = fd;
	if (epoll_ctl(u->ep, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		close(fd);
		free(s);
		return err;
	}
	s->next = u->socks[ep_hash(e)];
	u->socks[ep_hash(e)] = s;
	u->by_fd[fd] = s;
	u->n_socks++;
	*out = s;
	return 0;
}

static void sock_put(struct user_dp *u, struct usock *s)
{
	struct usock **pp;

	if (!s || --s->refs)
		return;
	for (pp = &u->socks[ep_hash(&s->ep)]; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	u->by_fd[s->fd] = NULL;
	close(s->fd);	/* also leaves the epoll set */
	u->n_socks--;
	free(s);
}

static void set_tos(struct usock *s, const struct rtprelay_flow *f)
{
	int tos;

	if (f->flags & RTPRELAY_F_KEEP_DSCP)
		return;
	tos = f->dscp << 2;
	if (s->ep.family == RTPRELAY_AF_INET)
		setsockopt(s->fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	else
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static void relay_packet(struct user_dp *u, struct usock *s, unsigned char *buf,
			 ssize_t n, const struct sockaddr_storage *from)
{
	struct uflow *f = s->flow;
	struct rtprelay_endpoint src;
	struct rtprelay_flow_stats *st;
	struct sockaddr_storage to;
	socklen_t tolen;
	bool rtcp;
	__u64 now;

	if (!f) {
		u->global.counters[RTPRELAY_G_PASS_MISS]++;
		return;
	}
	st = &u->stats[f->flow.id];
	sa_to_ep(from, &src);
	if ((f->flow.flags & RTPRELAY_F_LATCH) && !(f->flow.flags & RTPRELAY_F_LATCHED)) {
		f->flow.expect = src;
		f->flow.flags |= RTPRELAY_F_LATCHED;
		if (f->flow.reverse.local.family) {
			struct uflow *r = flow_find(u, &f->flow.reverse);

			if (r)
				r->flow.out_dst = src;
		}
	} else if ((f->flow.flags & RTPRELAY_F_STRICT) && f->flow.expect.family &&
		   !ep_eq(&src, &f->flow.expect)) {
		st->drops[RTPRELAY_FDROP_SRC_MISMATCH]++;
		u->global.counters[RTPRELAY_G_DROP_SRC_MISMATCH]++;
		return;
	}
	if (!f->flow.out_dst.family || !f->out) {
		st->drops[RTPRELAY_FDROP_FIB]++;
		u->global.counters[RTPRELAY_G_DROP_FIB]++;
		return;
	}
	tolen = ep_to_sa(&f->flow.out_dst, &to);
	if (sendto(f->out->fd, buf, (size_t)n, 0, (struct sockaddr *)&to, tolen) < 0) {
		st->drops[RTPRELAY_FDROP_TX]++;
		u->global.counters[RTPRELAY_G_DROP_TX]++;
		return;
	}
	rtcp = rtprelay_is_rtcp(f->flow.flags, buf, (__u32)n);
	now = now_ns();
	st->packets++;
	/* L3 bytes, as the kernel tiers count them */
	st->bytes += (__u64)n + 8 + (f->flow.out_dst.family == RTPRELAY_AF_INET ? 20 : 40);
	if (rtcp) {
		st->rtcp_packets++;
		st->rtcp_bytes += (__u64)n;
	} else if (n >= 12) {
		/* the one RFC 3550 view every tier shares */
		rtprelay_rtp_update(&st->rtp, buf, rtprelay_flow_clock(&f->flow), now);
	}
	st->last_seen_ns = now;
	u->global.counters[RTPRELAY_G_FWD_REDIRECT]++;
}

static void *relay_thread(void *arg)
{
	struct user_dp *u = arg;
	struct epoll_event evs[BATCH];
	unsigned char buf[2048];
	int n, i, k;

	for (;;) {
		n = epoll_wait(u->ep, evs, BATCH, -1);
		if (n < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&u->lock);
		if (!u->running) {
			pthread_mutex_unlock(&u->lock);
			break;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			struct usock *s;

			if (fd == u->wake || fd < 0 || fd >= (int)u->n_fd)
				continue;
			/* a bounded batch per socket keeps the others fair */
			for (k = 0; k < BATCH; k++) {
				struct sockaddr_storage from;
				socklen_t fl = sizeof(from);
				ssize_t len;

				s = u->by_fd[fd];
				if (!s)
					break;
				len = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
				if (len < 0)
					break;
				relay_packet(u, s, buf, len, &from);
			}
		}
		pthread_mutex_unlock(&u->lock);
	}
	return NULL;
}

static int user_open(struct rr_dp *dp, const struct rr_dp_config *cfg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct rlimit rl;
	struct user_dp *u;
	int err;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->max_flows = cfg && cfg->max_flows ? cfg->max_flows : 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1u << 20)
		rl.rlim_cur = 1u << 20;
	u->n_fd = (unsigned int)rl.rlim_cur;
	u->by_fd = calloc(u->n_fd, sizeof(*u->by_fd));
	u->stats = calloc(u->max_flows, sizeof(*u->stats));
	pthread_mutex_init(&u->lock, NULL);
	u->ep = epoll_create1(EPOLL_CLOEXEC);
	u->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!u->by_fd || !u->stats || u->ep < 0 || u->wake < 0) {
		err = -ENOMEM;
		goto fail;
	}
	ev.data.fd = u->wake;
	if (epoll_ctl(u->ep, EPOLL_CTL_ADD, u->wake, &ev)) {
		err = -errno;
		goto fail;
	}
	u->running = true;
	err = -pthread_create(&u->thread, NULL, relay_thread, u);
	if (err) {
		u->running = false;
		goto fail;
	}
	dp->priv = u;
	return 0;
fail:
	if (u->ep >= 0)
		close(u->ep);
	if (u->wake >= 0)
		close(u->wake);
	free(u->by_fd);
	free(u->stats);
	free(u);
	return err;
}

static void flow_unlink(struct user_dp *u, struct uflow *f)
{
	struct uflow **pp;

	for (pp = &u->flows[ep_hash(&f->key.local)]; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	if (f->in)
		f->in->flow = NULL;
	sock_put(u, f->in);
	sock_put(u, f->out);
	u->n_flows--;
	free(f);
}

static void user_close(struct rr_dp *dp, bool keep_flows)
{
	struct user_dp *u = dp->priv;
	__u64 one = 1;
	unsigned int i;

	if (!u)
		return;
	/* a userspace relay cannot keep forwarding without its process */
	pthread_mutex_lock(&u->lock);
	u->running = false;
	pthread_mutex_unlock(&u->lock);
	if (write(u->wake, &one, sizeof(one)) < 0)
		rr_warn("userspace datapath: wake: %s", strerror(errno));
	pthread_join(u->thread, NULL);
	for (i = 0; i < HASH_BUCKETS; i++)
		while (u->flows[i])
			flow_unlink(u, u->flows[i]);
	close(u->ep);
	close(u->wake);
	pthread_mutex_destroy(&u->lock);
	free(u->by_fd);
	free(u->stats);
	free(u);
	dp->priv = NULL;
}

static int user_flow_add(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			 const struct rtprelay_flow *flow)
{
	struct user_dp *u = dp->priv;
	struct usock *in = NULL, *out = NULL;
	struct uflow *f;
	int err;

	if (flow->id >= u->max_flows || flow->dscp > RTPRELAY_DSCP_MAX ||
	    (flow->flags & ~(RTPRELAY_F_USER_MASK | RTPRELAY_F_LATCHED)))
		return -EINVAL;
	if (!flow->out_src.family || flow->out_src.family != flow->out_dst.family)
		if (flow->out_dst.family)
			return -EINVAL;
	pthread_mutex_lock(&u->lock);
	f = flow_find(u, key);
	if (!f && u->n_flows >= u->max_flows) {
		err = -ENOSPC;
		goto out;
	}
	/* take the new references first: a failure leaves the old flow as it was */
	err = sock_get(u, &key->local, &in);
	if (err)
		goto out;
	if (flow->out_src.family) {
		err = sock_get(u, &flow->out_src, &out);
		if (err) {
			sock_put(u, in);
			goto out;
		}
		set_tos(out, flow);
	}
	if (f) {
		sock_put(u, f->in);
		sock_put(u, f->out);
	} else {
		f = calloc(1, sizeof(*f));
		if (!f) {
			sock_put(u, in);
			sock_put(u, out);
			err = -ENOMEM;
			goto out;
		}
		f->key = *key;
		f->next = u->flows[ep_hash(&key->local)];
		u->flows[ep_hash(&key->local)] = f;
		u->n_flows++;
	}
	f->flow = *flow;
	f->in = in;
	f->out = out;
	in->flow = f;
	memset(&u->stats[flow->id], 0, sizeof(u->stats[0]));
out:
	pthread_mutex_unlock(&u->lock);
	return err;
}

static int user_flow_del(struct rr_dp *dp, const struct rtprelay_flow_key *key)
{
	struct user_dp *u = dp->priv;
	struct uflow *f;
	int err = -ENOENT;

	pthread_mutex_lock(&u->lock);
	f = flow_find(u, key);
	if (f) {
		flow_unlink(u, f);
		err = 0;
	}
	pthread_mutex_unlock(&u->lock);
	return err;
}

static int user_flow_get(struct rr_dp *dp, const struct rtprelay_flow_key *key,
			 struct rtprelay_flow *flow)
{
	struct user_dp *u = dp->priv;
	struct uflow *f;
	int err = -ENOENT;

	pthread_mutex_lock(&u->lock);
	f = flow_find(u, key);
	if (f) {
		*flow = f->flow;
		err = 0;
	}
	pthread_mutex_unlock(&u->lock);
	return err;
}

static int user_flow_stats(struct rr_dp *dp, __u32 id, struct rtprelay_flow_stats *stats)
{
	struct user_dp *u = dp->priv;

	if (id >= u->max_flows)
		return -EINVAL;
	pthread_mutex_lock(&u->lock);
	*stats = u->stats[id];
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* fn runs under the table lock: it must not call back into the datapath. */
static int user_flow_walk(struct rr_dp *dp,
			  int (*fn)(const struct rtprelay_flow_key *key,
				    const struct rtprelay_flow *flow, void *arg),
			  void *arg)
{
	struct user_dp *u = dp->priv;
	struct uflow *f;
	unsigned int i;
	int rc = 0;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < HASH_BUCKETS && !rc; i++)
		for (f = u->flows[i]; f && !rc; f = f->next)
			rc = fn(&f->key, &f->flow, arg);
	pthread_mutex_unlock(&u->lock);
	return rc;
}

static int user_global_stats(struct rr_dp *dp, struct rtprelay_global_stats *stats)
{
	struct user_dp *u = dp->priv;

	pthread_mutex_lock(&u->lock);
	*stats = u->global;
	pthread_mutex_unlock(&u->lock);
	return 0;
}

const struct rr_dp_ops rr_dp_user_ops = {
	.name = "user",
	.open = user_open,
	.close = user_close,
	.flow_add = user_flow_add,
	.flow_del = user_flow_del,
	.flow_get = user_flow_get,
	.flow_stats = user_flow_stats,
	.flow_walk = user_flow_walk,
	.global_stats = user_global_stats,
};
