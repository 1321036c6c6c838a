// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelayctl status: what runs on this host. The XDP tier from its pinned
 * maps (fill levels) and the devices' XDP attachments (bpf_xdp_query on
 * every device of this namespace), the kmod tier from /sys/module, and the
 * daemon's health from its control socket. Works with any of them missing.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <rtprelay/bpf_maps.h>
#include "ctl.h"
#include "dp_xdp.h"

#define KMOD_SYSFS	"/sys/module/rtprelay"

static const char *const map_names[] = {
	RTPRELAY_MAP_FLOWS, RTPRELAY_MAP_FLOW_STATS, RTPRELAY_MAP_GLOBAL,
	RTPRELAY_MAP_TX_PORTS, RTPRELAY_MAP_NH_CACHE,
};

static const char *map_type_name(__u32 type)
{
	const char *s = libbpf_bpf_map_type_str(type);

	return s ? s : "unknown";
}

/* Keys in a hash-like map (arrays are always full: entries = max_entries). */
static long long count_keys(int fd, __u32 key_size)
{
	unsigned char key[2][64];
	long long n = 0;
	int cur = 0;

	if (key_size > sizeof(key[0]))
		return -1;
	if (bpf_map_get_next_key(fd, NULL, key[cur]))
		return errno == ENOENT ? 0 : -1;
	do {
		n++;
		cur ^= 1;
	} while (!bpf_map_get_next_key(fd, key[cur ^ 1], key[cur]));
	return n;
}

static bool is_hash(__u32 type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_DEVMAP_HASH;
}

/* The maps under pin_dir; fills flows/max_flows; returns the number found
 * and leaves rr_tx_ports' fd in *tx_fd (or -1). */
static int maps_json(const char *pin_dir, json_object *arr, long long *flows,
		     long long *max_flows, int *tx_fd)
{
	int found = 0;

	*tx_fd = -1;
	for (size_t i = 0; i < sizeof(map_names) / sizeof(map_names[0]); i++) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		char path[PATH_MAX];
		json_object *m;
		long long n;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", pin_dir, map_names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		found++;
		n = is_hash(info.type) ? count_keys(fd, info.key_size) : info.max_entries;
		m = json_object_new_object();
		json_object_object_add(m, "name", json_object_new_string(map_names[i]));
		json_object_object_add(m, "type", json_object_new_string(map_type_name(info.type)));
		json_object_object_add(m, "id", json_object_new_int64(info.id));
		json_object_object_add(m, "key_size", json_object_new_int64(info.key_size));
		json_object_object_add(m, "value_size", json_object_new_int64(info.value_size));
		json_object_object_add(m, "max_entries", json_object_new_int64(info.max_entries));
		json_object_object_add(m, "entries", n < 0 ? NULL : json_object_new_int64(n));
		json_object_array_add(arr, m);
		if (!strcmp(map_names[i], RTPRELAY_MAP_FLOWS))
			*flows = n;
		if (!strcmp(map_names[i], RTPRELAY_MAP_FLOW_STATS))
			*max_flows = info.max_entries;
		if (!strcmp(map_names[i], RTPRELAY_MAP_TX_PORTS))
			*tx_fd = fd;
		else
			close(fd);
	}
	return found;
}

static json_object *prog_name(__u32 id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	json_object *o = NULL;
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return NULL;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		o = json_object_new_string(info.name);
	close(fd);
	return o;
}

/* Every device that has an XDP program or is in rr_tx_ports. */
static json_object *devices_json(int tx_fd)
{
	struct if_nameindex *ifs = if_nameindex(), *p;
	json_object *arr = json_object_new_array();

	for (p = ifs; p && p->if_index; p++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		__u32 key = p->if_index, val;
		bool tx = tx_fd >= 0 && !bpf_map_lookup_elem(tx_fd, &key, &val);
		json_object *d;

		if (bpf_xdp_query((int)p->if_index, 0, &q))
			q.attach_mode = XDP_ATTACHED_NONE;
		if (q.attach_mode == XDP_ATTACHED_NONE && !tx)
			continue;
		if (q.attach_mode != XDP_ATTACHED_MULTI && !q.prog_id)
			q.prog_id = q.drv_prog_id | q.skb_prog_id | q.hw_prog_id;
		d = json_object_new_object();
		json_object_object_add(d, "ifname", json_object_new_string(p->if_name));
		json_object_object_add(d, "ifindex", json_object_new_int64(p->if_index));
		json_object_object_add(d, "mode", json_object_new_string(rr_xdp_mode_name(q.attach_mode)));
		json_object_object_add(d, "prog_id", q.prog_id ? json_object_new_int64(q.prog_id) : NULL);
		json_object_object_add(d, "prog_name", q.prog_id ? prog_name(q.prog_id) : NULL);
		json_object_object_add(d, "tx_port", json_object_new_boolean(tx));
		json_object_array_add(arr, d);
	}
	if (ifs)
		if_freenameindex(ifs);
	return arr;
}

static const char *jstr(json_object *o, const char *k)
{
	const char *s = json_object_get_string(json_object_object_get(o, k));

	return s ? s : "-";
}

static void print_text(json_object *o)
{
	json_object *d = json_object_object_get(o, "daemon");
	json_object *x = json_object_object_get(o, "xdp");
	json_object *tiers = json_object_object_get(o, "tiers");
	json_object *st = json_object_object_get(d, "status");
	size_t i;

	if (json_object_get_boolean(json_object_object_get(d, "running")))
		printf("rtprelayd: running (%s), datapath %s, %s calls, %s flows, "
		       "%s flow errors\n", jstr(d, "socket"), jstr(st, "datapath"),
		       jstr(st, "calls"), jstr(st, "flows"), jstr(st, "flow_errors"));
	else
		printf("rtprelayd: not running (%s)\n", jstr(d, "error"));
	printf("tiers:");
	for (i = 0; i < json_object_array_length(tiers); i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(tiers, i)));
	printf("%s\n", json_object_array_length(tiers) ? "" : " none");
	printf("kmod: %s\n", json_object_get_boolean(json_object_object_get(
		json_object_object_get(o, "kmod"), "loaded")) ? "loaded" : "not loaded");
	if (!json_object_get_boolean(json_object_object_get(x, "pinned"))) {
		printf("xdp: no maps pinned in %s\n", jstr(o, "pin_dir"));
	} else {
		json_object *maps = json_object_object_get(x, "maps");

		printf("xdp: maps pinned in %s\n", jstr(o, "pin_dir"));
		printf("  flows %s of %s (%.1f%%)\n", jstr(x, "flows"), jstr(x, "max_flows"),
		       json_object_get_double(json_object_object_get(x, "fill_pct")));
		printf("  %-14s %-14s %8s %12s %12s\n", "map", "type", "id", "max_entries", "entries");
		for (i = 0; i < json_object_array_length(maps); i++) {
			json_object *m = json_object_array_get_idx(maps, i);

			printf("  %-14s %-14s %8s %12s %12s\n", jstr(m, "name"), jstr(m, "type"),
			       jstr(m, "id"), jstr(m, "max_entries"), jstr(m, "entries"));
		}
	}
	{
		json_object *devs = json_object_object_get(x, "devices");

		if (!json_object_array_length(devs)) {
			printf("xdp devices: none\n");
			return;
		}
		printf("xdp devices:\n  %-16s %7s %-8s %8s %-16s %s\n", "device", "ifindex",
		       "mode", "prog_id", "program", "tx_port");
		for (i = 0; i < json_object_array_length(devs); i++) {
			json_object *v = json_object_array_get_idx(devs, i);

			printf("  %-16s %7s %-8s %8s %-16s %s\n", jstr(v, "ifname"),
			       jstr(v, "ifindex"), jstr(v, "mode"), jstr(v, "prog_id"),
			       jstr(v, "prog_name"),
			       json_object_get_boolean(json_object_object_get(v, "tx_port")) ?
			       "yes" : "no");
		}
	}
}

int ctl_status(const char *pin_dir, const char *sock, bool json)
{
	json_object *o = json_object_new_object(), *x = json_object_new_object();
	json_object *maps = json_object_new_array(), *tiers = json_object_new_array();
	json_object *d = json_object_new_object(), *k = json_object_new_object();
	json_object *devs, *st;
	long long flows = -1, max_flows = -1;
	char err[256] = "";
	bool pinned, attached = false, kmod, running;
	int tx_fd;

	if (!pin_dir)
		pin_dir = RTPRELAY_PIN_DIR_DEFAULT;
	pinned = maps_json(pin_dir, maps, &flows, &max_flows, &tx_fd) > 0;
	devs = devices_json(tx_fd);
	if (tx_fd >= 0)
		close(tx_fd);
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		const char *n = jstr(json_object_array_get_idx(devs, i), "prog_name");

		attached |= !strcmp(n, RTPRELAY_PROG_XDP);
	}
	json_object_object_add(x, "pinned", json_object_new_boolean(pinned));
	json_object_object_add(x, "attached", json_object_new_boolean(attached));
	json_object_object_add(x, "flows", flows < 0 ? NULL : json_object_new_int64(flows));
	json_object_object_add(x, "max_flows", max_flows < 0 ? NULL : json_object_new_int64(max_flows));
	json_object_object_add(x, "fill_pct", flows < 0 || max_flows <= 0 ? NULL :
			       json_object_new_double(100.0 * (double)flows / (double)max_flows));
	json_object_object_add(x, "maps", maps);
	json_object_object_add(x, "devices", devs);

	kmod = !access(KMOD_SYSFS, F_OK);
	json_object_object_add(k, "loaded", json_object_new_boolean(kmod));

	st = ctl_ask(sock, "status", err, sizeof(err));
	running = st;
	json_object_object_add(d, "socket", json_object_new_string(sock));
	json_object_object_add(d, "running", json_object_new_boolean(running));
	if (st)
		json_object_object_del(st, "ok");
	json_object_object_add(d, "status", st);
	json_object_object_add(d, "error", running ? NULL : json_object_new_string(err));

	if (pinned || attached)
		json_object_array_add(tiers, json_object_new_string("xdp"));
	if (kmod)
		json_object_array_add(tiers, json_object_new_string("kmod"));
	if (running && !strcmp(jstr(st, "datapath"), "user"))
		json_object_array_add(tiers, json_object_new_string("user"));

	json_object_object_add(o, "pin_dir", json_object_new_string(pin_dir));
	json_object_object_add(o, "tiers", tiers);
	json_object_object_add(o, "xdp", x);
	json_object_object_add(o, "kmod", k);
	json_object_object_add(o, "daemon", d);
	if (json)
		ctl_print_json(o);
	else
		print_text(o);
	json_object_put(o);
	/* Something to report on: 0. Nothing at all runs here: 1. */
	return pinned || attached || kmod || running ? 0 : CTL_EXIT_RUNTIME;
}
