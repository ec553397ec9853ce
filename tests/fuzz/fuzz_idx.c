/* libFuzzer target for the IDX reader (tools/idx_file.c), plain and gzip: any bytes give a
 * decoded file or a reason, never a crash, undefined behaviour or an allocation beyond the
 * limit; a decoded file's data is exactly the product of its dimensions. Inputs starting with
 * 'Z' are gzip-compressed here first (a valid stream of hostile content), so both the
 * inflate path and the IDX checks behind it are reached; others are decoded as they are. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../tools/idx_file.h"
#include "fuzz_common.h"

#define MAX_BYTES (1u << 20) /* the data limit under fuzzing: keeps the pace */

static void decode(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees any read past the end */
    if (!copy) return;
    memcpy(copy, data, size);
    mt_idx_t idx;
    char err[256];
    if (mt_idx_decode(copy, size, MAX_BYTES, &idx, err, sizeof err) == 0) {
        uint64_t count = 1;
        for (uint32_t i = 0; i < idx.ndim; i++) count *= idx.dims[i];
        if (idx.ndim < 1 || idx.ndim > MT_IDX_MAX_DIMS || count != idx.n_bytes || count > MAX_BYTES) {
            mt_fuzz_fail("decoded IDX with ndim %u, %zu bytes", idx.ndim, idx.n_bytes);
        }
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < idx.n_bytes; i++) sum ^= idx.data[i]; /* every byte readable */
        free(idx.data);
    } else if (strlen(err) == 0) {
        mt_fuzz_fail("refused without a reason");
    }
    free(copy);
}

static size_t gzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t n = cap - zs.avail_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? n : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 0 && data[0] == 'Z' && size < (1u << 20)) {
        size_t cap = compressBound((uLong)size) + 64;
        uint8_t *gz = malloc(cap);
        size_t n = gz ? gzip(data + 1, size - 1, gz, cap) : 0;
        if (n > 0) decode(gz, n);
        free(gz);
    } else {
        decode(data, size);
    }
    return 0;
}

/* Seeds: small image and label files, plain and 'Z' (compressed by the target), and one
 * real gzip file. */
int mt_fuzz_seeds(const char *dir) {
    static uint8_t img[1 + 16 + 3 * 5 * 4], lab[1 + 8 + 3];
    uint8_t *i = img + 1, *l = lab + 1;
    static const uint8_t ih[16] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 4};
    static const uint8_t lh[8] = {0, 0, 8, 1, 0, 0, 0, 3};
    memcpy(i, ih, 16);
    for (int k = 0; k < 60; k++) i[16 + k] = (uint8_t)(k * 37);
    memcpy(l, lh, 8);
    l[8] = 0, l[9] = 1, l[10] = 2;
    img[0] = lab[0] = 'Z';
    static uint8_t gz[512];
    size_t n = gzip(i, sizeof img - 1, gz, sizeof gz);
    return mt_fuzz_write(dir, "images-plain", i, sizeof img - 1) ||
           mt_fuzz_write(dir, "labels-plain", l, sizeof lab - 1) ||
           mt_fuzz_write(dir, "images-z", img, sizeof img) ||
           mt_fuzz_write(dir, "labels-z", lab, sizeof lab) ||
           (n == 0 || mt_fuzz_write(dir, "images.gz", gz, n));
}
