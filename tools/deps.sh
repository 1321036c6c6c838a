#!/usr/bin/env bash
# Installs the Debian 12 packages rtprelay needs to build, test and demo.
# Idempotent: does nothing (and needs no network) when all are present.
set -eu
pkgs=(
	# build
	make gcc clang llvm pkg-config libc6-dev libbpf-dev bpftool libelf-dev zlib1g-dev
	libsofia-sip-ua-dev libnl-3-dev libnl-genl-3-dev libmnl-dev libyaml-dev libcyaml-dev
	libpcre2-dev libmicrohttpd-dev libssl-dev libsystemd-dev libcmocka-dev libjson-c-dev
	# unit tests under ASan/UBSan, fuzzing
	libclang-rt-14-dev
	# rtpgen JSON summary
	libjson-c-dev
	# man pages (rendered and checked by tests/dist/test_install.sh), unit check
	# (systemd-analyze verify; installing it starts nothing in a container)
	groff-base man-db systemd
	# lab and end-to-end tests
	iproute2 iputils-ping nftables ethtool sip-tester xdp-tools procps psmisc tcpdump python3
	# test_systemd_notify: the unit's capability set (setpriv: util-linux; capsh)
	libcap2-bin
	# kernel-module tier, tested in a VM
	linux-headers-cloud-amd64 linux-image-cloud-amd64 qemu-system-x86 busybox-static cpio kmod
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
