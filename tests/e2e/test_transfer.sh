#!/usr/bin/env bash
# Transfers through rtprelayd in the lab (sipp as SBC and PBX, userspace
# datapath): blind transfer by the PBX side and by the SBC side with
# rtprelayd as the referee (refer: handle) and with the REFER relayed to a
# trunk that accepts it (refer: pass); attended transfer (Replaces) joining
# two calls. Asserted: the new party is presented the kept party (not the
# transferor), the kept party gets a re-INVITE naming the new party
# (P-Asserted-Identity), the relay ports stay and the flows now carry media
# between the kept and the new party, NOTIFY sipfrag reaches the
# transferor, no call, flow or port is left afterwards.
set -u
# RR_DP=xdp: the same transfers with the XDP tier carrying the media
DP=${RR_DP:-user}
RRD_ENV_NAME=transfer RRD_NS=rrxf
. "$(dirname "$0")/rrd_env.sh"

# conf REFER_OF_SBC_TRUNK REFER_OF_PBX_TRUNK [TRUST_OF_PBX2]: the lab with a
# second peer per side at port 5080 (the transfer target 4930999)
YAML_DATAPATH="interfaces: [sbc0, pbx0], "
conf() {
	udp_yaml "refer: $1, trust: true" "refer: $2, trust: true" \
		"  - { name: sbc2, side: sbc, peers: [\"$SBC:5080\"], trust: true }
  - { name: pbx2, side: pbx, peers: [\"$PBX:5080\"], trust: ${3:-true} }
" "  - { from: sbc, prefix: \"4930999\", trunk: pbx2 }
  - { from: pbx, prefix: \"4930999\", trunk: sbc2 }
" >"$work/rr.yaml"
}

"$LAB" up >/dev/null || bail "lab up failed"
conf handle handle
ok "transfer config (refer: handle, $DP datapath) passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"

SIPP_LOG_PER_PID=1 SIPP_TIMEOUT=40 IDLE_TRIES=40 IDLE_STEP=0.25
# tmpl NAME OUT KEY=VALUE...: a scenario from tests/e2e/sipp/NAME.tmpl
tmpl() {
	local name=$1 out=$work/$2.xml kv; shift 2
	cp "$SC/$name.tmpl" "$out"
	for kv in "$@"; do
		python3 -c 'import sys; p, k, v = sys.argv[1:4]; s = open(p).read().replace(k, v); open(p, "w").write(s)' \
			"$out" "${kv%%=*}" "${kv#*=}"
	done
	echo "$out"
}
# the 200 OK to the request just received
OK_200='  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>'
WAIT_BYE='  <recv request="BYE" timeout="15000"/>
'"$OK_200"
SEND_BYE='  <send retrans="500"><![CDATA[
BYE [$contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$to];tag=[pid]SIPpTag01[call_number]
To: [$from]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>'
# NOTIFY with a sipfrag matching $1 (and Subscription-State $2), answered
notify_block() {
	cat <<EON
  <recv request="NOTIFY" timeout="15000">
    <action>
      <ereg regexp="SIP/2.0 $1" search_in="msg" check_it="true" assign_to="frag"/>
      <ereg regexp="Subscription-State: $2" search_in="msg" check_it="true" assign_to="state"/>
    </action>
  </recv>
$OK_200
EON
}
N100=$(notify_block "100 Trying" active)
N200="$(notify_block "200 OK" terminated)
  <Reference variables=\"frag,state\"/>"
# wait_for PYEXPR: until the control socket's calls reply makes it true
wait_for() {
	local i
	for i in $(seq 40); do
		[ "$(ctl calls "$1" 2>/dev/null)" = True ] && return 0
		sleep 0.1
	done
	return 1
}
stream() { ctl calls "r['calls'][0]['streams'][0]$1"; }
ports() { ctl calls '"%d %d" % (r["calls"][0]["streams"][0]["relay_port_0"], r["calls"][0]["streams"][0]["relay_port_1"])'; }

# xfer_pbx X_PAUSE K_PAUSE: the new party ($sc_z on PBX 5080, Z_ARGS words
# more) and the transferor ($sc_x on PBX 5060, pausing X_PAUSE ms) answer,
# the kept party calls with $sc_k from the SBC (pausing K_PAUSE ms); sets
# rc_x, rc_k and rc_z
xfer_pbx() {
	local pz px
	# shellcheck disable=SC2086 # Z_ARGS: words
	sipp_in pbx -sf "$sc_z" -i $PBX -p 5080 -m 1 ${Z_ARGS-} & pz=$!
	sipp_in pbx -sf "$sc_x" -i $PBX -p 5060 -m 1 -d "$1" & px=$!
	sleep 0.3
	sipp_in sbc -sf "$sc_k" -i $SBC -p 5070 -m 1 -s 4930123 "$R_SBC:5060" -d "$2"; rc_k=$?
	wait $px; rc_x=$?
	wait $pz; rc_z=$?
}

# --- blind transfer, rtprelayd the referee --------------------------------
# KEPT_NODE: the kept party calls from there; the transferor answers on the
# other side and REFERs to 4930999, which rtprelayd calls on that side
blind_handled() {
	local k=$1 x sc_x sc_k sc_z pz pk ports_before flows_before
	x=$(other "$k")
	sc_x=$(tmpl uas_refer xfer-x-$k "REFER_TO=sip:4930999@$(relay_of "$x")" \
		REFER_STATUS=202 "NOTIFIES=$N100
$N200" "ENDING=$WAIT_BYE")
	sc_k=$(tmpl uac_kept xfer-k-$k PAI_NUMBER=4930999)
	sc_z=$(tmpl uas_target xfer-z-$k FROM_NUMBER=4930111)
	sipp_in "$x" -sf "$sc_z" -i "$(ip_of "$x")" -p 5080 -m 1 & pz=$!
	sipp_in "$x" -sf "$sc_x" -i "$(ip_of "$x")" -p 5060 -m 1 -d 1200 & px=$!
	sleep 0.3
	sipp_in "$k" -sf "$sc_k" -i "$(ip_of "$k")" -p 5070 -m 1 -s 4930123 "$(relay_of "$k"):5060" -d 4000 & pk=$!
	wait_for 'len(r["calls"]) == 1 and r["calls"][0]["state"] == "answered"'
	ports_before=$(ports)
	flows_before=$(ctl status 'r["flows"]')
	ok "$k kept, $x transfers: the call is transferred (blind)" \
		wait_for 'len(r["calls"]) == 1 and r["calls"][0]["transferred"] == "blind" and r["calls"][0]["streams"][0].get("peer_1", "").endswith(":7010")'
	check "$k kept: relay ports unchanged by the transfer (flows re-pointed in place)" \
		"$ports_before" "$(ports)"
	check "$k kept: the transferor's leg now reaches the new party ($(ip_of "$x"):7010)" \
		"$(ip_of "$x"):7010" "$(stream '.get("peer_1")')"
	check "$k kept: as many flows as before the transfer" "$flows_before" "$(ctl status 'r["flows"]')"
	check "$k kept: the call shows the new party's number" 4930999 "$(ctl calls 'r["calls"][0]["to"]')"
	probe_relay "$k" 7000 "${ports_before% *}" "$x" 7010 "${ports_before#* }"
	check "$k kept: 20 RTP packets from the kept party reach the new party" 20 "$got_b"
	check "$k kept: 20 RTP packets from the new party reach the kept party" 20 "$got_a"
	check "$k kept: flow counters (to callee, to caller)" "20 20" \
		"$(ctl calls '"%d %d" % (r["calls"][0]["streams"][0]["to_callee"]["packets"], r["calls"][0]["streams"][0]["to_caller"]["packets"])')"
	wait $px; rc_x=$?
	wait $pk; rc_k=$?
	wait $pz; rc_z=$?
	check "$k kept: transferor got 202, NOTIFY 100/200 sipfrag, then the relay's BYE" 0 "$rc_x"
	check "$k kept: kept party got a re-INVITE with P-Asserted-Identity 4930999, answered, hung up" 0 "$rc_k"
	check "$k kept: the new party was presented the kept party (From, PAI 4930111; Referred-By)" 0 "$rc_z"
	ok "$k kept: after the transfer nothing is left (calls, flows, ports)" idle
}
blind_handled sbc
blind_handled pbx
# the transferor hangs up as soon as its REFER is accepted (NOTIFY 100):
# the kept party waits alone and still gets the new party
sc_x=$(tmpl uas_refer early-x "REFER_TO=sip:4930999@$R_PBX" REFER_STATUS=202 "NOTIFIES=$N100
  <Reference variables=\"frag,state\"/>" "ENDING=$SEND_BYE")
sc_k=$(tmpl uac_kept early-k PAI_NUMBER=4930999)
sc_z=$(tmpl uas_target early-z FROM_NUMBER=4930111)
# the new party rings 0.8 s before it answers: the transferor is gone by then
python3 - "$sc_z" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
ring = """  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <pause milliseconds="800"/>
"""
i = s.index('  <send retrans="500"><![CDATA[\nSIP/2.0 200 OK')
open(p, "w").write(s[:i] + ring + s[i:])
PY
xfer_pbx 800 1500
check "transferor hung up after 202/NOTIFY 100: its scenario ended cleanly" 0 "$rc_x"
check "transferor gone: the kept party still got the new party's identity (re-INVITE), hung up" 0 "$rc_k"
check "transferor gone: the new party answered and got the kept party's BYE" 0 "$rc_z"
ok "transferor gone: logged" grep -q 'event=transfer .*leg=1 .*the transferor hung up' "$work/rrd.log"
ok "transferor gone: nothing left" idle
check "blind transfers handled, counted" 3 "$(ctl status 'r["transfers_blind"]')"
# the transferor gone, then the new party refuses: the kept party is released
python3 - "$SC/uas_fail.tmpl" "$work/early-fail-z.xml" <<'PY'
import sys
s = open(sys.argv[1]).read().replace("CODE", "486")
i = s.index('  <send retrans="500">')
open(sys.argv[2], "w").write(s[:i] + '  <pause milliseconds="800"/>\n' + s[i:])
PY
failed_before=$(ctl status 'r["transfers_failed"]')
sipp_in pbx -sf "$work/early-fail-z.xml" -i $PBX -p 5080 -m 1 & pz=$!
sipp_in pbx -sf "$sc_x" -i $PBX -p 5060 -m 1 -d 800 & px=$!
sleep 0.3
sipp_in sbc -sf "$SC/uac_waitbye.xml" -i $SBC -p 5070 -m 1 -s 4930123 "$R_SBC:5060"; rc_k=$?
wait $px; rc_x=$?
wait $pz; rc_z=$?
check "transferor gone, new party refused (486): the kept party got a BYE; the others done" "0 0 0" \
	"$rc_k $rc_x $rc_z"
check "the failed transfer counted" $((failed_before + 1)) "$(ctl status 'r["transfers_failed"]')"
ok "transferor gone, transfer failed: nothing left" idle

# --- blind transfer relayed (refer: pass) --------------------------------
conf pass pass
kill -HUP "$rrd_pid"
sleep 0.5
blind_relayed() {
	local k=$1 x sc_x sc_k pk px
	x=$(other "$k")
	sc_x=$(tmpl uas_refer rel-x-$k "REFER_TO=sip:4930777@$(ip_of "$x"):5090" \
		REFER_STATUS=202 "NOTIFIES=$N100
$N200" "ENDING=$SEND_BYE")
	sc_k=$(tmpl uac_referee rel-k-$k "REFER_TO=sip:4930777@$(relay_of "$k"):5060")
	sipp_in "$x" -sf "$sc_x" -i "$(ip_of "$x")" -p 5060 -m 1 -d 800 & px=$!
	sleep 0.3
	sipp_in "$k" -sf "$sc_k" -i "$(ip_of "$k")" -p 5070 -m 1 -s 4930123 "$(relay_of "$k"):5060"; rc_k=$?
	wait $px; rc_x=$?
	check "$k kept, relayed: REFER reached the kept party with Refer-To at the relay ($(relay_of "$k")), the far host hidden" 0 "$rc_k"
	check "$k kept, relayed: the transferor got 202 and the kept party's NOTIFYs (100, 200)" 0 "$rc_x"
	ok "$k kept, relayed: nothing left" idle
}
blind_relayed pbx
blind_relayed sbc
check "relayed REFERs counted" 2 "$(ctl status 'r["transfers_relayed"]')"
check "the relayed transfers' calls ended as transfer-blind (CDR state RTB)" 2 "$(grep -c 'event=end .* state=RTB .* reason=transfer-blind$' "$work/rrd.log")"

# --- attended transfer (Replaces) ------------------------------------------
# call A: kept party SBC:5070 -> PBX:5060 (the transferor); call B: the
# transferor's consultation PBX:5070 -> SBC:5060 (the target, 4930222);
# REFER on A naming B: A's kept party and B's target are joined
conf handle handle
kill -HUP "$rrd_pid"
sleep 0.5
sc_x=$(tmpl uas_refer att-x "REFER_TO=sip:4930222@$R_PBX?Replaces=rr-consult-1%40$PBX%3Bto-tag%3Dx%3Bfrom-tag%3Dconsulttag" \
	REFER_STATUS=202 "NOTIFIES=$N200" "ENDING=$WAIT_BYE")
sc_k=$(tmpl uac_kept att-k PAI_NUMBER=4930222)
sc_z=$(tmpl uas_join att-z PAI_NUMBER=4930111)
sipp_in sbc -sf "$sc_z" -i $SBC -p 5060 -m 1 & pz=$!
sipp_in pbx -sf "$sc_x" -i $PBX -p 5060 -m 1 -d 2500 & px=$!
sleep 0.3
sipp_in sbc -sf "$sc_k" -i $SBC -p 5070 -m 1 -s 4930123 "$R_SBC:5060" -d 4000 & pk=$!
wait_for 'len(r["calls"]) == 1 and r["calls"][0]["state"] == "answered"'
sipp_in pbx -sf "$SC/uac_consult.xml" -i $PBX -p 5070 -m 1 -s 4930222 -cid_str "rr-consult-%u@%s" \
	"$R_PBX:5060" & pc=$!
ok "attended: two calls through the relay" wait_for 'len(r["calls"]) == 2 and all(c["state"] == "answered" for c in r["calls"])'
pA=$(ctl calls '[c["streams"][0]["relay_port_0"] for c in r["calls"] if c["legs"][0]["trunk"] == "sbc"][0]')
pB=$(ctl calls '[c["streams"][0]["relay_port_1"] for c in r["calls"] if c["legs"][0]["trunk"] == "pbx"][0]')
ok "attended: joined into one call" wait_for 'len(r["calls"]) == 1 and r["calls"][0]["transferred"] == "attended"'
check "attended: the kept party's relay port and the target's relay port stay (in place)" \
	"$pA $pB" "$(stream '["relay_port_0"]') $(stream '["relay_port_1"]')"
check "attended: both legs of the joined call on the SBC side" "sbc sbc" \
	"$(ctl calls '" ".join(l["side"] for l in r["calls"][0]["legs"])')"
check "attended: the kept party's flows reach the target ($SBC:7010)" "$SBC:7010" "$(stream '.get("peer_1")')"
check "attended: no port left on the transferor's side" 0 "$(ctl status 'r["ports_in_use_pbx"]')"
check "attended: 4 flows (RTP and RTCP each way) for the one call left" 4 "$(ctl status 'r["flows"]')"
probe_relay sbc 7000 "$pA" sbc 7010 "$pB"
check "attended: 20 RTP packets kept party -> target" 20 "$got_b"
check "attended: 20 RTP packets target -> kept party" 20 "$got_a"
wait $px; rc_x=$?
wait $pc; rc_c=$?
wait $pk; rc_k=$?
wait $pz; rc_z=$?
check "attended: the transferor got 202, NOTIFY 200 and BYE on the first call" 0 "$rc_x"
check "attended: the transferor's consultation call got BYE from the relay" 0 "$rc_c"
check "attended: kept party re-INVITEd with the target's identity (4930222)" 0 "$rc_k"
check "attended: target re-INVITEd with the kept party's identity (4930111), BYE" 0 "$rc_z"
check "attended transfers counted" 1 "$(ctl status 'r["transfers_attended"]')"
ok "attended: the consultation call ended as transfer-attended (CDR state TT)" grep -q 'event=end .* state=TT .* reason=transfer-attended$' "$work/rrd.log"
ok "attended: nothing left" idle

# --- bad REFERs ---------------------------------------------------------------
# a REFER with Replaces naming no call through the relay: refused (403),
# the call goes on; then the test call ends normally
sc_x=$(tmpl uas_refer bad-x "REFER_TO=sip:4930222@$R_PBX?Replaces=nosuchcall%3Bto-tag%3Dx%3Bfrom-tag%3Dy" \
	REFER_STATUS=403 NOTIFIES= "ENDING=$SEND_BYE")
sipp_in pbx -sf "$sc_x" -i $PBX -p 5060 -m 1 -d 500 & px=$!
sleep 0.3
sipp_in sbc -sf "$SC/uac_waitbye.xml" -i $SBC -p 5070 -m 1 -s 4930123 "$R_SBC:5060"; rc_k=$?
wait $px; rc_x=$?
check "REFER with Replaces of an unknown call: 403, call unharmed, ends by BYE" "0 0" "$rc_x $rc_k"
ok "after the refused REFER: nothing left" idle
# the new party's own P-Asserted-Identity (4930666, not the number the
# REFER named) is what the kept party is told, when the new party's trunk
# is trusted; from an untrusted trunk it is not believed: the REFER's number
# xfer_asserted TRUST_OF_PBX2 PAI_THE_KEPT_PARTY_GETS
xfer_asserted() {
	conf handle handle "$1"
	kill -HUP "$rrd_pid"
	sleep 0.5
	sc_x=$(tmpl uas_refer pai-x-$1 "REFER_TO=sip:4930999@$R_PBX" REFER_STATUS=202 "NOTIFIES=$N100
$N200" "ENDING=$WAIT_BYE")
	sc_k=$(tmpl uac_kept pai-k-$1 PAI_NUMBER="$2")
	sc_z=$(tmpl uas_target pai-z-$1 FROM_NUMBER=4930111)
	sed -i 's/^P-Asserted-Identity: "Bob" <sip:4930999@/P-Asserted-Identity: "Carol" <sip:4930666@/' "$sc_z"
	# towards an untrusted trunk no PAI at all
	[ "$1" = true ] || sed -i '/header="P-Asserted-Identity:"/s/check_it="true"/check_it="false"/' "$sc_z"
	xfer_pbx 1200 4000
	check "target trunk trust: $1: transferor, kept party (PAI $2), target" \
		"0 0 0" "$rc_x $rc_k $rc_z"
	ok "target trunk trust: $1: nothing left" idle
}
xfer_asserted true 4930666
xfer_asserted false 4930999
conf handle handle
kill -HUP "$rrd_pid"
sleep 0.5

# a caller who asked for privacy (Privacy: id) is transferred: the new
# party is presented "Anonymous" (From and PAI), never the caller's number
sc_x=$(tmpl uas_refer priv-x "REFER_TO=sip:4930999@$R_PBX" REFER_STATUS=202 "NOTIFIES=$N100
$N200" "ENDING=$WAIT_BYE")
sc_k=$(tmpl uac_kept priv-k PAI_NUMBER=4930999)
sed -i '0,/^From: /{/^From: /a Privacy: id
}' "$sc_k"
sc_z=$(tmpl uas_target priv-z FROM_NUMBER=anonymous)
Z_ARGS="-trace_msg -message_file $work/priv-z.msg" xfer_pbx 1200 4000
check "privacy caller transferred: transferor, kept party, target (From and PAI anonymous)" \
	"0 0 0" "$rc_x $rc_k $rc_z"
not_ok "privacy caller transferred: the new party never saw the caller's number or name" \
	grep -qE '4930111|Alice' "$work/priv-z.msg"
ok "privacy caller transferred: nothing left" idle

# a REFER without Refer-To: 400, the call unharmed
sc_x=$(tmpl uas_refer bad2-x "REFER_TO=x" REFER_STATUS=400 NOTIFIES= "ENDING=$SEND_BYE")
sed -i '/^Refer-To:/d' "$sc_x"
sipp_in pbx -sf "$sc_x" -i $PBX -p 5060 -m 1 -d 500 & px=$!
sleep 0.3
sipp_in sbc -sf "$SC/uac_waitbye.xml" -i $SBC -p 5070 -m 1 -s 4930123 "$R_SBC:5060"; rc_k=$?
wait $px; rc_x=$?
check "REFER without Refer-To: 400, call unharmed, ends by BYE" "0 0" "$rc_x $rc_k"
ok "after the malformed REFER: nothing left" idle
ok "rtprelayd alive" alive

rrd_term
rrd_log_checks
done_testing
