# CMake toolchain for microt on Cortex-M (arm-none-eabi-gcc 12, newlib, semihosting), tests run
# under QEMU through run-qemu.sh. Pick the core with -DMT_CPU=cortex-m4 (default) or cortex-m7:
#   cmake -B build-m4 -DCMAKE_TOOLCHAIN_FILE=port/cortex-m/toolchain-arm-none-eabi.cmake -DMT_CPU=cortex-m4
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# Bare metal has no dynamic linking and needs our startup code to link an executable.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

if(NOT MT_CPU)
  set(MT_CPU cortex-m4)
endif()
set(MT_CPU ${MT_CPU} CACHE STRING "Target core: cortex-m4 (M4F, QEMU mps2-an386) or cortex-m7 (QEMU mps2-an500)")
set_property(CACHE MT_CPU PROPERTY STRINGS cortex-m4 cortex-m7)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MT_CPU)

# Hard-float ABI on both: M4F has a single-precision FPU (FPv4-SP), the M7 in QEMU's
# mps2-an500 a double-precision one (FPv5-D16).
if(MT_CPU STREQUAL "cortex-m4")
  set(MT_CPU_FLAGS "-mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
elseif(MT_CPU STREQUAL "cortex-m7")
  set(MT_CPU_FLAGS "-mthumb -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard")
else()
  message(FATAL_ERROR "MT_CPU must be cortex-m4 or cortex-m7, not '${MT_CPU}'")
endif()

set(CMAKE_C_FLAGS_INIT "${MT_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${MT_CPU_FLAGS}")
# Startup code and linker script come from port.cmake (mt_port_executable); newlib's
# semihosting flavour (librdimon) provides stdio and files on the host.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${MT_CPU_FLAGS} --specs=rdimon.specs -nostartfiles -Wl,--gc-sections")

# ctest runs every test executable as: run-qemu.sh --cpu=MT_CPU TEST ARGS...
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/run-qemu.sh;--cpu=${MT_CPU}")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
