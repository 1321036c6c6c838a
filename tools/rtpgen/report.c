// SPDX-License-Identifier: GPL-2.0-only
/* The summary: JSON (json-c; fields in docs/rtpgen.md) or a few text lines. */
#include <json-c/json.h>
#include <stdio.h>
#include "rtpgen.h"

static const char *const mode_name[] = {
	[MODE_SEND] = "send", [MODE_RECV] = "recv", [MODE_BOTH] = "both",
	[MODE_ECHO] = "echo",
};

struct rx_tot {
	uint64_t packets, unique, bytes, expected, dups, reord, bad, resyncs;
	uint64_t ssrc_changes, malformed, foreign, receiving;
	int64_t lost;
	double jit_sum, jit_max;
	uint64_t lat_count;
	int64_t lat_min, lat_max;
	double lat_sum;
};

static void add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static json_object *j_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *j_dbl(double v)
{
	/* Three decimals are plenty and keep the output short. */
	char s[64];

	snprintf(s, sizeof(s), "%.3f", v);
	return json_object_new_double_s(v, s);
}

static double pct(int64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

static json_object *latency_obj(uint64_t n, int64_t min, int64_t max, double sum)
{
	json_object *o;

	if (!n)
		return NULL;	/* JSON null: no tagged packet arrived */
	o = json_object_new_object();
	add(o, "min", j_dbl(min / 1e6));
	add(o, "avg", j_dbl(sum / n / 1e6));
	add(o, "max", j_dbl(max / 1e6));
	return o;
}

static json_object *tx_obj(const struct tx_stats *t)
{
	json_object *o = json_object_new_object();

	add(o, "packets", j_u64(t->packets));
	add(o, "bytes", j_u64(t->bytes));
	add(o, "dropped", j_u64(t->dropped));
	add(o, "duplicated", j_u64(t->duplicated));
	add(o, "reordered", j_u64(t->reordered));
	add(o, "errors", j_u64(t->errors));
	add(o, "late_max_ms", j_dbl(t->late_max_ns / 1e6));
	add(o, "late_over_1ms", j_u64(t->late_over_1ms));
	return o;
}

static json_object *rx_stream_obj(const struct stream *s)
{
	const struct rtp_meter *m = &s->meter;
	json_object *o = json_object_new_object();
	char a[64];

	format_sockaddr(&s->rx.from, a, sizeof(a));
	add(o, "from", s->rx.packets ? json_object_new_string(a) : NULL);
	add(o, "ssrc", m->started ? j_u64(m->ssrc) : NULL);
	add(o, "packets", j_u64(s->rx.packets));
	add(o, "unique", j_u64(m->received));
	add(o, "bytes", j_u64(s->rx.bytes));
	add(o, "expected", j_u64(rtp_meter_expected(m)));
	add(o, "lost", json_object_new_int64(rtp_meter_lost(m)));
	add(o, "loss_pct", j_dbl(pct(rtp_meter_lost(m), rtp_meter_expected(m))));
	add(o, "duplicates", j_u64(m->duplicates));
	add(o, "reordered", j_u64(m->reordered));
	add(o, "bad_jumps", j_u64(m->bad_jumps));
	add(o, "resyncs", j_u64(m->resyncs));
	add(o, "ssrc_changes", j_u64(m->ssrc_changes));
	add(o, "malformed", j_u64(s->rx.malformed));
	add(o, "foreign", j_u64(s->rx.foreign));
	add(o, "jitter_ms", j_dbl(rtp_meter_jitter_ms(m)));
	add(o, "latency_ms", latency_obj(m->lat_count, m->lat_min_ns, m->lat_max_ns,
					 m->lat_sum_ns));
	return o;
}

static void sum_rx(const struct run *r, struct rx_tot *t)
{
	for (uint32_t i = 0; i < r->cfg->streams; i++) {
		const struct stream *s = &r->st[i];
		const struct rtp_meter *m = &s->meter;
		double j = rtp_meter_jitter_ms(m);

		t->packets += s->rx.packets;
		t->unique += m->received;
		t->bytes += s->rx.bytes;
		t->expected += rtp_meter_expected(m);
		t->lost += rtp_meter_lost(m);
		t->dups += m->duplicates;
		t->reord += m->reordered;
		t->bad += m->bad_jumps;
		t->resyncs += m->resyncs;
		t->ssrc_changes += m->ssrc_changes;
		t->malformed += s->rx.malformed;
		t->foreign += s->rx.foreign;
		if (!m->started)
			continue;
		t->receiving++;
		t->jit_sum += j;
		if (j > t->jit_max)
			t->jit_max = j;
		if (m->lat_count) {
			if (!t->lat_count || m->lat_min_ns < t->lat_min)
				t->lat_min = m->lat_min_ns;
			if (!t->lat_count || m->lat_max_ns > t->lat_max)
				t->lat_max = m->lat_max_ns;
			t->lat_count += m->lat_count;
			t->lat_sum += m->lat_sum_ns;
		}
	}
}

static void sum_tx(const struct run *r, struct tx_stats *t)
{
	for (uint32_t i = 0; i < r->cfg->streams; i++) {
		const struct tx_stats *s = &r->st[i].tx;

		t->packets += s->packets;
		t->bytes += s->bytes;
		t->dropped += s->dropped;
		t->duplicated += s->duplicated;
		t->reordered += s->reordered;
		t->errors += s->errors;
		t->late_over_1ms += s->late_over_1ms;
		if (s->late_max_ns > t->late_max_ns)
			t->late_max_ns = s->late_max_ns;
	}
}

static json_object *config_obj(const struct cfg *c)
{
	json_object *o = json_object_new_object(), *imp;
	char a[64];

	add(o, "clock_rate", j_u64(c->clock_rate));
	add(o, "port_step", j_u64(c->port_step));
	format_sockaddr(&c->local.ss, a, sizeof(a));
	add(o, "local", c->local.set ? json_object_new_string(a) : NULL);
	if (c->mode & MODE_RECV)
		add(o, "rcvbuf", j_u64(c->rcvbuf));
	if (!(c->mode & MODE_SEND))
		return o;
	imp = json_object_new_object();
	add(o, "pt", j_u64(c->pt));
	add(o, "payload_size", j_u64(c->payload_size));
	add(o, "interval_ms", j_dbl(c->interval_ns / 1e6));
	add(o, "ts_step", j_u64(c->ts_step));
	add(o, "count", c->count == UINT64_MAX ? NULL : j_u64(c->count));
	format_sockaddr(&c->dst.ss, a, sizeof(a));
	add(o, "dst", c->dst.set ? json_object_new_string(a) : NULL);
	add(o, "one_socket", json_object_new_boolean(c->one_socket));
	add(o, "seed", j_u64(c->seed));
	add(imp, "drop_every", j_u64(c->drop_every));
	add(imp, "loss_pct", j_dbl(c->loss * 100));
	add(imp, "dup_pct", j_dbl(c->dup * 100));
	add(imp, "reorder_pct", j_dbl(c->reorder * 100));
	add(imp, "delay_jitter_ms", j_dbl(c->delay_jitter_ns / 1e6));
	add(o, "impairments", imp);
	return o;
}

/* Receive rate over the span from first to last arrival, so that waiting
 * before the first and after the last packet does not dilute it. */
static double rt_pps(const struct run *r, const struct rx_tot *rt)
{
	uint64_t first = UINT64_MAX, last = 0;

	for (uint32_t i = 0; i < r->cfg->streams; i++) {
		const struct rx_stats *x = &r->st[i].rx;

		if (!x->packets)
			continue;
		first = x->first_ns < first ? x->first_ns : first;
		last = x->last_ns > last ? x->last_ns : last;
	}
	return last > first ? rt->packets * 1e9 / (last - first) : 0;
}

static int report_json(const struct run *r, double secs, const struct tx_stats *tt,
		       const struct rx_tot *rt)
{
	const struct cfg *c = r->cfg;
	json_object *root = json_object_new_object(), *o, *arr;

	add(root, "mode", json_object_new_string(mode_name[c->mode]));
	add(root, "streams", j_u64(c->streams));
	add(root, "elapsed_s", j_dbl(secs));
	add(root, "config", config_obj(c));
	if (MODE_HAS_TX(c->mode)) {
		o = tx_obj(tt);
		add(o, "pps", j_dbl(secs > 0 ? tt->packets / secs : 0));
		add(root, "tx", o);
	}
	if (c->mode & MODE_RECV) {
		o = json_object_new_object();
		add(o, "packets", j_u64(rt->packets));
		add(o, "unique", j_u64(rt->unique));
		add(o, "bytes", j_u64(rt->bytes));
		add(o, "expected", j_u64(rt->expected));
		add(o, "lost", json_object_new_int64(rt->lost));
		add(o, "loss_pct", j_dbl(pct(rt->lost, rt->expected)));
		add(o, "duplicates", j_u64(rt->dups));
		add(o, "reordered", j_u64(rt->reord));
		add(o, "bad_jumps", j_u64(rt->bad));
		add(o, "resyncs", j_u64(rt->resyncs));
		add(o, "ssrc_changes", j_u64(rt->ssrc_changes));
		add(o, "malformed", j_u64(rt->malformed));
		add(o, "foreign", j_u64(rt->foreign));
		add(o, "streams_receiving", j_u64(rt->receiving));
		add(o, "streams_silent", j_u64(c->streams - rt->receiving));
		add(o, "jitter_ms_avg", j_dbl(rt->receiving ? rt->jit_sum / rt->receiving : 0));
		add(o, "jitter_ms_max", j_dbl(rt->jit_max));
		add(o, "latency_ms", latency_obj(rt->lat_count, rt->lat_min, rt->lat_max,
						 rt->lat_sum));
		add(o, "pps", j_dbl(rt_pps(r, rt)));
		add(root, "rx", o);
	}
	if (c->per_stream) {
		arr = json_object_new_array_ext(c->streams);
		for (uint32_t i = 0; i < c->streams; i++) {
			const struct stream *s = &r->st[i];
			char a[64];

			o = json_object_new_object();
			add(o, "index", j_u64(i));
			format_sockaddr(&s->local.ss, a, sizeof(a));
			add(o, "local", s->local.set ? json_object_new_string(a) : NULL);
			if (c->mode & MODE_SEND) {
				format_sockaddr(&s->dst.ss, a, sizeof(a));
				add(o, "dst", json_object_new_string(a));
				add(o, "ssrc", j_u64(s->ssrc));
			}
			if (MODE_HAS_TX(c->mode))
				add(o, "tx", tx_obj(&s->tx));
			if (c->mode & MODE_RECV)
				add(o, "rx", rx_stream_obj(s));
			json_object_array_add(arr, o);
		}
		add(root, "per_stream", arr);
	}
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_SPACED));
	json_object_put(root);
	return 0;
}

static void report_text(const struct run *r, double secs, const struct tx_stats *tt,
			const struct rx_tot *rt)
{
	const struct cfg *c = r->cfg;

	printf("rtpgen %s: %u streams, %.3f s\n", mode_name[c->mode], c->streams, secs);
	if (MODE_HAS_TX(c->mode))
		printf("tx: %llu packets (%.0f pps), %llu dropped, %llu duplicated, "
		       "%llu reordered on purpose, %llu send errors, late max %.3f ms\n",
		       (unsigned long long)tt->packets, secs > 0 ? tt->packets / secs : 0,
		       (unsigned long long)tt->dropped, (unsigned long long)tt->duplicated,
		       (unsigned long long)tt->reordered, (unsigned long long)tt->errors,
		       tt->late_max_ns / 1e6);
	if (c->mode & MODE_RECV) {
		printf("rx: %llu packets from %llu of %u streams, expected %llu, lost %lld "
		       "(%.3f%%), %llu duplicates, %llu reordered\n",
		       (unsigned long long)rt->packets, (unsigned long long)rt->receiving,
		       c->streams, (unsigned long long)rt->expected, (long long)rt->lost,
		       pct(rt->lost, rt->expected), (unsigned long long)rt->dups,
		       (unsigned long long)rt->reord);
		printf("rx: jitter avg %.3f ms max %.3f ms", rt->receiving ?
		       rt->jit_sum / rt->receiving : 0, rt->jit_max);
		if (rt->lat_count)
			printf(", latency min %.3f avg %.3f max %.3f ms", rt->lat_min / 1e6,
			       rt->lat_sum / rt->lat_count / 1e6, rt->lat_max / 1e6);
		printf("\n");
	}
}

int report(const struct run *r, uint64_t elapsed_ns)
{
	struct tx_stats tt = { 0 };
	struct rx_tot rt = { 0 };
	double secs = elapsed_ns / 1e9;

	sum_tx(r, &tt);
	sum_rx(r, &rt);
	if (r->cfg->json)
		return report_json(r, secs, &tt, &rt);
	report_text(r, secs, &tt, &rt);
	return 0;
}

/* --progress: one line on stderr per interval with rates since the last
 * line and running totals; a JSON object per line with --json. */
void progress(const struct run *r, uint64_t elapsed_ns)
{
	static uint64_t prev_ns, prev_tx, prev_rx;
	const struct cfg *c = r->cfg;
	struct tx_stats tt = { 0 };
	struct rx_tot rt = { 0 };
	double dt = (elapsed_ns - prev_ns) / 1e9, jit;
	double tx_pps, rx_pps;

	sum_tx(r, &tt);
	sum_rx(r, &rt);
	tx_pps = dt > 0 ? (tt.packets - prev_tx) / dt : 0;
	rx_pps = dt > 0 ? (rt.packets - prev_rx) / dt : 0;
	jit = rt.receiving ? rt.jit_sum / rt.receiving : 0;
	prev_ns = elapsed_ns;
	prev_tx = tt.packets;
	prev_rx = rt.packets;
	if (c->json) {
		json_object *o = json_object_new_object();

		add(o, "t_s", j_dbl(elapsed_ns / 1e9));
		if (MODE_HAS_TX(c->mode)) {
			add(o, "tx_packets", j_u64(tt.packets));
			add(o, "tx_pps", j_dbl(tx_pps));
		}
		if (c->mode & MODE_RECV) {
			add(o, "rx_packets", j_u64(rt.packets));
			add(o, "rx_pps", j_dbl(rx_pps));
			add(o, "lost", json_object_new_int64(rt.lost));
			add(o, "duplicates", j_u64(rt.dups));
			add(o, "reordered", j_u64(rt.reord));
			add(o, "streams_receiving", j_u64(rt.receiving));
			add(o, "jitter_ms_avg", j_dbl(jit));
		}
		fprintf(stderr, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return;
	}
	fprintf(stderr, "rtpgen: %7.1f s", elapsed_ns / 1e9);
	if (MODE_HAS_TX(c->mode))
		fprintf(stderr, "  tx %.0f pps", tx_pps);
	if (c->mode & MODE_RECV)
		fprintf(stderr, "  rx %.0f pps from %llu streams, lost %lld, dup %llu, "
			"reordered %llu, jitter %.3f ms", rx_pps,
			(unsigned long long)rt.receiving, (long long)rt.lost,
			(unsigned long long)rt.dups, (unsigned long long)rt.reord, jit);
	fputc('\n', stderr);
}
