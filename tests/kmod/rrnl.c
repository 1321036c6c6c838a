// SPDX-License-Identifier: GPL-2.0-only
/*
 * rrnl: a small CLI over controller/rr_genl.c for the VM tests and for
 * poking at rtprelay.ko by hand. It validates only syntax, on purpose: the
 * tests use it to send out-of-range values and check the kernel's refusal.
 *
 *   rrnl add KEY OUT_SRC OUT_DST [id=N] [expect=EP] [reverse=EP]
 *            [flags=strict,latch,rtcp,mux,keepdscp,latched|0xN] [dscp=N]
 *            [clock=HZ] [excl]
 *   rrnl del KEY | get KEY | getid ID | list | stats | flush
 *   rrnl wait-idle TIMEOUT_MS        (prints the idle flow, exit 1: none)
 *   rrnl raw CMD [TYPE:HEX]...       (arbitrary request; prints the error)
 *   rrnl fill COUNT                  (COUNT flows 198.51.100.1:20000+i ->
 *                                     203.0.113.10:5000, id i: bulk tests)
 * EP: 192.0.2.1:5004, [2001:db8::1]:5004, or "-" (unset).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rtprelay/flow.h>
#include <rtprelay/stats.h>
#include "rr_genl.h"
#include "cli_common.h"

static const char *cmd_name = "rrnl";

static void usage(void)
{
	fprintf(stderr,
		"usage: rrnl add KEY OUT_SRC OUT_DST [id=N] [expect=EP] [reverse=EP] [flags=..] [dscp=N] [clock=HZ] [excl]\n"
		"       rrnl del KEY | get KEY | getid ID | list | stats | flush\n"
		"       rrnl wait-idle TIMEOUT_MS | raw CMD [TYPE:HEX]... | fill COUNT\n");
	exit(2);
}

static int fail(struct rr_genl *nl, int err)
{
	const char *m = rr_genl_errmsg(nl);

	fprintf(stderr, "rrnl: %s: %s%s%s\n", cmd_name, strerror(-err),
		*m ? ": " : "", m);
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int cmd_raw(struct rr_genl *nl, int argc, char **argv)
{
	struct rr_genl_raw_attr attrs[16];
	static unsigned char data[16][512];
	size_t n = 0, i, len;
	const char *hex;
	int err, hi, lo;

	if (argc < 1 || argc > 17)
		usage();
	for (; n + 1 < (size_t)argc; n++) {
		hex = strchr(argv[n + 1], ':');
		if (!hex)
			usage();
		attrs[n].type = num("attribute type", strndup(argv[n + 1], hex - argv[n + 1]));
		hex++;
		len = strlen(hex) / 2;
		if (strlen(hex) % 2 || len > sizeof(data[0])) {
			fprintf(stderr, "rrnl: raw: bad hex '%s'\n", hex);
			return 2;
		}
		for (i = 0; i < len; i++) {
			hi = hexval(hex[2 * i]);
			lo = hexval(hex[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				fprintf(stderr, "rrnl: raw: bad hex '%s'\n", hex);
				return 2;
			}
			data[n][i] = hi << 4 | lo;
		}
		attrs[n].len = len;
		attrs[n].data = data[n];
	}
	err = rr_genl_raw(nl, num("command", argv[0]), 0, attrs, n);
	return err ? fail(nl, err) : 0;
}

static int cmd_add(struct rr_genl *nl, int argc, char **argv)
{
	struct rtprelay_flow_key key;
	struct rtprelay_flow f;
	bool excl = false;
	int i, err;

	if (argc < 3)
		usage();
	memset(&f, 0, sizeof(f));
	f.dscp = RTPRELAY_DSCP_EF;
	ep_arg("key", argv[0], &key.local);
	ep_arg("out_src", argv[1], &f.out_src);
	ep_arg("out_dst", argv[2], &f.out_dst);
	for (i = 3; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!strcmp(argv[i], "excl")) {
			excl = true;
			continue;
		}
		if (!v)
			usage();
		*v++ = '\0';
		if (flow_opt(argv[i], v, &f))
			usage();
	}
	err = rr_genl_flow_add(nl, &key, &f, excl);
	return err ? fail(nl, err) : 0;
}

int main(int argc, char **argv)
{
	struct rtprelay_global_stats gs;
	struct rtprelay_flow_key key;
	struct rtprelay_flow f;
	struct rtprelay_flow_stats st;
	struct rr_genl *nl;
	__u32 count, max;
	int err, i, ret = 0;

	if (argc < 2)
		usage();
	cmd_name = argv[1];
	err = rr_genl_open(&nl);
	if (err) {
		fprintf(stderr, "rrnl: %s%s\n", strerror(-err),
			err == -ENOENT ? " (is rtprelay.ko loaded?)" : "");
		return 1;
	}
	argc -= 2;
	argv += 2;
	if (!strcmp(cmd_name, "add")) {
		ret = cmd_add(nl, argc, argv);
	} else if (!strcmp(cmd_name, "del") && argc == 1) {
		ep_arg("key", argv[0], &key.local);
		err = rr_genl_flow_del(nl, &key);
		ret = err ? fail(nl, err) : 0;
	} else if (!strcmp(cmd_name, "get") && argc == 1) {
		ep_arg("key", argv[0], &key.local);
		err = rr_genl_flow_get(nl, &key, &f, &st);
		ret = err ? fail(nl, err) : print_flow(&key, &f, &st, NULL);
	} else if (!strcmp(cmd_name, "getid") && argc == 1) {
		err = rr_genl_flow_get_id(nl, num("id", argv[0]), &key, &f, &st);
		ret = err ? fail(nl, err) : print_flow(&key, &f, &st, NULL);
	} else if (!strcmp(cmd_name, "list") && argc == 0) {
		err = rr_genl_flow_dump(nl, print_flow, NULL);
		ret = err ? fail(nl, err) : 0;
	} else if (!strcmp(cmd_name, "stats") && argc == 0) {
		err = rr_genl_stats(nl, &gs, &count, &max);
		if (err) {
			ret = fail(nl, err);
		} else {
			printf("flows=%u max_flows=%u", count, max);
			for (i = 0; i < RTPRELAY_G_MAX; i++)
				printf(" %s=%llu", rtprelay_global_counter_names[i],
				       (unsigned long long)gs.counters[i]);
			printf("\n");
		}
	} else if (!strcmp(cmd_name, "flush") && argc == 0) {
		err = rr_genl_flush(nl, &count);
		if (err)
			ret = fail(nl, err);
		else
			printf("removed=%u\n", count);
	} else if (!strcmp(cmd_name, "wait-idle") && argc == 1) {
		err = rr_genl_idle_subscribe(nl);
		if (!err)
			err = rr_genl_idle_wait(nl, num("timeout", argv[0]), &key, &f, &st);
		if (err < 0)
			ret = fail(nl, err);
		else if (err == 0)
			ret = 1, fprintf(stderr, "rrnl: wait-idle: no idle flow announced\n");
		else
			print_flow(&key, &f, &st, NULL);
	} else if (!strcmp(cmd_name, "fill") && argc == 1) {
		unsigned long n = num("count", argv[0]), k;

		for (k = 0; k < n && !ret; k++) {
			char a[32];

			snprintf(a, sizeof(a), "198.51.100.1:%lu", 20000 + k);
			ep_arg("key", a, &key.local);
			memset(&f, 0, sizeof(f));
			f.id = k;
			f.dscp = RTPRELAY_DSCP_EF;
			snprintf(a, sizeof(a), "203.0.113.1:%lu", 20000 + k);
			ep_arg("out_src", a, &f.out_src);
			ep_arg("out_dst", "203.0.113.10:5000", &f.out_dst);
			err = rr_genl_flow_add(nl, &key, &f, false);
			if (err)
				ret = fail(nl, err);
		}
	} else if (!strcmp(cmd_name, "raw")) {
		ret = cmd_raw(nl, argc, argv);
	} else {
		usage();
	}
	rr_genl_close(nl);
	return ret;
}
