#!/usr/bin/env bash
# Boots Debian's cloud kernel in qemu (TCG) with a busybox initramfs that
# holds rtprelay.ko, the test tools and one in-VM script, and copies the
# serial console to a log. Sourced by the tests/kmod suites.
#
#   vm_build_initrd OUT.cpio.gz GUEST_SCRIPT [EXTRA_FILE...]
#   vm_run INITRD LOG [TIMEOUT_S]     (exit status of qemu/timeout)
# Inside the VM the script runs as /guest.sh with /lib/rr/ holding modules
# and extras; it prints "@@TAP ok|not ok - desc" lines and the init prints
# "@@DONE" when it returns.
VM_KVER=${VM_KVER:-$(basename "$(ls -d /lib/modules/*-cloud-amd64 2>/dev/null | sort -V | tail -1)")}
VM_KERNEL=${VM_KERNEL:-/boot/vmlinuz-$VM_KVER}
VM_MODDIR=/lib/modules/$VM_KVER
VM_BUSYBOX=${VM_BUSYBOX:-/bin/busybox}

# Copy an executable and the shared libraries it needs into the root.
vm_copy_bin() { # root bin
	local root=$1 bin=$2 lib
	# Not /bin: busybox --install would shadow ip and friends there.
	install -D -m 0755 "$bin" "$root/usr/local/bin/$(basename "$bin")"
	for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# A cloud-kernel module and its dependencies, decompressed, in load order.
vm_copy_module() { # root name
	local root=$1 name=$2 path dep
	path=$(modinfo -k "$VM_KVER" -F filename "$name") || return 1
	for dep in $(modinfo -k "$VM_KVER" -F depends "$name" | tr ',' ' '); do
		vm_copy_module "$root" "$dep" || return 1
	done
	[ -e "$root/lib/rr/$name.ko" ] && return 0
	case "$path" in
	*.xz) xz -dc "$path" >"$root/lib/rr/$name.ko" ;;
	*.zst) zstd -qdc "$path" >"$root/lib/rr/$name.ko" ;;
	*.gz) gzip -dc "$path" >"$root/lib/rr/$name.ko" ;;
	*) cp "$path" "$root/lib/rr/$name.ko" ;;
	esac
	echo "$name" >>"$root/lib/rr/modules.order"
}

vm_build_initrd() { # out script extra...
	local out=$1 script=$2 root
	shift 2
	root=$(mktemp -d /tmp/rr-vmroot.XXXXXX) || return 1
	chmod 0755 "$root"	# the VM's /: unprivileged tests must traverse it
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,run,tmp,lib/rr,etc}
	mkdir -p "$root/var" && ln -s /run "$root/var/run"
	install -m 0755 "$VM_BUSYBOX" "$root/bin/busybox"
	vm_copy_module "$root" veth || { echo "vm: no veth module for $VM_KVER" >&2; return 1; }
	vm_copy_bin "$root" "$(command -v ip)"
	vm_copy_bin "$root" "$(command -v ethtool)"
	local f
	for f in "$@"; do
		case "$f" in
		*.ko | *.o | *.sh) install -m 0644 "$f" "$root/lib/rr/" ;;
		*) vm_copy_bin "$root" "$f" ;;
		esac
	done
	install -m 0755 "$script" "$root/guest.sh"
	cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mkdir -p /run/netns /tmp
mount -t debugfs none /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
echo "@@BOOTED $(uname -r)"
cd /lib/rr && sh /guest.sh 2>&1
echo "@@DONE"
poweroff -f
INIT
	chmod 0755 "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}

vm_run() { # initrd log [timeout]
	local initrd=$1 log=$2 t=${3:-150}
	timeout -k 5 "$t" qemu-system-x86_64 -nographic -no-reboot -nic none -m 512 -smp 1 \
		-kernel "$VM_KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 quiet loglevel=4 panic=-1 rdinit=/init" \
		</dev/null >"$log" 2>&1
}

# Re-emit the guest's TAP lines through tests/lib.sh; fail loudly (with the
# serial log) when the VM did not boot or did not finish.
vm_report() { # log
	local log=$1 line desc
	# The console is noisy (BIOS escapes, kernel lines): match anywhere.
	if ! grep -aq '@@BOOTED' "$log"; then
		not_ok "VM boots ($VM_KERNEL)" true
		sed 's/^/# serial: /' "$log" | tail -60
		return 1
	fi
	ok "VM boots ($(grep -ao -m1 '@@BOOTED [^[:space:]]*' "$log" | cut -d' ' -f2))" true
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		"@@TAP ok - "*) ok "${line#@@TAP ok - }" true ;;
		"@@TAP not ok - "*) not_ok "${line#@@TAP not ok - }" true ;;
		esac
	done < <(grep -ao '@@TAP .*' "$log")
	if ! grep -aq '@@DONE' "$log"; then
		not_ok "VM test script ran to the end" true
		sed 's/^/# serial: /' "$log" | tail -80
		return 1
	fi
	ok "VM test script ran to the end" true
	if grep -aq '@@TAP not ok' "$log"; then
		grep -a '^# ' "$log" | sed 's/^/# guest: /' | tail -60
		return 1
	fi
}
