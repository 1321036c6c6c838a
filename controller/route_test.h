/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The routing dry run, shared by rtprelayd's route_test control verb and
 * rtprelayctl route test --config: the decision for a call as JSON
 * (docs/control.md "route_test").
 */
#ifndef RR_ROUTE_TEST_H
#define RR_ROUTE_TEST_H

#include <json-c/json.h>

#include "config.h"

/* The decision for a call arriving on the trunk named trunk, from number
 * (or sip:/tel: URI) from to to, with an optional P-Asserted-Identity pai.
 * Changes nothing (round-robin positions are restored). A new object with
 * "ok": false and "error" when trunk is unknown. */
json_object *rr_route_test(const struct rr_config *cfg, const char *trunk, const char *from,
			   const char *to, const char *pai);

#endif
