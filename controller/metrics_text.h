/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The numbers of one /metrics scrape and their Prometheus text exposition
 * (format 0.0.4). Pure: no sofia, no HTTP, so the unit test feeds it a
 * snapshot and reads the text back.
 */
#ifndef RR_METRICS_TEXT_H
#define RR_METRICS_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <rtprelay/stats.h>

#define RR_HIST_BUCKETS 10	/* finite bounds; +Inf is implicit */
#define RR_CPS_WINDOW 10	/* seconds the calls-per-second gauge averages */

struct rr_hist {
	const double *bounds;		/* RR_HIST_BUCKETS ascending upper bounds */
	unsigned long long counts[RR_HIST_BUCKETS + 1];	/* per bucket, last: +Inf */
	unsigned long long count;
	double sum;
};

extern const double rr_loss_bounds[RR_HIST_BUCKETS];	/* loss ratio 0..1 */
extern const double rr_jitter_bounds[RR_HIST_BUCKETS];	/* milliseconds */

void rr_hist_observe(struct rr_hist *h, double v);

struct rr_metrics_peer {
	char trunk[64];
	char peer[80];			/* host:port, [v6]:port */
	bool up;
	unsigned long long trunk_rejected;	/* the trunk's admission 503s */
};

struct rr_metrics_trunk {
	char name[64];
	unsigned int calls;		/* active calls with a leg on it */
};

struct rr_metrics_snap {
	const char *tier;		/* datapath backend name */
	unsigned int calls_active;
	unsigned long long calls_total, answered, failed, cancelled;
	double cps;			/* calls accepted per second, last RR_CPS_WINDOW s */
	unsigned long long rejected_403, rejected_404, rejected_other, rejected_admission;
	unsigned long long inactivity_hangups;
	unsigned int flows;
	unsigned long long flow_errors;
	unsigned int ports_in_use[2];	/* sbc, pbx port pairs */
	bool have_global;		/* the backend gave global counters */
	struct rtprelay_global_stats global;
	unsigned long long fwd_packets, fwd_bytes;
	struct rr_hist loss, jitter;	/* per direction of a stream, at call end */
	struct rr_metrics_peer *peers;
	unsigned int n_peers;
	struct rr_metrics_trunk *trunks;
	unsigned int n_trunks;
};

/* Writes the exposition of s to f; 0 or -EIO. */
int rr_metrics_format(const struct rr_metrics_snap *s, FILE *f);

#endif
