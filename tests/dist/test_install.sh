#!/usr/bin/env bash
# make install / make uninstall into a scratch PREFIX (and a DESTDIR with
# PREFIX=/usr): every file in place, the systemd unit accepted by
# `systemd-analyze verify` (its man: links resolved against the installed
# pages) with Type=notify, watchdog and the capabilities; each man page
# rendered by groff -ww and man -l without a warning, found by man -w, in
# step with its program's --help (every option both ways, rtprelayctl's
# verbs, the exit codes) and, for rtprelayd.yaml(5), with every key of
# configs/example.yaml; the page's example passes --check-config. uninstall
# leaves only the configuration. No root needed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib.sh"
B=${BUILD:-build}
work=$(mktemp -d /tmp/rr-install.XXXXXX)
trap '[ -n "${RR_KEEP:-}" ] || rm -rf "$work"' EXIT
P=$work/prefix
for t in groff man systemd-analyze; do
	command -v $t >/dev/null || bail "$t missing (groff-base, man-db, systemd): make deps"
done

make -s -C "$top" BUILD="$B" PREFIX="$P" install >"$work/install.log" 2>&1 ||
	{ sed 's/^/# /' "$work/install.log" | tail -20; bail "make install failed"; }
for f in sbin/rtprelayd bin/rtprelayctl bin/rtpgen lib/rtprelay/rtprelay.bpf.o \
	etc/rtprelay/rtprelay.yaml lib/systemd/system/rtprelayd.service \
	share/doc/rtprelay/operations.md share/man/man8/rtprelayd.8 \
	share/man/man8/rtprelayctl.8 share/man/man1/rtpgen.1 share/man/man5/rtprelayd.yaml.5; do
	ok "installed $f" test -s "$P/$f"
done
ok "binaries executable" test -x "$P/sbin/rtprelayd" -a -x "$P/bin/rtprelayctl" -a -x "$P/bin/rtpgen"

# --- the systemd unit ----------------------------------------------------------
U=$P/lib/systemd/system/rtprelayd.service
out=$(MANPATH=$P/share/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$U" 2>&1); rc=$?
check "systemd-analyze verify: exit 0" 0 "$rc"
check "... and nothing to say (man: links found)" "" "$out"
key() { sed -n "s/^$1=//p" "$U" | head -1; }
check "Type=notify" notify "$(key Type)"
check "NotifyAccess=main" main "$(key NotifyAccess)"
check "Restart=on-failure" on-failure "$(key Restart)"
ok "WatchdogSec set" test -n "$(key WatchdogSec)"
check "ExecStart with the installed paths" \
	"$P/sbin/rtprelayd -c $P/etc/rtprelay/rtprelay.yaml" "$(key ExecStart)"
check "ExecReload sends SIGHUP" '/bin/kill -HUP $MAINPID' "$(key ExecReload)"
for c in CAP_NET_ADMIN CAP_BPF CAP_SYS_ADMIN CAP_PERFMON CAP_NET_BIND_SERVICE; do
	ok "CapabilityBoundingSet and AmbientCapabilities have $c" \
		sh -c "echo ' $(key CapabilityBoundingSet) ' | grep -q ' $c ' && echo ' $(key AmbientCapabilities) ' | grep -q ' $c '"
done
check "no capability beyond those" 5 "$(key CapabilityBoundingSet | wc -w)"
not_ok "no hardening that breaks XDP (PrivateNetwork, ProtectKernelTunables)" \
	grep -Eq '^(PrivateNetwork|ProtectKernelTunables)=yes' "$U"
ok "bpffs writable under ProtectSystem=strict" grep -q '^ReadWritePaths=.*/sys/fs/bpf' "$U"
"$P/sbin/rtprelayd" -c "$P/etc/rtprelay/rtprelay.yaml" --check-config >/dev/null 2>&1
check "ExecStartPre (--check-config) passes on the installed configuration" 0 "$?"

# --- man pages -----------------------------------------------------------------
declare -A prog=([rtprelayd.8]=sbin/rtprelayd [rtprelayctl.8]=bin/rtprelayctl [rtpgen.1]=bin/rtpgen
	[rtprelayd.yaml.5]=)
# manpage_ok DESC CHECK FILE PAGE: a check by manpage_check.py, its report
# as TAP comments
manpage_ok() {
	ok "$1" python3 "$here/manpage_check.py" "$2" "$3" "$4"
	python3 "$here/manpage_check.py" "$2" "$3" "$4" | sed 's/^/# /'
}
for page in rtprelayd.8 rtprelayctl.8 rtpgen.1 rtprelayd.yaml.5; do
	sec=${page##*.} f=$P/share/man/man${page##*.}/$page
	not_ok "$page: no control characters in the source" grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$f"
	w=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
	check "$page: groff -man -ww renders without a warning" "" "$w"
	w=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >"$work/$page.txt"); rc=$?
	check "$page: man -l renders (exit 0, no warning)" "0 " "$rc $w"
	ok "$page: NAME, SYNOPSIS, DESCRIPTION" sh -c "grep -q '^NAME' '$work/$page.txt' && grep -q '^SYNOPSIS' '$work/$page.txt' && grep -q '^DESCRIPTION' '$work/$page.txt'"
	check "$page: man -w finds the installed page" "$f" \
		"$(MANPATH=$P/share/man man -w "$sec" "${page%.*}" 2>&1)"
	[ -n "${prog[$page]}" ] || continue
	"$P/${prog[$page]}" --help >"$work/$page.help" 2>&1
	check "$page: --help exits 0" 0 "$?"
	manpage_ok "$page: every option of --help in the page, every option the page defines in --help" \
		options "$work/$page.help" "$f"
	manpage_ok "$page: EXIT STATUS lists exactly the exit codes of --help" \
		exit "$work/$page.help" "$f"
done
manpage_ok "rtprelayctl.8: every verb of --help has its entry" \
	verbs "$work/rtprelayctl.8.help" "$P/share/man/man8/rtprelayctl.8"
manpage_ok "rtprelayd.yaml.5: every key of configs/example.yaml documented" \
	keys "$top/configs/example.yaml" "$P/share/man/man5/rtprelayd.yaml.5"
sed -n '/^\.SH EXAMPLE/,/^\.fi/p' "$P/share/man/man5/rtprelayd.yaml.5" | sed '1,2d;$d' |
	sed 's/\\-/-/g' >"$work/example.yaml"
ok "rtprelayd.yaml.5: its EXAMPLE passes --check-config" \
	"$P/sbin/rtprelayd" -c "$work/example.yaml" --check-config

# --- uninstall -------------------------------------------------------------------
echo "# site-local edit" >>"$P/etc/rtprelay/rtprelay.yaml"
make -s -C "$top" BUILD="$B" PREFIX="$P" install >>"$work/install.log" 2>&1
ok "a second install keeps an edited configuration" grep -q "site-local edit" "$P/etc/rtprelay/rtprelay.yaml"
make -s -C "$top" BUILD="$B" PREFIX="$P" uninstall >>"$work/install.log" 2>&1
check "make uninstall: exit 0" 0 "$?"
check "uninstall leaves only the configuration" "etc/rtprelay/rtprelay.yaml" \
	"$(cd "$P" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"

# --- DESTDIR with PREFIX=/usr (packaging) ---------------------------------------------
D=$work/dest
make -s -C "$top" BUILD="$B" PREFIX=/usr DESTDIR="$D" install >>"$work/install.log" 2>&1
check "DESTDIR install: exit 0" 0 "$?"
ok "PREFIX=/usr: configuration in /etc, man pages in /usr/share/man" \
	test -s "$D/etc/rtprelay/rtprelay.yaml" -a -s "$D/usr/share/man/man8/rtprelayd.8"
check "PREFIX=/usr: the unit runs /usr/sbin/rtprelayd with /etc/rtprelay" \
	"/usr/sbin/rtprelayd -c /etc/rtprelay/rtprelay.yaml" \
	"$(sed -n 's/^ExecStart=//p' "$D/usr/lib/systemd/system/rtprelayd.service")"
done_testing
