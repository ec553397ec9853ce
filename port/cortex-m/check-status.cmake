# Runs CMD (a list) and fails unless its exit status is WANT: checks that a guest's exit
# status crosses QEMU exactly (cmake -DWANT=N -DCMD=a;b;c -P check-status.cmake).
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL WANT)
  message(FATAL_ERROR "exit status ${rc}, want ${WANT}\nstdout: ${out}\nstderr: ${err}")
endif()
message(STATUS "exit status ${rc} as expected")
