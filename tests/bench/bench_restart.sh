#!/usr/bin/env bash
# How fast a start adopts saved calls (docs/operations.md, "Restarting"):
# N synthetic state files (flows not in the map, so all are installed
# again), sipp on both sides answering the adopting re-INVITEs, rtprelayd
# on XDP in the lab. Prints the time to the control socket and until every
# leg is adopted, and the RSS. BENCH_RESTART_CALLS=N (default 1000).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
N=${BENCH_RESTART_CALLS:-1000}
[ "$(id -u)" -eq 0 ] || { echo "bench_restart: needs root (lab, XDP)"; exit 1; }
export RR_NS_PREFIX=rrbr$$-
LAB=$top/tests/lab/lab.sh
W=$(mktemp -d /tmp/rr-bench-restart.XXXXXX)
PIN=/sys/fs/bpf/rr-bench-restart-$$
export RTPRELAY_BPF_OBJ=$top/${BUILD:-build}/rtprelay.bpf.o
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$LAB" down >/dev/null 2>&1
	rm -rf "$PIN" "$W"
}
trap cleanup EXIT
"$LAB" up >/dev/null || { echo "bench_restart: lab up failed"; exit 1; }
sed -e "s|mode: auto|mode: xdp|" -e "s|/run/rtprelayd.sock|$W/ctl.sock|" \
	-e "s|/run/rtprelayd-lab/calls|$W/calls|" -e "s|pin_dir: /sys/fs/bpf/rtprelay|pin_dir: $PIN|" \
	"$top/configs/lab.yaml" >"$W/rr.yaml"
# N calls SBC 198.51.100.10 <-> PBX 203.0.113.10, relay ports 30000 + 2i
python3 - "$N" "$W/calls" "$PIN" <<'PY'
import os, sys
n, d, pin = int(sys.argv[1]), sys.argv[2], sys.argv[3]
os.makedirs(d, exist_ok=True)
sdp = "v=0\\r\\no=- 1 1 IN IP4 %s\\r\\ns=-\\r\\nc=IN IP4 %s\\r\\nt=0 0\\r\\nm=audio %d RTP/AVP 0\\r\\n"
for i in range(1, n + 1):
    p = 30000 + 2 * (i - 1)
    ls = ["rtprelayd-call 1", "id %d" % i, "from 4930111", "to 4930123", "start 1763900000",
          "answer 1763900001", "pin_dir " + pin, "side0 0", "family0 ipv4", "side1 1", "family1 ipv4",
          "streams 1", "s0.port0 %d" % p, "s0.installed0 1", "s0.peer0 198.51.100.10 7000",
          "s0.port1 %d" % p, "s0.installed1 1", "s0.peer1 203.0.113.10 7000"]
    for l, (peer, relay, trunk) in enumerate([("198.51.100.10", "198.51.100.1", "sbc"),
                                              ("203.0.113.10", "203.0.113.1", "pbx")]):
        ls += ["leg%d.call_id bench-%d-%d@relay" % (l, i, l), "leg%d.local <sip:r@%s>;tag=r%d" % (l, relay, i),
               "leg%d.remote <sip:p@%s>;tag=p%d" % (l, peer, i), "leg%d.target sip:p@%s:5060" % (l, peer),
               "leg%d.trunk %s" % (l, trunk), "leg%d.sdp " % l + sdp % (relay, relay, p),
               "leg%d.local_cseq 100" % l, "leg%d.transport udp" % l]
    open(os.path.join(d, "call-%d.state" % i), "w").write("\n".join(ls + ["end"]) + "\n")
PY
for node in sbc pbx; do
	ip=$([ $node = sbc ] && echo 198.51.100.10 || echo 203.0.113.10)
	"$LAB" exec $node timeout 120 sipp -nostdin -sf "$top/tests/e2e/sipp/uas_adopt.xml" \
		-i $ip -p 5060 -m "$N" >"$W/sipp-$node.out" 2>&1 &
	pids+=($!)
done
sleep 1
t0=$(date +%s.%N)
"$LAB" exec relay "$top/${BUILD:-build}/rtprelayd" -c "$W/rr.yaml" >"$W/rrd.log" 2>&1 &
rp=$!
pids+=($rp)
for _ in $(seq 600); do [ -S "$W/ctl.sock" ] && break; sleep 0.02; done
t1=$(date +%s.%N)
for _ in $(seq 600); do
	[ "$(grep -c 'event=adopt' "$W/rrd.log")" -ge $((2 * N)) ] && break
	sleep 0.05
done
t2=$(date +%s.%N)
calls=$(python3 "$top/tests/e2e/ctl.py" "$W/ctl.sock" status 'r["calls"]')
flows=$(python3 "$top/tests/e2e/ctl.py" "$W/ctl.sock" status 'r["flows"]')
echo "bench_restart: $N saved calls: control socket up after $(echo "$t1 - $t0" | bc) s," \
	"$(grep -c 'event=adopt' "$W/rrd.log") legs adopted after $(echo "$t2 - $t0" | bc) s;" \
	"calls $calls, flows $flows, RSS $(ps -o rss= -p $rp) KiB"
kill -INT $rp
wait $rp
