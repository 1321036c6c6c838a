// SPDX-License-Identifier: GPL-2.0-only
/*
 * Call state files (controller/call_state.c): what is encoded decodes to
 * the same call (SDP with CR/LF, backslashes, IPv6, several streams); a
 * truncated, corrupted or incomplete file is refused with a reason naming
 * the line; save is atomic (tmp + rename) and remove idempotent; and the
 * cost of one save is measured.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "call_state.h"

static const char sdp0[] = "v=0\r\no=- 1 2 IN IP4 198.51.100.1\r\ns=-\r\n"
			   "c=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"
			   "a=x-odd:back\\slash\r\n";

static void fill(struct rr_cs_call *st)
{
	memset(st, 0, sizeof(*st));
	st->id = 4711;
	st->from = "+4930111";
	st->to = "4930123";
	st->display = "Anna \"A\" Muster";
	st->start = 1763900000;
	st->answer = 1763900004;
	st->pin_dir = "/sys/fs/bpf/rtprelay";
	st->side[0] = 0;
	st->side[1] = 1;
	st->family[0] = AF_INET;
	st->family[1] = AF_INET6;
	st->n = 2;
	st->s[0].port[0] = 30000;
	st->s[0].port[1] = 30002;
	st->s[0].installed[0] = st->s[0].installed[1] = true;
	st->s[0].flow_id[0] = 10002;
	st->s[0].flow_id[1] = 0;
	st->s[0].peer[0].family = AF_INET;
	inet_pton(AF_INET, "198.51.100.10", st->s[0].peer[0].addr);
	st->s[0].peer[0].port = 7000;
	st->s[0].peer[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:113::10", st->s[0].peer[1].addr);
	st->s[0].peer[1].port = 7002;
	st->s[0].peer[1].rtcp_mux = true;
	st->s[1].port[0] = 30004;
	st->s[1].port[1] = 30006;	/* a held stream: no peer address */
	st->s[1].peer[0].port = 9;
	for (int l = 0; l < 2; l++) {
		struct rr_cs_dialog *d = &st->leg[l];

		d->call_id = l ? "b2b-77@203.0.113.1" : "a84b4c76e66710@198.51.100.10";
		d->local = l ? "<sip:+4930111@203.0.113.1>;tag=ours1" : "<sip:4930123@198.51.100.1>;tag=ours0";
		d->remote = l ? "<sip:4930123@203.0.113.10>;tag=theirs1" : "\"Anna\" <sip:+4930111@198.51.100.10>;tag=theirs0";
		d->target = l ? "sip:pbx@203.0.113.10:5060" : "sip:sbc@198.51.100.10:5070;transport=tcp";
		d->route = l ? NULL : "<sip:p1.example;lr>,<sip:p2.example;lr>";
		d->local_cseq = l ? 101 : 0;
		d->remote_cseq = l ? 0 : 3;
		d->tcp = !l;
		d->peer = l ? "203.0.113.10:5060" : "198.51.100.10";
		d->trunk = l ? "pbx" : "sbc";
		d->sdp = (char *)sdp0;
		d->sdp_from = l ? NULL : "v=0\r\no=- 7 7 IN IP4 198.51.100.10\r\n";
	}
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* A caller's Privacy survives a restart (a transfer after it still hides
 * the caller). */
static void privacy_round_trip(void **state)
{
	struct rr_cs_call in, out;
	char err[160] = "";
	size_t len;
	char *text;

	fill(&in);
	in.privacy = true;
	text = rr_cs_encode(&in, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nprivacy 1\n"));
	assert_int_equal(rr_cs_decode(text, len, &out, err, sizeof(err)), 0);
	assert_true(out.privacy);
	rr_cs_free(&out);
	free(text);
}

static void round_trip(void **state)
{
	struct rr_cs_call in, out;
	char err[160] = "";
	size_t len;
	char *text;

	fill(&in);
	text = rr_cs_encode(&in, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_null(strstr(text, "\r"));	/* escaped: one line a key */
	assert_int_equal(rr_cs_decode(text, len, &out, err, sizeof(err)), 0);
	assert_int_equal(out.id, 4711);
	same_str(out.display, in.display);
	assert_false(out.privacy);	/* not written when off */
	assert_null(strstr(text, "privacy"));
	assert_int_equal(out.start, in.start);
	assert_int_equal(out.answer, in.answer);
	same_str(out.pin_dir, in.pin_dir);
	assert_int_equal(out.family[1], AF_INET6);
	assert_int_equal(out.side[1], 1);
	assert_int_equal(out.n, 2);
	assert_memory_equal(&out.s[0], &in.s[0], sizeof(in.s[0]));
	assert_memory_equal(&out.s[1], &in.s[1], sizeof(in.s[1]));
	for (int l = 0; l < 2; l++) {
		same_str(out.leg[l].call_id, in.leg[l].call_id);
		same_str(out.leg[l].local, in.leg[l].local);
		same_str(out.leg[l].remote, in.leg[l].remote);
		same_str(out.leg[l].target, in.leg[l].target);
		same_str(out.leg[l].route, in.leg[l].route);
		same_str(out.leg[l].peer, in.leg[l].peer);
		same_str(out.leg[l].trunk, in.leg[l].trunk);
		same_str(out.leg[l].sdp, sdp0);
		same_str(out.leg[l].sdp_from, in.leg[l].sdp_from);
		assert_int_equal(out.leg[l].local_cseq, in.leg[l].local_cseq);
		assert_int_equal(out.leg[l].remote_cseq, in.leg[l].remote_cseq);
		assert_int_equal(out.leg[l].tcp, in.leg[l].tcp);
	}
	rr_cs_free(&out);
	free(text);
}

/* decode of text must fail with a reason containing want */
static void refused(const char *text, size_t len, const char *want)
{
	struct rr_cs_call out;
	char err[160] = "";

	assert_int_equal(rr_cs_decode(text, len, &out, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("reason '%s' lacks '%s'", err, want);
	/* nothing left allocated, nothing to free */
	assert_null(out.from);
	assert_null(out.leg[0].call_id);
}

static char *replace(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	char *r;

	assert_non_null(p);
	r = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	assert_non_null(r);
	sprintf(r, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	return r;
}

/* text with from replaced by to must be refused with a reason containing want */
static void refused_in(const char *text, const char *from, const char *to, const char *want)
{
	char *t = replace(text, from, to);

	refused(t, strlen(t), want);
	free(t);
}

static void bad_files(void **state)
{
	struct rr_cs_call in;
	size_t len;
	char *text, *t;

	fill(&in);
	text = rr_cs_encode(&in, &len);
	assert_non_null(text);

	/* truncated anywhere: mid-line, or at a line end before "end" */
	refused(text, len / 2, "truncated");
	t = strstr(text, "\nleg1.trunk");
	refused(text, (size_t)(t - text) + 1, "no 'end' line");
	refused("", 0, "empty file");
	refused("hello\n", 6, "line 1: not a version 1");
	refused("rtprelayd-call 2\nend\n", 21, "line 1");

	refused_in(text, "s0.port1 30002", "s0.port1 banana", "s0.port1: 'banana' is not a number");
	refused_in(text, "s0.port1 30002", "s0.port1 30003", "odd");
	refused_in(text, "s0.peer0 198.51.100.10 7000", "s0.peer0 198.51.100.999 7000", "not an address");
	refused_in(text, "leg1.target ", "leg1.targot ", "leg 1: dialog incomplete");
	refused_in(text, "id 4711\n", "", "no call id");
	refused_in(text, "streams 2", "streams 9", "streams: '9'");
	refused_in(text, "\\r\\n", "\\q", "unknown escape");
	refused_in(text, "end\n", "end\nid 5\n", "after 'end'");
	/* a NUL byte (a disk block of zeroes after a crash) */
	t = strdup(text);
	t[40] = 0;
	refused(t, len, "NUL");
	free(t);
	/* unknown keys from a newer writer are ignored */
	t = replace(text, "end\n", "leg0.future_key 1\nwhatever x\nend\n");
	{
		struct rr_cs_call out;
		char err[160];

		assert_int_equal(rr_cs_decode(t, strlen(t), &out, err, sizeof(err)), 0);
		rr_cs_free(&out);
	}
	free(t);
	free(text);
}

static void files(void **state)
{
	char dir[128], sub[160], path[200], err[160];
	struct rr_cs_call in, out;
	struct timespec t0, t1;
	const int n = 2000;
	struct stat sb;

	/* TMPDIR=/run measures tmpfs, the default state_dir's file system */
	snprintf(dir, sizeof(dir), "%s/rr-cs-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/a/calls", dir);
	assert_int_equal(rr_cs_mkdir(sub), 0);
	assert_int_equal(rr_cs_mkdir(sub), 0);	/* exists: fine */
	fill(&in);
	assert_int_equal(rr_cs_save(sub, &in), 0);
	snprintf(path, sizeof(path), "%s/call-4711.state", sub);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/call-4711.tmp", sub);
	assert_int_not_equal(stat(path, &sb), 0);	/* renamed away */
	snprintf(path, sizeof(path), "%s/call-4711.state", sub);
	assert_int_equal(rr_cs_load(path, &out, err, sizeof(err)), 0);
	assert_string_equal(out.leg[1].remote, in.leg[1].remote);
	rr_cs_free(&out);
	/* rewrite (media change) replaces it */
	in.s[0].peer[0].port = 7010;
	assert_int_equal(rr_cs_save(sub, &in), 0);
	assert_int_equal(rr_cs_load(path, &out, err, sizeof(err)), 0);
	assert_int_equal(out.s[0].peer[0].port, 7010);
	rr_cs_free(&out);
	assert_int_equal(rr_cs_remove(sub, 4711), 0);
	assert_int_not_equal(stat(path, &sb), 0);
	assert_int_equal(rr_cs_remove(sub, 4711), 0);	/* gone already: fine */
	assert_int_equal(rr_cs_load(path, &out, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open"));
	/* an unwritable directory is an error, not a crash */
	assert_int_equal(rr_cs_save("/proc/no-such-dir", &in), -ENOENT);

	/* the cost of one save (create, write ~1.3 kB, rename) and remove */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		in.id = (unsigned long)i + 1;
		assert_int_equal(rr_cs_save(sub, &in), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# rr_cs_save: %.1f us per call (%d saves in %s)\n",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n, n, dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		assert_int_equal(rr_cs_remove(sub, (unsigned long)i + 1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# rr_cs_remove: %.1f us per call\n",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n);
	rmdir(sub);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(privacy_round_trip),
		cmocka_unit_test(bad_files),
		cmocka_unit_test(files),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
