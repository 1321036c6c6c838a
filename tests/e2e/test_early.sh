#!/usr/bin/env bash
# rtprelayd in the early dialog, sipp in the lab: UPDATE before the answer
# (RFC 3311 5.1, after a reliable 183), from the caller and from the callee,
# relayed with its SDP both ways and the
# flows moved in place; SDP carried in PRACK (RFC 3262: a delayed offer
# answered in the 183, the answer in the caller's PRACK) relayed to the
# callee's PRACK; media through the moved/learned ports; nothing left after.
set -u
DP=${RR_DP:-user}
RRD_ENV_NAME=early RRD_NS=rrearly
. "$(dirname "$0")/rrd_env.sh"

"$LAB" up >/dev/null || bail "lab up failed"
lab_yaml >"$work/rr.yaml"
rrd_start "$work/rr.yaml"

# early_call UAC_SCENARIO UAS_SCENARIO SBC_PORT PBX_PORT: SBC calls PBX with
# a 4 s pause after the answer; endpoints read and 20 datagrams sent each
# way through the relay while it lasts. Sets rc rc2 peers got_a got_b pk.
early_call() {
	sip_call_start sbc "$SC/$2" "$SC/$1" -d 4000
	sleep 1.3
	peers=$(ctl calls '"%s %s %s" % (r["calls"][0]["state"], r["calls"][0]["streams"][0].get("peer_0"), r["calls"][0]["streams"][0].get("peer_1"))')
	media_probe sbc "$3" pbx "$4"
	pk=$(pkts)
	sip_call_end
}

# --- 1. UPDATE in the early dialog -------------------------------------------
early_call uac_early_update.xml uas_early_update.xml 7002 7004
check "early UPDATE: the SBC's UPDATE answered 200 with the relay's address, call answered" 0 "$rc"
check "early UPDATE: relayed to the PBX with the relay's address, answered, call completed" 0 "$rc2"
check "the early UPDATE moved both ends (SBC 7002, PBX 7004), flows updated in place" \
	"answered $SBC:7002 $PBX:7004" "$peers"
check "after the early UPDATE: 20 datagrams SBC:7002 -> PBX:7004" 20 "$got_b"
check "after the early UPDATE: 20 datagrams PBX:7004 -> SBC:7002" 20 "$got_a"
check "after the early UPDATE: the $DP datapath's counters (to callee, to caller)" "20 20" "$pk"
ok "the early UPDATE was relayed (log)" grep -q "event=update" "$work/rrd.log"
ok "after the early UPDATE call: nothing left" idle

# the same from the callee: the PBX's UPDATE relayed to the SBC before the 200
early_call uac_answer_early_update.xml uas_early_update_callee.xml 7002 7004
check "the callee's early UPDATE reached the SBC with the relay's address, answered with port 7002" 0 "$rc"
check "the callee's early UPDATE answered 200 with the relay's address, call completed" 0 "$rc2"
check "the callee's early UPDATE moved both ends (SBC 7002, PBX 7004)" \
	"answered $SBC:7002 $PBX:7004" "$peers"
check "after the callee's early UPDATE: media both ways (20 20) and counters" "20 20 20 20" "$got_a $got_b $pk"
ok "after the callee's early UPDATE: nothing left" idle

# --- 2. SDP in PRACK: delayed offer, offer in the reliable 183 ---------------
early_call uac_prack_sdp.xml uas_prack_sdp.xml 7000 7000
check "PRACK with SDP: the SBC got a reliable 183 with the offer (relay's address) and its answer was taken" 0 "$rc"
check "PRACK with SDP: the PBX's PRACK carried the answer with the relay's address (RAck matching)" 0 "$rc2"
check "both endpoints learned from the 183 and the PRACK" "answered $SBC:7000 $PBX:7000" "$peers"
check "media after the PRACK answer: 20 datagrams each way" "20 20" "$got_a $got_b"
check "media after the PRACK answer: the $DP datapath's counters" "20 20" "$pk"
ok "the PRACK was relayed with its SDP (log)" grep -q 'event=prack .* leg=0 reason="relayed with SDP"' "$work/rrd.log"
ok "after the PRACK call: nothing left" idle

# --- 3. the per-leg cases still hold -------------------------------------------
sip_call sbc "$SC/uas_100rel.xml" "$SC/uac_100rel.xml" -d 200
check "100rel both sides: reliable 183 relayed, PRACK passed through, answered" "0 0" "$rc $rc2"
sip_call sbc "$SC/uas_100rel.xml" "$SC/uac_183_plain.xml" -d 200
check "caller without 100rel: unreliable 183, the relay PRACKs the PBX itself" "0 0" "$rc $rc2"
ok "after the 100rel calls: nothing left" idle
ok "rtprelayd alive" kill -0 "$rrd_pid"
done_testing
