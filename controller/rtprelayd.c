// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtprelayd: configuration, datapath choice, the sofia-sip event loop, and
 * signals and the service manager (notify.h: ready, status, reload,
 * watchdog). SIGTERM: with a kernel data path and calls.shutdown
 * keep_calls (the default) the answered calls are handed over to the next
 * start (state saved, flows and program left in place, nothing sent on
 * their dialogs); otherwise, and always on SIGINT, every call is ended
 * cleanly. SIGHUP: see below.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "b2bua.h"
#include "config.h"
#include "control.h"
#include "datapath.h"
#include "log.h"
#include "sofia_log.h"
#include "media.h"
#include "metrics.h"
#include "notify.h"

#include "dp_xdp.h"

#define TICK_MS 200	/* the main loop's timer: signals, watchdog */

static volatile sig_atomic_t got_term, got_int, got_hup;

/* What SIGHUP swaps. */
static struct {
	const char *path;
	struct rr_config *cfg;
	struct rr_b2bua *b;
	struct rr_media *media;
	const char *dp_desc;	/* datapath for STATUS=, e.g. "xdp (sbc0 native)" */
	char reload_note[600];	/* the last refused reload, for STATUS= */
} live;

/* One line for systemctl status: calls, flows, datapath, reload trouble. */
static const char *status_text(char *buf, size_t len)
{
	snprintf(buf, len, "%u calls, %u flows, datapath %s%s%s", rr_b2bua_n_calls(live.b),
		 live.media->n_flows, live.dp_desc, live.reload_note[0] ? "; " : "",
		 live.reload_note);
	return buf;
}

/* SIGHUP: a new configuration for new calls (trunks, routes, media policy,
 * logging); calls in progress keep the one they began with. What cannot
 * change under running calls (addresses, port range, datapath, control
 * socket) refuses the reload. A bad file changes nothing. */
static void reload(void)
{
	struct rr_config *next;
	const char *why;
	char err[512], st[1024];

	rr_notify_reloading();
	next = rr_config_load(live.path, err, sizeof(err));
	if (!next) {
		rr_err("reload refused, configuration unchanged: %s", err);
		snprintf(live.reload_note, sizeof(live.reload_note), "reload refused: %s", err);
		goto out;
	}
	why = rr_config_reload_blocker(live.cfg, next);
	if (why) {
		rr_err("reload refused, configuration unchanged: %s changed (needs a restart)", why);
		snprintf(live.reload_note, sizeof(live.reload_note),
			 "reload refused: %s changed (needs a restart)", why);
		rr_config_put(next);
		goto out;
	}
	rr_b2bua_set_config(live.b, next);
	live.media->cfg = next;
	rr_config_put(live.cfg);
	live.cfg = next;
	rr_log_setup(next->log.level, next->log.target == RR_LOG_SYSLOG, next->log.mask_numbers);
	rr_info("configuration reloaded from %s (%u trunks, %u routes)", live.path,
		next->n_trunks, next->n_routes);
	live.reload_note[0] = '\0';
out:
	/* READY=1 either way: the daemon runs on, with the old or new file */
	rr_notify_reloaded(status_text(st, sizeof(st)));
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGINT)
		got_int = got_term = 1;
	else
		got_term = 1;
}

static struct rr_metrics *metrics;	/* NULL: metrics off */
static bool dp_kernel;			/* XDP or kmod: flows outlive us */

/* Does this stop hand the calls over to the next start (SIGTERM, a
 * kernel data path, calls.shutdown keep_calls, state kept, calls up)? */
static bool hands_over(struct rr_b2bua *b)
{
	return !got_int && !live.cfg->calls.end_on_term && dp_kernel &&
	       live.cfg->calls.state_dir[0] && rr_b2bua_n_calls(b);
}

static void tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	static unsigned int n;
	struct rr_b2bua *b = (struct rr_b2bua *)arg;
	su_root_t *root = su_timer_root(t);
	char st[1024];

	if (got_term) {
		snprintf(st, sizeof(st), "stopping: %s %u calls",
			 hands_over(b) ? "handing over" : "ending", rr_b2bua_n_calls(b));
		rr_notify_stopping(st);
		su_root_break(root);
		return;
	}
	rr_notify_tick();
	if (got_hup) {
		got_hup = 0;
		reload();
	}
	if (++n % 5 == 0) {	/* once a second */
		rr_b2bua_tick(b);
		if (metrics)
			rr_metrics_update(metrics, b);
		rr_notify_status(status_text(st, sizeof(st)));
	}
}

/* Interfaces this run attached XDP to (detached at exit unless keeping). */
static struct {
	char **ifs;
	unsigned int n;
	char pin_dir[256];
	char desc[256];		/* "xdp (sbc0 native, pbx0 generic)" */
} attached;

/* The XDP tier: attach the program on the configured interfaces (with the
 * shared loader of dp_xdp.h; native mode, generic where the driver has
 * none), then open the pinned maps. */
static int xdp_setup(const struct rr_config *cfg)
{
	char info[RR_XDP_INFOLEN], err[RR_XDP_ERRLEN];
	unsigned int i;
	int ret;

	snprintf(attached.pin_dir, sizeof(attached.pin_dir), "%s", cfg->datapath.pin_dir);
	attached.desc[0] = '\0';
	attached.ifs = calloc(cfg->datapath.n_interfaces + 1, sizeof(char *));
	if (!attached.ifs)
		return -ENOMEM;
	for (i = 0; i < cfg->datapath.n_interfaces; i++) {
		struct rr_xdp_attach_opts o = {
			.pin_dir = cfg->datapath.pin_dir,
			.ifname = cfg->datapath.interfaces[i],
			.max_flows = cfg->datapath.max_flows,
		};

		ret = rr_xdp_attach(&o, info, sizeof(info), err, sizeof(err));
		if (ret) {
			o.generic = true;
			ret = rr_xdp_attach(&o, info, sizeof(info), err, sizeof(err));
		}
		if (ret) {
			rr_warn("datapath: xdp attach %s: %s", o.ifname, err);
			return ret;
		}
		rr_info("datapath: %s", info);
		/* a copy: a reload frees the configuration */
		attached.ifs[attached.n] = strdup(cfg->datapath.interfaces[i]);
		if (!attached.ifs[attached.n])
			return -ENOMEM;
		attached.n++;
		snprintf(attached.desc + strlen(attached.desc),
			 sizeof(attached.desc) - strlen(attached.desc), "%s%s %s",
			 i ? ", " : "xdp (", o.ifname, o.generic ? "generic" : "native");
	}
	if (attached.n)
		snprintf(attached.desc + strlen(attached.desc),
			 sizeof(attached.desc) - strlen(attached.desc), ")");
	return 0;
}

static void xdp_teardown(void)
{
	char info[RR_XDP_INFOLEN], err[RR_XDP_ERRLEN];

	while (attached.n) {
		char *ifn = attached.ifs[--attached.n];

		if (rr_xdp_detach(attached.pin_dir, ifn, info, sizeof(info), err, sizeof(err)))
			rr_warn("datapath: xdp detach %s: %s", ifn, err);
		free(ifn);
	}
	free(attached.ifs);
	attached.ifs = NULL;
}

static int open_datapath(const struct rr_config *cfg, struct rr_dp *dp)
{
	const struct rr_dp_ops *want[2] = { NULL };
	unsigned int span = (unsigned int)(cfg->media.port_max - cfg->media.port_min + 1);
	struct rr_dp_config dc = {
		.pin_dir = cfg->datapath.pin_dir,
		/* flow ids are (side, port) slots: two sides of the range */
		.max_flows = cfg->datapath.max_flows > 2 * span ? cfg->datapath.max_flows : 2 * span,
	};
	int err = -ENOENT;

	switch (cfg->datapath.mode) {
	case RR_DP_MODE_XDP:
		want[0] = &rr_dp_xdp_ops;
		break;
	case RR_DP_MODE_KMOD:
		want[0] = &rr_dp_kmod_ops;
		break;
	case RR_DP_MODE_USER:
		want[0] = &rr_dp_user_ops;
		break;
	case RR_DP_MODE_AUTO:
		want[0] = &rr_dp_xdp_ops;
		want[1] = &rr_dp_user_ops;
		break;
	}
	for (int i = 0; i < 2 && want[i]; i++) {
		dp->ops = want[i];
		err = 0;
		if (dp->ops == &rr_dp_xdp_ops)
			err = xdp_setup(cfg);
		if (!err)
			err = dp->ops->open(dp, &dc);
		if (!err && dp->ops == &rr_dp_xdp_ops && rr_xdp_max_flows(dp) < 2 * span) {
			rr_err("datapath: xdp maps hold %u flows, the port range needs %u",
			       rr_xdp_max_flows(dp), 2 * span);
			dp->ops->close(dp, true);
			err = -ENOSPC;
		}
		if (!err) {
			rr_info("datapath: %s", dp->ops->name);
			return 0;
		}
		rr_warn("datapath: %s: %s%s", dp->ops->name, strerror(-err),
			want[i + 1 < 2 ? i + 1 : i] != dp->ops ? ": trying the next" : "");
		if (dp->ops == &rr_dp_xdp_ops)
			xdp_teardown();
	}
	return err;
}

/* XDP and the kernel module do not bridge IPv4 and IPv6: the flows of a
 * call with IPv4 on one side and IPv6 on the other go to a userspace relay
 * next to them (its sockets get what the XDP program passes on). */
static void open_bridge(const struct rr_config *cfg, const struct rr_dp *dp,
			struct rr_dp *bridge, struct rr_media *media)
{
	unsigned int span = (unsigned int)(cfg->media.port_max - cfg->media.port_min + 1);
	struct rr_dp_config dc = { .max_flows = 2 * span };
	int err;

	if (dp->ops == &rr_dp_user_ops)
		return;
	bridge->ops = &rr_dp_user_ops;
	err = bridge->ops->open(bridge, &dc);
	if (err) {
		rr_warn("datapath: no userspace relay for IPv4<->IPv6 calls: %s", strerror(-err));
		bridge->ops = NULL;
		return;
	}
	media->dp_bridge = bridge;
	rr_info("datapath: IPv4<->IPv6 calls on the userspace relay");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rtprelayd -c FILE [--check-config]\n"
		   "  -c, --config FILE   YAML configuration (configs/example.yaml)\n"
		   "  -t, --check-config  validate FILE and exit (0: valid)\n"
		   "  -k, --keep-flows    leave flows installed at exit (XDP/kmod)\n"
		   "  -h, --help          this text\n"
		   "Exit status: 0 clean exit or valid FILE, 1 bad usage, bad FILE or no usable\n"
		   "datapath. Manual: rtprelayd(8), the file: rtprelayd.yaml(5).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "keep-flows", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = NULL;
	bool check = false, keep = false, handover = false;
	struct rr_config *cfg;
	struct rr_dp dp = { 0 }, bridge = { 0 };
	struct rr_media media;
	struct rr_b2bua *b = NULL;
	struct rr_control *ctl = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	su_root_t *root = NULL;
	su_timer_t *timer = NULL;
	char err[512];
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "c:tkh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 't': check = true; break;
		case 'k': keep = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 1;
	}
	cfg = rr_config_load(path, err, sizeof(err));
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: configuration valid (%u trunks, %u routes)\n", path, cfg->n_trunks,
		       cfg->n_routes);
		rr_config_free(cfg);
		return 0;
	}
	rr_log_setup(cfg->log.level, cfg->log.target == RR_LOG_SYSLOG, cfg->log.mask_numbers);
	rr_sofia_log_setup();
	rr_notify_init(TICK_MS);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (open_datapath(cfg, &dp)) {
		rr_err("no usable datapath");
		rr_config_free(cfg);
		return 1;
	}
	dp_kernel = dp.ops != &rr_dp_user_ops;
	if (rr_media_init(&media, cfg, &dp)) {
		rr_err("media port pool: out of memory");
		goto out_dp;
	}
	open_bridge(cfg, &dp, &bridge, &media);
	su_init();
	root = su_root_create(NULL);
	if (!root) {
		rr_err("su_root_create failed");
		goto out;
	}
	/* nua's stack in this thread: one thread owns all call state */
	su_root_threading(root, 0);
	b = rr_b2bua_create(root, cfg, &media, err, sizeof(err));
	if (!b) {
		rr_err("%s", err);
		goto out;
	}
	live.path = path;
	live.cfg = cfg;
	live.b = b;
	live.media = &media;
	live.dp_desc = dp.ops == &rr_dp_xdp_ops && attached.desc[0] ? attached.desc : dp.ops->name;
	ctl = rr_control_open(root, cfg->control_socket, b, &media, dp.ops->name);
	if (!ctl)
		goto out;
	if (cfg->metrics.enabled) {
		metrics = rr_metrics_open(cfg->metrics.host, cfg->metrics.family,
					  cfg->metrics.port, &media, dp.ops->name);
		if (!metrics)
			goto out;
		rr_metrics_update(metrics, b);
	}
	rr_b2bua_restore(b);
	timer = su_timer_create(su_root_task(root), TICK_MS);
	su_timer_set_for_ever(timer, tick, (su_timer_arg_t *)b);
	rr_info("running (pid %d)", getpid());
	/* SIP listening, control socket and metrics open, flows can go in */
	rr_notify_ready(status_text(err, sizeof(err)));
	su_root_run(root);
	/* a kernel data path keeps forwarding without us: hand the calls over */
	handover = hands_over(b);
	if (handover) {
		unsigned int n = rr_b2bua_handover(b);

		handover = n > 0;
		rr_info("terminating: %u calls handed over to the next start (state in %s, "
			"flows left forwarding)", n, live.cfg->calls.state_dir);
	} else {
		rr_info("terminating: ending %u calls", rr_b2bua_n_calls(b));
	}
	rc = 0;
out:
	if (timer)
		su_timer_destroy(timer);
	rr_control_close(ctl);
	rr_metrics_close(metrics);
	metrics = NULL;
	if (handover) {
		/* nothing more on the handed-over dialogs: nua_shutdown() would
		 * BYE them. The sockets close with the process. */
		rr_media_fini(&media);
		dp.ops->close(&dp, true);
		for (unsigned int i = 0; i < attached.n; i++)
			free(attached.ifs[i]);
		free(attached.ifs);
		return rc;	/* live.b, live.cfg stay reachable: no leak report */
	}
	if (b) {
		rr_b2bua_shutdown(b);
		rr_b2bua_destroy(b);
	}
	if (root)
		su_root_destroy(root);
	su_deinit();
	if (media.n_flows)
		rr_warn("%u flows still installed at exit", media.n_flows);
	rr_media_fini(&media);
out_dp:
	if (bridge.ops)
		bridge.ops->close(&bridge, false);
	dp.ops->close(&dp, keep);
	if (!keep)
		xdp_teardown();	/* the program goes with the flows */
	rr_config_put(live.cfg ? live.cfg : cfg);
	return rc;
}
