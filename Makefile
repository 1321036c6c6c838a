# rtprelay — top-level build. Each part has a short <part>/<part>.mk on the
# common settings in mk/common.mk. `make help` lists the targets.
.DEFAULT_GOAL := all
include mk/common.mk

include bpf/bpf.mk
include controller/controller.mk
include tools/tools.mk
include kmod/kmod.mk
include tests/tests.mk
include mk/install.mk

.PHONY: all deps check check-only demo bench fuzz clean install uninstall help

all: $(ALL_TARGETS)

## deps: install every Debian package the project needs (idempotent)
deps:
	@tools/deps.sh

## check: install deps, build, run every test suite (T=substring picks suites)
check: deps
	@$(MAKE) --no-print-directory check-only

check-only: all $(TEST_SUITES)
	@RR_TEST_SUITES='$(TEST_SUITES)' tests/run.sh $(if $(T),--only '$(T)') $(TEST_SUITES)

## demo: install deps, build, run the lab with calls through the relay
demo: deps
	@$(MAKE) --no-print-directory all
	@tests/lab/demo.sh

## bench: measured side-by-side benchmarks (docs/benchmarks.md)
bench: all $(BENCH_TARGETS)
	@tests/bench/run.sh

## fuzz: run each fuzz target for FUZZ_SECONDS (default 60) with libFuzzer
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_TARGETS)
	@test -n "$(strip $(FUZZ_TARGETS))" || { echo "fuzz: no fuzz target yet"; exit 1; }
	@for t in $(FUZZ_TARGETS); do echo "== $$t"; \
		mkdir -p $(BUILD)/corpus/$$(basename $$t); \
		$$t -max_total_time=$(FUZZ_SECONDS) $(BUILD)/corpus/$$(basename $$t) || exit 1; done

clean:
	rm -rf $(BUILD) $(CLEAN_FILES)

help:
	@grep -h '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /'
