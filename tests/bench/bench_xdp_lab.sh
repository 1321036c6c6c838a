#!/usr/bin/env bash
# Lab packets/s: rtprelay (1 flow and 10,000 flows) against an XDP_TX floor
# (swap MACs, bounce) and a plain devmap redirect, in the same run, at
# 214-byte frames (G.711/20 ms). Load from BPF_PROG_TEST_RUN live frames on
# sbc-eth; counted at the sink by a per-CPU counting XDP program
# (build/xdp_bench, tests/bench/xdp_bench.c). Bounded: SECONDS per run
# (default 3), ROUNDS rounds (default 2), each configuration once per round.
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "bench_xdp_lab: needs root" >&2; exit 1; }
for f in build/xdp_bench build/bench_xdp.bpf.o build/rtprelayctl build/rtprelay.bpf.o; do
	[ -e "$f" ] || { echo "bench_xdp_lab: $f missing: run make" >&2; exit 1; }
done
export RR_NS_PREFIX=${RR_BENCH_PREFIX:-rrb$$-}
SECS=${SECONDS_PER_RUN:-3} ROUNDS=${ROUNDS:-2}
lab=tests/lab/lab.sh
PIN=/sys/fs/bpf/rrb$$
ctl() { $lab exec relay build/rtprelayctl --pin-dir "$PIN" "$@"; }
cleanup() {
	ctl detach sbc0 >/dev/null 2>&1
	ctl detach pbx0 >/dev/null 2>&1
	rm -rf "$PIN"
	$lab down >/dev/null 2>&1
}
trap cleanup EXIT
$lab up >/dev/null || exit 1

run() { build/xdp_bench --prefix "$RR_NS_PREFIX" --seconds "$SECS" "$@"; }
declare -A sum
results=$(mktemp)
for r in $(seq "$ROUNDS"); do
	# floor and redirect swap their program onto sbc0: before attaching.
	ctl detach sbc0 >/dev/null 2>&1; ctl detach pbx0 >/dev/null 2>&1
	run --mode floor >>"$results" || exit 1
	run --mode redirect >>"$results" || exit 1
	ctl attach sbc0 >/dev/null && ctl attach pbx0 >/dev/null || exit 1
	run --mode relay --flows 1 --pin-dir "$PIN" >>"$results" || exit 1
	run --mode relay --flows 10000 --pin-dir "$PIN" >>"$results" || exit 1
	run --mode relay --flows 1 --no-jitter --pin-dir "$PIN" >>"$results" || exit 1
	run --mode relay --flows 10000 --no-jitter --pin-dir "$PIN" >>"$results" || exit 1
	fwd=$(ctl stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["fwd_redirect"])')
	echo "round $r: rtprelay fwd_redirect counter $fwd" >&2
done

echo "lab packets/s, 214-byte frames, ${SECS}s per run, $ROUNDS rounds (mean), $(nproc) CPUs"
awk '
	{ k = $1 " " $2; gen[k] += $6; pps[k] += $7; n[k]++; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
	END {
		floor = pps["floor 1"] / n["floor 1"]
		printf "%-28s %12s %12s %10s\n", "path", "generated/s", "delivered/s", "vs floor"
		for (i = 1; i <= m; i++) {
			k = order[i]; split(k, a, " ")
			name = a[1] == "floor" ? "XDP_TX floor (swap MACs)" : a[1] == "redirect" ? "devmap redirect, no rewrite" : sprintf("rtprelay, %d flow%s%s", a[2], a[2] > 1 ? "s" : "", a[1] == "relay-nojitter" ? ", no jitter" : "")
			printf "%-28s %12.0f %12.0f %10.2f\n", name, gen[k] / n[k], pps[k] / n[k], pps[k] / n[k] / floor
		}
	}' "$results"
echo "raw (mode flows seconds generated delivered gen/s delivered/s):"
sed 's/^/  /' "$results"
rm -f "$results"
