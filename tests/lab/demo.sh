#!/usr/bin/env bash
# make demo: the lab of DESIGN.md with rtprelayd in the relay namespace, sipp
# placing concurrent calls SBC->PBX and PBX->SBC with PCMU media both ways
# (50 packets/s per stream), a live view while they run, then a summary.
# Everything it starts is stopped and the lab torn down, also on Ctrl-C.
#
#   DEMO_CALLS=N     calls per direction (default 20, all concurrent)
#   DEMO_SECONDS=S   length of each call (default 20)
#   DEMO_MODE=auto|xdp|user   datapath (default auto: XDP)
#   RR_NS_PREFIX     lab namespace prefix (default rr-)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
B=${BUILD:-build}
CALLS=${DEMO_CALLS:-20} SECS=${DEMO_SECONDS:-20} MODE=${DEMO_MODE:-auto}
LAB=tests/lab/lab.sh
work=$(mktemp -d /tmp/rtprelay-demo.XXXXXX)
PIN=/sys/fs/bpf/rtprelay-demo-$$
SOCK=$work/ctl.sock
pids=()

step() { if [ -t 1 ]; then printf '\033[1m==> %s\033[0m\n' "$*"; else printf '==> %s\n' "$*"; fi; }
die() { echo "demo: $*" >&2; exit 1; }
cleanup() {
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	$LAB down >/dev/null 2>&1
	rm -rf "$PIN"
	[ -n "${DEMO_KEEP:-}" ] && echo "demo: logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM HUP

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP)"
for f in rtprelayd rtprelayctl; do [ -x "$B/$f" ] || die "$B/$f missing: run make"; done
command -v sipp >/dev/null || die "sipp missing: make deps"

step "lab up (namespaces ${RR_NS_PREFIX:-rr-}sbc, relay, pbx)"
$LAB up >/dev/null || die "lab up failed"

step "rtprelayd in the relay namespace (configs/lab.yaml, datapath $MODE)"
sed -e "s|mode: auto|mode: $MODE|" -e "s|/run/rtprelayd.sock|$SOCK|" -e "s|/run/rtprelayd-lab/calls|$work/calls|" \
	-e "s|pin_dir: /sys/fs/bpf/rtprelay|pin_dir: $PIN|" \
	-e 's|level: info|level: notice|' configs/lab.yaml >"$work/lab.yaml"
$B/rtprelayd -c "$work/lab.yaml" --check-config >/dev/null || die "configuration refused"
$LAB exec relay "$B/rtprelayd" -c "$work/lab.yaml" >"$work/rtprelayd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { tail "$work/rtprelayd.log"; die "rtprelayd did not start"; }

# 4 s of a 440 Hz tone in PCMU, streamed in a loop by each sipp call.
python3 - "$work/tone.pcmu" <<'PY'
import math, sys
def ulaw(s):
    s = max(-32635, min(32635, s)); sign = 0x80 if s < 0 else 0; s = abs(s) + 0x84
    e = next((e for e in range(7, -1, -1) if s & (0x4000 >> (7 - e))), 0)
    return ~(sign | e << 4 | (s >> (e + 3)) & 0xf) & 0xff
open(sys.argv[1], "wb").write(bytes(ulaw(int(8000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(32000)))
PY

step "$CALLS calls SBC->PBX and $CALLS PBX->SBC, ${SECS}s each, PCMU both ways"
sipp_in() { # NODE ARGS...: sipp in a lab node, in the work dir (tone.pcmu)
	local node=$1; shift
	(cd "$work" && exec "$top/$LAB" exec "$node" timeout $((SECS + 60)) sipp -nostdin \
		-trace_err -error_file "$work/sipp-$node-$$.err" "$@") >>"$work/sipp.log" 2>&1
}
sipp_in pbx -sf "$top/tests/lab/sipp/call_uas.xml" -i 203.0.113.10 -p 5060 -mi 203.0.113.10 -m "$CALLS" &
pids+=($!)
sipp_in sbc -sf "$top/tests/lab/sipp/call_uas.xml" -i 198.51.100.10 -p 5060 -mi 198.51.100.10 -m "$CALLS" &
pids+=($!)
sleep 0.5
sipp_in sbc -sf "$top/tests/lab/sipp/call_uac.xml" -i 198.51.100.10 -p 5070 -mi 198.51.100.10 \
	-s 4930123 -m "$CALLS" -l "$CALLS" -r 20 -d $((SECS * 1000)) \
	-trace_stat -fd 1 -stf "$work/uac-sbc.csv" 198.51.100.1:5060 &
uac1=$!
sipp_in pbx -sf "$top/tests/lab/sipp/call_uac.xml" -i 203.0.113.10 -p 5070 -mi 203.0.113.10 \
	-s 8001 -m "$CALLS" -l "$CALLS" -r 20 -d $((SECS * 1000)) \
	-trace_stat -fd 1 -stf "$work/uac-pbx.csv" 203.0.113.1:5060 &
uac2=$!
pids+=($uac1 $uac2)

python3 tests/lab/demo_view.py --sock "$SOCK" --pin-dir "$PIN" \
	--rtprelayctl "$B/rtprelayctl" --wait $uac1 $uac2 --summary "$work/summary.json"
wait $uac1 $uac2

step "summary"
python3 - "$work" "$CALLS" <<'PY'
import csv, json, sys, os
work, calls = sys.argv[1], int(sys.argv[2])
def sipp(f):
    try:
        r = list(csv.reader(open(os.path.join(work, f)), delimiter=";"))
        h, v = r[0], r[-1]
        return int(v[h.index("TotalCallCreated")]), int(v[h.index("SuccessfulCall(C)")])
    except Exception:
        return 0, 0
s = json.load(open(os.path.join(work, "summary.json")))
p1, a1 = sipp("uac-sbc.csv"); p2, a2 = sipp("uac-pbx.csv")
placed, answered = p1 + p2, a1 + a2
sampled, lost = s["relayed_packets"], s["lost_packets"]
xdp = s["xdp_forwarded"]
# The datapath's own counters are the total; per-call figures are the last
# sample of each call (its final second is missed), used for loss only.
kernel = xdp if s.get("datapath") == "xdp" else 0
user = sampled if s.get("datapath") == "user" else 0
rel = kernel + user
print(f"  calls placed {placed} (SBC->PBX {p1}, PBX->SBC {p2}), answered {answered}, "
      f"peak concurrent {s['peak_calls']}")
print(f"  media packets relayed {rel}: in the kernel (XDP) {kernel}, in userspace {user}")
print(f"  RTP loss seen by the relay: {lost} of {sampled} packets sampled per call "
      f"({100.0 * lost / max(sampled, 1):.2f}%)")
print(f"  datapath {s.get('datapath')}, flows left after the calls: {s['flows_left']}")
print(f"demo: {placed} placed, {answered} answered, {rel} relayed, {kernel} in kernel, "
      f"{user} in userspace, {lost} lost, {s['flows_left']} flows left")
sys.exit(0 if placed == answered == 2 * calls and rel > 0 and s["flows_left"] == 0 else 1)
PY
rc=$?
[ $rc -eq 0 ] || { echo "demo: something went wrong; rtprelayd log tail:"; tail -n 20 "$work/rtprelayd.log"; }
step "lab down"
exit $rc
