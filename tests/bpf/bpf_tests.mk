# BPF packet fixtures through BPF_PROG_TEST_RUN (tests/bpf), under ASan/UBSan
# like tests/unit, and the test-run micro-benchmark (tests/bench).
XDP_ENV_SRCS := tests/bpf/pkt.c tests/bpf/xdp_env.c
XDP_ENV_HDRS := tests/bpf/pkt.h tests/bpf/xdp_env.h $(wildcard include/rtprelay/*.h)

$(BUILD)/tests/test_xdp_fixtures: tests/bpf/test_xdp_fixtures.c $(XDP_ENV_SRCS) \
		$(XDP_ENV_HDRS) $(BUILD)/rtprelay.bpf.o | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(filter %.c,$^) -o $@ \
		$(CMOCKA_LIBS) $(LIBBPF_LIBS)
TEST_SUITES += $(BUILD)/tests/test_xdp_fixtures

# The benchmark measures: no sanitizers.
$(BUILD)/xdp_floor.bpf.o: tests/bench/xdp_floor.bpf.c
$(BUILD)/xdp_helper_cost.bpf.o: tests/bench/xdp_helper_cost.bpf.c
$(BUILD)/bench_xdp_testrun: tests/bench/bench_xdp_testrun.c $(XDP_ENV_SRCS) \
		$(XDP_ENV_HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(filter %.c,$^) -o $@ $(LIBBPF_LIBS)
ALL_TARGETS += $(BUILD)/xdp_floor.bpf.o $(BUILD)/xdp_helper_cost.bpf.o $(BUILD)/bench_xdp_testrun
BENCH_TARGETS += $(BUILD)/xdp_floor.bpf.o $(BUILD)/xdp_helper_cost.bpf.o $(BUILD)/bench_xdp_testrun $(BUILD)/rtprelay.bpf.o
