// SPDX-License-Identifier: GPL-2.0-only
/* sd_notify(3) for rtprelayd (notify.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

static struct {
	uint64_t wd_interval;	/* usec between pings; 0: off */
	uint64_t wd_last;
	uint64_t tick;		/* usec between rr_notify_tick() calls */
	char status[1024];	/* last STATUS= sent */
} ns;

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* sd_notify: < 0 error, 0 no $NOTIFY_SOCKET, > 0 sent. Errors are logged
 * at debug: a missing manager must never stop the relay. */
static void send_state(const char *state)
{
	int ret = sd_notify(0, state);

	if (ret < 0)
		rr_dbg("sd_notify: %s", strerror(-ret));
}

static void send_status(const char *prefix, const char *status)
{
	char buf[sizeof(ns.status) + 64];

	snprintf(ns.status, sizeof(ns.status), "%s", status);
	snprintf(buf, sizeof(buf), "%sSTATUS=%s", prefix, ns.status);
	send_state(buf);
}

void rr_notify_init(unsigned int tick_ms)
{
	uint64_t usec = 0;

	ns.tick = tick_ms * 1000ull;
	/* > 0: WatchdogSec set and meant for this process */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec) {
		ns.wd_interval = usec / 2;
		rr_info("systemd watchdog: %llu ms, pinging every %llu ms",
			(unsigned long long)usec / 1000, (unsigned long long)ns.wd_interval / 1000);
	}
}

void rr_notify_ready(const char *status)
{
	send_status("READY=1\n", status);
	ns.wd_last = mono_usec();
	if (ns.wd_interval)
		send_state("WATCHDOG=1");
}

void rr_notify_status(const char *status)
{
	if (strncmp(status, ns.status, sizeof(ns.status) - 1))
		send_status("", status);
}

void rr_notify_reloading(void)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)mono_usec());
	send_state(buf);
}

void rr_notify_reloaded(const char *status)
{
	send_status("READY=1\n", status);
}

void rr_notify_stopping(const char *status)
{
	send_status("STOPPING=1\n", status);
}

void rr_notify_tick(void)
{
	uint64_t now_usec = mono_usec();

	/* ping at the last tick before half the interval is over */
	if (!ns.wd_interval || now_usec - ns.wd_last + ns.tick < ns.wd_interval)
		return;
	ns.wd_last = now_usec;
	send_state("WATCHDOG=1");
}

