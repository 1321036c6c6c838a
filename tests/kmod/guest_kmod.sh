# In-VM test of rtprelay.ko (busybox sh, run as /guest.sh from /lib/rr).
. ./guest_lib.sh
lab_up
t_run "lab: SBC reaches the relay (v4)" sbc ping -c1 -W3 198.51.100.1
t_run "lab: PBX reaches the relay (v6)" pbx ping -c1 -W3 2001:db8:113::1
t_run "insmod rtprelay.ko" insmod ./rtprelay.ko max_flows=1024 idle_timeout=2
t_eq "stats: empty table, max_flows from the parameter" "0 1024" "$(gstat flows) $(gstat max_flows)"
t_fail "without a flow, the kernel does not forward (ip_forward=0)" \
	sh -c 'nsenter --net=/run/netns/pbx udptool recv 203.0.113.10 5000 1 800 & sleep 0.2; nsenter --net=/run/netns/sbc udptool send 198.51.100.10 6000 198.51.100.1 30000 1; wait $!'

# ---- forwarding, v4 and v6, with and without checksum offload on the sender ----
t_run "add IPv4 flow" rrnl add 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1
t_run "add IPv6 flow" rrnl add '[2001:db8:51::1]:30002' '[2001:db8:113::1]:40002' '[2001:db8:113::10]:5002' id=2 dscp=34
for csum in on off; do
	sbc ethtool -K sbc-eth tx $csum >/dev/null
	recv_start pbx 203.0.113.10 5000 5 3000 /tmp/r4
	sbc udptool send 198.51.100.10 6000 198.51.100.1 30000 5
	if recv_wait; then t_ok "IPv4 (sender tx-csum $csum): 5 packets arrive"; else t_nok "IPv4 (sender tx-csum $csum): 5 packets arrive"; sed 's/^/# /' /tmp/r4; fi
	t_eq "IPv4 (tx-csum $csum): source, length, DSCP EF, TTL-1 rewritten" 5 \
		"$(grep -c '^from=203.0.113.1:40000 len=172 tos=184 ttl=63$' /tmp/r4)"
	recv_start pbx 2001:db8:113::10 5002 5 3000 /tmp/r6
	sbc udptool send 2001:db8:51::10 6002 2001:db8:51::1 30002 5
	if recv_wait; then t_ok "IPv6 (sender tx-csum $csum): 5 packets arrive"; else t_nok "IPv6 (sender tx-csum $csum): 5 packets arrive"; sed 's/^/# /' /tmp/r6; fi
	t_eq "IPv6 (tx-csum $csum): source, length, DSCP 34, hop limit-1 rewritten" 5 \
		"$(grep -c '^from=\[2001:db8:113::1\]:40002 len=172 tos=136 ttl=63$' /tmp/r6)"
done
# Locally generated packets to a relay address come back in through lo's
# PRE_ROUTING: the module forwards them too.
recv_start pbx 203.0.113.10 5000 2 3000 /tmp/rlo
udptool send 198.51.100.1 6100 198.51.100.1 30000 2
t_run "locally generated packets (via lo) are forwarded" recv_wait
t_eq "locally generated: rewritten like the rest" 2 "$(grep -c '^from=203.0.113.1:40000 len=172 tos=184 ttl=63$' /tmp/rlo)"
# A zero IPv4 UDP checksum ("none") must stay zero: updating it would make
# a wrong non-zero checksum, and the PBX would drop the packets.
recv_start pbx 203.0.113.10 5000 3 3000 /tmp/r0
sbc udptool send 198.51.100.10 6000 198.51.100.1 30000 3 nocsum=1
t_run "IPv4 with a zero UDP checksum: forwarded and accepted" recv_wait
f4=$(rrnl get 198.51.100.1:30000)
t_eq "IPv4 flow counters: packets, L3 bytes" "15 3000" "$(field packets "$f4") $(field bytes "$f4")"
t_eq "IPv4 flow RTP view: ssrc, received, base/max seq (repeats are late packets)" "287454020 15 1000 1004" \
	"$(field ssrc "$f4") $(field received "$f4") $(field base_seq "$f4") $(field ext_max_seq "$f4")"
f6=$(rrnl get '[2001:db8:51::1]:30002')
t_eq "IPv6 flow counters: packets, L3 bytes" "10 2200" "$(field packets "$f6") $(field bytes "$f6")"
t_eq "global fwd_redirect counts the 25 forwarded packets" 25 "$(gstat fwd_redirect)"
t_run "last_seen_ns is set" test "$(field last_seen_ns "$f4")" -gt 0

# ---- source check, TTL, miss ----
t_run "add strict flow" rrnl add 198.51.100.1:30010 203.0.113.1:40010 203.0.113.10:5010 id=10 flags=strict expect=198.51.100.10:7777
recv_start pbx 203.0.113.10 5010 1 1000 /tmp/rs
sbc udptool send 198.51.100.10 6010 198.51.100.1 30010 3
t_fail "strict: packets from another source are not forwarded" recv_wait
t_eq "strict: flow drop_src_mismatch=3, global drop_src_mismatch=3" "3 3" \
	"$(fstat 198.51.100.1:30010 drop_src_mismatch) $(gstat drop_src_mismatch)"
recv_start pbx 203.0.113.10 5010 2 3000 /tmp/rs
sbc udptool send 198.51.100.10 7777 198.51.100.1 30010 2
t_run "strict: packets from the expected source are forwarded" recv_wait
sbc udptool send 198.51.100.10 6000 198.51.100.1 30000 2 ttl=1
t_eq "TTL 1: dropped, flow drop_ttl=2, global drop_ttl=2" "2 2 10" \
	"$(fstat 198.51.100.1:30000 drop_ttl) $(gstat drop_ttl) $(($(fstat 198.51.100.1:30000 packets) - 5))"
miss0=$(gstat pass_miss)
sbc udptool send 198.51.100.10 6000 198.51.100.1 31999 3
t_eq "a miss passes untouched and counts pass_miss" 3 $(($(gstat pass_miss) - miss0))

# ---- latching and the reverse flow ----
t_run "add latching flow A and its reverse B" sh -c \
	"rrnl add 198.51.100.1:30020 203.0.113.1:40020 203.0.113.10:5020 id=20 flags=latch reverse=203.0.113.1:40020 &&
	 rrnl add 203.0.113.1:40020 198.51.100.1:30020 198.51.100.99:9 id=21"
recv_start pbx 203.0.113.10 5020 1 3000 /tmp/rl
sbc udptool send 198.51.100.10 6020 198.51.100.1 30020 1
t_run "latch: first packet forwarded" recv_wait
t_eq "latch: A learned the source (LATCHED, expect)" "0x6 198.51.100.10:6020" \
	"$(fstat 198.51.100.1:30020 flags) $(fstat 198.51.100.1:30020 expect)"
t_eq "latch: reverse flow B now sends to the learned source" 198.51.100.10:6020 "$(fstat 203.0.113.1:40020 out_dst)"
recv_start sbc 198.51.100.10 6020 1 3000 /tmp/rb
pbx udptool send 203.0.113.10 5020 203.0.113.1 40020 1
t_run "latch: reverse direction reaches the latched SBC port" recv_wait
t_eq "latch: reverse packet rewritten" 1 "$(grep -c '^from=198.51.100.1:30020 ' /tmp/rb)"

# ---- dump, get by id ----
t_eq "dump lists every flow" "$(gstat flows)" "$(rrnl list | grep -c '^key=')"
t_eq "get by id" "key=198.51.100.1:30010" "$(rrnl getid 10 | cut -d' ' -f1)"

# ---- malformed and refused requests: an error, nothing installed ----
count0=$(gstat flows)
V4="198.51.100.1:30100 203.0.113.1:40100 203.0.113.10:5100"
t_err "dscp 64 refused" "flow.dscp must be 0..63" rrnl add $V4 id=100 dscp=64
t_err "unknown flag bits refused" "flow.flags has unknown bits" rrnl add $V4 id=100 flags=0x100
t_err "id beyond max_flows refused" "max_flows" rrnl add $V4 id=5000
t_err "v4 key with v6 out_dst refused" "flow.out_dst: family must match" \
	rrnl add 198.51.100.1:30100 203.0.113.1:40100 '[2001:db8:113::10]:5100' id=100
t_err "key port 0 refused" "key.local: port must not be zero" rrnl add 198.51.100.1:0 203.0.113.1:40100 203.0.113.10:5100 id=100
t_err "unset out_dst refused" "flow.out_dst: required" rrnl add 198.51.100.1:30100 203.0.113.1:40100 - id=100
t_err "RTCP with RTCP_MUX refused" "exclude each other" rrnl add $V4 id=100 flags=rtcp,mux
t_err "key attribute of the wrong length refused" "size out of range" rrnl raw 1 1:00000000 2:$(printf '%0192d' 0)
t_err "FLOW_ADD without FLOW refused" "Invalid argument" rrnl raw 1 1:c633640100000000000000000000000075940200
t_err "reply-only attribute in a request refused" "Invalid argument" rrnl raw 4 3:$(printf '%0208d' 0)
t_err "unknown attribute refused (strict validation)" "Invalid argument" rrnl raw 4 99:00000000
t_err "same id at another key refused" "flow id is used" rrnl add $V4 id=1
t_err "excl on an existing key refused" "already installed" rrnl add 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1 excl
t_err "unprivileged FLOW_ADD refused (CAP_NET_ADMIN)" "Operation not permitted" udptool setuid 65534 /usr/local/bin/rrnl add $V4 id=100
t_err "unprivileged FLUSH refused" "Operation not permitted" udptool setuid 65534 /usr/local/bin/rrnl flush
t_run "unprivileged read is allowed" udptool setuid 65534 /usr/local/bin/rrnl stats
t_err "bad replace leaves the old flow" "flow.dscp" rrnl add 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1 dscp=99
t_eq "old flow intact after refused replace (dscp 46, counters kept)" "46 15" \
	"$(fstat 198.51.100.1:30000 dscp) $(fstat 198.51.100.1:30000 packets)"
t_eq "nothing installed by refused requests" "$count0" "$(gstat flows)"
t_fail "no flow at the refused key" rrnl get 198.51.100.1:30100

# ---- replace, delete ----
t_run "replace resets counters" sh -c "rrnl add 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1 && [ \$(rrnl get 198.51.100.1:30000 | tr ' ' '\n' | sed -n 's/^packets=//p') = 0 ]"
t_run "delete a flow" rrnl del 198.51.100.1:30010
t_err "delete it again: no such flow" "no flow at this key" rrnl del 198.51.100.1:30010
t_eq "deleted flow's id is free again" ok "$(rrnl add 198.51.100.1:30011 203.0.113.1:40011 203.0.113.10:5011 id=10 && echo ok)"

# ---- idle notification ----
rrnl flush >/dev/null
rrnl add 198.51.100.1:30200 203.0.113.1:40200 203.0.113.10:5200 id=200
t_eq "idle flow announced on the multicast group" "key=198.51.100.1:30200" "$(rrnl wait-idle 6000 | cut -d' ' -f1)"

# ---- flush, unload under traffic, reload ----
LIVE=/sys/module/rtprelay/parameters/live_objects
t_eq "module accounting: 2 live objects for the 1 flow left" 2 "$(cat $LIVE)"
t_eq "flush removes every flow" "removed=1 0" "$(rrnl flush) $(gstat flows)"
i=0; while [ "$(cat $LIVE)" != 0 ] && [ $i -lt 40 ]; do usleep 50000; i=$((i + 1)); done
t_eq "no flow object left after flush and a grace period (leak check)" 0 "$(cat $LIVE)"

# ---- many flows: a dump spanning many messages, ids up to max_flows-1 ----
t_run "install 1024 flows (ids 0..1023 = max_flows)" rrnl fill 1024
t_eq "table holds 1024 flows" 1024 "$(gstat flows)"
t_eq "dump returns each of them once (multi-part dump)" 1024 "$(rrnl list | cut -d' ' -f1 | sort -u | wc -l)"
t_eq "get by the last id" "key=198.51.100.1:21023" "$(rrnl getid 1023 | cut -d' ' -f1)"
# Replace flows while their traffic flows (RCU replace under readers).
sbc udptool send 198.51.100.10 6000 198.51.100.1 20007 3000 &
spid=$!
k=0; while [ $k -lt 30 ]; do rrnl add 198.51.100.1:20007 203.0.113.1:20007 203.0.113.10:5000 id=7 || break; k=$((k + 1)); done
wait $spid
t_eq "30 replaces under traffic" 30 $k
t_eq "flush removes all 1024" "removed=1024" "$(rrnl flush)"
t_run "the datapath backend rr_dp_kmod_ops (tests/kmod/dp_kmod_check.c)" dp_kmod_check
rrnl add 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1
rrnl add '[2001:db8:51::1]:30002' '[2001:db8:113::1]:40002' '[2001:db8:113::10]:5002' id=2
sbc udptool send 198.51.100.10 6000 198.51.100.1 30000 20000 &
spid=$!
sbc udptool send 2001:db8:51::10 6002 2001:db8:51::1 30002 20000 &
s6pid=$!
sleep 1
t_run "traffic is being forwarded before rmmod" test "$(gstat fwd_redirect)" -gt 0
t_run "rmmod with flows installed and traffic flowing" rmmod rtprelay
wait $spid $s6pid
t_fail "family gone after rmmod" rrnl stats
t_run "insmod again" insmod ./rtprelay.ko
t_run "works after reload" rrnl add 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1
t_run "rmmod again" rmmod rtprelay
if dmesg | grep -E 'WARNING|BUG|Oops|general protection|refcount_t|kmemleak|Call Trace' >/tmp/dm; then
	t_nok "dmesg clean (no WARNING/BUG/Oops)"; sed 's/^/# /' /tmp/dm
else
	t_ok "dmesg clean (no WARNING/BUG/Oops)"
fi
dmesg | grep rtprelay | sed 's/^/# dmesg: /'
