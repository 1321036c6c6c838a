// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prometheus text of rtprelayd's metrics (controller/metrics_text.c): every
 * line a valid exposition line, HELP/TYPE before each family, values and
 * labels (escaped) as given, histograms cumulative with +Inf = count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <cmocka.h>
#include "metrics_text.h"

static char *render(const struct rr_metrics_snap *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(rr_metrics_format(s, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* The exposition grammar, one line at a time; a sample's family must have
 * had its TYPE line before it. */
static void check_grammar(char *text)
{
	static const char *const sample_re =
		"^(rtprelay_[a-zA-Z0-9_]*)"
		"(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\""
		"(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*\\})?"
		" (-?[0-9.e+]+|\\+Inf|NaN)$";
	regex_t sample, help, type;
	char types[4096] = " ";
	regmatch_t m[2];
	char *save, *line;
	int n = 0;

	assert_int_equal(regcomp(&sample, sample_re, REG_EXTENDED), 0);
	assert_int_equal(regcomp(&help, "^# HELP rtprelay_[a-z0-9_]+ .+$", REG_EXTENDED), 0);
	assert_int_equal(regcomp(&type, "^# TYPE (rtprelay_[a-z0-9_]+) (counter|gauge|histogram)$",
				 REG_EXTENDED), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (!regexec(&help, line, 0, NULL, 0))
			continue;
		if (!regexec(&type, line, 2, m, 0)) {
			strncat(types, line + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
			strcat(types, " ");
			continue;
		}
		if (regexec(&sample, line, 2, m, 0))
			fail_msg("line %d is not an exposition line: '%s'", n + 1, line);
		{
			char name[128], *suf;

			snprintf(name, sizeof(name), " %.*s ", (int)(m[1].rm_eo - m[1].rm_so), line);
			if (!strstr(types, name)) {
				/* histogram series: name_bucket/_sum/_count of a TYPEd name */
				suf = strrchr(name, '_');
				assert_non_null(suf);
				strcpy(suf, " ");
				if (!strstr(types, name))
					fail_msg("sample before its TYPE: '%s'", line);
			}
		}
	}
	assert_true(n > 40);
	regfree(&sample);
	regfree(&help);
	regfree(&type);
}

static void test_hist_observe(void **state)
{
	struct rr_hist h = { .bounds = rr_jitter_bounds };

	rr_hist_observe(&h, 0.5);	/* le 1 */
	rr_hist_observe(&h, 1);		/* le 1: upper bounds are inclusive */
	rr_hist_observe(&h, 7);		/* le 10 */
	rr_hist_observe(&h, 1e6);	/* +Inf */
	assert_int_equal(h.counts[0], 2);
	assert_int_equal(h.counts[3], 1);
	assert_int_equal(h.counts[RR_HIST_BUCKETS], 1);
	assert_int_equal(h.count, 4);
	assert_true(h.sum > 1e6 + 8.4 && h.sum < 1e6 + 8.6);
}

static void test_format(void **state)
{
	struct rr_metrics_peer peers[] = {
		{ "sbc", "198.51.100.10:5060", true, 0 },
		{ "sbc", "198.51.100.11:5060", true, 0 },
		{ "pbx \"main\"\\x", "[2001:db8::1]:5060", false, 7 },
	};
	struct rr_metrics_trunk trunks[] = { { "sbc", 3 }, { "pbx", 2 } };
	struct rr_metrics_snap s = {
		.tier = "xdp", .calls_active = 3, .calls_total = 12, .cps = 2.25, .answered = 9,
		.failed = 1, .cancelled = 2, .rejected_403 = 4, .rejected_404 = 5,
		.rejected_other = 0, .inactivity_hangups = 1, .flows = 12,
		.flow_errors = 0, .ports_in_use = { 3, 3 }, .have_global = true,
		.fwd_packets = 123456789012ull, .fwd_bytes = 987654321098ull,
		.peers = peers, .n_peers = 3, .trunks = trunks, .n_trunks = 2,
		.loss = { .bounds = rr_loss_bounds }, .jitter = { .bounds = rr_jitter_bounds },
	};
	char *t;

	for (int i = 0; i < RTPRELAY_G_MAX; i++)
		s.global.counters[i] = 1000u + (unsigned int)i;
	rr_hist_observe(&s.loss, 0);
	rr_hist_observe(&s.loss, 0);
	rr_hist_observe(&s.loss, 0.03);
	rr_hist_observe(&s.jitter, 3.5);
	t = render(&s);
	assert_true(has_line(t, "# TYPE rtprelay_calls_total counter"));
	assert_true(has_line(t, "rtprelay_calls_total 12"));
	assert_true(has_line(t, "rtprelay_calls_active 3"));
	assert_true(has_line(t, "rtprelay_call_outcomes_total{outcome=\"answered\"} 9"));
	assert_true(has_line(t, "rtprelay_call_outcomes_total{outcome=\"cancelled\"} 2"));
	assert_true(has_line(t, "rtprelay_call_outcomes_total{outcome=\"rejected_403\"} 4"));
	assert_true(has_line(t, "rtprelay_call_outcomes_total{outcome=\"rejected_404\"} 5"));
	assert_true(has_line(t, "rtprelay_call_outcomes_total{outcome=\"inactivity_hangup\"} 1"));
	assert_true(has_line(t, "rtprelay_trunk_peer_up{trunk=\"sbc\",peer=\"198.51.100.10:5060\"} 1"));
	/* admission rejections: one sample per trunk, not per peer */
	assert_true(has_line(t, "rtprelay_trunk_admission_rejected_total{trunk=\"sbc\"} 0"));
	assert_true(has_line(t, "rtprelay_trunk_admission_rejected_total{trunk=\"pbx \\\"main\\\"\\\\x\"} 7"));
	{
		const char *p = strstr(t, "rtprelay_trunk_admission_rejected_total{trunk=\"sbc\"}");

		assert_non_null(p);
		assert_null(strstr(p + 1, "rtprelay_trunk_admission_rejected_total{trunk=\"sbc\"}"));
	}
	assert_true(has_line(t, "rtprelay_trunk_peer_up{trunk=\"pbx \\\"main\\\"\\\\x\","
			     "peer=\"[2001:db8::1]:5060\"} 0"));
	assert_true(has_line(t, "rtprelay_trunk_calls_active{trunk=\"pbx\"} 2"));
	assert_true(has_line(t, "rtprelay_flows_installed{tier=\"xdp\"} 12"));
	assert_true(has_line(t, "rtprelay_ports_in_use{side=\"pbx\"} 3"));
	assert_true(has_line(t, "rtprelay_forwarded_packets_total{tier=\"xdp\"} 123456789012"));
	assert_true(has_line(t, "rtprelay_forwarded_bytes_total{tier=\"xdp\"} 987654321098"));
	assert_true(has_line(t, "rtprelay_datapath_packets_total{tier=\"xdp\",reason=\"fwd_tx\"} 1000"));
	assert_true(has_line(t, "rtprelay_datapath_packets_total{tier=\"xdp\",reason=\"err_internal\"} 1014"));
	assert_true(has_line(t, "# TYPE rtprelay_calls_per_second gauge"));
	assert_true(has_line(t, "rtprelay_calls_per_second 2.250"));
	/* drops by reason: the global drop_* counters (1010..1013) */
	assert_true(has_line(t, "# TYPE rtprelay_drops_total counter"));
	assert_true(has_line(t, "rtprelay_drops_total{tier=\"xdp\",reason=\"src_mismatch\"} 1010"));
	assert_true(has_line(t, "rtprelay_drops_total{tier=\"xdp\",reason=\"ttl\"} 1011"));
	assert_true(has_line(t, "rtprelay_drops_total{tier=\"xdp\",reason=\"fib\"} 1012"));
	assert_true(has_line(t, "rtprelay_drops_total{tier=\"xdp\",reason=\"tx\"} 1013"));
	assert_true(has_line(t, "rtprelay_stream_loss_ratio_bucket{le=\"0\"} 2"));
	assert_true(has_line(t, "rtprelay_stream_loss_ratio_bucket{le=\"0.02\"} 2"));
	assert_true(has_line(t, "rtprelay_stream_loss_ratio_bucket{le=\"0.05\"} 3"));
	assert_true(has_line(t, "rtprelay_stream_loss_ratio_bucket{le=\"+Inf\"} 3"));
	assert_true(has_line(t, "rtprelay_stream_loss_ratio_count 3"));
	assert_true(has_line(t, "rtprelay_stream_loss_ratio_sum 0.029999999999999999"));
	assert_true(has_line(t, "rtprelay_stream_jitter_ms_bucket{le=\"2\"} 0"));
	assert_true(has_line(t, "rtprelay_stream_jitter_ms_bucket{le=\"5\"} 1"));
	assert_true(has_line(t, "rtprelay_stream_jitter_ms_sum 3.5"));
	check_grammar(t);
	free(t);

	/* a backend without global counters: no datapath family at all */
	s.have_global = false;
	s.n_peers = s.n_trunks = 0;
	t = render(&s);
	assert_null(strstr(t, "rtprelay_datapath_packets_total"));
	assert_null(strstr(t, "rtprelay_drops_total"));
	assert_null(strstr(t, "rtprelay_trunk_peer_up{"));
	assert_true(has_line(t, "# TYPE rtprelay_trunk_peer_up gauge"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_observe),
		cmocka_unit_test(test_format),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
