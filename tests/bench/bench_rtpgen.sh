#!/usr/bin/env bash
# rtpgen scale on loopback: one sender process and one receiver process with
# N concurrent 50-pps G.711 streams each, 5 s per N. A row is good when the
# receiver counts 0 lost and the sender kept its schedule (late > 1 ms rare,
# jitter well under 1 ms). Bounded: about 8 s per N.
# RTPGEN_BENCH_STREAMS="1000 2000 4000" by default; RTPGEN_BENCH_S=5.
set -u
cd "$(dirname "$0")/../.." || exit 1
G=${RR_BUILD:-build}/rtpgen
[ -x "$G" ] || { echo "bench_rtpgen: $G not built"; exit 1; }
secs=${RTPGEN_BENCH_S:-5}
tmp=$(mktemp -d /tmp/rtpgen-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
base=$((12000 + ($$ % 4) * 100))	# port-step 1: up to base+8000, below the ephemeral range

printf '%7s %9s %9s %9s %7s %10s %9s %10s %9s %9s\n' streams want_pps tx_pps rx_unique missing late_max_ms late_1ms% jitter_ms tx_cpu_s rx_cpu_s
for n in ${RTPGEN_BENCH_STREAMS:-1000 2000 4000}; do
	/usr/bin/time -f '%U %S' -o "$tmp/rx.time" "$G" recv --listen 127.0.0.1:$base \
		--streams "$n" --port-step 1 --idle 1 --duration $((secs + 30)) --json --no-per-stream \
		>"$tmp/rx.json" 2>"$tmp/rx.err" &
	rp=$!
	for _ in $(seq 200); do grep -q ready "$tmp/rx.err" && break; sleep 0.05; done
	/usr/bin/time -f '%U %S' -o "$tmp/tx.time" "$G" send --dst 127.0.0.1:$base \
		--streams "$n" --port-step 1 --duration "$secs" --json --no-per-stream \
		>"$tmp/tx.json" 2>"$tmp/tx.err"
	wait $rp
	python3 - "$tmp" "$n" <<'PY' || { echo "bench_rtpgen: N=$n failed:"; cat "$tmp"/*.err; }
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
t, r = (json.load(open(f"{d}/{x}.json")) for x in ("tx", "rx"))
cpu = lambda f: sum(map(float, open(f"{d}/{f}.time").read().split()[-2:]))
tx, rx = t["tx"], r["rx"]
print("%7d %9d %9.0f %9d %7d %10.3f %9.2f %10.3f %9.2f %9.2f" % (
    n, n * 50, tx["pps"], rx["unique"], tx["packets"] - rx["unique"],
    tx["late_max_ms"], 100.0 * tx["late_over_1ms"] / max(tx["packets"], 1),
    rx["jitter_ms_avg"], cpu("tx"), cpu("rx")))
PY
done
