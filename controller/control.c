// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control socket. Requests are JSON objects, one per line:
 *   {"cmd":"calls"} {"cmd":"hangup","id":N} {"cmd":"status"} {"cmd":"trunks"}
 *   {"cmd":"route_test","trunk":T,"from":N,"to":N}
 * Replies are one JSON object per line with "ok": true|false. Plain words
 * ("calls", "hangup 3", "status") are accepted too, for humans with socat.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <json-c/json.h>

#include "control.h"
#include "log.h"
#include "route_test.h"

#define MAX_LINE 4096

struct client {
	struct rr_control *ctl;
	int fd;
	su_wait_t wait;
	int reg;
	size_t len;
	char buf[MAX_LINE];
};

struct rr_control {
	su_root_t *root;
	struct rr_b2bua *b;
	struct rr_media *m;
	const char *dp_name;
	char path[108];
	int fd;
	su_wait_t wait;
	int reg;
};

static json_object *endpoint_json(int family, const void *addr, unsigned int port)
{
	char buf[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN];

	if (!family || !inet_ntop(family, addr, a, sizeof(a)))
		return NULL;
	snprintf(buf, sizeof(buf), family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return json_object_new_string(buf);
}

static json_object *flow_json(struct rr_media *m, const struct rr_call_media *cm,
			      unsigned int i, int leg)
{
	struct rtprelay_flow_stats st;
	json_object *o = json_object_new_object(), *drops;
	__u32 id = rr_media_flow_id(m, cm, i, leg);
	struct rr_dp *dp = rr_media_dp(m, cm);
	__u64 exp, lost, nd[RTPRELAY_FDROP_MAX] = { 0 };

	json_object_object_add(o, "installed", json_object_new_boolean(cm->s[i].installed[leg]));
	if (!cm->s[i].installed[leg] || dp->ops->flow_stats(dp, id, &st))
		return o;
	json_object_object_add(o, "packets", json_object_new_uint64(st.packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(st.bytes));
	for (int r = 0; r < RTPRELAY_FDROP_MAX; r++)
		nd[r] = st.drops[r];
	if (!dp->ops->flow_stats(dp, id + 1, &st)) {
		json_object_object_add(o, "rtcp_packets", json_object_new_uint64(st.packets));
		for (int r = 0; r < RTPRELAY_FDROP_MAX; r++)
			nd[r] += st.drops[r];
	}
	/* what the RTP and RTCP flows of this direction dropped, by reason */
	drops = json_object_new_object();
	for (int r = 0; r < RTPRELAY_FDROP_MAX; r++)
		json_object_object_add(drops, rtprelay_flow_drop_names[r], json_object_new_uint64(nd[r]));
	json_object_object_add(o, "drops", drops);
	dp->ops->flow_stats(dp, id, &st);
	exp = st.rtp.received ? (__u64)st.rtp.ext_max_seq - st.rtp.base_seq + 1 : 0;
	lost = exp > st.rtp.received ? exp - st.rtp.received : 0;
	json_object_object_add(o, "lost", json_object_new_uint64(lost));
	json_object_object_add(o, "jitter", json_object_new_int64(st.rtp.jitter / 16));
	return o;
}

static int call_json(struct rr_call *c, void *arg)
{
	struct rr_control *ctl = ((void **)arg)[0];
	json_object *arr = ((void **)arg)[1];
	json_object *o = json_object_new_object(), *legs = json_object_new_array();
	json_object *streams = json_object_new_array();
	struct rr_call_info in;
	char ra[INET6_ADDRSTRLEN];

	rr_call_info(c, &in);
	json_object_object_add(o, "id", json_object_new_uint64(in.id));
	json_object_object_add(o, "state", json_object_new_string(in.state));
	json_object_object_add(o, "from", json_object_new_string(in.from));
	json_object_object_add(o, "to", json_object_new_string(in.to));
	json_object_object_add(o, "duration", json_object_new_double(in.duration));
	json_object_object_add(o, "talk", json_object_new_double(in.talk));
	json_object_object_add(o, "transferred", json_object_new_string(in.transferred));
	/* the tier carrying its flows (IPv4<->IPv6 calls: the userspace relay) */
	json_object_object_add(o, "tier",
			       json_object_new_string(rr_media_dp(ctl->m, in.media)->ops->name));
	for (int l = 0; l < 2; l++) {
		json_object *lo = json_object_new_object();

		json_object_object_add(lo, "trunk", json_object_new_string(in.trunk[l]));
		json_object_object_add(lo, "call_id", json_object_new_string(in.call_id[l]));
		json_object_object_add(lo, "side", json_object_new_string(rr_side_name(in.media->side[l])));
		json_object_object_add(lo, "relay_address",
			json_object_new_string(rr_media_relay_addr(ctl->m, in.media, l, ra, sizeof(ra)) ?: ""));
		json_object_array_add(legs, lo);
	}
	json_object_object_add(o, "legs", legs);
	for (unsigned int i = 0; i < in.media->n; i++) {
		const struct rr_stream *s = &in.media->s[i];
		json_object *so = json_object_new_object();

		for (int l = 0; l < 2; l++) {
			json_object *e;
			char key[24];

			snprintf(key, sizeof(key), "relay_port_%d", l);
			json_object_object_add(so, key, json_object_new_int(s->port[l]));
			snprintf(key, sizeof(key), "peer_%d", l);
			e = endpoint_json(s->peer[l].family, s->peer[l].addr, s->peer[l].port);
			if (e)
				json_object_object_add(so, key, e);
		}
		/* to_callee: what leg 0 sent, carried to leg 1 */
		json_object_object_add(so, "to_callee", flow_json(ctl->m, in.media, i, 1));
		json_object_object_add(so, "to_caller", flow_json(ctl->m, in.media, i, 0));
		json_object_array_add(streams, so);
	}
	json_object_object_add(o, "streams", streams);
	json_object_array_add(arr, o);
	return 0;
}

static int peer_json(const char *trunk, const char *host, unsigned int port, bool up,
		     void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "trunk", json_object_new_string(trunk));
	json_object_object_add(o, "host", json_object_new_string(host));
	json_object_object_add(o, "port", json_object_new_int((int)port));
	json_object_object_add(o, "up", json_object_new_boolean(up));
	json_object_array_add(arg, o);
	return 0;
}

/* Peers come trunk by trunk (configuration order): group them. */
static int trunk_peer_json(const char *trunk, const char *host, unsigned int port,
			   bool up, void *arg)
{
	json_object *trunks = arg, *t = NULL, *peers, *o = json_object_new_object();
	size_t n = json_object_array_length(trunks);

	if (n)
		t = json_object_array_get_idx(trunks, n - 1);
	if (!t || strcmp(json_object_get_string(json_object_object_get(t, "name")), trunk)) {
		t = json_object_new_object();
		json_object_object_add(t, "name", json_object_new_string(trunk));
		json_object_object_add(t, "peers", json_object_new_array());
		json_object_array_add(trunks, t);
	}
	peers = json_object_object_get(t, "peers");
	json_object_object_add(o, "host", json_object_new_string(host));
	json_object_object_add(o, "port", json_object_new_int((int)port));
	json_object_object_add(o, "up", json_object_new_boolean(up));
	json_object_object_add(o, "state", json_object_new_string(up ? "up" : "down"));
	json_object_array_add(peers, o);
	return 0;
}

static json_object *do_trunks(struct rr_control *ctl)
{
	json_object *o = json_object_new_object(), *trunks = json_object_new_array();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	rr_b2bua_peers(ctl->b, trunk_peer_json, trunks);
	/* admission: calls on each trunk now, calls its limits refused */
	for (size_t i = 0; i < json_object_array_length(trunks); i++) {
		json_object *t = json_object_array_get_idx(trunks, i);
		unsigned int calls = 0;
		unsigned long long rejected = 0;

		rr_b2bua_trunk_load(ctl->b, json_object_get_string(json_object_object_get(t, "name")),
				    &calls, &rejected);
		json_object_object_add(t, "calls", json_object_new_int64(calls));
		json_object_object_add(t, "rejected", json_object_new_uint64(rejected));
	}
	json_object_object_add(o, "trunks", trunks);
	return o;
}

static json_object *do_status(struct rr_control *ctl)
{
	json_object *peers = json_object_new_array();
	const struct rr_b2bua_stats *st = rr_b2bua_stats(ctl->b);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "datapath", json_object_new_string(ctl->dp_name));
	json_object_object_add(o, "calls", json_object_new_int((int)rr_b2bua_n_calls(ctl->b)));
	json_object_object_add(o, "flows", json_object_new_int((int)ctl->m->n_flows));
	json_object_object_add(o, "flow_errors", json_object_new_uint64(ctl->m->flow_errors));
	for (int s = 0; s < RR_SIDE_MAX; s++) {
		char key[32];

		snprintf(key, sizeof(key), "ports_in_use_%s", rr_side_name(s));
		json_object_object_add(o, key, json_object_new_int((int)ctl->m->pool[s].in_use));
	}
	json_object_object_add(o, "calls_total", json_object_new_uint64(st->calls_total));
	json_object_object_add(o, "calls_answered", json_object_new_uint64(st->calls_answered));
	json_object_object_add(o, "calls_failed", json_object_new_uint64(st->calls_failed));
	json_object_object_add(o, "calls_cancelled", json_object_new_uint64(st->calls_cancelled));
	json_object_object_add(o, "rejected_403", json_object_new_uint64(st->rejected_403));
	json_object_object_add(o, "rejected_404", json_object_new_uint64(st->rejected_404));
	json_object_object_add(o, "rejected_admission", json_object_new_uint64(st->rejected_admission));
	json_object_object_add(o, "inactivity_hangups", json_object_new_uint64(st->inactivity_hangups));
	json_object_object_add(o, "session_timer_hangups",
			       json_object_new_uint64(st->session_timer_hangups));
	json_object_object_add(o, "transfers_relayed", json_object_new_uint64(st->transfers_relayed));
	json_object_object_add(o, "transfers_blind", json_object_new_uint64(st->transfers_blind));
	json_object_object_add(o, "transfers_attended", json_object_new_uint64(st->transfers_attended));
	json_object_object_add(o, "transfers_failed", json_object_new_uint64(st->transfers_failed));
	json_object_object_add(o, "calls_restored", json_object_new_uint64(st->calls_restored));
	json_object_object_add(o, "restore_failed", json_object_new_uint64(st->restore_failed));
	json_object_object_add(o, "state_writes", json_object_new_uint64(st->state_writes));
	json_object_object_add(o, "state_errors", json_object_new_uint64(st->state_errors));
	json_object_object_add(o, "state_write_us", json_object_new_uint64(st->state_write_ns / 1000));
	rr_b2bua_peers(ctl->b, peer_json, peers);
	json_object_object_add(o, "peers", peers);
	return o;
}

static json_object *error_reply(const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

/* String member k of o, or NULL. */
static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *handle(struct rr_control *ctl, char *line)
{
	json_object *req = NULL, *v, *reply;
	const char *cmd;
	long long id = -1;
	char word[32] = "";

	if (line[0] == '{') {
		req = json_tokener_parse(line);
		if (!req || !json_object_object_get_ex(req, "cmd", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			json_object_put(req);
			return error_reply("bad request: want {\"cmd\": ...}");
		}
		cmd = json_object_get_string(v);
		if (json_object_object_get_ex(req, "id", &v))
			id = json_object_get_int64(v);
	} else {
		if (sscanf(line, "%31s %lld", word, &id) < 1)
			return error_reply("empty request");
		cmd = word;
	}
	if (!strcmp(cmd, "calls")) {
		json_object *arr = json_object_new_array();
		void *arg[2] = { ctl, arr };

		reply = json_object_new_object();
		json_object_object_add(reply, "ok", json_object_new_boolean(1));
		rr_b2bua_walk(ctl->b, call_json, arg);
		json_object_object_add(reply, "calls", arr);
	} else if (!strcmp(cmd, "status")) {
		reply = do_status(ctl);
	} else if (!strcmp(cmd, "trunks")) {
		reply = do_trunks(ctl);
	} else if (!strcmp(cmd, "hangup")) {
		if (id < 0)
			reply = error_reply("hangup: missing call id");
		else if (rr_b2bua_hangup(ctl->b, (unsigned long)id))
			reply = error_reply("hangup: no such call");
		else {
			reply = json_object_new_object();
			json_object_object_add(reply, "ok", json_object_new_boolean(1));
		}
	} else if (!strcmp(cmd, "route_test")) {
		/* {"cmd":"route_test","trunk":T,"from":N,"to":N[,"pai":N]} */
		if (!req)
			reply = error_reply("route_test: send a JSON request");
		else
			reply = rr_route_test(rr_b2bua_config(ctl->b), jstr(req, "trunk"),
					      jstr(req, "from"), jstr(req, "to"), jstr(req, "pai"));
	} else {
		reply = error_reply("unknown command (calls, status, trunks, hangup, route_test)");
	}
	json_object_put(req);
	return reply;
}

static void client_close(struct client *cl)
{
	su_root_deregister(cl->ctl->root, cl->reg);
	close(cl->fd);
	free(cl);
}

static int client_cb(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct client *cl = (struct client *)arg;
	ssize_t n;
	char *nl;

	n = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return 0;
		client_close(cl);
		return 0;
	}
	cl->len += (size_t)n;
	cl->buf[cl->len] = '\0';
	while ((nl = strchr(cl->buf, '\n'))) {
		json_object *reply;
		const char *s;
		size_t rest;

		*nl = '\0';
		if (nl > cl->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		reply = handle(cl->ctl, cl->buf);
		s = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
		if (write(cl->fd, s, strlen(s)) < 0 || write(cl->fd, "\n", 1) < 0) {
			json_object_put(reply);
			client_close(cl);
			return 0;
		}
		json_object_put(reply);
		rest = cl->len - (size_t)(nl + 1 - cl->buf);
		memmove(cl->buf, nl + 1, rest + 1);
		cl->len = rest;
	}
	if (cl->len >= sizeof(cl->buf) - 1) {
		const char *e = "{\"ok\":false,\"error\":\"line too long\"}\n";

		if (write(cl->fd, e, strlen(e)) < 0)
			rr_dbg("control: write: %s", strerror(errno));
		client_close(cl);
	}
	return 0;
}

static int accept_cb(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct rr_control *ctl = (struct rr_control *)arg;
	struct client *cl;
	int fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return 0;
	cl = calloc(1, sizeof(*cl));
	if (!cl || su_wait_create(&cl->wait, fd, SU_WAIT_IN | SU_WAIT_HUP)) {
		free(cl);
		close(fd);
		return 0;
	}
	cl->ctl = ctl;
	cl->fd = fd;
	cl->reg = su_root_register(ctl->root, &cl->wait, client_cb, (su_wakeup_arg_t *)cl, 0);
	if (cl->reg <= 0) {
		su_wait_destroy(&cl->wait);
		close(fd);
		free(cl);
	}
	return 0;
}

/* The socket's directory: systemd makes it (RuntimeDirectory=rtprelay);
 * when run by hand, one level is made here, as systemd would. */
static void make_socket_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		rr_warn("control socket directory %s: %s", dir, strerror(errno));
}

struct rr_control *rr_control_open(su_root_t *root, const char *path,
				   struct rr_b2bua *b, struct rr_media *m,
				   const char *dp_name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct rr_control *ctl = calloc(1, sizeof(*ctl));

	if (!ctl)
		return NULL;
	ctl->root = root;
	ctl->b = b;
	ctl->m = m;
	ctl->dp_name = dp_name;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto fail;
	make_socket_dir(path);
	unlink(path);	/* a stale socket of a previous run */
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(ctl->fd, 16))
		goto fail;
	if (su_wait_create(&ctl->wait, ctl->fd, SU_WAIT_ACCEPT))
		goto fail;
	ctl->reg = su_root_register(root, &ctl->wait, accept_cb, (su_wakeup_arg_t *)ctl, 0);
	if (ctl->reg <= 0)
		goto fail;
	return ctl;
fail:
	rr_err("control socket %s: %s", path, strerror(errno));
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl);
	return NULL;
}

void rr_control_close(struct rr_control *ctl)
{
	if (!ctl)
		return;
	su_root_deregister(ctl->root, ctl->reg);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
}
