#!/usr/bin/env bash
# The lab comes up with the addresses of DESIGN.md, the outer namespaces reach
# only the relay, and it goes down cleanly twice in a row.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root
export RR_NS_PREFIX=${RR_NS_PREFIX:-rrt$$-}
lab=tests/lab/lab.sh
trap '$lab down >/dev/null 2>&1' EXIT

x() { $lab exec "$@"; }
ping1() { x "$1" ping -c1 -W1 "$2"; }

for round in 1 2; do
	ok "round $round: lab up" $lab up
	ok "round $round: status lists all three namespaces" $lab status
	ok "sbc reaches relay (IPv4)" ping1 sbc 198.51.100.1
	ok "sbc reaches relay (IPv6)" ping1 sbc 2001:db8:51::1
	ok "pbx reaches relay (IPv4)" ping1 pbx 203.0.113.1
	ok "pbx reaches relay (IPv6)" ping1 pbx 2001:db8:113::1
	ok "relay reaches sbc and pbx" sh -c "$lab exec relay ping -c1 -W1 198.51.100.10 && $lab exec relay ping -c1 -W1 203.0.113.10"
	not_ok "sbc cannot reach pbx without the relay (IPv4)" ping1 sbc 203.0.113.10
	not_ok "sbc cannot reach pbx without the relay (IPv6)" ping1 sbc 2001:db8:113::10
	check "relay does not forward IPv4" 0 "$(x relay sysctl -n net.ipv4.ip_forward)"
	# What rtprelayctl attach does for bpf_fib_lookup: the nftables chain
	# must still keep the stack from forwarding.
	x relay sysctl -qw net.ipv4.conf.sbc0.forwarding=1 net.ipv4.conf.pbx0.forwarding=1 \
		net.ipv6.conf.sbc0.forwarding=1 net.ipv6.conf.pbx0.forwarding=1
	not_ok "per-device forwarding on: still no IPv4 path sbc->pbx" ping1 sbc 203.0.113.10
	not_ok "per-device forwarding on: still no IPv6 path sbc->pbx" ping1 sbc 2001:db8:113::10
	ok "pass XDP program on sbc-eth" sh -c "$lab exec sbc ip link show sbc-eth | grep -q 'prog/xdp'"
	ok "pass XDP program on pbx-eth" sh -c "$lab exec pbx ip link show pbx-eth | grep -q 'prog/xdp'"
	check "sbc0 MAC is fixed" 02:00:00:51:00:01 "$(x relay cat /sys/class/net/sbc0/address 2>/dev/null || x relay ip -br link show sbc0 | awk '{print $3}')"
	ok "round $round: lab down" $lab down
	not_ok "round $round: no namespace left" sh -c "ip netns list | grep -q '^${RR_NS_PREFIX}'"
done
ok "down is idempotent" $lab down
done_testing
