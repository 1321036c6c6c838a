# Helpers and the network of the in-VM tests (busybox sh, sourced from
# /lib/rr). Relay = the VM's initial namespace (where the module's hooks and
# flows live); "sbc" and "pbx" namespaces on veths, with the lab's addresses.
n=0
t_ok() { n=$((n + 1)); echo "@@TAP ok - $1"; }
t_nok() { n=$((n + 1)); echo "@@TAP not ok - $1"; }
t_run() { # desc cmd... : passes when cmd succeeds
	d=$1; shift
	if "$@" >/tmp/t.out 2>&1; then t_ok "$d"; else t_nok "$d"; sed 's/^/# /' /tmp/t.out; fi
}
t_fail() { # desc cmd... : passes when cmd fails
	d=$1; shift
	if "$@" >/tmp/t.out 2>&1; then t_nok "$d"; sed 's/^/# /' /tmp/t.out; else t_ok "$d"; fi
}
t_eq() { # desc expected actual
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_nok "$1 (expected '$2', got '$3')"; fi
}
t_err() { # desc message-substring cmd... : cmd fails and says message
	d=$1 m=$2; shift 2
	if "$@" >/tmp/t.out 2>&1; then
		t_nok "$d (accepted)"
	elif grep -qF "$m" /tmp/t.out; then
		t_ok "$d"
	else
		t_nok "$d (wrong error)"; sed 's/^/# /' /tmp/t.out
	fi
}
# field NAME LINE: value of NAME=... in rrnl's one-line output
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
gstat() { field "$1" "$(rrnl stats)"; }
fstat() { field "$2" "$(rrnl get "$1")"; }
# busybox sh prefers its own applets to PATH: use iproute2's ip explicitly.
ip() { /usr/local/bin/ip "$@"; }
sbc() { nsenter --net=/run/netns/sbc "$@"; }
pbx() { nsenter --net=/run/netns/pbx "$@"; }

# recv_start NS ADDR PORT COUNT TIMEOUT_MS OUT: receiver in background
recv_start() {
	rm -f /tmp/ready
	nsenter --net=/run/netns/$1 udptool recv "$2" "$3" "$4" "$5" ready=/tmp/ready >"$6" 2>&1 &
	rpid=$!
	i=0
	while [ ! -e /tmp/ready ] && [ $i -lt 50 ]; do usleep 20000; i=$((i + 1)); done
}
recv_wait() { wait $rpid; }

lab_up() {
	for m in $(cat modules.order); do insmod ./$m.ko || echo "# insmod $m failed"; done
	ip link set lo up
	ip netns add sbc && ip netns add pbx
	ip link add sbc0 type veth peer name sbc-eth netns sbc
	ip link add pbx0 type veth peer name pbx-eth netns pbx
	ip addr add 198.51.100.1/24 dev sbc0
	ip addr add 2001:db8:51::1/64 dev sbc0 nodad
	ip addr add 203.0.113.1/24 dev pbx0
	ip addr add 2001:db8:113::1/64 dev pbx0 nodad
	ip link set sbc0 up && ip link set pbx0 up
	for ns in sbc pbx; do ip -n $ns link set lo up; done
	ip -n sbc addr add 198.51.100.10/24 dev sbc-eth
	ip -n sbc addr add 2001:db8:51::10/64 dev sbc-eth nodad
	ip -n sbc link set sbc-eth up
	ip -n sbc route add default via 198.51.100.1
	ip -n sbc -6 route add default via 2001:db8:51::1
	ip -n pbx addr add 203.0.113.10/24 dev pbx-eth
	ip -n pbx addr add 2001:db8:113::10/64 dev pbx-eth nodad
	ip -n pbx link set pbx-eth up
	ip -n pbx route add default via 203.0.113.1
	ip -n pbx -6 route add default via 2001:db8:113::1
	# The kernel's own forwarding is off: whatever crosses the relay, the
	# module forwarded. Relay egress computes checksums in software, so the
	# receivers verify every checksum the module rewrote.
	sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	ethtool -K sbc0 tx off >/dev/null
	ethtool -K pbx0 tx off >/dev/null
	sleep 1
}

