# Sourced by rrd_env.sh: the lab's SIP addresses and the helpers the
# rtprelayd suites share to start the daemon, drive sipp in the lab nodes
# and see that nothing is left. A suite tunes them with variables, not by
# defining them again.

# the SBC and the PBX, and the relay's address facing each
SBC=198.51.100.10 PBX=203.0.113.10 R_SBC=198.51.100.1 R_PBX=203.0.113.1
ip_of() { [ "$1" = pbx ] && echo $PBX || echo $SBC; }
relay_of() { [ "$1" = pbx ] && echo $R_PBX || echo $R_SBC; }
other() { [ "$1" = pbx ] && echo sbc || echo pbx; }

# lab_yaml [SED ARGS...]: configs/lab.yaml on the suite's datapath ($DP),
# control socket, pin dir and calls dir ($work/calls); the suite's own sed
# arguments come first (so they may claim a line before these)
lab_yaml() {
	sed "$@" -e "s|mode: auto|mode: $DP|" -e "s|/run/rtprelayd.sock|$SOCK|" \
		-e "s|/run/rtprelayd-lab/calls|$work/calls|" \
		-e "s|pin_dir: /sys/fs/bpf/rtprelay|pin_dir: $PIN|" \
		"$top/configs/lab.yaml"
}

# udp_yaml SBC_KEYS PBX_KEYS [TRUNKS [ROUTES]]: a configuration of its own
# (not lab.yaml): trunks sbc and pbx (SIP over UDP on the lab's addresses,
# each with its extra flow-mapping keys), routed to each other, the trunk
# and route lines TRUNKS and ROUTES added; media without an inactivity
# timeout on $DP (plus YAML_DATAPATH keys), logging as YAML_LOGGING says
# (level: info, target: stderr)
udp_yaml() {
	cat <<EOC
listen:
  sbc: { address: $R_SBC, port: 5060, transports: [udp] }
  pbx: { address: $R_PBX, port: 5060, transports: [udp] }
trunks:
  - { name: sbc, side: sbc, peers: ["$SBC:5060"], allow: ["$SBC/32"], $1 }
  - { name: pbx, side: pbx, peers: ["$PBX:5060"], allow: ["$PBX/32"], $2 }
${3-}routes:
  - { from: sbc, prefix: "", trunk: pbx }
  - { from: pbx, prefix: "", trunk: sbc }
${4-}media:
  address: { sbc: { ipv4: $R_SBC }, pbx: { ipv4: $R_PBX } }
  ports: { min: 30000, max: 39999 }
  inactivity_timeout: 0
datapath: { mode: $DP, ${YAML_DATAPATH-}pin_dir: $PIN }
logging: { ${YAML_LOGGING:-level: info, target: stderr} }
control: { socket: $SOCK }
EOC
}

# rrd_start CONFIG [LOG]: rtprelayd in the relay node (log appended to LOG,
# default $work/rrd.log), until its control socket is there (5 s at most)
rrd_start() {
	local log=${2:-$work/rrd.log}
	"$LAB" exec relay "$RRD" -c "$1" >>"$log" 2>&1 &
	rrd_pid=$!
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	[ -S "$SOCK" ] || { sed "s/^/# /" "$log"; bail "rtprelayd did not start"; }
}
rrd_stop() {
	kill "$rrd_pid" 2>/dev/null && wait "$rrd_pid" 2>/dev/null
	rrd_pid=
	rm -f "$SOCK"
}

ctl() { python3 "$here/ctl.py" "$SOCK" "$@"; }
alive() { kill -0 "$rrd_pid" 2>/dev/null && ctl status 'r["ok"]' | grep -q True; }

# sipp_in NODE ARGS...: sipp in a lab node, bounded by SIPP_TIMEOUT seconds
# (60); its log is $work/sipp-NODE.{out,err}, or one per subshell
# (sipp-NODE-PID) with SIPP_LOG_PER_PID=1
sipp_in() {
	local node=$1 id=$1; shift
	[ -n "${SIPP_LOG_PER_PID:-}" ] && id=$node-$BASHPID
	"$LAB" exec "$node" timeout "${SIPP_TIMEOUT:-60}" sipp -nostdin -trace_err \
		-error_file "$work/sipp-$id.err" "$@" >>"$work/sipp-$id.out" 2>&1
}
# uas_start NODE SCENARIO N [ARGS]: background UAS on NODE's port 5060,
# its pid in uas_pid; then UAS_SETTLE seconds (0.3) for it to listen
uas_start() {
	local node=$1 sc=$2 n=$3; shift 3
	sipp_in "$node" -sf "$sc" -i "$(ip_of "$node")" -p 5060 -m "$n" "$@" &
	uas_pid=$!
	sleep "${UAS_SETTLE:-0.3}"
}
uas_wait() { wait "$uas_pid"; }
# uac NODE SCENARIO N [ARGS]: calls UAC_NUM (4930123) from NODE's port
# UAC_PORT (5070) through the relay side facing NODE
uac() {
	local node=$1 sc=$2 n=$3; shift 3
	sipp_in "$node" -sf "$sc" -i "$(ip_of "$node")" -p "${UAC_PORT:-5070}" -m "$n" \
		-s "${UAC_NUM:-4930123}" "$(relay_of "$node"):5060" "$@"
}
# code_tmpl NAME CODE: tests/e2e/sipp/NAME.tmpl with CODE in place of "CODE"
code_tmpl() { sed "s/CODE/$2/" "$SC/$1.tmpl" >"$work/$1-$2.xml"; echo "$work/$1-$2.xml"; }

# idle: no call, flow or port left (a few seconds for the last BYEs: polled
# IDLE_TRIES times (30), IDLE_STEP seconds (0.2) apart); a suite that
# defines idle_also() has it hold as well
idle() {
	local i r
	for i in $(seq "${IDLE_TRIES:-30}"); do
		r=$(ctl status '(r["calls"], r["flows"], r["ports_in_use_sbc"], r["ports_in_use_pbx"])')
		[ "$r" = "(0, 0, 0, 0)" ] && { ! declare -F idle_also >/dev/null || idle_also; } && return 0
		sleep "${IDLE_STEP:-0.2}"
	done
	echo "# not idle: $r" >&2
	return 1
}

# probe_relay A_NODE A_PORT RELAY_PORT_A B_NODE B_PORT RELAY_PORT_B: 20
# datagrams each way through the relay, A sending, B echoing; sets got_a
# (the echoes A got) and got_b (what B got)
probe_relay() {
	local a=$1 pa=$2 ra=$3 b=$4 pb=$5 rb=$6 p
	"$LAB" exec "$b" python3 "$here/udp_probe.py" echo "$(ip_of "$b")" "$pb" "$(relay_of "$b")" "$rb" 20 1.5 >"$work/probe-b" &
	p=$!
	sleep 0.2
	got_a=$("$LAB" exec "$a" python3 "$here/udp_probe.py" send "$(ip_of "$a")" "$pa" "$(relay_of "$a")" "$ra" 20 2)
	wait $p
	got_b=$(cat "$work/probe-b")
}
# media_probe A_NODE A_PORT B_NODE B_PORT: probe_relay through the first
# call's relay ports, A the caller's side
media_probe() {
	local ports
	ports=$(ctl calls '"%d %d" % (r["calls"][0]["streams"][0]["relay_port_0"], r["calls"][0]["streams"][0]["relay_port_1"])')
	probe_relay "$1" "$2" "${ports% *}" "$3" "$4" "${ports#* }"
}
# pkts: the first call's datapath packet counters, "TO_CALLEE TO_CALLER"
pkts() { ctl calls '"%d %d" % (r["calls"][0]["streams"][0]["to_callee"]["packets"], r["calls"][0]["streams"][0]["to_caller"]["packets"])'; }

# rrd_term: SIGTERM to the daemon, a check that it exits 0 (its status in rc)
rrd_term() {
	kill "$rrd_pid"
	wait "$rrd_pid"; rc=$?
	rrd_pid=
	check "SIGTERM: exit status 0" 0 "$rc"
}
# rrd_log_checks [TAIL]: a check that the daemon's log holds no sanitizer
# report (ASan/UBSan/LSan); after any failed check, the last TAIL (60) lines
# of that log and the sipp error logs' tails as TAP comments
rrd_log_checks() {
	not_ok "no sanitizer report (ASan/UBSan/LSan) in the daemon's log" \
		grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$work/rrd.log"
	if [ "$_tap_failed" -gt 0 ]; then
		echo "# --- rtprelayd log (tail) ---"; tail -n "${1:-60}" "$work/rrd.log" | sed 's/^/# /'
		echo "# --- sipp errors ---"; tail -n 30 "$work"/sipp-*.err 2>/dev/null | sed 's/^/# /'
	fi
}

# sip_call A_NODE UAS UAC [UAC ARGS]: a call from A_NODE's side to the other
# one, placed with scenario UAC and answered with UAS (given the words of
# UAS_ARGS); sets rc and rc2 (the UAC's and the UAS's exit status) and took
# (the UAC's seconds)
sip_call() {
	local start
	sip_call_start "$@"
	start=$(date +%s)
	wait $uac_pid; rc=$?
	took=$(($(date +%s) - start))
	uas_wait; rc2=$?
}
# sip_call_start A_NODE UAS UAC [UAC ARGS]: the same call in the background
# (the UAC's pid in uac_pid); sip_call_end waits for it, sets rc and rc2
sip_call_start() {
	local a=$1 uas=$2 uac=$3; shift 3
	# shellcheck disable=SC2086 # UAS_ARGS: words
	uas_start "$(other "$a")" "$uas" 1 ${UAS_ARGS-}
	uac "$a" "$uac" 1 "$@" &
	uac_pid=$!
}
sip_call_end() { wait $uac_pid; rc=$?; uas_wait; rc2=$?; }
# sip_call_peek SECS QUERY A_NODE UAS UAC [UAC ARGS]: sip_call with, SECS
# seconds in, `ctl calls QUERY` taken into peek
sip_call_peek() {
	local secs=$1 q=$2; shift 2
	sip_call_start "$@"
	sleep "$secs"
	peek=$(ctl calls "$q")
	sip_call_end
}
