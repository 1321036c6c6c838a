#!/usr/bin/env bash
# Call detail records and call-event log lines, end to end in the lab: sipp
# calls through rtprelayd (userspace datapath) ending every way the lab can
# make them end, then the CSV file, `rtprelayctl cdr` (table and --json) and
# the daemon's log lines are checked:
#   answered, BYE from the caller -> RC (media both ways counted)
#   answered, BYE from the callee -> RA
#   CANCEL before the answer      -> H   (487)
#   486 from the callee           -> E   (486)
#   operator hangup               -> T   (rtprelayctl call hangup)
#   no media                      -> T   (media.inactivity_timeout)
#   no session refresh (RFC 4028) -> T   (session-timer, after a SIGHUP)
#   blind transfer by the callee  -> RTB (REFER handled by rtprelayd; the
#                                         new party, a second PBX peer on
#                                         5070, answers and hangs up)
# plus number masking (logging.mask_numbers, then cdr.mask_numbers and
# logging.level warning after a SIGHUP: no info line, the record still
# written) and retention (an old file is removed at start).
set -u
DP=user
RRD_ENV_NAME=cdr RRD_NS=rrcdr
. "$(dirname "$0")/rrd_env.sh"

CDR=$work/cdr
mkdir -p "$CDR"
# an old day, beyond the retention: removed when rtprelayd starts
printf 'start,call\n2020-01-01T00:00:00.000Z,1\n' >"$CDR/cdr-2020-01-01.csv"
# a file that only looks like a record file stays
touch "$CDR/notes.txt"

"$LAB" up >/dev/null || bail "lab up failed"
lab_yaml -e 's|inactivity_timeout: 60|inactivity_timeout: 2|' \
	-e 's|mask_numbers: false|mask_numbers: true|' >"$work/rr.yaml"
printf 'cdr: { dir: %s, retention_days: 30, mask_numbers: false }\n' "$CDR" >>"$work/rr.yaml"
# a second PBX (203.0.113.10:5070) for the numbers 8...: the transfer target
sed -i -e '/^routes:/i\  - name: pbx2\n    side: pbx\n    peers: ["203.0.113.10:5070"]\n    allow: ["203.0.113.99/32"]\n    transport: udp' \
	-e '/^routes:/a\  - { from: sbc, prefix: "8", trunk: pbx2 }' "$work/rr.yaml"
ok "lab.yaml with a cdr section passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"

CTL="$top/${BUILD:-build}/rtprelayctl --socket $SOCK --pin-dir $PIN"
CLID=+4930111222 DNIS=+4930123456
UAC_NUM=$DNIS
# the caller's scenarios with a long, maskable calling number
long() { sed "s/4930111/$CLID/g" "$1" >"$work/long-$(basename "$1")"; echo "$work/long-$(basename "$1")"; }
no_call() { # no call left (flows and ports are not asked here)
	for _ in $(seq 30); do
		[ "$(ctl status 'r["calls"]')" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}
# sbc_rtp ECHO_N ECHO_SECS GAP SEND_N SEND_SECS: the PBX echoes ECHO_N
# datagrams on 7000 (for ECHO_SECS), GAP s later the SBC sends SEND_N (over
# SEND_SECS) from 7000 through the call's relay ports
sbc_rtp() {
	local pb
	ports=$(ctl calls '"%d %d" % (r["calls"][0]["streams"][0]["relay_port_0"], r["calls"][0]["streams"][0]["relay_port_1"])')
	"$LAB" exec pbx python3 "$here/udp_probe.py" echo $PBX 7000 $R_PBX "${ports#* }" "$1" "$2" >/dev/null &
	pb=$!
	sleep "$3"
	"$LAB" exec sbc python3 "$here/udp_probe.py" send $SBC 7000 $R_SBC "${ports% *}" "$4" "$5" >/dev/null
	wait $pb
}

ok "retention: the 2020 file was removed at start" test ! -e "$CDR/cdr-2020-01-01.csv"
ok "retention: other files are left alone" test -e "$CDR/notes.txt"

# 1. RC: answered, media both ways, BYE from the caller after 3 s
sip_call_start sbc "$SC/uas.xml" "$(long "$SC/uac.xml")" -d 3000
sleep 1
sbc_rtp 20 1.2 0.2 20 1.5
sip_call_end
check "call 1 (answered, caller hangs up) completed" "0 0" "$rc $rc2"
ok "call 1 over" no_call

# 2. RA: the callee hangs up
UAS_ARGS="-d 500" sip_call sbc "$SC/uas_bye.xml" "$(long "$SC/uac_waitbye.xml")"
check "call 2 (answered, callee hangs up) completed" "0 0" "$rc $rc2"
ok "call 2 over" no_call

# 3. H: the caller cancels while it rings
sip_call sbc "$SC/uas_cancel.xml" "$(long "$SC/uac_cancel.xml")"
check "call 3 (cancelled) completed" "0 0" "$rc $rc2"
ok "call 3 over" no_call

# 4. E: busy (the reason is the far end's phrase: the template says "486 Refused")
sip_call sbc "$(code_tmpl uas_fail 486)" "$(long "$(code_tmpl uac_fail 486)")"
check "call 4 (486) completed" 0 "$rc"
ok "call 4 over" no_call

# 5. T: operator hangup
sip_call_start sbc "$SC/uas.xml" "$(long "$SC/uac_waitbye.xml")"
sleep 1
id=$($CTL calls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
ok "rtprelayctl call hangup $id" $CTL call hangup "$id"
sip_call_end
check "call 5 (operator hangup) completed" "0 0" "$rc $rc2"
ok "call 5 over" no_call

# 6. T: no media for 2 s
sip_call sbc "$SC/uas.xml" "$(long "$SC/uac_waitbye.xml")"
check "call 6 (silent, released by rtprelayd) completed" "0 0" "$rc $rc2"
ok "call 6 over" no_call

# 7. RTB: the callee transfers the caller to 8001 (blind, rtprelayd the
# referee) 1 s after the answer; 8001 answers on the second PBX and hangs
# up after 0.5 s (all within the 2 s media-inactivity limit). Before the
# transfer the caller sends 20 RTP packets: the flows towards the callee
# are re-pointed to 8001 (their counters restart), the record must still
# count them.
sipp_in pbx -sf "$SC/uas_bye.xml" -i $PBX -p 5070 -m 1 -d 500 &
p2=$!
UAS_ARGS="-d 1000" sip_call_start sbc "$SC/uas_refer.xml" "$(long "$SC/uac_xfer.xml")"
sleep 0.3
sbc_rtp 0 0.4 0.1 20 0.1
sip_call_end
wait $p2; rc3=$?
check "call 7 (blind transfer): caller re-INVITEd and hung up on, transferor released, target answered" \
	"0 0 0" "$rc $rc2 $rc3"
ok "call 7 over" no_call

# --- the CSV file ------------------------------------------------------------
f=$CDR/cdr-$(date -u +%F).csv
ok "today's file $f exists" test -s "$f"
check "its first line is the header" \
	"start,call,clid,dnis,trunk_in,trunk_out,duration,billable,queue,state,status,reason,sip_call_id,to_callee_packets,to_callee_lost,to_callee_jitter_ms,to_caller_packets,to_caller_lost,to_caller_jitter_ms" \
	"$(head -1 "$f")"
check "one line per call (header + 7)" 8 "$(wc -l <"$f")"

# --- rtprelayctl cdr --json ---------------------------------------------------
$CTL cdr --dir "$CDR" --since 1h --json >"$work/cdr.json" 2>"$work/cdr.err"; rc=$?
check "rtprelayctl cdr --json exits 0" 0 "$rc"
v() { python3 - "$work/cdr.json" "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))
PY
}
check "seven records, oldest first" "7 [1, 2, 3, 4, 5, 6, 7]" "$(v '"%d %s" % (len(r), [x["call"] for x in r])')"
check "final states RC RA H E T T RTB" "RC RA H E T T RTB" "$(v '" ".join(x["state"] for x in r)')"
check "SIP statuses 200 200 487 486 200 200 200" "200 200 487 486 200 200 200" "$(v '" ".join(str(x["status"]) for x in r)')"
check "reasons" "caller-bye|callee-bye|cancel|failed: Refused|hangup|media-inactivity: no media for 2 s|callee-bye" \
	"$(v '"|".join(x["reason"] for x in r)')"
check "CLID and DNIS unmasked (cdr.mask_numbers false), trunks sbc>pbx" \
	"$CLID $DNIS sbc pbx" "$(v '"%s %s %s %s" % (r[0]["clid"], r[0]["dnis"], r[0]["trunk_in"], r[0]["trunk_out"])')"
ok "every record has every documented field with its type" v 'all(isinstance(x[k], t) for x in r for k, t in [("start", str), ("call", int), ("clid", str), ("dnis", str), ("trunk_in", str), ("trunk_out", str), ("duration", float), ("billable", float), ("queue", float), ("state", str), ("status", int), ("reason", str), ("sip_call_id", str), ("to_callee_packets", int), ("to_callee_lost", int), ("to_callee_jitter_ms", float), ("to_caller_packets", int), ("to_caller_lost", int), ("to_caller_jitter_ms", float)]) or sys.exit(1)'
ok "call 1: duration 3..5 s, billable 2.8..4.5 s, queue < 1 s" v '(3 <= r[0]["duration"] <= 5 and 2.8 <= r[0]["billable"] <= 4.5 and r[0]["queue"] < 1 and r[0]["duration"] >= r[0]["billable"] + r[0]["queue"] - 0.01) or sys.exit(1)'
check "call 1: media packets per direction (20 each way), none lost" "20 20 0 0" \
	"$(v '"%d %d %d %d" % (r[0]["to_callee_packets"], r[0]["to_caller_packets"], r[0]["to_callee_lost"], r[0]["to_caller_lost"])')"
ok "call 2: billable 0.3..2 s" v '(0.3 <= r[1]["billable"] <= 2) or sys.exit(1)'
ok "calls 3 and 4 (unanswered): billable 0, queue = duration" v '(all(x["billable"] == 0 and x["queue"] == x["duration"] for x in r[2:4])) or sys.exit(1)'
ok "call 6: ended 2..4 s after the answer" v '(2 <= r[5]["billable"] <= 4) or sys.exit(1)'
check "call 7: the record keeps the original parties (not the transfer target), trunks as the call began" \
	"$CLID $DNIS sbc pbx" "$(v '"%s %s %s %s" % (r[6]["clid"], r[6]["dnis"], r[6]["trunk_in"], r[6]["trunk_out"])')"
ok "call 7: billable 1.3..3 s (1 s before the REFER, 0.5 s with the target)" v '(1.3 <= r[6]["billable"] <= 3) or sys.exit(1)'
check "call 7: the 20 packets sent before the transfer are in the record (flows re-pointed)" 20 "$(v 'r[6]["to_callee_packets"]')"
ok "the caller's SIP Call-ID is kept" v '(all(x["sip_call_id"] for x in r)) or sys.exit(1)'

# --- the table, and the time window ------------------------------------------
out=$($CTL cdr --dir "$CDR" --since 1h)
ok "rtprelayctl cdr (table) lists 7 records" sh -c "echo '$out' | tail -1 | grep -qx '7 records'"
ok "the table shows states and trunks" sh -c "echo '$out' | grep -q ' RC .*sbc>pbx'"
check "--since in the future: no record" "0 records" "$($CTL cdr --dir "$CDR" --since "$(date -u -d '+1 hour' +%FT%H:%M)" | tail -1)"
check "--until before the calls: no record" "[]" "$($CTL cdr --dir "$CDR" --since 1d --until 1h --json | tr -d ' \n')"
check "--since as a date (today): 7 records" "7 records" "$($CTL cdr --dir "$CDR" --since "$(date -u +%F)" | tail -1)"
$CTL cdr --dir "$CDR" --since yesterday >/dev/null 2>&1; rc=$?
check "a bad TIME: exit 2" 2 "$rc"
$CTL cdr --dir "$work/none" --since 1h >/dev/null 2>&1; rc=$?
check "a missing directory: exit 1" 1 "$rc"
$CTL cdr --dir "$CDR" --bogus >/dev/null 2>&1; rc=$?
check "an unknown option: exit 2" 2 "$rc"
$CTL cdr --dir "$CDR" --since >/dev/null 2>&1; rc=$?
check "--since without a value: exit 2" 2 "$rc"

# a damaged copy: a broken quote and a line without a time are skipped
mkdir -p "$work/damaged"
{ cat "$f"; printf '2026-01-01T00:00:00.000Z,99,"broken\nnot a record,1,2\n'; } \
	>"$work/damaged/$(basename "$f")"
out=$($CTL cdr --dir "$work/damaged" --since 1d 2>"$work/damaged.err"); rc=$?
check "damaged file: exit 0, the good records listed" "0 7 records" "$rc $(echo "$out" | tail -1)"
check "damaged file: the bad lines counted on stderr" "rtprelayctl: cdr: 2 unreadable lines skipped" "$(cat "$work/damaged.err")"

# --- the call log lines -------------------------------------------------------
MF='+4930****22' MT='+4930****56'
L="trunk_in=sbc trunk_out=pbx from=$MF to=$MT"
ok "call 1 start line (masked numbers)" grep -qF "call=1 event=start $L src=$SBC" "$work/rrd.log"
ok "call 1 route line" grep -qF "call=1 event=route $L peer=$PBX:5060" "$work/rrd.log"
ok "call 1 answer line" grep -qF "call=1 event=answer $L status=200 outcome=answered" "$work/rrd.log"
ok "call 1 end line: RC, durations, reason" sh -c "grep -F 'call=1 event=end $L status=200 outcome=answered state=RC duration=' '$work/rrd.log' | grep -qE ' duration=[0-9]+\.[0-9] talk=[0-9]+\.[0-9] reason=caller-bye\$'"
ok "call 3 end line: cancelled, H" grep -qF "call=3 event=end $L status=487 outcome=cancelled state=H" "$work/rrd.log"
ok "call 4 end line: failed, E" grep -qF "call=4 event=end $L status=486 outcome=failed state=E" "$work/rrd.log"
ok "call 1 ringing line" grep -qF "call=1 event=ringing $L status=180" "$work/rrd.log"
ok "call 7 transfer lines: target answered" grep -qF "call=7 event=transfer trunk_in=sbc trunk_out=pbx2 from=$MF to=8001 leg=1 status=200 target=8001 reason=\"blind: the target answered\"" "$work/rrd.log"
ok "call 7 end line: RTB" grep -qF "call=7 event=end trunk_in=sbc trunk_out=pbx2 from=$MF to=8001 status=200 outcome=answered state=RTB" "$work/rrd.log"
not_ok "no unmasked number in the log" grep -qF -e "$CLID" -e "$DNIS" "$work/rrd.log"

# --- cdr.mask_numbers on SIGHUP ------------------------------------------------
sed -i -e 's|mask_numbers: false }|mask_numbers: true }|' -e 's|level: info|level: warning|' "$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
sip_call sbc "$(code_tmpl uas_fail 486)" "$(long "$(code_tmpl uac_fail 486)")"
ok "call 8 over" no_call
check "after SIGHUP with cdr.mask_numbers: the record's numbers are masked" "$MF $MT" \
	"$($CTL cdr --dir "$CDR" --since 1h --json | python3 -c 'import json, sys; x = json.load(sys.stdin)[-1]; print(x["clid"], x["dnis"])')"
not_ok "logging.level warning (SIGHUP): no info line of call 8 (start, route, end)" grep -q "call=8 " "$work/rrd.log"

# --- T by session timer: the SBC trunk makes the caller the refresher
# (RFC 4028: the relay's 200 sets Session-Expires 3;refresher=uac to a
# caller that supports timers), the caller never refreshes -----------------
sed -i -e '/^  - name: sbc$/a\    session_timer: { interval: 3, min_se: 2, refresher: remote }' \
	-e 's|level: warning|level: info|' -e 's|inactivity_timeout: 2|inactivity_timeout: 30|' \
	"$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
sed -e 's|^Max-Forwards: 70$|Max-Forwards: 70\nSupported: timer|' \
	"$(long "$SC/uac_waitbye.xml")" >"$work/uac_st.xml"
uas_start pbx "$SC/uas.xml" 1
start=$(date +%s)
uac sbc "$work/uac_st.xml" 1; rc=$?
uas_wait; rc2=$?
took=$(($(date +%s) - start))
check "call 9 (no refresh): both sides got a BYE from the relay" "0 0" "$rc $rc2"
ok "call 9 released by the session timer within 2..8 s (took ${took}s)" test "$took" -ge 2 -a "$took" -le 8
ok "call 9 over" no_call
ok "call 9's session line (warning)" grep -qF "call=9 event=session trunk_in=sbc trunk_out=pbx from=$MF to=$MT leg=0 reason=\"expired without refresh: releasing the call\"" "$work/rrd.log"
check "call 9's record: T, session-timer" "T session-timer" \
	"$($CTL cdr --dir "$CDR" --since 1h --json | python3 -c 'import json, sys; x = json.load(sys.stdin)[-1]; print(x["state"], x["reason"])')"

kill -0 "$rrd_pid" 2>/dev/null
check "rtprelayd still alive" 0 $?
kill "$rrd_pid"; wait "$rrd_pid"; rrd_pid=
not_ok "no sanitizer report in the daemon's log" grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$work/rrd.log"
[ "$_tap_failed" -eq 0 ] || { echo "# --- rtprelayd log (tail) ---"; tail -40 "$work/rrd.log" | sed 's/^/# /'; }
done_testing
