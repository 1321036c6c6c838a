/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Prometheus endpoint: GET /metrics over HTTP (libmicrohttpd), the text
 * of metrics_text.h. Off unless the configuration has metrics.listen.
 */
#ifndef RR_METRICS_H
#define RR_METRICS_H

#include "b2bua.h"
#include "media.h"

struct rr_metrics;

/* Starts the HTTP thread on host:port; NULL (logged) on failure. Hooks
 * m->flow_done for the loss and jitter histograms. */
struct rr_metrics *rr_metrics_open(const char *host, int family, unsigned int port,
				   struct rr_media *m, const char *tier);
/* Main loop thread, once a second: the numbers scrapes will see. */
void rr_metrics_update(struct rr_metrics *mx, struct rr_b2bua *b);
void rr_metrics_close(struct rr_metrics *mx);

#endif
