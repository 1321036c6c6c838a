// SPDX-License-Identifier: GPL-2.0-only
/* Prometheus text exposition of a metrics snapshot (metrics_text.h). */
#include <errno.h>
#include <string.h>

#include "metrics_text.h"

const double rr_loss_bounds[RR_HIST_BUCKETS] = {
	0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1,
};
const double rr_jitter_bounds[RR_HIST_BUCKETS] = {
	1, 2, 5, 10, 20, 30, 50, 100, 200, 500,
};

/* The global counter of each per-flow drop reason. */
static const enum rtprelay_global_counter drop_counter[RTPRELAY_FDROP_MAX] = {
	[RTPRELAY_FDROP_SRC_MISMATCH] = RTPRELAY_G_DROP_SRC_MISMATCH,
	[RTPRELAY_FDROP_TTL] = RTPRELAY_G_DROP_TTL,
	[RTPRELAY_FDROP_FIB] = RTPRELAY_G_DROP_FIB,
	[RTPRELAY_FDROP_TX] = RTPRELAY_G_DROP_TX,
};
_Static_assert(RTPRELAY_FDROP_MAX == 4, "drop_counter: a global counter for every reason");

void rr_hist_observe(struct rr_hist *h, double v)
{
	unsigned int i = 0;

	while (i < RR_HIST_BUCKETS && v > h->bounds[i])
		i++;
	h->counts[i]++;
	h->count++;
	h->sum += v;
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP rtprelay_%s %s\n# TYPE rtprelay_%s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *k, const char *v, bool more)
{
	fprintf(f, "%s=\"", k);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputs(more ? "\"," : "\"", f);
}

/* name{tier="...",reason="..."} v */
static void by_reason(FILE *f, const char *name, const char *tier, const char *reason,
		      unsigned long long v)
{
	fprintf(f, "%s{", name);
	label(f, "tier", tier, true);
	label(f, "reason", reason, false);
	fprintf(f, "} %llu\n", v);
}

static void one(FILE *f, const char *name, const char *type, const char *help,
		unsigned long long v)
{
	head(f, name, type, help);
	fprintf(f, "rtprelay_%s %llu\n", name, v);
}

static void hist(FILE *f, const char *name, const char *help, const struct rr_hist *h)
{
	unsigned long long cum = 0;

	head(f, name, "histogram", help);
	for (unsigned int i = 0; i <= RR_HIST_BUCKETS; i++) {
		cum += h->counts[i];
		if (i < RR_HIST_BUCKETS)
			fprintf(f, "rtprelay_%s_bucket{le=\"%g\"} %llu\n", name, h->bounds[i], cum);
		else
			fprintf(f, "rtprelay_%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
	}
	fprintf(f, "rtprelay_%s_sum %.17g\nrtprelay_%s_count %llu\n", name, h->sum, name,
		h->count);
}

int rr_metrics_format(const struct rr_metrics_snap *s, FILE *f)
{
	static const char *const sides[2] = { "sbc", "pbx" };
	const struct { const char *outcome; unsigned long long v; } out[] = {
		{ "answered", s->answered },
		{ "failed", s->failed },
		{ "cancelled", s->cancelled },
		{ "rejected_403", s->rejected_403 },
		{ "rejected_404", s->rejected_404 },
		{ "rejected_other", s->rejected_other },
		{ "rejected_admission", s->rejected_admission },
		{ "inactivity_hangup", s->inactivity_hangups },
	};
	unsigned int i;

	one(f, "calls_active", "gauge", "Calls in progress.", s->calls_active);
	one(f, "calls_total", "counter",
	    "Calls accepted (INVITEs from an allowed source with a route).", s->calls_total);
	head(f, "calls_per_second", "gauge",
	     "Calls accepted per second, averaged over the last 10 seconds.");
	fprintf(f, "rtprelay_calls_per_second %.3f\n", s->cps);
	head(f, "call_outcomes_total", "counter",
	     "Call outcomes; rejected_* never became calls, inactivity_hangup ends answered calls.");
	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		fputs("rtprelay_call_outcomes_total{", f);
		label(f, "outcome", out[i].outcome, false);
		fprintf(f, "} %llu\n", out[i].v);
	}

	head(f, "trunk_peer_up", "gauge", "OPTIONS state of a trunk peer (1 up, 0 down).");
	for (i = 0; i < s->n_peers; i++) {
		fputs("rtprelay_trunk_peer_up{", f);
		label(f, "trunk", s->peers[i].trunk, true);
		label(f, "peer", s->peers[i].peer, false);
		fprintf(f, "} %d\n", s->peers[i].up);
	}
	head(f, "trunk_admission_rejected_total", "counter",
	     "Calls refused with 503 by the trunk's max_calls, max_cps or max_bandwidth_kbps.");
	for (i = 0; i < s->n_peers; i++) {
		if (i && !strcmp(s->peers[i].trunk, s->peers[i - 1].trunk))
			continue;	/* peers come trunk by trunk */
		fputs("rtprelay_trunk_admission_rejected_total{", f);
		label(f, "trunk", s->peers[i].trunk, false);
		fprintf(f, "} %llu\n", s->peers[i].trunk_rejected);
	}
	head(f, "trunk_calls_active", "gauge", "Calls in progress with a leg on the trunk.");
	for (i = 0; i < s->n_trunks; i++) {
		fputs("rtprelay_trunk_calls_active{", f);
		label(f, "trunk", s->trunks[i].name, false);
		fprintf(f, "} %u\n", s->trunks[i].calls);
	}

	head(f, "flows_installed", "gauge", "Flows the daemon has installed in the datapath.");
	fputs("rtprelay_flows_installed{", f);
	label(f, "tier", s->tier, false);
	fprintf(f, "} %u\n", s->flows);
	one(f, "flow_errors_total", "counter", "Flow install or remove failures.", s->flow_errors);
	head(f, "ports_in_use", "gauge", "Media port pairs allocated, per relay side.");
	for (i = 0; i < 2; i++) {
		fputs("rtprelay_ports_in_use{", f);
		label(f, "side", sides[i], false);
		fprintf(f, "} %u\n", s->ports_in_use[i]);
	}

	head(f, "forwarded_packets_total", "counter",
	     "Packets (RTP and RTCP) forwarded by the daemon's flows.");
	fputs("rtprelay_forwarded_packets_total{", f);
	label(f, "tier", s->tier, false);
	fprintf(f, "} %llu\n", s->fwd_packets);
	head(f, "forwarded_bytes_total", "counter", "L3 bytes forwarded by the daemon's flows.");
	fputs("rtprelay_forwarded_bytes_total{", f);
	label(f, "tier", s->tier, false);
	fprintf(f, "} %llu\n", s->fwd_bytes);

	if (s->have_global) {
		head(f, "datapath_packets_total", "counter",
		     "Datapath packet verdicts by reason (fwd_*, pass_*, drop_*, err_*).");
		for (i = 0; i < RTPRELAY_G_MAX; i++)
			by_reason(f, "rtprelay_datapath_packets_total", s->tier,
				  rtprelay_global_counter_names[i], s->global.counters[i]);
		head(f, "drops_total", "counter",
		     "Packets of an installed flow the datapath dropped, by reason.");
		for (i = 0; i < RTPRELAY_FDROP_MAX; i++)
			by_reason(f, "rtprelay_drops_total", s->tier, rtprelay_flow_drop_names[i],
				  s->global.counters[drop_counter[i]]);
	}

	hist(f, "stream_loss_ratio",
	     "RTP loss ratio (lost/expected) of each direction of a stream, at call end.", &s->loss);
	hist(f, "stream_jitter_ms",
	     "RFC 3550 interarrival jitter (ms) of each direction of a stream, at call end.",
	     &s->jitter);
	return ferror(f) ? -EIO : 0;
}
