/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Forking policy, free of SIP stack state so it is unit-tested directly:
 * which final response a forked call relays when every branch failed, and
 * the Reason of a CANCEL/BYE for a call completed elsewhere.
 */
#ifndef RR_FORK_H
#define RR_FORK_H

/* RFC 3326 Reason for a branch that lost to another answer (or whose
 * caller's CANCEL said the call was answered elsewhere). */
#define RR_REASON_ELSEWHERE "SIP;cause=200;text=\"Call completed elsewhere\""

/* The better of two final failures (300..699) for the caller, after RFC
 * 3261 16.7 simplified: any 6xx wins (the first one seen); else the lowest
 * class; within 4xx the more telling ones (486, 480, 404, 484, 403, 410,
 * 401, 407, 415, 420) before other 4xx, 408 and 487 last; else the lower
 * code. 0 stands for "none yet": the other one is returned. On a tie cur. */
int rr_fork_better(int cur, int status);

#endif
