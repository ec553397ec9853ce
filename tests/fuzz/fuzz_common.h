/* Shared by the libFuzzer targets (tests/fuzz/run.sh builds and runs them): every target
 * defines LLVMFuzzerTestOneInput and mt_fuzz_seeds, its seed corpus, which the binary writes
 * when run with MT_FUZZ_WRITE_SEEDS=DIR (fuzz_common.c). */
#ifndef MT_FUZZ_COMMON_H
#define MT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Writes the target's seed corpus into dir (which exists). Returns 0 on success. */
int mt_fuzz_seeds(const char *dir);

/* Writes one seed file dir/name. Returns 0 on success. */
int mt_fuzz_write(const char *dir, const char *name, const void *data, size_t len);

/* Reads structured values from fuzz bytes; zeros once the bytes run out, so every input is
 * a complete (if dull) choice. */
typedef struct {
    const uint8_t *p;
    size_t n;
} mt_fuzz_bytes_t;

uint8_t mt_fuzz_u8(mt_fuzz_bytes_t *b);
uint32_t mt_fuzz_u32(mt_fuzz_bytes_t *b);
/* A value in [lo, hi] (lo when exhausted). */
int32_t mt_fuzz_range(mt_fuzz_bytes_t *b, int32_t lo, int32_t hi);

/* Aborts with a message: a property of the target was violated (a finding). */
void mt_fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
