#!/usr/bin/env bash
# rtprelay.ko in a VM: builds the module against Debian's cloud headers,
# boots the matching cloud kernel under qemu (TCG) with a busybox initramfs
# and runs tests/kmod/guest_kmod.sh there (forwarding v4/v6, counters,
# latching, refused netlink requests, idle notifications, unload).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/kmod/vm.sh

for t in qemu-system-x86_64 cpio gzip modinfo ethtool ip; do
	command -v $t >/dev/null || bail "missing $t: run 'make deps'"
done
[ -r "$VM_KERNEL" ] || bail "no kernel $VM_KERNEL: run 'make deps' (linux-image-cloud-amd64)"

out=$(make --no-print-directory kmod 2>&1)
rc=$?
if [ $rc -ne 0 ] || echo "$out" | grep -qiE 'warning:|error:'; then
	echo "$out" | sed 's/^/# /' | tail -40
	bail "make kmod builds rtprelay.ko warning-free"
fi
ok "make kmod builds rtprelay.ko warning-free" true
make --no-print-directory build/tests/rrnl build/tests/udptool build/tests/dp_kmod_check >/dev/null ||
	bail "build rrnl, udptool, dp_kmod_check"

work=$(mktemp -d /tmp/rr-kmodvm.XXXXXX)
trap 'rm -rf "$work"' EXIT
vm_build_initrd "$work/initrd.gz" tests/kmod/guest_kmod.sh tests/kmod/guest_lib.sh \
	kmod/rtprelay.ko build/tests/rrnl build/tests/udptool build/tests/dp_kmod_check || bail "build the initramfs"
start=$(date +%s)
vm_run "$work/initrd.gz" "$work/serial.log" 170
echo "# VM ran $(($(date +%s) - start)) s"
mkdir -p build/test-logs && cp "$work/serial.log" build/test-logs/kmod-vm-serial.log
vm_report "$work/serial.log"
done_testing
