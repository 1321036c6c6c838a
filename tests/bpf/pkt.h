/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test packet builders and an independent checksum checker (RFC 1071).
 * Nothing here shares code with bpf/: the fixtures must be able to catch a
 * checksum bug in the data path, so they compute every sum from scratch.
 */
#ifndef RR_TEST_PKT_H
#define RR_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX		1600
#define PKT_MAX_VLAN	3
#define PKT_MAX_EXT	6

/* One frame: Ethernet, VLAN tags, IPv4 or IPv6 (+ extension headers), then
 * UDP (or another L4 protocol: the payload is then written raw after IP). */
struct pkt_spec {
	int family;			/* 4 or 6 */
	uint8_t dmac[6], smac[6];
	int nvlan;
	uint16_t vlan_tpid[PKT_MAX_VLAN], vlan_tci[PKT_MAX_VLAN];
	uint8_t saddr[16], daddr[16];	/* network order; v4 in the first 4 */
	uint16_t sport, dport;		/* host order */
	uint8_t ttl;			/* TTL / hop limit */
	uint8_t tos;			/* IPv4 TOS / IPv6 traffic class */
	uint32_t flow_label;		/* IPv6 */
	uint16_t ip_id;			/* IPv4 */
	uint16_t frag;			/* IPv4 flags + fragment offset, host order */
	uint8_t ipopts[40];		/* IPv4 options, a multiple of 4 bytes */
	size_t ipopts_len;
	uint8_t ext[PKT_MAX_EXT];	/* IPv6 extension header types, in order */
	int n_ext;
	uint8_t proto;			/* L4 protocol; 0: UDP */
	bool udp_csum_zero;		/* send UDP checksum 0 (IPv4 "none") */
	uint8_t payload[1400];
	size_t payload_len;
};

/* Offsets found by pkt_parse(). */
struct pkt_info {
	int family;
	size_t l3, l4;		/* offsets of the IP and UDP headers */
	uint8_t proto;
	size_t l3_len;		/* IPv4 tot_len / 40 + IPv6 payload length */
};

void pkt_addr(uint8_t *dst, const char *str);	/* v4 or v6 text */
size_t pkt_build(const struct pkt_spec *s, uint8_t *out);
size_t rtp_build(uint8_t *out, uint8_t b1, uint16_t seq, uint32_t ts,
		 uint32_t ssrc, size_t payload_len);

uint32_t csum_add(uint32_t sum, const void *data, size_t len);
uint16_t csum_fold(uint32_t sum);
uint16_t ipv4_hdr_csum(const uint8_t *ip, size_t hlen);
uint16_t udp_csum(int family, const uint8_t *saddr, const uint8_t *daddr,
		  const uint8_t *udp, size_t udp_len);

int pkt_parse(const uint8_t *f, size_t len, struct pkt_info *pi);
/* 0 when the IPv4 header checksum and the UDP checksum (pseudo-header
 * included) verify; otherwise -1 with the reason in why. */
int pkt_verify_csums(const uint8_t *f, size_t len, char *why, size_t whylen);

#endif
