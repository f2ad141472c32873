# Thin wrapper around meson. `make run` and `make test` install what is missing, build, and run.
#
#   make run                 the main job on the shipped example
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
	@echo "== this machine =="
	@$(BUILD)/gpuvm topo show --this-host
	@echo
	@echo "== example fleet: data/fleets/example.yaml =="
	@$(BUILD)/gpuvm fleet show data/fleets/example.yaml
	@echo
	@echo "== an inference VM (data/flavors/inference.yaml) placed on the example fleet =="
	@$(BUILD)/gpuvm place --fleet data/fleets/example.yaml --flavor inference --name infer-1 --explain

test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 || true
	@scripts/test-summary.sh $(BUILD)

# Benchmarks are separate from tests: timings are reported, never asserted (bench/README.md).
bench: build
	GV_SRCDIR=$(CURDIR) $(BUILD)/bench/place_bench 10000 200000 200
	GV_SRCDIR=$(CURDIR) $(BUILD)/bench/sim_bench 42

fuzz:
	@scripts/install-deps.sh --clang
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz

clean:
	rm -rf build build-*
