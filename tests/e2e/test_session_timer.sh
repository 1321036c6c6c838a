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
RRD_ENV_NAME=stimer RRD_NS=rrst
. "$(dirname "$0")/rrd_env.sh"

# conf SBC_TIMER PBX_TIMER: the session_timer mapping of each trunk
DP=user YAML_LOGGING="level: debug, target: stderr"
conf() { udp_yaml "session_timer: $1" "session_timer: $2" >"$work/rr.yaml"; }
LOCAL="{ interval: 10, min_se: 5, refresher: local }"
REMOTE="{ interval: 10, min_se: 5, refresher: remote }"
OFF="{ interval: 0 }"

"$LAB" up >/dev/null || bail "lab up failed"
conf "$LOCAL" "$LOCAL"
ok "session_timer config passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"

SIPP_LOG_PER_PID=1 IDLE_TRIES=40 IDLE_STEP=0.25
reload() { conf "$1" "$2"; kill -HUP "$rrd_pid"; sleep 0.5; }

# --- 1. the relay refreshes both legs -----------------------------------------
sip_call sbc "$SC/uas_st_refresh.xml" "$SC/uac_st_refresh.xml"
check "caller leg: Session-Expires 10 refresher=uas in the 200; two refreshes by the relay (no SDP; its SDP in the ACK)" 0 "$rc"
check "callee leg: two refreshes by the relay with its SDP, answered; the call's BYE" 0 "$rc2"
ok "two refreshes per leg took 8..16 s (took ${took}s: refresh at half the interval)" test "$took" -ge 8 -a "$took" -le 16
check "refreshes logged on both legs" "2 2" \
	"$(grep -c 'event=session .*leg=0 .*reason=refreshed' "$work/rrd.log") $(grep -c 'event=session .*leg=1 .*reason=refreshed' "$work/rrd.log")"
ok "the refreshed call ended by the caller's BYE" grep -q 'event=end .*reason=caller-bye' "$work/rrd.log"
ok "after refreshes: nothing left" idle

# --- 2. the refresher never refreshes: both legs released --------------------
reload "$OFF" "$REMOTE"
sip_call sbc "$SC/uas_st_norefresh.xml" "$SC/uac_waitbye.xml"
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
	sip_call sbc "$work/uas_st_$code.xml" "$SC/uac_waitbye.xml"
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
sip_call sbc "$SC/uas_strict.xml" "$SC/uac_st_peer.xml"
check "the caller's refresh (same SDP) answered with the relay's SDP" 0 "$rc"
check "the callee never saw the refresh" 0 "$rc2"
ok "logged as answered here" grep -q 'event=session .*leg=0 .*reason="refresh answered here"' "$work/rrd.log"
ok "after the peer's refresh: nothing left" idle
# --- 5. method: update: the relay refreshes with an SDP-less UPDATE --------
reload "$OFF" "{ interval: 10, min_se: 5, refresher: local, method: update }"
sip_call sbc "$SC/uas_st_update.xml" "$SC/uac.xml" -d 6500
check "method update: the callee got an UPDATE without SDP with Session-Expires, answered; BYE" "0 0" "$rc $rc2"
ok "method update: logged" grep -q 'event=session .*leg=1 .*reason="refreshed (UPDATE)"' "$work/rrd.log"
ok "after the UPDATE refresh: nothing left" idle
ok "rtprelayd alive" alive

rrd_term
rrd_log_checks
done_testing
