# Sourced by the rtprelayd end-to-end suites (RRD_ENV_NAME naming the suite,
# RRD_NS the prefix of its lab namespaces): `here`, `top`, tests/lib.sh, the
# suite's own RR_NS_PREFIX (RRD_NS and the pid, unless given), the lab, the
# daemon under test (the ASan/UBSan build when there is one: make check
# builds it), a work dir, pin dir and control socket of the suite's own, and
# one cleanup that stops the daemon and tears all of it down; sip_lib.sh
# adds the SIP helpers (sipp, ctl, idle, daemon start).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
declare -F ok >/dev/null || . "$top/tests/lib.sh"	# once: it counts the checks
export RR_NS_PREFIX=${RR_NS_PREFIX:-$RRD_NS$$-}
need_root
command -v sipp >/dev/null || bail "sipp missing (Debian sip-tester): make deps"
LAB="$top/tests/lab/lab.sh"
RRD=${RR_RTPRELAYD:-$top/${BUILD:-build}/tests/rtprelayd-asan}
[ -x "$RRD" ] || RRD="$top/${BUILD:-build}/rtprelayd"
[ -x "$RRD" ] || bail "$RRD missing: run make"
echo "# daemon under test: $RRD"
export RTPRELAY_BPF_OBJ=${RTPRELAY_BPF_OBJ:-$top/${BUILD:-build}/rtprelay.bpf.o}
PIN=/sys/fs/bpf/rr-$RRD_ENV_NAME-$$
work=$(mktemp -d "/tmp/rr-$RRD_ENV_NAME.XXXXXX")
SOCK=$work/ctl.sock
SC=$here/sipp
rrd_pid=

cleanup() {
	[ -n "$rrd_pid" ] && kill "$rrd_pid" 2>/dev/null && wait "$rrd_pid" 2>/dev/null
	"$LAB" down >/dev/null 2>&1
	rm -rf "$PIN"
	[ -n "${RR_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

. "$here/sip_lib.sh"
