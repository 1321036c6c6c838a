#!/usr/bin/env bash
# rtprelayd under a stand-in for systemd's Type=notify: NOTIFY_SOCKET names a
# unix datagram socket this test owns (notify_listen.py), WATCHDOG_USEC asks
# for keep-alives. Asserts READY=1 once the daemon is up (control socket
# there, XDP attached on both lab devices), STATUS= with calls, flows and the
# XDP mode per device, STATUS following a call, WATCHDOG=1 at half the
# watchdog interval, RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a
# good and a refused SIGHUP reload (the refusal in STATUS), STOPPING=1 on
# SIGTERM and exit 0, all with no capability but the unit's
# CapabilityBoundingSet (setpriv); then a restart over the program the first
# run left attached (--keep-flows; what Restart= does after a crash), with a
# notify socket that is not there. RR_DP=user runs it on the userspace tier;
# RR_CAPS="CAP_..." with another capability set.
set -u
DP=${RR_DP:-xdp}
RRD_ENV_NAME=notify RRD_NS=rrsd
. "$(dirname "$0")/rrd_env.sh"
for t in setpriv capsh; do command -v $t >/dev/null || bail "$t missing (util-linux, libcap2-bin): make deps"; done
NSOCK=$work/notify.sock
LOG=$work/notify.jsonl
listen_pid=
trap 'kill $listen_pid 2>/dev/null; cleanup' EXIT

lab_yaml >"$work/rr.yaml"
: >"$LOG"
python3 "$here/notify_listen.py" "$NSOCK" "$LOG" >"$work/listen.out" 2>&1 &
listen_pid=$!
for _ in $(seq 50); do grep -q ready "$work/listen.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/listen.out" || bail "notify listener did not start"

# nmsg FROM KEY [VALUE]: waits (10 s) for a message after line FROM with
# KEY (equal to VALUE when given); prints its line number, or 0.
nmsg() {
	python3 - "$LOG" "$@" <<'PY'
import json, sys, time
log, frm, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
val = sys.argv[4] if len(sys.argv) > 4 else None
end = time.time() + 10
while time.time() < end:
    for i, l in enumerate(open(log).read().splitlines()[frm:], frm + 1):
        m = json.loads(l)['msg']
        if key in m and (val is None or m[key] == val):
            print(i); sys.exit(0)
    time.sleep(0.05)
print(0)
PY
}
# nget LINE KEY: the value of KEY in message LINE ("" when absent)
nget() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])["msg"].get(sys.argv[3], ""))' "$LOG" "$1" "$2"; }
nlines() { wc -l <"$LOG"; }

"$LAB" up >/dev/null || bail "lab up failed"
# with exactly the capabilities of the unit's CapabilityBoundingSet
caps=${RR_CAPS:-$(sed -n 's/^CapabilityBoundingSet=//p' "$top/dist/rtprelayd.service")}
bset=-all$(for c in $caps; do c=${c#CAP_}; printf ',+%s' "${c,,}"; done)
echo "# capability bounding set from dist/rtprelayd.service: $bset"
# --keep-flows: section 6 restarts over the attached program, as systemd does
# after a crash or a watchdog kill
NOTIFY_SOCKET=$NSOCK WATCHDOG_USEC=1000000 "$LAB" exec relay setpriv --bounding-set "$bset" -- \
	"$RRD" -c "$work/rr.yaml" --keep-flows >"$work/rrd.log" 2>&1 &
rrd_pid=$!

# --- 1. ready -----------------------------------------------------------------
r=$(nmsg 0 READY 1)
[ "$r" != 0 ] || { cat "$work/rrd.log"; bail "no READY=1 within 10 s"; }
ok "READY=1 sent once the daemon is up" test "$r" -ge 1
ok "... after the control socket exists" test -S "$SOCK"
eff=$(capsh --decode="$(sed -n 's/^CapEff:\t*//p' /proc/$rrd_pid/status)" | sed 's/.*=//' | tr , '\n' | sort | tr '\n' ' ')
want=$(for c in $caps; do echo "${c,,}"; done | sort | tr '\n' ' ')
check "the daemon ran with only the unit's capabilities" "$want" "$eff"
check "no message before READY=1" 1 "$r"
st=$(nget "$r" STATUS)
echo "# STATUS at READY: $st"
if [ "$DP" = xdp ]; then
	check "STATUS names calls, flows and the XDP mode of each device" \
		"0 calls, 0 flows, datapath xdp (sbc0 native, pbx0 native)" "$st"
	ok "... and XDP is attached on sbc0 when READY=1 arrives" \
		sh -c "'$LAB' exec relay ip -d link show sbc0 | grep -q 'prog/xdp'"
else
	check "STATUS names calls, flows and the datapath" "0 calls, 0 flows, datapath user" "$st"
fi

# --- 2. watchdog --------------------------------------------------------------
n0=$(nlines)
sleep 2.2
wd=$(tail -n +$((n0 + 1)) "$LOG" | python3 -c '
import json, sys
t = [json.loads(l)["t"] for l in sys.stdin if json.loads(l)["msg"].get("WATCHDOG") == "1"]
print(len(t), int(max(b - a for a, b in zip(t, t[1:])) * 1000) if len(t) > 1 else 9999)')
echo "# WATCHDOG=1 in 2.2 s, largest gap (ms): $wd"
ok "WATCHDOG=1 at least every half WATCHDOG_USEC (4+ in 2.2 s, no gap over 550 ms)" \
	test "${wd% *}" -ge 4 -a "${wd#* }" -le 550

# --- 3. a call shows in STATUS --------------------------------------------------
SIPP_TIMEOUT=30
n0=$(nlines)
uas_start pbx "$SC/uas.xml" 1
uac sbc "$SC/uac.xml" 1 -d 2500 &
uac_pid=$!
r=$(nmsg "$n0" STATUS "1 calls, 4 flows, datapath $(nget 1 STATUS | sed 's/.*datapath //')")
ok "STATUS follows a call in progress (1 calls, 4 flows)" test "$r" -gt 0
wait $uac_pid; rc=$?
wait $uas_pid
check "the call was answered and ended" 0 "$rc"
r=$(nmsg "$r" STATUS "$(nget 1 STATUS)")
ok "STATUS back to 0 calls after it" test "$r" -gt 0

# --- 4. reload ----------------------------------------------------------------
n0=$(nlines)
kill -HUP "$rrd_pid"
r=$(nmsg "$n0" RELOADING 1)
ok "SIGHUP: RELOADING=1" test "$r" -gt 0
ok "... with MONOTONIC_USEC" test -n "$(nget "$r" MONOTONIC_USEC)"
r2=$(nmsg "$r" READY 1)
ok "... then READY=1 once the new file is in use" test "$r2" -gt "$r"
ok "... the daemon logged the reload" grep -q "configuration reloaded" "$work/rrd.log"
cp "$work/rr.yaml" "$work/good.yaml"
printf 'media:\n  ports: { min: 10, max: 5 }\n' >>"$work/rr.yaml"
n0=$(nlines)
kill -HUP "$rrd_pid"
r=$(nmsg "$n0" RELOADING 1)
r2=$(nmsg "$r" READY 1)
ok "refused reload: RELOADING=1 then READY=1 (the old file runs on)" test "$r" -gt 0 -a "$r2" -gt "$r"
st=$(nget "$r2" STATUS)
echo "# STATUS after the refused reload: $st"
ok "... STATUS says the reload was refused and where" \
	sh -c "case '$st' in *'reload refused: $work/rr.yaml:'*) exit 0;; esac; exit 1"
cp "$work/good.yaml" "$work/rr.yaml"
n0=$(nlines)
kill -HUP "$rrd_pid"
r=$(nmsg "$n0" READY 1)
ok "a good reload clears the refusal from STATUS" \
	sh -c "case '$(nget "$r" STATUS)' in *refused*) exit 1;; esac; exit 0"

# --- 5. stop ------------------------------------------------------------------
n0=$(nlines)
kill -TERM "$rrd_pid"
wait "$rrd_pid"; rc=$?
rrd_pid=
check "SIGTERM: exit 0" 0 "$rc"
r=$(nmsg "$n0" STOPPING 1)
ok "SIGTERM: STOPPING=1" test "$r" -gt 0
check "... with STATUS" "stopping: ending 0 calls" "$(nget "$r" STATUS)"
not_ok "no sanitizer report in the daemon's log" grep -q "Sanitizer\|runtime error" "$work/rrd.log"
[ "$_tap_failed" -eq 0 ] || { echo "# daemon log:"; sed 's/^/#   /' "$work/rrd.log" | tail -30; }

# --- 6. a restart over the program left attached; no notify listener ---------------
NOTIFY_SOCKET=$work/nobody.sock "$LAB" exec relay setpriv --bounding-set "$bset" -- \
	"$RRD" -c "$work/rr.yaml" >"$work/rrd2.log" 2>&1 &
rrd_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && kill -0 "$rrd_pid" 2>/dev/null && \
	grep -q "running" "$work/rrd2.log" && break; sleep 0.1; done
ok "NOTIFY_SOCKET without a listener: the daemon runs anyway" grep -q "running" "$work/rrd2.log"
if [ "$DP" = xdp ]; then
	ok "restart with the unit's capabilities over the attached program: reloaded in place" \
		grep -q "reloaded rtprelay_xdp on sbc0" "$work/rrd2.log"
	grep "datapath" "$work/rrd2.log" | sed 's/^/#   /'
fi
kill -TERM "$rrd_pid"
wait "$rrd_pid"; rc=$?
rrd_pid=
check "... and exits 0" 0 "$rc"
done_testing
