#!/usr/bin/env bash
# RFC 4028 session timers through rtprelayd in the lab (sipp as SBC and PBX,
# userspace datapath), Session-Expires 10 s (Min-SE 5: nua takes intervals
# below the RFC's 90 s, which keeps this suite short): the relay refreshes
# both legs (re-INVITE with its SDP towards the callee; without SDP towards
# the caller, whose offer gets the relay's SDP in the ACK) and the call
# lives on; a peer that took the refresher role and never refreshes gets
# both legs released (end reason session-timer); a refresh answered 481
# releases both legs at once; a peer's refresh repeating its SDP is answered
# by the relay without bothering the other leg; method: update refreshes
# with an SDP-less UPDATE. Nothing left afterwards.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib.sh"
export RR_NS_PREFIX=${RR_NS_PREFIX:-rrst$$-}
RRD_ENV_NAME=stimer
. "$here/rrd_env.sh"

SBC=198.51.100.10 PBX=203.0.113.10 R_SBC=198.51.100.1 R_PBX=203.0.113.1
# conf SBC_TIMER PBX_TIMER: the session_timer mapping of each trunk
conf() {
	cat >"$work/rr.yaml" <<EOC
listen:
  sbc: { address: $R_SBC, port: 5060, transports: [udp] }
  pbx: { address: $R_PBX, port: 5060, transports: [udp] }
trunks:
  - { name: sbc, side: sbc, peers: ["$SBC:5060"], allow: ["$SBC/32"], session_timer: $1 }
  - { name: pbx, side: pbx, peers: ["$PBX:5060"], allow: ["$PBX/32"], session_timer: $2 }
routes:
  - { from: sbc, prefix: "", trunk: pbx }
  - { from: pbx, prefix: "", trunk: sbc }
media:
  address: { sbc: { ipv4: $R_SBC }, pbx: { ipv4: $R_PBX } }
  ports: { min: 30000, max: 39999 }
  inactivity_timeout: 0
datapath: { mode: user, pin_dir: $PIN }
logging: { level: debug, target: stderr }
control: { socket: $SOCK }
EOC
}
LOCAL="{ interval: 10, min_se: 5, refresher: local }"
REMOTE="{ interval: 10, min_se: 5, refresher: remote }"
OFF="{ interval: 0 }"

"$LAB" up >/dev/null || bail "lab up failed"
conf "$LOCAL" "$LOCAL"
ok "session_timer config passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
"$LAB" exec relay "$RRD" -c "$work/rr.yaml" >"$work/rrd.log" 2>&1 &
rrd_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$work/rrd.log"; bail "rtprelayd did not start"; }

ctl() { python3 "$here/ctl.py" "$SOCK" "$@"; }
alive() { kill -0 "$rrd_pid" 2>/dev/null && ctl status 'r["ok"]' | grep -q True; }
sipp_in() { # NODE ARGS...: sipp in a lab node, bounded, its own log
	local node=$1 id; shift
	id=$node-${BASHPID}
	"$LAB" exec "$node" timeout 60 sipp -nostdin -trace_err \
		-error_file "$work/sipp-$id.err" "$@" >>"$work/sipp-$id.out" 2>&1
}
uac() { sipp_in sbc -sf "$SC/$1" -i $SBC -p 5070 -m 1 -s 4930123 "$R_SBC:5060"; }
uas() { sipp_in pbx -sf "$SC/$1" -i $PBX -p 5060 -m 1; }
idle() {
	local i r
	for i in $(seq 40); do
		r=$(ctl status '(r["calls"], r["flows"], r["ports_in_use_sbc"], r["ports_in_use_pbx"])')
		[ "$r" = "(0, 0, 0, 0)" ] && return 0
		sleep 0.25
	done
	echo "# not idle: $r" >&2
	return 1
}
reload() { conf "$1" "$2"; kill -HUP "$rrd_pid"; sleep 0.5; }

# --- 1. the relay refreshes both legs -----------------------------------------
uas uas_st_refresh.xml & p=$!
sleep 0.3
start=$(date +%s)
uac uac_st_refresh.xml; rc=$?
took=$(($(date +%s) - start))
wait $p; rc2=$?
check "caller leg: Session-Expires 10 refresher=uas in the 200; two refreshes by the relay (no SDP; its SDP in the ACK)" 0 "$rc"
check "callee leg: two refreshes by the relay with its SDP, answered; the call's BYE" 0 "$rc2"
ok "two refreshes per leg took 8..16 s (took ${took}s: refresh at half the interval)" test "$took" -ge 8 -a "$took" -le 16
check "refreshes logged on both legs" "2 2" \
	"$(grep -c 'event=session .*leg=0 .*reason=refreshed' "$work/rrd.log") $(grep -c 'event=session .*leg=1 .*reason=refreshed' "$work/rrd.log")"
ok "the refreshed call ended by the caller's BYE" grep -q 'event=end .*reason=caller-bye' "$work/rrd.log"
ok "after refreshes: nothing left" idle

# --- 2. the refresher never refreshes: both legs released --------------------
reload "$OFF" "$REMOTE"
uas uas_st_norefresh.xml & p=$!
sleep 0.3
start=$(date +%s)
uac uac_waitbye.xml; rc=$?
took=$(($(date +%s) - start))
wait $p; rc2=$?
check "no refresh from the callee: the caller got a BYE from the relay" 0 "$rc"
check "no refresh from the callee: the callee got a BYE from the relay" 0 "$rc2"
ok "released before the session expired (took ${took}s of 10)" test "$took" -le 11
ok "end reason session-timer (call log end line)" grep -q 'event=end .*reason=session-timer' "$work/rrd.log"
check "session-timer hangups counted" 1 "$(ctl status 'r["session_timer_hangups"]')"
ok "after expiry: nothing left" idle

# --- 3. a refresh answered 481 or 408 releases both legs ----------------
reload "$OFF" "$LOCAL"
n_st=1
for code in 481 408; do
	sed -e "s/481 Call\/Transaction Does Not Exist/$code $([ $code = 408 ] && echo Request Timeout || echo Call\\/Transaction Does Not Exist)/" \
		"$SC/uas_st_481.xml" >"$work/uas_st_$code.xml"
	sipp_in pbx -sf "$work/uas_st_$code.xml" -i $PBX -p 5060 -m 1 & p=$!
	sleep 0.3
	start=$(date +%s)
	uac uac_waitbye.xml; rc=$?
	took=$(($(date +%s) - start))
	wait $p; rc2=$?
	n_st=$((n_st + 1))
	check "refresh answered $code: the caller got a BYE from the relay" 0 "$rc"
	check "refresh answered $code: the callee's part done" 0 "$rc2"
	ok "refresh answered $code: released at the first refresh (took ${took}s)" test "$took" -le 9
	check "refresh answered $code: session-timer hangups counted" $n_st "$(ctl status 'r["session_timer_hangups"]')"
	ok "refresh answered $code: logged" grep -q "event=session .*leg=1 status=$code reason=\"refresh failed" "$work/rrd.log"
	ok "after the $code: nothing left" idle
done

# --- 4. a peer's refresh with the same SDP answered by the relay ------------
reload "$OFF" "$OFF"
uas uas_strict.xml & p=$!
sleep 0.3
uac uac_st_peer.xml; rc=$?
wait $p; rc2=$?
check "the caller's refresh (same SDP) answered with the relay's SDP" 0 "$rc"
check "the callee never saw the refresh" 0 "$rc2"
ok "logged as answered here" grep -q 'event=session .*leg=0 .*reason="refresh answered here"' "$work/rrd.log"
ok "after the peer's refresh: nothing left" idle
# --- 5. method: update: the relay refreshes with an SDP-less UPDATE --------
reload "$OFF" "{ interval: 10, min_se: 5, refresher: local, method: update }"
uas uas_st_update.xml & p=$!
sleep 0.3
sipp_in sbc -sf "$SC/uac.xml" -i $SBC -p 5070 -m 1 -s 4930123 -d 6500 "$R_SBC:5060"; rc=$?
wait $p; rc2=$?
check "method update: the callee got an UPDATE without SDP with Session-Expires, answered; BYE" "0 0" "$rc $rc2"
ok "method update: logged" grep -q 'event=session .*leg=1 .*reason="refreshed (UPDATE)"' "$work/rrd.log"
ok "after the UPDATE refresh: nothing left" idle
ok "rtprelayd alive" alive

kill "$rrd_pid"
wait "$rrd_pid"; rc=$?
rrd_pid=
check "SIGTERM: exit status 0" 0 "$rc"
not_ok "no sanitizer report (ASan/UBSan/LSan) in the daemon's log" \
	grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$work/rrd.log"
if [ "$_tap_failed" -gt 0 ]; then
	echo "# --- rtprelayd log (tail) ---"; tail -60 "$work/rrd.log" | sed 's/^/# /'
	echo "# --- sipp errors ---"; tail -n 30 "$work"/sipp-*.err 2>/dev/null | sed 's/^/# /'
fi
done_testing
