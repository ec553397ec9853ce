/* Image decoding and resizing for the host tools (see image_io.h): PNG and JPEG through
 * libpng and libjpeg-turbo (image_codecs.c), BMP through the bounded stb_image build
 * (stb_image_impl.c) with the checks around it, and PGM/PPM here (stb 2.27's reader accepts
 * maxval 0 and pads missing pixels). */
#include "image_io.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_resize.h>

#include "file_io.h"
#include "image_codecs.h"
#include "stb_image_impl.h"

/* Composites alpha on the background and writes c_out channels in the model's order. */
static void to_model_channels(const uint8_t *src, size_t n_pixels, int src_c, uint8_t order,
                              uint8_t *dst) {
    for (size_t i = 0; i < n_pixels; i++) {
        const uint8_t *p = src + i * (size_t)src_c;
        int r, g, b, a = 255;
        if (src_c <= 2) {
            r = g = b = p[0];
            if (src_c == 2) a = p[1];
        } else {
            r = p[0];
            g = p[1];
            b = p[2];
            if (src_c == 4) a = p[3];
        }
        r = (r * a + MT_IMAGE_BACKGROUND * (255 - a) + 127) / 255;
        g = (g * a + MT_IMAGE_BACKGROUND * (255 - a) + 127) / 255;
        b = (b * a + MT_IMAGE_BACKGROUND * (255 - a) + 127) / 255;
        if (order == MT_ORDER_GRAY) {
            /* ITU-R BT.601 luma, the weights PIL's convert("L") uses. */
            dst[i] = (uint8_t)((r * 299 + g * 587 + b * 114 + 500) / 1000);
        } else if (order == MT_ORDER_BGR) {
            dst[3 * i] = (uint8_t)b;
            dst[3 * i + 1] = (uint8_t)g;
            dst[3 * i + 2] = (uint8_t)r;
        } else {
            dst[3 * i] = (uint8_t)r;
            dst[3 * i + 1] = (uint8_t)g;
            dst[3 * i + 2] = (uint8_t)b;
        }
    }
}

int mt_image_convert(const uint8_t *src, int src_w, int src_h, int src_c, uint16_t h, uint16_t w,
                     uint8_t channel_order, uint8_t *out) {
    if (!src || src_w <= 0 || src_h <= 0 || src_c < 1 || src_c > 4 || !out) return -1;
    int c = channel_order == MT_ORDER_GRAY ? 1 : 3;
    size_t n_src = (size_t)src_w * (size_t)src_h;
    uint8_t *converted = malloc(n_src * (size_t)c);
    if (!converted) return -1;
    to_model_channels(src, n_src, src_c, channel_order, converted);
    int ok = 1;
    if (src_w == w && src_h == h) {
        memcpy(out, converted, n_src * (size_t)c);
    } else {
        /* Per axis: a triangle filter (bilinear) when enlarging, a box filter (area average)
         * when shrinking. Debian's libstb asserts in its triangle filter for some shrink
         * factors (about 1.2-1.5x), and averaging is the better downscaler anyway. */
        stbir_filter fh = w >= src_w ? STBIR_FILTER_TRIANGLE : STBIR_FILTER_BOX;
        stbir_filter fv = h >= src_h ? STBIR_FILTER_TRIANGLE : STBIR_FILTER_BOX;
        ok = stbir_resize(converted, src_w, src_h, 0, out, w, h, 0, STBIR_TYPE_UINT8, c,
                          STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP, STBIR_EDGE_CLAMP, fh, fv,
                          STBIR_COLORSPACE_LINEAR, NULL);
    }
    free(converted);
    return ok ? 0 : -1;
}

static uint64_t budget_of(uint64_t max_pixels) {
    return max_pixels ? max_pixels : MT_IMAGE_DEFAULT_MAX_PIXELS;
}

uint64_t mt_image_max_file_bytes(uint64_t max_pixels) {
    uint64_t n = 8u * budget_of(max_pixels) + (1u << 20);
    return n < INT_MAX ? n : INT_MAX; /* stb reads through an int length */
}

const char *mt_image_format(const uint8_t *b, size_t len) {
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) return "PNG";
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "JPEG";
    if (len >= 2 && b[0] == 'B' && b[1] == 'M') return "BMP";
    if (len >= 3 && b[0] == 'P' && (b[1] == '5' || b[1] == '6') &&
        (b[2] == ' ' || b[2] == '\t' || b[2] == '\n' || b[2] == '\r' || b[2] == '#')) {
        return b[1] == '5' ? "PGM" : "PPM";
    }
    return NULL;
}

static int too_many_pixels(uint64_t w, uint64_t h, uint64_t max_pixels, char *err, size_t len) {
    if (w * h <= max_pixels) return 0;
    snprintf(err, len, "%llux%llu = %.1f megapixels, more than the %.1f-megapixel limit "
                       "(--max-pixels)", (unsigned long long)w, (unsigned long long)h,
             (double)(w * h) / 1e6, (double)max_pixels / 1e6);
    return 1;
}

/* One header token of a PNM: a decimal number after whitespace and # comments. */
static int pnm_number(const uint8_t *b, size_t len, size_t *pos, uint32_t *out) {
    size_t p = *pos;
    for (;;) {
        while (p < len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r' ||
                           b[p] == '\v' || b[p] == '\f')) {
            p++;
        }
        if (p < len && b[p] == '#') {
            while (p < len && b[p] != '\n' && b[p] != '\r') p++;
            continue;
        }
        break;
    }
    uint64_t v = 0;
    size_t start = p;
    while (p < len && b[p] >= '0' && b[p] <= '9' && v <= 0xFFFFFFFFu) v = v * 10 + (b[p++] - '0');
    if (p == start || v > 0xFFFFFFFFu) return -1;
    *out = (uint32_t)v;
    *pos = p;
    return 0;
}

/* Binary PGM (P5) / PPM (P6), maxval 1..65535, samples scaled to 0..255. */
static int decode_pnm(const uint8_t *b, size_t len, uint64_t max_pixels, mt_image_t *img,
                      char *err, size_t err_len) {
    const char *fmt = b[1] == '5' ? "PGM" : "PPM";
    int c = b[1] == '5' ? 1 : 3;
    size_t pos = 2;
    uint32_t w, h, maxval;
    if (pnm_number(b, len, &pos, &w) != 0 || pnm_number(b, len, &pos, &h) != 0 ||
        pnm_number(b, len, &pos, &maxval) != 0 || pos >= len) {
        snprintf(err, err_len, "corrupt %s header (width, height, maxval)", fmt);
        return -1;
    }
    pos++; /* the single whitespace byte before the samples */
    if (w == 0 || h == 0) {
        snprintf(err, err_len, "%s of %ux%u pixels", fmt, w, h);
        return -1;
    }
    if (maxval == 0 || maxval > 65535) {
        snprintf(err, err_len, "%s maxval %u (must be 1..65535)", fmt, maxval);
        return -1;
    }
    if (too_many_pixels(w, h, max_pixels, err, err_len)) return -1;
    size_t bps = maxval > 255 ? 2 : 1, n = (size_t)w * h * (size_t)c;
    if (len - pos < n * bps) {
        snprintf(err, err_len, "truncated %s: %zu of %zu sample bytes", fmt, len - pos, n * bps);
        return -1;
    }
    uint8_t *px = malloc(n);
    if (!px) {
        snprintf(err, err_len, "out of memory for %ux%u pixels", w, h);
        return -1;
    }
    const uint8_t *s = b + pos;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = bps == 2 ? (uint32_t)s[2 * i] << 8 | s[2 * i + 1] : s[i];
        if (v > maxval) {
            snprintf(err, err_len, "%s sample %zu is %u, above maxval %u", fmt, i, v, maxval);
            free(px);
            return -1;
        }
        px[i] = (uint8_t)((v * 255u + maxval / 2) / maxval);
    }
    img->pixels = px;
    img->w = (int)w;
    img->h = (int)h;
    img->c = c;
    img->from_stb = 0;
    return 0;
}

int mt_image_decode(const uint8_t *bytes, size_t len, uint64_t max_pixels, mt_image_t *img,
                    char *err, size_t err_len) {
    memset(img, 0, sizeof *img);
    max_pixels = budget_of(max_pixels);
    const char *fmt = mt_image_format(bytes, len);
    if (!fmt) {
        snprintf(err, err_len, "not an image microt reads (PNG, JPEG, BMP, binary PGM/PPM)");
        return -1;
    }
    if (fmt[0] == 'P' && fmt[1] != 'N') return decode_pnm(bytes, len, max_pixels, img, err, err_len);
    if (len > (size_t)INT_MAX) {
        snprintf(err, err_len, "%s file too large", fmt);
        return -1;
    }
    if (fmt[0] == 'J' || fmt[1] == 'N') { /* JPEG, PNG: libjpeg-turbo, libpng */
        mt_decoded_t d;
        int rc = fmt[0] == 'J' ? mt_decode_jpeg(bytes, len, max_pixels, &d, err, err_len)
                               : mt_decode_png(bytes, len, max_pixels, &d, err, err_len);
        if (rc != 0) return -1;
        img->pixels = d.pixels;
        img->w = d.w;
        img->h = d.h;
        img->c = d.c;
        img->scale_denom = d.scale_denom;
        img->from_stb = 0;
        return 0;
    }
    /* BMP (stb_image): its size at a fixed offset, checked before stb reads the header */
    uint64_t hw = 0, hh = 0;
    if (len >= 26) {
        int32_t bh = (int32_t)((uint32_t)bytes[22] | (uint32_t)bytes[23] << 8 |
                               (uint32_t)bytes[24] << 16 | (uint32_t)bytes[25] << 24);
        hw = (uint32_t)bytes[18] | (uint32_t)bytes[19] << 8 | (uint32_t)bytes[20] << 16 |
             (uint32_t)bytes[21] << 24;
        hh = bh < 0 ? (uint64_t)(-(int64_t)bh) : (uint64_t)bh; /* negative: top-down rows */
    }
    if (too_many_pixels(hw, hh, max_pixels, err, err_len)) return -1;
    int w = 0, h = 0, c = 0, overrun = 0;
    if (!mt_stbi_info(bytes, len, &w, &h, &c) || w <= 0 || h <= 0 || c < 1 || c > 4) {
        snprintf(err, err_len, "corrupt %s header (%s)", fmt, mt_stbi_failure_reason());
        return -1;
    }
    if (too_many_pixels((uint64_t)w, (uint64_t)h, max_pixels, err, err_len)) return -1;
    /* Every decoder allocation together: the image and its palette-expanded copy. */
    size_t budget = (size_t)(8u * (uint64_t)w * (uint64_t)h) + len + (1u << 20);
    int dw, dh, dc;
    uint8_t *px = mt_stbi_decode(bytes, len, budget, &dw, &dh, &dc, &overrun);
    if (!px) {
        const char *why = mt_stbi_failure_reason();
        snprintf(err, err_len, "%s %s (%s)", overrun ? "truncated" : "corrupt", fmt,
                 why && strcmp(why, "outofmem") == 0 ? "needs more memory than its pixels allow"
                                                     : why ? why : "decoder failed");
        return -1;
    }
    if (overrun || dw != w || dh != h || dc != c) {
        snprintf(err, err_len, overrun ? "truncated %s (the pixel data ends early)"
                                       : "corrupt %s (header and data disagree)", fmt);
        mt_stbi_free(px);
        return -1;
    }
    img->pixels = px;
    img->w = w;
    img->h = h;
    img->c = c;
    img->scale_denom = 1;
    img->from_stb = 1;
    return 0;
}

void mt_image_free(mt_image_t *img) {
    if (img->from_stb) {
        mt_stbi_free(img->pixels);
    } else {
        free(img->pixels);
    }
    memset(img, 0, sizeof *img);
}

int mt_image_load_max(const char *path, uint64_t max_pixels, uint16_t h, uint16_t w,
                      uint8_t channel_order, uint8_t *out, char *err, size_t err_len) {
    size_t len;
    char why[256];
    uint8_t *bytes = mt_file_read_regular(path, mt_image_max_file_bytes(max_pixels), "image",
                                          &len, err, err_len);
    if (!bytes) return -1;
    mt_image_t img;
    int rc = mt_image_decode(bytes, len, max_pixels, &img, why, sizeof why);
    free(bytes);
    if (rc != 0) {
        snprintf(err, err_len, "%s: cannot decode image: %s", path, why);
        return -1;
    }
    rc = mt_image_convert(img.pixels, img.w, img.h, img.c, h, w, channel_order, out);
    mt_image_free(&img);
    if (rc != 0) snprintf(err, err_len, "%s: cannot resize image to %ux%u", path, w, h);
    return rc;
}

int mt_image_load(const char *path, uint16_t h, uint16_t w, uint8_t channel_order, uint8_t *out,
                  char *err, size_t err_len) {
    return mt_image_load_max(path, 0, h, w, channel_order, out, err, err_len);
}
