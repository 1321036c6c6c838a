# Test suites. Each entry of TEST_SUITES is an executable that prints TAP
# ("ok N - name", "not ok N - name", "ok N - name # SKIP reason") and exits
# non-zero on failure; tests/run.sh counts them all into one summary.

# Unit tests: one cmocka binary per tests/unit/test_*.c, under ASan/UBSan.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TEST_SUITES += $(UNIT_BINS)

# The header ABI test compares userspace offsets with the BTF that clang
# emitted for the same header built as BPF.
$(BUILD)/tests/test_header: $(BUILD)/header_abi.bpf.o
$(BUILD)/header_abi.bpf.o: tests/unit/header_abi.bpf.c $(wildcard include/rtprelay/*.h)
ALL_TARGETS += $(BUILD)/header_abi.bpf.o

$(BUILD)/tests/test_%: tests/unit/test_%.c $(wildcard include/rtprelay/*.h tests/unit/*.h) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(filter %.c,$^) -o $@ \
		$(CMOCKA_LIBS) $(LIBBPF_LIBS) $(UNIT_LDLIBS_$*)

# The lab: pass program for the outer veths, and the lab's own test.
$(BUILD)/xdp_pass.bpf.o: tests/lab/xdp_pass.bpf.c
ALL_TARGETS += $(BUILD)/xdp_pass.bpf.o
TEST_SUITES += tests/lab/test_lab.sh

# Endpoint text form (controller/endpoint.c), compiled into the test.
$(BUILD)/tests/test_endpoint: controller/endpoint.c controller/endpoint.h

# XDP tier end to end through the lab, rtprelayctl argument handling.
TEST_SUITES += tests/e2e/test_xdp_lab.sh tests/e2e/test_rtprelayctl_args.sh
# rtprelayctl status/trunks/top against XDP and rtprelayd in the lab.
TEST_SUITES += tests/e2e/test_ctl_status.sh

# Lab packets/s benchmark (tests/bench/bench_xdp_lab.sh): its XDP programs
# and the live-frames generator/meter.
$(BUILD)/bench_xdp.bpf.o: tests/bench/bench_xdp.bpf.c
$(BUILD)/xdp_bench: tests/bench/xdp_bench.c $(DP_LIB) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(DP_LIBS)
BENCH_TARGETS += $(BUILD)/bench_xdp.bpf.o $(BUILD)/xdp_bench
ALL_TARGETS += $(BUILD)/bench_xdp.bpf.o $(BUILD)/xdp_bench

# The XDP backend on real maps (needs root), with the neighbour kick.
$(BUILD)/tests/test_dp_xdp: controller/dp_xdp.c controller/datapath.c controller/neigh.c controller/endpoint.c
UNIT_LDLIBS_dp_xdp := $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)

# XDP property test: mutated frames through BPF_PROG_TEST_RUN (also a
# libFuzzer target for make fuzz).
$(BUILD)/tests/test_xdp_mutate: tests/bpf/xdp_mutate.c $(BUILD)/rtprelay.bpf.o | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -DRR_FUZZ_MAIN=1 $< -o $@ $(LIBBPF_LIBS)
$(BUILD)/fuzz_xdp: tests/bpf/xdp_mutate.c $(BUILD)/rtprelay.bpf.o | $(BUILD)
	$(CLANG) $(CPPFLAGS) $(FUZZ_CFLAGS) -DRR_FUZZ_MAIN=0 $< -o $@ $(LIBBPF_LIBS)
TEST_SUITES += $(BUILD)/tests/test_xdp_mutate
FUZZ_TARGETS += $(BUILD)/fuzz_xdp

# BPF packet fixtures and the test-run benchmark.
include tests/bpf/bpf_tests.mk
TEST_SUITES += tests/lab/test_demo.sh
$(BUILD)/tests/test_rtp_stats: lib/rtp_header.c

# make install/uninstall into a scratch prefix: the systemd unit
# (systemd-analyze verify), man pages against --help and example.yaml.
TEST_SUITES += tests/dist/test_install.sh
# Every tests/*/test_*.sh and unit test is registered here (make check
# hands the list over).
TEST_SUITES += tests/dist/test_registered.sh
tests/dist/test_install.sh: $(BUILD)/rtprelayd $(BUILD)/rtprelayctl $(BUILD)/rtpgen $(BUILD)/rtprelay.bpf.o

# Teams routing end to end: translation, normalisation, routing rules,
# allowed destinations, identity/privacy, rtprelayctl route test.
TEST_SUITES += tests/e2e/test_teams_routing.sh
tests/e2e/test_teams_routing.sh: $(BUILD)/tests/rtprelayd-asan $(BUILD)/rtprelayctl
