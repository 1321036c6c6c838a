# In-VM benchmark (busybox sh): the same UDP stream (172-byte RTP payload,
# as fast as one sender can go) through the relay four ways, on one vCPU:
#   local   SBC -> a socket on the relay (no forwarding: the baseline)
#   kernel  SBC -> PBX through the kernel's own IP forwarding (no rewrite)
#   nf      SBC -> relay flow -> PBX through rtprelay.ko (rewrite)
#   xdp     SBC -> relay flow -> PBX through rtprelay.bpf.o (rewrite)
# Everything shares the CPU, so the time to push N packets is the sum of
# the per-packet work; minus "local" it is the relay's forwarding cost.
. ./guest_lib.sh
lab_up
N=${BENCH_N:-20000}
R=${BENCH_ROUNDS:-3}
P=/sys/fs/bpf/rr

for a in 203.0.113.10 198.51.100.10; do ping -c1 -W3 $a >/dev/null; done
sbc ping -c1 -W3 203.0.113.10 >/dev/null 2>&1
sysctl -qw net.ipv4.conf.sbc0.forwarding=1 net.ipv4.conf.pbx0.forwarding=1
# Same receive path for every run: XDP (pass) on the peers from the start,
# software checksums on the senders (what XDP redirect needs).
/usr/local/bin/ip -n sbc link set dev sbc-eth xdp obj xdp_pass.bpf.o sec xdp
/usr/local/bin/ip -n pbx link set dev pbx-eth xdp obj xdp_pass.bpf.o sec xdp
sbc ethtool -K sbc-eth tx off >/dev/null
pbx ethtool -K pbx-eth tx off >/dev/null

# run NAME NS RECV_ADDR RECV_PORT DST DST_PORT
run() {
	i=0
	while [ $i -lt $R ]; do
		rm -f /tmp/ready
		if [ "$2" = relay ]; then
			udptool recv "$3" "$4" $N 1500 ready=/tmp/ready quiet=1 >/tmp/got &
		else
			nsenter --net=/run/netns/$2 udptool recv "$3" "$4" $N 1500 ready=/tmp/ready quiet=1 >/tmp/got &
		fi
		rp=$!
		while [ ! -e /tmp/ready ]; do usleep 20000; done
		out=$(sbc udptool send 198.51.100.10 6000 "$5" "$6" $N report=1)
		wait $rp
		echo "@@BENCH $1 $(field ns "$out") $(cat /tmp/got)"
		i=$((i + 1))
	done
}

run local relay 198.51.100.1 31000 198.51.100.1 31000
run kernel pbx 203.0.113.10 5001 203.0.113.10 5001
insmod ./rtprelay.ko
rrnl add 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1
run nf pbx 203.0.113.10 5000 198.51.100.1 30000
echo "@@BENCH_NF_FLOW $(rrnl get 198.51.100.1:30000)"
rmmod rtprelay
mkdir -p $P
if xdpload attach rtprelay.bpf.o $P sbc0 pbx0 >/tmp/x 2>&1; then
	xdpload add $P 198.51.100.1:30000 203.0.113.1:40000 203.0.113.10:5000 id=1
	run xdp pbx 203.0.113.10 5000 198.51.100.1 30000
	echo "@@BENCH_XDP_STATS $(xdpload stats $P)"
else
	echo "@@BENCH xdp-failed"; sed 's/^/# /' /tmp/x | tail -5
fi
t_ok "benchmark ran"
