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
