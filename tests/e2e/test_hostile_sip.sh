#!/usr/bin/env bash
# Hostile and malformed SIP at rtprelayd (the ASan/UBSan build) in the lab,
# sent as raw UDP by hostile_sip.py from the SBC: garbage datagrams, broken
# mandatory headers, numbers too long for the number fields, odd tel: URIs,
# many/broken P-Asserted-Identity, Privacy, Session-Expires/Min-SE of 0, huge
# and text, Replaces naming no call, and in a call REFERs with a missing,
# garbage, huge or broken Refer-To/Replaces, PRACK and UPDATE out of place.
# Asserted per message: the status the daemon answers (or that it drops an
# unparseable datagram), that it keeps running, that no call, flow or port
# is left, that the untrusted PBX never gets a P-Asserted-Identity, that no
# number is logged in clear with logging.mask_numbers, that CR/LF or escape
# bytes from a peer never reach a log line or a CDR, the modes of the state
# and CDR files, and no sanitizer report.
set -u
RRD_ENV_NAME=hostile RRD_NS=rrhs
. "$(dirname "$0")/rrd_env.sh"

DP=user YAML_DATAPATH="interfaces: [sbc0, pbx0], "
YAML_LOGGING="level: debug, target: stderr, mask_numbers: true"
st="session_timer: { interval: 120, min_se: 90, refresher: auto, method: invite }"
{
	udp_yaml "refer: handle, trust: true, $st" "refer: handle, trust: false"
	printf 'cdr: { dir: %s }\ncalls: { state_dir: %s }\n' "$work/cdr" "$work/state/calls"
} >"$work/rr.yaml"

"$LAB" up >/dev/null || bail "lab up failed"
ok "hostile config passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"

IDLE_TRIES=40 IDLE_STEP=0.25
# the PBX: answers everything, logs each INVITE it gets
"$LAB" exec pbx timeout 300 python3 "$here/hostile_sip.py" uas $PBX 5060 "$work/pbx.log" 280 &
uas_pid=$!
sleep 0.3
hs() { "$LAB" exec sbc timeout 30 python3 "$here/hostile_sip.py" uac $SBC 5060 $R_SBC 5060 "$1"; }
# case EXPECTED...: the words hostile_sip.py prints match one of EXPECTED
case_is() {
	local name=$1 got e; shift
	got=$(hs "$name")
	for e in "$@"; do
		[ "$got" = "$e" ] && { check "$name: $e" "$e" "$got"; return; }
	done
	check "$name: one of [$*]" "$1" "$got"
}

case_is garbage none
case_is nul_start_line none 400
case_is bad_cseq none 400
case_is no_callid none 400
# a number longer than the number fields: 404, never routed cut or empty
case_is long_ruri 404
case_is long_number_63 200
case_is long_number_64 404
case_is long_number_80 404
case_is long_from 200 400
case_is tel_odd 200 400 404 416 484
case_is user_phone_ext 200
# an escaped CR LF stays escaped (the PBX gets no injected line)
case_is escaped_crlf_user 200 400 404 484
# a display name with \" and control bytes: the call goes through
case_is display_ctl 200
case_is pai_many 200
case_is pai_bad 200 400
case_is pai_tel_odd 200 400
case_is pai_privacy_id 200
case_is privacy_garbage 200 400
case_is se_zero 200 400 422
case_is se_huge 200 400 422
case_is se_text 200 400
case_is se_u32max 200 400 422
case_is minse_huge 200 400 422
# Replaces on an INVITE: rtprelayd does not support it (Replaces is taken
# from REFERs only), so a Require gets 420 and otherwise it is a new call
case_is replaces_none 200 481
case_is replaces_none_require 420 481
case_is replaces_bad 200 400 481
ok "after the out-of-dialog messages: nothing left" idle
ok "rtprelayd alive" alive

case_is refer_missing "200 400 200"
case_is refer_garbage "200 400 200"
case_is refer_huge "200 400 200" "200 413 200"
case_is refer_host_only "200 400 200"
case_is refer_replaces_bad "200 400 200"
case_is refer_replaces_long "200 400 200"
case_is refer_ctl_user "200 400 200"
case_is prack_confirmed "200 481 200" "200 400 200" "200 405 200" "200 501 200"
case_is update_se_zero "200 200 200" "200 400 200" "200 422 200"
case_is reinvite_se_text "200 200 200" "200 400 200"
case_is refer_twice "200 400 400 200"
# an escaped '?' in the Refer-To user: would put headers into the INVITE
# rtprelayd sends (X-Injected, a P-Asserted-Identity of the attacker's)
case_is refer_uri_inject "200 400 200"
# races and odd states
case_is cancel_race 487 "200 200"
case_is bye_in_transfer "200 202 200"
# (sofia-sip's nua matches a dialog by Call-ID and From tag when the To tag
# is missing: the second INVITE is taken as a re-INVITE of the first call)
case_is same_callid_twice "200 200same 200" "200 200 200" "200 482 200" "200 400 200" "200 491 200"
case_is sdp_garbage 488 400
case_is reinvite_sdp_garbage "200 488 200" "200 400 200"
ok "after the in-dialog messages: nothing left" idle
# toll fraud: a trunk with refer_from: none may not transfer at all (403),
# whatever the target; after a SIGHUP, so new calls take it
sed -i 's/refer: handle, trust: true,/refer: handle, trust: true, refer_from: none,/' "$work/rr.yaml"
kill -HUP "$rrd_pid"
for _ in $(seq 40); do grep -q 'refer_from' "$work/rr.yaml" && grep -qi 'reload' "$work/rrd.log" && break; sleep 0.1; done
sleep 0.5
case_is refer_plain "200 403 200"
ok "rtprelayd alive after everything" alive

# privacy: the untrusted PBX never got an asserted identity
not_ok "no P-Asserted-Identity towards the untrusted trunk" grep -qi '^P-Asserted-Identity' "$work/pbx.log"
not_ok "no INVITE without a user (a number cut to nothing) at the PBX" \
	grep -qE '^INVITE sip:[^@]*[ >]' "$work/pbx.log"
not_ok "no injected header line at the PBX" grep -qiE '^(X-Evil|X-Injected)' "$work/pbx.log"
ok "the display name with quoted-pairs reached the PBX requoted" \
	grep -qE '^From: "Eve\[31m, x" <sip:' "$work/pbx.log"
# logs and records
# sofia-sip's own lines too ("strange ACK from <sip:...>" on a rejected call)
not_ok "no number in clear in the log (mask_numbers)" grep -qE '4940555987|493012345' "$work/rrd.log"
not_ok "no escape byte from a peer in the log" grep -qP '\x1b|\x07' "$work/rrd.log"
not_ok "no injected header line in the log" grep -qE '^X-Evil' "$work/rrd.log"
cdrf=$(ls "$work"/cdr/*.csv 2>/dev/null | head -1)
ok "a CDR file was written" test -n "$cdrf"
check "CDR file mode 0640" 640 "$(stat -c %a "$cdrf" 2>/dev/null)"
not_ok "no caller number cut to 63 characters in the CDR (a 200-digit From)" grep -qE '4{63}' "$cdrf"
not_ok "no escape byte or injected line in the CDR" grep -qP '\x1b|\x07|^X-Evil' "$cdrf"
check "CDR directory mode 0750" 750 "$(stat -c %a "$work/cdr")"
check "state directory mode 0700" 700 "$(stat -c %a "$work/state/calls")"
# RTT: kill quickly so the log is complete
rrd_term
rrd_log_checks 80
kill "$uas_pid" 2>/dev/null; wait "$uas_pid" 2>/dev/null
done_testing
