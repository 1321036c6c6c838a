/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtprelayd configuration: parsed from YAML (libyaml document API, so that
 * every syntax and semantic error names FILE:LINE), validated as a whole,
 * then read-only. configs/example.yaml documents every key.
 */
#ifndef RR_CONFIG_H
#define RR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sdp_rewrite.h"
#include "number.h"
#include "route_rules.h"
#include "translate.h"

/* The two sides of the relay: every call enters on one and leaves on the
 * other. */
enum rr_side {
	RR_SIDE_SBC,
	RR_SIDE_PBX,
	RR_SIDE_MAX,
};

enum rr_transport {
	RR_TP_UDP = 1u << 0,
	RR_TP_TCP = 1u << 1,
	RR_TP_TLS = 1u << 2,		/* trunks only: listen has its tls section */
};

enum rr_dp_mode {
	RR_DP_MODE_AUTO,
	RR_DP_MODE_XDP,
	RR_DP_MODE_KMOD,
	RR_DP_MODE_USER,
};

enum rr_log_target {
	RR_LOG_STDERR,
	RR_LOG_SYSLOG,
};

struct rr_cidr {
	int family;			/* AF_INET / AF_INET6 */
	uint8_t addr[16];
	unsigned int prefix;
};

/* A SIP peer: host (literal address) and port. */
struct rr_peer {
	char host[64];			/* IPv4 or IPv6 literal */
	int family;
	uint16_t port;
};

/* What a REFER from the other leg does when it would reach this trunk's
 * peer (docs/rtprelayd.md, "Transfers"). */
enum rr_refer_mode {
	RR_REFER_HANDLE,		/* rtprelayd is the referee (default) */
	RR_REFER_PASS,			/* the peer accepts REFER: relayed in-dialog */
};

/* Who on this trunk may transfer a call (REFER), any kind: a REFER is what
 * makes rtprelayd place a call to a number the sender chose. */
enum rr_refer_from {
	RR_REFER_FROM_ANY,		/* every peer of the trunk (default) */
	RR_REFER_FROM_TRUSTED,		/* only when the trunk has trust: true */
	RR_REFER_FROM_NONE,		/* nobody: 403 */
};

enum rr_refresher {
	RR_REFRESHER_AUTO,		/* as negotiated (RFC 4028 defaults) */
	RR_REFRESHER_LOCAL,		/* rtprelayd refreshes this leg */
	RR_REFRESHER_REMOTE,		/* the peer refreshes */
};

/* RFC 4028 session timer on the legs of a trunk. */
struct rr_session_timer {
	unsigned int interval;		/* Session-Expires asked for, s; 0: off */
	unsigned int min_se;		/* smallest interval accepted, s */
	enum rr_refresher refresher;
	bool update;			/* refresh with UPDATE, not re-INVITE */
};

/* privacy: of a trunk, what Privacy header calls leaving on it carry. */
enum rr_privacy {
	RR_PRIVACY_PASS,	/* the caller's, as received */
	RR_PRIVACY_ID,		/* always Privacy: id (the caller is hidden) */
	RR_PRIVACY_NONE,	/* none (an anonymous caller stays anonymous) */
};
/* 18x from a trunk's peers, towards the caller (early_media:). */
enum rr_early_media {
	RR_EARLY_ALL,			/* relay every 18x */
	RR_EARLY_FIRST,			/* relay only the call's first 18x */
	RR_EARLY_CONVERT_183,		/* 183 relayed as 180, no SDP, no early flows */
};

#define RR_MAX_FAILOVER_CODES 16

struct rr_trunk {
	char name[64];
	enum rr_side side;
	unsigned int transport;		/* RR_TP_* used towards the peers */
	struct rr_peer *peers;		/* failover order */
	unsigned int n_peers;
	struct rr_cidr *allow;		/* sources accepted from this trunk */
	unsigned int n_allow;
	/* Final failure statuses relayed TO this trunk's callers, rewritten:
	 * from[i] -> to[i]. */
	struct { uint16_t from, to; } *response_map;
	unsigned int n_response_map;
	struct rr_codec_list codecs;	/* allowed in SDP towards the peers */
	bool jitter;			/* RFC 3550 jitter on media from the peers */
	enum rr_refer_mode refer;
	enum rr_refer_from refer_from;
	struct rr_session_timer session_timer;
	/* numbering, translation, routing and identity (config_routing.c) */
	struct rr_numplan plan;
	struct rr_xl_list xl[RR_XL_DIRS];	/* translate: inbound/outbound */
	enum rr_allowed allowed;		/* allowed_destinations */
	struct rr_dest default_dest;		/* n = 0: none */
	bool trust;				/* RFC 3325 trust domain */
	enum rr_privacy privacy;
	/* Forking (fork.c): CANCEL/BYE of a branch on this trunk carries
	 * Reason: SIP;cause=200 when another branch answered or the caller's
	 * CANCEL said so; _always: on every CANCEL towards this trunk. */
	bool cancel_reason_elsewhere, cancel_reason_always;
	enum rr_early_media early_media;
	/* Peer failover: these finals, or no 18x/2xx within the timeout
	 * (ms; 0 = off), try the trunk's next peer. */
	uint16_t failover_codes[RR_MAX_FAILOVER_CODES];
	unsigned int n_failover_codes;
	unsigned int failover_timeout_ms;
	/* Admission (admission.c); 0 = no limit. */
	unsigned int max_calls;		/* concurrent, in + out */
	unsigned int max_cps;		/* new calls per second (token bucket) */
	unsigned int max_bandwidth_kbps;
	unsigned int call_bandwidth_kbps;	/* what one call counts */
	int line;
};

struct rr_route {
	char from[64];			/* incoming trunk name; "" = any */
	char prefix[64];		/* dialled-number prefix; "" = any */
	unsigned int *trunk;		/* indexes into trunks, rung in parallel */
	unsigned int n_trunks;		/* at least 1 */
	int line;
};

/* SIP over TLS on a listen address (controller/tls.h). */
struct rr_tls {
	bool enabled;			/* a tls section with a certificate */
	bool verify_peer;		/* require and verify the peer's certificate */
	uint16_t port;			/* default 5061 */
	char cert[256];			/* PEM certificate (chain) */
	char key[256];			/* PEM private key */
	char ca[256];			/* PEM CAs verifying peers; "": system bundle */
};

struct rr_listen {
	char address[64];		/* IPv4 or IPv6 literal */
	int family;
	/* A second address of the other family (dual stack); "" = none.
	 * Requests to a peer of its family leave from it. */
	char address2[64];
	int family2;
	uint16_t port;
	unsigned int transports;	/* RR_TP_UDP | RR_TP_TCP */
	bool set;
	struct rr_tls tls;
};

struct rr_media_addr {
	struct in_addr v4;
	struct in6_addr v6;
	bool has_v4, has_v6;
};

struct rr_config {
	unsigned int refs;		/* rr_config_get/put */
	char *path;
	struct rr_listen listen[RR_SIDE_MAX];
	struct rr_trunk *trunks;
	unsigned int n_trunks;
	struct rr_route *routes;
	unsigned int n_routes;
	struct rr_rules *rules;		/* routing: section; NULL when absent */
	struct {
		struct rr_media_addr addr[RR_SIDE_MAX];
		uint16_t port_min, port_max;	/* even min, odd max */
		uint8_t dscp;
		bool latch, strict;
		unsigned int inactivity_timeout;	/* seconds; 0 = off */
	} media;
	struct {
		enum rr_dp_mode mode;
		char **interfaces;
		unsigned int n_interfaces;
		char pin_dir[256];
		unsigned int max_flows;
	} datapath;
	struct {
		int level;			/* LOG_ERR .. LOG_DEBUG */
		enum rr_log_target target;
		bool mask_numbers;
	} log;
	struct {
		char dir[200];			/* "" = no CDRs */
		unsigned int retention_days;	/* 0 = keep every file */
		bool mask_numbers;
	} cdr;
	char control_socket[108];
	struct {
		bool enabled;			/* metrics.listen given */
		char host[64];			/* IPv4 or IPv6 literal */
		int family;
		uint16_t port;			/* default 9120 */
	} metrics;
	unsigned int options_interval;	/* seconds; 0 = no OPTIONS pinging */
	struct {
		char state_dir[256];		/* answered calls' state; "": none */
		bool end_on_term;		/* SIGTERM ends calls (else hands over) */
	} calls;
};

/* Parses and validates path. On error returns NULL and writes one line
 * "FILE:LINE: reason" into err. */
struct rr_config *rr_config_load(const char *path, char *err, size_t errlen);
void rr_config_free(struct rr_config *cfg);
/* References: load returns one; the last put frees. */
struct rr_config *rr_config_get(struct rr_config *cfg);
void rr_config_put(struct rr_config *cfg);
/* NULL when cur can become next without a restart, else what differs
 * (listen addresses, media addresses or port range, datapath, control,
 * metrics). */
const char *rr_config_reload_blocker(const struct rr_config *cur,
				     const struct rr_config *next);

const char *rr_side_name(enum rr_side side);
/* status as relayed to a caller on trunk (response_map applied). */
int rr_trunk_map_status(const struct rr_trunk *t, int status);
/* status is one of t's failover codes. */
bool rr_trunk_failover_status(const struct rr_trunk *t, int status);
/* Index of the trunk named name, or -1. */
int rr_config_trunk_find(const struct rr_config *cfg, const char *name);
/* Trunk whose allowed networks contain the source address, on side; -1. */
int rr_config_trunk_for_source(const struct rr_config *cfg, enum rr_side side,
			       const struct sockaddr *sa);
bool rr_cidr_match(const struct rr_cidr *c, const struct sockaddr *sa);
/* "a.b.c.d/n" or "v6/n" (no /n: host route). 0 or -EINVAL. */
int rr_cidr_parse(const char *s, struct rr_cidr *c);

#endif /* RR_CONFIG_H */
