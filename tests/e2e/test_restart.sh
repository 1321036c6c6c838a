#!/usr/bin/env bash
# rtprelayd restarts without dropping calls (XDP data path, in the lab):
# an answered call with media flowing survives kill -9 and SIGTERM; the new
# daemon adopts it from the state directory (ports reserved, flows kept and
# still counting, listed as "restored"), gives each leg's dialog back to
# sofia-sip with a re-INVITE; then a BYE from either side, a hangup over
# the control socket end it on both legs with nothing left, and a peer's
# re-INVITE is relayed with the flows following it. A corrupt or
# truncated state file is reported with its name and reason and skipped; a
# new call after the restart gets other ports; media inactivity ends a
# restored call without media; SIGINT, and SIGTERM on the userspace data
# path, end calls. Each call that crossed a restart leaves exactly one call
# detail record, with the times and media counters of the whole call.
set -u
DP=xdp
RRD_ENV_NAME=restart RRD_NS=rrrs
. "$(dirname "$0")/rrd_env.sh"

"$LAB" up >/dev/null || bail "lab up failed"
STATE=$work/calls
lab_yaml -e "s|/run/rtprelayd-lab/calls|$STATE|" \
	-e 's|inactivity_timeout: 60|inactivity_timeout: 20|' >"$work/rr.yaml"
printf 'cdr: { dir: %s }\n' "$work/cdr" >>"$work/rr.yaml"	# records across restarts
ok "lab.yaml with calls.state_dir passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config

CTL="$top/${BUILD:-build}/rtprelayctl --socket $SOCK --pin-dir $PIN"
run=0
start_rrd() { # a daemon on the same configuration (and state directory)
	run=$((run + 1))
	rm -f "$SOCK"
	rrd_start "$work/rr.yaml" "$work/rrd.$run.log"
}
log() { cat "$work/rrd.$run.log"; }
SIPP_TIMEOUT=90
uas_listening() { # NODE SCENARIO [ARGS]: one call's callee, until it listens on 5060
	UAS_SETTLE=0 uas_start "$1" "$2" 1 "${@:3}"
	listening "$1" 5060
}
listening() { # NODE PORT: until sipp's UDP socket is bound (5 s at most)
	for _ in $(seq 50); do
		"$LAB" exec "$1" ss -Hlun "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
}
uac_start() { # NODE SCENARIO [ARGS]: one call in the background, its pid in uac_pid
	uac "$1" "$2" 1 "${@:3}" &
	uac_pid=$!
}
call_field() { ctl calls "r[\"calls\"][0]$1"; }
# probe: 20 datagrams each way SBC:7000 <-> PBX:7000 through the call's
# relay ports; sets got_sbc got_pbx
probe() { media_probe sbc 7000 pbx 7000; got_sbc=$got_a got_pbx=$got_b; }
callee_pkts() { call_field '["streams"][0]["to_callee"]["packets"]'; }
# idle (sip_lib.sh), polled 40 times, holds when no state file is left too
IDLE_TRIES=40
idle_also() { [ -z "$(ls "$STATE"/*.state 2>/dev/null)" ]; }
map_flows() { bpftool map dump pinned "$PIN/rr_flows" -j 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
adopted() { # both legs answered the adopting re-INVITE
	for _ in $(seq 50); do
		[ "$(grep -c 'event=adopt .* leg=[01] status=200 reason=' "$work/rrd.$run.log")" -ge 2 ] && return 0
		sleep 0.1
	done
	return 1
}

start_rrd
# --- 1. kill -9 with a call up; BYE from the SBC after the restart ----------
uas_listening pbx "$SC/uas_restart_wait.xml"
uac_start sbc "$SC/uac_restart_bye.xml" -d 8000
sleep 1
probe
check "before the crash: media both ways (20 20)" "20 20" "$got_sbc $got_pbx"
id=$(call_field '["id"]')
ports=$(call_field '["streams"][0]["relay_port_0"]'),$(call_field '["streams"][0]["relay_port_1"]')
before=$(callee_pkts)
ok "answered call's state saved in calls.state_dir" test -s "$STATE/call-$id.state"
kill -9 "$rrd_pid"; wait "$rrd_pid" 2>/dev/null
check "after kill -9: the call's 4 flows stay in the XDP map" 4 "$(map_flows)"
start_rrd
ok "the new daemon adopted both legs (re-INVITE answered 200 on each)" adopted
ok "log: 1 call restored" grep -q "calls: 1 restored from $STATE, 0 skipped" "$work/rrd.$run.log"
check "rtprelayctl calls: the call is listed as restored with its id" "$id restored" \
	"$(call_field '["id"]') $(call_field '["state"]')"
check "the restored call kept its relay ports" "$ports" \
	"$(call_field '["streams"][0]["relay_port_0"]'),$(call_field '["streams"][0]["relay_port_1"]')"
ok "rtprelayctl calls (text) shows it restored" sh -c "$CTL calls | grep -q 'restored.*sbc>pbx'"
check "ports of the restored call are taken in the pools (sbc pbx)" "1 1" \
	"$(ctl status '"%d %d" % (r["ports_in_use_sbc"], r["ports_in_use_pbx"])')"
check "its 4 flows counted, none installed again" "4" "$(ctl status 'r["flows"]')"
probe
check "after the restart: media both ways still forwarded (20 20)" "20 20" "$got_sbc $got_pbx"
after=$(callee_pkts)
ok "the flow counter kept counting across the restart ($before -> $after)" test "$after" -ge $((before + 20))
wait $uac_pid; rc=$?
wait $uas_pid; rc2=$?
check "BYE from the SBC after the restart answered 200 (sipp uac)" 0 "$rc"
check "the PBX got the BYE (sipp uas)" 0 "$rc2"
ok "after the BYE: no call, flow, port or state file left" idle
check "XDP map empty" 0 "$(map_flows)"
# cdr ID PYEXPR: eval on call ID's records (r: the list)
cdr() { $CTL cdr --dir "$work/cdr" --since 1h --json |
	python3 -c "import json, sys; r = [x for x in json.load(sys.stdin) if x['call'] == $1]; print($2)"; }
check "CDR: one record for the call that crossed the crash, closed by the caller (RC)" "1 RC 200" \
	"$(cdr "$id" '"%d %s %s" % (len(r), r[0]["state"], r[0]["status"])')"
ok "CDR: its billable time spans the restart (>= 6 s of the 8 s call)" \
	test "$(cdr "$id" 'int(r[0]["billable"])')" -ge 6
ok "CDR: media counted across the restart (>= 40 packets to the callee)" \
	test "$(cdr "$id" 'r[0]["to_callee_packets"]')" -ge 40

# --- 2. kill -9; BYE from the PBX after the restart --------------------------
uas_listening pbx "$SC/uas_restart_bye.xml" -d 3000
uac_start sbc "$SC/uac_restart_wait.xml"
sleep 1
kill -9 "$rrd_pid"; wait "$rrd_pid" 2>/dev/null
start_rrd
ok "second restart: both legs adopted" adopted
wait $uas_pid; rc2=$?
wait $uac_pid; rc=$?
check "BYE from the PBX after the restart answered 200 (sipp uas)" 0 "$rc2"
check "the SBC got the BYE (sipp uac)" 0 "$rc"
ok "after the PBX's BYE: nothing left" idle
check "CDR: the second crash's call closed by the callee (RA), one record" "1 RA" \
	"$(cdr "$($CTL cdr --dir "$work/cdr" --since 1h --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["call"])')" \
		'"%d %s" % (len(r), r[0]["state"])')"

# --- 2b. a re-INVITE after the restart is relayed, flows follow ------------
uas_listening pbx "$SC/uas_restart_reinvite.xml" -d 2000
uac_start sbc "$SC/uac_restart_reinvite.xml" -d 3000
sleep 1
kill -9 "$rrd_pid"; wait "$rrd_pid" 2>/dev/null
start_rrd
ok "third restart: both legs adopted" adopted
for _ in $(seq 60); do
	[ "$(call_field '["streams"][0].get("peer_1")' 2>/dev/null)" = "$PBX:7004" ] && break
	sleep 0.1
done
check "re-INVITE from the PBX after the restart relayed; flows now towards PBX:7004" \
	"$PBX:7004" "$(call_field '["streams"][0].get("peer_1")')"
ok "the call's state file follows the new port" grep -q "s0.peer1 $PBX 7004" "$STATE"/call-*.state
wait $uac_pid; rc=$?
wait $uas_pid; rc2=$?
check "the SBC answered the relayed re-INVITE, then its BYE got 200" 0 "$rc"
check "the PBX's re-INVITE was answered 200 and it got the BYE" 0 "$rc2"
ok "after the relayed re-INVITE and BYE: nothing left" idle

# --- 3. SIGTERM hands calls over; a new call gets other ports; ctl hangup ---
uas_listening pbx "$SC/uas_restart_wait.xml"
uac_start sbc "$SC/uac_restart_wait.xml"
sleep 1
id=$(call_field '["id"]')
p0=$(call_field '["streams"][0]["relay_port_0"]') p1=$(call_field '["streams"][0]["relay_port_1"]')
kill -TERM "$rrd_pid"; wait "$rrd_pid"; rc=$?
rrd_pid=
check "SIGTERM with a call up: exit status 0" 0 "$rc"
ok "SIGTERM: the call was handed over, not ended" grep -q "1 calls handed over" "$work/rrd.$run.log"
ok "SIGTERM: program and maps left in place" test -e "$PIN/rr_flows"
check "SIGTERM: the call's flows stay" 4 "$(map_flows)"
ok "SIGTERM: its state file stays" test -s "$STATE/call-$id.state"
not_ok "SIGTERM: no sanitizer report from the handing-over daemon" \
	grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$work/rrd.$run.log"
start_rrd
ok "after SIGTERM: both legs adopted" adopted
# a new call PBX -> SBC while the restored one is up: other ports
uas_start2() { sipp_in sbc -sf "$SC/uas.xml" -i $SBC -p 5060 -m 1 & uas2_pid=$!; listening sbc 5060; }
uas_start2
sipp_in pbx -sf "$SC/uac.xml" -i $PBX -p 5071 -m 1 -s 4930123 "$R_PBX:5060" -d 1500 &
uac2_pid=$!
sleep 0.8
newports=$(ctl calls '" ".join("%d %d" % (c["streams"][0]["relay_port_0"], c["streams"][0]["relay_port_1"]) for c in r["calls"] if c["id"] != '"$id"')')
echo "# restored call ports $p0 $p1, new call ports $newports"
ok "a new call after the restart does not get the restored call's ports" \
	sh -c "[ -n '$newports' ] && ! echo ' $newports ' | grep -qE ' ($p0|$p1) '"
ok "the new call got a higher call id than the restored one" \
	test "$(ctl calls 'max(c["id"] for c in r["calls"])')" -gt "$id"
wait $uac2_pid; wait $uas2_pid; rc=$?
check "the new call completed" 0 "$rc"
ok "rtprelayctl call hangup of the restored call" $CTL call hangup "$id"
wait $uac_pid; rc=$?
wait $uas_pid; rc2=$?
check "hangup after restart: the SBC got a BYE" 0 "$rc"
check "hangup after restart: the PBX got a BYE" 0 "$rc2"
ok "after hangup: nothing left" idle
check "CDR: the handed-over call has one record, ended by the operator (T)" "1 T hangup" \
	"$(cdr "$id" '"%d %s %s" % (len(r), r[0]["state"], r[0]["reason"])')"

# --- 4. corrupt and truncated state files: reported, skipped ---------------
uas_listening pbx "$SC/uas_restart_wait.xml"
uac_start sbc "$SC/uac_restart_wait.xml"
sleep 1
id=$(call_field '["id"]')
kill -9 "$rrd_pid"; wait "$rrd_pid" 2>/dev/null
good=$STATE/call-$id.state
head -c 200 "$good" >"$STATE/call-9001.state"			# truncated
sed 's/^s0.port0 .*/s0.port0 banana/' "$good" | sed "s/^id .*/id 9002/" >"$STATE/call-9002.state"
printf 'garbage\n' >"$STATE/call-9003.state"
# a flow no saved call owns (a call being set up when the daemon died)
$CTL flow add --in $R_SBC:30500 --out-src $R_PBX:30500 --out-dst $PBX:7100 >/dev/null
check "while the daemon is down: the call's 4 flows and a stale one" 5 "$(map_flows)"
start_rrd
ok "the good call was still adopted" adopted
ok "truncated file reported with its name and reason" \
	grep -qE "calls: $STATE/call-9001.state: .*truncated.*: skipped" "$work/rrd.$run.log"
ok "bad value reported with the line and key" \
	grep -qE "calls: $STATE/call-9002.state: line [0-9]+: s0.port0: 'banana' is not a number: skipped" "$work/rrd.$run.log"
ok "garbage reported" grep -qE "call-9003.state: line 1: not a version 1" "$work/rrd.$run.log"
ok "bad files renamed .bad (not read again)" test -e "$STATE/call-9001.state.bad" -a ! -e "$STATE/call-9001.state"
check "only the good call is up" 1 "$(ctl status 'r["calls"]')"
ok "the stale flow was removed at start (logged)" \
	grep -q "calls: 1 stale flows on the media ports removed" "$work/rrd.$run.log"
check "XDP map: only the adopted call's 4 flows" 4 "$(map_flows)"
check "status: calls_restored 1, restore_failed 3" "1 3" \
	"$(ctl status '"%d %d" % (r["calls_restored"], r["restore_failed"])')"
rm -f "$STATE"/*.bad

# --- 4b. media-inactivity teardown on a restored call ------------------------
# the adopted call never carried media: with a 3 s timeout (SIGHUP) it ends
sed -i 's|inactivity_timeout: 20|inactivity_timeout: 3|' "$work/rr.yaml"
kill -HUP "$rrd_pid"
wait $uac_pid; rc=$?
wait $uas_pid; rc2=$?
check "restored call without media: inactivity hangup, the SBC got a BYE" 0 "$rc"
check "restored call without media: inactivity hangup, the PBX got a BYE" 0 "$rc2"
check "inactivity hangups counted" 1 "$(ctl status 'r["inactivity_hangups"]')"
ok "after the inactivity hangup: nothing left" idle
sed -i 's|inactivity_timeout: 3|inactivity_timeout: 20|' "$work/rr.yaml"
kill -HUP "$rrd_pid"

# --- 5a. calls.shutdown: end_calls: SIGTERM ends calls (XDP) ---------------
sed -i 's|shutdown: keep_calls|shutdown: end_calls|' "$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
uas_listening pbx "$SC/uas.xml"
uac_start sbc "$SC/uac_waitbye.xml"
sleep 1
check "end_calls: a call is up" 1 "$(ctl status 'r["calls"]')"
kill -TERM "$rrd_pid"; wait "$rrd_pid"; rc=$?
rrd_pid=
check "end_calls, SIGTERM: exit status 0" 0 "$rc"
wait $uac_pid; rc=$?
wait $uas_pid; rc2=$?
check "end_calls, SIGTERM: both legs got a BYE (SBC PBX)" "0 0" "$rc $rc2"
ok "end_calls, SIGTERM: no state file left" test -z "$(ls "$STATE"/*.state 2>/dev/null)"
ok "end_calls, SIGTERM: program detached, pins removed" test ! -e "$PIN/rr_flows"
sed -i 's|shutdown: end_calls|shutdown: keep_calls|' "$work/rr.yaml"
start_rrd

# --- 5. SIGINT ends calls cleanly (BYE both legs), flows removed -----------
uas_listening pbx "$SC/uas.xml"
uac_start sbc "$SC/uac_waitbye.xml"
sleep 1
check "a call is up for SIGINT" 1 "$(ctl status 'r["calls"]')"
kill -INT "$rrd_pid"; wait "$rrd_pid"; rc=$?
rrd_pid=
check "SIGINT: exit status 0" 0 "$rc"
wait $uac_pid; rc=$?
wait $uas_pid; rc2=$?
check "SIGINT: the SBC got a BYE" 0 "$rc"
check "SIGINT: the PBX got a BYE" 0 "$rc2"
ok "SIGINT: no state file left" test -z "$(ls "$STATE"/*.state 2>/dev/null)"
ok "SIGINT: program detached, pins removed" test ! -e "$PIN/rr_flows"
# --- 6. the userspace data path: SIGTERM ends calls (media would stop) ----
sed 's|mode: xdp|mode: user|' "$work/rr.yaml" >"$work/rr-user.yaml" && mv "$work/rr-user.yaml" "$work/rr.yaml"
start_rrd
uas_listening pbx "$SC/uas.xml"
uac_start sbc "$SC/uac_waitbye.xml"
sleep 1
check "userspace data path: the call is up" 1 "$(ctl status 'r["calls"]')"
ok "userspace data path: its state is saved all the same" sh -c "ls $STATE/*.state"
writes=$(ctl status 'r["state_writes"]')
kill -TERM "$rrd_pid"; wait "$rrd_pid"; rc=$?
rrd_pid=
check "userspace data path, SIGTERM: exit 0" 0 "$rc"
wait $uac_pid; rc=$?
check "userspace data path, SIGTERM: the SBC got a BYE" 0 "$rc"
ok "userspace data path, SIGTERM: calls ended, not handed over" grep -q "terminating: ending 1 calls" "$work/rrd.$run.log"
ok "userspace data path, SIGTERM: no state file left" test -z "$(ls "$STATE"/*.state 2>/dev/null)"
wait $uas_pid; rc=$?
check "userspace data path, SIGTERM: the PBX got a BYE" 0 "$rc"
echo "# state files written for that call: $writes"
for f in "$work"/rrd.*.log; do
	not_ok "no sanitizer report in $(basename "$f")" \
		grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$f"
done
if [ "$_tap_failed" -gt 0 ]; then
	for f in "$work"/rrd.*.log; do echo "# --- $f (tail) ---"; tail -25 "$f" | sed 's/^/# /'; done
	echo "# --- sipp errors ---"; tail -20 "$work"/sipp-*.err 2>/dev/null | sed 's/^/# /'
fi
done_testing
