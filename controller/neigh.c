// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kick neighbour resolution for a flow's next hop. The XDP program passes
 * packets to the stack while bpf_fib_lookup() says NO_NEIGH; asking the
 * kernel to resolve when the flow is installed keeps that window short.
 *
 * libmnl rather than libnl-route: two one-shot requests (RTM_GETROUTE for
 * the device and gateway, RTM_NEWNEIGH with NTF_USE), no object caches, and
 * libmnl is already a dependency of the controller.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "dp_xdp.h"

struct route_answer {
	int family;
	__u32 oif;
	unsigned char type;
	bool has_gw;
	__be32 gw[4];
};

static int route_attr(const struct nlattr *a, void *data)
{
	struct route_answer *r = data;
	size_t alen = r->family == AF_INET ? 4 : 16;

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			r->oif = mnl_attr_get_u32(a);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) == alen) {
			memcpy(r->gw, mnl_attr_get_payload(a), alen);
			r->has_gw = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_answer *r = data;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	r->type = rtm->rtm_type;
	return mnl_attr_parse(nlh, sizeof(*rtm), route_attr, r);
}

static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[8192];
	unsigned int portid = mnl_socket_get_portid(nl);
	__u32 seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* Neither request is a dump: one answer (the route, or the ACK). */
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
	return ret < 0 ? -errno : 0;
}

int rr_neigh_kick(const struct rtprelay_endpoint *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct route_answer r = {};
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct ndmsg *ndm;
	size_t alen;
	int ret;

	if (dst->family != RTPRELAY_AF_INET && dst->family != RTPRELAY_AF_INET6)
		return -EINVAL;
	r.family = dst->family;
	alen = dst->family == RTPRELAY_AF_INET ? 4 : 16;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = (__u32)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = (unsigned char)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, dst->addr.v6);
	ret = talk(nl, nlh, route_cb, &r);
	if (ret)
		goto out;
	/* Local or unreachable destinations have no neighbour to resolve. */
	if (r.type != RTN_UNICAST || !r.oif) {
		ret = 0;
		goto out;
	}

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	/* CREATE: an entry that does not exist yet is made (state NONE) and
	 * NTF_USE starts resolving it; an existing one is only "used". */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	nlh->nlmsg_seq = (__u32)time(NULL) + 1;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = dst->family;
	ndm->ndm_ifindex = (int)r.oif;
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, alen, r.has_gw ? (const void *)r.gw : dst->addr.v6);
	ret = talk(nl, nlh, NULL, NULL);
out:
	mnl_socket_close(nl);
	return ret;
}
