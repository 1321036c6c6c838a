#!/usr/bin/env bash
# Per-packet cost of the kernel-module tier vs the XDP tier vs the kernel's
# own forwarding, for the same traffic in the same VM run (qemu TCG, Debian
# 12 cloud kernel, 1 vCPU). TCG makes absolute numbers meaningless: read the
# ratios. See tests/kmod/guest_bench.sh for the method.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/kmod/vm.sh

make --no-print-directory kmod >/dev/null 2>&1 || { echo "bench_kmod_vm: make kmod failed" >&2; exit 1; }
make --no-print-directory build/rtprelay.bpf.o build/xdp_pass.bpf.o build/tests/xdpload \
	build/tests/udptool build/tests/rrnl >/dev/null || exit 1
work=$(mktemp -d /tmp/rr-benchvm.XXXXXX)
trap 'rm -rf "$work"' EXIT
vm_build_initrd "$work/initrd.gz" tests/kmod/guest_bench.sh tests/kmod/guest_lib.sh \
	kmod/rtprelay.ko build/rtprelay.bpf.o build/xdp_pass.bpf.o build/tests/xdpload \
	build/tests/udptool build/tests/rrnl || exit 1
vm_run "$work/initrd.gz" "$work/serial.log" 400
mkdir -p build/test-logs && cp "$work/serial.log" build/test-logs/bench-kmod-vm-serial.log
grep -aq '@@DONE' "$work/serial.log" || { echo "bench_kmod_vm: VM did not finish"; tail -40 "$work/serial.log"; exit 1; }

# Median ns per packet of each path; relay cost = path - local.
grep -ao '@@BENCH [a-z]* [0-9]* got=[0-9]*' "$work/serial.log" | awk '
{ n[$2]++; t[$2, n[$2]] = $3; g[$2] = $4 }
END {
	N = ENVIRON["BENCH_N"] ? ENVIRON["BENCH_N"] : 20000
	split("local kernel nf xdp", order, " ")
	for (k = 1; k <= 4; k++) {
		p = order[k]
		if (!n[p]) continue
		# median of the rounds
		m = n[p]; for (i = 1; i <= m; i++) v[i] = t[p, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		med[p] = v[int((m + 1) / 2)] / N
		printf "%-7s %8.0f ns/packet total (TCG), last run %s of %d delivered\n", p, med[p], g[p], N
	}
	if (!("local" in med) || !("kernel" in med)) exit 1
	base = med["kernel"] - med["local"]
	printf "relay cost (path - local): kernel forwarding %.0f ns", base
	if ("nf" in med) printf ", rtprelay.ko %.0f ns", med["nf"] - med["local"]
	if ("xdp" in med) printf ", XDP %.0f ns", med["xdp"] - med["local"]
	printf "\n"
	if ("nf" in med && base > 0) printf "ratio vs kernel forwarding: rtprelay.ko %.2f", (med["nf"] - med["local"]) / base
	if ("xdp" in med && base > 0) printf ", XDP %.2f", (med["xdp"] - med["local"]) / base
	printf "\n"
}'
