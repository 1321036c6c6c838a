#!/usr/bin/env bash
# The rtprelay network-namespace lab (DESIGN.md, "The lab"):
#
#   <P>sbc: sbc-eth 198.51.100.10/24 2001:db8:51::10/64
#        |  veth
#   <P>relay: sbc0 198.51.100.1/24 2001:db8:51::1/64
#             pbx0 203.0.113.1/24  2001:db8:113::1/64
#        |  veth
#   <P>pbx: pbx-eth 203.0.113.10/24 2001:db8:113::10/64
#
# P is $RR_NS_PREFIX (default "rr-") so that two labs can coexist. The relay
# does not forward IP (ip_forward off, and an nftables forward chain that drops
# everything for when the XDP tier enables per-device forwarding): only what
# rtprelay owns crosses it. The outer veths
# run a pass XDP program so that frames the relay sends with XDP_TX or
# XDP_REDIRECT are received.
#
# Usage: lab.sh up | down | status | exec NODE CMD... | ns NODE
#   NODE is sbc, relay or pbx. exec switches only the network namespace
#   (nsenter), so BPF pins under /sys/fs/bpf stay visible.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
P=${RR_NS_PREFIX:-rr-}
PASS_OBJ=${RR_XDP_PASS_OBJ:-$top/${BUILD:-build}/xdp_pass.bpf.o}

NS_SBC=${P}sbc NS_RELAY=${P}relay NS_PBX=${P}pbx
# Fixed MACs: static neighbour entries and test fixtures can name them.
MAC_SBC_ETH=02:00:00:51:00:10 MAC_SBC0=02:00:00:51:00:01
MAC_PBX0=02:00:00:13:00:01 MAC_PBX_ETH=02:00:00:13:00:10

die() { echo "lab: $*" >&2; exit 1; }

ns_of() {
	case "$1" in
	sbc) echo "$NS_SBC" ;; relay) echo "$NS_RELAY" ;; pbx) echo "$NS_PBX" ;;
	*) die "unknown node '$1' (sbc, relay or pbx)" ;;
	esac
}

ns_exists() { [ -e "/var/run/netns/$1" ]; }

lab_down() {
	local ns pid
	for ns in "$NS_SBC" "$NS_RELAY" "$NS_PBX"; do
		ns_exists "$ns" || continue
		# Processes left in our namespaces (after a crash) would keep
		# them alive; they run in the lab's namespaces, so they are ours.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
}

lab_up() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, XDP)"
	[ -f "$PASS_OBJ" ] || die "$PASS_OBJ missing: run 'make' first"
	lab_down
	trap 'lab_down; exit 1' ERR
	for ns in "$NS_SBC" "$NS_RELAY" "$NS_PBX"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 \
			net.ipv6.conf.all.forwarding=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0
	done

	ip -n "$NS_RELAY" link add sbc0 address $MAC_SBC0 type veth \
		peer name sbc-eth address $MAC_SBC_ETH netns "$NS_SBC"
	ip -n "$NS_RELAY" link add pbx0 address $MAC_PBX0 type veth \
		peer name pbx-eth address $MAC_PBX_ETH netns "$NS_PBX"

	addr() { # ns dev v4 v6
		ip -n "$1" addr add "$3" dev "$2"
		ip -n "$1" -6 addr add "$4" dev "$2" nodad
		ip -n "$1" link set "$2" up
	}
	addr "$NS_SBC" sbc-eth 198.51.100.10/24 2001:db8:51::10/64
	addr "$NS_RELAY" sbc0 198.51.100.1/24 2001:db8:51::1/64
	addr "$NS_RELAY" pbx0 203.0.113.1/24 2001:db8:113::1/64
	addr "$NS_PBX" pbx-eth 203.0.113.10/24 2001:db8:113::10/64

	neigh() { # ns dev ip mac
		ip -n "$1" neigh replace "$3" lladdr "$4" dev "$2" nud permanent
	}
	neigh "$NS_RELAY" sbc0 198.51.100.10 $MAC_SBC_ETH
	neigh "$NS_RELAY" sbc0 2001:db8:51::10 $MAC_SBC_ETH
	neigh "$NS_RELAY" pbx0 203.0.113.10 $MAC_PBX_ETH
	neigh "$NS_RELAY" pbx0 2001:db8:113::10 $MAC_PBX_ETH
	neigh "$NS_SBC" sbc-eth 198.51.100.1 $MAC_SBC0
	neigh "$NS_SBC" sbc-eth 2001:db8:51::1 $MAC_SBC0
	neigh "$NS_PBX" pbx-eth 203.0.113.1 $MAC_PBX0
	neigh "$NS_PBX" pbx-eth 2001:db8:113::1 $MAC_PBX0

	# The far side is routed via the relay, which does not forward: only
	# flows rtprelay installs get across.
	ip -n "$NS_SBC" route add 203.0.113.0/24 via 198.51.100.1
	ip -n "$NS_SBC" -6 route add 2001:db8:113::/64 via 2001:db8:51::1
	ip -n "$NS_PBX" route add 198.51.100.0/24 via 203.0.113.1
	ip -n "$NS_PBX" -6 route add 2001:db8:51::/64 via 2001:db8:113::1

	# bpf_fib_lookup() refuses devices without forwarding enabled, so the
	# XDP tier turns it on per device (rtprelayctl attach); this chain keeps
	# the relay's own stack from forwarding anything even then. Packets the
	# XDP program forwards never reach netfilter.
	nsenter --net="/var/run/netns/$NS_RELAY" nft -f - <<-'NFT'
	table inet rr_lab {
		chain forward {
			type filter hook forward priority 0; policy drop;
		}
	}
	NFT

	# A veth hands the peer an skb whose UDP checksum is only the
	# pseudo-header part (CHECKSUM_PARTIAL: a real NIC would fill it in).
	# XDP on the relay rewrites checksums incrementally and needs complete
	# ones, as from a real wire: let the stack compute them.
	for d in "$NS_SBC:sbc-eth" "$NS_RELAY:sbc0" "$NS_RELAY:pbx0" "$NS_PBX:pbx-eth"; do
		ip netns exec "${d%%:*}" ethtool -K "${d#*:}" tx off >/dev/null
	done

	ip -n "$NS_SBC" link set dev sbc-eth xdpdrv obj "$PASS_OBJ" sec xdp
	ip -n "$NS_PBX" link set dev pbx-eth xdpdrv obj "$PASS_OBJ" sec xdp
	trap - ERR
	echo "lab: up ($NS_SBC, $NS_RELAY, $NS_PBX)"
}

lab_status() {
	local ns rc=0
	for ns in "$NS_SBC" "$NS_RELAY" "$NS_PBX"; do
		if ns_exists "$ns"; then
			echo "== $ns"
			ip -n "$ns" -br addr show | grep -v '^lo '
			ip -n "$ns" link show | grep -o 'prog/xdp id [0-9]*' | sed 's/^/   xdp: /' || true
		else
			echo "== $ns: missing"
			rc=1
		fi
	done
	return $rc
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
up) lab_up ;;
down) lab_down; echo "lab: down" ;;
status) lab_status ;;
exec)
	[ $# -ge 2 ] || die "usage: lab.sh exec NODE CMD..."
	ns=$(ns_of "$1"); shift
	ns_exists "$ns" || die "namespace $ns does not exist: run 'lab.sh up'"
	exec nsenter --net="/var/run/netns/$ns" -- "$@"
	;;
ns) ns_of "${1:-}" ;;
*) echo "usage: $0 up|down|status|exec NODE CMD...|ns NODE" >&2; exit 2 ;;
esac
