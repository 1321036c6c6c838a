#!/usr/bin/env bash
# Runs test suites and prints one summary line: "N passed, N failed, N skipped".
# A suite is an executable printing TAP lines on stdout:
#   ok N - name | not ok N - name | ok N - name # SKIP reason
# A suite that exits non-zero without a "not ok" line, or that reports no test
# at all, counts as one failure: nothing fails or vanishes silently.
# Usage: tests/run.sh [--only SUBSTRING] SUITE...
set -u
cd "$(dirname "$0")/.." || exit 2

only=""
if [ "${1:-}" = "--only" ]; then
	only=$2
	shift 2
fi

logdir=${RR_TEST_LOGDIR:-build/test-logs}
mkdir -p "$logdir"
suite_timeout=${RR_SUITE_TIMEOUT:-1800}
passed=0 failed=0 skipped=0
failed_suites=()

for suite in "$@"; do
	case "$suite" in *"$only"*) ;; *) continue ;; esac
	name=$(basename "$suite")
	log="$logdir/$name.log"
	start=$(date +%s)
	printf '== %s\n' "$suite"
	timeout --foreground -k 10 "$suite_timeout" "$suite" >"$log" 2>&1
	rc=$?
	p=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
	s=$(grep -ciE '^ok [0-9]+.*# *skip' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
	p=$((p - s))
	# Loud skips: every skip reason is printed in the run's output.
	grep -iE '^ok [0-9]+.*# *skip' "$log" | sed 's/^/   SKIP: /'
	grep -E '^not ok [0-9]+' "$log" | sed 's/^/   FAIL: /'
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "   FAIL: $name exited with status $rc$([ $rc -eq 124 ] && echo ' (timeout)')"
		f=1
	fi
	if [ $((p + s + f)) -eq 0 ]; then
		echo "   FAIL: $name reported no test"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '   %d passed, %d failed, %d skipped (%ds, log: %s)\n' \
		"$p" "$f" "$s" $(($(date +%s) - start)) "$log"
	if [ "$f" -gt 0 ]; then
		failed_suites+=("$suite")
		echo "   --- last lines of $log ---"
		tail -n 40 "$log" | sed 's/^/   | /'
	fi
done

if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "failed suites: ${failed_suites[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $((passed + skipped)) -gt 0 ]
