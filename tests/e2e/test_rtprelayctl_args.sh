#!/usr/bin/env bash
# rtprelayctl argument handling: bad arguments give one line naming the
# argument and exit 2 before anything is touched; runtime failures exit 1;
# --help lists every verb and the exit codes. Needs no root and no lab.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
CTL=build/rtprelayctl
[ -x $CTL ] || bail "$CTL missing: run make"
# A pin dir that does not exist: any verb that got as far as the maps fails
# with status 1, so status 2 proves validation came first.
PIN=/nonexistent/rtprelay-args-$$
ctl() { $CTL --pin-dir $PIN "$@"; }

# expect STATUS ARGPREFIX ARGS...: exit status and a one-line stderr that
# starts with "rtprelayctl: ARGPREFIX"
expect() {
	local want=$1 prefix=$2 err rc
	shift 2
	err=$(ctl "$@" 2>&1 >/dev/null)
	rc=$?
	check "$* -> exit $want" "$want" "$rc"
	check "$* -> one line naming '$prefix'" "1 yes" \
		"$(printf '%s\n' "$err" | wc -l | tr -d ' ') $(case "$err" in "rtprelayctl: $prefix"*) echo yes ;; *) echo "no: $err" ;; esac)"
}

IN="--in 198.51.100.1:20000" SRC="--out-src 203.0.113.1:30000" DST="--out-dst 203.0.113.10:50000"
expect 2 "--out-dst: port 0" flow add $IN $SRC --out-dst 203.0.113.10:0
expect 2 "--out-dst: port 65536" flow add $IN $SRC --out-dst 203.0.113.10:65536
expect 2 "--out-dst: port 'x'" flow add $IN $SRC --out-dst 203.0.113.10:x
expect 2 "--in: IPv6 address needs brackets" flow add --in 2001:db8::1:4000 $SRC $DST
expect 2 "--in: missing ']'" flow add --in '[2001:db8::1:4000' $SRC $DST
expect 2 "--from: '300.1.1.1' is not an IPv4" flow add $IN --from 300.1.1.1:5 $SRC $DST
expect 2 "--out-src: is ipv6 but --in is ipv4" flow add $IN --out-src '[2001:db8:113::1]:30000' $DST
expect 2 "--out-dst: is ipv6" flow add $IN $SRC --out-dst '[2001:db8:113::10]:5'
expect 2 "--reverse: is ipv6" flow add $IN $SRC $DST --reverse '[2001:db8::1]:5'
expect 2 "--dscp: 64 out of range 0..63" flow add $IN $SRC $DST --dscp 64
expect 2 "--dscp: '-1' is not a number" flow add $IN $SRC $DST --dscp -1
expect 2 "--latch: excludes --strict" flow add $IN $SRC $DST --latch --strict --from 198.51.100.10:1
expect 2 "--strict: needs --from" flow add $IN $SRC $DST --strict
expect 2 "--rtcp-mux: excludes --rtcp" flow add $IN $SRC $DST --rtcp --rtcp-mux
expect 2 "--no-jitter: excludes --clock-rate" flow add $IN $SRC $DST --no-jitter --clock-rate 48000
expect 2 "--out-dst: required" flow add $IN $SRC
expect 2 "--in: required" flow add $SRC $DST
expect 2 "--clock-rate: 0 out of range" flow add $IN $SRC $DST --clock-rate 0
expect 2 "--bogus: unknown argument" flow add $IN $SRC $DST --bogus
expect 2 "--in: needs a value" flow add --in
expect 2 "--mode: 'fast' is not native or generic" attach sbc0 --mode fast
expect 2 "--max-flows: 0 out of range" attach sbc0 --max-flows 0
expect 2 "attach: missing DEV" attach
expect 2 "detach: missing DEV" detach
expect 2 "ID: 'abc' is not a number" flow del abc
expect 2 "flow del: expects ID" flow del
expect 2 "ID: 'x' is not a number" flow show x
expect 2 "--yaml: unknown argument for flow list" flow list --yaml
expect 2 "--backend: 'dpdk' is not" --backend dpdk stats
expect 2 "frobnicate: unknown verb" frobnicate
expect 2 "route: missing subcommand" route
expect 2 "route: unknown subcommand" route check
expect 2 "route test: --trunk and --to are required" route test --to 8000
expect 2 "--to: needs a value" route test --trunk sbc --to
expect 2 "--via: unknown option for route test" route test --via x
expect 2 "--trunk: 'nosuch' is not a trunk of configs/teams-tvox.yaml" \
	route test --config configs/teams-tvox.yaml --trunk nosuch --to 8000
expect 1 "/nonexistent.yaml:0: cannot open" route test --config /nonexistent.yaml --trunk s --to 1
# a number too long for the number fields: refused as rtprelayd refuses it
# (404), never routed as an empty or cut number
long=4930$(printf '7%.0s' $(seq 70))
j=$(ctl route test --config configs/teams-tvox.yaml --trunk tvox --to "$long" --json 2>/dev/null)
rc=$?
check "route test: a 74-digit number is not routed (exit 1, 404, number too long)" \
	"1 False 404 number too long" \
	"$rc $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["matched"], r["status"], r["rule"])' "$j" 2>&1)"
expect 2 "VERB: missing" 
expect 1 "xdp: no rtprelay maps in $PIN" flow list
expect 1 "xdp: no rtprelay maps" flow add $IN $SRC $DST
expect 1 "attach: no device 'no-such-dev0'" attach no-such-dev0
expect 1 "kmod: the rtprelay kernel module is not loaded" --backend kmod flow list
expect 1 "attach: not supported by the kmod backend" --backend kmod attach lo
expect 1 "cannot reach rtprelayd at /nonexistent.sock" --socket /nonexistent.sock calls
expect 1 "cannot reach rtprelayd at /nonexistent.sock" --socket /nonexistent.sock trunks
expect 1 "top: cannot reach rtprelayd at /nonexistent.sock" --socket /nonexistent.sock top --count 1
expect 2 "--yaml: unknown argument for status" status --yaml
expect 2 "--yaml: unknown argument for trunks" trunks --yaml
expect 2 "--count: 0 out of range" top --count 0
expect 2 "--count: 'x' is not a number" top --count x
expect 2 "--count: needs a value" top --count
expect 2 "--interval: 5 out of range" top --interval 5
expect 2 "--once: unknown argument for top" top --once
# status with nothing there: a report on stdout, exit 1, nothing on stderr
out=$(ctl --socket /nonexistent.sock status 2>"${TMPDIR:-/tmp}/rr-args-err.$$"); rc=$?
err=$(cat "${TMPDIR:-/tmp}/rr-args-err.$$"); rm -f "${TMPDIR:-/tmp}/rr-args-err.$$"
check "status with no maps and no daemon -> exit 1" 1 "$rc"
check "... says 'rtprelayd: not running' and 'no maps pinned', no stderr" "1 1 " \
	"$(grep -c '^rtprelayd: not running' <<<"$out") $(grep -c "^xdp: no maps pinned in $PIN" <<<"$out") $err"
ok "status --json with nothing there is JSON with daemon.running false" sh -c \
	"$CTL --pin-dir $PIN --socket /nonexistent.sock status --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[\"daemon\"][\"running\"] is False and r[\"xdp\"][\"pinned\"] is False and r[\"tiers\"] == []'"
expect 2 "call hangup: 'x' is not a number" call hangup x
expect 2 "call hangup: needs exactly one call ID" call hangup
expect 2 "list: unknown call verb" call list
expect 2 "--verbose: unknown argument for calls" calls --verbose
expect 2 "--socket: empty path" --socket '' calls

help=$($CTL --help)
check "--help exits 0" 0 $?
for w in "attach DEV" "detach DEV" "flow add" "flow del" "flow list" "flow show" "stats" \
	"calls [--json]" "call hangup ID" "status [--json]" "trunks [--json]" "top [--count N]" \
	"rtprelayd: not running" \
	"--pin-dir" "--backend" "--json" "--version" "exit status: 0 success, 1 runtime failure, 2 bad arguments"; do
	ok "--help mentions '$w'" grep -qF -- "$w" <<<"$help"
done
ok "--version prints a version" sh -c "$CTL --version | grep -Eq '^rtprelayctl [0-9]+\.[0-9]+'"
done_testing
