// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attach and detach of the XDP tier: libbpf object API, maps pinned in the
 * pin directory and reused on every later load (flows survive a reload of
 * the program), netlink XDP attach (it outlives this process).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <rtprelay/bpf_maps.h>

#include "dp_xdp.h"

__attribute__((format(printf, 3, 4)))
static int say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf && len) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	return 0;
}

static const char *pin_dir_of(const char *dir)
{
	return dir ? dir : RTPRELAY_PIN_DIR_DEFAULT;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's warnings (verifier log, map reuse mismatch) are what an
	 * operator needs when a load fails; its debug chatter only on request. */
	if (level == LIBBPF_DEBUG && !getenv("RTPRELAY_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static bool readable(const char *p)
{
	return access(p, R_OK) == 0;
}

static const char *find_obj(const char *given, char *buf, size_t len)
{
	char exe[PATH_MAX - 64];
	const char *env = getenv("RTPRELAY_BPF_OBJ");
	ssize_t n;
	char *slash;

	if (given)
		return given;
	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/%s", exe, RR_XDP_OBJ_NAME);
			if (readable(buf))
				return buf;
		}
	}
	snprintf(buf, len, "build/%s", RR_XDP_OBJ_NAME);
	if (readable(buf))
		return buf;
	if (readable(RR_XDP_OBJ_INSTALLED_LOCAL))
		return RR_XDP_OBJ_INSTALLED_LOCAL;
	return RR_XDP_OBJ_INSTALLED;
}

#define BPF_FS_ROOT "/sys/fs/bpf"

/*
 * Hosts without systemd (containers, minimal VMs) may not have the bpf
 * filesystem mounted; like bpftool, mount it when a pin needs it.
 */
static void mount_bpffs(const char *dir)
{
	struct statfs fs;

	if (strncmp(dir, BPF_FS_ROOT "/", sizeof(BPF_FS_ROOT)) ||
	    (!statfs(BPF_FS_ROOT, &fs) && fs.f_type == BPF_FS_MAGIC))
		return;
	if (mount("bpf", BPF_FS_ROOT, "bpf", 0, "mode=0700") == 0)
		fprintf(stderr, "rtprelay: mounted the bpf filesystem on " BPF_FS_ROOT "\n");
}

/* mkdir -p on a bpf filesystem; *created tells whether dir is new. */
static int make_pin_dir(const char *dir, bool *created, char *err, size_t errlen)
{
	char path[PATH_MAX], *p;
	struct statfs fs;

	*created = false;
	mount_bpffs(dir);
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return say(err, errlen, "pin dir too long"), -ENAMETOOLONG;
	if (access(dir, F_OK) != 0) {
		for (p = path + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(path, 0700) && errno != EEXIST)
				goto fail;
			*p = '/';
		}
		if (mkdir(path, 0700) && errno != EEXIST)
			goto fail;
		*created = true;
	}
	if (statfs(dir, &fs) || fs.f_type != BPF_FS_MAGIC) {
		if (*created)
			rmdir(dir);
		*created = false;
		say(err, errlen, "%s is not on a bpf filesystem (mount -t bpf bpf /sys/fs/bpf)", dir);
		return -ENOTSUP;
	}
	return 0;
fail:
	say(err, errlen, "cannot create %s: %s", path, strerror(errno));
	return -errno;
}

/* max_entries of a pinned map, 0 when it is not pinned. */
static __u32 pinned_max_entries(const char *dir, const char *name)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

/*
 * The kernel adds BPF_F_RDONLY_PROG to every devmap it creates, but refuses
 * it at creation; libbpf 1.1 then sees a flags mismatch and will not reuse
 * the pinned devmap. Ask for the flags the pinned map really has.
 */
static int match_devmap_flags(struct bpf_map *map, const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	enum bpf_map_type t = bpf_map__type(map);
	int fd, ret = 0;

	if (t != BPF_MAP_TYPE_DEVMAP && t != BPF_MAP_TYPE_DEVMAP_HASH)
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;	/* not pinned yet: created with the object's flags */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == t)
		ret = bpf_map__set_map_flags(map, info.map_flags);
	close(fd);
	return ret;
}

/* Removes every pin in dir, then dir; lists what went into info. */
static void remove_pins(const char *dir, char *info, size_t infolen)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t off = strlen(info);
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0 && off < infolen)
			off += (size_t)snprintf(info + off, infolen - off, " %s", de->d_name);
	}
	closedir(d);
	if (off < infolen) {
		if (rmdir(dir) == 0)
			snprintf(info + off, infolen - off, "; removed %s", dir);
		else
			snprintf(info + off, infolen - off, "; kept %s: %s", dir, strerror(errno));
	}
}

/* The XDP program on ifindex (0: none), its mode and whether it is ours. */
struct xdp_current {
	__u32 id;
	__u8 mode;	/* XDP_ATTACHED_* */
	bool ours;
	char name[BPF_OBJ_NAME_LEN];
};

static int query_xdp(int ifindex, struct xdp_current *cur)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	memset(cur, 0, sizeof(*cur));
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	cur->mode = q.attach_mode;
	cur->id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id ? q.skb_prog_id : q.prog_id;
	if (!cur->id)
		return 0;
	fd = bpf_prog_get_fd_by_id(cur->id);
	if (fd < 0)
		return -errno;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		snprintf(cur->name, sizeof(cur->name), "%s", info.name);
	close(fd);
	cur->ours = !strcmp(cur->name, RTPRELAY_PROG_XDP);
	return 0;
}

const char *rr_xdp_mode_name(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV: return "native";
	case XDP_ATTACHED_SKB: return "generic";
	case XDP_ATTACHED_HW: return "offload";
	case XDP_ATTACHED_MULTI: return "multi";
	default: return "none";
	}
}

/* Per-device forwarding: bpf_fib_lookup() answers FWD_DISABLED without it.
 * old[] keeps the previous values ('0'/'1', 0: file absent) for undo. */
static const char *const fwd_fmt[2] = {
	"/proc/sys/net/ipv4/conf/%s/forwarding",
	"/proc/sys/net/ipv6/conf/%s/forwarding",
};

static int sysctl_rw(const char *fmt, const char *ifname, char *old, char val)
{
	char path[PATH_MAX], c = 0;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), fmt, ifname);
	f = fopen(path, "r+");
	if (!f)
		return -errno;
	if (fread(&c, 1, 1, f) != 1)
		ret = -EIO;
	if (old)
		*old = c;
	if (!ret && c != val) {
		rewind(f);
		if (fputc(val, f) == EOF || fputc('\n', f) == EOF)
			ret = -errno;
	}
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static int enable_forwarding(const char *ifname, char old[2], char *err, size_t errlen)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		old[i] = 0;
		ret = sysctl_rw(fwd_fmt[i], ifname, &old[i], '1');
		/* IPv6 may be disabled on the host or the device. */
		if (ret == -ENOENT && i == 1)
			continue;
		if (ret) {
			say(err, errlen, "cannot enable forwarding on %s: %s", ifname, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void restore_forwarding(const char *ifname, const char old[2])
{
	for (int i = 0; i < 2; i++)
		if (old[i] && old[i] != '1')
			sysctl_rw(fwd_fmt[i], ifname, NULL, old[i]);
}

int rr_xdp_attach(const struct rr_xdp_attach_opts *o, char *info,
		  size_t infolen, char *err, size_t errlen)
{
	const char *dir = pin_dir_of(o->pin_dir);
	char objbuf[PATH_MAX], fwd_old[2] = {0, 0};
	const char *obj_path = find_obj(o->obj_path, objbuf, sizeof(objbuf));
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_map *map;
	struct xdp_current cur;
	LIBBPF_OPTS(bpf_xdp_attach_opts, aopts);
	__u32 flags, max, pinned, ifindex, dummy;
	bool dir_created = false, maps_created, had_port = false, fwd_set = false;
	int ret, prog_fd, tx_fd = -1, old_fd = -1;
	char path[PATH_MAX];

	libbpf_set_print(libbpf_quiet);
	ifindex = if_nametoindex(o->ifname);
	if (!ifindex) {
		say(err, errlen, "no device '%s' in this network namespace", o->ifname);
		return -ENODEV;
	}
	ret = query_xdp((int)ifindex, &cur);
	if (ret) {
		say(err, errlen, "cannot query XDP on %s: %s", o->ifname, strerror(-ret));
		return ret;
	}
	if (cur.id && !cur.ours) {
		say(err, errlen, "%s already runs XDP program '%s' (id %u); remove it first",
		    o->ifname, cur.name, cur.id);
		return -EBUSY;
	}
	if (cur.id && cur.mode != (o->generic ? XDP_ATTACHED_SKB : XDP_ATTACHED_DRV)) {
		say(err, errlen, "%s runs rtprelay in %s mode; detach it before switching to %s",
		    o->ifname, rr_xdp_mode_name(cur.mode), o->generic ? "generic" : "native");
		return -EBUSY;
	}

	ret = make_pin_dir(dir, &dir_created, err, errlen);
	if (ret)
		return ret;
	pinned = pinned_max_entries(dir, RTPRELAY_MAP_FLOWS);
	maps_created = !pinned;
	max = o->max_flows ? o->max_flows : pinned ? pinned : RTPRELAY_MAX_FLOWS_DEFAULT;
	if (pinned && max != pinned) {
		say(err, errlen, "maps in %s hold up to %u flows; --max-flows %u needs "
		    "every device detached first (that drops the flows)", dir, pinned, max);
		ret = -EEXIST;
		goto undo;
	}

	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		ret = -errno;
		say(err, errlen, "cannot open BPF object %s: %s (--obj PATH)", obj_path,
		    strerror(-ret));
		goto undo;
	}
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		/* .bss/.rodata of the program are not shared state. */
		if (!name || name[0] == '.' || strstr(name, ".bss") || strstr(name, ".rodata") ||
		    strstr(name, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		ret = bpf_map__set_pin_path(map, path);
		if (!ret)
			ret = match_devmap_flags(map, path);
		/* Maps indexed by flow id are as large as the flow table. */
		if (!ret && (!strcmp(name, RTPRELAY_MAP_FLOWS) ||
			     !strcmp(name, RTPRELAY_MAP_FLOW_STATS) ||
			     !strcmp(name, RTPRELAY_MAP_NH_CACHE)))
			ret = bpf_map__set_max_entries(map, max);
		if (ret) {
			say(err, errlen, "map %s: %s", name, strerror(-ret));
			goto undo;
		}
	}
	prog = bpf_object__find_program_by_name(obj, RTPRELAY_PROG_XDP);
	if (!prog) {
		say(err, errlen, "%s has no program %s", obj_path, RTPRELAY_PROG_XDP);
		ret = -ENOENT;
		goto undo;
	}
	ret = bpf_object__load(obj);
	if (ret) {
		say(err, errlen, "loading %s failed: %s (libbpf's log above; "
		    "RTPRELAY_DEBUG=1 for more)", obj_path, strerror(-ret));
		goto undo;
	}
	prog_fd = bpf_program__fd(prog);

	map = bpf_object__find_map_by_name(obj, RTPRELAY_MAP_TX_PORTS);
	tx_fd = map ? bpf_map__fd(map) : -1;
	if (tx_fd < 0) {
		say(err, errlen, "%s has no map %s", obj_path, RTPRELAY_MAP_TX_PORTS);
		ret = -ENOENT;
		goto undo;
	}
	had_port = !bpf_map_lookup_elem(tx_fd, &ifindex, &dummy);
	if (bpf_map_update_elem(tx_fd, &ifindex, &ifindex, BPF_ANY)) {
		ret = -errno;
		say(err, errlen, "cannot add %s to %s: %s", o->ifname, RTPRELAY_MAP_TX_PORTS,
		    strerror(-ret));
		goto undo;
	}
	ret = enable_forwarding(o->ifname, fwd_old, err, errlen);
	if (ret)
		goto undo;
	fwd_set = true;

	flags = o->generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	if (cur.id) {
		/* Replace our own program atomically, only if still there. */
		old_fd = bpf_prog_get_fd_by_id(cur.id);
		if (old_fd >= 0) {
			aopts.old_prog_fd = old_fd;
			flags |= XDP_FLAGS_REPLACE;
		}
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	ret = bpf_xdp_attach((int)ifindex, prog_fd, flags, &aopts);
	if (ret) {
		ret = -errno;
		say(err, errlen, "attaching to %s in %s mode failed: %s%s", o->ifname,
		    o->generic ? "generic" : "native", strerror(-ret),
		    ret == -EOPNOTSUPP ? " (driver without native XDP: --mode generic)" : "");
		goto undo;
	}
	say(info, infolen, "%s %s on %s (%s mode), maps in %s (%s, %u flows max)",
	    cur.id ? "reloaded" : "attached", RTPRELAY_PROG_XDP, o->ifname,
	    o->generic ? "generic" : "native", dir,
	    maps_created ? "created" : "reused", max);
	ret = 0;
	goto out;

undo:
	if (fwd_set)
		restore_forwarding(o->ifname, fwd_old);
	if (tx_fd >= 0 && !had_port)
		bpf_map_delete_elem(tx_fd, &ifindex);
	if (maps_created) {
		char scratch[RR_XDP_INFOLEN] = "";

		/* Nothing half-installed: maps this call pinned go again. */
		if (obj)
			bpf_object__unpin_maps(obj, NULL);
		if (dir_created)
			remove_pins(dir, scratch, sizeof(scratch));
	}
out:
	if (old_fd >= 0)
		close(old_fd);
	bpf_object__close(obj);
	return ret;
}

int rr_xdp_detach(const char *pin_dir, const char *ifname, char *info,
		  size_t infolen, char *err, size_t errlen)
{
	const char *dir = pin_dir_of(pin_dir);
	struct xdp_current cur;
	LIBBPF_OPTS(bpf_xdp_attach_opts, aopts);
	char path[PATH_MAX];
	__u32 ifindex, key;
	bool in_ports = false;
	int ret, tx_fd, fd;
	size_t off;

	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		say(err, errlen, "no device '%s' in this network namespace", ifname);
		return -ENODEV;
	}
	ret = query_xdp((int)ifindex, &cur);
	if (ret) {
		say(err, errlen, "cannot query XDP on %s: %s", ifname, strerror(-ret));
		return ret;
	}
	if (cur.id && !cur.ours) {
		say(err, errlen, "%s runs XDP program '%s' (id %u), not rtprelay; left alone",
		    ifname, cur.name, cur.id);
		return -EBUSY;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, RTPRELAY_MAP_TX_PORTS);
	tx_fd = bpf_obj_get(path);
	if (tx_fd >= 0)
		in_ports = !bpf_map_lookup_elem(tx_fd, &ifindex, &key);
	if (!cur.id && !in_ports) {
		say(err, errlen, "rtprelay is not attached to %s (pin dir %s)", ifname, dir);
		ret = -ENOENT;
		goto out;
	}
	info[0] = '\0';
	if (cur.id) {
		fd = bpf_prog_get_fd_by_id(cur.id);
		if (fd >= 0)
			aopts.old_prog_fd = fd;
		ret = bpf_xdp_detach((int)ifindex,
				     (cur.mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
				      XDP_FLAGS_DRV_MODE) | (fd >= 0 ? XDP_FLAGS_REPLACE : 0),
				     &aopts);
		if (ret)
			ret = -errno;
		if (fd >= 0)
			close(fd);
		if (ret) {
			say(err, errlen, "cannot detach from %s: %s", ifname, strerror(-ret));
			goto out;
		}
		say(info, infolen, "detached %s (id %u, %s mode) from %s", RTPRELAY_PROG_XDP,
		    cur.id, rr_xdp_mode_name(cur.mode), ifname);
	}
	off = strlen(info);
	if (in_ports) {
		bpf_map_delete_elem(tx_fd, &ifindex);
		off += (size_t)snprintf(info + off, infolen > off ? infolen - off : 0,
					"%s%s removed from %s", off ? "; " : "", ifname,
					RTPRELAY_MAP_TX_PORTS);
	}
	/* The last device gone: nothing can forward, so the maps go too. */
	if (tx_fd >= 0 && bpf_map_get_next_key(tx_fd, NULL, &key) && errno == ENOENT &&
	    off < infolen) {
		snprintf(info + off, infolen - off, "; no device left: unpinned");
		remove_pins(dir, info, infolen);
	}
	ret = 0;
out:
	if (tx_fd >= 0)
		close(tx_fd);
	return ret;
}
