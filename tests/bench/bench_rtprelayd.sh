#!/usr/bin/env bash
# rtprelayd signalling benchmark in the lab (sipp SDP calls, no RTP):
#  1. RR_BENCH_CPS calls/s (300) of 30 s calls, RR_BENCH_CALLS (10000) calls:
#     zero failures required; RSS per call at the peak of concurrent calls.
#  2. short (2 s) calls at rising rates: the highest with zero failures.
# The datapath is XDP (RR_BENCH_DP=user for the socket relay, which needs 4
# sockets per call and so stops near 5,000 calls under a 20,000 fd limit).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export RR_NS_PREFIX=${RR_NS_PREFIX:-rrbench$$-}
LAB="$top/tests/lab/lab.sh"
RRD="$top/${BUILD:-build}/rtprelayd"
SC="$top/tests/e2e/sipp"
DP=${RR_BENCH_DP:-xdp}
CPS=${RR_BENCH_CPS:-300}
N=${RR_BENCH_CALLS:-10000}
RATES=${RR_BENCH_RATES:-"400 500 600 800"}
PIN=/sys/fs/bpf/rr-bench-$$
export RTPRELAY_BPF_OBJ=${RTPRELAY_BPF_OBJ:-$top/${BUILD:-build}/rtprelay.bpf.o}
work=$(mktemp -d /tmp/rr-bench.XXXXXX)
SOCK=$work/ctl.sock
rrd_pid=
cleanup() {
	[ -n "$rrd_pid" ] && kill "$rrd_pid" 2>/dev/null && wait "$rrd_pid" 2>/dev/null
	"$LAB" down >/dev/null 2>&1
	rm -rf "$work" "$PIN"
}
trap cleanup EXIT
"$LAB" up >/dev/null || { echo "bench: lab up failed"; exit 1; }
sed -e "s|mode: auto|mode: $DP|" -e "s|/run/rtprelayd.sock|$SOCK|" -e "s|/run/rtprelayd-lab/calls|$work/calls|" -e "s|pin_dir: /sys/fs/bpf/rtprelay|pin_dir: $PIN|" \
	-e 's|level: info|level: warning|' -e 's|inactivity_timeout: 60|inactivity_timeout: 0|' \
	-e 's|ports: { min: 30000, max: 39999 }|ports: { min: 20000, max: 59999 }|' \
	"$top/configs/lab.yaml" >"$work/rr.yaml"
"$LAB" exec relay "$RRD" -c "$work/rr.yaml" >"$work/rrd.log" 2>&1 &
rrd_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$work/rrd.log"; echo "bench: rtprelayd did not start"; exit 1; }
ctl() { python3 "$top/tests/e2e/ctl.py" "$SOCK" "$@"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$rrd_pid/status"; }
idle() { for _ in $(seq 300); do [ "$(ctl status 'r["calls"]')" = 0 ] && return 0; sleep 0.2; done; return 1; }
# calls RATE COUNT DURATION_MS [probe]: sipp's exit status (0: no failed call)
calls() {
	"$LAB" exec pbx timeout 300 sipp -nostdin -sf "$SC/uas.xml" -i 203.0.113.10 -p 5060 \
		-m "$2" -max_socket 60000 >/dev/null 2>&1 &
	local uas=$! rc
	sleep 0.3
	"$LAB" exec sbc timeout 300 sipp -nostdin -sf "$SC/uac.xml" -i 198.51.100.10 -p 5070 \
		-m "$2" -r "$1" -d "$3" -l $(($2)) -s 4930123 198.51.100.1:5060 \
		-trace_stat -stf "$work/stat.csv" -fd 1 >/dev/null 2>&1 &
	local uac=$!
	if [ -n "${4:-}" ]; then
		# the peak: every call set up, none ended yet
		sleep $(( $3 / 1000 < $2 / $1 ? $3 / 1000 : $2 / $1 ))
		peak_calls=$(ctl status 'r["calls"]')
		peak_rss=$(rss)
	fi
	wait $uac; rc=$?
	wait $uas
	echo "$rc" >"$work/rc"
}
echo "rtprelayd bench: $DP datapath"
# setup latency: INVITE -> 200 at the caller, per call (sipp -trace_rtt, 1 ms steps)
"$LAB" exec pbx timeout 60 sipp -nostdin -sf "$SC/uas.xml" -i 203.0.113.10 -p 5060 -m 500 >/dev/null 2>&1 &
uas=$!
sleep 0.3
(cd "$work" && "$LAB" exec sbc timeout 60 sipp -nostdin -sf "$SC/uac.xml" -i 198.51.100.10 -p 5070 \
	-m 500 -r 100 -d 100 -s 4930123 198.51.100.1:5060 -trace_rtt -rtt_freq 1 >/dev/null 2>&1)
wait $uas
python3 - "$work" <<'PY'
import glob, sys
v = sorted(float(l.split(';')[1]) for f in glob.glob(sys.argv[1] + '/*rtt.csv')
           for l in open(f).read().splitlines()[1:] if l)
if not v:
    print("rtprelayd setup latency: no samples")
else:
    p = lambda q: v[min(len(v) - 1, int(len(v) * q))]
    fmt = lambda x: "<1 ms" if x < 1 else "%g ms" % x
    print("rtprelayd setup latency (INVITE->200, %d calls at 100 cps): p50 %s, p90 %s, max %s (goal p50 <= 2.5 ms)"
          % (len(v), fmt(p(0.5)), fmt(p(0.9)), fmt(v[-1])))
PY
idle
base_rss=$(rss)
calls "$CPS" "$N" 30000 probe
rc=$(cat "$work/rc")
idle
echo "rtprelayd cps: $N calls at $CPS calls/s, 30 s each: $( [ "$rc" = 0 ] && echo "0 failed" || echo "FAILED CALLS (sipp exit $rc)")"
echo "rtprelayd memory: RSS $base_rss KiB idle, $peak_rss KiB with $peak_calls calls up:" \
	"$(( (peak_rss - base_rss) / (peak_calls > 0 ? peak_calls : 1) )) KiB per call (goal <= 8)"
echo "rtprelayd after the run: $(ctl status '"%d calls, %d flows, %d+%d ports in use" % (r["calls"], r["flows"], r["ports_in_use_sbc"], r["ports_in_use_pbx"])')"
best=0
for r in $RATES; do
	calls "$r" $((r * 10)) 2000
	rc=$(cat "$work/rc")
	idle
	if [ "$rc" = 0 ]; then
		echo "rtprelayd cps: $r calls/s for 10 s (2 s calls): 0 failed"
		best=$r
	else
		echo "rtprelayd cps: $r calls/s for 10 s (2 s calls): failed calls (sipp exit $rc)"
		break
	fi
done
echo "rtprelayd cps: highest short-call rate at zero failures: $best calls/s (goal >= 300)"
# flow install/remove latency through datapath.h (rtprelayd idle: its maps
# are free; 4 flows per call)
FL="$top/${BUILD:-build}/flow_latency"
if [ -x "$FL" ]; then
	[ "$DP" = xdp ] && "$LAB" exec relay "$FL" xdp "$PIN" 2000 | sed 's/^/rtprelayd /'
	"$LAB" exec relay "$FL" user "" 2000 | sed 's/^/rtprelayd /'
else
	echo "rtprelayd flow latency: $FL missing (make bench builds it)"
fi
