/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel-version conditionals of rtprelay.ko, all here. Baseline is
 * Debian 12's 6.1 (the only headers built against here); the other APIs
 * used (genl small_ops, nf_register_net_hooks, ip_route_output_key,
 * ip6_route_output, inet_proto_csum_replace*) have not changed since.
 */
#ifndef RTPRELAY_KMOD_COMPAT_H
#define RTPRELAY_KMOD_COMPAT_H

#include <linux/version.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 18, 0)
#define skb_clear_tstamp(skb)	((skb)->tstamp = 0)
#endif

/* 6.0 added the missing-attribute helper; older kernels get a plain check. */
#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr)	(!(info)->attrs[(attr)])
#endif

#endif /* RTPRELAY_KMOD_COMPAT_H */
