#!/usr/bin/env bash
# rtprelayctl status, trunks and top against a live lab: XDP attached by
# rtprelayctl (native on sbc0, generic on pbx0) with flows and no daemon
# (status says "rtprelayd: not running" and exits 0; --json fields and fill
# levels as docs/rtprelayctl.md documents them), then rtprelayd on the XDP
# tier with one call up: status sees the daemon, trunks lists the peers,
# top --count 2 shows the call with packets/s both ways.
set -u
RRD_ENV_NAME=ctlst RRD_NS=rrst
. "$(dirname "$0")/rrd_env.sh"
CTL=${RR_RTPRELAYCTL:-$top/${BUILD:-build}/rtprelayctl}
[ -x "$CTL" ] || bail "$CTL missing: run make"
"$LAB" up >/dev/null || bail "lab up failed"

rctl() { "$LAB" exec relay "$CTL" --pin-dir "$PIN" --socket "$SOCK" "$@"; }
# jq-like checks: pyj FILE EXPR (r = the parsed JSON)
pyj() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# --- nothing at all: exit 1, still a report ---------------------------------
out=$(rctl status 2>&1); rc=$?
check "status with nothing pinned and no daemon exits 1" 1 "$rc"
check "... and says rtprelayd: not running" yes \
	"$(grep -q '^rtprelayd: not running' <<<"$out" && echo yes || echo "no: $out")"

# --- XDP by rtprelayctl, no daemon ------------------------------------------
ok "attach sbc0 native (max 64 flows)" rctl attach sbc0 --max-flows 64
ok "attach pbx0 generic" rctl attach pbx0 --mode generic
for i in 1 2 3; do
	rctl flow add --in 198.51.100.1:2000$i --out-src 203.0.113.1:3000$i \
		--out-dst 203.0.113.10:4000$i >/dev/null
done
rctl status --json >"$work/st.json"; rc=$?
check "status --json with pinned maps and no daemon exits 0" 0 "$rc"
python3 - "$work/st.json" "$PIN" "$SOCK" >"$work/validate.out" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def need(obj, keys, where):
    missing = [k for k in keys if k not in obj]
    assert not missing, f"{where}: missing {missing}"
need(r, ["pin_dir", "tiers", "xdp", "kmod", "daemon"], "top level")
need(r["xdp"], ["pinned", "attached", "flows", "max_flows", "fill_pct", "maps", "devices"], "xdp")
need(r["daemon"], ["socket", "running", "status", "error"], "daemon")
need(r["kmod"], ["loaded"], "kmod")
assert r["pin_dir"] == sys.argv[2], r["pin_dir"]
assert "xdp" in r["tiers"], r["tiers"]
x = r["xdp"]
assert x["pinned"] is True and x["attached"] is True, x
assert x["flows"] == 3 and x["max_flows"] == 64, (x["flows"], x["max_flows"])
assert abs(x["fill_pct"] - 100 * 3 / 64) < 1e-6, x["fill_pct"]
maps = {m["name"]: m for m in x["maps"]}
for m in maps.values():
    need(m, ["name", "type", "id", "key_size", "value_size", "max_entries", "entries"], m["name"])
assert set(maps) == {"rr_flows", "rr_flow_stats", "rr_global", "rr_tx_ports", "rr_nh_cache"}, set(maps)
assert maps["rr_flows"]["entries"] == 3 and maps["rr_flows"]["max_entries"] == 64, maps["rr_flows"]
assert maps["rr_flows"]["type"] == "hash", maps["rr_flows"]["type"]
assert maps["rr_flow_stats"]["type"] == "percpu_array", maps["rr_flow_stats"]["type"]
assert maps["rr_tx_ports"]["entries"] == 2, maps["rr_tx_ports"]
devs = {d["ifname"]: d for d in x["devices"]}
for d in devs.values():
    need(d, ["ifname", "ifindex", "mode", "prog_id", "prog_name", "tx_port"], d["ifname"])
assert devs["sbc0"]["mode"] == "native", devs["sbc0"]
assert devs["pbx0"]["mode"] == "generic", devs["pbx0"]
for n in ("sbc0", "pbx0"):
    assert devs[n]["prog_name"] == "rtprelay_xdp" and devs[n]["prog_id"] > 0, devs[n]
    assert devs[n]["tx_port"] is True, devs[n]
d = r["daemon"]
assert d["running"] is False and d["status"] is None and d["socket"] == sys.argv[3], d
assert "cannot reach" in d["error"], d["error"]
print("valid")
PY
check "status --json: documented fields, 3 of 64 flows, native/generic, no daemon" valid \
	"$(tail -1 "$work/validate.out")"
[ "$(tail -1 "$work/validate.out")" = valid ] || sed 's/^/# /' "$work/validate.out"
out=$(rctl status); rc=$?
check "status (text) with no daemon exits 0" 0 "$rc"
check "... says rtprelayd: not running" 1 "$(grep -c '^rtprelayd: not running' <<<"$out")"
check "... shows the fill level" 1 "$(grep -c 'flows 3 of 64 (4.7%)' <<<"$out")"
check "... shows sbc0 native and pbx0 generic" 2 \
	"$(grep -cE '^  (sbc0 +[0-9]+ native|pbx0 +[0-9]+ generic) +[0-9]+ rtprelay_xdp +yes' <<<"$out")"
out=$(rctl top --count 1 2>&1); rc=$?
check "top without a daemon exits 1" 1 "$rc"
check "trunks without a daemon exits 1 naming the socket" 1 \
	"$(rctl trunks 2>&1 >/dev/null | grep -c "cannot reach rtprelayd at $SOCK")"
ok "detach pbx0" rctl detach pbx0
ok "detach sbc0 (unpins)" rctl detach sbc0

# --- rtprelayd on the XDP tier with a call up -------------------------------
# the socket's directory does not exist yet: rtprelayd makes it (run by
# hand, as systemd's RuntimeDirectory would)
SOCK=$work/run/ctl.sock
DP=xdp lab_yaml >"$work/rr.yaml"
rrd_start "$work/rr.yaml"
check "rtprelayd made the control socket's directory (0755)" 755 "$(stat -c %a "$work/run")"

rctl trunks --json >"$work/trunks.json"; rc=$?
check "trunks --json exits 0" 0 "$rc"
check "trunks --json: sbc and pbx with their peer and OPTIONS state" \
	"sbc 198.51.100.10 5060 up; pbx 203.0.113.10 5060 up" \
	"$(pyj "$work/trunks.json" '"; ".join("%s %s %d %s" % (t["name"], p["host"], p["port"], p["state"]) for t in r["trunks"] for p in t["peers"])')"
check "trunks (text): 2 trunks, 2 peers" 1 "$(rctl trunks | grep -c '^2 trunks, 2 peers$')"

"$LAB" exec pbx timeout 30 sipp -nostdin -sf "$here/sipp/uas.xml" -i $PBX -p 5060 -m 1 \
	>"$work/uas.out" 2>&1 &
uas_pid=$!
sleep 0.3
"$LAB" exec sbc timeout 30 sipp -nostdin -sf "$here/sipp/uac.xml" -i $SBC -p 5070 -m 1 \
	-s 4930123 -d 6000 $R_SBC:5060 >"$work/uac.out" 2>&1 &
uac_pid=$!
ports=
for _ in $(seq 30); do
	ports=$(python3 "$here/ctl.py" "$SOCK" calls \
		'"%d %d" % (r["calls"][0]["streams"][0]["relay_port_0"], r["calls"][0]["streams"][0]["relay_port_1"]) if r["calls"] and r["calls"][0]["state"] == "answered" else ""' 2>/dev/null)
	[ -n "$ports" ] && break
	sleep 0.1
done
[ -n "$ports" ] || bail "no answered call through rtprelayd"
ra=${ports% *} rb=${ports#* }
# a steady 50 packets/s each way for 4 s, like a G.711 call
stream() { # NODE BIND_IP RELAY_IP RELAY_PORT
	"$LAB" exec "$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7000))
for i in range(200):
    s.sendto(bytes([0x80, 0, i >> 8, i & 0xff]) + (i * 160).to_bytes(4, "big") + b"\x00\x00\x12\x34" + b"\xff" * 160, (sys.argv[2], int(sys.argv[3])))
    time.sleep(0.02)' "$2" "$3" "$4"
}
stream pbx $PBX $R_PBX "$rb" &
pb=$!
stream sbc $SBC $R_SBC "$ra" &
pa=$!
sleep 1
rctl top --count 2 --interval 1000 --json >"$work/top.json"; rc=$?
check "top --count 2 --json exits 0" 0 "$rc"
check "top --count 2 --json: 2 samples" 2 "$(wc -l <"$work/top.json")"
check "top: the answered call with packets/s both ways in the second sample" "answered True True" \
	"$(tail -1 "$work/top.json" | python3 -c 'import json,sys; c=json.load(sys.stdin)["calls"][0]; print(c["state"], c["pps_to_callee"] > 5, c["pps_to_caller"] > 5)')"
check "top: no rate in the first sample (null)" "None None" \
	"$(head -1 "$work/top.json" | python3 -c 'import json,sys; c=json.load(sys.stdin)["calls"][0]; print(c["pps_to_callee"], c["pps_to_caller"])')"
out=$(rctl top --count 2 --interval 500); rc=$?
check "top --count 2 (text) exits 0" 0 "$rc"
check "top (text): two screens, no terminal escapes off a tty" "2 0" \
	"$(grep -c '^rtprelayd .* datapath xdp  calls 1' <<<"$out") $(grep -c $'\e' <<<"$out")"
check "top (text): the call row" 2 "$(grep -cE '^ +[0-9]+ answered ' <<<"$out")"
rctl status --json >"$work/st2.json"; rc=$?
check "status --json with the daemon exits 0" 0 "$rc"
check "status --json: daemon running on xdp with 1 call, 4 flows in the maps" "True xdp 1 4" \
	"$(pyj "$work/st2.json" '"%s %s %d %d" % (r["daemon"]["running"], r["daemon"]["status"]["datapath"], r["daemon"]["status"]["calls"], r["xdp"]["flows"])')"
check "status (text): rtprelayd: running" 1 "$(rctl status | grep -c '^rtprelayd: running')"
wait $pa $pb
wait $uac_pid; check "the call ended normally (sipp uac)" 0 "$?"
wait $uas_pid
done_testing
