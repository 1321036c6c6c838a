// SPDX-License-Identifier: GPL-2.0-only
/* The meter's receive path: recvmmsg() batches from each readable socket,
 * kernel receive timestamps (SO_TIMESTAMPNS), RFC 3550 statistics. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "rtpgen.h"

#define RX_BATCH	32

static struct {
	struct mmsghdr msgs[RX_BATCH];
	struct mmsghdr echo[RX_BATCH];
	struct iovec echo_iov[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_storage from[RX_BATCH];
	uint8_t ctl[RX_BATCH][CMSG_SPACE(sizeof(struct timespec))];
	uint8_t buf[RX_BATCH][RTPGEN_MAX_PKT];
} b;

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t arrival_ns(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
		}
	}
	return now_real_ns();
}

static void account(struct run *r, struct stream *s, struct msghdr *mh,
		    const uint8_t *pkt, size_t len)
{
	struct rtp_meter_pkt p = { 0 };
	struct rtp_hdr_info h;
	uint64_t t = arrival_ns(mh);

	s->rx.packets++;
	s->rx.bytes += len;
	memcpy(&s->rx.from, mh->msg_name, mh->msg_namelen);
	s->rx.from_len = mh->msg_namelen;
	if (!s->rx.first_ns)
		s->rx.first_ns = t;
	s->rx.last_ns = t;
	if (rtp_parse_header(pkt, len, &h)) {
		s->rx.malformed++;
		return;
	}
	p.ssrc = h.ssrc;
	p.seq = h.seq;
	p.ts = h.ts;
	p.arrival_ns = t;
	if (h.payload_len >= RTPGEN_TAG_LEN &&
	    get_be32(pkt + h.payload_off) == RTPGEN_TAG_MAGIC) {
		const uint8_t *tag = pkt + h.payload_off;
		uint64_t sent = (uint64_t)get_be32(tag + 8) << 32 | get_be32(tag + 12);

		p.has_latency = true;
		p.latency_ns = (int64_t)(t - sent);
	} else {
		s->rx.foreign++;	/* RTP, but not from rtpgen: no latency */
	}
	rtp_meter_update(&s->meter, &p);
}

int rx_init(void)
{
	for (unsigned j = 0; j < RX_BATCH; j++) {
		b.iov[j] = (struct iovec){ b.buf[j], sizeof(b.buf[j]) };
	}
	return 0;
}

/* echo: the batch goes back where it came from, unchanged, in one sendmmsg. */
static void echo_back(struct stream *s, int n)
{
	int done = 0;

	for (int j = 0; j < n; j++) {
		b.echo_iov[j] = (struct iovec){ b.buf[j], b.msgs[j].msg_len };
		b.echo[j].msg_hdr = (struct msghdr){
			.msg_name = &b.from[j], .msg_namelen = b.msgs[j].msg_hdr.msg_namelen,
			.msg_iov = &b.echo_iov[j], .msg_iovlen = 1,
		};
	}
	while (done < n) {
		int k = sendmmsg(s->fd, b.echo + done, n - done, MSG_DONTWAIT);

		if (k <= 0) {
			s->tx.errors++;
			done++;
			continue;
		}
		for (int j = done; j < done + k; j++) {
			s->tx.packets++;
			s->tx.bytes += b.echo_iov[j].iov_len;
		}
		done += k;
	}
}

void rx_drain(struct run *r, uint32_t idx)
{
	struct stream *s = &r->st[idx];
	int n;

	do {
		for (unsigned j = 0; j < RX_BATCH; j++)
			b.msgs[j].msg_hdr = (struct msghdr){
				.msg_name = &b.from[j], .msg_namelen = sizeof(b.from[j]),
				.msg_iov = &b.iov[j], .msg_iovlen = 1,
				.msg_control = b.ctl[j], .msg_controllen = sizeof(b.ctl[j]),
			};
		n = recvmmsg(s->fd, b.msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int j = 0; j < n; j++)
			account(r, s, &b.msgs[j].msg_hdr, b.buf[j], b.msgs[j].msg_len);
		if (r->cfg->mode == MODE_ECHO)
			echo_back(s, n);
		r->last_rx_ns = now_mono_ns();
	} while (n == RX_BATCH);
}
