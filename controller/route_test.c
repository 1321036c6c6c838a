// SPDX-License-Identifier: GPL-2.0-only
/* The routing dry run as JSON (see route_test.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_test.h"
#include "routing.h"

/* The number of s (a number or a sip:/sips:/tel: URI) into out; -ENOSPC
 * (out "") when it is longer than out holds: rtprelayd answers such a
 * call 404 (identity.c), it never routes it cut. */
static int number_arg(const char *s, char *out, size_t len)
{
	out[0] = '\0';
	if (!s)
		return 0;
	if ((!strncmp(s, "sip:", 4) || !strncmp(s, "sips:", 5) || !strncmp(s, "tel:", 4)) &&
	    !rr_number_from_uri(s, out, len))
		return 0;
	if (rr_number_clean(s, out, len)) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}

static json_object *target_json(const struct rr_config *cfg, const struct rr_route_target *t)
{
	const struct rr_trunk *tr = &cfg->trunks[t->trunk];
	json_object *o = json_object_new_object(), *peers = json_object_new_array();

	json_object_object_add(o, "trunk", json_object_new_string(tr->name));
	json_object_object_add(o, "side", json_object_new_string(rr_side_name(tr->side)));
	json_object_object_add(o, "number", json_object_new_string(t->user));
	json_object_object_add(o, "to", json_object_new_string(t->to));
	json_object_object_add(o, "from", json_object_new_string(t->from));
	json_object_object_add(o, "pai", json_object_new_string(t->pai));
	for (unsigned int i = 0; i < tr->n_peers; i++) {
		char hp[96];

		snprintf(hp, sizeof(hp), tr->peers[i].family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 tr->peers[i].host, tr->peers[i].port);
		if (!i)
			json_object_object_add(o, "peer", json_object_new_string(hp));
		json_object_array_add(peers, json_object_new_string(hp));
	}
	json_object_object_add(o, "peers", peers);
	return o;
}

json_object *rr_route_test(const struct rr_config *cfg, const char *trunk, const char *from,
			   const char *to, const char *pai)
{
	json_object *o = json_object_new_object(), *arr, *steps;
	struct rr_route_result *res = malloc(sizeof(*res));
	struct rr_call_numbers n;
	unsigned int *rr = NULL, i;
	int in = trunk ? rr_config_trunk_find(cfg, trunk) : -1, ret;
	char *line, *save = NULL;
	bool too_long;

	if (in < 0 || !res) {
		free(res);
		json_object_object_add(o, "ok", json_object_new_boolean(0));
		json_object_object_add(o, "error", json_object_new_string(
			!res ? "out of memory" : "route_test: unknown or missing trunk"));
		return o;
	}
	too_long = number_arg(to, n.ruri, sizeof(n.ruri)) != 0;
	strcpy(n.to, n.ruri);
	number_arg(from, n.from, sizeof(n.from));
	number_arg(pai, n.pai, sizeof(n.pai));
	/* a dry run: round-robin positions as they were */
	if (cfg->rules && cfg->rules->n_out) {
		rr = calloc(cfg->rules->n_out, sizeof(*rr));
		for (i = 0; rr && i < cfg->rules->n_out; i++)
			rr[i] = cfg->rules->out[i].rr_next;
	}
	if (too_long) {
		memset(res, 0, sizeof(*res));
		res->status = 404;
		snprintf(res->rule, sizeof(res->rule), "number too long");
		ret = -ENOENT;
	} else {
		ret = rr_route_decide_call(cfg, (unsigned int)in, &n, res);
	}
	for (i = 0; rr && i < cfg->rules->n_out; i++)
		cfg->rules->out[i].rr_next = rr[i];
	free(rr);

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "trunk", json_object_new_string(cfg->trunks[in].name));
	json_object_object_add(o, "from", json_object_new_string(n.from));
	json_object_object_add(o, "to", json_object_new_string(n.ruri));
	json_object_object_add(o, "matched", json_object_new_boolean(ret == 0));
	json_object_object_add(o, "status", json_object_new_int(ret ? res->status : 0));
	json_object_object_add(o, "rule", json_object_new_string(res->rule));
	json_object_object_add(o, "dialled", json_object_new_string(res->dialled));
	json_object_object_add(o, "canonical", json_object_new_string(res->canon));
	steps = json_object_new_array();
	for (line = strtok_r(res->steps, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_object_array_add(steps, json_object_new_string(line));
	json_object_object_add(o, "translations", steps);
	arr = json_object_new_array();
	for (i = 0; !ret && i < res->n_targets; i++)
		json_object_array_add(arr, target_json(cfg, &res->target[i]));
	json_object_object_add(o, "targets", arr);
	arr = json_object_new_array();
	for (i = 0; !ret && i < res->n_alt; i++)
		json_object_array_add(arr, target_json(cfg, &res->alt[i]));
	json_object_object_add(o, "alternates", arr);
	free(res);
	return o;
}
