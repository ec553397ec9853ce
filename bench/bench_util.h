/* Helpers shared by the benchmark programs (host and emulated Cortex-M). */
#ifndef MT_BENCH_UTIL_H
#define MT_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The whole file in a malloc'd buffer (the caller frees it), its size in *len; NULL if it
 * cannot be opened or read, or is empty. */
uint8_t *bench_read_file(const char *path, size_t *len);

/* A model file where firmware keeps it: on the emulated Cortex-M in the flash region the
 * linker leaves free (mps2.ld, __flash_store_start__), so the cycle model's memory system
 * sees its weights in flash; elsewhere a malloc'd buffer. Never freed (the program's lifetime);
 * NULL if the file cannot be read or does not fit. */
const uint8_t *bench_load_model(const char *path, size_t *len);

#endif
