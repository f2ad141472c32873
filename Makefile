# Thin wrapper around meson. `make run` and `make test` install what is missing, build, and run.
#
#   make run                 gpuvmd on 127.0.0.1:8080, state in ./var, the example fleet
#   make test                every test (gcc build in ./build)
#   make test CC=clang SANITIZE=address,undefined BUILD=build-asan
#   make fuzz                libFuzzer binaries (clang) in ./build-fuzz
BUILD    ?= build
CC       ?= cc
SANITIZE ?=
WERROR   ?= false
MESONFLAGS ?=

ifeq ($(findstring clang,$(CC)),clang)
DEPSFLAGS = --clang
endif
ifneq ($(SANITIZE),)
MESONFLAGS += -Db_sanitize=$(SANITIZE) -Db_lundef=false
endif

.PHONY: all deps build run test fuzz clean bench

all: build

deps:
	@scripts/install-deps.sh $(DEPSFLAGS)

$(BUILD)/build.ninja:
	@$(MAKE) --no-print-directory deps
	CC=$(CC) meson setup $(BUILD) -Dwerror=$(WERROR) $(MESONFLAGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@scripts/run-daemon.sh $(BUILD)

test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 || true
	@scripts/test-summary.sh $(BUILD)

# Benchmarks are separate from tests: timings are reported, never asserted (bench/README.md).
bench: build
	GV_SRCDIR=$(CURDIR) $(BUILD)/bench/place_bench 10000 200000 200
	GV_SRCDIR=$(CURDIR) $(BUILD)/bench/sim_bench 42
	bench/gpuvmd_bench.sh $(BUILD) 10000 100000 10

fuzz:
	@scripts/install-deps.sh --clang
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz

clean:
	rm -rf build build-*
