/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Generic-netlink API of the kernel forwarding tier (rtprelay.ko). The
 * kernel module and userspace (controller/rr_genl.c) both include this one
 * header. Flow, key and counters travel as binary attributes holding the
 * structs of flow.h and stats.h, validated by exact length, so no field list
 * is duplicated here.
 *
 * Commands (all state changes need CAP_NET_ADMIN). The family validates
 * strictly: unknown attributes and NLM_F_CREATE/EXCL/REPLACE-style header
 * flags are refused (they alias the dump flags in generic netlink), hence
 * the EXCL attribute.
 *   FLOW_ADD   KEY, FLOW [EXCL]   install or replace the flow at KEY; with
 *                                 EXCL fail with -EEXIST if present.
 *                                 FLOW.id must be < MAX_FLOWS and not used by
 *                                 a flow at another key. Counters start at 0.
 *   FLOW_DEL   KEY                remove; -ENOENT if absent.
 *   FLOW_GET   KEY | FLOW_ID      one flow: KEY, FLOW, FLOW_STATS.
 *              (NLM_F_DUMP)       every flow, same attributes per message.
 *   STATS_GET                     GLOBAL_STATS, FLOW_COUNT, MAX_FLOWS.
 *   FLUSH                         remove every flow; replies FLOW_COUNT removed.
 *   FLOW_IDLE  (multicast "idle") KEY, FLOW, FLOW_STATS of a flow that has seen
 *                                 no packet for the idle timeout (module
 *                                 parameter idle_timeout); sent once per idle
 *                                 period.
 *
 * FLOW_STATS are summed over CPUs; the rtp view is that of the CPU that saw
 * the most RTP packets of the flow (the datapath.h contract).
 */
#ifndef RTPRELAY_GENL_H
#define RTPRELAY_GENL_H

#include <linux/types.h>

#define RTPRELAY_GENL_NAME		"rtprelay"
#define RTPRELAY_GENL_VERSION		1
#define RTPRELAY_GENL_MCGRP_IDLE	"idle"

enum rtprelay_genl_cmd {
	RTPRELAY_CMD_UNSPEC,
	RTPRELAY_CMD_FLOW_ADD,
	RTPRELAY_CMD_FLOW_DEL,
	RTPRELAY_CMD_FLOW_GET,
	RTPRELAY_CMD_STATS_GET,
	RTPRELAY_CMD_FLUSH,
	RTPRELAY_CMD_FLOW_IDLE,		/* notification only */
	__RTPRELAY_CMD_MAX,
};
#define RTPRELAY_CMD_MAX	(__RTPRELAY_CMD_MAX - 1)

enum rtprelay_genl_attr {
	RTPRELAY_A_UNSPEC,
	RTPRELAY_A_KEY,			/* struct rtprelay_flow_key */
	RTPRELAY_A_FLOW,		/* struct rtprelay_flow */
	RTPRELAY_A_FLOW_STATS,		/* struct rtprelay_flow_stats (reply) */
	RTPRELAY_A_GLOBAL_STATS,	/* struct rtprelay_global_stats (reply) */
	RTPRELAY_A_FLOW_ID,		/* __u32: FLOW_GET by id */
	RTPRELAY_A_FLOW_COUNT,		/* __u32 (reply) */
	RTPRELAY_A_MAX_FLOWS,		/* __u32 (reply) */
	RTPRELAY_A_PAD,
	RTPRELAY_A_EXCL,		/* flag: FLOW_ADD must not replace */
	__RTPRELAY_A_MAX,
};
#define RTPRELAY_A_MAX		(__RTPRELAY_A_MAX - 1)

#endif /* RTPRELAY_GENL_H */
