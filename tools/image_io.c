/* Image decoding and resizing for the host tools (see image_io.h). */
#include "image_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_resize.h>

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

int mt_image_load(const char *path, uint16_t h, uint16_t w, uint8_t channel_order, uint8_t *out,
                  char *err, size_t err_len) {
    int src_w, src_h, src_c;
    uint8_t *pixels = stbi_load(path, &src_w, &src_h, &src_c, 0);
    if (!pixels) {
        snprintf(err, err_len, "%s: cannot decode image (%s)", path, stbi_failure_reason());
        return -1;
    }
    int rc = mt_image_convert(pixels, src_w, src_h, src_c, h, w, channel_order, out);
    stbi_image_free(pixels);
    if (rc != 0) snprintf(err, err_len, "%s: cannot resize image to %ux%u", path, w, h);
    return rc;
}
