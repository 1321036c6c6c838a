# Shell helpers for TAP test scripts. Source it, call `ok COND_DESC CMD...`.
# Each check prints "ok N - desc" or "not ok N - desc"; `done_testing` exits
# non-zero when any failed.
_tap_n=0 _tap_failed=0
ok() { # desc cmd...
	local desc=$1; shift
	_tap_n=$((_tap_n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $_tap_n - $desc"
	else
		echo "not ok $_tap_n - $desc"
		_tap_failed=$((_tap_failed + 1))
	fi
}
not_ok() { # desc cmd...: passes when cmd fails
	local desc=$1; shift
	_tap_n=$((_tap_n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "not ok $_tap_n - $desc"
		_tap_failed=$((_tap_failed + 1))
	else
		echo "ok $_tap_n - $desc"
	fi
}
# check DESC EXPECTED ACTUAL: string equality, shows both on failure
check() {
	_tap_n=$((_tap_n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $_tap_n - $1"
	else
		echo "not ok $_tap_n - $1 (expected '$2', got '$3')"
		_tap_failed=$((_tap_failed + 1))
	fi
}
bail() { echo "not ok $((_tap_n + 1)) - $*"; exit 1; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }
need_root() { [ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces, XDP): run as root"; }
