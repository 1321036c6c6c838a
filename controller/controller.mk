# rtprelayd and the datapath library shared with rtprelayctl.

# The datapath library: endpoint text form, shared helpers, the XDP backend
# and loader, the kernel-module backend and its netlink client.
DP_SRCS := controller/endpoint.c controller/datapath.c controller/dp_xdp.c \
	   controller/xdp_loader.c controller/neigh.c controller/dp_kmod.c \
	   controller/rr_genl.c
DP_OBJS := $(patsubst controller/%.c,$(BUILD)/obj/%.o,$(DP_SRCS))
DP_LIB  := $(BUILD)/librtprelay_dp.a
DP_LIBS := $(DP_LIB) $(LIBBPF_LIBS) $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
ALL_TARGETS += $(DP_LIB)

$(BUILD)/obj/%.o: controller/%.c $(wildcard controller/*.h) $(wildcard include/rtprelay/*.h) | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(DP_LIB): $(DP_OBJS)
	$(AR) rcs $@ $^

# ---- rtprelayd ----
RRD_PKGS	:= sofia-sip-ua yaml-0.1 json-c libmicrohttpd libssl libcrypto libsystemd libpcre2-8
RRD_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(RRD_PKGS))
RRD_LIBS	:= $(shell $(PKG_CONFIG) --libs $(RRD_PKGS)) -lpthread

RRD_SRCS	:= $(addprefix controller/,b2bua.c call_state.c config.c config_routing.c control.c dp_user.c \
		   identity.c log.c media.c metrics.c metrics_text.c notify.c number.c port_pool.c \
		   refer.c route_rules.c route_test.c routing.c rtprelayd.c sdp_rewrite.c \
		   session_timer.c sofia_log.c tls.c transfer.c translate.c)
# call log lines and call detail records
RRD_SRCS	+= $(addprefix controller/,call_log.c call_record.c cdr.c cdr_csv.c media_quality.c)
# forking and call admission
RRD_SRCS	+= $(addprefix controller/,admission.c fork.c)
RRD_OBJS	:= $(patsubst controller/%.c,$(BUILD)/obj/controller/%.o,$(RRD_SRCS))
RRD_HDRS	:= $(wildcard controller/*.h) $(wildcard include/rtprelay/*.h)
RRD_MNL_LIBS	:= $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)

ALL_TARGETS	+= $(BUILD)/rtprelayd

$(BUILD)/obj/controller:
	@mkdir -p $@

$(BUILD)/obj/controller/%.o: controller/%.c $(RRD_HDRS) | $(BUILD)/obj/controller
	$(CC) $(CPPFLAGS) $(CFLAGS) $(RRD_CFLAGS) -c $< -o $@

$(BUILD)/rtprelayd: $(RRD_OBJS) $(DP_LIB)
	$(CC) $(CFLAGS) $(RRD_OBJS) $(DP_LIB) -o $@ $(RRD_LIBS) $(LIBBPF_LIBS) $(RRD_MNL_LIBS)

# Unit tests of controller parts (the pattern in tests/tests.mk builds them).
# The configuration and routing objects (rtprelayctl route test links them too).
RR_CFG_SRCS := $(addprefix controller/,config.c config_routing.c number.c route_rules.c \
	routing.c tls.c translate.c)
RR_CFG_LIBS := -lyaml -lcrypto $(shell $(PKG_CONFIG) --libs libpcre2-8 sofia-sip-ua)
RR_CFG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcre2-8 sofia-sip-ua)
$(BUILD)/tests/test_config: $(RR_CFG_SRCS) $(wildcard controller/*.h)
$(BUILD)/tests/test_config: CPPFLAGS += $(RR_CFG_CFLAGS)
UNIT_LDLIBS_config := $(RR_CFG_LIBS)
# Numbering, translation, routing rules, identity (tests/unit/test_routing.c).
$(BUILD)/tests/test_routing: $(RR_CFG_SRCS) controller/identity.c $(wildcard controller/*.h)
$(BUILD)/tests/test_routing: CPPFLAGS += $(RR_CFG_CFLAGS)
UNIT_LDLIBS_routing := $(RR_CFG_LIBS)
$(BUILD)/tests/test_sdp: controller/sdp_rewrite.c controller/port_pool.c $(wildcard controller/*.h)
UNIT_LDLIBS_sdp := $(shell $(PKG_CONFIG) --libs sofia-sip-ua)
# the pattern rule does not know sofia's include dir
$(BUILD)/tests/test_sdp: CPPFLAGS += $(shell $(PKG_CONFIG) --cflags sofia-sip-ua)
# Attended transfer's media join on a fake datapath (media.c).
$(BUILD)/tests/test_media_join: controller/media.c controller/port_pool.c controller/sdp_rewrite.c controller/log.c $(wildcard controller/*.h)
UNIT_LDLIBS_media_join := $(shell $(PKG_CONFIG) --libs sofia-sip-ua)
$(BUILD)/tests/test_media_join: CPPFLAGS += $(shell $(PKG_CONFIG) --cflags sofia-sip-ua)
# Refer-To reading (refer.c) and the per-trunk refer/session_timer keys.
$(BUILD)/tests/test_refer: controller/refer.c $(RR_CFG_SRCS) $(wildcard controller/*.h)
UNIT_LDLIBS_refer := $(RR_CFG_LIBS)
$(BUILD)/tests/test_refer: CPPFLAGS += $(RR_CFG_CFLAGS)
$(BUILD)/tests/test_dp_user: controller/dp_user.c controller/log.c controller/datapath.h
UNIT_LDLIBS_dp_user := -lpthread

# Call detail records and call-event log lines.
$(BUILD)/tests/test_cdr: controller/cdr.c controller/cdr_csv.c controller/log.c controller/cdr.h controller/cdr_csv.h
$(BUILD)/tests/test_call_log: controller/call_log.c controller/log.c controller/call_log.h
# Call state files (controller/call_state.c).
$(BUILD)/tests/test_call_state: controller/call_state.c controller/call_state.h controller/sdp_rewrite.h
# Forking policy and call admission (controller/fork.c, admission.c).
$(BUILD)/tests/test_fork: controller/fork.c controller/fork.h
$(BUILD)/tests/test_admission: controller/admission.c controller/admission.h controller/config.h

# Prometheus text formatting (controller/metrics_text.c).
$(BUILD)/tests/test_metrics_text: controller/metrics_text.c controller/metrics_text.h

# End to end: sipp through rtprelayd in the lab (userspace datapath).
TEST_SUITES += tests/e2e/test_transfer.sh tests/e2e/test_transfer_xdp.sh tests/e2e/test_session_timer.sh
tests/e2e/test_transfer.sh tests/e2e/test_session_timer.sh: $(BUILD)/tests/rtprelayd-asan
tests/e2e/test_transfer_xdp.sh: $(BUILD)/tests/rtprelayd-asan $(BUILD)/rtprelay.bpf.o
TEST_SUITES += tests/e2e/test_b2bua.sh tests/e2e/test_b2bua_xdp.sh tests/e2e/test_metrics.sh \
	tests/e2e/test_metrics_xdp.sh tests/e2e/test_tls.sh tests/e2e/test_ipv6.sh \
	tests/e2e/test_early.sh tests/e2e/test_restart.sh
TEST_SUITES += tests/e2e/test_cdr.sh
tests/e2e/test_b2bua_xdp.sh tests/e2e/test_metrics_xdp.sh tests/e2e/test_ipv6.sh \
	tests/e2e/test_restart.sh: $(BUILD)/tests/rtprelayd-asan $(BUILD)/rtprelay.bpf.o
# Per-trunk codec filter and jitter switch (XDP).
TEST_SUITES += tests/e2e/test_sdp_policy.sh
tests/e2e/test_sdp_policy.sh: $(BUILD)/tests/rtprelayd-asan $(BUILD)/rtprelay.bpf.o $(BUILD)/rtprelayctl
# systemd Type=notify: READY, STATUS, RELOADING, STOPPING, watchdog (XDP).
TEST_SUITES += tests/e2e/test_systemd_notify.sh
tests/e2e/test_systemd_notify.sh: $(BUILD)/tests/rtprelayd-asan $(BUILD)/rtprelay.bpf.o
INSTALL_SBINS += $(BUILD)/rtprelayd

# rtprelayd under ASan/UBSan for the end-to-end suite: any memory error or
# leak in the daemon fails the test.
$(BUILD)/tests/rtprelayd-asan: $(RRD_SRCS) $(DP_SRCS) $(RRD_HDRS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(RRD_CFLAGS) $(RRD_SRCS) $(DP_SRCS) -o $@ $(RRD_LIBS) $(LIBBPF_LIBS) $(RRD_MNL_LIBS)
tests/e2e/test_b2bua.sh tests/e2e/test_metrics.sh tests/e2e/test_tls.sh tests/e2e/test_early.sh: $(BUILD)/tests/rtprelayd-asan
tests/e2e/test_cdr.sh: $(BUILD)/tests/rtprelayd-asan $(BUILD)/rtprelayctl
# Forking, early media, failover and admission end to end.
TEST_SUITES += tests/e2e/test_fork.sh
tests/e2e/test_fork.sh: $(BUILD)/tests/rtprelayd-asan

# make bench: flow install/remove latency through datapath.h
$(BUILD)/flow_latency: tests/bench/flow_latency.c $(BUILD)/obj/controller/dp_user.o $(BUILD)/obj/controller/log.o $(DP_LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(BUILD)/obj/controller/dp_user.o $(BUILD)/obj/controller/log.o $(DP_LIB) -o $@ $(LIBBPF_LIBS) $(RRD_MNL_LIBS) -lpthread
BENCH_TARGETS += $(BUILD)/flow_latency
# Malformed and hostile SIP at the daemon (raw UDP from hostile_sip.py).
TEST_SUITES += tests/e2e/test_hostile_sip.sh
tests/e2e/test_hostile_sip.sh: $(BUILD)/tests/rtprelayd-asan
