#!/usr/bin/env bash
# Teams routing end to end in the lab (docs/teams.md): sipp as the Teams SBC
# (<P>sbc) and the PBX (<P>pbx) through rtprelayd with translation rules,
# E.164 normalisation, routing rules, allowed destinations and RFC 3325
# identity; the receiving sipp logs the INVITE and the suite asserts its
# Request-URI, From, P-Asserted-Identity and Privacy. Then the dry run
# (rtprelayctl route test) against the daemon and offline, and a reload to a
# configuration with an untrusted SBC that may not call in (403, privacy).
set -u
RRD_ENV_NAME=teams-routing RRD_NS=rrtr
. "$(dirname "$0")/rrd_env.sh"
CTL=$top/${BUILD:-build}/rtprelayctl
[ -x "$CTL" ] || bail "$CTL missing: run make"

"$LAB" up >/dev/null || bail "lab up failed"
# write_config SBC_TRUST SBC_ALLOWED: the lab (configs/lab.yaml) with the
# numbering and rules of docs/teams.md's TVox example
write_config() {
	cat >"$work/rr.yaml" <<YAML
listen:
  sbc: { address: 198.51.100.1, port: 5060, transports: [udp] }
  pbx: { address: 203.0.113.1, port: 5060, transports: [udp] }
trunks:
  - name: sbc
    side: sbc
    peers: ["198.51.100.10:5060"]
    country_code: 39
    national_prefix: ""
    number_format: e164
    short_numbers_plus: true
    short_number_length: 4
    trust: $1
    allowed_destinations: $2
  - name: pbx
    side: pbx
    peers: ["203.0.113.10:5060"]
    country_code: 39
    national_prefix: ""
    number_format: national
    short_number_length: 4
    trust: true
    translate:
      outbound:
        - { match: '^0612345(\\d{3})\$', replace: '8\$1', fields: [from] }
  - name: pbx2                    # a second line of the PBX (another port)
    side: pbx
    peers: ["203.0.113.10:5070"]
    country_code: 39
    number_format: e164
routing:
  inbound_rules:
    - { name: teams-did, match: "+390612345XXX", destination: sbc }
  internal:
    - { name: teams-users, match: "8XXX", destination: sbc }
  outbound_rules:
    - { name: extensions, pattern: "2XX", trunks: pbx }
    - { name: pstn-it, pattern: "0|0039X.", trunks: pbx }
    - { name: e164, pattern: "+X.", trunks: pbx }
    - { name: germany, pattern: "0|0049X.", trunks: [pbx, pbx2], seize: order }
media:
  address:
    sbc: { ipv4: 198.51.100.1 }
    pbx: { ipv4: 203.0.113.1 }
  inactivity_timeout: 0
datapath:
  mode: user
  pin_dir: $PIN
control: { socket: $SOCK }
calls: { state_dir: $work/calls }
YAML
}
for f in teams-tvox teams-starface; do
	ok "docs/teams.md's configs/$f.yaml passes --check-config" \
		"$RRD" -c "$top/configs/$f.yaml" --check-config
done
write_config true inbound_rules_and_outbound
python3 -c 'import sys; s = open(sys.argv[1]).read(); open(sys.argv[2], "w").write(s.replace("{3})$", "{3}$", 1))' \
	"$work/rr.yaml" "$work/bad.yaml"
line=$(grep -n "match: '^0612345" "$work/bad.yaml" | cut -d: -f1)
out=$("$RRD" -c "$work/bad.yaml" --check-config 2>&1)
check "--check-config refuses a bad regex with FILE:LINE, PCRE2's message and offset" \
	"$work/bad.yaml:$line: translate: bad regex '^0612345(\d{3}\$': missing closing parenthesis at offset 15" \
	"$(grep -o "$work/bad.yaml:.*" <<<"$out")"
ok "the Teams routing configuration passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"

n=0
SIPP_TIMEOUT=20
# uac_xml FROM_URI CODE EXTRA_HEADERS: an INVITE expecting CODE, then ACK
# (the ACK of a non-2xx shares the INVITE's branch); sets UAC_SC
uac_xml() {
	n=$((n + 1))
	cat >"$work/uac-$n.xml" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac $n">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Mario Rossi" <$1>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:caller@[local_ip]:[local_port]>
Max-Forwards: 70
$3Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio 7000 RTP/AVP 0 8
a=rtpmap:0 PCMU/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="$2"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3]
[last_From:]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
</scenario>
XML
	UAC_SC="$work/uac-$n.xml"
}
# call FROM_NODE TO FROM_URI [EXTRA_HEADERS]: the far side's UAS answers 486;
# sets got_ruri, got_from, got_pai, got_privacy from what it received, got_log
# the file sipp logged it in
call() {
	local a=$1 to=$2 from=$3 extra=${4:-} b msgs
	b=$([ "$a" = sbc ] && echo pbx || echo sbc)
	msgs="$work/msg-$n-$b.log"
	rm -f "$msgs"
	uas_start "$b" "$SC/uas_capture.xml" 1 -trace_msg -message_file "$msgs"
	uac_xml "$from" 486 "$extra"
	UAC_NUM=$to uac "$a" "$UAC_SC" 1
	uac_rc=$?
	uas_wait
	uas_rc=$?
	mapfile -t got < <(python3 "$here/sip_headers.py" "$msgs" 2>/dev/null)
	got_ruri=${got[0]:-} got_from=${got[1]:-} got_pai=${got[2]:-} got_privacy=${got[3]:-}
	got_log=$msgs
}
# refused FROM_NODE TO CODE: an INVITE refused by rtprelayd itself
refused() {
	uac_xml "sip:+390612345001@$(ip_of "$1")" "$3" ""
	UAC_NUM=$2 uac "$1" "$UAC_SC" 1
}
user_of() { sed -E 's/.*<(sips?|tel):([^@;>]*).*/\2/' <<<"$1"; }
PAI_HDR='P-Asserted-Identity: <sip:+390612345001@198.51.100.10;user=phone>
'

# --- 1. PSTN -> Teams: the PBX's national numbers become E.164 with + ------
call pbx 0612345001 "sip:0298765432@$PBX"
check "PSTN->Teams: relayed, the SBC's 486 back to the PBX" "0 0" "$uac_rc $uas_rc"
check "PSTN->Teams: Request-URI +390612345001 at the SBC" "+390612345001" "$got_ruri"
check "PSTN->Teams: From +390298765432 at the SBC" "+390298765432" "$(user_of "$got_from")"
ok "PSTN->Teams: From is user=phone" grep -q "user=phone" <<<"$got_from"
ok "PSTN->Teams: Request-URI is user=phone (e164 trunk)" \
	grep -q "^INVITE sip:+390612345001@198.51.100.10:5060;.*user=phone SIP/2.0" "$got_log"

# --- 2. Teams -> PSTN with the access code: R-URI, From, PAI at the PBX -----
call sbc 00039021234567 "sip:+390612345001@$SBC;user=phone" "$PAI_HDR"
check "Teams->PSTN: relayed" "0 0" "$uac_rc $uas_rc"
check "Teams->PSTN: access code 0 stripped, national number at the PBX" "021234567" "$got_ruri"
check "Teams->PSTN: From translated to the remote number 8001" "8001" "$(user_of "$got_from")"
check "Teams->PSTN: P-Asserted-Identity kept (trusted), national" "0612345001" "$(user_of "$got_pai")"
check "Teams->PSTN: display name kept" '"Mario Rossi"' "$(grep -o '"Mario Rossi"' <<<"$got_from")"

# --- 3. Teams -> PBX extension ------------------------------------------------
call sbc 201 "sip:+390612345001@$SBC;user=phone"
check "Teams->PBX extension 201" "201 8001" "$got_ruri $(user_of "$got_from")"
call sbc 201 "tel:+8000"
check "Teams user tel:+8000 -> PBX: the caller is 8000 (remote numbering, both ways)" \
	"201 8000" "$got_ruri $(user_of "$got_from")"

# --- 4. PBX -> Teams by 8000 and +8000 ------------------------------------------
call pbx 8000 "sip:201@$PBX"
check "PBX->Teams by 8000: +8000 at the SBC" "+8000" "$got_ruri"
check "PBX->Teams: the extension as the caller, +201 (short_numbers_plus)" "+201" "$(user_of "$got_from")"
call pbx +8000 "sip:201@$PBX"
check "PBX->Teams by +8000: +8000 at the SBC" "+8000" "$got_ruri"

# --- 5. privacy towards a trusted trunk: anonymous From, PAI, Privacy: id -------
call pbx 8001 "sip:anonymous@anonymous.invalid" "P-Asserted-Identity: <sip:0298765432@$PBX>
Privacy: id
"
check "Privacy: id, trusted SBC: call relayed" "0 0" "$uac_rc $uas_rc"
check "Privacy: id, trusted SBC: anonymous From" "anonymous" "$(user_of "$got_from")"
ok "Privacy: id: no display name leaks" bash -c "! grep -q Rossi <<<'$got_from'"
check "Privacy: id, trusted SBC: P-Asserted-Identity in E.164" "+390298765432" "$(user_of "$got_pai")"
check "Privacy: id, trusted SBC: Privacy: id relayed" "id" "$got_privacy"

# --- 6. the number only in PAI: From rewritten towards Teams ---------------------
call pbx 8001 "sip:unavailable@$PBX" "P-Asserted-Identity: <sip:0298765432@$PBX>
"
check "number only in PAI: From +390298765432 towards Teams" "+390298765432" "$(user_of "$got_from")"

# --- 6b. trunk seizure in order: pbx answers 503, pbx2 takes the call -------
sed "s/CODE/503/" "$SC/uas_fail.tmpl" >"$work/uas-503.xml"
sipp_in pbx -sf "$work/uas-503.xml" -i $PBX -p 5060 -m 1 &
p503=$!
rm -f "$work/msg-seize.log"
sipp_in pbx -sf "$SC/uas_capture.xml" -i $PBX -p 5070 -mp 6100 -m 1 -trace_msg -message_file "$work/msg-seize.log" &
p486=$!
sleep 0.3
uac_xml "sip:+390612345001@$SBC;user=phone" 486 ""
UAC_NUM=00049301234 uac sbc "$UAC_SC" 1
rc=$?
wait $p503; rc1=$?
wait $p486; rc2=$?
check "seize order: 503 on trunk pbx, the call goes to trunk pbx2" "0 0 0" "$rc $rc1 $rc2"
check "seize order: pbx2 gets the number in its format (e164)" "+49301234" \
	"$(python3 "$here/sip_headers.py" "$work/msg-seize.log" | head -1)"

# --- 7. nothing matches: 404 ------------------------------------------------------
refused sbc 12 404
check "no rule for 12: 404 from rtprelayd" 0 "$?"

# --- 8. dry run: the daemon and the file agree with what the PBX saw -----------
j=$("$CTL" --socket "$SOCK" route test --trunk sbc --from +390612345001 --to 00039021234567 --json)
check "route test (daemon): target number" "pbx 021234567 8001 203.0.113.10:5060" \
	"$(python3 -c 'import json,sys; t=json.load(sys.stdin)["targets"][0]; print(t["trunk"], t["number"], t["from"], t["peer"])' <<<"$j")"
check "route test (daemon): rule" "outbound rule 2 'pstn-it'" \
	"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["rule"][:25])' <<<"$j")"
j2=$("$CTL" route test --config "$work/rr.yaml" --trunk sbc --from +390612345001 --to 00039021234567 --json)
check "route test --config (offline) prints the same decision" "$j" "$j2"
t=$("$CTL" --socket "$SOCK" route test --trunk pbx --from 201 --to +8000)
ok "route test text: the internal rule and the target" \
	grep -q "target 1: trunk sbc (sbc side), number +8000, peer 198.51.100.10:5060" <<<"$t"
"$CTL" --socket "$SOCK" route test --trunk sbc --to 12 >/dev/null
check "route test: exit 1 for a call that would be refused" 1 "$?"
"$CTL" --socket "$SOCK" route test --trunk nosuch --to 12 >/dev/null 2>&1
check "route test: exit 1 for an unknown trunk" 1 "$?"

# --- 9. reload: an untrusted SBC that may not call in ------------------------------
write_config false none
kill -HUP "$rrd_pid"
for _ in $(seq 30); do grep -q "configuration reloaded" "$work/rrd.log" && break; sleep 0.1; done
ok "SIGHUP: the new rules are live" grep -q "configuration reloaded" "$work/rrd.log"
refused sbc 201 403
check "allowed_destinations none: 403 for the SBC's call" 0 "$?"
call pbx 8001 "sip:anonymous@anonymous.invalid" "P-Asserted-Identity: <sip:0298765432@$PBX>
Privacy: id
"
check "Privacy: id, untrusted SBC: anonymous From" "anonymous" "$(user_of "$got_from")"
check "Privacy: id, untrusted SBC: no P-Asserted-Identity" "-" "$got_pai"
call pbx 8001 "sip:0298765432@$PBX" "P-Asserted-Identity: <sip:0298765432@$PBX>
"
check "untrusted SBC: From kept, E.164" "+390298765432" "$(user_of "$got_from")"
check "untrusted SBC: P-Asserted-Identity stripped" "-" "$got_pai"

ok "rtprelayd still running" kill -0 "$rrd_pid"
check "rtprelayd: no call left" 0 "$(python3 "$here/ctl.py" "$SOCK" status 'r["calls"]')"
done_testing
