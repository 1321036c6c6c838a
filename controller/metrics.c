// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET /metrics on libmicrohttpd.
 *
 * Threads: call state, the media pool and the datapath handle belong to the
 * sofia-sip main loop thread. MHD serves from its own internal thread, and
 * never touches them: the main loop builds a snapshot (rr_metrics_update,
 * once a second from its timer) and swaps it in under a mutex; a scrape
 * formats the current snapshot under the same mutex. Chosen over driving
 * MHD from su_root (external select) because a slow or stuck HTTP client
 * then can never delay SIP, and the per-flow counter reads stay on the main
 * thread's schedule however often Prometheus scrapes. Cost: numbers are up
 * to a second old.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "metrics_text.h"

struct rr_metrics {
	struct MHD_Daemon *d;
	struct rr_media *m;
	pthread_mutex_t lock;
	struct rr_metrics_snap snap;	/* under lock */
	/* main thread only: accumulated as calls end */
	struct rr_hist loss, jitter;
	/* main thread only: calls_total once a second, for calls per second */
	struct { double t; unsigned long long calls; } cps[RR_CPS_WINDOW + 1];
	unsigned int cps_n, cps_head;
};

/* Calls accepted per second over the last RR_CPS_WINDOW updates (about a
 * second apart: the main loop's timer), from a ring of calls_total. */
static double cps_update(struct rr_metrics *mx, unsigned long long calls)
{
	const unsigned int len = RR_CPS_WINDOW + 1;
	unsigned int oldest;
	struct timespec ts;
	double now, dt;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	mx->cps_head = (mx->cps_head + 1) % len;
	mx->cps[mx->cps_head].t = now;
	mx->cps[mx->cps_head].calls = calls;
	if (mx->cps_n < len)
		mx->cps_n++;
	oldest = (mx->cps_head + len + 1 - mx->cps_n) % len;
	dt = now - mx->cps[oldest].t;
	return dt > 0 ? (double)(calls - mx->cps[oldest].calls) / dt : 0;
}

static void snap_free(struct rr_metrics_snap *s)
{
	free(s->peers);
	free(s->trunks);
	s->peers = NULL;
	s->trunks = NULL;
}

/* One RTP flow of an ending call: its loss ratio and jitter. */
static void flow_done(void *arg, const struct rtprelay_flow_stats *st)
{
	struct rr_metrics *mx = arg;
	const struct rtprelay_rtp_stats *r = &st->rtp;
	double expected;

	if (!r->received)
		return;
	expected = (double)r->ext_max_seq - (double)r->base_seq + 1;
	rr_hist_observe(&mx->loss, expected > r->received ? (expected - r->received) / expected : 0);
	if (r->clock_rate)
		rr_hist_observe(&mx->jitter, r->jitter / 16.0 * 1000.0 / r->clock_rate);
}

static int add_peer(const char *trunk, const char *host, unsigned int port, bool up, void *arg)
{
	struct rr_metrics_snap *s = arg;
	struct rr_metrics_peer *p, *n = realloc(s->peers, (s->n_peers + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->peers = n;
	p = &n[s->n_peers++];
	snprintf(p->trunk, sizeof(p->trunk), "%s", trunk);
	snprintf(p->peer, sizeof(p->peer), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	p->up = up;
	return 0;
}

static int trunk_count(struct rr_metrics_snap *s, const char *name)
{
	struct rr_metrics_trunk *n;

	for (unsigned int i = 0; i < s->n_trunks; i++)
		if (!strcmp(s->trunks[i].name, name)) {
			s->trunks[i].calls++;
			return 0;
		}
	n = realloc(s->trunks, (s->n_trunks + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->trunks = n;
	snprintf(n[s->n_trunks].name, sizeof(n->name), "%s", name);
	n[s->n_trunks++].calls = 1;
	return 0;
}

struct walk_arg {
	struct rr_metrics *mx;
	struct rr_metrics_snap *s;
};

/* Per call: its trunks, and what its live flows forwarded so far. */
static int add_call(struct rr_call *c, void *arg)
{
	struct walk_arg *w = arg;
	struct rr_media *m = w->mx->m;
	struct rtprelay_flow_stats st;
	struct rr_call_info in;

	rr_call_info(c, &in);
	for (int l = 0; l < 2; l++)
		if ((l == 0 || strcmp(in.trunk[0], in.trunk[1])) && trunk_count(w->s, in.trunk[l]))
			return -ENOMEM;
	for (unsigned int i = 0; i < in.media->n; i++)
		for (int l = 0; l < 2; l++) {
			if (!in.media->s[i].installed[l])
				continue;
			for (__u32 rtcp = 0; rtcp < 2; rtcp++)
				if (!rr_media_dp(m, in.media)->ops->flow_stats(rr_media_dp(m, in.media),
						rr_media_flow_id(m, in.media, i, l) + rtcp, &st)) {
					w->s->fwd_packets += st.packets;
					w->s->fwd_bytes += st.bytes;
				}
		}
	return 0;
}

void rr_metrics_update(struct rr_metrics *mx, struct rr_b2bua *b)
{
	const struct rr_b2bua_stats *bs = rr_b2bua_stats(b);
	struct rr_metrics_snap s = { 0 };
	struct rr_media *m = mx->m;
	struct walk_arg w = { mx, &s };

	s.tier = m->dp->ops->name;
	s.calls_active = rr_b2bua_n_calls(b);
	s.calls_total = bs->calls_total;
	s.cps = cps_update(mx, bs->calls_total);
	s.answered = bs->calls_answered;
	s.failed = bs->calls_failed;
	s.cancelled = bs->calls_cancelled;
	s.rejected_403 = bs->rejected_403;
	s.rejected_404 = bs->rejected_404;
	s.rejected_other = bs->rejected_other;
	s.rejected_admission = bs->rejected_admission;
	s.inactivity_hangups = bs->inactivity_hangups;
	s.flows = m->n_flows;
	s.flow_errors = m->flow_errors;
	for (int i = 0; i < RR_SIDE_MAX && i < 2; i++)
		s.ports_in_use[i] = m->pool[i].in_use;
	s.have_global = m->dp->ops->global_stats &&
			!m->dp->ops->global_stats(m->dp, &s.global);
	s.fwd_packets = m->gone_packets;
	s.fwd_bytes = m->gone_bytes;
	s.loss = mx->loss;
	s.jitter = mx->jitter;
	if (rr_b2bua_peers(b, add_peer, &s) || rr_b2bua_walk(b, add_call, &w)) {
		rr_warn("metrics: out of memory: keeping the previous numbers");
		snap_free(&s);
		return;
	}
	for (unsigned int i = 0; i < s.n_peers; i++) {
		unsigned int calls;

		rr_b2bua_trunk_load(b, s.peers[i].trunk, &calls, &s.peers[i].trunk_rejected);
	}
	pthread_mutex_lock(&mx->lock);
	snap_free(&mx->snap);
	mx->snap = s;
	pthread_mutex_unlock(&mx->lock);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode,
			     const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* MHD's thread. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version,
			      const char *upload, size_t *upload_len, void **req)
{
	static char not_found[] = "not found: try /metrics\n";
	static char bad_method[] = "only GET\n";
	struct rr_metrics *mx = cls;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, bad_method, strlen(bad_method),
			     MHD_RESPMEM_PERSISTENT, "text/plain");
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, strlen(not_found),
			     MHD_RESPMEM_PERSISTENT, "text/plain");
	f = open_memstream(&buf, &len);
	if (!f)
		return MHD_NO;
	pthread_mutex_lock(&mx->lock);
	err = rr_metrics_format(&mx->snap, f);
	pthread_mutex_unlock(&mx->lock);
	if (fclose(f) || err) {
		free(buf);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK, buf, len, MHD_RESPMEM_MUST_FREE,
		     "text/plain; version=0.0.4; charset=utf-8");
}

struct rr_metrics *rr_metrics_open(const char *host, int family, unsigned int port,
				   struct rr_media *m, const char *tier)
{
	struct rr_metrics *mx = calloc(1, sizeof(*mx));
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;

	if (!mx)
		return NULL;
	mx->m = m;
	mx->loss.bounds = rr_loss_bounds;
	mx->jitter.bounds = rr_jitter_bounds;
	mx->snap.tier = tier;
	mx->snap.loss = mx->loss;
	mx->snap.jitter = mx->jitter;
	pthread_mutex_init(&mx->lock, NULL);
	if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
	}
	/* a handful of scrapers at most; a stuck one is dropped after 10 s */
	mx->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, mx,
				 MHD_OPTION_SOCK_ADDR, &ss,
				 MHD_OPTION_CONNECTION_LIMIT, 16u,
				 MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				 MHD_OPTION_END);
	if (!mx->d) {
		rr_err("metrics: cannot serve on %s port %u: %s", host, port,
		       errno ? strerror(errno) : "libmicrohttpd failed");
		pthread_mutex_destroy(&mx->lock);
		free(mx);
		return NULL;
	}
	m->flow_done = flow_done;
	m->flow_done_arg = mx;
	rr_info("metrics: http://%s%s%s:%u/metrics", family == AF_INET6 ? "[" : "", host,
		family == AF_INET6 ? "]" : "", port);
	return mx;
}

void rr_metrics_close(struct rr_metrics *mx)
{
	if (!mx)
		return;
	MHD_stop_daemon(mx->d);
	if (mx->m->flow_done_arg == mx) {
		mx->m->flow_done = NULL;
		mx->m->flow_done_arg = NULL;
	}
	pthread_mutex_destroy(&mx->lock);
	snap_free(&mx->snap);
	free(mx);
}
