// SPDX-License-Identifier: GPL-2.0-only
/*
 * Client of the rtprelay generic-netlink family, on libmnl.
 *
 * Why libmnl and not libnl-genl: our attributes are fixed binary structs
 * from include/rtprelay/, so libnl's object caches and attribute
 * abstractions buy nothing; libmnl is a thin, allocation-free layer over the
 * wire format that also lets us read the kernel's extended-ack TLVs
 * (the error message of a refused request) directly, which libnl 3.7 does
 * not expose.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <rtprelay/genl.h>
#include "rr_genl.h"

struct rr_genl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	__u16 family;
	__u32 idle_group;
	char errmsg[256];
	char buf[32768];		/* > one dump skb (the kernel's ~16 KiB) */
};

const char *rr_genl_errmsg(const struct rr_genl *nl)
{
	return nl ? nl->errmsg : "";
}

/* NLMSG_ERROR: keep the extack message; 0 is the ack of a success. The
 * callbacks' data always starts with the client pointer (struct rr_reply,
 * struct rr_resolve). */
static int rr_cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct rr_genl *nl = *(struct rr_genl **)data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;	/* the name mnl_attr_for_each_payload uses */
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_for_each_payload((const struct nlattr *)((const char *)err + off),
					  mnl_nlmsg_get_payload_len(nlh) - off) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(nl->errmsg, sizeof(nl->errmsg), "%s",
					 mnl_attr_get_str(attr));
		}
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int rr_cb_noop(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

static int rr_cb_done(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static const mnl_cb_t rr_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = rr_cb_noop,
	[NLMSG_ERROR] = rr_cb_error,
	[NLMSG_DONE] = rr_cb_done,
	[NLMSG_OVERRUN] = rr_cb_noop,
};

static struct nlmsghdr *rr_msg_start(struct rr_genl *nl, __u16 type, __u8 cmd,
				     __u16 flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = RTPRELAY_GENL_VERSION;
	return nlh;
}

/* Send nlh, run cb on each reply until the ack/done. The request lives in
 * nl->buf, which the replies then reuse. */
static int rr_transact(struct rr_genl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		       void *arg)
{
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	nl->errmsg[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (ret < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, ret, seq, nl->portid, cb, arg,
				  (mnl_cb_t *)rr_ctl_cbs, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

/* ---- family resolution -------------------------------------------------- */

struct rr_resolve {
	struct rr_genl *nl;	/* first, for rr_cb_error */
	__u16 id;
	__u32 group;
};

static int rr_cb_family(const struct nlmsghdr *nlh, void *data)
{
	struct rr_resolve *r = data;
	const struct nlattr *a, *g, *ga;
	const char *name;
	__u32 gid;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
				r->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a) {
				name = NULL;
				gid = 0;
				mnl_attr_for_each_nested(ga, g) {
					if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME)
						name = mnl_attr_get_str(ga);
					else if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_ID)
						gid = mnl_attr_get_u32(ga);
				}
				if (name && !strcmp(name, RTPRELAY_GENL_MCGRP_IDLE))
					r->group = gid;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

int rr_genl_open(struct rr_genl **out)
{
	struct rr_resolve r = { 0 };
	struct nlmsghdr *nlh;
	struct rr_genl *nl;
	int one = 1, err;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	r.nl = nl;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		err = -errno;
		goto fail;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	/* Older kernels lack extack: not fatal, errors just lose the text. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);

	nlh = rr_msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, RTPRELAY_GENL_NAME);
	/* -ENOENT here means the module is not loaded. */
	err = rr_transact(nl, nlh, rr_cb_family, &r);
	if (err)
		goto fail;
	if (!r.id) {
		err = -EPROTO;
		goto fail;
	}
	nl->family = r.id;
	nl->idle_group = r.group;
	*out = nl;
	return 0;
fail:
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
	*out = NULL;
	return err;
}

void rr_genl_close(struct rr_genl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

/* ---- replies ------------------------------------------------------------ */

struct rr_reply {
	struct rr_genl *nl;	/* first, for rr_cb_error */
	struct rtprelay_flow_key key;
	struct rtprelay_flow flow;
	struct rtprelay_flow_stats stats;
	struct rtprelay_global_stats gs;
	__u32 count, max_flows;
	unsigned int have;	/* bit per attribute type */
	rr_genl_flow_fn fn;
	void *arg;
	int fn_ret;
};

/* Copy a binary attribute only when its length is exactly the struct's. */
static void rr_get_bin(const struct nlattr *a, void *dst, size_t len,
		       struct rr_reply *r)
{
	if (mnl_attr_get_payload_len(a) != len)
		return;
	memcpy(dst, mnl_attr_get_payload(a), len);
	r->have |= 1u << mnl_attr_get_type(a);
}

static int rr_parse(const struct nlmsghdr *nlh, struct rr_reply *r)
{
	const struct nlattr *a;

	r->have = 0;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case RTPRELAY_A_KEY:
			rr_get_bin(a, &r->key, sizeof(r->key), r);
			break;
		case RTPRELAY_A_FLOW:
			rr_get_bin(a, &r->flow, sizeof(r->flow), r);
			break;
		case RTPRELAY_A_FLOW_STATS:
			rr_get_bin(a, &r->stats, sizeof(r->stats), r);
			break;
		case RTPRELAY_A_GLOBAL_STATS:
			rr_get_bin(a, &r->gs, sizeof(r->gs), r);
			break;
		case RTPRELAY_A_FLOW_COUNT:
			rr_get_bin(a, &r->count, sizeof(r->count), r);
			break;
		case RTPRELAY_A_MAX_FLOWS:
			rr_get_bin(a, &r->max_flows, sizeof(r->max_flows), r);
			break;
		}
	}
	return MNL_CB_OK;
}

static int rr_cb_reply(const struct nlmsghdr *nlh, void *data)
{
	return rr_parse(nlh, data);
}

#define RR_HAVE(r, t)	((r)->have & (1u << (t)))
#define RR_HAVE_FLOW(r)	(RR_HAVE(r, RTPRELAY_A_KEY) && RR_HAVE(r, RTPRELAY_A_FLOW) && \
			 RR_HAVE(r, RTPRELAY_A_FLOW_STATS))

static int rr_cb_dump(const struct nlmsghdr *nlh, void *data)
{
	struct rr_reply *r = data;

	rr_parse(nlh, r);
	if (!RR_HAVE_FLOW(r))
		return MNL_CB_OK;
	r->fn_ret = r->fn(&r->key, &r->flow, &r->stats, r->arg);
	return r->fn_ret ? MNL_CB_STOP : MNL_CB_OK;
}

/* ---- commands ----------------------------------------------------------- */

int rr_genl_flow_add(struct rr_genl *nl, const struct rtprelay_flow_key *key,
		     const struct rtprelay_flow *flow, bool excl)
{
	struct nlmsghdr *nlh;

	nlh = rr_msg_start(nl, nl->family, RTPRELAY_CMD_FLOW_ADD, 0);
	mnl_attr_put(nlh, RTPRELAY_A_KEY, sizeof(*key), key);
	mnl_attr_put(nlh, RTPRELAY_A_FLOW, sizeof(*flow), flow);
	if (excl)
		mnl_attr_put(nlh, RTPRELAY_A_EXCL, 0, NULL);
	return rr_transact(nl, nlh, NULL, &(struct rr_reply){ .nl = nl });
}

int rr_genl_flow_del(struct rr_genl *nl, const struct rtprelay_flow_key *key)
{
	struct nlmsghdr *nlh;

	nlh = rr_msg_start(nl, nl->family, RTPRELAY_CMD_FLOW_DEL, 0);
	mnl_attr_put(nlh, RTPRELAY_A_KEY, sizeof(*key), key);
	return rr_transact(nl, nlh, NULL, &(struct rr_reply){ .nl = nl });
}

static int rr_flow_get(struct rr_genl *nl, const struct rtprelay_flow_key *key,
		       const __u32 *id, struct rtprelay_flow_key *okey,
		       struct rtprelay_flow *flow,
		       struct rtprelay_flow_stats *stats)
{
	struct rr_reply r = { .nl = nl };
	struct nlmsghdr *nlh;
	int err;

	nlh = rr_msg_start(nl, nl->family, RTPRELAY_CMD_FLOW_GET, 0);
	if (key)
		mnl_attr_put(nlh, RTPRELAY_A_KEY, sizeof(*key), key);
	else
		mnl_attr_put_u32(nlh, RTPRELAY_A_FLOW_ID, *id);
	err = rr_transact(nl, nlh, rr_cb_reply, &r);
	if (err)
		return err;
	if (!RR_HAVE_FLOW(&r))
		return -EPROTO;
	if (okey)
		*okey = r.key;
	if (flow)
		*flow = r.flow;
	if (stats)
		*stats = r.stats;
	return 0;
}

int rr_genl_flow_get(struct rr_genl *nl, const struct rtprelay_flow_key *key,
		     struct rtprelay_flow *flow,
		     struct rtprelay_flow_stats *stats)
{
	return rr_flow_get(nl, key, NULL, NULL, flow, stats);
}

int rr_genl_flow_get_id(struct rr_genl *nl, __u32 id,
			struct rtprelay_flow_key *key, struct rtprelay_flow *flow,
			struct rtprelay_flow_stats *stats)
{
	return rr_flow_get(nl, NULL, &id, key, flow, stats);
}

int rr_genl_flow_dump(struct rr_genl *nl, rr_genl_flow_fn fn, void *arg)
{
	struct rr_reply r = { .nl = nl, .fn = fn, .arg = arg };
	struct nlmsghdr *nlh;
	unsigned int seq;
	int err;

	nlh = rr_msg_start(nl, nl->family, RTPRELAY_CMD_FLOW_GET, NLM_F_DUMP);
	seq = nlh->nlmsg_seq;		/* nl->buf is reused by the replies */
	err = rr_transact(nl, nlh, rr_cb_dump, &r);
	if (r.fn_ret) {
		/* We stopped early: drain the rest of the dump so the next
		 * request does not read its tail. */
		struct rr_reply drain = { .nl = nl };
		int n;

		while ((n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf))) > 0)
			if (mnl_cb_run2(nl->buf, n, seq, nl->portid,
					rr_cb_reply, &drain, (mnl_cb_t *)rr_ctl_cbs,
					NLMSG_MIN_TYPE) <= MNL_CB_STOP)
				break;
		return r.fn_ret;
	}
	return err;
}

int rr_genl_stats(struct rr_genl *nl, struct rtprelay_global_stats *gs,
		  __u32 *flow_count, __u32 *max_flows)
{
	struct rr_reply r = { .nl = nl };
	struct nlmsghdr *nlh;
	int err;

	nlh = rr_msg_start(nl, nl->family, RTPRELAY_CMD_STATS_GET, 0);
	err = rr_transact(nl, nlh, rr_cb_reply, &r);
	if (err)
		return err;
	if (!RR_HAVE(&r, RTPRELAY_A_GLOBAL_STATS) || !RR_HAVE(&r, RTPRELAY_A_FLOW_COUNT))
		return -EPROTO;
	if (gs)
		*gs = r.gs;
	if (flow_count)
		*flow_count = r.count;
	if (max_flows)
		*max_flows = r.max_flows;
	return 0;
}

int rr_genl_flush(struct rr_genl *nl, __u32 *removed)
{
	struct rr_reply r = { .nl = nl };
	struct nlmsghdr *nlh;
	int err;

	nlh = rr_msg_start(nl, nl->family, RTPRELAY_CMD_FLUSH, 0);
	err = rr_transact(nl, nlh, rr_cb_reply, &r);
	if (!err && removed)
		*removed = r.count;
	return err;
}

int rr_genl_idle_subscribe(struct rr_genl *nl)
{
	if (!nl->idle_group)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->idle_group, sizeof(nl->idle_group)) < 0)
		return -errno;
	return 0;
}

int rr_genl_idle_wait(struct rr_genl *nl, int timeout_ms,
		      struct rtprelay_flow_key *key,
		      struct rtprelay_flow *flow,
		      struct rtprelay_flow_stats *stats)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(nl->sock), .events = POLLIN };
	struct rr_reply r = { .nl = nl };
	const struct nlmsghdr *nlh;
	int n;

	for (;;) {
		n = poll(&p, 1, timeout_ms);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -errno;
		for (nlh = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != nl->family ||
			    g->cmd != RTPRELAY_CMD_FLOW_IDLE)
				continue;
			rr_parse(nlh, &r);
			if (!RR_HAVE_FLOW(&r))
				continue;
			if (key)
				*key = r.key;
			if (flow)
				*flow = r.flow;
			if (stats)
				*stats = r.stats;
			return 1;
		}
	}
}

int rr_genl_raw(struct rr_genl *nl, __u8 cmd, __u16 nlflags,
		const struct rr_genl_raw_attr *attrs, size_t n)
{
	struct nlmsghdr *nlh;
	size_t i;

	nlh = rr_msg_start(nl, nl->family, cmd, nlflags);
	for (i = 0; i < n; i++)
		mnl_attr_put(nlh, attrs[i].type, attrs[i].len, attrs[i].data);
	return rr_transact(nl, nlh, rr_cb_reply, &(struct rr_reply){ .nl = nl });
}
