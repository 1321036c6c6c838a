// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"

bool rr_token_bucket_take(struct rr_token_bucket *tb, double rate, double burst,
			  uint64_t now_ns)
{
	if (rate <= 0)
		return true;
	if (burst < 1)
		burst = 1;
	if (!tb->last_ns) {
		tb->tokens = burst;
	} else if (now_ns > tb->last_ns) {
		tb->tokens += (double)(now_ns - tb->last_ns) / 1e9 * rate;
		if (tb->tokens > burst)
			tb->tokens = burst;
	}
	tb->last_ns = now_ns ? now_ns : 1;
	if (tb->tokens < 1)
		return false;
	tb->tokens -= 1;
	return true;
}

struct rr_adm_trunk *rr_adm_trunk(struct rr_admission *a, const char *name)
{
	struct rr_adm_trunk *t;

	for (t = a->trunks; t; t = t->next)
		if (!strcmp(t->name, name))
			return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->next = a->trunks;
	a->trunks = t;
	return t;
}

enum rr_adm_verdict rr_adm_take(struct rr_adm_trunk *t, const struct rr_trunk *cfg,
				uint64_t now_ns, struct rr_adm_slot *slot)
{
	enum rr_adm_verdict v = RR_ADM_OK;
	unsigned int kbps = cfg->call_bandwidth_kbps;

	slot->t = NULL;
	slot->kbps = 0;
	if (cfg->max_calls && t->calls >= cfg->max_calls)
		v = RR_ADM_CALLS;
	else if (cfg->max_bandwidth_kbps && t->kbps + kbps > cfg->max_bandwidth_kbps)
		v = RR_ADM_BANDWIDTH;
	/* last: a call refused for another reason uses no token */
	else if (!rr_token_bucket_take(&t->cps, cfg->max_cps, cfg->max_cps, now_ns))
		v = RR_ADM_CPS;
	if (v != RR_ADM_OK) {
		t->rejected[v]++;
		return v;
	}
	t->calls++;
	t->kbps += kbps;
	slot->t = t;
	slot->kbps = kbps;
	return RR_ADM_OK;
}

void rr_adm_put(struct rr_adm_slot *slot)
{
	if (!slot->t)
		return;
	if (slot->t->calls)
		slot->t->calls--;
	slot->t->kbps = slot->t->kbps >= slot->kbps ? slot->t->kbps - slot->kbps : 0;
	slot->t = NULL;
	slot->kbps = 0;
}

unsigned int rr_adm_retry_after(enum rr_adm_verdict v)
{
	/* a token comes back within a second; a call slot when a call ends */
	return v == RR_ADM_CPS ? 1 : 10;
}

const char *rr_adm_verdict_name(enum rr_adm_verdict v)
{
	static const char *const n[] = { "ok", "max_calls", "max_cps", "max_bandwidth_kbps" };

	return v <= RR_ADM_BANDWIDTH ? n[v] : "?";
}

void rr_admission_free(struct rr_admission *a)
{
	while (a->trunks) {
		struct rr_adm_trunk *n = a->trunks->next;

		free(a->trunks);
		a->trunks = n;
	}
}
