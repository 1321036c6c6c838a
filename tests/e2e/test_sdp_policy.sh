#!/usr/bin/env bash
# Per-trunk media policy end to end (XDP datapath): a Teams-like offer from
# the SBC side reaches the PBX trunk (codecs: [PCMA, telephone-event],
# jitter: false) with only those codecs and no ICE lines (the PBX's sipp
# fails the call otherwise), and the flows carrying media from the PBX
# are installed without jitter ("no-jitter") while those from the SBC keep it.
set -u
DP=xdp
RRD_ENV_NAME=sdp RRD_NS=rrsdp
. "$(dirname "$0")/rrd_env.sh"
CTL=${RR_RTPRELAYCTL:-$top/${BUILD:-build}/rtprelayctl}
[ -x "$CTL" ] || bail "$CTL missing: run make"

"$LAB" up >/dev/null || bail "lab up failed"
# the PBX trunk (the first with peer 203.0.113.10:5060) with codecs and jitter
lab_yaml -e '0,/^    peers: \["203.0.113.10:5060"\]$/s//&\n    codecs: [PCMA, telephone-event]\n    jitter: false/' >"$work/rr.yaml"
ok "config with codecs and jitter passes --check-config" "$RRD" -c "$work/rr.yaml" --check-config
rrd_start "$work/rr.yaml"
check "rtprelayd runs on XDP" xdp "$(ctl status 'r["datapath"]')"

uas_start pbx "$SC/uas_codecs.xml" 1
uac sbc "$SC/uac_teams_sdp.xml" 1 -d 3000 &
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
