#!/usr/bin/env bash
# Runs every benchmark in tests/bench/bench_*.sh; each prints its own
# side-by-side ratios. Results are recorded in docs/benchmarks.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
found=0
for b in tests/bench/bench_*.sh; do
	[ -x "$b" ] || continue
	found=1
	echo "== $b"
	"$b" || echo "bench: $b failed (status $?)"
done
[ $found -eq 1 ] || { echo "bench: no benchmark yet"; exit 1; }
