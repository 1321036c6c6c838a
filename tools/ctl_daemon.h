/* SPDX-License-Identifier: GPL-2.0-only */
/* rtprelayctl verbs that talk to a running rtprelayd over its control
 * socket (docs/control.md). Each returns the process exit status. */
#ifndef RTPRELAYCTL_DAEMON_H
#define RTPRELAYCTL_DAEMON_H

#include <stdbool.h>

#define RR_CTL_SOCKET_DEFAULT	"/run/rtprelay/rtprelayd.sock"

int ctl_calls(const char *sock, bool json);
int ctl_call_hangup(const char *sock, unsigned long id);

#endif
