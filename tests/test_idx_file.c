/* IDX reader (tools/idx_file.c, issue 17): plain and gzip files decode to their bytes; every
 * damage is refused with a reason, never read as data: a corrupt deflate stream, a bad or
 * cut gzip trailer, any truncation, trailing bytes, dimensions beyond the limit, a gzip bomb
 * with no IDX header. The gzip files are written here with zlib's deflate (gzip wrapper). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "idx_file.h"
#include "test_util.h"

/* An IDX u8 file [n][h][w] with seeded bytes; returns its length. */
static size_t make_idx(uint8_t *out, uint32_t n, uint32_t h, uint32_t w, uint32_t seed) {
    uint8_t head[16] = {0, 0, 8, 3};
    uint32_t dims[3] = {n, h, w};
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 4; k++) head[4 + 4 * i + k] = (uint8_t)(dims[i] >> (24 - 8 * k));
    }
    memcpy(out, head, 16);
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (size_t i = 0; i < (size_t)n * h * w; i++) out[16 + i] = (uint8_t)(mt_rng_u32(&rng) % 7);
    return 16 + (size_t)n * h * w;
}

static size_t gzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t n = cap - zs.avail_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? n : 0;
}

/* Decodes a malloc'ed copy of exactly len bytes (so ASan sees any read past the end). */
static int decode(const uint8_t *b, size_t len, uint64_t max, mt_idx_t *out, char *err,
                  size_t err_len) {
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, b, len);
    int rc = mt_idx_decode(copy, len, max, out, err, err_len);
    free(copy);
    return rc;
}

static int refused_with(const uint8_t *b, size_t len, const char *text) {
    mt_idx_t idx;
    char err[256] = "";
    if (decode(b, len, MT_IDX_MAX_DATA_BYTES, &idx, err, sizeof err) == 0) {
        free(idx.data);
        printf("  accepted, want '%s'\n", text);
        return 0;
    }
    if (!strstr(err, text)) {
        printf("  refused with '%s', want '%s'\n", err, text);
        return 0;
    }
    return 1;
}

static uint8_t plain[16 + 9 * 12 * 10], gz[4096], buf[8192];

static void test_round_trip(void) {
    size_t len = make_idx(plain, 9, 12, 10, 1);
    size_t glen = gzip(plain, len, gz, sizeof gz);
    CHECK(glen > 20);
    for (int g = 0; g < 2; g++) {
        mt_idx_t idx;
        char err[256];
        CHECK_EQ(decode(g ? gz : plain, g ? glen : len, MT_IDX_MAX_DATA_BYTES, &idx, err, sizeof err), 0);
        CHECK_EQ(idx.ndim, 3);
        CHECK(idx.dims[0] == 9 && idx.dims[1] == 12 && idx.dims[2] == 10);
        CHECK_EQ(idx.n_bytes, 9 * 12 * 10);
        CHECK(idx.data && memcmp(idx.data, plain + 16, idx.n_bytes) == 0);
        free(idx.data);
    }
}

static void test_damage(void) {
    size_t len = make_idx(plain, 9, 12, 10, 2);
    size_t glen = gzip(plain, len, gz, sizeof gz);
    /* Every prefix of both forms is refused. */
    size_t accepted = 0;
    for (size_t cut = 0; cut < len; cut++) accepted += refused_with(plain, cut, "") == 0;
    for (size_t cut = 0; cut < glen; cut++) accepted += refused_with(gz, cut, "") == 0;
    CHECK_EQ(accepted, 0);
    /* The trailer cut by 1..8 bytes (the deflate data complete): truncated. */
    for (size_t k = 1; k <= 8; k++) CHECK(refused_with(gz, glen - k, "truncated gzip"));
    /* A bad CRC-32 in the trailer, and a bad length. */
    memcpy(buf, gz, glen);
    buf[glen - 8] ^= 0x01;
    CHECK(refused_with(buf, glen, "incorrect data check"));
    memcpy(buf, gz, glen);
    buf[glen - 1] ^= 0x01;
    CHECK(refused_with(buf, glen, "incorrect length check"));
    /* A corrupt deflate stream: each byte of the body flipped in turn; never accepted. */
    accepted = 0;
    for (size_t i = 10; i + 8 < glen; i++) {
        memcpy(buf, gz, glen);
        buf[i] ^= 0xA5;
        mt_idx_t idx;
        char err[256];
        if (decode(buf, glen, MT_IDX_MAX_DATA_BYTES, &idx, err, sizeof err) == 0) {
            accepted++;
            free(idx.data);
        }
    }
    CHECK_EQ(accepted, 0);
    /* Trailing bytes: a plain file longer than its header says; garbage after the gzip. */
    memcpy(buf, plain, len);
    buf[len] = 0;
    CHECK(refused_with(buf, len + 1, "1 bytes after the IDX data"));
    memcpy(buf, gz, glen);
    memcpy(buf + glen, "junk", 4);
    CHECK(refused_with(buf, glen + 4, "4 bytes after the gzip stream"));
    /* gzip data longer than the header says */
    uint8_t longer[sizeof plain + 5];
    memcpy(longer, plain, len);
    memset(longer + len, 1, 5);
    size_t l2 = gzip(longer, len + 5, buf, sizeof buf);
    CHECK(refused_with(buf, l2, "more gzip data after the IDX data"));
}

static void test_bounds(void) {
    /* 65536 x 65536 x 1: 4 GiB claimed by a 16-byte header, refused before allocating */
    uint8_t head[16] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0};
    CHECK(refused_with(head, 16, "more than 1073741824 bytes"));
    /* the caller's limit holds exactly */
    size_t len = make_idx(plain, 2, 3, 4, 3);
    mt_idx_t idx;
    char err[256];
    CHECK_EQ(decode(plain, len, 24, &idx, err, sizeof err), 0);
    free(idx.data);
    CHECK(decode(plain, len, 23, &idx, err, sizeof err) != 0);
    /* not IDX u8: another type byte, 0 or 5 dimensions */
    uint8_t bad[8] = {0, 0, 0x0D, 1, 0, 0, 0, 0};
    CHECK(refused_with(bad, 8, "not an IDX file of u8 data"));
    bad[2] = 8;
    bad[3] = 0;
    CHECK(refused_with(bad, 8, "not an IDX file of u8 data"));
    bad[3] = 5;
    CHECK(refused_with(bad, 8, "not an IDX file of u8 data"));
    /* a gzip bomb: 256 MiB of zeros (a few hundred KiB compressed) has no IDX header, so it
     * is refused after the first 4 inflated bytes */
    size_t raw = 256u << 20, cap = raw / 500;
    uint8_t *zeros = calloc(raw, 1), *bomb = malloc(cap);
    size_t blen = gzip(zeros, raw, bomb, cap);
    free(zeros);
    CHECK(blen > 0 && blen < cap);
    CHECK(refused_with(bomb, blen, "not an IDX file"));
    free(bomb);
}

int main(void) {
    test_round_trip();
    test_damage();
    test_bounds();
    return mt_test_summary("test_idx_file");
}
