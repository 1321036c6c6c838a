/* SPDX-License-Identifier: GPL-2.0-only */
/* rtpgen: RTP stream generator and meter. Shared declarations. */
#ifndef RTPGEN_H
#define RTPGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <rtprelay/rtp.h>

#define RTPGEN_MAX_PAYLOAD	8192
#define RTPGEN_MAX_PKT		(RTP_HDR_LEN + RTPGEN_MAX_PAYLOAD)
/* Payload tag: "RTPG", stream index, sender's CLOCK_REALTIME in ns (all
 * big endian). Written when the payload has room; gives one-way latency. */
#define RTPGEN_TAG_MAGIC	0x52545047u
#define RTPGEN_TAG_LEN		16

enum {
	MODE_SEND = 1,
	MODE_RECV = 2,
	MODE_BOTH = MODE_SEND | MODE_RECV,
	MODE_ECHO_BIT = 4,
	MODE_ECHO = MODE_RECV | MODE_ECHO_BIT,	/* receive, meter, send back */
};

/* Modes that send packets (generated, or echoed) and so report "tx". */
#define MODE_HAS_TX(m)	((m) & (MODE_SEND | MODE_ECHO_BIT))

struct endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
	bool set;
};

struct cfg {
	int mode;
	unsigned streams;
	unsigned port_step;
	struct endpoint local;		/* --src / --listen */
	struct endpoint dst;
	unsigned pt, payload_size, clock_rate, ts_step;
	uint64_t interval_ns;
	uint64_t count;			/* packets per stream (send) */
	double duration_s;
	double linger_s, idle_s, progress_s, start_after_s;
	bool have_ssrc;
	uint32_t ssrc_base;
	uint64_t seed;
	unsigned drop_every;
	double loss, dup, reorder;	/* probabilities 0..1 */
	uint64_t delay_jitter_ns;
	int rcvbuf, sndbuf;
	bool one_socket;
	bool json, per_stream;
};

struct tx_stats {
	uint64_t packets, bytes, dropped, duplicated, reordered, errors;
	uint64_t late_max_ns, late_over_1ms;
};

struct rx_stats {
	uint64_t packets, bytes, malformed, foreign;
	struct sockaddr_storage from;
	socklen_t from_len;
	uint64_t first_ns, last_ns;
};

struct stream {
	int fd;
	struct endpoint local, dst;
	/* sending */
	uint32_t ssrc;
	uint16_t seq0;
	uint32_t ts0;
	uint64_t k;			/* packets generated so far */
	uint64_t start_ns;		/* nominal time of packet 0 */
	uint64_t due_ns;		/* when packet k leaves */
	uint64_t rng;
	bool held;			/* --reorder: packet held_k waits */
	uint64_t held_k, held_origin_ns;
	bool tx_done;
	struct tx_stats tx;
	/* receiving */
	struct rtp_meter meter;
	struct rx_stats rx;
};

struct run {
	struct cfg *cfg;
	struct stream *st;
	int epfd;
	int shared_fd;			/* --one-socket */
	uint32_t *heap;			/* stream indices by due_ns */
	unsigned heap_len;
	uint64_t t0_ns, t_end_ns;	/* monotonic */
	uint64_t last_rx_ns;
	unsigned tx_active;
};

/* addr.c */
int parse_endpoint(const char *s, struct endpoint *ep, bool need_port);
void endpoint_set_port(struct endpoint *ep, unsigned port);
unsigned endpoint_port(const struct endpoint *ep);
void format_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t len);

/* clock.c */
uint64_t now_mono_ns(void);
uint64_t now_real_ns(void);
uint64_t rng_next(uint64_t *s);
double rng_unit(uint64_t *s);

/* heap.c: min-heap of stream indices by due_ns */
void heap_push(struct run *r, uint32_t idx);
uint32_t heap_pop(struct run *r);

/* sockets.c */
int open_sockets(struct run *r);
void close_sockets(struct run *r);

/* tx.c */
void tx_init(struct run *r);
void tx_run_due(struct run *r, uint64_t now);
uint64_t tx_next_due(const struct run *r);

/* rx.c */
int rx_init(void);
void rx_drain(struct run *r, uint32_t idx);

/* report.c */
int report(const struct run *r, uint64_t elapsed_ns);
void progress(const struct run *r, uint64_t elapsed_ns);

#endif
