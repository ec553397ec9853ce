/* Host image input: every source size resizes without aborting (Debian's libstb asserts in
 * its triangle filter for some shrink factors), channels convert and alpha composites as
 * documented, a flat image stays flat after resizing; and the decoders are bounded (issue
 * 17): images written by an independent encoder (stb_image_write, or bytes laid out here)
 * decode to their pixels, every truncation is refused, PGM maxval 0 and header-only files
 * are refused, a huge header is refused before allocating, a deflate bomb stops at the
 * budget, and formats left out (HDR, PSD, TGA, GIF) are not images. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>
#include <zlib.h>

#include "image_codecs.h"
#include "image_io.h"
#include "test_util.h"

typedef struct {
    uint8_t *b;
    size_t len, cap;
} membuf_t;

static void mem_write(void *ctx, void *data, int size) {
    membuf_t *m = (membuf_t *)ctx;
    if (m->len + (size_t)size > m->cap) {
        m->cap = (m->len + (size_t)size) * 2;
        m->b = realloc(m->b, m->cap);
    }
    memcpy(m->b + m->len, data, (size_t)size);
    m->len += (size_t)size;
}

static uint8_t *random_image(int w, int h, int c, uint32_t seed) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    uint8_t *px = malloc((size_t)w * h * c);
    for (size_t i = 0; i < (size_t)w * h * c; i++) px[i] = (uint8_t)mt_rng_u32(&rng);
    return px;
}

/* Decodes b[len]; 0 when it decodes to exactly want[w*h*c] (max |diff| <= tol). */
static int decodes_to(const uint8_t *b, size_t len, const uint8_t *want, int w, int h, int c,
                      int tol) {
    mt_image_t img;
    char err[256];
    if (mt_image_decode(b, len, 0, &img, err, sizeof err) != 0) {
        printf("  decode failed: %s\n", err);
        return -1;
    }
    int bad = img.w != w || img.h != h || img.c != c;
    for (size_t i = 0; !bad && i < (size_t)w * h * c; i++) {
        int d = img.pixels[i] - want[i];
        if (d < -tol || d > tol) bad = 1;
    }
    mt_image_free(&img);
    return bad ? -1 : 0;
}

/* Every proper prefix of b[len] shorter than len - slack is refused. Returns how many were
 * accepted (0 wanted). */
static size_t accepted_prefixes(const uint8_t *b, size_t len, size_t slack) {
    size_t accepted = 0;
    for (size_t cut = 0; cut + slack < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees a read past the end */
        memcpy(copy, b, cut);
        mt_image_t img;
        char err[256];
        if (mt_image_decode(copy, cut, 0, &img, err, sizeof err) == 0) {
            if (accepted++ == 0) printf("  a %zu-byte prefix of %zu decoded\n", cut, len);
            mt_image_free(&img);
        }
        free(copy);
    }
    return accepted;
}

static void test_png_bmp_jpeg_round_trip_and_truncation(void) {
    const int w = 13, h = 7;
    for (int c = 1; c <= 4; c++) {
        uint8_t *px = random_image(w, h, c, 10u + (uint32_t)c);
        membuf_t png = {0}, bmp = {0}, jpg = {0};
        CHECK(stbi_write_png_to_func(mem_write, &png, w, h, c, px, w * c) != 0);
        CHECK(stbi_write_bmp_to_func(mem_write, &bmp, w, h, c, px) != 0);
        CHECK_EQ(decodes_to(png.b, png.len, px, w, h, c, 0), 0);
        /* stb writes BMP as 24-bit (or 32-bit with alpha): grey comes back as RGB */
        CHECK_EQ(accepted_prefixes(png.b, png.len, 4), 0); /* IEND's CRC is not needed */
        CHECK_EQ(accepted_prefixes(bmp.b, bmp.len, 0), 0);
        if (c == 3) {
            CHECK_EQ(decodes_to(bmp.b, bmp.len, px, w, h, 3, 0), 0);
            uint8_t flat[13 * 7 * 3];
            memset(flat, 120, sizeof flat);
            CHECK(stbi_write_jpg_to_func(mem_write, &jpg, w, h, 3, flat, 100) != 0);
            CHECK_EQ(decodes_to(jpg.b, jpg.len, flat, w, h, 3, 2), 0);
            CHECK_EQ(accepted_prefixes(jpg.b, jpg.len, 0), 0);
        }
        free(png.b);
        free(bmp.b);
        free(jpg.b);
        free(px);
    }
}

/* A binary PNM written here: header, then samples (1 or 2 bytes). */
static size_t make_pnm(uint8_t *out, char kind, int w, int h, unsigned maxval, const uint8_t *px,
                       int samples) {
    int n = sprintf((char *)out, "P%c\n# a comment\n%d %d\n%u\n", kind, w, h, maxval);
    if (px) memcpy(out + n, px, (size_t)samples);
    return (size_t)n + (px ? (size_t)samples : 0);
}

static void test_pnm(void) {
    static uint8_t file[4096];
    uint8_t *px = random_image(8, 5, 3, 7);
    size_t len = make_pnm(file, '6', 8, 5, 255, px, 8 * 5 * 3);
    CHECK_EQ(decodes_to(file, len, px, 8, 5, 3, 0), 0);
    CHECK_EQ(accepted_prefixes(file, len, 0), 0);
    /* maxval 15: samples scale to 0..255 (v * 255 / 15, rounded) */
    uint8_t small[6] = {0, 1, 7, 8, 14, 15}, want[6];
    for (int i = 0; i < 6; i++) want[i] = (uint8_t)((small[i] * 255 + 7) / 15);
    len = make_pnm(file, '5', 3, 2, 15, small, 6);
    CHECK_EQ(decodes_to(file, len, want, 3, 2, 1, 0), 0);
    small[5] = 16; /* above maxval */
    len = make_pnm(file, '5', 3, 2, 15, small, 6);
    mt_image_t img;
    char err[256];
    CHECK(mt_image_decode(file, len, 0, &img, err, sizeof err) != 0);
    /* 16-bit samples, big-endian */
    uint8_t wide[4] = {0x12, 0x34, 0xFF, 0xFF}, want16[2] = {(uint8_t)((0x1234u * 255 + 32767) / 65535), 255};
    len = make_pnm(file, '5', 2, 1, 65535, wide, 4);
    CHECK_EQ(decodes_to(file, len, want16, 2, 1, 1, 0), 0);
    /* maxval 0, and a header with no pixels (64x64) */
    len = make_pnm(file, '5', 3, 2, 0, small, 6);
    CHECK(mt_image_decode(file, len, 0, &img, err, sizeof err) != 0);
    CHECK(strstr(err, "maxval 0") != NULL);
    len = make_pnm(file, '6', 64, 64, 255, NULL, 0);
    CHECK(mt_image_decode(file, len, 0, &img, err, sizeof err) != 0);
    CHECK(strstr(err, "truncated") != NULL);
    free(px);
}

/* Headers that claim 20000x20000: refused from the header, before any pixel memory. */
static void test_huge_headers(void) {
    uint8_t b[64];
    memset(b, 0, sizeof b);
    memcpy(b, "BM", 2); /* BITMAPINFOHEADER, 24 bits, no pixels */
    b[2] = 54;
    b[10] = 54;
    b[14] = 40;
    b[18] = 0x20, b[19] = 0x4E;   /* width 20000 */
    b[22] = 0x20, b[23] = 0x4E;   /* height 20000 */
    b[26] = 1;
    b[28] = 24;
    mt_image_t img;
    char err[256];
    CHECK(mt_image_decode(b, 54, 0, &img, err, sizeof err) != 0);
    CHECK(strstr(err, "megapixel") != NULL);
    uint8_t ppm[64];
    size_t len = make_pnm(ppm, '6', 20000, 20000, 255, NULL, 0);
    CHECK(mt_image_decode(ppm, len, 0, &img, err, sizeof err) != 0);
    CHECK(strstr(err, "megapixel") != NULL);
    /* the budget is the caller's: a 100x100 image passes 10000 and fails 9999 */
    uint8_t *px = random_image(100, 100, 1, 3);
    membuf_t png = {0};
    stbi_write_png_to_func(mem_write, &png, 100, 100, 1, px, 100);
    CHECK_EQ(mt_image_decode(png.b, png.len, 10000, &img, err, sizeof err), 0);
    mt_image_free(&img);
    CHECK(mt_image_decode(png.b, png.len, 9999, &img, err, sizeof err) != 0);
    free(png.b);
    free(px);
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static size_t png_chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len) {
    put_be32(out, len);
    memcpy(out + 4, type, 4);
    if (len) memcpy(out + 8, data, len);
    uLong crc = crc32(0, (const uint8_t *)type, 4);
    if (len) crc = crc32(crc, data, len); /* crc32(c, NULL, 0) is 0, not c */
    put_be32(out + 8 + len, (uint32_t)crc);
    return 12u + len;
}

/* A 1x1 grey PNG whose IDAT inflates to 64 MiB of zeros: only the row the image needs is
 * inflated (stb_image inflated all of it, growing its buffer to 64 MiB). */
static void test_deflate_bomb(void) {
    uLong raw_len = 64ul << 20;
    uint8_t *raw = calloc(raw_len, 1);
    uLong z_len = compressBound(raw_len);
    uint8_t *z = malloc(z_len);
    CHECK(compress2(z, &z_len, raw, raw_len, 9) == Z_OK);
    free(raw);
    uint8_t *png = malloc(z_len + 128);
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    uint8_t ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
    size_t len = 8 + png_chunk(png + 8, "IHDR", ihdr, 13);
    len += png_chunk(png + len, "IDAT", z, (uint32_t)z_len);
    len += png_chunk(png + len, "IEND", NULL, 0);
    mt_image_t img;
    char err[256];
    CHECK_EQ(mt_image_decode(png, len, 0, &img, err, sizeof err), 0);
    CHECK(img.w == 1 && img.h == 1 && img.c == 1 && img.pixels[0] == 0);
    mt_image_free(&img);
    mt_decoded_t d; /* libpng read the start of IDAT only */
    CHECK_EQ(mt_decode_png(png, len, 1000, &d, err, sizeof err), 0);
    CHECK(d.bytes_read <= 4096 && len > 60000);
    free(d.pixels);
    free(png);
    free(z);
}

/* A JPEG above the pixel budget decodes at 1/2, 1/4 or 1/8 when that fits (libjpeg's DCT
 * scaling); a PNG above it is refused. */
static void test_jpeg_scaled(void) {
    static uint8_t px[64 * 48 * 3];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i % 251);
    membuf_t jpg = {0};
    CHECK(stbi_write_jpg_to_func(mem_write, &jpg, 64, 48, 3, px, 90) != 0);
    mt_image_t img;
    char err[256];
    CHECK_EQ(mt_image_decode(jpg.b, jpg.len, 64 * 48, &img, err, sizeof err), 0);
    CHECK(img.w == 64 && img.h == 48 && img.scale_denom == 1);
    mt_image_free(&img);
    CHECK_EQ(mt_image_decode(jpg.b, jpg.len, 64 * 48 - 1, &img, err, sizeof err), 0);
    CHECK(img.w == 32 && img.h == 24 && img.scale_denom == 2);
    mt_image_free(&img);
    CHECK_EQ(mt_image_decode(jpg.b, jpg.len, 8 * 6, &img, err, sizeof err), 0);
    CHECK(img.w == 8 && img.h == 6 && img.scale_denom == 8);
    mt_image_free(&img);
    CHECK(mt_image_decode(jpg.b, jpg.len, 8 * 6 - 1, &img, err, sizeof err) != 0);
    CHECK(strstr(err, "even at 1/8 scale") != NULL);
    free(jpg.b);
}

/* Found by fuzz_image: a DHT segment declaring 16 x 255 codes made Debian's stb_image 2.27
 * write past its 257-entry Huffman size table; the JPEG decoder now refuses it. */
static void test_jpeg_huffman_overflow(void) {
    static uint8_t px[16 * 16 * 3];
    membuf_t jpg = {0};
    CHECK(stbi_write_jpg_to_func(mem_write, &jpg, 16, 16, 3, px, 90) != 0);
    size_t n = 16 * 255, seg = 2 + 17 + n;
    uint8_t *bad = malloc(jpg.len + 2 + seg);
    memcpy(bad, jpg.b, 2); /* SOI */
    uint8_t *d = bad + 2;
    d[0] = 0xFF, d[1] = 0xC4, d[2] = (uint8_t)(seg >> 8), d[3] = (uint8_t)seg, d[4] = 0x00;
    memset(d + 5, 255, 16);
    memset(d + 21, 0, n);
    memcpy(d + 2 + seg, jpg.b + 2, jpg.len - 2);
    mt_image_t img;
    char err[256];
    CHECK(mt_image_decode(bad, jpg.len + 2 + seg, 0, &img, err, sizeof err) != 0);
    CHECK(strstr(err, "corrupt JPEG") != NULL);
    free(bad);
    free(jpg.b);
}

static void test_formats_left_out(void) {
    static const char *const files[] = {
        "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 8 +X 8\n\x02\x02\x00\x08", /* HDR, RLE, cut */
        "8BPS\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x4e\x20\x00\x00\x4e\x20", /* PSD */
        "GIF89a\x01\x00\x01\x00\x00\x00\x00",                        /* GIF */
        "\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x40\x00\x18\x00", /* TGA */
        "P3\n1 1\n255\n1 2 3\n",                                        /* ASCII PPM */
        "",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        mt_image_t img;
        char err[256];
        size_t len = strlen(files[i]) + (i < 3 ? 8 : 0);
        uint8_t buf[128] = {0};
        memcpy(buf, files[i], strlen(files[i]));
        CHECK(mt_image_decode(buf, len, 0, &img, err, sizeof err) != 0);
        CHECK(strstr(err, "not an image") != NULL);
    }
}

static void test_every_size(void) {
    static uint8_t src[300 * 300 * 4], out[128 * 128 * 3];
    memset(src, 77, sizeof src);
    size_t bad = 0;
    for (int w = 1; w <= 300; w += 1) {
        int h = 1 + (w * 7) % 300;
        static const uint16_t targets[] = {20, 28, 32, 64, 96, 128};
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            uint16_t n = targets[t];
            if (mt_image_convert(src, w, h, 3, n, n, MT_ORDER_RGB, out) != 0) bad++;
            for (size_t i = 0; i < (size_t)n * n * 3; i++) {
                if (out[i] != 77) {
                    bad++;
                    break;
                }
            }
        }
    }
    CHECK_EQ(bad, 0);
}

static void test_channels_and_alpha(void) {
    /* One RGBA pixel, half transparent red over the white background. */
    const uint8_t rgba[4] = {255, 0, 0, 128};
    uint8_t out[3];
    CHECK_EQ(mt_image_convert(rgba, 1, 1, 4, 1, 1, MT_ORDER_RGB, out), 0);
    CHECK_EQ(out[0], 255);
    CHECK_EQ(out[1], (127 * 255 + 127) / 255);
    CHECK_EQ(out[2], out[1]);
    CHECK_EQ(mt_image_convert(rgba, 1, 1, 4, 1, 1, MT_ORDER_BGR, out), 0);
    CHECK_EQ(out[2], 255);
    const uint8_t rgb[3] = {200, 100, 50};
    CHECK_EQ(mt_image_convert(rgb, 1, 1, 3, 1, 1, MT_ORDER_GRAY, out), 0);
    CHECK_EQ(out[0], (200 * 299 + 100 * 587 + 50 * 114 + 500) / 1000);
    const uint8_t grey = 9;
    CHECK_EQ(mt_image_convert(&grey, 1, 1, 1, 1, 1, MT_ORDER_RGB, out), 0);
    CHECK(out[0] == 9 && out[1] == 9 && out[2] == 9);
    CHECK(mt_image_convert(rgb, 0, 1, 3, 1, 1, MT_ORDER_RGB, out) != 0);
    CHECK(mt_image_convert(rgb, 1, 1, 5, 1, 1, MT_ORDER_RGB, out) != 0);
}

int main(void) {
    test_every_size();
    test_channels_and_alpha();
    test_png_bmp_jpeg_round_trip_and_truncation();
    test_pnm();
    test_huge_headers();
    test_deflate_bomb();
    test_jpeg_scaled();
    test_jpeg_huffman_overflow();
    test_formats_left_out();
    return mt_test_summary("test_image_io");
}
