/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Call admission per trunk: concurrent calls (in + out), new calls per
 * second (a token bucket) and a bandwidth budget (each call counts the
 * trunk's call_bandwidth_kbps). A call takes a slot on every trunk it
 * touches (its incoming trunk and the trunk of each branch it rings, once
 * per trunk) and gives back those of the branches that lose at the answer,
 * the rest when it ends. Counters are kept by trunk name so they survive a
 * configuration reload. No sofia: unit-tested directly.
 */
#ifndef RR_ADMISSION_H
#define RR_ADMISSION_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* One bucket of rate tokens per second, holding at most burst. */
struct rr_token_bucket {
	double tokens;
	uint64_t last_ns;		/* 0: never used (starts full) */
};

/* Takes one token at time now_ns; false when empty. rate 0: no limit. */
bool rr_token_bucket_take(struct rr_token_bucket *tb, double rate, double burst,
			  uint64_t now_ns);

enum rr_adm_verdict {
	RR_ADM_OK,
	RR_ADM_CALLS,			/* max_calls reached */
	RR_ADM_CPS,			/* max_cps exceeded */
	RR_ADM_BANDWIDTH,		/* max_bandwidth_kbps exceeded */
};

/* The admission state of one trunk (by name). */
struct rr_adm_trunk {
	struct rr_adm_trunk *next;
	char name[64];
	unsigned int calls;		/* calls holding a slot now */
	unsigned long long kbps;	/* bandwidth they count */
	struct rr_token_bucket cps;
	unsigned long long rejected[4];	/* by verdict (0 unused) */
};

struct rr_admission {
	struct rr_adm_trunk *trunks;
};

/* A slot a call holds on a trunk. */
struct rr_adm_slot {
	struct rr_adm_trunk *t;
	unsigned int kbps;
};

/* The state of trunk name, created on first use; NULL without memory. */
struct rr_adm_trunk *rr_adm_trunk(struct rr_admission *a, const char *name);
/* Admits one more call on t (limits of trunk cfg) at now_ns: RR_ADM_OK with
 * *slot filled, or why not (counted in t->rejected). */
enum rr_adm_verdict rr_adm_take(struct rr_adm_trunk *t, const struct rr_trunk *cfg,
				uint64_t now_ns, struct rr_adm_slot *slot);
/* Gives a slot back (idempotent: clears it). */
void rr_adm_put(struct rr_adm_slot *slot);
/* Retry-After seconds to send with the 503 of a verdict. */
unsigned int rr_adm_retry_after(enum rr_adm_verdict v);
const char *rr_adm_verdict_name(enum rr_adm_verdict v);
void rr_admission_free(struct rr_admission *a);

#endif
