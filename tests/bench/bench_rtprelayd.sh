#!/usr/bin/env bash
# rtprelayd signalling benchmark in the lab (userspace datapath, sipp SDP
# calls without RTP): the highest call rate of the steps below that completes
# with zero failed calls, and the daemon's RSS per active call.
# Prints one line per measurement; docs/rtprelayd.md records the numbers.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export RR_NS_PREFIX=${RR_NS_PREFIX:-rrbench$$-}
LAB="$top/tests/lab/lab.sh"
RRD="$top/${BUILD:-build}/rtprelayd"
SC="$top/tests/e2e/sipp"
RATES=${RR_BENCH_RATES:-"200 300 400 500"}
work=$(mktemp -d /tmp/rr-bench.XXXXXX)
SOCK=$work/ctl.sock
rrd_pid=
cleanup() {
	[ -n "$rrd_pid" ] && kill "$rrd_pid" 2>/dev/null && wait "$rrd_pid" 2>/dev/null
	"$LAB" down >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
"$LAB" up >/dev/null || { echo "bench: lab up failed"; exit 1; }
sed -e 's|mode: auto|mode: user|' -e "s|/run/rtprelayd.sock|$SOCK|" \
	-e 's|level: info|level: warning|' -e 's|inactivity_timeout: 60|inactivity_timeout: 0|' \
	"$top/configs/lab.yaml" >"$work/rr.yaml"
"$LAB" exec relay "$RRD" -c "$work/rr.yaml" >"$work/rrd.log" 2>&1 &
rrd_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
ctl() { python3 "$top/tests/e2e/ctl.py" "$SOCK" "$@"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$(pgrep -P "$rrd_pid" -f rtprelayd || echo "$rrd_pid")/status" 2>/dev/null; }
idle() { for _ in $(seq 100); do [ "$(ctl status 'r["calls"]')" = 0 ] && return 0; sleep 0.2; done; return 1; }
# run RATE COUNT DURATION_MS: prints sipp's exit status
run() {
	"$LAB" exec pbx timeout 120 sipp -nostdin -sf "$SC/uas.xml" -i 203.0.113.10 -p 5060 \
		-m "$2" >/dev/null 2>&1 &
	local uas=$!
	sleep 0.3
	"$LAB" exec sbc timeout 120 sipp -nostdin -sf "$SC/uac.xml" -i 198.51.100.10 -p 5070 \
		-m "$2" -r "$1" -d "$3" -s 4930123 198.51.100.1:5060 >/dev/null 2>&1
	local rc=$?
	wait $uas
	echo $rc
}
# memory first, on a fresh daemon: N calls up at once
N=${RR_BENCH_CALLS:-2000}
base=$(rss)
"$LAB" exec pbx timeout 120 sipp -nostdin -sf "$SC/uas.xml" -i 203.0.113.10 -p 5060 -m "$N" >/dev/null 2>&1 &
uas=$!
sleep 0.3
"$LAB" exec sbc timeout 120 sipp -nostdin -sf "$SC/uac.xml" -i 198.51.100.10 -p 5070 \
	-m "$N" -r 400 -d 20000 -s 4930123 198.51.100.1:5060 >/dev/null 2>&1 &
uac=$!
sleep $((N / 400 + 3))
active=$(ctl status 'r["calls"]')
peak=$(rss)
wait $uac $uas
idle
echo "rtprelayd memory: RSS $base KiB idle, $peak KiB with $active calls up: $(( (peak - base) / (active > 0 ? active : 1) )) KiB per call (goal <= 8)"

best=0
for r in $RATES; do
	rc=$(run "$r" $((r * 10)) 2000)
	idle
	if [ "$rc" = 0 ]; then
		echo "rtprelayd cps: $r calls/s for 10 s (2 s calls): 0 failed"
		best=$r
	else
		echo "rtprelayd cps: $r calls/s: sipp reported failed calls (exit $rc)"
		break
	fi
done
echo "rtprelayd cps: highest step at zero failures: $best calls/s (goal >= 300)"

