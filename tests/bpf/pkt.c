// SPDX-License-Identifier: GPL-2.0-only
/* Test packet builders and checksum checker; see pkt.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

void pkt_addr(uint8_t *dst, const char *str)
{
	memset(dst, 0, 16);
	if (inet_pton(strchr(str, ':') ? AF_INET6 : AF_INET, str, dst) != 1) {
		fprintf(stderr, "pkt_addr: bad address '%s'\n", str);
		abort();
	}
}

/* RFC 1071: add big-endian 16-bit words; an odd last byte is padded. */
uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	for (; len > 1; p += 2, len -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Checksum over the header with its checksum field taken as zero. */
uint16_t ipv4_hdr_csum(const uint8_t *ip, size_t hlen)
{
	uint8_t h[60];

	memcpy(h, ip, hlen);
	h[10] = h[11] = 0;
	return (uint16_t)~csum_fold(csum_add(0, h, hlen));
}

static uint32_t pseudo_sum(int family, const uint8_t *saddr,
			   const uint8_t *daddr, size_t udp_len)
{
	uint32_t s;

	if (family == 4) {
		uint8_t tail[4] = { 0, 17, udp_len >> 8, udp_len & 0xff };

		s = csum_add(0, saddr, 4);
		s = csum_add(s, daddr, 4);
		return csum_add(s, tail, 4);
	}
	uint8_t tail[8] = { udp_len >> 24, udp_len >> 16, udp_len >> 8,
			    udp_len & 0xff, 0, 0, 0, 17 };

	s = csum_add(0, saddr, 16);
	s = csum_add(s, daddr, 16);
	return csum_add(s, tail, 8);
}

/* Full UDP checksum with the checksum field taken as zero; a computed 0 is
 * transmitted as 0xffff (RFC 768). */
uint16_t udp_csum(int family, const uint8_t *saddr, const uint8_t *daddr,
		  const uint8_t *udp, size_t udp_len)
{
	uint32_t s = pseudo_sum(family, saddr, daddr, udp_len);
	uint16_t c;

	s = csum_add(s, udp, 6);
	s = csum_add(s, udp + 8, udp_len - 8);
	c = (uint16_t)~csum_fold(s);
	return c ? c : 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

size_t rtp_build(uint8_t *out, uint8_t b1, uint16_t seq, uint32_t ts,
		 uint32_t ssrc, size_t payload_len)
{
	out[0] = 0x80;		/* V=2, no padding, extension or CSRC */
	out[1] = b1;		/* marker + payload type */
	put16(out + 2, seq);
	put16(out + 4, ts >> 16);
	put16(out + 6, ts & 0xffff);
	put16(out + 8, ssrc >> 16);
	put16(out + 10, ssrc & 0xffff);
	for (size_t i = 0; i < payload_len; i++)
		out[12 + i] = (uint8_t)(0xd5 ^ i);	/* G.711 silence-ish */
	return 12 + payload_len;
}

static size_t build_ext(uint8_t *p, uint8_t type, uint8_t next)
{
	memset(p, 0, 8);
	p[0] = next;
	switch (type) {
	case 44:		/* fragment: offset 0, M set, id 0x1234 */
		p[3] = 1;
		p[7] = 0x34;
		p[6] = 0x12;
		break;
	case 43:		/* routing type 0, segments left 0 */
		break;
	default:		/* hop-by-hop / destination options: PadN */
		p[2] = 1;
		p[3] = 4;
		break;
	}
	return 8;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *out)
{
	uint8_t proto = s->proto ? s->proto : 17;
	size_t off = 12, l3, l4, l4_len;
	uint16_t type = s->family == 4 ? 0x0800 : 0x86dd;

	memcpy(out, s->dmac, 6);
	memcpy(out + 6, s->smac, 6);
	for (int i = 0; i < s->nvlan; i++) {
		put16(out + off, s->vlan_tpid[i]);
		put16(out + off + 2, s->vlan_tci[i]);
		off += 4;
	}
	put16(out + off, type);
	l3 = off + 2;
	l4_len = proto == 17 ? 8 + s->payload_len : s->payload_len;

	if (s->family == 4) {
		size_t hlen = 20 + s->ipopts_len;
		uint8_t *ip = out + l3;

		ip[0] = 0x40 | (uint8_t)(hlen / 4);
		ip[1] = s->tos;
		put16(ip + 2, (uint16_t)(hlen + l4_len));
		put16(ip + 4, s->ip_id);
		put16(ip + 6, s->frag);
		ip[8] = s->ttl;
		ip[9] = proto;
		memcpy(ip + 12, s->saddr, 4);
		memcpy(ip + 16, s->daddr, 4);
		memcpy(ip + 20, s->ipopts, s->ipopts_len);
		put16(ip + 10, ipv4_hdr_csum(ip, hlen));
		l4 = l3 + hlen;
	} else {
		uint8_t *ip = out + l3;
		uint32_t w0 = 6u << 28 | (uint32_t)s->tos << 20 |
			      (s->flow_label & 0xfffff);
		uint8_t first = s->n_ext ? s->ext[0] : proto;

		put16(ip, w0 >> 16);
		put16(ip + 2, w0 & 0xffff);
		put16(ip + 4, (uint16_t)(8 * s->n_ext + l4_len));
		ip[6] = first;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->saddr, 16);
		memcpy(ip + 24, s->daddr, 16);
		l4 = l3 + 40;
		for (int i = 0; i < s->n_ext; i++) {
			uint8_t next = i + 1 < s->n_ext ? s->ext[i + 1] : proto;

			l4 += build_ext(out + l4, s->ext[i], next);
		}
	}

	if (proto != 17) {
		memcpy(out + l4, s->payload, s->payload_len);
		return l4 + s->payload_len;
	}
	uint8_t *udp = out + l4;

	put16(udp, s->sport);
	put16(udp + 2, s->dport);
	put16(udp + 4, (uint16_t)l4_len);
	put16(udp + 6, 0);
	memcpy(udp + 8, s->payload, s->payload_len);
	if (!s->udp_csum_zero)
		put16(udp + 6, udp_csum(s->family, s->saddr, s->daddr, udp, l4_len));
	return l4 + l4_len;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int pkt_parse(const uint8_t *f, size_t len, struct pkt_info *pi)
{
	size_t off = 12;
	uint16_t type;

	memset(pi, 0, sizeof(*pi));
	if (len < 14)
		return -1;
	type = get16(f + off);
	for (int i = 0; i < PKT_MAX_VLAN && (type == 0x8100 || type == 0x88a8); i++) {
		off += 4;
		if (off + 2 > len)
			return -1;
		type = get16(f + off);
	}
	pi->l3 = off + 2;
	if (type == 0x0800) {
		size_t hlen;

		if (pi->l3 + 20 > len)
			return -1;
		hlen = (f[pi->l3] & 0xf) * 4u;
		if (hlen < 20 || pi->l3 + hlen > len)
			return -1;
		pi->family = 4;
		pi->proto = f[pi->l3 + 9];
		pi->l4 = pi->l3 + hlen;
		pi->l3_len = get16(f + pi->l3 + 2);
		return 0;
	}
	if (type == 0x86dd) {
		uint8_t nh;
		size_t off6;

		if (pi->l3 + 40 > len)
			return -1;
		pi->family = 6;
		pi->l3_len = 40u + get16(f + pi->l3 + 4);
		nh = f[pi->l3 + 6];
		off6 = pi->l3 + 40;
		for (int i = 0; i < 8 && (nh == 0 || nh == 60 || nh == 43 || nh == 44); i++) {
			if (off6 + 8 > len)
				return -1;
			size_t hl = nh == 44 ? 8 : (f[off6 + 1] + 1u) * 8;

			nh = f[off6];
			off6 += hl;
		}
		pi->proto = nh;
		pi->l4 = off6;
		return 0;
	}
	return -1;
}

int pkt_verify_csums(const uint8_t *f, size_t len, char *why, size_t whylen)
{
	struct pkt_info pi;
	const uint8_t *ip, *udp;
	size_t udp_len;
	uint32_t s;

	if (pkt_parse(f, len, &pi)) {
		snprintf(why, whylen, "frame does not parse");
		return -1;
	}
	ip = f + pi.l3;
	if (pi.family == 4) {
		size_t hlen = (ip[0] & 0xf) * 4u;

		if (csum_fold(csum_add(0, ip, hlen)) != 0xffff) {
			snprintf(why, whylen, "IPv4 header checksum 0x%04x wrong (want 0x%04x)",
				 get16(ip + 10), ipv4_hdr_csum(ip, hlen));
			return -1;
		}
	}
	if (pi.proto != 17)
		return 0;
	udp = f + pi.l4;
	if (pi.l4 + 8 > len) {
		snprintf(why, whylen, "UDP header truncated");
		return -1;
	}
	udp_len = get16(udp + 4);
	if (udp_len < 8 || pi.l4 + udp_len > len) {
		snprintf(why, whylen, "UDP length %zu inconsistent", udp_len);
		return -1;
	}
	if (get16(udp + 6) == 0) {
		if (pi.family == 4)
			return 0;	/* "no checksum" is legal on IPv4 */
		snprintf(why, whylen, "IPv6 UDP checksum is zero");
		return -1;
	}
	const uint8_t *sa = pi.family == 4 ? ip + 12 : ip + 8;
	const uint8_t *da = pi.family == 4 ? ip + 16 : ip + 24;

	s = pseudo_sum(pi.family, sa, da, udp_len);
	s = csum_add(s, udp, udp_len);
	if (csum_fold(s) != 0xffff) {
		snprintf(why, whylen, "UDP checksum 0x%04x wrong (want 0x%04x)",
			 get16(udp + 6), udp_csum(pi.family, sa, da, udp, udp_len));
		return -1;
	}
	return 0;
}
