#!/usr/bin/env bash
# Forking, early media, peer failover and admission of rtprelayd, end to end
# in the lab with sipp: twin ring answered on either branch (the loser gets a
# CANCEL with Reason: SIP;cause=200, or none where the trunk's switch is
# off; a loser that answers across the CANCEL gets ACK and BYE with it), the
# caller's CANCEL Reason passed through (and added where a trunk asks), a
# 100-target fork (99 CANCELs, one answered call), early media (first 18x
# only; 183 -> 180; two branches with 183+SDP: flows on the first, then on
# the winner; the early branch failing: flows on the next), failover to a
# second PBX peer on 503 and on the failover timer, the best final response
# of a fork, max_calls / max_cps / max_bandwidth_kbps on outgoing trunks
# and max_calls on the incoming one after a reload (503 with Retry-After,
# counted per trunk in rtprelayctl trunks and /metrics), and no call, flow
# or port left afterwards.
set -u
RRD_ENV_NAME=fork RRD_NS=rrfork
. "$(dirname "$0")/rrd_env.sh"

# --- the configuration: trunks on the SBC's and the PBX's address at several
# ports (each port one sipp), routes by dialled prefix
trunk() { # NAME SIDE PEERS [EXTRA YAML LINES...]
	local n=$1 s=$2 p=$3; shift 3
	printf '  - name: %s\n    side: %s\n    peers: [%s]\n' "$n" "$s" "$p"
	for l in "$@"; do printf '    %s\n' "$l"; done
}
# gen_config [EXTRA]: the configuration; EXTRA: one more key of trunk sbc
gen_config() {
	cat <<-YAML
	listen:
	  sbc: { address: $R_SBC, port: 5060, transports: [udp] }
	  pbx: { address: $R_PBX, port: 5060, transports: [udp] }
	trunks:
	YAML
	trunk sbc sbc "\"$SBC:5060\"" "allow: [\"$SBC/32\"]" ${1:+"$1"}
	trunk pbx pbx "\"$PBX:5060\"" "allow: [\"$PBX/32\"]"
	trunk tw_a sbc "\"$SBC:5060\""
	trunk tw_b sbc "\"$SBC:5062\""
	trunk tw_quiet sbc "\"$SBC:5064\"" "cancel_reason_completed_elsewhere: false"
	trunk tw_always sbc "\"$SBC:5060\"" "cancel_reason_always: true"
	for i in $(seq 99); do trunk "m$i" sbc "\"$SBC:5062\""; done
	trunk m100 sbc "\"$SBC:5060\""
	trunk em_first sbc "\"$SBC:5060\"" "early_media: first"
	trunk em_conv sbc "\"$SBC:5060\"" "early_media: convert_183"
	trunk fo pbx "\"$PBX:5061\", \"$PBX:5062\"" "failover_timeout: 1"
	trunk fo_off pbx "\"$PBX:5061\", \"$PBX:5062\"" "failover_timeout: 0" "failover_codes: [500]"
	trunk lim_calls pbx "\"$PBX:5060\"" "max_calls: 1"
	trunk lim_cps pbx "\"$PBX:5060\"" "max_cps: 1"
	trunk lim_bw pbx "\"$PBX:5060\"" "max_bandwidth_kbps: 500" "call_bandwidth_kbps: 300"
	trunk f_a pbx "\"$PBX:5061\""
	trunk f_b pbx "\"$PBX:5062\""
	echo "routes:"
	echo "  - { from: pbx, prefix: \"10\", trunk: [tw_a, tw_b] }"
	echo "  - { from: pbx, prefix: \"11\", trunk: [tw_a, tw_quiet] }"
	echo "  - { from: pbx, prefix: \"12\", trunk: tw_a }"
	echo "  - { from: pbx, prefix: \"13\", trunk: tw_always }"
	echo "  - { from: pbx, prefix: \"14\", trunk: tw_quiet }"
	echo "  - { from: pbx, prefix: \"20\", trunk: [$(seq -s, -f 'm%g' 100 | sed 's/,/, /g')] }"
	echo "  - { from: pbx, prefix: \"30\", trunk: em_first }"
	echo "  - { from: pbx, prefix: \"31\", trunk: em_conv }"
	echo "  - { from: sbc, prefix: \"40\", trunk: fo }"
	echo "  - { from: sbc, prefix: \"41\", trunk: fo_off }"
	echo "  - { from: sbc, prefix: \"42\", trunk: [f_a, f_b] }"
	echo "  - { from: sbc, prefix: \"50\", trunk: lim_calls }"
	echo "  - { from: sbc, prefix: \"51\", trunk: lim_cps }"
	echo "  - { from: sbc, prefix: \"52\", trunk: lim_bw }"
	cat <<-YAML
	media:
	  address:
	    sbc: { ipv4: $R_SBC }
	    pbx: { ipv4: $R_PBX }
	  ports: { min: 30000, max: 39999 }
	datapath: { mode: user, pin_dir: $PIN }
	logging: { level: info, target: stderr }
	control: { socket: $SOCK }
	metrics: { listen: "127.0.0.1:9120" }
	options_interval: 0
	YAML
}
gen_config >"$work/rr.yaml"

"$LAB" up >/dev/null || bail "lab up failed"
ok "fork configuration (106 trunks, a 100-trunk route) passes --check-config" \
	"$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"

# uas NODE PORT SCENARIO N [ARGS]: background UAS; its pid appended to uas_pids
uas_pids=()
uas() {
	local node=$1 port=$2 sc=$3 n=$4; shift 4
	sipp_in "$node" -sf "$sc" -i "$(ip_of "$node")" -p "$port" -m "$n" "$@" &
	uas_pids+=($!)
}
# uas_wait_all: U = the exit codes of every background UAS, space separated
uas_wait_all() {
	local p rc
	U=""
	for p in "${uas_pids[@]}"; do wait "$p"; rc=$?; U="$U${U:+ }$rc"; done
	uas_pids=()
}
zeros() { # N: "0 0 ... 0"
	local i out=""
	for i in $(seq "$1"); do out="$out${out:+ }0"; done
	echo "$out"
}
IDLE_TRIES=40
tmpl() { # FILE NAME=VALUE...: a scenario from a template
	local f=$1 out; shift
	out="$work/$(basename "$f" .tmpl)-$(echo "$*" | tr -c 'a-zA-Z0-9' _).xml"
	cp "$SC/$f" "$out"
	for kv in "$@"; do sed -i "s|${kv%%=*}|${kv#*=}|g" "$out"; done
	echo "$out"
}
REASON_YES=$(tmpl uas_ring_reason.tmpl 'CHECK=check_it="true"')
REASON_NO=$(tmpl uas_ring_reason.tmpl 'CHECK=check_it_inverse="true"')
logn() { grep -c "$1" "$work/rrd.log"; }

# --- 1. twin ring, answered on the first branch ------------------------------
uas sbc 5060 "$SC/uas_answer_after.xml" 1 -d 500
uas sbc 5062 "$REASON_YES" 1
UAC_NUM=1000 uac pbx "$SC/uac.xml" 1 -d 300; rc=$?
check "twin ring: the caller's call is answered (branch tw_a)" 0 "$rc"
uas_wait_all
check "twin ring: tw_a answered, tw_b got a CANCEL with Reason: SIP;cause=200 \"Call completed elsewhere\"" "0 0" "$U"
ok "after twin ring: nothing left" idle

# --- 2. twin ring, answered on the second branch -----------------------------
uas sbc 5060 "$REASON_YES" 1
uas sbc 5062 "$SC/uas_answer_after.xml" 1 -d 500
UAC_NUM=1000 uac pbx "$SC/uac.xml" 1 -d 300; rc=$?
check "twin ring answered on the second branch: the caller is connected" 0 "$rc"
uas_wait_all
check "twin ring: tw_b answered, tw_a got the CANCEL with Reason" "0 0" "$U"
ok "the answer is logged with the winning branch" grep -q "branch 2 answered; 1 other branch(es) cancelled" "$work/rrd.log"
ok "after the second twin ring: nothing left" idle

# --- 2b. a 2xx race: the losing branch answers across the CANCEL -------------
uas sbc 5060 "$SC/uas_answer_after.xml" 1 -d 500
uas sbc 5062 "$SC/uas_race_2xx.xml" 1
UAC_NUM=1000 uac pbx "$SC/uac.xml" 1 -d 500; rc=$?
uas_wait_all
check "2xx race: the caller has one call; the late 2xx is ACKed and gets BYE with Reason cause=200" "0 0 0" "$rc $U"
ok "the late answer is logged" grep -q "a losing branch answered too: BYE" "$work/rrd.log"
ok "after the 2xx race: nothing left" idle

# --- 3. the switch off: the losing branch's CANCEL carries no Reason ---------
uas sbc 5060 "$SC/uas_answer_after.xml" 1 -d 500
uas sbc 5064 "$REASON_NO" 1
UAC_NUM=1100 uac pbx "$SC/uac.xml" 1 -d 100; rc=$?
uas_wait_all
check "cancel_reason_completed_elsewhere: false: call connects, the CANCEL has no Reason" "0 0 0" "$rc $U"

# --- 4. the caller's CANCEL with Reason cause=200 (PBX device answered) -------
uas sbc 5060 "$REASON_YES" 1
UAC_NUM=1200 uac pbx "$SC/uac_cancel_reason.xml" 1; rc=$?
uas_wait_all
check "caller's CANCEL with Reason cause=200 relayed with it (200, 487 to the caller)" "0 0" "$rc $U"
ok "the pass-through is logged" grep -q "completed elsewhere (CANCEL Reason cause=200)" "$work/rrd.log"
uas sbc 5060 "$REASON_YES" 1
UAC_NUM=1300 uac pbx "$SC/uac_cancel.xml" 1; rc=$?
uas_wait_all
check "cancel_reason_always: a plain CANCEL gets the Reason added" "0 0" "$rc $U"
uas sbc 5064 "$REASON_NO" 1
UAC_NUM=1400 uac pbx "$SC/uac_cancel_reason.xml" 1; rc=$?
uas_wait_all
check "switch off: the caller's Reason is not passed on" "0 0" "$rc $U"
uas sbc 5060 "$REASON_NO" 1
UAC_NUM=1200 uac pbx "$SC/uac_cancel.xml" 1; rc=$?
uas_wait_all
check "a plain CANCEL on a default trunk carries no Reason (the missed call stays)" "0 0" "$rc $U"
ok "after the CANCELs: nothing left" idle

# --- 5. a 100-target fork: 99 rung and cancelled, one answered ---------------
uas sbc 5062 "$REASON_YES" 99
uas sbc 5060 "$SC/uas_answer_after.xml" 1 -d 1500
sleep 0.3
UAC_NUM=2000 uac pbx "$SC/uac.xml" 1 -d 500; rc=$?
check "100-target fork: the caller's call is answered" 0 "$rc"
uas_wait_all
codes=$U
check "100-target fork: 99 branches got a CANCEL with Reason (sipp -m 99 all passed), one answered" "0 0" "$codes"
ok "the fork is logged with 100 targets" grep -q "forking to 100 targets" "$work/rrd.log"
ok "99 other branches cancelled" grep -q "branch 100 answered; 99 other branch(es) cancelled" "$work/rrd.log"
ok "after the 100-target fork: nothing left" idle

# --- 6. early media ------------------------------------------------------------
uas sbc 5060 "$SC/uas_multi18x.xml" 1
UAC_NUM=3000 uac pbx "$SC/uac_one18x.xml" 1 -d 100; rc=$?
uas_wait_all
check "early_media: first: two 180s and a 183 from the callee, one 180 to the caller" "0 0" "$rc $U"
uas sbc 5060 "$(tmpl uas_183.tmpl DELAY=0 PORT=7000)" 1
UAC_NUM=3100 uac pbx "$SC/uac_one18x.xml" 1 -d 100; rc=$?
uas_wait_all
check "early_media: convert_183: 183 with SDP reaches the caller as 180 without SDP" "0 0" "$rc $U"
uas sbc 5060 "$SC/uas_183_ring_reason.xml" 1
uas sbc 5062 "$(tmpl uas_183.tmpl DELAY=400 PORT=7002)" 1
UAC_NUM=1000 uac pbx "$SC/uac_two183.xml" 1 -d 1200 &
uac_pid=$!
sleep 0.9
early=$(ctl calls 'r["calls"][0]["streams"][0].get("peer_1")')
sleep 0.8
answered=$(ctl calls 'r["calls"][0]["streams"][0].get("peer_1")')
wait $uac_pid; rc=$?
check "two branches with 183+SDP: the caller got one 183 with SDP, one without, then 200" 0 "$rc"
uas_wait_all
check "both branches ended as expected (the early one cancelled with Reason)" "0 0" "$U"
check "early flows point at the first branch with SDP" "$SBC:7000" "$early"
check "after the answer the flows point at the winner" "$SBC:7002" "$answered"
# the early-media branch fails: the next branch with SDP takes the flows over
uas sbc 5060 "$SC/uas_183_486.xml" 1
uas sbc 5062 "$(tmpl uas_183.tmpl DELAY=600 PORT=7002)" 1
UAC_NUM=1000 uac pbx "$SC/uac.xml" 1 -d 300 &
uac_pid=$!
sleep 1.0
early=$(ctl calls 'r["calls"][0]["streams"][0].get("peer_1")')
wait $uac_pid; rc=$?
uas_wait_all
check "early branch fails (486): the other branch's 183 and 200 reach the caller" "0 0 0" "$rc $U"
check "the early flows moved to the branch still ringing" "$SBC:7002" "$early"
ok "after early media: nothing left" idle

# --- 7. failover to a second PBX peer: on 503, on the failover timer -----------
uas pbx 5061 "$(tmpl uas_fail.tmpl CODE=503)" 1
uas pbx 5062 "$SC/uas.xml" 1
UAC_NUM=4000 uac sbc "$SC/uac.xml" 1 -d 100; rc=$?
uas_wait_all
check "503 from the first PBX peer: the second answers" "0 0 0" "$rc $U"
uas pbx 5061 "$SC/uas_trying_silent.xml" 1
uas pbx 5062 "$SC/uas.xml" 1
t0=$(date +%s%N)
UAC_NUM=4000 uac sbc "$SC/uac.xml" 1 -d 100; rc=$?
t1=$(date +%s%N)
uas_wait_all
check "100 Trying and then silence: the failover timer CANCELs and the second peer answers" "0 0 0" "$rc $U"
ms=$(((t1 - t0) / 1000000))
ok "failover after the 1 s timer, not before (took $ms ms)" test "$ms" -ge 1000 -a "$ms" -lt 5000
ok "the timer failover is logged" grep -q "event=failover .*trunk_out=fo .*peer=203.0.113.10:5061 status=408 reason=\"no 18x/2xx in the failover timeout" "$work/rrd.log"
uas pbx 5061 "$(tmpl uas_fail.tmpl CODE=503)" 1
UAC_NUM=4100 uac sbc "$(tmpl uac_fail.tmpl CODE=503)" 1; rc=$?
uas_wait_all
check "failover_codes: [500]: a 503 is relayed, no failover" "0 0" "$rc $U"
# both branches of a fork fail: the more telling status wins (486 over 503)
uas pbx 5061 "$(tmpl uas_fail.tmpl CODE=503)" 1
uas pbx 5062 "$(tmpl uas_fail.tmpl CODE=486)" 1
UAC_NUM=4200 uac sbc "$(tmpl uac_fail.tmpl CODE=486)" 1; rc=$?
uas_wait_all
check "fork where every branch fails (503, 486): the caller gets 486" "0 0 0" "$rc $U"
ok "after failover: nothing left" idle

# --- 8. admission: max_calls, max_cps, max_bandwidth_kbps -----------------------
uas pbx 5060 "$SC/uas.xml" 1
UAC_NUM=5000 uac sbc "$SC/uac.xml" 1 -d 2000 &
uac_pid=$!
sleep 0.7
calls_now=$(ctl trunks '[t.get("calls") for t in r["trunks"] if t["name"] == "lim_calls"][0]')
UAC_PORT=5072 UAC_NUM=5000 uac sbc "$(tmpl uac_retry_after.tmpl CODE=503 SECS=10)" 1; rc=$?
check "max_calls: 1: a second concurrent call gets 503 with Retry-After: 10" 0 "$rc"
check "rtprelayctl trunks: lim_calls has 1 call" 1 "$calls_now"
wait $uac_pid; rc=$?
uas_wait_all
check "the admitted call completes" "0 0" "$rc $U"
ok "after max_calls: nothing left" idle
uas pbx 5060 "$SC/uas.xml" 1
UAC_NUM=5100 uac sbc "$SC/uac.xml" 1 -d 10; rc=$?
UAC_NUM=5100 uac sbc "$(tmpl uac_retry_after.tmpl CODE=503 SECS=1)" 1; rc2=$?
uas_wait_all
check "max_cps: 1: a call right after the first gets 503 with Retry-After: 1" "0 0 0" "$rc $rc2 $U"
sleep 1.1
uas pbx 5060 "$SC/uas.xml" 1
UAC_NUM=5100 uac sbc "$SC/uac.xml" 1 -d 10; rc=$?
uas_wait_all
check "max_cps: a second later the token is back and the call connects" "0 0" "$rc $U"
uas pbx 5060 "$SC/uas.xml" 1
UAC_NUM=5200 uac sbc "$SC/uac.xml" 1 -d 2000 &
uac_pid=$!
sleep 0.7
UAC_PORT=5072 UAC_NUM=5200 uac sbc "$(tmpl uac_retry_after.tmpl CODE=503 SECS=10)" 1; rc=$?
check "max_bandwidth_kbps: 500 at 300 per call: the second call gets 503 with Retry-After" 0 "$rc"
wait $uac_pid; rc=$?
uas_wait_all
check "the call within the budget completes" "0 0" "$rc $U"
rej=$(ctl trunks '" ".join("%s=%s" % (t["name"], t.get("rejected")) for t in r["trunks"] if t["name"].startswith("lim_"))')
check "rtprelayctl trunks: rejections per trunk" "lim_calls=1 lim_cps=1 lim_bw=1" "$rej"
check "status: rejected_admission counts the three 503s" 3 "$(ctl status 'r["rejected_admission"]')"
sleep 1.2	# the metrics snapshot is taken once a second
m=$("$LAB" exec relay python3 "$here/metrics_scrape.py" http://127.0.0.1:9120/metrics)
check "/metrics: rejections per trunk and the rejected_admission outcome" "1 1 1 0 3" \
	"$(echo "$m" | python3 -c 'import json,sys; s=json.load(sys.stdin)["samples"]; k="rtprelay_trunk_admission_rejected_total{trunk=\"%s\"}"; print(*[int(s[k % t]) for t in ("lim_calls", "lim_cps", "lim_bw", "sbc")], int(s["rtprelay_call_outcomes_total{outcome=\"rejected_admission\"}"]))')"
ok "after admission: nothing left" idle
check "no trunk holds a call any more" "0" \
	"$(ctl trunks 'sum(t.get("calls", 0) for t in r["trunks"])')"

# --- 8b. the incoming trunk's limit, set by a reload (counters kept) ----------
uas pbx 5060 "$SC/uas.xml" 1
UAC_NUM=5200 uac sbc "$SC/uac.xml" 1 -d 2500 &
uac_pid=$!
sleep 0.5
gen_config "max_calls: 1" >"$work/rr.yaml"
kill -HUP "$rrd_pid"
sleep 0.5
UAC_PORT=5072 UAC_NUM=4000 uac sbc "$(tmpl uac_retry_after.tmpl CODE=503 SECS=10)" 1; rc=$?
check "max_calls: 1 on the incoming trunk sbc (a reload, the call in progress counted): 503" 0 "$rc"
check "rtprelayctl trunks: sbc has 1 call and 1 rejection" "1 1" \
	"$(ctl trunks '" ".join("%s %s" % (t["calls"], t["rejected"]) for t in r["trunks"] if t["name"] == "sbc")')"
wait $uac_pid; rc=$?
uas_wait_all
check "the call in progress completes" "0 0" "$rc $U"
ok "after the incoming trunk's limit: nothing left" idle

# --- 9. clean exit, no sanitizer report ---------------------------------------
rrd_term
rrd_log_checks
done_testing
