/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SDP through the relay, with sofia-sip's SDP parser and printer: read the
 * media endpoints a peer offered or answered, and write the same SDP with
 * the relay's address and ports in place of the peer's (topology hiding:
 * o=, c= and every m= port; a=rtcp and ICE candidates removed because they
 * name the peer's own addresses).
 */
#ifndef RR_SDP_REWRITE_H
#define RR_SDP_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RR_MAX_STREAMS	4	/* media lines relayed per call; more: port 0 */

struct rr_sdp_stream {
	int family;		/* AF_INET/AF_INET6; 0: no usable address (hold 0.0.0.0, FQDN) */
	uint8_t addr[16];
	uint16_t port;		/* 0: stream rejected/disabled */
	bool rtcp_mux;
};

struct rr_sdp_info {
	unsigned int n;		/* media lines (capped at RR_MAX_STREAMS) */
	struct rr_sdp_stream s[RR_MAX_STREAMS];
};

/* Reads the endpoints of sdp; 0 or -EINVAL (unparseable, with a reason in
 * err when err is not NULL). */
int rr_sdp_parse(const char *sdp, size_t len, struct rr_sdp_info *info,
		 char *err, size_t errlen);

/* Codecs (rtpmap encoding names, case-insensitive) allowed towards a peer;
 * n == 0: every codec. */
struct rr_codec_list {
	char (*name)[32];
	unsigned int n;
};

/* Returns a malloc()ed copy of sdp with every address the relay's (family,
 * addr) and media line i on ports[i] (0: rejected; lines past n: rejected),
 * or NULL when sdp does not parse. With codecs (may be NULL), RTP payload
 * types of other codecs are removed with their attributes; a media line left
 * with none is rejected. */
char *rr_sdp_rewrite(const char *sdp, size_t len, int family, const void *addr,
		     const uint16_t *ports, unsigned int n,
		     const struct rr_codec_list *codecs);

#endif
