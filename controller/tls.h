/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SIP over TLS: the certificate files of a listen side, checked with
 * OpenSSL when the configuration is read (so --check-config refuses a
 * missing, unreadable, expired or mismatched one), and laid out the way
 * sofia-sip's TLS transport reads them: a directory holding agent.pem (the
 * key, then the certificate chain) and cafile.pem (the CAs that verify
 * peers).
 */
#ifndef RR_TLS_H
#define RR_TLS_H

#include <stddef.h>

struct rr_tls;

/* Which file rr_tls_check() found wrong. */
enum rr_tls_file {
	RR_TLS_CERT,
	RR_TLS_KEY,
	RR_TLS_CA,
};

/* 0 when cert, key and ca (if set) are readable PEM, the certificate is
 * valid now and the key is its own; else -EINVAL, *which names the file
 * and why says what is wrong. */
int rr_tls_check(const struct rr_tls *t, enum rr_tls_file *which, char *why, size_t len);

/* Writes agent.pem and cafile.pem into a new private directory (0700)
 * under dir_base and returns its path in dir (rr_tls_dir_remove() when the
 * transport has read them). 0 or negative errno. */
int rr_tls_dir_make(const struct rr_tls *t, const char *dir_base, char *dir, size_t len);
void rr_tls_dir_remove(const char *dir);

#endif /* RR_TLS_H */
