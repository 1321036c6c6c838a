// SPDX-License-Identifier: GPL-2.0-only
/* RTP fixed header encoding and parsing (RFC 3550 section 5.1). */
#include <errno.h>
#include <rtprelay/rtp.h>

void rtp_write_header(uint8_t *buf, uint8_t pt, bool marker, uint16_t seq,
		      uint32_t ts, uint32_t ssrc)
{
	buf[0] = RTP_VERSION << 6;
	buf[1] = (marker ? 0x80 : 0) | (pt & 0x7f);
	buf[2] = seq >> 8;
	buf[3] = seq;
	buf[4] = ts >> 24;
	buf[5] = ts >> 16;
	buf[6] = ts >> 8;
	buf[7] = ts;
	buf[8] = ssrc >> 24;
	buf[9] = ssrc >> 16;
	buf[10] = ssrc >> 8;
	buf[11] = ssrc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int rtp_parse_header(const uint8_t *buf, size_t len, struct rtp_hdr_info *out)
{
	size_t off = RTP_HDR_LEN, pad = 0;

	if (len < RTP_HDR_LEN || buf[0] >> 6 != RTP_VERSION)
		return -EINVAL;
	off += 4 * (buf[0] & 0x0f);		/* CSRC list */
	if (buf[0] & 0x10) {			/* header extension */
		if (len < off + 4)
			return -EINVAL;
		off += 4 + 4 * ((size_t)buf[off + 2] << 8 | buf[off + 3]);
	}
	if (len < off)
		return -EINVAL;
	if (buf[0] & 0x20) {			/* padding: count in last byte */
		pad = buf[len - 1];
		if (pad == 0 || pad > len - off)
			return -EINVAL;
	}
	out->marker = buf[1] & 0x80;
	out->pt = buf[1] & 0x7f;
	out->seq = (uint16_t)(buf[2] << 8 | buf[3]);
	out->ts = be32(buf + 4);
	out->ssrc = be32(buf + 8);
	out->payload_off = off;
	out->payload_len = len - off - pad;
	return 0;
}
