#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

uint8_t *bench_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#if defined(__arm__) && defined(MT_HAVE_COUNT)
#include <string.h>
extern uint8_t __flash_store_start__[], __flash_store_end__[];

const uint8_t *bench_load_model(const char *path, size_t *len) {
    uint8_t *tmp = bench_read_file(path, len);
    if (!tmp || *len > (size_t)(__flash_store_end__ - __flash_store_start__)) {
        free(tmp);
        return NULL;
    }
    memcpy(__flash_store_start__, tmp, *len); /* "programming the flash" */
    free(tmp);
    return __flash_store_start__;
}
#else
const uint8_t *bench_load_model(const char *path, size_t *len) { return bench_read_file(path, len); }
#endif
