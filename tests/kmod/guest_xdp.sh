# In-VM check of the XDP tier (build/rtprelay.bpf.o) on the VM's kernel
# (Debian 12's 6.1, what carriers run): load, attach, forward v4 and v6.
. ./guest_lib.sh
lab_up
P=/sys/fs/bpf/rr
xget() { field "$2" "$(xdpload get $P "$1")"; }
xstat() { field "$1" "$(xdpload stats $P)"; }

t_run "lab: SBC reaches the relay (v4)" sbc ping -c1 -W3 198.51.100.1
# bpf_fib_lookup() needs resolved neighbours (else pass_no_neigh) and
# forwarding enabled on the ingress device.
for a in 203.0.113.10 198.51.100.10 2001:db8:113::10 2001:db8:51::10; do ping -c1 -W3 $a >/dev/null; done
sysctl -qw net.ipv4.conf.sbc0.forwarding=1 net.ipv4.conf.pbx0.forwarding=1 \
	net.ipv6.conf.sbc0.forwarding=1 net.ipv6.conf.pbx0.forwarding=1
# veth drops redirected frames unless the peer runs XDP; a redirected frame
# loses CHECKSUM_PARTIAL, so senders compute full checksums.
sbc ethtool -K sbc-eth tx off >/dev/null
pbx ethtool -K pbx-eth tx off >/dev/null
t_run "xdp_pass on the peers" sh -c "/usr/local/bin/ip -n sbc link set dev sbc-eth xdp obj xdp_pass.bpf.o sec xdp &&
	/usr/local/bin/ip -n pbx link set dev pbx-eth xdp obj xdp_pass.bpf.o sec xdp"
mkdir -p $P
t_run "rtprelay.bpf.o loads and attaches (native) on $(uname -r)" xdpload attach rtprelay.bpf.o $P sbc0 pbx0
t_run "ip link shows the program" sh -c "/usr/local/bin/ip link show sbc0 | grep -q xdp"
t_run "add flows" sh -c "xdpload add $P 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1 &&
	xdpload add $P '[2001:db8:51::1]:30002' '[2001:db8:113::1]:40002' '[2001:db8:113::10]:5002' id=2 dscp=34"
recv_start pbx 203.0.113.10 5000 5 3000 /tmp/r4
sbc udptool send 198.51.100.10 6000 198.51.100.1 30000 5
if recv_wait; then t_ok "XDP IPv4: 5 packets arrive"; else t_nok "XDP IPv4: 5 packets arrive"; sed 's/^/# /' /tmp/r4; fi
t_eq "XDP IPv4: source, length, DSCP EF, TTL-1 rewritten" 5 \
	"$(grep -c '^from=203.0.113.1:40000 len=172 tos=184 ttl=63$' /tmp/r4)"
recv_start pbx 2001:db8:113::10 5002 5 3000 /tmp/r6
sbc udptool send 2001:db8:51::10 6002 2001:db8:51::1 30002 5
if recv_wait; then t_ok "XDP IPv6: 5 packets arrive"; else t_nok "XDP IPv6: 5 packets arrive"; sed 's/^/# /' /tmp/r6; fi
t_eq "XDP IPv6: source, length, DSCP 34, hop limit-1 rewritten" 5 \
	"$(grep -c '^from=\[2001:db8:113::1\]:40002 len=172 tos=136 ttl=63$' /tmp/r6)"
t_eq "XDP flow counters (v4 packets/bytes, v6 packets/bytes)" "5 1000 5 1100" \
	"$(xget 198.51.100.1:30000 packets) $(xget 198.51.100.1:30000 bytes) $(xget '[2001:db8:51::1]:30002' packets) $(xget '[2001:db8:51::1]:30002' bytes)"
t_eq "XDP RTP view as the module's (ssrc, received, seq)" "287454020 5 1000 1004" \
	"$(xget 198.51.100.1:30000 ssrc) $(xget 198.51.100.1:30000 received) $(xget 198.51.100.1:30000 base_seq) $(xget 198.51.100.1:30000 ext_max_seq)"
t_eq "XDP fwd_redirect=10" 10 "$(xstat fwd_redirect)"
if dmesg | grep -E 'WARNING|BUG|Oops|general protection|Call Trace' >/tmp/dm; then
	t_nok "dmesg clean"; sed 's/^/# /' /tmp/dm
else
	t_ok "dmesg clean"
fi
