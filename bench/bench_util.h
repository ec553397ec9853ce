/* Helpers shared by the benchmark programs (host and emulated Cortex-M). */
#ifndef MT_BENCH_UTIL_H
#define MT_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The whole file in a malloc'd buffer (the caller frees it), its size in *len; NULL if it
 * cannot be opened or read, or is empty. */
uint8_t *bench_read_file(const char *path, size_t *len);

#endif
