#!/usr/bin/env bash
# The XDP tier (build/rtprelay.bpf.o) inside the VM's Debian 12 kernel (6.1):
# loads, attaches natively on veth and forwards IPv4 and IPv6 with the
# rewrite and counters of docs/datapath.md (tests/kmod/guest_xdp.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/kmod/vm.sh

for t in qemu-system-x86_64 cpio gzip modinfo ethtool ip; do
	command -v $t >/dev/null || bail "missing $t: run 'make deps'"
done
[ -r "$VM_KERNEL" ] || bail "no kernel $VM_KERNEL: run 'make deps' (linux-image-cloud-amd64)"
make --no-print-directory build/rtprelay.bpf.o build/xdp_pass.bpf.o build/tests/xdpload \
	build/tests/udptool >/dev/null || bail "build rtprelay.bpf.o, xdp_pass.bpf.o, xdpload, udptool"

work=$(mktemp -d /tmp/rr-xdpvm.XXXXXX)
trap 'rm -rf "$work"' EXIT
vm_build_initrd "$work/initrd.gz" tests/kmod/guest_xdp.sh tests/kmod/guest_lib.sh \
	build/rtprelay.bpf.o build/xdp_pass.bpf.o build/tests/xdpload build/tests/udptool ||
	bail "build the initramfs"
vm_run "$work/initrd.gz" "$work/serial.log" 120
mkdir -p build/test-logs && cp "$work/serial.log" build/test-logs/xdp-vm-serial.log
vm_report "$work/serial.log"
done_testing
