// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon half of rtprelayctl: one JSON request line to rtprelayd's
 * control socket, one JSON reply line back (docs/control.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>
#include "ctl.h"
#include "ctl_daemon.h"

#define EXIT_RUNTIME	1
#define REPLY_MAX	(16 << 20)	/* 100,000 calls of ~150 bytes fit */

static json_object *request_err(const char *sock, json_object *req, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *line = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t len = 0, cap = 65536;
	char *buf = NULL;
	json_object *reply = NULL;
	int fd = -1;
	ssize_t n;

	if (strlen(sock) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--socket: path too long");
		return NULL;
	}
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "cannot reach rtprelayd at %s: %s "
			 "(is it running? --socket PATH)", sock, strerror(errno));
		goto out;
	}
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		snprintf(err, errlen, "%s: %s", sock, strerror(errno));
		goto out;
	}
	buf = malloc(cap);
	while (buf && (!len || buf[len - 1] != '\n')) {
		if (len + 1 >= cap) {
			char *nb = cap < REPLY_MAX ? realloc(buf, cap *= 2) : NULL;

			if (!nb) {
				snprintf(err, errlen, "reply from %s too large", sock);
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0) {
			snprintf(err, errlen, "%s closed the connection before replying", sock);
			goto out;
		}
		len += (size_t)n;
	}
	if (!buf)
		goto out;
	buf[len] = '\0';
	reply = json_tokener_parse(buf);
	if (!reply)
		snprintf(err, errlen, "unreadable reply from %s", sock);
	else if (!json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		snprintf(err, errlen, "rtprelayd: %s",
			 json_object_get_string(json_object_object_get(reply, "error")));
		json_object_put(reply);
		reply = NULL;
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return reply;
}

static json_object *request(const char *sock, json_object *req)
{
	char err[256] = "";
	json_object *reply = request_err(sock, req, err, sizeof(err));

	if (!reply)
		fprintf(stderr, "rtprelayctl: %s\n", err);
	return reply;
}

json_object *ctl_request(const char *sock, json_object *req, char *err, size_t errlen)
{
	return request_err(sock, req, err, errlen);
}

json_object *ctl_ask(const char *sock, const char *cmd, char *err, size_t errlen)
{
	json_object *req = json_object_new_object(), *reply;

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	reply = request_err(sock, req, err, errlen);
	json_object_put(req);
	return reply;
}

void ctl_print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_SPACED));
}

static json_object *simple(const char *sock, const char *cmd)
{
	json_object *req = json_object_new_object(), *reply;

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	reply = request(sock, req);
	json_object_put(req);
	return reply;
}

const char *ctl_jstr(json_object *o, const char *k)
{
	const char *s = json_object_get_string(json_object_object_get(o, k));

	return s ? s : "";
}

long long ctl_jnum(json_object *o, const char *k)
{
	return json_object_get_int64(json_object_object_get(o, k));
}

void ctl_call_media(json_object *call, struct ctl_call_media *m)
{
	json_object *streams = json_object_object_get(call, "streams");

	memset(m, 0, sizeof(*m));
	for (size_t s = 0; s < json_object_array_length(streams); s++) {
		json_object *st = json_object_array_get_idx(streams, s);
		json_object *a = json_object_object_get(st, "to_callee");
		json_object *b = json_object_object_get(st, "to_caller");

		m->to_callee += ctl_jnum(a, "packets");
		m->to_caller += ctl_jnum(b, "packets");
		m->lost += ctl_jnum(a, "lost") + ctl_jnum(b, "lost");
		if (ctl_jnum(a, "jitter") > m->jitter)
			m->jitter = ctl_jnum(a, "jitter");
		if (ctl_jnum(b, "jitter") > m->jitter)
			m->jitter = ctl_jnum(b, "jitter");
	}
}

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_SPACED));
}

int ctl_calls(const char *sock, bool json)
{
	json_object *reply = simple(sock, "calls"), *calls;
	size_t i, n;

	if (!reply)
		return EXIT_RUNTIME;
	calls = json_object_object_get(reply, "calls");
	if (json) {
		print_json(calls);
		json_object_put(reply);
		return 0;
	}
	n = json_object_array_length(calls);
	printf("%6s %-9s %-16s %-16s %-7s %-7s %8s %8s %6s %6s\n", "id", "state",
	       "from", "to", "trunks", "dur s", "pkts >", "pkts <", "lost", "jit ts");
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(calls, i);
		json_object *legs = json_object_object_get(c, "legs");
		struct ctl_call_media m;
		char trunks[64];

		ctl_call_media(c, &m);
		snprintf(trunks, sizeof(trunks), "%s>%s",
			 ctl_jstr(json_object_array_get_idx(legs, 0), "trunk"),
			 ctl_jstr(json_object_array_get_idx(legs, 1), "trunk"));
		printf("%6lld %-9s %-16.16s %-16.16s %-7.7s %-7.1f %8lld %8lld %6lld %6lld\n",
		       ctl_jnum(c, "id"), ctl_jstr(c, "state"), ctl_jstr(c, "from"),
		       ctl_jstr(c, "to"), trunks,
		       json_object_get_double(json_object_object_get(c, "duration")),
		       m.to_callee, m.to_caller, m.lost, m.jitter);
	}
	printf("%zu call%s\n", n, n == 1 ? "" : "s");
	json_object_put(reply);
	return 0;
}

int ctl_call_hangup(const char *sock, unsigned long id)
{
	json_object *req = json_object_new_object(), *reply;

	json_object_object_add(req, "cmd", json_object_new_string("hangup"));
	json_object_object_add(req, "id", json_object_new_int64((int64_t)id));
	reply = request(sock, req);
	json_object_put(req);
	if (!reply)
		return EXIT_RUNTIME;
	printf("call %lu: hangup sent\n", id);
	json_object_put(reply);
	return 0;
}
