#!/usr/bin/env bash
# Per-trunk media policy end to end (XDP datapath): a Teams-like offer from
# the SBC side reaches the PBX trunk (codecs: [PCMA, telephone-event],
# jitter: false) with only those codecs and no ICE lines (the PBX's sipp
# fails the call otherwise), and the flows carrying media from the PBX
# are installed without jitter ("no-jitter") while those from the SBC keep it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib.sh"
export RR_NS_PREFIX=${RR_NS_PREFIX:-rrsdp$$-}
RRD_ENV_NAME=sdp
. "$here/rrd_env.sh"
CTL=${RR_RTPRELAYCTL:-$top/${BUILD:-build}/rtprelayctl}
[ -x "$CTL" ] || bail "$CTL missing: run make"

"$LAB" up >/dev/null || bail "lab up failed"
python3 - "$top/configs/lab.yaml" "$work/rr.yaml" "$SOCK" "$PIN" <<'PY'
import sys
src, dst, sock, pin = sys.argv[1:]
s = open(src).read()
s = s.replace("mode: auto", "mode: xdp").replace("/run/rtprelayd.sock", sock)
s = s.replace("pin_dir: /sys/fs/bpf/rtprelay", "pin_dir: " + pin)
s = s.replace("/run/rtprelayd-lab/calls", dst.rsplit("/", 1)[0] + "/calls")
s = s.replace('''    peers: ["203.0.113.10:5060"]
''', '''    peers: ["203.0.113.10:5060"]
    codecs: [PCMA, telephone-event]
    jitter: false
''', 1)
open(dst, "w").write(s)
PY
ok "config with codecs and jitter passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
"$LAB" exec relay "$RRD" -c "$work/rr.yaml" >"$work/rrd.log" 2>&1 &
rrd_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$work/rrd.log"; bail "rtprelayd did not start"; }
ctl() { python3 "$here/ctl.py" "$SOCK" "$@"; }
check "rtprelayd runs on XDP" xdp "$(ctl status 'r["datapath"]')"

sipp_in() {
	local node=$1; shift
	"$LAB" exec "$node" timeout 60 sipp -nostdin -trace_err \
		-error_file "$work/sipp-$node.err" "$@" >>"$work/sipp-$node.out" 2>&1
}
sipp_in pbx -sf "$SC/uas_codecs.xml" -i 203.0.113.10 -p 5060 -m 1 &
uas_pid=$!
sleep 0.3
sipp_in sbc -sf "$SC/uac_teams_sdp.xml" -i 198.51.100.10 -p 5070 -m 1 -d 3000 \
	-s 4930123 198.51.100.1:5060 &
uac_pid=$!
sleep 1.5
flows=$("$LAB" exec relay "$CTL" --pin-dir "$PIN" flows --json 2>&1)
# flows from the PBX (received on the relay's PBX address) skip jitter;
# flows from the SBC keep it
summary=$(printf '%s' "$flows" | python3 -c '
import json, sys
fl = json.load(sys.stdin)["flows"]
def nj(prefix):
    return sorted({"no-jitter" in f["flags"] for f in fl if f["in"].startswith(prefix)})
print(len(fl), nj("203.0.113.1:"), nj("198.51.100.1:"))' 2>&1)
check "4 flows; from the PBX trunk no-jitter, from the SBC trunk not" \
	"4 [True] [False]" "$summary"
wait "$uac_pid"
ok "the call through the codec filter is answered and ends (SBC sipp)" test $? -eq 0
wait "$uas_pid"
rc=$?
ok "the PBX received only PCMA + telephone-event, no ICE/x-candidate lines" test $rc -eq 0
[ $rc -eq 0 ] || { echo "# sipp PBX errors:"; sed 's/^/#   /' "$work/sipp-pbx.err" | tail -20; }
for _ in $(seq 30); do
	[ "$(ctl status '(r["calls"], r["flows"])')" = "(0, 0)" ] && break
	sleep 0.2
done
check "no call or flow left" "(0, 0)" "$(ctl status '(r["calls"], r["flows"])')"
done_testing
