#!/usr/bin/env bash
# rtprelayd end to end in the lab: sipp as SBC (in <P>sbc) and PBX (in
# <P>pbx) placing calls through rtprelayd (in <P>relay, userspace datapath),
# both directions: answered calls with media relayed both ways (latching),
# BYE from either side, CANCEL, 486/503 relayed, re-INVITE hold/resume,
# delayed offer, UPDATE with/without SDP, re-INVITE without SDP, 100rel per
# leg, 403 for an unknown source, 400 for a malformed request with
# the daemon alive afterwards, and no port or flow left after 100+ calls.
set -u
# RR_DP=xdp: the same calls with the XDP tier carrying the media
DP=${RR_DP:-user}
RRD_ENV_NAME=b2bua RRD_NS=rre2e
. "$(dirname "$0")/rrd_env.sh"

"$LAB" up >/dev/null || bail "lab up failed"
lab_yaml -e 's|inactivity_timeout: 60|inactivity_timeout: 3|' >"$work/rr.yaml"
ok "lab.yaml ($DP datapath) passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"
check "rtprelayd runs on the $DP datapath" "$DP" "$(ctl status 'r["datapath"]')"

# --- 1. answered call, media both ways (SBC -> PBX) -------------------------
media_call() { # UAC_NODE: a call with a 4 s pause; media probed in the middle
	sip_call_start "$1" "$SC/uas.xml" "$SC/uac.xml" -d 4000
	sleep 1
	# the callee's side echoes back what it got; the caller counts the return
	media_probe "$1" 7000 "$(other "$1")" 7000
	calls_json=$(ctl calls)
	sip_call_end
	uac_rc=$rc uas_rc=$rc2
}
media_call sbc
check "SBC->PBX call answered and ended by the caller (sipp uac)" 0 "$uac_rc"
check "SBC->PBX callee side (sipp uas) saw the call and BYE" 0 "$uas_rc"
check "media SBC->PBX: 20 packets reached the PBX through the relay" 20 "$got_b"
check "media PBX->SBC: 20 packets came back to the SBC (latched)" 20 "$got_a"
check "the $DP datapath's flow counter: 20 packets to the callee" 20 \
	"$(echo "$calls_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"][0]["streams"][0]["to_callee"]["packets"])')"
check "control socket: call legs and trunks" "sbc pbx answered" \
	"$(echo "$calls_json" | python3 -c 'import json,sys; c=json.load(sys.stdin)["calls"][0]; print(c["legs"][0]["trunk"], c["legs"][1]["trunk"], c["state"])')"
ok "after the call: no call, flow or port left" idle

# --- 2. the same from the PBX side -------------------------------------------
media_call pbx
check "PBX->SBC call answered and ended by the caller" 0 "$uac_rc"
check "PBX->SBC callee side saw the call" 0 "$uas_rc"
check "media PBX->SBC: 20 packets reached the SBC" 20 "$got_b"
check "media SBC->PBX: 20 packets came back to the PBX" 20 "$got_a"
ok "after the call: nothing left" idle

# --- 2b. SIP over TCP from the SBC (the PBX trunk is UDP) ---------------------
sip_call sbc "$SC/uas.xml" "$SC/uac.xml" -d 200 -t t1
check "call from the SBC over TCP, relayed to the PBX over UDP" "0 0" "$rc $rc2"
ok "after the TCP call: nothing left" idle

# --- 3. BYE from the callee side ---------------------------------------------
UAS_ARGS="-d 500" sip_call sbc "$SC/uas_bye.xml" "$SC/uac_waitbye.xml"
check "BYE from the PBX reaches the SBC (uac got BYE)" 0 "$rc"
check "BYE from the PBX answered 200 (uas)" 0 "$rc2"
ok "after callee BYE: nothing left" idle
UAS_ARGS="-d 500" sip_call pbx "$SC/uas_bye.xml" "$SC/uac_waitbye.xml"
check "PBX->SBC: BYE from the SBC reaches the PBX" 0 "$rc"
check "PBX->SBC: BYE from the SBC answered" 0 "$rc2"

# --- 4. CANCEL ---------------------------------------------------------------
sip_call sbc "$SC/uas_cancel.xml" "$SC/uac_cancel.xml"
check "CANCEL from the SBC: 200 and 487 (uac)" 0 "$rc"
check "CANCEL relayed to the PBX, which answered 487 (uas)" 0 "$rc2"
ok "after CANCEL: nothing left" idle

# --- 5. failures from the far end relayed -------------------------------------
for code in 486 503; do
	sip_call sbc "$(code_tmpl uas_fail $code)" "$(code_tmpl uac_fail $code)"
	check "$code from the PBX relayed to the SBC" 0 "$rc"
done
sip_call pbx "$(code_tmpl uas_fail 486)" "$(code_tmpl uac_fail 486)"
check "486 from the SBC relayed to the PBX" 0 "$rc"
ok "after failures: nothing left" idle

# --- 6. re-INVITE hold / resume on a new port --------------------------------
sip_call_peek 1.3 'r["calls"][0]["streams"][0].get("peer_0")' \
	sbc "$SC/uas.xml" "$SC/uac_reinvite.xml" -d 1500
peer0=$peek
check "re-INVITE hold and resume answered end to end" 0 "$rc"
check "re-INVITEs reached the PBX and were answered there" 0 "$rc2"
check "resume moved the SBC's media to port 7002 (flows updated)" "$SBC:7002" "$peer0"
ok "after re-INVITEs: nothing left" idle

# --- 6b. re-INVITE from the callee (hold on a new port), PBX side ----------
UAS_ARGS="-d 300" sip_call_peek 0.9 'r["calls"][0]["streams"][0].get("peer_1")' \
	sbc "$SC/uas_reinvite.xml" "$SC/uac_answer_reinvite.xml"
peer1=$peek
check "re-INVITE from the callee relayed to the caller and answered" "0 0" "$rc $rc2"
check "the callee's new media port (7004) is where the flows send now" "$PBX:7004" "$peer1"
ok "after the callee's re-INVITE: nothing left" idle

# --- 7. delayed offer -------------------------------------------------------
sip_call_peek 0.6 '"%s %s %s" % (r["calls"][0]["streams"][0].get("peer_0"), r["calls"][0]["streams"][0].get("peer_1"), r["calls"][0]["streams"][0]["to_callee"]["installed"])' \
	sbc "$SC/uas.xml" "$SC/uac_delayed.xml" -d 1000
dl=$peek
check "delayed offer (INVITE without SDP) completes" 0 "$rc"
check "delayed offer: PBX side answered" 0 "$rc2"
check "delayed offer: both endpoints learned, flows installed" "$SBC:7000 $PBX:7000 True" "$dl"
ok "after delayed offer: nothing left" idle

# --- 7b. UPDATE with and without SDP (RFC 3311), relayed with flows updated --
sip_call_start sbc "$SC/uas_update.xml" "$SC/uac_update.xml" -d 4000
sleep 1.2
up=$(ctl calls '"%s %s" % (r["calls"][0]["streams"][0].get("peer_0"), r["calls"][0]["streams"][0].get("peer_1"))')
media_probe sbc 7002 pbx 7006
up_pk=$(pkts)
sip_call_end
check "UPDATE with SDP and UPDATE without SDP answered end to end (SBC: relay's address in the answer)" 0 "$rc"
check "both UPDATEs reached the PBX (relay's address in the offer, none in the SDP-less one)" 0 "$rc2"
check "UPDATE moved both ends (SBC 7002, PBX 7006): flows updated in place" "$SBC:7002 $PBX:7006" "$up"
check "after UPDATE: 20 packets SBC:7002 -> PBX:7006 through the relay" 20 "$got_b"
check "after UPDATE: 20 packets PBX:7006 -> SBC:7002 through the relay" 20 "$got_a"
check "after UPDATE: the $DP datapath's counters saw them (to callee, to caller)" "20 20" "$up_pk"
ok "UPDATEs logged as relayed" grep -q 'event=update .* leg=0 reason="no SDP"' "$work/rrd.log"
ok "after UPDATE: nothing left" idle

# UPDATE from the callee (hold on a new port), relayed to the caller
UAS_ARGS="-d 300" sip_call_peek 0.9 '"%s %s" % (r["calls"][0]["streams"][0].get("peer_0"), r["calls"][0]["streams"][0].get("peer_1"))' \
	sbc "$SC/uas_update_callee.xml" "$SC/uac_answer_update.xml"
uc=$peek
check "UPDATE from the callee relayed to the caller and answered (relay's address both ways)" "0 0" "$rc $rc2"
check "the callee's UPDATE moved both ends (SBC 7002, PBX 7004)" "$SBC:7002 $PBX:7004" "$uc"
ok "after the callee's UPDATE: nothing left" idle

# --- 7c. re-INVITE without SDP: the callee's offer in 200, the answer in ACK --
sip_call_start sbc "$SC/uas.xml" "$SC/uac_reinvite_nosdp.xml" -d 4000
sleep 1.2
rn=$(ctl calls '"%s %s" % (r["calls"][0]["streams"][0].get("peer_0"), r["calls"][0]["streams"][0].get("peer_1"))')
media_probe sbc 7002 pbx 7000
rn_pk=$(pkts)
sip_call_end
check "re-INVITE without SDP: offer in the 200 (relay's address), answer in the ACK" "0 0" "$rc $rc2"
check "re-INVITE without SDP: the ACK's answer moved the SBC to 7002" "$SBC:7002 $PBX:7000" "$rn"
check "after the SDP-less re-INVITE: media both ways (20 20)" "20 20" "$got_a $got_b"
check "after the SDP-less re-INVITE: datapath counters (to callee, to caller)" "20 20" "$rn_pk"
ok "after the SDP-less re-INVITE: nothing left" idle

# --- 7d. 100rel: a reliable 183 from the PBX, terminated per leg ------------
sip_call sbc "$SC/uas_100rel.xml" "$SC/uac_100rel.xml" -d 200
check "caller requiring 100rel: reliable 183 (RSeq, relay's address), its PRACK answered" 0 "$rc"
check "the PBX's reliable 183 was PRACKed by the relay (RAck matches), call answered" 0 "$rc2"
ok "after 100rel (both sides): nothing left" idle
sip_call sbc "$SC/uas_100rel.xml" "$SC/uac_183_plain.xml" -d 200
check "caller without 100rel: the 183 comes unreliably (no RSeq), relay's address in its SDP" 0 "$rc"
check "caller without 100rel: the PBX's reliable 183 still PRACKed by the relay, call answered" 0 "$rc2"
ok "after 100rel (callee only): nothing left" idle

# --- 8. unknown source: 403, no state -----------------------------------------
inv() { # INVITE from SRC_IP to DST as raw bytes; prints the status line
	python3 - "$@" <<'PY'
import socket, sys
src, dst = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0)); s.settimeout(3)
port = s.getsockname()[1]
msg = sys.argv[3].replace('SRC', src).replace('PORT', str(port)).replace('\n', '\r\n')
s.sendto(msg.encode(), (dst, 5060))
try:
    while True:
        r = s.recv(4096).decode(errors='replace').split('\r\n')[0]
        if not r.startswith('SIP/2.0 100'):
            print(r); break
except socket.timeout:
    print('timeout')
PY
}
INVITE='INVITE sip:4930123@198.51.100.1 SIP/2.0
Via: SIP/2.0/UDP SRC:PORT;branch=z9hG4bK-rr-1
From: <sip:x@SRC>;tag=1
To: <sip:4930123@198.51.100.1>
Call-ID: rr-test-403@SRC
CSeq: 1 INVITE
Contact: <sip:x@SRC:PORT>
Max-Forwards: 70
Content-Length: 0

'
r=$("$LAB" exec relay bash -c "$(declare -f inv); inv 127.0.0.1 198.51.100.1 \"\$1\"" _ "$INVITE")
check "INVITE from a source outside the trunk's networks gets 403" "SIP/2.0 403 Forbidden" "$r"
check "403 left no call" 0 "$(ctl status 'r["calls"]')"
UPD=${INVITE//INVITE sip:/UPDATE sip:}
UPD=${UPD//CSeq: 1 INVITE/CSeq: 1 UPDATE}
UPD=${UPD//rr-test-403/rr-test-481}
r=$("$LAB" exec sbc bash -c "$(declare -f inv); inv $SBC $R_SBC \"\$1\"" _ "$UPD")
check "UPDATE outside any dialog gets 481" "SIP/2.0 481" "${r:0:11}"

# --- 9. malformed request: 400, daemon alive ---------------------------------
BAD='INVITE sip:4930123@198.51.100.1 SIP/2.0
Via: SIP/2.0/UDP SRC:PORT;branch=z9hG4bK-rr-2
From: <sip:x@SRC>;tag=1
To: <sip:4930123@198.51.100.1>
Call-ID: rr-test-400@SRC
CSeq: banana
Max-Forwards: 70
Content-Length: 0

'
r=$("$LAB" exec sbc bash -c "$(declare -f inv); inv $SBC $R_SBC \"\$1\"" _ "$BAD")
check "malformed request (bad CSeq) gets 400" "SIP/2.0 400" "${r:0:11}"
"$LAB" exec sbc python3 -c "
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for m in [b'\x00\xff'*100, b'INVITE\r\n\r\n', b'SIP/2.0 200 OK\r\n\r\n', b'INVITE sip:x SIP/2.0\r\nVia: ::::\r\nContent-Length: 99999\r\n\r\nv=0']:
    s.sendto(m, ('$R_SBC', 5060))"
sleep 0.5
ok "rtprelayd alive after garbage" alive

# --- 10. no leak after 100+ calls, mixed outcomes ----------------------------
uas_start pbx "$SC/uas.xml" 60 -r 20
uac sbc "$SC/uac.xml" 60 -r 20 -d 100; rc=$?
uas_wait
check "60 answered calls SBC->PBX at 20 cps" 0 "$rc"
uas_start sbc "$SC/uas.xml" 30 -r 20
uac pbx "$SC/uac.xml" 30 -r 20 -d 100; rc=$?
uas_wait
check "30 answered calls PBX->SBC at 20 cps" 0 "$rc"
uas_start pbx "$(code_tmpl uas_fail 486)" 10 -r 20
uac sbc "$(code_tmpl uac_fail 486)" 10 -r 20; rc=$?
uas_wait
check "10 refused calls" 0 "$rc"
uas_start pbx "$SC/uas_cancel.xml" 10 -r 10
uac sbc "$SC/uac_cancel.xml" 10 -r 10; rc=$?
uas_wait
check "10 cancelled calls" 0 "$rc"
ok "after 110+ calls: no call, flow or port left (control socket)" idle
check "no flow errors" 0 "$(ctl status 'r["flow_errors"]')"
ok "rtprelayd still alive" alive

# --- 11. hangup over the control socket; media-inactivity teardown ----------
sip_call_start sbc "$SC/uas.xml" "$SC/uac_waitbye.xml"
sleep 1
id=$(ctl calls 'r["calls"][0]["id"]')
check "control socket: hangup of a live call" True "$(ctl "{\"cmd\":\"hangup\",\"id\":$id}" 'r["ok"]')"
sip_call_end
check "hangup: the SBC got a BYE" 0 "$rc"
check "hangup: the PBX got a BYE" 0 "$rc2"
check "hangup of an unknown call is refused" False "$(ctl '{"cmd":"hangup","id":999999}' 'r["ok"]')"
ok "after hangup: nothing left" idle

# the operator's way: rtprelayctl over the same socket
CTL="$top/${BUILD:-build}/rtprelayctl --socket $SOCK --pin-dir $PIN"
sip_call_start sbc "$SC/uas.xml" "$SC/uac_waitbye.xml"
sleep 1
ok "rtprelayctl calls lists the live call (answered, sbc>pbx)" sh -c "$CTL calls | grep -q 'answered.*sbc>pbx'"
ok "rtprelayctl calls --json has legs and streams" sh -c "$CTL calls --json | python3 -c '
import json, sys; c = json.load(sys.stdin)[0]; assert len(c[\"legs\"]) == 2 and c[\"streams\"]'"
ok "rtprelayctl status --json: one call" sh -c "$CTL status --json | python3 -c '
import json, sys; r = json.load(sys.stdin); assert r[\"daemon\"][\"running\"] and r[\"daemon\"][\"status\"][\"calls\"] == 1'"
id=$($CTL calls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
ok "rtprelayctl call hangup $id" $CTL call hangup "$id"
sip_call_end
check "rtprelayctl hangup: the SBC got a BYE" 0 "$rc"
check "rtprelayctl hangup: the PBX got a BYE" 0 "$rc2"
not_ok "rtprelayctl call hangup of an unknown call fails" $CTL call hangup 999999
ok "after rtprelayctl hangup: nothing left" idle
# no media at all: released after media.inactivity_timeout (3 s here)
uas_start pbx "$SC/uas.xml" 1
start=$(date +%s)
uac sbc "$SC/uac_waitbye.xml" 1; rc=$?
uas_wait; rc2=$?
took=$(($(date +%s) - start))
check "silent call: the SBC got a BYE from the relay" 0 "$rc"
check "silent call: the PBX got a BYE from the relay" 0 "$rc2"
ok "silent call released after 3..6 s (took ${took}s)" test "$took" -ge 3 -a "$took" -le 6
check "inactivity hangups counted" 1 "$(ctl status 'r["inactivity_hangups"]')"
ok "after inactivity teardown: nothing left" idle

# --- 12. SIGHUP reload ------------------------------------------------------
cp "$work/rr.yaml" "$work/rr.orig"
sip_call_start sbc "$SC/uas.xml" "$SC/uac.xml" -d 2000
sleep 0.7
# the new file has no route for calls from the SBC
grep -v '{ from: sbc,' "$work/rr.orig" >"$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
sip_call_end
check "a call in progress survives SIGHUP and ends normally" "0 0" "$rc $rc2"
r=$("$LAB" exec sbc bash -c "$(declare -f inv); inv $SBC $R_SBC \"\$1\"" _ "${INVITE//rr-test-403/rr-test-404}")
check "after reload: the removed route answers 404" "SIP/2.0 404 Not Found" "$r"
printf 'listen: [oops\n' >"$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
ok "a bad file on SIGHUP: daemon alive" alive
ok "a bad file on SIGHUP: refused with FILE:LINE in the log" grep -q "reload refused.*rr.yaml:[0-9]*:" "$work/rrd.log"
sed 's|address: 203.0.113.1, port: 5060|address: 203.0.113.1, port: 5062|' "$work/rr.orig" >"$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
ok "a listen change on SIGHUP is refused (needs a restart)" grep -q "reload refused.*listen changed" "$work/rrd.log"
r=$("$LAB" exec sbc bash -c "$(declare -f inv); inv $SBC $R_SBC \"\$1\"" _ "${INVITE//rr-test-403/rr-test-404b}")
check "refused reloads left the last good configuration (still 404)" "SIP/2.0 404 Not Found" "$r"
cp "$work/rr.orig" "$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
sip_call sbc "$SC/uas.xml" "$SC/uac.xml" -d 100
check "route restored by SIGHUP: calls from the SBC connect again" 0 "$rc"
ok "after reloads: nothing left" idle

# --- 13. failover to the next peer; per-trunk response mapping -------------
sed -e 's|peers: \["203.0.113.10:5060"\]|peers: ["203.0.113.10:5061", "203.0.113.10:5060"]|' \
	-e 's|^    transport: udp$|    transport: udp\n    response_map: { 486: 480 }|' \
	"$work/rr.orig" >"$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
sipp_in pbx -sf "$(code_tmpl uas_fail 503)" -i $PBX -p 5061 -m 1 &
p1=$!
uas_start pbx "$SC/uas.xml" 1
uac sbc "$SC/uac.xml" 1 -d 100; rc=$?
wait $p1; rc1=$?
uas_wait; rc2=$?
check "503 from the first PBX peer: the call fails over to the second and connects" "0 0 0" "$rc $rc1 $rc2"
ok "failover is logged" grep -q "event=failover trunk_in=sbc trunk_out=pbx .* peer=203.0.113.10:5061 status=503" "$work/rrd.log"
sipp_in pbx -sf "$(code_tmpl uas_fail 486)" -i $PBX -p 5061 -m 1 &
p1=$!
sleep 0.3
uac sbc "$(code_tmpl uac_fail 480)" 1; rc=$?
wait $p1
check "486 is not a failover status; relayed to the SBC trunk as 480 (response_map)" 0 "$rc"
ok "after failover and mapping: nothing left" idle
cp "$work/rr.orig" "$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.3

# --- 14. OPTIONS pinging -----------------------------------------------------
peer_up() { ctl status '[p["up"] for p in r["peers"] if p["trunk"] == "'$1'"][0]'; }
sed 's|^options_interval: 0|options_interval: 1|' "$work/rr.orig" >"$work/rr.yaml"
kill -HUP "$rrd_pid"
# nobody listens on the PBX's 5060 now: its peer goes down
for _ in $(seq 30); do [ "$(peer_up pbx)" = False ] && break; sleep 0.2; done
check "OPTIONS to a silent PBX: peer marked down" False "$(peer_up pbx)"
ok "peer down is logged" grep -q "trunk pbx peer 203.0.113.10:5060 is down" "$work/rrd.log"
# a minimal SIP responder at the PBX answers OPTIONS with 200
"$LAB" exec pbx timeout 6 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("203.0.113.10", 5060))
while True:
    m, a = s.recvfrom(65535)
    h = m.decode(errors="replace").split("\r\n")
    if not h[0].startswith("OPTIONS"):
        continue
    keep = [l for l in h[1:] if l.split(":")[0].lower() in ("via", "from", "to", "call-id", "cseq")]
    r = "SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n"
    s.sendto(r.encode(), a)
' &
resp_pid=$!
for _ in $(seq 30); do [ "$(peer_up pbx)" = True ] && break; sleep 0.2; done
check "OPTIONS answered 200: peer back up" True "$(peer_up pbx)"
ok "peer up is logged" grep -q "trunk pbx peer 203.0.113.10:5060 is up" "$work/rrd.log"
wait $resp_pid
cp "$work/rr.orig" "$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.3

# --- 15. SIGTERM: clean exit --------------------------------------------------
rrd_term
ok "control socket removed at exit" test ! -e "$SOCK"
[ "$DP" = xdp ] && ok "XDP: program detached and pins removed at exit" test ! -e "$PIN"
rrd_log_checks 40
done_testing
