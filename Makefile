# Thin wrapper over CMake/CTest giving the README's commands.
#   make demo   install what is missing, build, run the main job
#   make test   install what is missing, then every test: host (ASan+UBSan), emulated
#               Cortex-M4 and M7, the installed package (consumer and NUCLEO builds), the
#               factory's unit tests and smoke run, a bounded fuzz run, the results
#               pipeline's smoke run and the docs-vs-results.json check
JOBS ?= 2
FUZZ_RUNS ?= 100000
FUZZ_SECONDS ?= 15
PY ?= /usr/bin/python3
CROSS = -DCMAKE_TOOLCHAIN_FILE=port/cortex-m/toolchain-arm-none-eabi.cmake
# our CI treats warnings as errors; the CMake default (OFF) is what consumers get
CI = -DMT_WERROR=ON

.PHONY: all deps build demo demo-check test test-host test-m4 test-m7 test-factory test-package fuzz clean factory

all: build

deps:
	scripts/install-deps.sh test

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
	cmake --build build -j$(JOBS)

demo:
	scripts/install-deps.sh runtime
	$(MAKE) build
	scripts/demo.sh

test: deps test-host demo-check test-m4 test-m7 test-package test-factory fuzz bench-smoke check-docs
	@echo "make test: all suites passed"

# the README's main job on the sanitizer build: it must run to the end on the shipped data
demo-check: test-host
	MICROT=build-asan/tools/microt scripts/demo.sh > build-asan/demo.log 2>&1 || { tail -20 build-asan/demo.log; exit 1; }
	grep -q "^accuracy " build-asan/demo.log

test-host:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMT_SANITIZE=ON $(CI)
	cmake --build build-asan -j$(JOBS)
	ctest --test-dir build-asan --output-on-failure -j$(JOBS)

test-m4:
	cmake -S . -B build-m4 $(CROSS) -DMT_CPU=cortex-m4 $(CI)
	cmake --build build-m4 -j$(JOBS)
	ctest --test-dir build-m4 --output-on-failure -j$(JOBS)

test-m7:
	cmake -S . -B build-m7 $(CROSS) -DMT_CPU=cortex-m7 $(CI)
	cmake --build build-m7 -j$(JOBS)
	ctest --test-dir build-m7 --output-on-failure -j$(JOBS)

test-factory:
	factory/run_tests.sh

# the installed package: find_package / pkg-config / add_subdirectory consumers, host and Cortex-M4
test-package:
	JOBS=$(JOBS) scripts/test-package.sh build-pkg

# every fuzz target (tests/fuzz/run.sh) for FUZZ_RUNS inputs or FUZZ_SECONDS each, on its
# seed corpus; the long campaign is tests/fuzz/campaign.sh (docs/robustness.md)
fuzz:
	tests/fuzz/run.sh $(FUZZ_RUNS) build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-m4 build-m7 build-fuzz build-pkg

# every shipped model from scratch (hours on 2 cores; see docs/factory.md): teacher, runs, export, probes
factory: build
	scripts/install-deps.sh factory
	factory/make_factory.sh

# Evidence (issues 7, 13): docs/results.md, docs/results/* (results.json, plots), README's
# Results section and the cycle files beside models/*.mtm, from real runs (bench/results.py;
# about 2-3 h on 2 cores the first time, cached runs are reused after).
# bench-smoke: fashion, k = 10, 2 draws, the test model for every extractor, TinyTL/SparseUpdate
# for 2 epochs, the cycle model on the test model: checks the pipeline (not figures), < 3 min.
# check-docs: README's Results section and docs/results.md re-rendered from results.json.
# bench-evidence: the claims table on a reduced protocol (fashion + digits, k = 5/10/50 x 5
# draws, one 70/30 split, the baselines' k = 10 curve from every TTL seed; bench/results.py
# EVIDENCE), 20-40 min on one idle core the first time; the page says it is reduced.
.PHONY: bench bench-evidence bench-smoke check-docs
bench: build
	$(PY) bench/results.py --microt build/tools/microt $(BENCH_ARGS)

bench-evidence: build
	$(PY) bench/results.py --evidence --microt build/tools/microt $(BENCH_ARGS)

# the sanitizer build of test-host (a no-op rebuild inside `make test`); skips without the data
bench-smoke:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMT_SANITIZE=ON $(CI) > /dev/null
	cmake --build build-asan -j$(JOBS) --target microt-cli
	$(PY) -m unittest bench/test_results.py
	$(PY) bench/results.py --smoke --microt build-asan/tools/microt

check-docs:
	$(PY) bench/check_docs.py
