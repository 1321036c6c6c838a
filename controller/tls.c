// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "tls.h"

/* The system CA bundle: what verifies peers when no ca is configured. */
#define RR_TLS_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"

static void ssl_reason(char *why, size_t len, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[160];

	if (e) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(why, len, "%s (%s)", what, ERR_reason_error_string(e) ?
			 ERR_reason_error_string(e) : buf);
	} else {
		snprintf(why, len, "%s", what);
	}
	ERR_clear_error();
}

static FILE *open_file(const char *path, char *why, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		snprintf(why, len, "'%s': %s", path, strerror(errno));
	return f;
}

int rr_tls_check(const struct rr_tls *t, enum rr_tls_file *which, char *why, size_t len)
{
	X509 *cert = NULL, *ca = NULL;
	EVP_PKEY *key = NULL;
	int rc = -EINVAL, n = 0;
	FILE *f;

	*which = RR_TLS_CERT;
	f = open_file(t->cert, why, len);
	if (!f)
		goto out;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert) {
		ssl_reason(why, len, "not a PEM certificate");
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
		snprintf(why, len, "'%s': the certificate has expired", t->cert);
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0) {
		snprintf(why, len, "'%s': the certificate is not valid yet", t->cert);
		goto out;
	}

	*which = RR_TLS_KEY;
	f = open_file(t->key, why, len);
	if (!f)
		goto out;
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key) {
		ssl_reason(why, len, "not a PEM private key without passphrase");
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		snprintf(why, len, "'%s' is not the key of certificate '%s'", t->key, t->cert);
		goto out;
	}

	*which = RR_TLS_CA;
	if (t->ca[0]) {
		f = open_file(t->ca, why, len);
		if (!f)
			goto out;
		while ((ca = PEM_read_X509(f, NULL, NULL, NULL))) {
			X509_free(ca);
			n++;
		}
		ERR_clear_error();
		fclose(f);
		if (!n) {
			snprintf(why, len, "'%s' holds no PEM certificate", t->ca);
			goto out;
		}
	}
	rc = 0;
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* Appends the file at src to the open fd. */
static int append(int fd, const char *src)
{
	char buf[4096];
	ssize_t n;
	int in = open(src, O_RDONLY | O_CLOEXEC), rc = 0;

	if (in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	}
	if (n < 0)
		rc = -errno;
	/* PEM blocks must start on a line of their own */
	if (!rc && write(fd, "\n", 1) != 1)
		rc = -EIO;
	close(in);
	return rc;
}

static int write_pem(const char *dir, const char *name, const char *a, const char *b)
{
	char path[PATH_MAX];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = append(fd, a);
	if (!rc && b)
		rc = append(fd, b);
	close(fd);
	return rc;
}

int rr_tls_dir_make(const struct rr_tls *t, const char *dir_base, char *dir, size_t len)
{
	const char *ca = t->ca[0] ? t->ca : RR_TLS_SYSTEM_CA;
	int rc;

	if ((size_t)snprintf(dir, len, "%s/rtprelayd-tls.XXXXXX", dir_base) >= len)
		return -ENAMETOOLONG;
	if (!mkdtemp(dir))
		return -errno;
	/* sofia-sip reads the key and the certificate from agent.pem and
	 * fails without a cafile.pem: with no CA file, the own certificate */
	rc = write_pem(dir, "agent.pem", t->key, t->cert);
	if (!rc)
		rc = write_pem(dir, "cafile.pem", access(ca, R_OK) ? t->cert : ca, NULL);
	if (rc)
		rr_tls_dir_remove(dir);
	return rc;
}

void rr_tls_dir_remove(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/agent.pem", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cafile.pem", dir);
	unlink(path);
	rmdir(dir);
}
