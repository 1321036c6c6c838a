/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtprelayd and its service manager: the sd_notify(3) protocol of systemd's
 * Type=notify (READY, STATUS, RELOADING, STOPPING, WATCHDOG). Every call is
 * a no-op when $NOTIFY_SOCKET is unset (not started by systemd).
 */
#ifndef RR_NOTIFY_H
#define RR_NOTIFY_H

/* Reads $WATCHDOG_USEC once (sd_watchdog_enabled); tick_ms: how often the
 * main loop will call rr_notify_tick(). */
void rr_notify_init(unsigned int tick_ms);
/* Listening, data path up: READY=1 with a first STATUS. */
void rr_notify_ready(const char *status);
/* STATUS=, sent only when it differs from the last one sent. */
void rr_notify_status(const char *status);
/* Around a SIGHUP reload: RELOADING=1 (with MONOTONIC_USEC), then READY=1
 * whatever the outcome, with the outcome as STATUS. */
void rr_notify_reloading(void);
void rr_notify_reloaded(const char *status);
void rr_notify_stopping(const char *status);
/* From the main loop's timer: WATCHDOG=1 at least every half WatchdogSec,
 * so a stuck loop stops the pings and systemd restarts the daemon. */
void rr_notify_tick(void);

#endif
