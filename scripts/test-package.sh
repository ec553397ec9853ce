#!/usr/bin/env bash
# The package a firmware build consumes (issue 15 item 5; docs/embedding.md): microt built
# without its tests, installed with `cmake --install`, and examples/consumer (a separate CMake
# project that only does find_package(microt)) built against it for the host and for
# Cortex-M4, plus a pkg-config build and an add_subdirectory build. The consumer runs on the
# host and on the emulated Cortex-M4 and must print the same features. Then the NUCLEO example
# firmware (examples/nucleo) for both boards against the Cortex-M4 and M7 packages.
# usage: scripts/test-package.sh [BUILD_DIR]   (default build-pkg; part of `make test`)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build-pkg}" && cd "${1:-$root/build-pkg}" && pwd)
jobs=${JOBS:-2}
toolchain=$root/port/cortex-m/toolchain-arm-none-eabi.cmake
model=$root/tests/data/test-model.mtm
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "host: build without tests (MT_BUILD_TESTS=OFF), install"
rm -rf "$out/prefix-host" "$out/prefix-m4" "$out/prefix-m7"
cmake -S "$root" -B "$out/host" -DCMAKE_BUILD_TYPE=Release -DMT_BUILD_TESTS=OFF -DMT_WERROR=ON > /dev/null
cmake --build "$out/host" -j"$jobs" > /dev/null
cmake --install "$out/host" --prefix "$out/prefix-host" > /dev/null
for f in include/microt/exec.h include/microt/model.h lib/libmicrot.a bin/microt \
         lib/cmake/microt/microtConfig.cmake lib/cmake/microt/microtConfigVersion.cmake \
         lib/cmake/microt/microtTargets.cmake lib/pkgconfig/microt.pc; do
    [ -e "$out/prefix-host/$f" ] || fail "not installed: $f"
done
if ls "$out/host" | grep -q '^tests$'; then fail "tests configured although MT_BUILD_TESTS=OFF"; fi

step "host: examples/consumer with find_package(microt)"
cmake -S "$root/examples/consumer" -B "$out/consumer-host" -DCMAKE_PREFIX_PATH="$out/prefix-host" \
      -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" > "$out/consumer-host.log"
grep -q "microt 0.1.0 for host-" "$out/consumer-host.log" || fail "find_package did not report the package"
cmake --build "$out/consumer-host" > /dev/null
"$out/consumer-host/consumer" "$model" | tee "$out/host.out"

step "host: the same program through pkg-config"
PKG_CONFIG_PATH="$out/prefix-host/lib/pkgconfig" pkg-config --exists 'microt >= 0.1' || fail "pkg-config microt"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$out/consumer-pc" "$root/examples/consumer/main.c" \
   $(PKG_CONFIG_PATH="$out/prefix-host/lib/pkgconfig" pkg-config --cflags --libs microt)
"$out/consumer-pc" "$model" > "$out/pc.out"
cmp -s "$out/host.out" "$out/pc.out" || fail "pkg-config build prints something else"

step "host: a version the package does not satisfy is refused"
mkdir -p "$out/too-new"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(p LANGUAGES C)\nfind_package(microt 0.2 REQUIRED)\n' > "$out/too-new/CMakeLists.txt"
if cmake -S "$out/too-new" -B "$out/too-new/b" -DCMAKE_PREFIX_PATH="$out/prefix-host" > /dev/null 2>&1; then
    fail "find_package(microt 0.2) accepted 0.1.0"
fi

step "host: add_subdirectory builds the library alone, no tests, no -Werror"
mkdir -p "$out/subdir"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(p LANGUAGES C)\nadd_subdirectory(%s microt)\nadd_executable(c %s/examples/consumer/main.c)\ntarget_link_libraries(c PRIVATE microt::microt)\n' \
       "$root" "$root" > "$out/subdir/CMakeLists.txt"
cmake -S "$out/subdir" -B "$out/subdir/b" > /dev/null
grep -q "MT_WERROR:BOOL=OFF" "$out/subdir/b/CMakeCache.txt" || fail "MT_WERROR is not off for a consumer"
if cmake --build "$out/subdir/b" --target help | grep -q "test_"; then fail "test targets in a consumer build"; fi
cmake --build "$out/subdir/b" > /dev/null
"$out/subdir/b/c" "$model" | tail -1 | cmp -s - <(tail -1 "$out/host.out") || fail "add_subdirectory build differs"

step "cortex-m4: cross build without tests, install, consumer, run under QEMU"
cmake -S "$root" -B "$out/m4" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DMT_CPU=cortex-m4 -DMT_BUILD_TESTS=OFF \
      -DMT_WERROR=ON > /dev/null
cmake --build "$out/m4" -j"$jobs" > /dev/null
cmake --install "$out/m4" --prefix "$out/prefix-m4" > /dev/null
attrs=$(arm-none-eabi-readelf -A "$out/prefix-m4/lib/libmicrot.a")
grep -q "Tag_CPU_arch: v7E-M" <<< "$attrs" && grep -q "Tag_ABI_VFP_args: VFP registers" <<< "$attrs" \
    || fail "the installed library is not a hard-float ARMv7E-M (Cortex-M4F) build"
cmake -S "$root/examples/consumer" -B "$out/consumer-m4" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DMT_CPU=cortex-m4 \
      -DCMAKE_FIND_ROOT_PATH="$out/prefix-m4" > "$out/consumer-m4.log"
grep -q "microt 0.1.0 for cortex-m4" "$out/consumer-m4.log" || fail "find_package did not find the Cortex-M4 package"
cmake --build "$out/consumer-m4" > /dev/null
"$root/port/cortex-m/run-qemu.sh" --cpu=cortex-m4 "$out/consumer-m4/consumer.elf" "$model" | tee "$out/m4.out"
[ "$(tail -1 "$out/m4.out")" = "$(tail -1 "$out/host.out")" ] || fail "Cortex-M4 features differ from the host's"
step "cortex-m7: cross build without tests, install"
cmake -S "$root" -B "$out/m7" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DMT_CPU=cortex-m7 -DMT_BUILD_TESTS=OFF \
      -DMT_WERROR=ON > /dev/null
cmake --build "$out/m7" -j"$jobs" > /dev/null
cmake --install "$out/m7" --prefix "$out/prefix-m7" > /dev/null

# The NUCLEO examples (issue 15 item 6): each board's firmware against its core's package, the
# model exported by the installed host CLI; the linker scripts hold the real memory maps, so
# the link fails when the firmware does not fit; then the figures and the vector table.
for board in "nucleo-l4r5zi cortex-m4 m4 0x08000000" "nucleo-h7a3zi cortex-m7 m7 0x08000000"; do
    set -- $board
    step "$1: firmware build and size check"
    cmake -S "$root/examples/nucleo" -B "$out/$1" -DMT_BOARD="$1" -DMT_CPU="$2" \
          -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_FIND_ROOT_PATH="$out/prefix-$3" \
          -DMICROT_CLI="$out/prefix-host/bin/microt" > "$out/$1.log" || { cat "$out/$1.log"; fail "$1 configure"; }
    elf="$out/$1/$1.elf"
    rm -f "$elf" # link again, so the memory usage is printed
    cmake --build "$out/$1" > "$out/$1.build.log" 2>&1 || { tail -20 "$out/$1.build.log"; fail "$1 does not build or fit"; }
    grep -E "^ +(FLASH|RAM|DTCM|AXI):" "$out/$1.build.log" || fail "$1: no memory usage printed"
    [ "0x$(arm-none-eabi-objdump -h "$elf" | awk '$2 == ".isr_vector" {print $4}')" = "$4" ] \
        || fail "$1: the vector table is not at $4"
    syms=$(arm-none-eabi-nm "$elf")
    grep -q " T Reset_Handler" <<< "$syms" || fail "$1: no Reset_Handler"
    if grep -q "initialise_monitor_handles" <<< "$syms"; then fail "$1: semihosting linked into board firmware"; fi
done
echo "test-package: all checks passed"
