/* libFuzzer target for image decoding (tools/image_io.c: PNG/JPEG/BMP through the bounded
 * stb_image build, PGM/PPM here) and the conversion after it: any bytes give an image or a
 * reason, never a crash, undefined behaviour, a hang or an allocation beyond the budget; a
 * decoded image has its header's size within the pixel limit and converts and resizes to a
 * model input. */
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "../../tools/image_io.h"
#include "fuzz_common.h"

#define MAX_PIXELS (1u << 18) /* 512 x 512: the fuzzer keeps its pace */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees any read past the end */
    if (!copy) return 0;
    memcpy(copy, data, size);
    mt_image_t img;
    char err[256];
    err[0] = '\0';
    if (mt_image_decode(copy, size, MAX_PIXELS, &img, err, sizeof err) == 0) {
        if (img.w < 1 || img.h < 1 || img.c < 1 || img.c > 4 ||
            (uint64_t)img.w * (uint64_t)img.h > MAX_PIXELS) {
            mt_fuzz_fail("decoded %dx%dx%d", img.w, img.h, img.c);
        }
        static uint8_t out[24 * 24 * 3];
        uint8_t order = (uint8_t)(size % 3); /* RGB, BGR or grey */
        if (mt_image_convert(img.pixels, img.w, img.h, img.c, 24, 24, order, out) != 0) {
            mt_fuzz_fail("convert of %dx%dx%d", img.w, img.h, img.c);
        }
        mt_image_free(&img);
    } else if (!err[0]) {
        mt_fuzz_fail("refused without a reason");
    }
    free(copy);
    return 0;
}

typedef struct {
    uint8_t b[16384];
    size_t len;
} mem_t;

static void put(void *ctx, void *data, int size) {
    mem_t *m = (mem_t *)ctx;
    if (m->len + (size_t)size <= sizeof m->b) memcpy(m->b + m->len, data, (size_t)size);
    m->len += (size_t)size;
}

/* Seeds: small PNG (grey, grey+alpha, RGB, RGBA), BMP, JPEG and PGM/PPM images. */
int mt_fuzz_seeds(const char *dir) {
    static uint8_t px[12 * 9 * 4];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 29 + (i / 7) * 3);
    static mem_t m;
    int rc = 0;
    for (int c = 1; c <= 4; c++) {
        char name[32];
        m.len = 0;
        stbi_write_png_to_func(put, &m, 12, 9, c, px, 12 * c);
        snprintf(name, sizeof name, "c%d.png", c);
        rc |= m.len > sizeof m.b || mt_fuzz_write(dir, name, m.b, m.len);
        m.len = 0;
        stbi_write_bmp_to_func(put, &m, 12, 9, c, px);
        snprintf(name, sizeof name, "c%d.bmp", c);
        rc |= m.len > sizeof m.b || mt_fuzz_write(dir, name, m.b, m.len);
    }
    for (int q = 50; q <= 100; q += 50) {
        char name[32];
        m.len = 0;
        stbi_write_jpg_to_func(put, &m, 12, 9, 3, px, q);
        snprintf(name, sizeof name, "q%d.jpg", q);
        rc |= m.len > sizeof m.b || mt_fuzz_write(dir, name, m.b, m.len);
    }
    static const char pgm[] = "P5\n# c\n3 2\n15\n\x00\x01\x07\x08\x0e\x0f";
    static const char ppm16[] = "P6\n1 1\n65535\n\x12\x34\x56\x78\x9a\xbc";
    rc |= mt_fuzz_write(dir, "a.pgm", pgm, sizeof pgm - 1);
    rc |= mt_fuzz_write(dir, "b.ppm", ppm16, sizeof ppm16 - 1);
    return rc;
}
