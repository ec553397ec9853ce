# Cortex-M port, included by the top-level CMakeLists.txt when cross-compiling:
#   mt_port_executable(target)  startup code, linker script, semihosting: a hosted-looking
#                               C program (argv, stdio, host files, exit status) under QEMU
#   mt_port_bench(target)       the above plus the instruction-count markers (mt_count.h)
# plus the port self-tests, the counter's calibration test and the minimal firmware.
set(MT_PORT_DIR ${CMAKE_CURRENT_LIST_DIR})

# Startup as an object library: its vector table must be linked in, not picked from an archive.
add_library(mt_port_startup OBJECT ${MT_PORT_DIR}/startup.c)
target_compile_options(mt_port_startup PRIVATE ${MT_WARNINGS})

function(mt_port_executable target)
  target_link_libraries(${target} PRIVATE mt_port_startup)
  target_link_options(${target} PRIVATE -T${MT_PORT_DIR}/mps2.ld
                      -Wl,-Map=$<TARGET_FILE:${target}>.map)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${MT_PORT_DIR}/mps2.ld)
  set_target_properties(${target} PROPERTIES SUFFIX .elf)
endfunction()

# The instruction-count markers; without this, mt_count.h's markers compile to nothing.
add_library(mt_count OBJECT ${MT_PORT_DIR}/icount/mt_count.c)
target_include_directories(mt_count PUBLIC ${MT_PORT_DIR}/icount)
target_compile_definitions(mt_count PUBLIC MT_HAVE_COUNT=1)

function(mt_port_bench target)
  mt_port_executable(${target})
  target_link_libraries(${target} PRIVATE mt_count)
endfunction()

# The QEMU plugin is host code: build it with the host compiler, outside CMake's C toolchain.
find_program(MT_HOST_CC NAMES cc gcc clang REQUIRED)
set(MT_ICOUNT_PLUGIN ${CMAKE_BINARY_DIR}/mt_icount.so)
add_custom_command(
  OUTPUT ${MT_ICOUNT_PLUGIN}
  COMMAND ${MT_HOST_CC} -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden
          -o ${MT_ICOUNT_PLUGIN} ${MT_PORT_DIR}/icount/mt_icount_plugin.c
  DEPENDS ${MT_PORT_DIR}/icount/mt_icount_plugin.c
  COMMENT "Building the QEMU instruction-count plugin (host)")
add_custom_target(mt_icount_plugin ALL DEPENDS ${MT_ICOUNT_PLUGIN})

# --- Tests of the port itself ---
# Port self-test: argv, stdio, host files both ways, heap, FPU. The expected file size
# comes from CMake, independently of the guest.
add_executable(mt_port_selftest ${MT_PORT_DIR}/selftest.c)
target_compile_options(mt_port_selftest PRIVATE ${MT_WARNINGS})
target_link_libraries(mt_port_selftest PRIVATE m)
mt_port_executable(mt_port_selftest)
file(SIZE ${MT_PORT_DIR}/selftest.c MT_SELFTEST_BYTES)
add_test(NAME port_selftest
         COMMAND mt_port_selftest ${MT_PORT_DIR}/selftest.c ${MT_SELFTEST_BYTES}
                 ${CMAKE_CURRENT_BINARY_DIR}/port_selftest.tmp)

# The guest's exit status must reach CTest: main's value, a fault, abort().
foreach(case "exit_0;0;--exit;0" "exit_3;3;--exit;3" "exit_255;255;--exit;255"
             "fault;70;--fault" "abort;1;--abort" "stack_overflow;70;--overflow")
  list(POP_FRONT case name want)
  add_test(NAME port_status_${name}
           COMMAND ${CMAKE_COMMAND} -DWANT=${want} "-DCMD=${MT_PORT_DIR}/run-qemu.sh;--cpu=${MT_CPU};$<TARGET_FILE:mt_port_selftest>;${case}"
                   -P ${MT_PORT_DIR}/check-status.cmake)
endforeach()

# Calibration of the instruction counter against loops of known length and SysTick.
add_executable(mt_icount_calib ${MT_PORT_DIR}/icount/calib.c)
target_compile_options(mt_icount_calib PRIVATE ${MT_WARNINGS})
mt_port_bench(mt_icount_calib)
add_test(NAME port_icount_calibration
         COMMAND ${MT_PORT_DIR}/icount/calibrate.sh --cpu=${MT_CPU} --plugin=${MT_ICOUNT_PLUGIN}
                 $<TARGET_FILE:mt_icount_calib>)

# A minimal firmware: the library plus a model in flash, for arm-none-eabi-size (not a test).
# Real figures: microt export-c MODEL --symbol mt_model_data -o fw_model.c, then -DMT_FW_MODEL_C=fw_model.c and the
# arena/input sizes `microt inspect` prints.
set(MT_FW_MODEL_C ${MT_PORT_DIR}/minimal_fw_model.c CACHE FILEPATH "C array of the minimal firmware's model (microt export-c)")
set(MT_FW_ARENA_BYTES 65536 CACHE STRING "Arena bytes of the minimal firmware")
set(MT_FW_INPUT_BYTES 12288 CACHE STRING "Input frame bytes (h*w*c) of the minimal firmware")
set(MT_FW_STACK_BYTES 16384 CACHE STRING "Stack reserved by the minimal firmware (it prints what it used)")
add_library(mt_port_startup_bare OBJECT ${MT_PORT_DIR}/startup.c)
target_compile_definitions(mt_port_startup_bare PRIVATE MT_PORT_BARE=1)
target_compile_options(mt_port_startup_bare PRIVATE ${MT_WARNINGS})
add_executable(mt_minimal_fw EXCLUDE_FROM_ALL ${MT_PORT_DIR}/minimal_fw.c ${MT_FW_MODEL_C})
target_compile_definitions(mt_minimal_fw PRIVATE MT_FW_ARENA_BYTES=${MT_FW_ARENA_BYTES}
                           MT_FW_INPUT_BYTES=${MT_FW_INPUT_BYTES})
target_compile_options(mt_minimal_fw PRIVATE ${MT_WARNINGS})
target_link_libraries(mt_minimal_fw PRIVATE microt mt_port_startup_bare)
target_link_options(mt_minimal_fw PRIVATE -T${MT_PORT_DIR}/mps2.ld -Wl,--defsym=__stack_size=${MT_FW_STACK_BYTES}
                    -Wl,-Map=$<TARGET_FILE:mt_minimal_fw>.map)
set_target_properties(mt_minimal_fw PROPERTIES SUFFIX .elf)
add_custom_target(mt_minimal_fw_size
                  COMMAND arm-none-eabi-size -A $<TARGET_FILE:mt_minimal_fw>
                  COMMAND arm-none-eabi-size $<TARGET_FILE:mt_minimal_fw>
                  DEPENDS mt_minimal_fw VERBATIM)

# The personalization firmware example (personalize_fw.c): the learner in one static buffer
# (MT_LEARNER_BYTES), the model as a const array, flash regions behind NOR callbacks; learns,
# saves, reboots, adds a class from flash, answers. The model array is generated here from a
# .mtm file (default: the test model; its model-card numbers are the FW_* defaults in the source).
set(MT_PFW_MODEL ${PROJECT_SOURCE_DIR}/tests/data/test-model.mtm CACHE FILEPATH "Model of the personalization firmware example")
file(READ ${MT_PFW_MODEL} MT_PFW_HEX HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," MT_PFW_BYTES "${MT_PFW_HEX}")
file(WRITE ${CMAKE_BINARY_DIR}/personalize_fw_model.c.new
     "/* Generated by port.cmake from ${MT_PFW_MODEL}. */\n#include <stdint.h>\n"
     "const uint8_t mt_model_data[] __attribute__((aligned(4))) = {${MT_PFW_BYTES}};\n"
     "const unsigned int mt_model_data_len = sizeof mt_model_data;\n")
file(COPY_FILE ${CMAKE_BINARY_DIR}/personalize_fw_model.c.new ${CMAKE_BINARY_DIR}/personalize_fw_model.c
     ONLY_IF_DIFFERENT)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${MT_PFW_MODEL})
add_executable(mt_personalize_fw ${MT_PORT_DIR}/personalize_fw.c ${CMAKE_BINARY_DIR}/personalize_fw_model.c)
target_compile_options(mt_personalize_fw PRIVATE ${MT_WARNINGS})
target_link_libraries(mt_personalize_fw PRIVATE microt)
mt_port_executable(mt_personalize_fw)
add_test(NAME port_personalize_fw COMMAND mt_personalize_fw)

# The cycle-approximate cost model (docs/cycles.md): a second QEMU plugin, and its check on
# micro-benchmarks whose cycle counts are worked out by hand, on the timing model of MT_CPU.
set(MT_CYCLES_PLUGIN ${CMAKE_BINARY_DIR}/mt_cycles.so)
add_custom_command(
  OUTPUT ${MT_CYCLES_PLUGIN}
  COMMAND ${MT_HOST_CC} -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden
          -o ${MT_CYCLES_PLUGIN} ${MT_PORT_DIR}/icount/mt_cycles_plugin.c
  DEPENDS ${MT_PORT_DIR}/icount/mt_cycles_plugin.c
  COMMENT "Building the QEMU cycle-model plugin (host)")
add_custom_target(mt_cycles_plugin ALL DEPENDS ${MT_CYCLES_PLUGIN})
add_executable(mt_cycles_micro ${MT_PORT_DIR}/icount/cycles_micro.c)
target_compile_options(mt_cycles_micro PRIVATE ${MT_WARNINGS})
mt_port_bench(mt_cycles_micro)
add_test(NAME port_cycles_model
         COMMAND ${MT_PORT_DIR}/icount/cycles-check.sh --cpu=${MT_CPU} --plugin=${MT_CYCLES_PLUGIN}
                 $<TARGET_FILE:mt_cycles_micro>)
# ... and its memory system (mem=l4r5 on M4, mem=h7a3 on M7) against hand figures.
add_executable(mt_mem_micro ${MT_PORT_DIR}/icount/mem_micro.c)
target_compile_options(mt_mem_micro PRIVATE ${MT_WARNINGS})
mt_port_bench(mt_mem_micro)
add_test(NAME port_cycles_memory
         COMMAND ${MT_PORT_DIR}/icount/mem-check.sh --cpu=${MT_CPU} --plugin=${MT_CYCLES_PLUGIN}
                 $<TARGET_FILE:mt_mem_micro>)

# The host twin of tests/test_personalize_e2e.c: the same test program and library sources
# built by the host compiler (portable reference kernels), so the end-to-end personalization
# test compares the emulated core's predictions with the host's inside one cross build.
file(GLOB MT_E2E_LIB_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/*.c
     ${PROJECT_SOURCE_DIR}/src/kernels/*.c)
file(GLOB MT_E2E_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/microt/*.h
     ${PROJECT_SOURCE_DIR}/src/*.h ${PROJECT_SOURCE_DIR}/src/kernels/*.h)
set(MT_E2E_HOST ${CMAKE_BINARY_DIR}/test_personalize_e2e_host)
set(MT_E2E_HOST_SOURCES ${PROJECT_SOURCE_DIR}/tests/test_personalize_e2e.c
    ${PROJECT_SOURCE_DIR}/tests/test_util.c ${PROJECT_SOURCE_DIR}/tests/flash_sim.c ${MT_E2E_LIB_SOURCES})
add_custom_command(
  OUTPUT ${MT_E2E_HOST}
  COMMAND ${MT_HOST_CC} -std=c11 -O2 -Wall -Wextra -Werror -I${PROJECT_SOURCE_DIR}/include
          -I${PROJECT_SOURCE_DIR}/tests -o ${MT_E2E_HOST} ${MT_E2E_HOST_SOURCES} -lm
  DEPENDS ${MT_E2E_HOST_SOURCES} ${MT_E2E_HEADERS} ${PROJECT_SOURCE_DIR}/tests/test_util.h
          ${PROJECT_SOURCE_DIR}/tests/flash_sim.h
  COMMENT "Building the host twin of test_personalize_e2e")
add_custom_target(mt_personalize_e2e_host ALL DEPENDS ${MT_E2E_HOST})
