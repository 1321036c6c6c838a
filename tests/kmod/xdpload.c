// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpload: loads the XDP tier (build/rtprelay.bpf.o) and programs its pinned
 * maps, for running the XDP program inside the VM's 6.1 kernel where no
 * rtprelayctl is available. Same flow syntax and output as rrnl.
 *
 *   xdpload attach OBJ PINDIR DEV...    load, pin maps, attach, fill rr_tx_ports
 *   xdpload add PINDIR KEY OUT_SRC OUT_DST [id=N] [flags=..] [dscp=N] ...
 *   xdpload get PINDIR KEY
 *   xdpload stats PINDIR
 */
#define CLI_NAME "xdpload"
#include <errno.h>
#include <net/if.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <rtprelay/bpf_maps.h>
#include "cli_common.h"

static int die(const char *what, int err)
{
	fprintf(stderr, "xdpload: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int map_fd(const char *dir, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		die(path, errno);
	return fd;
}

static int cmd_attach(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[256];
	int i, err, tx, ifindex;

	if (argc < 3)
		return 2;
	obj = bpf_object__open_file(argv[0], NULL);
	if (!obj)
		die(argv[0], errno);
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], bpf_map__name(map));
		bpf_map__set_pin_path(map, path);
	}
	err = bpf_object__load(obj);
	if (err)
		die("load", err);
	prog = bpf_object__find_program_by_name(obj, RTPRELAY_PROG_XDP);
	if (!prog)
		die("program " RTPRELAY_PROG_XDP, ENOENT);
	tx = map_fd(argv[1], RTPRELAY_MAP_TX_PORTS);
	for (i = 2; i < argc; i++) {
		ifindex = if_nametoindex(argv[i]);
		if (!ifindex)
			die(argv[i], errno);
		err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
				     XDP_FLAGS_DRV_MODE, NULL);
		if (err)
			die(argv[i], err);
		if (bpf_map_update_elem(tx, &ifindex, &ifindex, BPF_ANY))
			die("rr_tx_ports", errno);
	}
	return 0;
}

static int cmd_add(int argc, char **argv)
{
	struct rtprelay_flow_key key;
	struct rtprelay_flow f;
	struct rtprelay_flow_stats *zero;
	int i, fd, ncpu = libbpf_num_possible_cpus();

	if (argc < 4)
		return 2;
	memset(&f, 0, sizeof(f));
	f.dscp = RTPRELAY_DSCP_EF;
	ep_arg("key", argv[1], &key.local);
	ep_arg("out_src", argv[2], &f.out_src);
	ep_arg("out_dst", argv[3], &f.out_dst);
	for (i = 4; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v)
			return 2;
		*v++ = '\0';
		if (flow_opt(argv[i], v, &f))
			return 2;
	}
	/* Zero the id's counters first (the datapath.h contract). */
	zero = calloc(ncpu, sizeof(*zero));
	fd = map_fd(argv[0], RTPRELAY_MAP_FLOW_STATS);
	if (!zero || bpf_map_update_elem(fd, &f.id, zero, BPF_ANY))
		die("rr_flow_stats", errno);
	free(zero);
	fd = map_fd(argv[0], RTPRELAY_MAP_FLOWS);
	if (bpf_map_update_elem(fd, &key, &f, BPF_ANY))
		die("rr_flows", errno);
	return 0;
}

static int cmd_get(int argc, char **argv)
{
	struct rtprelay_flow_key key;
	struct rtprelay_flow f;
	struct rtprelay_flow_stats *pc, sum = { 0 };
	int c, d, ncpu = libbpf_num_possible_cpus();
	__u32 best = 0;

	if (argc != 2)
		return 2;
	ep_arg("key", argv[1], &key.local);
	if (bpf_map_lookup_elem(map_fd(argv[0], RTPRELAY_MAP_FLOWS), &key, &f))
		die("no such flow", errno);
	pc = calloc(ncpu, sizeof(*pc));
	if (!pc || bpf_map_lookup_elem(map_fd(argv[0], RTPRELAY_MAP_FLOW_STATS), &f.id, pc))
		die("rr_flow_stats", errno);
	for (c = 0; c < ncpu; c++) {
		sum.packets += pc[c].packets;
		sum.bytes += pc[c].bytes;
		sum.rtcp_packets += pc[c].rtcp_packets;
		sum.rtcp_bytes += pc[c].rtcp_bytes;
		if (pc[c].last_seen_ns > sum.last_seen_ns)
			sum.last_seen_ns = pc[c].last_seen_ns;
		for (d = 0; d < RTPRELAY_FDROP_MAX; d++)
			sum.drops[d] += pc[c].drops[d];
		if (pc[c].rtp.received > best) {
			best = pc[c].rtp.received;
			sum.rtp = pc[c].rtp;
		}
	}
	free(pc);
	return print_flow(&key, &f, &sum, NULL);
}

static int cmd_stats(int argc, char **argv)
{
	struct rtprelay_global_stats *pc;
	int c, i, ncpu = libbpf_num_possible_cpus();
	__u32 zero = 0;
	__u64 v;

	if (argc != 1)
		return 2;
	pc = calloc(ncpu, sizeof(*pc));
	if (!pc || bpf_map_lookup_elem(map_fd(argv[0], RTPRELAY_MAP_GLOBAL), &zero, pc))
		die("rr_global", errno);
	printf("flows=-");
	for (i = 0; i < RTPRELAY_G_MAX; i++) {
		for (v = 0, c = 0; c < ncpu; c++)
			v += pc[c].counters[i];
		printf(" %s=%llu", rtprelay_global_counter_names[i], (unsigned long long)v);
	}
	printf("\n");
	free(pc);
	return 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	if (argc >= 2 && !strcmp(argv[1], "attach"))
		r = cmd_attach(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "add"))
		r = cmd_add(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "get"))
		r = cmd_get(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "stats"))
		r = cmd_stats(argc - 2, argv + 2);
	if (r == 2)
		fprintf(stderr, "usage: xdpload attach OBJ PINDIR DEV... | add PINDIR KEY OUT_SRC OUT_DST [opts] | get PINDIR KEY | stats PINDIR\n");
	return r;
}
