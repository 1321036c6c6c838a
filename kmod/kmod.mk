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

# Userspace side of the kmod tier: the generic-netlink client (libmnl) and the
# rr_dp_kmod_ops backend, linked into rtprelayd/rtprelayctl by their parts.
MNL_LIBS	:= $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
KMOD_NL_OBJS	:= $(BUILD)/obj/rr_genl.o $(BUILD)/obj/dp_kmod.o
KMOD_NL_HDRS	:= controller/rr_genl.h controller/dp_kmod.h controller/datapath.h \
		   $(wildcard include/rtprelay/*.h)
$(KMOD_NL_OBJS): $(BUILD)/obj/%.o: controller/%.c $(KMOD_NL_HDRS) | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# VM test tools: rrnl (netlink CLI) and udptool (static: no libs to copy).
$(BUILD)/tests/rrnl: tests/kmod/rrnl.c tests/kmod/cli_common.h $(BUILD)/obj/rr_genl.o $(KMOD_NL_HDRS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(BUILD)/obj/rr_genl.o -o $@ $(MNL_LIBS)
$(BUILD)/tests/udptool: tests/kmod/udptool.c lib/rtp_header.c include/rtprelay/rtp.h | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(filter %.c,$^) -o $@
ALL_TARGETS += $(KMOD_NL_OBJS) $(BUILD)/tests/rrnl $(BUILD)/tests/udptool

# The module in a VM (qemu TCG, Debian cloud kernel): tests/kmod/.
TEST_SUITES += tests/kmod/test_kmod_vm.sh
# The module's RTP view is checked against the XDP tier's, packet for packet.
# The XDP tier inside the VM's kernel (Debian 12, 6.1): a minimal libbpf
# loader, and the suite that proves the program loads and forwards there.
$(BUILD)/tests/xdpload: tests/kmod/xdpload.c tests/kmod/cli_common.h $(wildcard include/rtprelay/*.h) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LIBBPF_LIBS)
ALL_TARGETS += $(BUILD)/tests/xdpload
TEST_SUITES += tests/kmod/test_xdp_vm.sh
# The datapath backend itself, driven in the VM.
$(BUILD)/tests/dp_kmod_check: tests/kmod/dp_kmod_check.c $(KMOD_NL_OBJS) $(KMOD_NL_HDRS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(KMOD_NL_OBJS) -o $@ $(MNL_LIBS)
ALL_TARGETS += $(BUILD)/tests/dp_kmod_check
