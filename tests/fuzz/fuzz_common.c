/* Seed-corpus hook and byte reader of the fuzz targets (see fuzz_common.h). */
#include "fuzz_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *dir = getenv("MT_FUZZ_WRITE_SEEDS");
    if (dir) exit(mt_fuzz_seeds(dir) == 0 ? 0 : 1);
    return 0;
}

int mt_fuzz_write(const char *dir, const char *name, const void *data, size_t len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

uint8_t mt_fuzz_u8(mt_fuzz_bytes_t *b) {
    if (b->n == 0) return 0;
    b->n--;
    return *b->p++;
}

uint32_t mt_fuzz_u32(mt_fuzz_bytes_t *b) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)mt_fuzz_u8(b) << (8 * i);
    return v;
}

int32_t mt_fuzz_range(mt_fuzz_bytes_t *b, int32_t lo, int32_t hi) {
    uint32_t span = (uint32_t)(hi - lo) + 1u;
    uint32_t v = span <= 256u ? mt_fuzz_u8(b) : mt_fuzz_u32(b);
    return lo + (int32_t)(span ? v % span : v);
}

void mt_fuzz_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FUZZ PROPERTY VIOLATED: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}
