/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RTP header encoding (RFC 3550 section 5.1) and the receive-side statistics
 * of RFC 3550 appendix A: extended sequence numbers, expected/lost packets,
 * duplicates, reordering and the interarrival jitter estimate (A.8).
 *
 * Userspace only (lib/rtp_header.c, lib/rtp_meter.c), shared by rtpgen and,
 * later, rtprelayd's userspace tier and rtprelayctl.
 */
#ifndef RTPRELAY_RTP_H
#define RTPRELAY_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_HDR_LEN		12
#define RTP_VERSION		2

struct rtp_hdr_info {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	size_t payload_off;	/* after CSRCs and header extension */
	size_t payload_len;	/* without padding */
};

/* Writes the 12-byte fixed header (no CSRC, no extension) into buf. */
void rtp_write_header(uint8_t *buf, uint8_t pt, bool marker, uint16_t seq,
		      uint32_t ts, uint32_t ssrc);
/* Parses an RTP packet; -EINVAL if it is not RTP version 2 or is truncated. */
int rtp_parse_header(const uint8_t *buf, size_t len, struct rtp_hdr_info *out);

/* RFC 3550 A.1: a jump of more than MAX_DROPOUT ahead, or more than
 * MAX_MISORDER behind, is a restart unless the next packet confirms it. */
#define RTP_MAX_DROPOUT		3000
#define RTP_MAX_MISORDER	100
/* Duplicate detection remembers this many sequence numbers behind the
 * highest; it must exceed RTP_MAX_MISORDER. */
#define RTP_DUP_WINDOW		128

/* What one packet was, as rtp_meter_update() classified it. */
enum rtp_verdict {
	RTP_V_FIRST,		/* first packet of a source */
	RTP_V_IN_ORDER,		/* newer than every earlier one (gaps allowed) */
	RTP_V_LATE,		/* older than the newest, not seen before: reordered */
	RTP_V_DUP,		/* sequence number already received */
	RTP_V_BAD_JUMP,		/* implausible jump, discarded until confirmed */
	RTP_V_RESYNC,		/* jump confirmed by the next packet: new sequence */
	RTP_V_NEW_SSRC,		/* the SSRC changed: new source */
};

struct rtp_meter_pkt {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;		/* RTP timestamp */
	uint64_t arrival_ns;	/* arrival time, any clock, nanoseconds */
	bool has_latency;
	int64_t latency_ns;	/* one-way delay if the sender embedded its clock */
};

/*
 * Per-stream receive state. Counters cover every source the stream had;
 * sequence state and the jitter reference restart on a new SSRC or resync.
 */
struct rtp_meter {
	uint32_t clock_rate;	/* RTP timestamp units per second */
	bool started;
	uint32_t ssrc;
	uint16_t max_seq;
	int64_t cycles;		/* wraps of the sequence number, times 65536 */
	int64_t base_ext;	/* lowest extended sequence number of this sequence */
	uint32_t bad_seq;	/* RFC 3550 A.1: expected next seq after a jump */
	uint64_t window[RTP_DUP_WINDOW / 64];

	/* jitter (A.8), in timestamp units, kept as a double for precision */
	bool have_prev;
	uint64_t prev_arrival_ns;
	uint32_t prev_ts;
	double jitter;

	uint64_t received;	/* unique packets accepted */
	uint64_t expected_done;	/* expected by earlier sequences (SSRC/resync) */
	uint64_t duplicates;
	uint64_t reordered;
	uint64_t bad_jumps;
	uint64_t resyncs;
	uint64_t ssrc_changes;

	uint64_t lat_count;
	int64_t lat_min_ns, lat_max_ns;
	double lat_sum_ns;
};

void rtp_meter_init(struct rtp_meter *m, uint32_t clock_rate);
enum rtp_verdict rtp_meter_update(struct rtp_meter *m, const struct rtp_meter_pkt *p);
/* Packets the sender sent over all sequences seen (highest - lowest + 1). */
uint64_t rtp_meter_expected(const struct rtp_meter *m);
/* expected - received: negative when more arrived than expected. */
int64_t rtp_meter_lost(const struct rtp_meter *m);
/* Interarrival jitter in milliseconds. */
double rtp_meter_jitter_ms(const struct rtp_meter *m);

#endif
