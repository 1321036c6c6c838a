// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "rtprelay" generic-netlink family (include/rtprelay/genl.h). Every
 * attribute has a policy (binary structs by exact length); the checks below
 * name the field that is wrong in the extack message, and run before
 * anything is changed, so a refused request installs nothing. State changes
 * need CAP_NET_ADMIN (GENL_ADMIN_PERM).
 */
#include <net/genetlink.h>
#include <rtprelay/genl.h>
#include "compat.h"
#include "rtprelay.h"

static const struct nla_policy rr_policy[RTPRELAY_A_MAX + 1] = {
	[RTPRELAY_A_KEY] = NLA_POLICY_EXACT_LEN(sizeof(struct rtprelay_flow_key)),
	[RTPRELAY_A_FLOW] = NLA_POLICY_EXACT_LEN(sizeof(struct rtprelay_flow)),
	[RTPRELAY_A_FLOW_ID] = { .type = NLA_U32 },
	[RTPRELAY_A_EXCL] = { .type = NLA_FLAG },
	/* Reply-only attributes are refused in requests. */
	[RTPRELAY_A_FLOW_STATS] = { .type = NLA_REJECT },
	[RTPRELAY_A_GLOBAL_STATS] = { .type = NLA_REJECT },
	[RTPRELAY_A_FLOW_COUNT] = { .type = NLA_REJECT },
	[RTPRELAY_A_MAX_FLOWS] = { .type = NLA_REJECT },
	[RTPRELAY_A_PAD] = { .type = NLA_REJECT },
};

static struct genl_family rr_family;

static const struct genl_multicast_group rr_mcgrps[] = {
	{ .name = RTPRELAY_GENL_MCGRP_IDLE },
};

/* extack wants messages with static storage: every message is a literal. */
static int rr_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		  const char *msg)
{
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = attr;
	}
	return -EINVAL;
}

enum { EP_OK, EP_FAMILY, EP_PAD, EP_UNSET, EP_V4, EP_PORT, EP_NEED, EP_AF, EP_N };
enum { F_KEY, F_EXPECT, F_OUT_SRC, F_OUT_DST, F_REVERSE, F_N };

#define RR_EP_MSGS(f) {							\
	[EP_FAMILY] = f ": family must be 0, 2 (IPv4) or 10 (IPv6)",	\
	[EP_PAD] = f ": pad must be zero",				\
	[EP_UNSET] = f ": family 0 (unset) needs an all-zero endpoint",	\
	[EP_V4] = f ": IPv4 address must leave v6[1..3] zero",		\
	[EP_PORT] = f ": port must not be zero",			\
	[EP_NEED] = f ": required (family is 0)",			\
	[EP_AF] = f ": family must match the key's (no IPv4/IPv6 bridging)", \
}
static const char *const rr_ep_msgs[F_N][EP_N] = {
	[F_KEY] = RR_EP_MSGS("key.local"),
	[F_EXPECT] = RR_EP_MSGS("flow.expect"),
	[F_OUT_SRC] = RR_EP_MSGS("flow.out_src"),
	[F_OUT_DST] = RR_EP_MSGS("flow.out_dst"),
	[F_REVERSE] = RR_EP_MSGS("flow.reverse.local"),
};

/* af: the family the endpoint must have when set (0: either). */
static int rr_ep_check(const struct rtprelay_endpoint *ep, bool need, u8 af)
{
	static const struct rtprelay_endpoint zero;

	if (ep->family == 0) {
		if (memcmp(ep, &zero, sizeof(zero)))
			return EP_UNSET;
		return need ? EP_NEED : EP_OK;
	}
	if (ep->family != RTPRELAY_AF_INET && ep->family != RTPRELAY_AF_INET6)
		return EP_FAMILY;
	if (ep->pad)
		return EP_PAD;
	if (ep->family == RTPRELAY_AF_INET &&
	    (ep->addr.v6[1] || ep->addr.v6[2] || ep->addr.v6[3]))
		return EP_V4;
	if (!ep->port)
		return EP_PORT;
	if (af && ep->family != af)
		return EP_AF;
	return EP_OK;
}

static int rr_check_key(const struct rtprelay_flow_key *key,
			const struct nlattr *attr, int field, u8 af, bool need,
			struct netlink_ext_ack *extack)
{
	int r = rr_ep_check(&key->local, need, af);

	return r ? rr_err(extack, attr, rr_ep_msgs[field][r]) : 0;
}

static int rr_check_flow(const struct rtprelay_flow_key *key,
			 const struct rtprelay_flow *f,
			 const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	u8 af = key->local.family;
	int r;

	if (f->id >= rr_max_flows)
		return rr_err(extack, attr, "flow.id must be below the max_flows module parameter");
	if (f->flags & ~(RTPRELAY_F_USER_MASK | RTPRELAY_F_LATCHED))
		return rr_err(extack, attr, "flow.flags has unknown bits");
	if ((f->flags & RTPRELAY_F_LATCHED) &&
	    (!(f->flags & RTPRELAY_F_LATCH) || !f->expect.family))
		return rr_err(extack, attr, "flow.flags: LATCHED needs LATCH and flow.expect");
	if ((f->flags & RTPRELAY_F_RTCP) && (f->flags & RTPRELAY_F_RTCP_MUX))
		return rr_err(extack, attr, "flow.flags: RTCP and RTCP_MUX exclude each other");
	if (f->dscp > RTPRELAY_DSCP_MAX)
		return rr_err(extack, attr, "flow.dscp must be 0..63");
	if (f->pad[0] || f->pad[1] || f->pad[2])
		return rr_err(extack, attr, "flow.pad must be zero");
	r = rr_ep_check(&f->expect, false, af);
	if (r)
		return rr_err(extack, attr, rr_ep_msgs[F_EXPECT][r]);
	r = rr_ep_check(&f->out_src, true, af);
	if (r)
		return rr_err(extack, attr, rr_ep_msgs[F_OUT_SRC][r]);
	r = rr_ep_check(&f->out_dst, true, af);
	if (r)
		return rr_err(extack, attr, rr_ep_msgs[F_OUT_DST][r]);
	return rr_check_key(&f->reverse, attr, F_REVERSE, af, false, extack);
}

static int rr_fill_flow(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			u8 cmd, struct rr_entry *e)
{
	struct rtprelay_flow_stats st;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &rr_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	rr_entry_stats(e, &st);
	if (nla_put(skb, RTPRELAY_A_KEY, sizeof(e->key), &e->key) ||
	    nla_put(skb, RTPRELAY_A_FLOW, sizeof(struct rtprelay_flow),
		    &rcu_dereference(e->act)->flow) ||
	    nla_put_64bit(skb, RTPRELAY_A_FLOW_STATS, sizeof(st), &st,
			  RTPRELAY_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static size_t rr_flow_msg_size(void)
{
	return nla_total_size(sizeof(struct rtprelay_flow_key)) +
	       nla_total_size(sizeof(struct rtprelay_flow)) +
	       nla_total_size_64bit(sizeof(struct rtprelay_flow_stats));
}

static int rr_cmd_flow_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ka = info->attrs[RTPRELAY_A_KEY];
	struct nlattr *fa = info->attrs[RTPRELAY_A_FLOW];
	const struct rtprelay_flow_key *key;
	const struct rtprelay_flow *flow;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, RTPRELAY_A_KEY) ||
	    GENL_REQ_ATTR_CHECK(info, RTPRELAY_A_FLOW))
		return -EINVAL;
	key = nla_data(ka);
	flow = nla_data(fa);
	err = rr_check_key(key, ka, F_KEY, 0, true, info->extack);
	if (err)
		return err;
	err = rr_check_flow(key, flow, fa, info->extack);
	if (err)
		return err;
	return rr_flow_add(key, flow, nla_get_flag(info->attrs[RTPRELAY_A_EXCL]),
			   info->extack);
}

static int rr_cmd_flow_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ka = info->attrs[RTPRELAY_A_KEY];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, RTPRELAY_A_KEY))
		return -EINVAL;
	err = rr_check_key(nla_data(ka), ka, F_KEY, 0, true, info->extack);
	if (err)
		return err;
	err = rr_flow_del(nla_data(ka));
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, ka, "no flow at this key");
	return err;
}

static int rr_cmd_flow_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *ka = info->attrs[RTPRELAY_A_KEY];
	struct nlattr *ia = info->attrs[RTPRELAY_A_FLOW_ID];
	struct sk_buff *msg;
	struct rr_entry *e;
	int err;

	if (!ka == !ia) {
		NL_SET_ERR_MSG(info->extack, "exactly one of KEY or FLOW_ID is required");
		return -EINVAL;
	}
	if (ka) {
		err = rr_check_key(nla_data(ka), ka, F_KEY, 0, true, info->extack);
		if (err)
			return err;
	}
	msg = genlmsg_new(rr_flow_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	e = ka ? rr_lookup(nla_data(ka)) : rr_lookup_id(nla_get_u32(ia));
	err = e ? rr_fill_flow(msg, info->snd_portid, info->snd_seq, 0,
			       RTPRELAY_CMD_FLOW_GET, e) : -ENOENT;
	rcu_read_unlock();
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, ka ? ka : ia, "no such flow");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

struct rr_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int rr_dump_one(struct rr_entry *e, void *arg)
{
	struct rr_dump_ctx *c = arg;

	return rr_fill_flow(c->skb, NETLINK_CB(c->cb->skb).portid,
			    c->cb->nlh->nlmsg_seq, NLM_F_MULTI,
			    RTPRELAY_CMD_FLOW_GET, e);
}

static int rr_cmd_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rr_dump_ctx c = { .skb = skb, .cb = cb };
	int err;

	/* args[0]: bucket, args[1]: position in it; a full skb stops the
	 * walk on the entry that did not fit, which the next call retries. */
	rcu_read_lock();
	err = rr_walk(&cb->args[0], &cb->args[1], rr_dump_one, &c);
	rcu_read_unlock();
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int rr_reply_counts(struct genl_info *info, u8 cmd, bool with_stats,
			   u32 count)
{
	struct rtprelay_global_stats gs;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size_64bit(sizeof(gs)) +
			  2 * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rr_family, 0, cmd);
	if (!hdr)
		goto nospace;
	if (with_stats) {
		rr_global_sum(&gs);
		if (nla_put_64bit(msg, RTPRELAY_A_GLOBAL_STATS, sizeof(gs), &gs,
				  RTPRELAY_A_PAD) ||
		    nla_put_u32(msg, RTPRELAY_A_MAX_FLOWS, rr_max_flows))
			goto nospace;
	}
	if (nla_put_u32(msg, RTPRELAY_A_FLOW_COUNT, count))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int rr_cmd_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	return rr_reply_counts(info, RTPRELAY_CMD_STATS_GET, true,
			       rr_flow_count());
}

static int rr_cmd_flush(struct sk_buff *skb, struct genl_info *info)
{
	return rr_reply_counts(info, RTPRELAY_CMD_FLUSH, false, rr_flush());
}

static const struct genl_small_ops rr_ops[] = {
	{
		.cmd = RTPRELAY_CMD_FLOW_ADD,
		.doit = rr_cmd_flow_add,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = RTPRELAY_CMD_FLOW_DEL,
		.doit = rr_cmd_flow_del,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = RTPRELAY_CMD_FLOW_GET,
		.doit = rr_cmd_flow_get,
		.dumpit = rr_cmd_flow_dump,
	},
	{
		.cmd = RTPRELAY_CMD_STATS_GET,
		.doit = rr_cmd_stats_get,
	},
	{
		.cmd = RTPRELAY_CMD_FLUSH,
		.doit = rr_cmd_flush,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family rr_family = {
	.name = RTPRELAY_GENL_NAME,
	.version = RTPRELAY_GENL_VERSION,
	.maxattr = RTPRELAY_A_MAX,
	.policy = rr_policy,
	.netnsok = false,	/* one flow table, in init_net */
	.module = THIS_MODULE,
	.small_ops = rr_ops,
	.n_small_ops = ARRAY_SIZE(rr_ops),
	.mcgrps = rr_mcgrps,
	.n_mcgrps = ARRAY_SIZE(rr_mcgrps),
};

bool rr_genl_idle_listeners(void)
{
	return genl_has_listeners(&rr_family, &init_net, 0);
}

void rr_genl_notify_idle(struct rr_entry *e)
{
	struct sk_buff *msg;

	msg = genlmsg_new(rr_flow_msg_size(), GFP_ATOMIC);
	if (!msg)
		return;
	if (rr_fill_flow(msg, 0, 0, 0, RTPRELAY_CMD_FLOW_IDLE, e)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&rr_family, msg, 0, 0, GFP_ATOMIC);
}

int rr_genl_init(void)
{
	return genl_register_family(&rr_family);
}

void rr_genl_exit(void)
{
	genl_unregister_family(&rr_family);
}
