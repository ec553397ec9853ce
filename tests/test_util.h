/* Minimal test helpers: count checks, print the first failures, exit non-zero on any.
 * Portable C11 on the host and under semihosting on the emulated Cortex-M. */
#ifndef MT_TEST_UTIL_H
#define MT_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Records one check; prints file:line and the message when it fails. Returns cond. */
int mt_check(int cond, const char *file, int line, const char *expr);
#define CHECK(cond) mt_check((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
/* Checks that two ints are equal, printing both when they are not. */
int mt_check_eq(long long got, long long want, const char *file, int line, const char *expr);
#define CHECK_EQ(got, want) mt_check_eq((long long)(got), (long long)(want), __FILE__, __LINE__, #got)

/* Compares two int8 arrays; prints the first few mismatches as index, got, want.
 * tolerance is the largest allowed |got - want|. Returns the number of mismatches. */
size_t mt_check_s8(const int8_t *got, const int8_t *want, size_t n, int tolerance,
                   const char *what);

/* Deterministic pseudo-random numbers (xorshift32), the same on every platform. */
typedef struct { uint32_t state; } mt_rng_t;
void mt_rng_seed(mt_rng_t *rng, uint32_t seed);
uint32_t mt_rng_u32(mt_rng_t *rng);
int32_t mt_rng_range(mt_rng_t *rng, int32_t lo, int32_t hi); /* inclusive */
float mt_rng_unit(mt_rng_t *rng);                               /* [0, 1) */

/* Reads a whole file into a 4-byte aligned malloc'ed buffer; NULL on failure. */
uint8_t *mt_read_file(const char *path, size_t *len);

/* Prints "N passed, N failed" and returns the process exit status. */
int mt_test_summary(const char *suite);

#endif
