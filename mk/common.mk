# Shared build settings; included by the top-level Makefile before the parts.
BUILD		?= build
CC		?= gcc
CLANG		?= clang
BPFTOOL		?= bpftool
PKG_CONFIG	?= pkg-config

# Userspace: strict warnings everywhere; the shared UAPI header from include/.
CPPFLAGS	+= -Iinclude -Icontroller -D_GNU_SOURCE
CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
		   -Wmissing-prototypes -Wstrict-prototypes -fno-strict-aliasing
# Unit tests run under AddressSanitizer and UBSan; any finding fails the test.
SAN_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer

# BPF objects: clang -target bpf, BTF on (-g) so maps dump with field names.
BPF_ARCH	:= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
BPF_CFLAGS	:= -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) \
		   -Iinclude -I/usr/include/$(shell uname -m)-linux-gnu \
		   -Wall -Wextra -Werror -Wno-unused-parameter

LIBBPF_LIBS	:= $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
CMOCKA_LIBS	:= $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# Every part adds its outputs to these.
ALL_TARGETS	:=
TEST_SUITES	:=
BENCH_TARGETS	:=
FUZZ_TARGETS	:=
# Fuzz targets: clang with libFuzzer, ASan and UBSan.
FUZZ_CFLAGS	:= -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
CLEAN_FILES	:=

$(BUILD) $(BUILD)/tests $(BUILD)/obj:
	@mkdir -p $@

# Pattern: any bpf/**.bpf.c or tests/**.bpf.c becomes $(BUILD)/<name>.bpf.o
$(BUILD)/%.bpf.o: | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $(firstword $(filter %.c,$^)) -o $@
