/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a REFER's Refer-To (RFC 3515) with sofia-sip's parsers: the
 * number to call and, for an attended transfer, the dialog its Replaces
 * (RFC 3891) names.
 */
#ifndef RR_REFER_H
#define RR_REFER_H

#include <stdbool.h>
#include <sofia-sip/url.h>

struct rr_refer_target {
	char user[64];			/* number (user part, or a tel: number) */
	bool replaces;			/* ?Replaces= present */
	char call_id[128], to_tag[64], from_tag[64];
};

/* From a parsed Refer-To URL; 0, or -EINVAL (no number, a bad Replaces). */
int rr_refer_parse_url(const url_t *url, struct rr_refer_target *t);
/* From the text of a Refer-To header value ("<sip:...?Replaces=...>"). */
int rr_refer_parse(const char *refer_to, struct rr_refer_target *t);

#endif
