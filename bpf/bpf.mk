# XDP programs of the data path.
BPF_OBJS := $(BUILD)/rtprelay.bpf.o
ALL_TARGETS += $(BPF_OBJS)

$(BUILD)/rtprelay.bpf.o: bpf/rtprelay.bpf.c $(wildcard bpf/*.h) $(wildcard include/rtprelay/*.h)
