/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the unit tests that load configurations from text: the text goes to
 * a temporary file of its own for rr_config_load (which reads files) and
 * is removed again; a refusal is checked as FILE:LINE: reason. Include
 * after <cmocka.h> and "config.h".
 */
#ifndef RR_TEST_CONFIG_TEXT_H
#define RR_TEST_CONFIG_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* lines 1 to 7 of a configuration: the lab's listen and media addresses */
#define CONFIG_TEXT_LAB_HEAD					\
	"listen:\n"						\
	"  sbc: { address: 198.51.100.1 }\n"			\
	"  pbx: { address: 203.0.113.1 }\n"			\
	"media:\n"						\
	"  address:\n"						\
	"    sbc: { ipv4: 198.51.100.1 }\n"			\
	"    pbx: { ipv4: 203.0.113.1 }\n"

/* the file the last config_text_load wrote (removed, named in its errors) */
static char config_text_path[32];

/* The configuration in text, or NULL with the reason in err. */
static inline struct rr_config *config_text_load(const char *text, char *err, size_t len)
{
	struct rr_config *cfg;
	FILE *f;
	int fd;

	strcpy(config_text_path, "/tmp/rr_cfg_XXXXXX");
	fd = mkstemp(config_text_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	cfg = rr_config_load(config_text_path, err, len);
	unlink(config_text_path);
	return cfg;
}

/* The configuration in text, which must load (else the test fails). */
static inline struct rr_config *config_text_ok(const char *text)
{
	char err[512];
	struct rr_config *cfg = config_text_load(text, err, sizeof(err));

	if (!cfg)
		fail_msg("%s", err);
	return cfg;
}

/* text must be refused with an error "FILE:LINE: ..." containing what. */
static inline void config_text_refused(const char *text, int line, const char *what)
{
	char err[512], want[64];
	struct rr_config *cfg = config_text_load(text, err, sizeof(err));

	if (cfg) {
		rr_config_free(cfg);
		fail_msg("accepted a bad file: %s", text);
	}
	snprintf(want, sizeof(want), "%s:%d: ", config_text_path, line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, what))
		fail_msg("error '%s', expected prefix '%s' and '%s'", err, want, what);
}

#endif /* RR_TEST_CONFIG_TEXT_H */
