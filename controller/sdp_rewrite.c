// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>

#include "sdp_rewrite.h"

static void conn_addr(const sdp_connection_t *c, struct rr_sdp_stream *st)
{
	st->family = 0;
	if (!c || !c->c_address || c->c_nettype != sdp_net_in)
		return;
	if (c->c_addrtype == sdp_addr_ip4 &&
	    inet_pton(AF_INET, c->c_address, st->addr) == 1) {
		/* 0.0.0.0 is RFC 2543 hold: nowhere to send to */
		if (memcmp(st->addr, "\0\0\0\0", 4))
			st->family = AF_INET;
	} else if (c->c_addrtype == sdp_addr_ip6 &&
		   inet_pton(AF_INET6, c->c_address, st->addr) == 1) {
		st->family = AF_INET6;
	}
}

int rr_sdp_parse(const char *sdp, size_t len, struct rr_sdp_info *info,
		 char *err, size_t errlen)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sdp_parser_t *p;
	sdp_session_t *s;
	sdp_media_t *m;
	int rc = 0;

	memset(info, 0, sizeof(*info));
	p = sdp_parse(home, sdp, (issize_t)len, 0);
	s = sdp_session(p);
	if (!s) {
		if (err)
			snprintf(err, errlen, "%s", sdp_parsing_error(p));
		rc = -EINVAL;
		goto out;
	}
	for (m = s->sdp_media; m && info->n < RR_MAX_STREAMS; m = m->m_next) {
		struct rr_sdp_stream *st = &info->s[info->n++];

		conn_addr(m->m_connections ? m->m_connections : s->sdp_connection, st);
		st->port = m->m_rejected ? 0 : (uint16_t)m->m_port;
		st->rtcp_mux = sdp_attribute_find(m->m_attributes, "rtcp-mux") != NULL;
	}
out:
	sdp_parser_free(p);
	su_home_deinit(home);
	return rc;
}

static void strip(sdp_attribute_t **list)
{
	static const char *const names[] = {
		"rtcp", "candidate", "remote-candidates", "ice-ufrag", "ice-pwd",
		"ice-options", "ice-lite", "end-of-candidates",
		/* Microsoft's own, naming the peer's IPv6 addresses */
		"x-candidate", "x-candidate-ipv6",
	};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		while (sdp_attribute_remove(list, names[i]))
			;
}

static bool codec_allowed(const struct rr_codec_list *codecs, const char *enc)
{
	for (unsigned int i = 0; i < codecs->n; i++)
		if (enc && !strcasecmp(codecs->name[i], enc))
			return true;
	return false;
}

/* Whether an attribute value names payload type pt ("101 0-15", "96 nack"). */
static bool attr_names_pt(const char *value, unsigned int pt)
{
	char *end;
	unsigned long v;

	if (!value || value[0] < '0' || value[0] > '9')
		return false;
	v = strtoul(value, &end, 10);
	return v == pt && (*end == ' ' || *end == '\0');
}

/* Drops the payload types of codecs not in the list (and the fmtp/rtcp-fb
 * lines naming them: Teams SDP runs past 1,500 bytes otherwise). Returns
 * false when no payload type is left. */
static bool filter_codecs(sdp_media_t *m, const struct rr_codec_list *codecs)
{
	sdp_rtpmap_t **rp = &m->m_rtpmaps;
	sdp_attribute_t **ap;

	if (!m->m_rtpmaps)
		return true;	/* not RTP: nothing to choose from */
	while (*rp) {
		sdp_rtpmap_t *rm = *rp;

		if (codec_allowed(codecs, rm->rm_encoding)) {
			rp = &rm->rm_next;
			continue;
		}
		*rp = rm->rm_next;
		for (ap = &m->m_attributes; *ap;) {
			if (attr_names_pt((*ap)->a_value, rm->rm_pt))
				*ap = (*ap)->a_next;
			else
				ap = &(*ap)->a_next;
		}
	}
	return m->m_rtpmaps != NULL;
}

char *rr_sdp_rewrite(const char *sdp, size_t len, int family, const void *addr,
		     const uint16_t *ports, unsigned int n,
		     const struct rr_codec_list *codecs)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char abuf[INET6_ADDRSTRLEN];
	sdp_connection_t *c;
	sdp_printer_t *pr = NULL;
	sdp_parser_t *p;
	sdp_session_t *s;
	sdp_media_t *m;
	char *out = NULL;
	unsigned int i;

	if (!inet_ntop(family, addr, abuf, sizeof(abuf)))
		return NULL;
	p = sdp_parse(home, sdp, (issize_t)len, 0);
	s = sdp_session(p);
	if (!s)
		goto out;

	c = su_zalloc(home, sizeof(*c));
	if (!c)
		goto out;
	c->c_size = sizeof(*c);
	c->c_nettype = sdp_net_in;
	c->c_addrtype = family == AF_INET6 ? sdp_addr_ip6 : sdp_addr_ip4;
	c->c_address = abuf;
	s->sdp_connection = c;
	if (s->sdp_origin)
		s->sdp_origin->o_address = c;
	strip(&s->sdp_attributes);
	for (m = s->sdp_media, i = 0; m; m = m->m_next, i++) {
		m->m_connections = NULL;	/* the session c= (ours) applies */
		strip(&m->m_attributes);
		if (codecs && codecs->n && !m->m_rejected && !filter_codecs(m, codecs))
			m->m_rejected = 1;
		if (i < n && ports[i] && !m->m_rejected) {
			m->m_port = ports[i];
		} else {
			m->m_port = 0;
			m->m_rejected = 1;
		}
		m->m_number_of_ports = 0;
	}
	pr = sdp_print(home, s, NULL, 0, 0);
	if (sdp_message(pr))
		out = strdup(sdp_message(pr));
out:
	sdp_printer_free(pr);
	sdp_parser_free(p);
	su_home_deinit(home);
	return out;
}
