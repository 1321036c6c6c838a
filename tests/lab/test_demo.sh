#!/usr/bin/env bash
# make demo in a short mode: a few calls each way through rtprelayd on the
# XDP datapath; the summary must show every call answered, media relayed in
# the kernel and no flow left behind.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root
export RR_NS_PREFIX=rrdemo$$- DEMO_CALLS=3 DEMO_SECONDS=4 DEMO_MODE=${DEMO_MODE:-xdp}
out=$(timeout 180 tests/lab/demo.sh 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "demo exits 0" 0 "$rc"
line=$(echo "$out" | grep '^demo: .* placed')
check "6 calls placed" 6 "$(echo "$line" | sed -n 's/^demo: \([0-9]*\) placed.*/\1/p')"
check "6 calls answered" 6 "$(echo "$line" | sed -n 's/.* \([0-9]*\) answered.*/\1/p')"
kernel=$(echo "$line" | sed -n 's/.* \([0-9]*\) in kernel.*/\1/p')
ok "media relayed in the kernel (XDP): ${kernel:-none} packets" test "${kernel:-0}" -gt 500
check "no media relayed in userspace" 0 "$(echo "$line" | sed -n 's/.* \([0-9]*\) in userspace.*/\1/p')"
check "no flow left" 0 "$(echo "$line" | sed -n 's/.* \([0-9]*\) flows left.*/\1/p')"
not_ok "lab torn down" sh -c "ip netns list | grep -q '^$RR_NS_PREFIX'"
not_ok "demo pins removed" sh -c "ls -d /sys/fs/bpf/rtprelay-demo-* 2>/dev/null | grep -q ."
done_testing
