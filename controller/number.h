/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Telephone numbers: taken out of sip:/tel: URIs (user=phone, ;ext=, visual
 * separators), normalised to one canonical form per trunk's numbering plan,
 * and formatted the way a trunk wants them.
 *
 * Canonical form: "+" and the E.164 digits for a public number
 * ("+390612345678"); bare digits (and * #) for a short number, i.e. an
 * extension or the Teams users' remote numbering range ("8000", never
 * "+8000"); anything else (a name, "anonymous") unchanged.
 */
#ifndef RR_NUMBER_H
#define RR_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

#define RR_NUMBER_MAX 64

/* How numbers are sent to a trunk (number_format:). */
enum rr_number_format {
	RR_NUM_AS_IS,		/* as dialled/received, after translation rules */
	RR_NUM_E164,		/* +CC... (Teams Direct Routing) */
	RR_NUM_NATIONAL,	/* national prefix + number; abroad: international prefix */
};

/* A trunk's numbering plan. */
struct rr_numplan {
	unsigned int country_code;	/* 0: unknown (no national numbers) */
	char national_prefix[8];	/* trunk prefix, "0"; "" where it is part of the number (IT) */
	char international_prefix[8];	/* "00" */
	unsigned int max_short_len;	/* numbers up to this many digits are short */
	enum rr_number_format format;
	bool short_plus;		/* short numbers sent as "+8000" (e164 format) */
};

void rr_numplan_default(struct rr_numplan *p);

/* Number of a URI's user part as text ("sip:+39 06-12;ext=8@h;user=phone",
 * "tel:+39-06-12;ext=8"): visual separators - . ( ) and spaces dropped from
 * phone numbers; with ;ext=E the extension E is the number (a Teams user is
 * reached by its extension). 0, or -EINVAL when uri is no sip/sips/tel URI. */
int rr_number_from_uri(const char *uri, char *out, size_t len);

/* The same for a URI's user part already taken out of its URI (it may hold
 * ";ext=" parameters). */
int rr_number_clean(const char *user, char *out, size_t len);

/* Canonical form (above) of number n as received on / dialled on a trunk
 * with plan p. 0 or -ENOSPC. */
int rr_number_canon(const struct rr_numplan *p, const char *n, char *out, size_t len);

/* Canonical number c formatted for a trunk with plan p. 0 or -ENOSPC. */
int rr_number_format(const struct rr_numplan *p, const char *c, char *out, size_t len);

/* True for digits only (with an optional leading +, * and #). */
bool rr_number_is_digits(const char *n);

#endif
