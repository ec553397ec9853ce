/* Debian's stb_image (libstb-dev's header), compiled here with only the BMP decoder, and
 * every allocation inside a per-decode byte budget. The shared libstb would
 * bring every decoder (HDR with CVE-2021-42715's hang, PSD, PIC, TGA, GIF) and unbounded
 * allocations. Third-party code: built without microt's warning flags. See image_io.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "stb_image_impl.h"

/* BMP only: PNG and JPEG go through libpng and libjpeg-turbo (image_codecs.c; stb 2.27's
 * JPEG decoder writes past a Huffman table of more than 256 codes), PGM/PPM through
 * image_io.c (stb 2.27 neither checks maxval nor the pixel count of a PNM). TGA has no
 * signature (any bytes could be a TGA), GIF is rarely a photo and is where stb's 2023
 * advisories were; HDR, PSD and PIC are not wanted. */
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS (1 << 20)

/* Allocation budget: a size header before each block, the live total checked against the
 * budget of the decode in progress (one decode per thread at a time). */
static _Thread_local size_t budget_bytes, live_bytes;

#define HDR 16u /* keeps malloc's alignment for the block after the header */

static void *budget_malloc(size_t n) {
    if (n > budget_bytes || live_bytes > budget_bytes - n) return NULL;
    unsigned char *p = malloc(n + HDR);
    if (!p) return NULL;
    *(size_t *)p = n;
    live_bytes += n;
    return p + HDR;
}

static void budget_free(void *q) {
    if (!q) return;
    unsigned char *p = (unsigned char *)q - HDR;
    live_bytes -= *(size_t *)p;
    free(p);
}

static void *budget_realloc(void *q, size_t n) {
    if (!q) return budget_malloc(n);
    unsigned char *p = (unsigned char *)q - HDR;
    size_t old = *(size_t *)p;
    if (n > old && (n - old > budget_bytes || live_bytes > budget_bytes - (n - old))) return NULL;
    unsigned char *r = realloc(p, n + HDR);
    if (!r) return NULL;
    *(size_t *)r = n;
    live_bytes = live_bytes - old + n;
    return r + HDR;
}

#define STBI_MALLOC(sz) budget_malloc(sz)
#define STBI_REALLOC(p, newsz) budget_realloc(p, newsz)
#define STBI_FREE(p) budget_free(p)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

/* Reader over a memory buffer that notes a read past the end: stb pads a short file with
 * zeros and reports success, so a truncated image would decode into invented pixels. */
typedef struct {
    const unsigned char *bytes;
    size_t len, pos;
    int overrun;
} reader_t;

static int cb_read(void *user, char *data, int size) {
    reader_t *r = (reader_t *)user;
    size_t want = size > 0 ? (size_t)size : 0, left = r->len - r->pos;
    size_t n = want < left ? want : left;
    if (want > 0 && n == 0) r->overrun = 1; /* asked for more after the last byte */
    for (size_t i = 0; i < n; i++) data[i] = (char)r->bytes[r->pos + i];
    r->pos += n;
    return (int)n;
}

static void cb_skip(void *user, int n) {
    reader_t *r = (reader_t *)user;
    if (n < 0) {
        size_t back = (size_t)-(long)n;
        r->pos = back > r->pos ? 0 : r->pos - back;
    } else if ((size_t)n > r->len - r->pos) {
        r->pos = r->len;
        r->overrun = 1;
    } else {
        r->pos += (size_t)n;
    }
}

static int cb_eof(void *user) {
    reader_t *r = (reader_t *)user;
    return r->pos >= r->len;
}

static const stbi_io_callbacks CALLBACKS = {cb_read, cb_skip, cb_eof};

int mt_stbi_info(const unsigned char *bytes, size_t len, int *w, int *h, int *c) {
    reader_t r = {bytes, len, 0, 0};
    return stbi_info_from_callbacks(&CALLBACKS, &r, w, h, c);
}

unsigned char *mt_stbi_decode(const unsigned char *bytes, size_t len, size_t budget, int *w,
                              int *h, int *c, int *overrun) {
    reader_t r = {bytes, len, 0, 0};
    budget_bytes = budget;
    live_bytes = 0;
    unsigned char *px = stbi_load_from_callbacks(&CALLBACKS, &r, w, h, c, 0);
    *overrun = r.overrun;
    return px;
}

void mt_stbi_free(unsigned char *pixels) { budget_free(pixels); }

const char *mt_stbi_failure_reason(void) { return stbi_failure_reason(); }
