#!/usr/bin/env bash
# rtprelayd SIP over TLS in the lab: a throwaway CA and certificates made with
# openssl; --check-config refuses a missing, garbage or mismatched
# certificate with FILE:LINE; a call over TLS from the SBC (tests/e2e/
# sip_tls.py: Debian's sipp has no TLS) to the PBX over UDP, answered with
# media both ways; a call from the PBX to an SBC trunk with `transport: tls`
# (the relay as TLS client); verify_peer: a client without a certificate is
# refused, one with a certificate of the CA gets its call through.
set -u
DP=${RR_DP:-user}
RRD_ENV_NAME=tls RRD_NS=rrtls
. "$(dirname "$0")/rrd_env.sh"
command -v openssl >/dev/null || bail "openssl missing"

# --- certificates: CA, the relay's SBC side, the SBC; a stranger's CA -------
pki=$work/pki
mkdir -p "$pki"
mkcert() { # NAME IP CA: key and certificate with IP in subjectAltName
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "/CN=$1" &&
	printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$2" >"$pki/$1.ext" &&
	openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$3.pem" -CAkey "$pki/$3.key" \
		-CAcreateserial -out "$pki/$1.pem" -days 2 -extfile "$pki/$1.ext"
}
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$pki/$1.key" -out "$pki/$1.pem" -days 2 -subj "/CN=$1"
}
{ mkca ca && mkca stranger-ca && mkcert relay-sbc "198.51.100.1,IP:2001:db8:51::1" ca &&
  mkcert sbc 198.51.100.10 ca && mkcert stranger 198.51.100.10 stranger-ca; } \
	>"$work/openssl.log" 2>&1 || { cat "$work/openssl.log"; bail "openssl could not make the test certificates"; }

# config VERIFY SBC_TRUNK_TRANSPORT CERT KEY: lab.yaml with TLS on the SBC side
config() {
	python3 - "$top/configs/lab.yaml" "$@" <<PY
import sys
src, verify, tp, cert, key = sys.argv[1:6]
s = open(src).read()
s = s.replace("  sbc: { address: 198.51.100.1, port: 5060, transports: [udp, tcp] }",
    "  sbc:\n    address: 198.51.100.1\n    transports: [udp, tcp]\n"
    "    tls:\n      cert: %s\n      key: %s\n      ca: $pki/ca.pem\n"
    "      port: 5061\n      verify_peer: %s" % (cert, key, verify))
if tp == "tls":
    s = s.replace('peers: ["198.51.100.10:5060"]', 'peers: ["198.51.100.10"]')
    s = s.replace('allow: ["198.51.100.10/32", "2001:db8:51::10/128"]\n    transport: udp',
                  'allow: ["198.51.100.10/32", "2001:db8:51::10/128"]\n    transport: tls')
s = s.replace("mode: auto", "mode: $DP").replace("/run/rtprelayd.sock", "$SOCK")
s = s.replace("pin_dir: /sys/fs/bpf/rtprelay", "pin_dir: $PIN")
s = s.replace("/run/rtprelayd-lab/calls", "$work/calls")
print(s, end="")
PY
}
# 4: listen sbc, 5: address, 6: transports, 7: tls, 8: cert, 9: key, 10: ca
config false udp "$pki/relay-sbc.pem" "$pki/relay-sbc.key" >"$work/rr.yaml"
ok "TLS config passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
refused() { # DESC FILE LINE WHAT: --check-config refuses with FILE:LINE: ...WHAT
	local out
	out=$("$RRD" -c "$2" --check-config 2>&1)
	case "$out" in
	"$2:$3: "*"$4"*) check "$1" refused refused ;;
	*) check "$1" "$2:$3: ...$4" "$out" ;;
	esac
}
config false udp "$pki/nope.pem" "$pki/relay-sbc.key" >"$work/bad1.yaml"
refused "missing certificate refused (line of cert)" "$work/bad1.yaml" 8 "No such file"
config false udp "$pki/relay-sbc.csr" "$pki/relay-sbc.key" >"$work/bad2.yaml"
refused "a CSR is not a certificate (line of cert)" "$work/bad2.yaml" 8 "not a PEM certificate"
config false udp "$pki/relay-sbc.pem" "$pki/sbc.key" >"$work/bad3.yaml"
refused "key of another certificate refused (line of key)" "$work/bad3.yaml" 9 "is not the key of certificate"
sed "s|ca: $pki/ca.pem|ca: $pki/ca.key|" "$work/rr.yaml" >"$work/bad4.yaml"
refused "a CA file without certificates refused (line of ca)" "$work/bad4.yaml" 10 "holds no PEM certificate"
sed '/      key: /d' "$work/rr.yaml" >"$work/bad5.yaml"
refused "tls without key refused" "$work/bad5.yaml" 8 "'cert' and 'key' are required"
python3 - "$work/rr.yaml" >"$work/bad6.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
print(s.replace("  pbx: { address: 203.0.113.1, port: 5060, transports: [udp, tcp] }",
                "  pbx: { address: 203.0.113.1, port: 5060, transports: [udp, tls] }"), end="")
PY
line=$(grep -n '  pbx: { address' "$work/bad6.yaml" | cut -d: -f1)
refused "tls in transports refused (it has its own section)" "$work/bad6.yaml" "$line" "own 'tls' section"
python3 - "$work/rr.yaml" >"$work/bad7.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
print(s.replace('allow: ["203.0.113.10/32", "2001:db8:113::10/128"]\n    transport: udp',
                'allow: ["203.0.113.10/32", "2001:db8:113::10/128"]\n    transport: tls'), end="")
PY
line=$(grep -n -- '- name: pbx' "$work/bad7.yaml" | cut -d: -f1)
refused "trunk transport tls on a side without a certificate refused" "$work/bad7.yaml" "$line" "needs listen.pbx.tls"

"$LAB" up >/dev/null || bail "lab up failed"
jf() { python3 -c 'import json,sys; r=json.loads(sys.stdin.read() or "{}"); print(eval(sys.argv[1]))' "$1"; }
TLS="python3 $here/sip_tls.py"

# tls_call [CERT KEY]: sipp answers on the PBX (UDP), the PBX reflects media,
# the SBC calls over TLS; sets res (the client's JSON), uas_rc, echoed
tls_call() {
	"$LAB" exec pbx timeout 30 sipp -nostdin -sf "$SC/uas.xml" -i $PBX -p 5060 -m 1 \
		>>"$work/sipp-pbx.out" 2>&1 &
	local uas=$!
	"$LAB" exec pbx timeout 10 $TLS echo $PBX 7000 5 >"$work/echo.out" &
	local ech=$!
	sleep 0.4
	res=$("$LAB" exec sbc timeout 20 $TLS uac ${TLS_SRC:-$SBC} ${TLS_DST:-$R_SBC} 5061 "$pki/ca.pem" 7000 "$@")
	if [ "$(echo "$res" | jf 'r.get("invite")')" = 200 ]; then
		wait $uas; uas_rc=$?
	else
		kill $uas 2>/dev/null; wait $uas 2>/dev/null; uas_rc=none
	fi
	wait $ech
	echoed=$(cat "$work/echo.out")
}

# --- 1. SBC -> PBX: INVITE over TLS, relayed over UDP -------------------------
TMPDIR=$work rrd_start "$work/rr.yaml"
ok "rtprelayd listens for TLS on $R_SBC:5061" sh -c "'$LAB' exec relay ss -ltn | grep -q '$R_SBC:5061'"
tls_call
echo "# client: $res"
check "TLS call SBC->PBX answered (200 over TLS)" 200 "$(echo "$res" | jf 'r.get("invite")')"
ok "TLS 1.2 or newer negotiated ($(echo "$res" | jf 'r.get("tls")'))" \
	sh -c "echo '$res' | grep -Eq '\"TLSv1\\.[23]\"'"
check "the answer's media address is the relay's SBC side" "$R_SBC" \
	"$(echo "$res" | jf 'r.get("answer_media","").split(":")[0]')"
check "the PBX (sipp, UDP) answered and got the BYE" 0 "$uas_rc"
check "media: the 20 packets reached the PBX through the relay" 20 "$echoed"
check "media: 20 packets came back to the SBC" 20 "$(echo "$res" | jf 'r.get("media_back")')"
check "BYE over TLS answered 200" 200 "$(echo "$res" | jf 'r.get("bye")')"
ok "after the TLS call: nothing left" idle

# a client that does not trust the relay's CA refuses the connection
res=$("$LAB" exec sbc timeout 20 $TLS uac $SBC $R_SBC 5061 "$pki/stranger-ca.pem" 7000)
ok "a client trusting another CA refuses the relay's certificate" \
	sh -c "echo '$res' | grep -q CERTIFICATE_VERIFY_FAILED"
rrd_stop

# --- 2. PBX -> SBC on a trunk with transport: tls (the relay as TLS client) --
config false tls "$pki/relay-sbc.pem" "$pki/relay-sbc.key" >"$work/rr2.yaml"
ok "trunk transport tls passes --check-config" "$RRD" -c "$work/rr2.yaml" --check-config
TMPDIR=$work rrd_start "$work/rr2.yaml"
out_call() {
	"$LAB" exec sbc timeout 20 $TLS uas $SBC 5061 "$pki/sbc.pem" "$pki/sbc.key" "$pki/ca.pem" \
		>"$work/tls-uas.out" 2>&1 &
	local uas=$!
	sleep 0.5
	"$LAB" exec pbx timeout 30 sipp -nostdin -sf "$SC/uac.xml" -i $PBX -p 5070 -m 1 \
		-s 4930123 $R_PBX:5060 -d 1000 >>"$work/sipp-pbx.out" 2>&1
	uac_rc=$?
	wait $uas
	res=$(cat "$work/tls-uas.out")
	echo "# TLS SBC: $res"
}
out_call
check "PBX->SBC call answered (sipp uac over UDP)" 0 "$uac_rc"
check "the INVITE reached the SBC over TLS (port 5061 by default)" "SIP/2.0/TLS" \
	"$(echo "$res" | jf 'r.get("invite_via")')"
check "its offer carries the relay's SBC-side media address" "$R_SBC" \
	"$(echo "$res" | jf 'r.get("offer_media","").split(":")[0]')"
check "the BYE reached the SBC over TLS" True "$(echo "$res" | jf 'r.get("bye")')"
ok "after the outgoing TLS call: nothing left" idle
rrd_stop

# --- 3. verify_peer: client certificates required and checked ----------------
config true tls "$pki/relay-sbc.pem" "$pki/relay-sbc.key" >"$work/rr3.yaml"
TMPDIR=$work rrd_start "$work/rr3.yaml"
res=$("$LAB" exec sbc timeout 20 $TLS uac $SBC $R_SBC 5061 "$pki/ca.pem" 7000)
echo "# no client certificate: $res"
check "verify_peer: a client without a certificate gets no call" None \
	"$(echo "$res" | jf 'r.get("invite")')"
res=$("$LAB" exec sbc timeout 20 $TLS uac $SBC $R_SBC 5061 "$pki/ca.pem" 7000 \
	"$pki/stranger.pem" "$pki/stranger.key")
check "verify_peer: a client certificate of another CA gets no call" None \
	"$(echo "$res" | jf 'r.get("invite")')"
tls_call "$pki/sbc.pem" "$pki/sbc.key"
check "verify_peer: a client certificate of the CA: call answered" 200 \
	"$(echo "$res" | jf 'r.get("invite")')"
check "verify_peer: media both ways" "20 20" "$echoed $(echo "$res" | jf 'r.get("media_back")')"
out_call
check "verify_peer: outgoing TLS to an SBC whose certificate verifies" \
	"0 True" "$uac_rc $(echo "$res" | jf 'r.get("bye")')"
ok "after the verified calls: nothing left" idle
ok "rtprelayd alive" kill -0 "$rrd_pid"
rrd_stop

# --- 4. dual-stack SBC side: TLS on its IPv6 address too ---------------------
sed 's|    address: 198.51.100.1$|    address: [198.51.100.1, "2001:db8:51::1"]|' "$work/rr.yaml" >"$work/rr4.yaml"
ok "dual-stack TLS config passes --check-config" "$RRD" -c "$work/rr4.yaml" --check-config
TMPDIR=$work rrd_start "$work/rr4.yaml"
ok "TLS on [2001:db8:51::1]:5061 as well" sh -c "'$LAB' exec relay ss -ltn | grep -q '\\[2001:db8:51::1\\]:5061'"
TLS_SRC=2001:db8:51::10 TLS_DST=2001:db8:51::1 tls_call
echo "# client over IPv6: $res"
check "TLS over IPv6 from the SBC, UDP/IPv4 to the PBX: answered, media both ways" "200 0 20 20" \
	"$(echo "$res" | jf 'r.get("invite")') $uas_rc $echoed $(echo "$res" | jf 'r.get("media_back")')"
check "the answer's media address is the relay's IPv6 one" "2001:db8:51::1" \
	"$(echo "$res" | jf 'r.get("answer_media","").rsplit(":",1)[0]')"
ok "after the TLS/IPv6 call: nothing left" idle
not_ok "no copy of the key left behind (TMPDIR)" sh -c "ls -d $work/rtprelayd-tls.* 2>/dev/null | grep -q ."
rrd_stop
done_testing
