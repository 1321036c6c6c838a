#!/usr/bin/env bash
# rtprelayd over IPv6 in the lab (DESIGN.md's 2001:db8:51::/64 and
# 2001:db8:113::/64): sipp as SBC and PBX with SIP over IPv6 (UDP and TCP),
# SDP with c=IN IP6 rewritten to the relay's IPv6 media addresses, RTP
# forwarded by XDP both ways (the XDP flow counters, not a socket), BYE from
# either side; then a mixed call: IPv4 on the SBC side, IPv6 on the PBX side
# (and back), media bridged between the families by the userspace relay
# that runs next to XDP for such calls.
set -u
DP=${RR_DP:-xdp}
RRD_ENV_NAME=ipv6 RRD_NS=rrv6
. "$(dirname "$0")/rrd_env.sh"

S4=198.51.100.10 P4=203.0.113.10 RS4=198.51.100.1 RP4=203.0.113.1
S6=2001:db8:51::10 P6=2001:db8:113::10 RS6=2001:db8:51::1 RP6=2001:db8:113::1

# config SBC_FAMILY PBX_FAMILY: lab.yaml with each side's listen address and
# trunk peer in that family (4 or 6)
config() {
	python3 - "$top/configs/lab.yaml" "$1" "$2" <<PY
import sys
src, fs, fp = sys.argv[1:4]
s = open(src).read()
if fs == "6":
    s = s.replace("sbc: { address: 198.51.100.1,", 'sbc: { address: "$RS6",')
    s = s.replace('peers: ["198.51.100.10:5060"]', 'peers: ["[$S6]:5060"]')
if fp == "6":
    s = s.replace("pbx: { address: 203.0.113.1,", 'pbx: { address: "$RP6",')
    s = s.replace('peers: ["203.0.113.10:5060"]', 'peers: ["[$P6]:5060"]')
s = s.replace("mode: auto", "mode: $DP").replace("/run/rtprelayd.sock", "$SOCK")
s = s.replace("pin_dir: /sys/fs/bpf/rtprelay", "pin_dir: $PIN")
print(s, end="")
PY
}
config 6 6 >"$work/v6.yaml"
config 4 6 >"$work/mixed.yaml"
# dual stack: both sides listen on their IPv4 and IPv6 addresses; the SBC
# trunk's peer is IPv4, the PBX trunk's IPv6
config 4 6 | sed -e 's|sbc: { address: 198.51.100.1,|sbc: { address: [198.51.100.1, "'$RS6'"],|' \
	-e 's|pbx: { address: "'$RP6'",|pbx: { address: [203.0.113.1, "'$RP6'"],|' >"$work/dual.yaml"
ok "IPv6 listen addresses and peers pass --check-config" "$RRD" -c "$work/v6.yaml" --check-config
ok "mixed (IPv4 SBC side, IPv6 PBX side) passes --check-config" "$RRD" -c "$work/mixed.yaml" --check-config
ok "dual stack (address: [IPv4, IPv6]) passes --check-config" "$RRD" -c "$work/dual.yaml" --check-config
sed 's|\[198.51.100.1, "'$RS6'"\]|[198.51.100.1, 198.51.100.2]|' "$work/dual.yaml" >"$work/bad.yaml"
ok "two addresses of one family refused" sh -c "'$RRD' -c '$work/bad.yaml' --check-config 2>&1 | grep -q 'one IPv4 and one IPv6'"

"$LAB" up >/dev/null || bail "lab up failed"
br() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }
SC=$here/sipp

# call A_NODE A_IP RA_IP B_IP RB_IP [sipp args]: sipp uas on the other node
# (B), sipp uac on A calling RA_IP with a 6 s pause; 20 datagrams each way
# through the relay ports while it lasts. Sets uac_rc uas_rc got_a got_b
# calls_json.
call() {
	local a=$1 ip_a=$2 ra=$3 ip_b=$4 rb=$5 b pa pb p uac_pid; shift 5
	b=$([ "$a" = sbc ] && echo pbx || echo sbc)
	sipp_in "$b" -sf "$SC/uas.xml" -i "$ip_b" -p 5060 -m 1 &
	uas_pid=$!
	sleep 0.3
	sipp_in "$a" -sf "$SC/uac.xml" -i "$ip_a" -p 5070 -m 1 -s 4930123 "$(br "$ra"):5060" \
		-d 6000 "$@" &
	uac_pid=$!
	sleep 1
	calls_json=$(ctl calls)
	pa=$(echo "$calls_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"][0]["streams"][0]["relay_port_0"])')
	pb=$(echo "$calls_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"][0]["streams"][0]["relay_port_1"])')
	"$LAB" exec "$b" python3 "$here/udp_probe.py" echo "$ip_b" 7000 "$rb" "$pb" 20 1.5 >"$work/probe-b" &
	p=$!
	sleep 0.2
	got_a=$("$LAB" exec "$a" python3 "$here/udp_probe.py" send "$ip_a" 7000 "$ra" "$pa" 20 2)
	wait $p
	got_b=$(cat "$work/probe-b")
	calls_json=$(ctl calls)
	wait $uac_pid; uac_rc=$?
	wait $uas_pid; uas_rc=$?
}
jc() { echo "$calls_json" | python3 -c 'import json,sys; c=json.load(sys.stdin)["calls"][0]; s=c["streams"][0]; print(eval(sys.argv[1]))' "$1"; }

# --- 1. all IPv6: SBC -> PBX and PBX -> SBC, XDP forwarding -------------------
rrd_start "$work/v6.yaml"
check "rtprelayd runs on the $DP datapath" "$DP" "$(ctl status 'r["datapath"]')"
ok "SIP listens on [$RS6]:5060 (UDP and TCP)" sh -c "'$LAB' exec relay ss -lnu | grep -q '\\[$RS6\\]:5060' && '$LAB' exec relay ss -lnt | grep -q '\\[$RS6\\]:5060'"
call sbc $S6 $RS6 $P6 $RP6
check "IPv6 call SBC->PBX answered and ended (uac, uas)" "0 0" "$uac_rc $uas_rc"
check "IPv6 media SBC->PBX: 20 datagrams reached the PBX" 20 "$got_b"
check "IPv6 media PBX->SBC: 20 came back to the SBC" 20 "$got_a"
check "the learned endpoints are IPv6 (SBC, PBX)" "[$S6]:7000 [$P6]:7000" "$(jc 's.get("peer_0"), s.get("peer_1")' | tr -d "(),'")"
check "relay media addresses in the SDPs are IPv6 (SBC side, PBX side)" "$RS6 $RP6" \
	"$(jc 'c["legs"][0]["relay_address"], c["legs"][1]["relay_address"]' | tr -d "(),'")"
check "$DP flow counters: 20 packets each way" "20 20" "$(jc 's["to_callee"]["packets"], s["to_caller"]["packets"]' | tr -d "(),")"
check "the call's flows are on the $DP tier" "$DP" "$(jc 'c["tier"]')"
ok "after the IPv6 call: nothing left" idle
call pbx $P6 $RP6 $S6 $RS6
check "IPv6 call PBX->SBC answered and ended" "0 0" "$uac_rc $uas_rc"
check "IPv6 media PBX->SBC and back (20 20)" "20 20" "$got_b $got_a"
check "$DP flow counters PBX->SBC: 20 packets each way" "20 20" "$(jc 's["to_callee"]["packets"], s["to_caller"]["packets"]' | tr -d "(),")"
ok "after the IPv6 call from the PBX: nothing left" idle
# SIP over TCP on IPv6 from the SBC
sipp_in pbx -sf "$SC/uas.xml" -i $P6 -p 5060 -m 1 &
uas_pid=$!
sleep 0.3
sipp_in sbc -sf "$SC/uac.xml" -i $S6 -p 5070 -m 1 -s 4930123 "[$RS6]:5060" -d 200 -t t1; rc=$?
wait $uas_pid; rc2=$?
check "IPv6 call over TCP from the SBC, UDP to the PBX" "0 0" "$rc $rc2"
ok "after the IPv6 TCP call: nothing left" idle
rrd_stop

# --- 2. mixed: IPv4 on the SBC side, IPv6 on the PBX side ---------------------
rrd_start "$work/mixed.yaml"
call sbc $S4 $RS4 $P6 $RP6
check "mixed call SBC(IPv4)->PBX(IPv6) answered and ended" "0 0" "$uac_rc $uas_rc"
check "mixed media IPv4->IPv6: 20 datagrams reached the PBX" 20 "$got_b"
check "mixed media IPv6->IPv4: 20 came back to the SBC" 20 "$got_a"
check "relay media addresses: IPv4 towards the SBC, IPv6 towards the PBX" "$RS4 $RP6" \
	"$(jc 'c["legs"][0]["relay_address"], c["legs"][1]["relay_address"]' | tr -d "(),'")"
check "mixed: the call's flows are on the userspace relay (XDP does not bridge families)" user "$(jc 'c["tier"]')"
check "mixed: the userspace relay's flow counters, 20 each way" "20 20" "$(jc 's["to_callee"]["packets"], s["to_caller"]["packets"]' | tr -d "(),")"
ok "after the mixed call: nothing left" idle
call pbx $P6 $RP6 $S4 $RS4
check "mixed call PBX(IPv6)->SBC(IPv4) answered, media both ways" "0 0 20 20" "$uac_rc $uas_rc $got_b $got_a"
ok "after the mixed call from the PBX: nothing left" idle
check "no flow errors" 0 "$(ctl status 'r["flow_errors"]')"
ok "rtprelayd alive" kill -0 "$rrd_pid"
rrd_stop

# --- 3. dual stack: each side on an IPv4 and an IPv6 address ------------------
rrd_start "$work/dual.yaml"
ok "the SBC side listens on $RS4:5060 and [$RS6]:5060 (UDP)" \
	sh -c "'$LAB' exec relay ss -lnu | grep -q '$RS4:5060' && '$LAB' exec relay ss -lnu | grep -q '\\[$RS6\\]:5060'"
call sbc $S6 $RS6 $P6 $RP6
check "dual stack: SBC over IPv6 -> PBX over IPv6, answered, media 20/20" "0 0 20 20" "$uac_rc $uas_rc $got_b $got_a"
check "dual stack: that call is IPv6 on both legs, on the $DP tier" "$RS6 $RP6 $DP" \
	"$(jc 'c["legs"][0]["relay_address"], c["legs"][1]["relay_address"], c["tier"]' | tr -d "(),'")"
ok "after the dual-stack IPv6 call: nothing left" idle
call sbc $S4 $RS4 $P6 $RP6
check "dual stack: SBC over IPv4 -> PBX over IPv6, answered, media 20/20" "0 0 20 20" "$uac_rc $uas_rc $got_b $got_a"
ok "after the dual-stack mixed call: nothing left" idle
call pbx $P6 $RP6 $S4 $RS4
check "dual stack: PBX over IPv6 -> SBC trunk over IPv4, answered, media 20/20" "0 0 20 20" "$uac_rc $uas_rc $got_b $got_a"
check "dual stack: the INVITE to the SBC left from the IPv4 address" "$RS4" "$(jc 'c["legs"][1]["relay_address"]')"
ok "after the dual-stack call from the PBX: nothing left" idle
ok "rtprelayd alive" kill -0 "$rrd_pid"
rrd_stop
done_testing
