/* Test helpers (see test_util.h). Host and semihosted Cortex-M alike. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>

static int g_passed, g_failed; /* test programs may keep state; the library may not */

int mt_check(int cond, const char *file, int line, const char *expr) {
    if (cond) {
        g_passed++;
    } else {
        g_failed++;
        printf("FAIL %s:%d: %s\n", file, line, expr);
    }
    return cond;
}

int mt_check_eq(long long got, long long want, const char *file, int line, const char *expr) {
    if (got == want) {
        g_passed++;
        return 1;
    }
    g_failed++;
    printf("FAIL %s:%d: %s = %lld, want %lld\n", file, line, expr, got, want);
    return 0;
}

size_t mt_check_s8(const int8_t *got, const int8_t *want, size_t n, int tolerance,
                   const char *what) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        int d = (int)got[i] - (int)want[i];
        if (d > tolerance || d < -tolerance) {
            if (bad < 5) {
                printf("  %s[%zu]: got %d, want %d\n", what, i, got[i], want[i]);
            }
            bad++;
        }
    }
    if (bad) {
        printf("FAIL %s: %zu of %zu differ by more than %d\n", what, bad, n, tolerance);
        g_failed++;
    } else {
        g_passed++;
    }
    return bad;
}

void mt_rng_seed(mt_rng_t *rng, uint32_t seed) { rng->state = seed ? seed : 0x9e3779b9u; }

uint32_t mt_rng_u32(mt_rng_t *rng) {
    uint32_t x = rng->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng->state = x;
    return x;
}

int32_t mt_rng_range(mt_rng_t *rng, int32_t lo, int32_t hi) {
    uint32_t span = (uint32_t)(hi - lo) + 1u;
    return lo + (int32_t)(mt_rng_u32(rng) % span);
}

float mt_rng_unit(mt_rng_t *rng) { return (float)(mt_rng_u32(rng) >> 8) / 16777216.0f; }

uint8_t *mt_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (buf) *len = n;
    return buf;
}

int mt_test_summary(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, g_passed, g_failed);
    return g_failed ? 1 : 0;
}
