#!/usr/bin/env bash
# Every test suite in the tree is one that make check runs: a suite whose
# registration is lost (a merge, a typo in a .mk file) would otherwise
# never run and never fail. make check passes its list in RR_TEST_SUITES.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib.sh"
cd "$top" || exit 2
[ -n "${RR_TEST_SUITES:-}" ] || bail "RR_TEST_SUITES unset: run through make check"
registered=" $RR_TEST_SUITES "
for s in tests/*/test_*.sh; do
	case "$registered" in
	*" $s "*) ok "$s runs in make check" true ;;
	*) ok "$s runs in make check (not in TEST_SUITES)" false ;;
	esac
done
for c in tests/unit/test_*.c; do
	b=$(basename "$c" .c)
	case "$registered" in
	*"/tests/$b "*) ok "$c runs in make check" true ;;
	*) ok "$c runs in make check (no build/tests/$b in TEST_SUITES)" false ;;
	esac
done
done_testing
