/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The saved state of one answered call, so that a restarted rtprelayd can
 * adopt calls whose media kept flowing in the kernel (docs/operations.md,
 * "Restarting"). One small text file per call in the state directory,
 * "call-ID.state", written to "call-ID.tmp" and renamed over it, so a
 * reader sees the old or the new file, never half of one:
 *
 *	rtprelayd-call 1
 *	id 12
 *	leg0.call_id a84b4c76e66710@198.51.100.10
 *	leg0.sdp v=0\r\no=...	(backslash escapes: \\ \n \r)
 *	...
 *
 * One "key value" a line; unknown keys are ignored (newer writer), a
 * missing required key or a bad value refuses the file with a reason.
 * No sofia-sip here: the dialog is kept as the header text sofia printed.
 */
#ifndef RR_CALL_STATE_H
#define RR_CALL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sdp_rewrite.h"

#define RR_CS_VERSION	1

/* One leg's dialog (RFC 3261 section 12) as rtprelayd is a party of it. */
struct rr_cs_dialog {
	char *call_id;
	char *local;		/* our address with our tag: "<sip:...>;tag=x" */
	char *remote;		/* theirs with their tag */
	char *target;		/* remote target URI (their Contact) */
	char *route;		/* route set, "<uri>,<uri>" in order; NULL: none */
	uint32_t local_cseq;	/* highest CSeq we used in the dialog */
	uint32_t remote_cseq;	/* highest CSeq we received */
	bool tcp;		/* the leg's transport */
	char *peer;		/* where its requests came from, "ADDR:PORT" (info) */
	char *trunk;		/* trunk name */
	char *sdp;		/* the SDP rtprelayd last sent on this leg */
	char *sdp_from;		/* the SDP this leg last sent (raw) */
};

struct rr_cs_stream {
	uint16_t port[2];	/* relay port facing leg i */
	bool installed[2];	/* flows towards leg i */
	uint32_t flow_id[2];	/* RTP flow towards leg i (RTCP: +1) */
	struct rr_sdp_stream peer[2];
};

struct rr_cs_call {
	unsigned long id;
	char *from, *to, *display;
	bool privacy;		/* the caller asked for privacy (Privacy: id) */
	int64_t start, answer;	/* wall clock (seconds since the epoch) */
	char *pin_dir;		/* the data path instance the flows live in */
	int side[2];		/* enum rr_side of leg i */
	int family[2];		/* AF_INET/AF_INET6 towards leg i */
	unsigned int n;		/* streams */
	struct rr_cs_stream s[RR_MAX_STREAMS];
	struct rr_cs_dialog leg[2];
};

/* malloc()ed text of st (NUL-terminated, *len without the NUL); NULL: ENOMEM. */
char *rr_cs_encode(const struct rr_cs_call *st, size_t *len);
/* Parses text into st (zeroed first; free with rr_cs_free). 0, or -EINVAL
 * with the reason ("line 7: port0 not a number") in err. */
int rr_cs_decode(const char *text, size_t len, struct rr_cs_call *st,
		 char *err, size_t errlen);
void rr_cs_free(struct rr_cs_call *st);

/* dir/call-ID.state, written atomically (tmp + rename). 0 or -errno. */
int rr_cs_save(const char *dir, const struct rr_cs_call *st);
/* Removes dir/call-ID.state (no file: 0). */
int rr_cs_remove(const char *dir, unsigned long id);
/* Creates dir (and its parent) if missing. 0 or -errno. */
int rr_cs_mkdir(const char *dir);
/* Reads file into st; 0, or -errno/-EINVAL with a reason in err. */
int rr_cs_load(const char *path, struct rr_cs_call *st, char *err, size_t errlen);

#endif
