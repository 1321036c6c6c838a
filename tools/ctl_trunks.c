// SPDX-License-Identifier: GPL-2.0-only
/* rtprelayctl trunks: each trunk's peers and their OPTIONS state, calls on
 * it now and calls its admission limits refused, from
 * rtprelayd's {"cmd":"trunks"} (docs/control.md). */
#include <inttypes.h>
#include <stdio.h>
#include "ctl.h"

int ctl_trunks(const char *sock, bool json)
{
	char err[256] = "";
	json_object *reply = ctl_ask(sock, "trunks", err, sizeof(err)), *trunks;
	size_t i, p, n_peers = 0;

	if (!reply) {
		fprintf(stderr, "rtprelayctl: %s\n", err);
		return CTL_EXIT_RUNTIME;
	}
	trunks = json_object_object_get(reply, "trunks");
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "trunks", json_object_get(trunks));
		ctl_print_json(o);
		json_object_put(o);
		json_object_put(reply);
		return 0;
	}
	printf("%-16s %-40s %-7s %6s %8s\n", "trunk", "peer", "options", "calls", "rejected");
	for (i = 0; i < json_object_array_length(trunks); i++) {
		json_object *t = json_object_array_get_idx(trunks, i);
		json_object *peers = json_object_object_get(t, "peers");
		const char *name = json_object_get_string(json_object_object_get(t, "name"));

		for (p = 0; p < json_object_array_length(peers); p++, n_peers++) {
			json_object *pe = json_object_array_get_idx(peers, p);
			char hp[300];

			snprintf(hp, sizeof(hp), "%s:%d",
				 json_object_get_string(json_object_object_get(pe, "host")),
				 json_object_get_int(json_object_object_get(pe, "port")));
			printf("%-16s %-40s %-7s", name ? name : "", hp,
			       json_object_get_string(json_object_object_get(pe, "state")));
			/* the trunk's admission numbers on its first peer's line */
			if (!p)
				printf(" %6d %8" PRId64, json_object_get_int(json_object_object_get(t, "calls")),
				       json_object_get_int64(json_object_object_get(t, "rejected")));
			printf("\n");
		}
	}
	printf("%zu trunk%s, %zu peer%s\n", i, i == 1 ? "" : "s", n_peers,
	       n_peers == 1 ? "" : "s");
	json_object_put(reply);
	return 0;
}
