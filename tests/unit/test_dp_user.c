// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace socket relay on loopback: forwarding both ways, latching
 * re-points the reverse flow, strict source drops, counters, and no socket
 * left behind after the flows are deleted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "datapath.h"

#define LO htonl(INADDR_LOOPBACK)

static int peer(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = LO };
	socklen_t l = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (void *)&sin, sizeof(sin)), 0);
	getsockname(fd, (void *)&sin, &l);
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct rtprelay_endpoint ep(uint16_t port)
{
	struct rtprelay_endpoint e = { .family = RTPRELAY_AF_INET, .port = htons(port) };

	e.addr.v4 = LO;
	return e;
}

static void send_to(int fd, uint16_t port, const char *msg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = LO,
				   .sin_port = htons(port) };

	assert_true(sendto(fd, msg, strlen(msg), 0, (void *)&sin, sizeof(sin)) > 0);
}

/* Receives one datagram within 1 s; returns its length (-1: none), and the
 * source port. */
static int recv_from(int fd, char *buf, size_t len, uint16_t *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sockaddr_in sin;
	socklen_t l = sizeof(sin);
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return -1;
	n = recvfrom(fd, buf, len - 1, 0, (void *)&sin, &l);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	*from = ntohs(sin.sin_port);
	return (int)n;
}

/* Two free relay ports (bound and released again). */
static void relay_ports(uint16_t *p1, uint16_t *p2)
{
	int a = peer(p1), b = peer(p2);

	close(a);
	close(b);
}

static void test_relay(void **state)
{
	struct rr_dp dp = { .ops = &rr_dp_user_ops };
	struct rr_dp_config cfg = { .max_flows = 16 };
	struct rtprelay_flow_key k1 = { 0 }, k2 = { 0 };
	struct rtprelay_flow f1 = { 0 }, f2 = { 0 }, got;
	struct rtprelay_flow_stats st;
	struct rtprelay_global_stats gs;
	uint16_t pa, pb, pc, p1, p2, from;
	int a = peer(&pa), b = peer(&pb), c = peer(&pc);
	char buf[256], rtp[12] = { (char)0x80, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 7 };

	relay_ports(&p1, &p2);
	assert_int_equal(dp.ops->open(&dp, &cfg), 0);
	/* A -> relay:p1 -> (from p2) B ; B -> relay:p2 -> (from p1) A' (C, wrong) */
	k1.local = ep(p1);
	k2.local = ep(p2);
	f1.id = 1;
	f1.flags = RTPRELAY_F_LATCH;
	f1.out_src = ep(p2);
	f1.out_dst = ep(pb);
	f1.reverse = k2;
	f2.id = 2;
	f2.out_src = ep(p1);
	f2.out_dst = ep(pc);
	f2.reverse = k1;
	assert_int_equal(dp.ops->flow_add(&dp, &k1, &f1), 0);
	assert_int_equal(dp.ops->flow_add(&dp, &k2, &f2), 0);
	f1.id = 99;
	assert_int_equal(dp.ops->flow_add(&dp, &k1, &f1), -EINVAL);	/* id >= max */

	send_to(a, p1, "hello-b");
	assert_int_equal(recv_from(b, buf, sizeof(buf), &from), 7);
	assert_string_equal(buf, "hello-b");
	assert_int_equal(from, p2);
	/* latching on k1 re-pointed k2 at A's real source */
	assert_int_equal(dp.ops->flow_get(&dp, &k2, &got), 0);
	assert_int_equal(got.out_dst.port, htons(pa));
	assert_int_equal(dp.ops->flow_get(&dp, &k1, &got), 0);
	assert_true(got.flags & RTPRELAY_F_LATCHED);
	send_to(b, p2, "hello-a");
	assert_int_equal(recv_from(a, buf, sizeof(buf), &from), 7);
	assert_int_equal(from, p1);
	assert_int_equal(recv_from(c, buf, sizeof(buf), &from), -1);

	/* RTP view */
	assert_true(sendto(a, rtp, sizeof(rtp), 0,
			   (void *)&(struct sockaddr_in){ .sin_family = AF_INET,
			   .sin_addr.s_addr = LO, .sin_port = htons(p1) }, sizeof(struct sockaddr_in)) > 0);
	assert_int_equal(recv_from(b, buf, sizeof(buf), &from), 12);
	assert_int_equal(dp.ops->flow_stats(&dp, 1, &st), 0);
	assert_int_equal(st.packets, 2);
	assert_int_equal(st.rtp.ssrc, 7);
	assert_int_equal(st.rtp.base_seq, 5);
	assert_int_equal(st.rtp.received, 1);
	assert_true(st.last_seen_ns > 0);
	assert_int_equal(dp.ops->flow_stats(&dp, 2, &st), 0);
	assert_int_equal(st.packets, 1);

	/* strict: k2 only accepts B; a packet from C is dropped and counted */
	f2.flags = RTPRELAY_F_STRICT;
	f2.expect = ep(pb);
	f2.out_dst = ep(pa);
	assert_int_equal(dp.ops->flow_add(&dp, &k2, &f2), 0);	/* replace */
	send_to(c, p2, "intruder");
	send_to(b, p2, "legit");
	assert_int_equal(recv_from(a, buf, sizeof(buf), &from), 5);
	assert_string_equal(buf, "legit");
	assert_int_equal(dp.ops->flow_stats(&dp, 2, &st), 0);
	assert_int_equal(st.drops[RTPRELAY_FDROP_SRC_MISMATCH], 1);
	assert_int_equal(st.packets, 1);	/* replaced: counters restarted */
	assert_int_equal(dp.ops->global_stats(&dp, &gs), 0);
	assert_int_equal(gs.counters[RTPRELAY_G_DROP_SRC_MISMATCH], 1);

	assert_int_equal(dp.ops->flow_del(&dp, &k1), 0);
	assert_int_equal(dp.ops->flow_del(&dp, &k1), -ENOENT);
	assert_int_equal(dp.ops->flow_del(&dp, &k2), 0);
	/* every socket closed: the relay ports can be bound again */
	{
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = LO,
					   .sin_port = htons(p1) };
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		assert_int_equal(bind(fd, (void *)&sin, sizeof(sin)), 0);
		close(fd);
	}
	dp.ops->close(&dp, false);
	close(a);
	close(b);
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
