/* SPDX-License-Identifier: GPL-2.0-only */
/* The control socket: Unix stream, one JSON request per line, one JSON
 * reply per line (docs/control.md). */
#ifndef RR_CONTROL_H
#define RR_CONTROL_H

#include <sofia-sip/su_wait.h>
#include "b2bua.h"
#include "media.h"

struct rr_control;

struct rr_control *rr_control_open(su_root_t *root, const char *path,
				   struct rr_b2bua *b, struct rr_media *m,
				   const char *dp_name);
void rr_control_close(struct rr_control *ctl);

#endif
