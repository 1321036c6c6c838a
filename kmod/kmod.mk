# The kernel module, built through the top-level Kbuild. The running kernel
# here cannot load modules, so the default KDIR is Debian's cloud headers that
# the VM test boots (tests/kmod/).
KDIR ?= $(firstword $(wildcard /usr/src/linux-headers-*-cloud-amd64))
.PHONY: kmod kmod-clean
## kmod: build kmod/rtprelay.ko against KDIR (default: Debian cloud headers)
kmod:
	@test -n "$(KDIR)" || { echo "kmod: no KDIR (install linux-headers-cloud-amd64 or pass KDIR=)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
kmod-clean:
	@test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
