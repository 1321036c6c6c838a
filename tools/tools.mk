# rtprelayctl, rtpgen and other operator tools.
JSONC_LIBS := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null || echo -ljson-c)

# route test --config evaluates a file here: the configuration and routing
# objects of rtprelayd (RR_CFG_SRCS, controller/controller.mk) link in.
$(BUILD)/rtprelayctl: tools/rtprelayctl.c tools/ctl_daemon.c tools/ctl_status.c tools/ctl_top.c tools/ctl_trunks.c tools/ctl_route.c tools/ctl_cdr.c controller/cdr_csv.c controller/log.c controller/route_test.c $(RR_CFG_SRCS) tools/ctl.h $(DP_LIB) $(wildcard controller/*.h) $(wildcard include/rtprelay/*.h) | $(BUILD)
	$(CC) $(CPPFLAGS) $(RR_CFG_CFLAGS) $(shell $(PKG_CONFIG) --cflags json-c) $(CFLAGS) $(filter %.c,$^) -o $@ $(DP_LIBS) $(JSONC_LIBS) $(RR_CFG_LIBS)
ALL_TARGETS += $(BUILD)/rtprelayctl
INSTALL_BINS += $(BUILD)/rtprelayctl

# rtpgen (its own fragment so other tools merge without conflicts)
include tools/rtpgen.mk
