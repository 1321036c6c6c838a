# rtpgen: RTP stream generator and meter (docs/rtpgen.md), and its tests.
# The RTP header and RFC 3550 statistics code lives in lib/ so that the
# controller and rtprelayctl can link the same objects later.
include lib/lib.mk

RTPGEN_SRCS := $(wildcard tools/rtpgen/*.c)
RTPGEN_LDLIBS := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null || echo -ljson-c) -lm
ALL_TARGETS += $(BUILD)/rtpgen
INSTALL_BINS += $(BUILD)/rtpgen

$(BUILD)/rtpgen: $(RTPGEN_SRCS) $(LIBRTP_SRCS) $(wildcard tools/rtpgen/*.h) \
		include/rtprelay/rtp.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(filter %.c,$^) -o $@ $(RTPGEN_LDLIBS)

# Unit test of the RFC 3550 arithmetic (pattern rule in tests/tests.mk).
$(BUILD)/tests/test_rtp_meter: $(LIBRTP_SRCS) include/rtprelay/rtp.h
UNIT_LDLIBS_rtp_meter := -lm

# Sender and meter against each other over loopback.
TEST_SUITES += tests/rtpgen/test_rtpgen.sh
