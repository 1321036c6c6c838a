// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "media.h"

int rr_media_init(struct rr_media *m, const struct rr_config *cfg, struct rr_dp *dp)
{
	int s, err;

	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->dp = dp;
	for (s = 0; s < RR_SIDE_MAX; s++) {
		err = rr_port_pool_init(&m->pool[s], cfg->media.port_min, cfg->media.port_max);
		if (err)
			return err;
	}
	return 0;
}

void rr_media_fini(struct rr_media *m)
{
	for (int s = 0; s < RR_SIDE_MAX; s++)
		rr_port_pool_fini(&m->pool[s]);
}

/* The family the relay uses on a side: the wanted one if configured. */
static int side_family(const struct rr_config *cfg, enum rr_side side, int want)
{
	const struct rr_media_addr *a = &cfg->media.addr[side];

	if (want == AF_INET6 && a->has_v6)
		return AF_INET6;
	if (want == AF_INET && a->has_v4)
		return AF_INET;
	return a->has_v4 ? AF_INET : AF_INET6;
}

void rr_call_media_init(struct rr_media *m, struct rr_call_media *cm,
			enum rr_side side0, int family0,
			enum rr_side side1, int family1)
{
	memset(cm, 0, sizeof(*cm));
	cm->side[0] = side0;
	cm->side[1] = side1;
	cm->family[0] = side_family(m->cfg, side0, family0);
	cm->family[1] = side_family(m->cfg, side1, family1);
}

static const void *relay_addr(const struct rr_media *m, const struct rr_call_media *cm, int leg)
{
	const struct rr_media_addr *a = &m->cfg->media.addr[cm->side[leg]];

	return cm->family[leg] == AF_INET6 ? (const void *)&a->v6 : (const void *)&a->v4;
}

const char *rr_media_relay_addr(const struct rr_media *m, const struct rr_call_media *cm,
				int leg, char *buf, size_t len)
{
	return inet_ntop(cm->family[leg], relay_addr(m, cm, leg), buf, (socklen_t)len);
}

static struct rtprelay_endpoint relay_ep(const struct rr_media *m, const struct rr_call_media *cm,
					 int leg, uint16_t port)
{
	struct rtprelay_endpoint e = { 0 };

	e.family = cm->family[leg] == AF_INET6 ? RTPRELAY_AF_INET6 : RTPRELAY_AF_INET;
	memcpy(&e.addr, relay_addr(m, cm, leg), cm->family[leg] == AF_INET6 ? 16 : 4);
	e.port = htons(port);
	return e;
}

__u32 rr_media_flow_id(const struct rr_media *m, const struct rr_call_media *cm,
		       unsigned int i, int leg)
{
	/* keyed on the port facing the other leg: unique per (side, port) */
	int o = !leg;
	unsigned int span = (unsigned int)(m->cfg->media.port_max - m->cfg->media.port_min + 1);

	return (__u32)(cm->side[o] * span + (cm->s[i].port[o] - m->cfg->media.port_min));
}

void rr_flow_quality(const struct rtprelay_flow_stats *st, __u64 *lost, double *jitter_ms)
{
	const struct rtprelay_rtp_stats *r = &st->rtp;
	__u64 expected = r->received ? (__u64)r->ext_max_seq - r->base_seq + 1 : 0;

	*lost = expected > r->received ? expected - r->received : 0;
	*jitter_ms = r->received && r->clock_rate ? r->jitter / 16.0 * 1000.0 / r->clock_rate : 0;
}

/* Keeps what flow id (towards leg) forwarded before it goes or its
 * counters restart: for the metrics' totals and the call's record. */
static void account(struct rr_media *m, struct rr_call_media *cm, __u32 id, int leg)
{
	struct rr_dp *dp = rr_media_dp(m, cm);
	struct rr_media_gone *g = &cm->gone[leg];
	struct rtprelay_flow_stats st;
	double jitter;
	__u64 lost;

	if (dp->ops->flow_stats(dp, id, &st))
		return;
	m->gone_packets += st.packets;
	m->gone_bytes += st.bytes;
	rr_flow_quality(&st, &lost, &jitter);
	g->packets += st.packets;
	g->lost += lost;
	if (jitter > g->jitter_ms)
		g->jitter_ms = jitter;
}

static void flows_del(struct rr_media *m, struct rr_call_media *cm, unsigned int i, int leg)
{
	struct rr_dp *dp = rr_media_dp(m, cm);
	struct rr_stream *s = &cm->s[i];
	struct rtprelay_flow_key k = { 0 };

	if (!s->installed[leg])
		return;
	for (int rtcp = 0; rtcp < 2; rtcp++) {
		account(m, cm, rr_media_flow_id(m, cm, i, leg) + (__u32)rtcp, leg);
		k.local = relay_ep(m, cm, !leg, (uint16_t)(s->port[!leg] + rtcp));
		if (dp->ops->flow_del(dp, &k) == 0)
			m->n_flows--;
		else
			m->flow_errors++;
	}
	s->installed[leg] = false;
}

/* Flows carrying stream i to leg: they receive on the port facing the other
 * leg and leave from the port facing this leg. */
static int flows_add(struct rr_media *m, struct rr_call_media *cm, unsigned int i, int leg)
{
	struct rr_dp *dp = rr_media_dp(m, cm);
	struct rr_stream *s = &cm->s[i];
	const struct rr_sdp_stream *p = &s->peer[leg];
	int o = !leg, err = 0;

	if (!p->family || !p->port || p->family != cm->family[leg]) {
		if (p->family && p->port)
			rr_warn("media: stream %u: peer family differs from the relay's on that side; not relayed", i);
		flows_del(m, cm, i, leg);
		return 0;
	}
	for (int rtcp = 0; rtcp < 2; rtcp++) {
		struct rtprelay_flow_key k = { 0 };
		struct rtprelay_flow f = { 0 };

		k.local = relay_ep(m, cm, o, (uint16_t)(s->port[o] + rtcp));
		f.id = rr_media_flow_id(m, cm, i, leg) + (__u32)rtcp;
		f.dscp = m->cfg->media.dscp;
		if (m->cfg->media.latch)
			f.flags |= RTPRELAY_F_LATCH;
		if (m->cfg->media.strict) {
			f.flags |= RTPRELAY_F_STRICT;
			if (s->peer[o].family == p->family && s->peer[o].port) {
				f.expect.family = k.local.family;
				memcpy(&f.expect.addr, s->peer[o].addr, 16);
				f.expect.port = htons((uint16_t)(s->peer[o].port + rtcp));
			}
		}
		if (cm->no_jitter[o])
			f.flags |= RTPRELAY_F_NO_JITTER;
		if (rtcp)
			f.flags |= RTPRELAY_F_RTCP;
		else if (p->rtcp_mux)
			f.flags |= RTPRELAY_F_RTCP_MUX;
		f.out_src = relay_ep(m, cm, leg, (uint16_t)(s->port[leg] + rtcp));
		f.out_dst.family = f.out_src.family;
		memcpy(&f.out_dst.addr, p->addr, p->family == AF_INET6 ? 16 : 4);
		f.out_dst.port = htons((uint16_t)(p->port + rtcp));
		f.reverse.local = f.out_src;
		if (s->installed[leg])
			account(m, cm, f.id, leg);
		err = dp->ops->flow_add(dp, &k, &f);
		if (err) {
			m->flow_errors++;
			rr_err("media: installing flow %u: %s", f.id, strerror(-err));
			break;
		}
		if (!s->installed[leg])
			m->n_flows++;
		if (rtcp)
			s->installed[leg] = true;
	}
	if (err && !s->installed[leg]) {
		/* never half-installed: roll back the RTP flow of the pair */
		struct rtprelay_flow_key k = { 0 };

		k.local = relay_ep(m, cm, o, s->port[o]);
		if (dp->ops->flow_del(dp, &k) == 0)
			m->n_flows--;
	}
	return err;
}

static int stream_alloc(struct rr_media *m, struct rr_call_media *cm, unsigned int i)
{
	struct rr_stream *s = &cm->s[i];
	int p0, p1;

	if (s->port[0])
		return 0;
	p0 = rr_port_pool_get(&m->pool[cm->side[0]]);
	if (p0 < 0)
		return p0;
	p1 = rr_port_pool_get(&m->pool[cm->side[1]]);
	if (p1 < 0) {
		rr_port_pool_put(&m->pool[cm->side[0]], (uint16_t)p0);
		return p1;
	}
	s->port[0] = (uint16_t)p0;
	s->port[1] = (uint16_t)p1;
	return 0;
}

char *rr_media_from(struct rr_media *m, struct rr_call_media *cm, int leg,
		    const char *sdp, size_t len, int *err)
{
	struct rr_sdp_info info;
	uint16_t ports[RR_MAX_STREAMS] = { 0 };
	char reason[128] = "";
	unsigned int i;
	char *out;

	*err = rr_sdp_parse(sdp, len, &info, reason, sizeof(reason));
	if (*err) {
		rr_warn("media: unparseable SDP: %s", reason);
		return NULL;
	}
	for (i = 0; i < info.n; i++) {
		struct rr_stream *s = &cm->s[i];

		s->peer[leg] = info.s[i];
		if (!info.s[i].port) {
			flows_del(m, cm, i, leg);
			continue;
		}
		*err = stream_alloc(m, cm, i);
		if (*err) {
			rr_warn("media: no free media port on a side (%s)", strerror(-*err));
			return NULL;
		}
		*err = flows_add(m, cm, i, leg);
		if (*err)
			return NULL;
		ports[i] = s->port[!leg];
	}
	/* lines the new SDP no longer has stop being relayed towards leg */
	for (; i < cm->n; i++)
		flows_del(m, cm, i, leg);
	if (info.n > cm->n)
		cm->n = info.n;
	out = rr_sdp_rewrite(sdp, len, cm->family[!leg], relay_addr(m, cm, !leg), ports, info.n,
			     cm->codecs[!leg]);
	*err = out ? 0 : -ENOMEM;
	return out;
}

void rr_media_release(struct rr_media *m, struct rr_call_media *cm)
{
	struct rr_dp *dp = rr_media_dp(m, cm);

	for (unsigned int i = 0; i < cm->n; i++) {
		struct rr_stream *s = &cm->s[i];
		struct rtprelay_flow_stats st;

		for (int l = 0; l < 2 && m->flow_done; l++)
			if (s->installed[l] &&
			    !dp->ops->flow_stats(dp, rr_media_flow_id(m, cm, i, l), &st))
				m->flow_done(m->flow_done_arg, &st);
		flows_del(m, cm, i, 0);
		flows_del(m, cm, i, 1);
		for (int l = 0; l < 2; l++) {
			if (s->port[l] && rr_port_pool_put(&m->pool[cm->side[l]], s->port[l]))
				rr_err("media: port %u returned twice", s->port[l]);
			s->port[l] = 0;
		}
	}
	cm->n = 0;
}

__u64 rr_media_last_seen(struct rr_media *m, const struct rr_call_media *cm)
{
	struct rr_dp *dp = rr_media_dp(m, cm);
	struct rtprelay_flow_stats st;
	__u64 last = 0;

	for (unsigned int i = 0; i < cm->n; i++)
		for (int l = 0; l < 2; l++) {
			if (!cm->s[i].installed[l])
				continue;
			for (int rtcp = 0; rtcp < 2; rtcp++)
				if (!dp->ops->flow_stats(dp, rr_media_flow_id(m, cm, i, l) + (__u32)rtcp, &st) &&
				    st.last_seen_ns > last)
					last = st.last_seen_ns;
		}
	return last;
}

char *rr_media_sdp_for(const struct rr_media *m, const struct rr_call_media *cm, int to,
		       const char *sdp, size_t len)
{
	uint16_t ports[RR_MAX_STREAMS] = { 0 };
	struct rr_sdp_info info;
	unsigned int i;

	if (!sdp || rr_sdp_parse(sdp, len, &info, NULL, 0))
		return NULL;
	for (i = 0; i < info.n && i < cm->n; i++)
		if (info.s[i].port)
			ports[i] = cm->s[i].port[to];
	return rr_sdp_rewrite(sdp, len, cm->family[to], relay_addr(m, cm, to), ports, info.n,
			      cm->codecs[to]);
}

void rr_media_join(struct rr_media *m, struct rr_call_media *dst, int slot,
		   struct rr_call_media *src, int moved)
{
	unsigned int n = dst->n < src->n ? dst->n : src->n, i;
	int kept = !slot;

	/* the dropped legs' media: what the departing party sent to the
	 * kept one (keyed on dst's port towards slot) and to the moved one
	 * (keyed on src's port towards the departing party) */
	for (i = 0; i < dst->n; i++) {
		flows_del(m, dst, i, kept);
		if (i < n)
			continue;
		/* a stream the moved party never had: not relayed any more */
		flows_del(m, dst, i, slot);
		if (dst->s[i].port[slot] &&
		    rr_port_pool_put(&m->pool[dst->side[slot]], dst->s[i].port[slot]))
			rr_err("media: port %u returned twice", dst->s[i].port[slot]);
		dst->s[i].port[slot] = 0;
		memset(&dst->s[i].peer[slot], 0, sizeof(dst->s[i].peer[slot]));
	}
	for (i = 0; i < n; i++)
		flows_del(m, src, i, moved);
	for (i = 0; i < n; i++) {
		struct rr_stream *d = &dst->s[i], *s = &src->s[i];

		if (d->port[slot] && rr_port_pool_put(&m->pool[dst->side[slot]], d->port[slot]))
			rr_err("media: port %u returned twice", d->port[slot]);
		d->port[slot] = s->port[moved];
		d->peer[slot] = s->peer[moved];
		/* the moved party's flows to the departing party, keyed on
		 * the port that now faces slot, become dst's flows to kept */
		d->installed[kept] = s->installed[!moved];
		s->installed[!moved] = false;
		s->port[moved] = 0;
		memset(&s->peer[moved], 0, sizeof(s->peer[moved]));
	}
	dst->side[slot] = src->side[moved];
	dst->family[slot] = src->family[moved];
	dst->codecs[slot] = src->codecs[moved];
	dst->no_jitter[slot] = src->no_jitter[moved];
	/* rewritten in place: moved -> kept, kept -> moved */
	for (i = 0; i < n; i++) {
		if (!dst->s[i].port[slot] || !dst->s[i].port[kept])
			continue;
		flows_add(m, dst, i, kept);
		flows_add(m, dst, i, slot);
	}
}

int rr_media_adopt(struct rr_media *m, struct rr_call_media *cm, char *why, size_t len)
{
	unsigned int i, got = 0;
	int err = 0, l;

	for (i = 0; i < cm->n && !err; i++)
		for (l = 0; l < 2 && !err; l++) {
			if (!cm->s[i].port[l])
				continue;
			err = rr_port_pool_reserve(&m->pool[cm->side[l]], cm->s[i].port[l]);
			if (err)
				snprintf(why, len, "stream %u: relay port %u on side %s %s", i,
					 cm->s[i].port[l], rr_side_name(cm->side[l]),
					 err == -EBUSY ? "already in use" : "outside media.ports");
			else
				got++;
		}
	if (err) {
		/* give back what this call took */
		for (i = 0; i < cm->n && got; i++)
			for (l = 0; l < 2 && got; l++)
				if (cm->s[i].port[l] &&
				    !rr_port_pool_put(&m->pool[cm->side[l]], cm->s[i].port[l]))
					got--;
		return err;
	}
	for (i = 0; i < cm->n; i++)
		for (l = 0; l < 2; l++) {
			struct rr_stream *s = &cm->s[i];
			struct rtprelay_flow_key k = { 0 };
			struct rtprelay_flow f;
			bool have = true;

			if (!s->installed[l])
				continue;
			for (int rtcp = 0; rtcp < 2; rtcp++) {
				k.local = relay_ep(m, cm, !l, (uint16_t)(s->port[!l] + rtcp));
				if (m->dp->ops->flow_get(m->dp, &k, &f) ||
				    f.id != rr_media_flow_id(m, cm, i, l) + (__u32)rtcp)
					have = false;
			}
			if (have) {
				m->n_flows += 2;
				continue;
			}
			s->installed[l] = false;
			rr_warn("media: stream %u: flows towards leg %d missing from the data path: "
				"installed again", i, l);
			if (flows_add(m, cm, i, l))
				snprintf(why, len, "stream %u: flows towards leg %d could not be installed", i, l);
		}
	return 0;
}

bool rr_media_same(const struct rr_call_media *cm, int leg, const char *sdp, size_t len)
{
	struct rr_sdp_info info;

	if (rr_sdp_parse(sdp, len, &info, NULL, 0) || info.n != cm->n)
		return false;
	for (unsigned int i = 0; i < info.n; i++) {
		const struct rr_sdp_stream *a = &info.s[i], *b = &cm->s[i].peer[leg];

		if (a->family != b->family || a->port != b->port || a->rtcp_mux != b->rtcp_mux ||
		    memcmp(a->addr, b->addr, a->family == AF_INET6 ? 16 : 4))
			return false;
	}
	return true;
}

struct sweep {
	struct rr_media *m;
	struct rtprelay_flow_key *stale;
	unsigned int n, cap;
};

/* The side whose relay media address is e, or -1. */
static int relay_side(const struct rr_media *m, const struct rtprelay_endpoint *e)
{
	for (int s = 0; s < RR_SIDE_MAX; s++) {
		const struct rr_media_addr *a = &m->cfg->media.addr[s];

		if (e->family == RTPRELAY_AF_INET && a->has_v4 && !memcmp(&e->addr, &a->v4, 4))
			return s;
		if (e->family == RTPRELAY_AF_INET6 && a->has_v6 && !memcmp(&e->addr, &a->v6, 16))
			return s;
	}
	return -1;
}

static int sweep_one(const struct rtprelay_flow_key *key, const struct rtprelay_flow *flow,
		     void *arg)
{
	struct sweep *sw = arg;
	int side = relay_side(sw->m, &key->local);
	uint16_t port = ntohs(key->local.port);

	if (side < 0 || port < sw->m->cfg->media.port_min || port > sw->m->cfg->media.port_max ||
	    rr_port_pool_taken(&sw->m->pool[side], port))
		return 0;
	if (sw->n == sw->cap) {
		unsigned int cap = sw->cap ? 2 * sw->cap : 64;
		struct rtprelay_flow_key *n = realloc(sw->stale, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		sw->stale = n;
		sw->cap = cap;
	}
	sw->stale[sw->n++] = *key;
	return 0;
}

unsigned int rr_media_sweep(struct rr_media *m)
{
	struct sweep sw = { .m = m };
	unsigned int gone = 0;

	if (m->dp->ops->flow_walk(m->dp, sweep_one, &sw))
		rr_warn("media: walking the data path's flows for stale ones failed");
	for (unsigned int i = 0; i < sw.n; i++)
		if (!m->dp->ops->flow_del(m->dp, &sw.stale[i]))
			gone++;
	free(sw.stale);
	return gone;
}
