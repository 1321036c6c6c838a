// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelayctl route test: which rule a call would match, the translations
 * on the way and the targets it would ring. With --config FILE the file is
 * loaded and evaluated here (nothing running needed: check a configuration
 * before deploying it); without, the running rtprelayd answers over its
 * control socket ({"cmd":"route_test"}, docs/control.md).
 */
#include <stdio.h>
#include <string.h>
#include "ctl.h"
#include "config.h"
#include "route_test.h"

static void print_target(const char *what, unsigned int i, json_object *t)
{
	printf("%s %u: trunk %s (%s side), number %s, peer %s\n", what, i + 1,
	       ctl_jstr(t, "trunk"), ctl_jstr(t, "side"), ctl_jstr(t, "number"),
	       ctl_jstr(t, "peer"));
	if (strcmp(ctl_jstr(t, "to"), ctl_jstr(t, "number")))
		printf("    To %s\n", ctl_jstr(t, "to"));
	printf("    From %s%s%s\n", *ctl_jstr(t, "from") ? ctl_jstr(t, "from") : "(none)",
	       *ctl_jstr(t, "pai") ? ", P-Asserted-Identity " : "", ctl_jstr(t, "pai"));
}

static void print_text(json_object *r)
{
	json_object *steps = json_object_object_get(r, "translations");
	json_object *targets = json_object_object_get(r, "targets");
	json_object *alts = json_object_object_get(r, "alternates");
	size_t i;

	printf("call on trunk %s from %s to %s\n", ctl_jstr(r, "trunk"),
	       *ctl_jstr(r, "from") ? ctl_jstr(r, "from") : "(none)", ctl_jstr(r, "to"));
	for (i = 0; i < json_object_array_length(steps); i++)
		printf("  %s\n", json_object_get_string(json_object_array_get_idx(steps, i)));
	if (!json_object_get_boolean(json_object_object_get(r, "matched"))) {
		printf("no route: %s -> %lld\n", ctl_jstr(r, "rule"), ctl_jnum(r, "status"));
		return;
	}
	printf("rule: %s\n", ctl_jstr(r, "rule"));
	for (i = 0; i < json_object_array_length(targets); i++)
		print_target("target", (unsigned int)i, json_object_array_get_idx(targets, i));
	for (i = 0; i < json_object_array_length(alts); i++)
		print_target("then", (unsigned int)i, json_object_array_get_idx(alts, i));
}

int ctl_route_main(const char *sock, int argc, char **argv)
{
	const char *trunk = NULL, *from = NULL, *to = NULL, *pai = NULL, *config = NULL;
	json_object *reply;
	bool json = false;
	int i, ret;

	if (argc < 1 || strcmp(argv[0], "test"))
		usage_err("route", argc ? "unknown subcommand (test)" : "missing subcommand (test)");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			json = true;
			continue;
		}
		if (strcmp(a, "--trunk") && strcmp(a, "--from") && strcmp(a, "--to") &&
		    strcmp(a, "--pai") && strcmp(a, "--config"))
			usage_err(a, "unknown option for route test");
		if (i + 1 >= argc)
			usage_err(a, "needs a value");
		if (!strcmp(a, "--trunk"))
			trunk = argv[++i];
		else if (!strcmp(a, "--from"))
			from = argv[++i];
		else if (!strcmp(a, "--to"))
			to = argv[++i];
		else if (!strcmp(a, "--pai"))
			pai = argv[++i];
		else
			config = argv[++i];
	}
	if (!trunk || !to)
		usage_err("route test", "--trunk and --to are required");
	if (config) {
		char err[512];
		struct rr_config *cfg = rr_config_load(config, err, sizeof(err));

		if (!cfg) {
			fprintf(stderr, "rtprelayctl: %s\n", err);
			return CTL_EXIT_RUNTIME;
		}
		if (rr_config_trunk_find(cfg, trunk) < 0) {
			rr_config_free(cfg);
			usage_err("--trunk", "'%s' is not a trunk of %s", trunk, config);
		}
		reply = rr_route_test(cfg, trunk, from, to, pai);
		rr_config_free(cfg);
	} else {
		char err[256] = "";
		json_object *req = json_object_new_object();

		json_object_object_add(req, "cmd", json_object_new_string("route_test"));
		json_object_object_add(req, "trunk", json_object_new_string(trunk));
		json_object_object_add(req, "to", json_object_new_string(to));
		if (from)
			json_object_object_add(req, "from", json_object_new_string(from));
		if (pai)
			json_object_object_add(req, "pai", json_object_new_string(pai));
		reply = ctl_request(sock, req, err, sizeof(err));
		json_object_put(req);
		if (!reply) {
			fprintf(stderr, "rtprelayctl: %s\n", err);
			return CTL_EXIT_RUNTIME;
		}
	}
	if (!json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		fprintf(stderr, "rtprelayctl: %s\n", ctl_jstr(reply, "error"));
		json_object_put(reply);
		return CTL_EXIT_RUNTIME;
	}
	json_object_object_del(reply, "ok");
	if (json)
		ctl_print_json(reply);
	else
		print_text(reply);
	/* exit 0 when the call would be routed, 1 when it would be refused */
	ret = json_object_get_boolean(json_object_object_get(reply, "matched")) ? 0 : CTL_EXIT_RUNTIME;
	json_object_put(reply);
	return ret;
}
