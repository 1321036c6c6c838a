#!/usr/bin/env bash
# End to end through the lab: rtprelayctl attaches the XDP tier on the relay's
# two veths, installs flows both ways (IPv4 and IPv6), real UDP/RTP sockets in
# the SBC and PBX namespaces exchange packets through it; the packets arrive
# intact from the relay's addresses, counters match, the relay's own UDP stack
# never sees them, latching and strict source checks work, deleted flows stop
# forwarding, a reload keeps flows, detach removes program and pins, a failed
# attach leaves nothing behind, flow add kicks neighbour resolution, and
# generic mode forwards too.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root
export RR_NS_PREFIX=${RR_E2E_PREFIX:-rre$$-}
lab=tests/lab/lab.sh
PIN=/sys/fs/bpf/rre$$
N=${RR_E2E_COUNT:-200}
ctl() { $lab exec relay build/rtprelayctl --pin-dir "$PIN" "$@"; }
# One CPU: a veth runs the peer's XDP on the sending CPU, and the RTP view
# is per CPU (like one RSS queue per stream on a NIC); a sender that hops
# CPUs would split the stream between two views.
xchg() { taskset -c "$(($(nproc) - 1))" tests/e2e/rtp_exchange.py --count "$N" --timeout 3 "$@"; }

cleanup() {
	ctl detach sbc0 >/dev/null 2>&1
	ctl detach pbx0 >/dev/null 2>&1
	rm -rf "$PIN"
	$lab down >/dev/null 2>&1
}
trap cleanup EXIT

[ -x build/rtprelayctl ] && [ -f build/rtprelay.bpf.o ] || bail "build/rtprelayctl or build/rtprelay.bpf.o missing: run make"
$lab up >/dev/null || bail "lab up failed"

# json FIELD.PATH < json: prints one value
jget() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v=v[int(k)] if isinstance(v,list) else v[k]
print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1"; }

# UDP datagrams the relay namespace's stack received (delivered or not).
relay_udp_in() {
	$lab exec relay cat /proc/net/snmp /proc/net/snmp6 | awk '
		/^Udp: [0-9]/ { s += $2 + $3 }          # InDatagrams NoPorts
		/^Udp6InDatagrams|^Udp6NoPorts/ { s += $2 }
		END { print s + 0 }'
}

S=sbc P=pbx
NS_S=$($lab ns sbc) NS_P=$($lab ns pbx)

# Nothing half-installed: a failed attach leaves no program and no pins.
not_ok "attach with a missing object fails" ctl attach sbc0 --obj /nonexistent/rtprelay.bpf.o
not_ok "failed attach left no pin dir" test -e "$PIN"
not_ok "failed attach left no program on sbc0" sh -c "$lab exec relay ip link show sbc0 | grep -q prog/xdp"
err=$($lab exec sbc build/rtprelayctl --pin-dir "$PIN" attach sbc-eth 2>&1)
check "attach refuses a device running another XDP program" 1 $?
ok "and says which program" grep -q "already runs XDP program 'xdp_pass'" <<<"$err"
not_ok "refused attach left no pin dir" test -e "$PIN"

ok "attach sbc0 (native, 1000 flows)" ctl attach sbc0 --mode native --max-flows 1000
ok "attach pbx0" ctl attach pbx0
check "pbx0 reuses the 1000-flow maps" 1000 "$(ctl stats --json | jget max_flows)"
not_ok "another --max-flows on pinned maps is refused" ctl attach pbx0 --max-flows 2000
not_ok "switching sbc0 to generic without detach is refused" ctl attach sbc0 --mode generic
ok "ip link shows rtprelay_xdp on sbc0" sh -c "$lab exec relay ip link show sbc0 | grep -q 'prog/xdp id [0-9]* name rtprelay_xdp'"
ok "ip link shows rtprelay_xdp on pbx0" sh -c "$lab exec relay ip link show pbx0 | grep -q 'name rtprelay_xdp'"
ok "maps pinned in $PIN" test -e "$PIN/rr_flows" -a -e "$PIN/rr_flow_stats" -a -e "$PIN/rr_global" -a -e "$PIN/rr_tx_ports"
check "per-device forwarding on for bpf_fib_lookup" "1 1" \
	"$($lab exec relay sysctl -n net.ipv4.conf.sbc0.forwarding) $($lab exec relay sysctl -n net.ipv6.conf.pbx0.forwarding)"

# SBC 198.51.100.10:40000 -> relay 198.51.100.1:20000 | 203.0.113.1:30000 -> PBX 203.0.113.10:50000
v4a=$(ctl flow add --in 198.51.100.1:20000 --from 198.51.100.10:40000 --out-src 203.0.113.1:30000 \
	--out-dst 203.0.113.10:50000 --reverse 203.0.113.1:30000 --clock-rate 8000)
v4b=$(ctl flow add --in 203.0.113.1:30000 --from 203.0.113.10:50000 --out-src 198.51.100.1:20000 \
	--out-dst 198.51.100.10:40000 --reverse 198.51.100.1:20000)
v6a=$(ctl flow add --in '[2001:db8:51::1]:20000' --out-src '[2001:db8:113::1]:30000' \
	--out-dst '[2001:db8:113::10]:50000' --reverse '[2001:db8:113::1]:30000')
v6b=$(ctl flow add --in '[2001:db8:113::1]:30000' --out-src '[2001:db8:51::1]:20000' \
	--out-dst '[2001:db8:51::10]:40000' --reverse '[2001:db8:51::1]:20000')
check "flow add prints ids from the top down (999..996 of 1000)" "999 998 997 996" "$v4a $v4b $v6a $v6b"
check "flow list --json has 4 flows" 4 "$(ctl flow list --json | jget flows | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"

# flow add asks the kernel to resolve out_dst's next hop (NTF_USE): a
# neighbour the relay never talked to gets an entry at once.
nk=$(ctl flow add --in 198.51.100.1:20099 --out-src 203.0.113.1:30099 --out-dst 203.0.113.99:50099)
ok "flow add kicks neighbour resolution of out_dst" sh -c "$lab exec relay ip neigh show 203.0.113.99 dev pbx0 | grep -q ."
ok "flow del of that flow" ctl flow del "$nk"

udp0=$(relay_udp_in)
exchange() { # desc expected_src  tx_ns tx_bind dest rx_ns rx_bind
	local desc=$1 src=$2 out
	shift 2
	out=$(xchg "$@")
	check "$desc: all $N arrive" "$N" "$(echo "$out" | jget received)"
	check "$desc: intact" "$N" "$(echo "$out" | jget intact)"
	check "$desc: from the relay's $src" "{\"$src\": $N}" "$(echo "$out" | jget sources)"
}
exchange "v4 SBC->PBX" 203.0.113.1:30000 "$NS_S" 198.51.100.10:40000 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000
exchange "v4 PBX->SBC" 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000 203.0.113.1:30000 "$NS_S" 198.51.100.10:40000
exchange "v6 SBC->PBX" "[2001:db8:113::1]:30000" "$NS_S" '[2001:db8:51::10]:40000' '[2001:db8:51::1]:20000' "$NS_P" '[2001:db8:113::10]:50000'
exchange "v6 PBX->SBC" "[2001:db8:51::1]:20000" "$NS_P" '[2001:db8:113::10]:50000' '[2001:db8:113::1]:30000' "$NS_S" '[2001:db8:51::10]:40000'
check "relay's own UDP stack saw none of them" 0 $(($(relay_udp_in) - udp0))

for id in $v4a $v4b $v6a $v6b; do
	j=$(ctl flow show "$id" --json)
	check "flow $id: packets == $N" "$N" "$(echo "$j" | jget stats.packets)"
	check "flow $id: rtp received == $N, lost 0" "$N 0" "$(echo "$j" | jget rtp.received) $(echo "$j" | jget rtp.lost)"
done
j=$(ctl flow show "$v4a" --json)
check "flow $v4a: bytes == N * (20+8+172)" $((N * 200)) "$(echo "$j" | jget stats.bytes)"
check "flow $v4a: ssrc" $((0x5eed1234)) "$(echo "$j" | jget rtp.ssrc)"
ok "flow $v4a: jitter_ms reported" sh -c "echo '$j' | grep -q '\"jitter_ms\":[0-9]'"
ok "flow show (text) names ssrc, lost and jitter" sh -c "$lab exec relay build/rtprelayctl --pin-dir $PIN flow show $v4a | grep -q 'rtp packets $N, lost 0, jitter'"
check "global fwd_redirect == 4N" $((4 * N)) "$(ctl stats --json | jget counters.fwd_redirect)"

# A reload (attach again) replaces the program and keeps the flows.
old_id=$($lab exec relay ip -j link show sbc0 | jget 0.xdp.prog.id)
ok "re-attach sbc0 (reload)" ctl attach sbc0
new_id=$($lab exec relay ip -j link show sbc0 | jget 0.xdp.prog.id)
not_ok "reload put a new program on sbc0" test "$old_id" = "$new_id"
check "flows survive the reload" 4 "$(ctl stats --json | jget flows)"
exchange "v4 SBC->PBX after reload" 203.0.113.1:30000 "$NS_S" 198.51.100.10:40000 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000

# Strict: flow v4a only takes 198.51.100.10:40000; another port is dropped.
d0=$(ctl flow show "$v4a" --json | jget stats.drops.src_mismatch)
out=$(xchg "$NS_S" 198.51.100.10:40009 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000 --timeout 1)
check "strict: nothing from an unexpected port arrives" 0 "$(echo "$out" | jget received)"
check "strict: drops counted as src_mismatch" "$N" $(($(ctl flow show "$v4a" --json | jget stats.drops.src_mismatch) - d0))

# Latching: the SBC leg (relay :20010) learns the SBC's real source port and
# re-points the reverse flow (relay :30010 -> SBC) at it.
la=$(ctl flow add --in 198.51.100.1:20010 --latch --out-src 203.0.113.1:30010 \
	--out-dst 203.0.113.10:50010 --reverse 203.0.113.1:30010)
lb=$(ctl flow add --in 203.0.113.1:30010 --out-src 198.51.100.1:20010 \
	--out-dst 198.51.100.10:40010 --reverse 198.51.100.1:20010)
exchange "latch: SBC from NATed port 41234 -> PBX" 203.0.113.1:30010 "$NS_S" 198.51.100.10:41234 198.51.100.1:20010 "$NS_P" 203.0.113.10:50010
j=$(ctl flow show "$la" --json)
check "latch: learned source is shown as from" 198.51.100.10:41234 "$(echo "$j" | jget from)"
ok "latch: flag latched set" sh -c "echo '$j' | grep -q '\"latched\"'"
check "latch: reverse flow now sends to the learned port" 198.51.100.10:41234 "$(ctl flow show "$lb" --json | jget out_dst)"
exchange "latch: PBX -> SBC reaches the NATed port" 198.51.100.1:20010 "$NS_P" 203.0.113.10:50010 203.0.113.1:30010 "$NS_S" 198.51.100.10:41234

# Deleting flows stops forwarding; the packets then reach the relay's stack.
ok "flow del by id" ctl flow del "$v4a"
ok "flow del --in" ctl flow del --in '[2001:db8:51::1]:20000'
not_ok "deleted flow is gone" ctl flow show "$v4a"
out=$(xchg "$NS_S" 198.51.100.10:40000 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000 --timeout 1)
check "deleted v4 flow: nothing forwarded" 0 "$(echo "$out" | jget received)"
out=$(xchg "$NS_S" '[2001:db8:51::10]:40000' '[2001:db8:51::1]:20000' "$NS_P" '[2001:db8:113::10]:50000' --timeout 1)
check "deleted v6 flow: nothing forwarded" 0 "$(echo "$out" | jget received)"
exchange "the remaining reverse flow still forwards" 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000 203.0.113.1:30000 "$NS_S" 198.51.100.10:40000

# Detach: program off, devmap entry gone; after the last device, no pins.
ok "detach sbc0" ctl detach sbc0
not_ok "sbc0 has no XDP program" sh -c "$lab exec relay ip link show sbc0 | grep -q prog/xdp"
ok "pins stay while pbx0 is attached" test -e "$PIN/rr_flows"
ok "detach pbx0 (last device)" ctl detach pbx0
not_ok "pbx0 has no XDP program" sh -c "$lab exec relay ip link show pbx0 | grep -q prog/xdp"
not_ok "pin dir removed" test -e "$PIN"
not_ok "detach again fails" ctl detach pbx0

# Generic (skb) mode, for drivers without native XDP.
ok "attach sbc0 --mode generic" ctl attach sbc0 --mode generic
ok "attach pbx0 --mode generic" ctl attach pbx0 --mode generic
ok "ip link shows xdpgeneric" sh -c "$lab exec relay ip link show sbc0 | grep -q xdpgeneric"
ctl flow add --in 198.51.100.1:20000 --out-src 203.0.113.1:30000 --out-dst 203.0.113.10:50000 >/dev/null
ctl flow add --in 203.0.113.1:30000 --out-src 198.51.100.1:20000 --out-dst 198.51.100.10:40000 >/dev/null
exchange "generic v4 SBC->PBX" 203.0.113.1:30000 "$NS_S" 198.51.100.10:40000 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000
exchange "generic v4 PBX->SBC" 198.51.100.1:20000 "$NS_P" 203.0.113.10:50000 203.0.113.1:30000 "$NS_S" 198.51.100.10:40000
ok "detach both (generic)" sh -c "$lab exec relay build/rtprelayctl --pin-dir $PIN detach sbc0 && $lab exec relay build/rtprelayctl --pin-dir $PIN detach pbx0"
not_ok "pin dir removed again" test -e "$PIN"
done_testing
