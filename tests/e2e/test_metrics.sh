#!/usr/bin/env bash
# rtprelayd's Prometheus endpoint in the lab: a bad metrics.listen is refused
# by --check-config with FILE:LINE; with metrics on (127.0.0.1:9120 in the
# relay's namespace), GET /metrics is scraped before, during and after calls
# placed with sipp (one with media both ways, one more, one cancelled, a 403): every line a
# valid exposition line, the expected families present, and the counters
# (calls_total, answered, cancelled, rejected_403, active calls, forwarded packets, loss
# histogram) match what was done. Other paths: 404; POST: 405. With strict
# latching, 5 packets from a wrong source port (and on XDP 3 with TTL 1) are
# dropped: rtprelay_drops_total{reason} and the call's per-flow drops in the
# control socket count them.
set -u
# RR_DP=xdp: the XDP tier carries the media (test_metrics_xdp.sh)
DP=${RR_DP:-user}
URL=http://127.0.0.1:9120
RRD_ENV_NAME=metrics RRD_NS=rrmx
. "$(dirname "$0")/rrd_env.sh"

# --- configuration -------------------------------------------------------------
lab_yaml -e "s|strict: false|strict: true|" >"$work/rr.yaml"
lines=$(wc -l <"$work/rr.yaml")
cp "$work/rr.yaml" "$work/bad.yaml"
printf 'metrics:\n  listen: "localhost:9120"\n' >>"$work/bad.yaml"
out=$("$RRD" -c "$work/bad.yaml" --check-config 2>&1); rc=$?
check "--check-config refuses a metrics.listen that is not ADDRESS[:PORT]" 1 "$rc"
check "... naming FILE:LINE" "$work/bad.yaml:$((lines + 2)):" "${out%% *}"
printf 'metrics: { listen: "127.0.0.1:9120" }\n' >>"$work/rr.yaml"
ok "lab.yaml with metrics.listen passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config

"$LAB" up >/dev/null || bail "lab up failed"
rrd_start "$work/rr.yaml"

scrape() { "$LAB" exec relay python3 "$here/metrics_scrape.py" "$URL${1:-/metrics}" ${2:-}; }
# val JSON SERIES: a sample's value as an integer ("missing" when absent)
val() {
	python3 -c 'import json,sys; s=json.loads(sys.argv[1])["samples"]
v=s.get(sys.argv[2]); print("missing" if v is None else int(v))' "$1" "$2"
}
field() { python3 -c 'import json,sys; print(eval(sys.argv[2], {"r": json.loads(sys.argv[1])}))' "$1" "$2"; }
# after the daemon's next once-a-second update
settle() { sleep 1.3; }

# --- 1. idle -------------------------------------------------------------------
m=$(scrape)
check "GET /metrics: 200" 200 "$(field "$m" 'r["status"]')"
check "Content-Type is the text format 0.0.4" "text/plain; version=0.0.4; charset=utf-8" \
	"$(field "$m" 'r["content_type"]')"
check "every line is a valid exposition line" "[]" "$(field "$m" 'r["bad"]')"
check "expected families present with their types" \
	"counter gauge counter gauge gauge gauge counter counter counter histogram histogram gauge" \
	"$(field "$m" '" ".join(r["types"].get("rtprelay_" + n, "missing") for n in
		"calls_total calls_active call_outcomes_total trunk_peer_up trunk_calls_active flows_installed forwarded_packets_total forwarded_bytes_total datapath_packets_total stream_loss_ratio stream_jitter_ms ports_in_use".split())')"
check "drops, calls per second: families present with their types" "counter gauge" \
	"$(field "$m" '" ".join(r["types"].get("rtprelay_" + n, "missing") for n in "drops_total calls_per_second".split())')"
check "idle: calls_per_second 0" 0 "$(val "$m" rtprelay_calls_per_second)"
for reason in src_mismatch ttl fib tx; do
	check "idle: drops_total{reason=\"$reason\"} 0 on the $DP tier" 0 \
		"$(val "$m" "rtprelay_drops_total{tier=\"$DP\",reason=\"$reason\"}")"
done
check "idle: calls_total 0" 0 "$(val "$m" rtprelay_calls_total)"
check "idle: calls_active 0" 0 "$(val "$m" rtprelay_calls_active)"
check "per-trunk peer state (up until OPTIONS fails)" 1 \
	"$(val "$m" 'rtprelay_trunk_peer_up{trunk="pbx",peer="203.0.113.10:5060"}')"
check "datapath counters by reason on the $DP tier" 0 \
	"$(val "$m" "rtprelay_datapath_packets_total{tier=\"$DP\",reason=\"drop_ttl\"}")"
check "other paths: 404" 404 "$(field "$(scrape /)" 'r["status"]')"
check "POST /metrics: 405" 405 "$(field "$(scrape /metrics POST)" 'r["status"]')"

# --- 2. calls ------------------------------------------------------------------
uas_start pbx "$SC/uas.xml" 2
uac sbc "$SC/uac.xml" 1 -d 6000 &
uac_pid=$!
sleep 1
ra=$(ctl calls 'r["calls"][0]["streams"][0]["relay_port_0"]')
media_probe sbc 7000 pbx 7000
check "media relayed both ways (20 packets back to the caller)" 20 "$got_a"
# bad packets towards the callee: a source port the flow did not latch
# (strict), and on XDP a TTL that would reach 0
bad() { # PORT TTL N
	"$LAB" exec sbc python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.10", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(sys.argv[2]))
for i in range(int(sys.argv[3])):
    s.sendto(bytes([0x80, 0, 0, 200 + i]) + bytes(8) + bytes(160), ("198.51.100.1", int(sys.argv[4])))' "$@" "$ra"
}
bad 7002 64 5
n_ttl=0
if [ "$DP" = xdp ]; then bad 7000 1 3; n_ttl=3; fi
sleep 0.3
check "per-flow drops of the call (control socket): 5 src_mismatch, $n_ttl ttl" "5 $n_ttl 0 0" \
	"$(ctl calls '" ".join(str(r["calls"][0]["streams"][0]["to_callee"]["drops"][k]) for k in ("src_mismatch", "ttl", "fib", "tx"))')"
check "... none towards the caller" 0 \
	"$(ctl calls 'sum(r["calls"][0]["streams"][0]["to_caller"]["drops"].values())')"
m=$(scrape)
check "during the call: calls_active 1" 1 "$(val "$m" rtprelay_calls_active)"
check "during the call: trunk_calls_active sbc 1" 1 "$(val "$m" 'rtprelay_trunk_calls_active{trunk="sbc"}')"
check "during the call: 4 flows installed" 4 "$(val "$m" "rtprelay_flows_installed{tier=\"$DP\"}")"
wait $uac_pid; rc=$?
check "call 1 answered and ended (sipp uac)" 0 "$rc"
uac sbc "$SC/uac.xml" 1 -d 200; rc=$?
check "call 2 answered and ended" 0 "$rc"
wait $uas_pid
# a call cancelled by the caller while ringing
uas_start pbx "$SC/uas_cancel.xml" 1
uac sbc "$SC/uac_cancel.xml" 1; rc=$?
check "call 3 cancelled by the caller" 0 "$rc"
wait $uas_pid
# 403: an INVITE from a source outside every trunk's networks
"$LAB" exec relay python3 - <<'PY' >"$work/403"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); s.settimeout(3)
p = s.getsockname()[1]
m = ("INVITE sip:4930123@198.51.100.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-mx-1\r\n"
     "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:4930123@198.51.100.1>\r\nCall-ID: rr-mx-403\r\n"
     "CSeq: 1 INVITE\r\nContact: <sip:x@127.0.0.1:%d>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n") % (p, p)
s.sendto(m.encode(), ("198.51.100.1", 5060))
while True:
    r = s.recv(4096).decode(errors="replace").split("\r\n")[0]
    if not r.startswith("SIP/2.0 100"):
        print(r); break
PY
check "INVITE from an unknown source: 403" "SIP/2.0 403 Forbidden" "$(cat "$work/403")"
for _ in $(seq 30); do [ "$(ctl status 'r["calls"]')" = 0 ] && break; sleep 0.2; done
settle

# --- 3. after the calls --------------------------------------------------------
m=$(scrape)
echo "$m" >"$work/after.json"
check "after: every line is a valid exposition line" "[]" "$(field "$m" 'r["bad"]')"
check "every family served is documented in docs/rtprelayd.md (Metrics)" "[]" \
	"$(python3 -c 'import json,sys; d=open(sys.argv[2]).read()
print([n for n in sorted(json.loads(sys.argv[1])["types"]) if "`" + n + "`" not in d])' "$m" "$top/docs/rtprelayd.md")"
check "calls_total counts the 3 calls placed" 3 "$(val "$m" rtprelay_calls_total)"
check "outcome cancelled: 1" 1 "$(val "$m" 'rtprelay_call_outcomes_total{outcome="cancelled"}')"
check "outcome answered: 2" 2 "$(val "$m" 'rtprelay_call_outcomes_total{outcome="answered"}')"
check "outcome rejected_403: 1" 1 "$(val "$m" 'rtprelay_call_outcomes_total{outcome="rejected_403"}')"
check "outcome failed: 0" 0 "$(val "$m" 'rtprelay_call_outcomes_total{outcome="failed"}')"
check "calls_active back to 0" 0 "$(val "$m" rtprelay_calls_active)"
check "flows back to 0" 0 "$(val "$m" "rtprelay_flows_installed{tier=\"$DP\"}")"
check "forwarded packets of ended calls kept (40: 20 each way)" 40 \
	"$(val "$m" "rtprelay_forwarded_packets_total{tier=\"$DP\"}")"
check "forwarded bytes: 40 x (20 + 8 + 172)" 8000 \
	"$(val "$m" "rtprelay_forwarded_bytes_total{tier=\"$DP\"}")"
check "datapath fwd_tx + fwd_redirect counted the 40 packets" 40 \
	"$(( $(val "$m" "rtprelay_datapath_packets_total{tier=\"$DP\",reason=\"fwd_tx\"}") + \
	     $(val "$m" "rtprelay_datapath_packets_total{tier=\"$DP\",reason=\"fwd_redirect\"}") ))"
check "loss histogram: both directions of the media call, no loss" "2 2" \
	"$(val "$m" rtprelay_stream_loss_ratio_count) $(val "$m" 'rtprelay_stream_loss_ratio_bucket{le="0"}')"
check "jitter histogram: 2 observations" 2 "$(val "$m" rtprelay_stream_jitter_ms_count)"
check "drops_total{reason=\"src_mismatch\"}: the 5 packets from a wrong source" 5 \
	"$(val "$m" "rtprelay_drops_total{tier=\"$DP\",reason=\"src_mismatch\"}")"
check "drops_total{reason=\"ttl\"}: $n_ttl" "$n_ttl" \
	"$(val "$m" "rtprelay_drops_total{tier=\"$DP\",reason=\"ttl\"}")"
check "drops_total agrees with datapath_packets_total{reason=\"drop_src_mismatch\"}" 5 \
	"$(val "$m" "rtprelay_datapath_packets_total{tier=\"$DP\",reason=\"drop_src_mismatch\"}")"
check "no fib or tx drops" "0 0" \
	"$(val "$m" "rtprelay_drops_total{tier=\"$DP\",reason=\"fib\"}") $(val "$m" "rtprelay_drops_total{tier=\"$DP\",reason=\"tx\"}")"
ok "calls_per_second > 0 within 10 s of the calls ($(field "$m" 'r["samples"]["rtprelay_calls_per_second"]'))" \
	python3 -c 'import json,sys; sys.exit(not json.loads(sys.argv[1])["samples"]["rtprelay_calls_per_second"] > 0)' "$m"

kill "$rrd_pid"
wait "$rrd_pid"; rc=$?
rrd_pid=
check "rtprelayd exits 0 on SIGTERM with metrics on" 0 "$rc"
not_ok "no sanitizer report in the daemon's log" grep -q "Sanitizer\|runtime error" "$work/rrd.log"
[ "$_tap_failed" -eq 0 ] || { echo "# daemon log:"; sed 's/^/#   /' "$work/rrd.log" | tail -30; }
done_testing
