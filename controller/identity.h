/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Caller identity and privacy (RFC 3325) across the relay: what of an
 * incoming INVITE's From, P-Asserted-Identity and Privacy is believed
 * (the incoming trunk's trust), and what From, P-Asserted-Identity and
 * Privacy a call leaving on a trunk carries (its trust and privacy).
 */
#ifndef RR_IDENTITY_H
#define RR_IDENTITY_H

#include <stdbool.h>
#include <sofia-sip/sip.h>

#include "config.h"
#include "routing.h"

/* The caller as received. */
struct rr_identity {
	char display[64];		/* From display name ("" none) */
	bool privacy_id;		/* Privacy: id / header / user asked for */
	char privacy[64];		/* the Privacy header as received */
};

/* What a leg towards a trunk carries. */
struct rr_identity_out {
	bool anonymous;			/* From: "Anonymous" <sip:anonymous@anonymous.invalid> */
	char from_user[64];		/* else this number / user ... */
	char display[64];		/* ... with this display name */
	char pai[64];			/* P-Asserted-Identity user; "" none */
	char privacy[64];		/* Privacy header; "" none */
};

/* Registers the extra SIP headers (P-Asserted-Identity) with sofia's
 * parser; before the first nua_create. */
void rr_identity_init(void);

/* Numbers (routing.h) and identity of an INVITE that arrived on trunk in:
 * P-Asserted-Identity only from a trusted trunk. -ENAMETOOLONG when the
 * Request-URI or To names a number longer than the number fields hold (it
 * is left "", never cut: a cut number would be routed to someone else). */
int rr_identity_take(const struct rr_trunk *in, const sip_t *sip, struct rr_call_numbers *n,
		     struct rr_identity *id);

/* A display name as sofia keeps it (maybe "quoted", with \-escapes) into
 * out as plain text fit to be quoted again: the quotes and escapes
 * resolved, '"', '\\' and control characters dropped. */
void rr_identity_display(const char *raw, char *out, size_t len);

/* What the leg of target t (numbers already formatted for its trunk)
 * carries towards trunk out. */
void rr_identity_out(const struct rr_trunk *out, const struct rr_identity *id,
		     const struct rr_route_target *t, struct rr_identity_out *o);

/* The From and P-Asserted-Identity header values of o ("" = no PAI), the
 * URIs on host (the relay's address on that side). */
void rr_identity_headers(const struct rr_identity_out *o, const char *host, char *from,
			 size_t from_len, char *pai, size_t pai_len);

/* True when user/display name an anonymous caller. */
bool rr_identity_is_anonymous(const char *user, const char *host);

#endif
