#!/usr/bin/env bash
# ns/packet through BPF_PROG_TEST_RUN: the XDP_TX floor, rtprelay hit IPv4,
# hit IPv6 and miss, in one run, with 4 flows and with the map full
# (262,144), and what bpf_fib_lookup (v4, v6) and bpf_ktime_get_ns cost alone.
# Runs in its own network namespace; needs root.
# Usage: bench_xdp_testrun.sh [RUNS [CALLS [SINGLE]]]  (defaults: 10,000,000 runs in one
# call for the floor and the miss; 200 calls of 254 and 1,000,000 calls of 1
# for everything)
set -eu
cd "$(dirname "$0")/../.."
b=${BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench_xdp_testrun: needs root" >&2; exit 1; }
for f in "$b/bench_xdp_testrun" "$b/rtprelay.bpf.o" "$b/xdp_floor.bpf.o" "$b/xdp_helper_cost.bpf.o"; do
	[ -e "$f" ] || { echo "bench_xdp_testrun: $f missing: run make" >&2; exit 1; }
done
exec "$b/bench_xdp_testrun" -n "${1:-10000000}" -c "${2:-200}" -s "${3:-1000000}" -o "$b/rtprelay.bpf.o" -f "$b/xdp_floor.bpf.o" \
	-x "$b/xdp_helper_cost.bpf.o"
