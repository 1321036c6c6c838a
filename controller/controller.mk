# rtprelayd and the datapath library shared with rtprelayctl.
RRD_PKGS	:= sofia-sip-ua yaml-0.1 json-c
RRD_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(RRD_PKGS))
RRD_LIBS	:= $(shell $(PKG_CONFIG) --libs $(RRD_PKGS)) -lpthread

RRD_SRCS	:= $(wildcard controller/*.c)
RRD_OBJS	:= $(patsubst controller/%.c,$(BUILD)/obj/controller/%.o,$(RRD_SRCS))
RRD_HDRS	:= $(wildcard controller/*.h) $(wildcard include/rtprelay/*.h)

ALL_TARGETS	+= $(BUILD)/rtprelayd

$(BUILD)/obj/controller:
	@mkdir -p $@

$(BUILD)/obj/controller/%.o: controller/%.c $(RRD_HDRS) | $(BUILD)/obj/controller
	$(CC) $(CPPFLAGS) $(CFLAGS) $(RRD_CFLAGS) -c $< -o $@

$(BUILD)/rtprelayd: $(RRD_OBJS)
	$(CC) $(CFLAGS) $^ -o $@ $(RRD_LIBS) $(LIBBPF_LIBS)

# Unit tests of controller parts (the pattern in tests/tests.mk builds them).
$(BUILD)/tests/test_config: controller/config.c controller/config.h
UNIT_LDLIBS_config := -lyaml
$(BUILD)/tests/test_sdp: controller/sdp_rewrite.c controller/port_pool.c $(wildcard controller/*.h)
UNIT_LDLIBS_sdp := $(shell $(PKG_CONFIG) --libs sofia-sip-ua)
# the pattern rule does not know sofia's include dir
$(BUILD)/tests/test_sdp: CPPFLAGS += $(shell $(PKG_CONFIG) --cflags sofia-sip-ua)
$(BUILD)/tests/test_dp_user: controller/dp_user.c controller/log.c controller/datapath.h
UNIT_LDLIBS_dp_user := -lpthread

# End to end: sipp through rtprelayd in the lab (userspace datapath).
TEST_SUITES += tests/e2e/test_b2bua.sh
INSTALL_SBINS += $(BUILD)/rtprelayd

# rtprelayd under ASan/UBSan for the end-to-end suite: any memory error or
# leak in the daemon fails the test.
$(BUILD)/tests/rtprelayd-asan: $(RRD_SRCS) $(RRD_HDRS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(RRD_CFLAGS) $(RRD_SRCS) -o $@ $(RRD_LIBS) $(LIBBPF_LIBS)
tests/e2e/test_b2bua.sh: $(BUILD)/tests/rtprelayd-asan
