/* Camera frame -> model input: centre crop, fixed-point bilinear resize, colour conversion
 * (include/microt/input.h states the arithmetic). Integer only, no heap, no scratch: each
 * output pixel reads its four neighbours straight from the frame. */
#include "microt/input.h"

#include <string.h>

/* Sample positions along one axis in 1/256 pixel, exactly floor(((2k+1) c 256) / (2 n)) - 128
 * for k = 0, 1, ..., stepped without a division (quotient and remainder carried). */
typedef struct {
    uint32_t q, r, dq, dr, den;
} mt_axis_t;

static void axis_init(mt_axis_t *a, uint32_t crop, uint32_t out) {
    uint32_t num0 = crop * 256u, step = 2u * crop * 256u;
    a->den = 2u * out;
    a->q = num0 / a->den;
    a->r = num0 % a->den;
    a->dq = step / a->den;
    a->dr = step % a->den;
}

static void axis_next(mt_axis_t *a) {
    a->q += a->dq;
    a->r += a->dr;
    if (a->r >= a->den) {
        a->r -= a->den;
        a->q++;
    }
}

/* The sample in 1/256 pixel clamped to [0, (crop - 1) 256]: index, fraction, next index. */
static void axis_pos(const mt_axis_t *a, uint32_t crop, uint32_t *i, uint32_t *f, uint32_t *i1) {
    int32_t u = (int32_t)a->q - 128;
    int32_t hi = (int32_t)(crop - 1u) * 256;
    if (u < 0) u = 0;
    if (u > hi) u = hi;
    *i = (uint32_t)u >> 8;
    *f = (uint32_t)u & 255u;
    *i1 = *i + 1u < crop ? *i + 1u : *i;
}

static uint8_t clamp_u8(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* floor(x / 2^16) for x >= -2^24 without shifting a negative number (implementation-defined). */
static int32_t floor_q16(int32_t x) { return (int32_t)((uint32_t)(x + 16777216) >> 16) - 256; }

/* Pixel (x, y) of the frame as r, g, b and gray (each 0..255). */
static void fetch(const mt_frame_t *fr, uint32_t stride, uint32_t x, uint32_t y, uint8_t px[4]) {
    const uint8_t *row = (const uint8_t *)fr->data + (size_t)y * stride;
    int32_t r, g, b;
    switch (fr->format) {
    case MT_PIXEL_RGB565:
    case MT_PIXEL_RGB565_BE: {
        const uint8_t *p = row + 2u * x;
        uint32_t v = fr->format == MT_PIXEL_RGB565 ? (uint32_t)p[0] | ((uint32_t)p[1] << 8)
                                                   : (uint32_t)p[1] | ((uint32_t)p[0] << 8);
        uint32_t r5 = v >> 11, g6 = (v >> 5) & 63u, b5 = v & 31u;
        r = (int32_t)((r5 << 3) | (r5 >> 2));
        g = (int32_t)((g6 << 2) | (g6 >> 4));
        b = (int32_t)((b5 << 3) | (b5 >> 2));
        break;
    }
    case MT_PIXEL_GRAY8:
        px[0] = px[1] = px[2] = px[3] = row[x];
        return;
    case MT_PIXEL_YUYV: {
        const uint8_t *p = row + 4u * (x >> 1); /* Y0 U Y1 V */
        int32_t yy = p[(x & 1u) ? 2 : 0], u = (int32_t)p[1] - 128, v = (int32_t)p[3] - 128;
        int32_t y16 = yy * 65536 + 32768;
        px[0] = clamp_u8(floor_q16(y16 + 91881 * v));
        px[1] = clamp_u8(floor_q16(y16 - 22554 * u - 46802 * v));
        px[2] = clamp_u8(floor_q16(y16 + 116130 * u));
        px[3] = (uint8_t)yy;
        return;
    }
    default: { /* MT_PIXEL_RGB888 */
        const uint8_t *p = row + 3u * x;
        r = p[0], g = p[1], b = p[2];
        break;
    }
    }
    px[0] = (uint8_t)r;
    px[1] = (uint8_t)g;
    px[2] = (uint8_t)b;
    px[3] = (uint8_t)((77 * r + 150 * g + 29 * b + 128) >> 8);
}

static uint32_t bytes_per_pixel(uint8_t format) {
    switch (format) {
    case MT_PIXEL_RGB565:
    case MT_PIXEL_RGB565_BE:
    case MT_PIXEL_YUYV: return 2;
    case MT_PIXEL_GRAY8: return 1;
    case MT_PIXEL_RGB888: return 3;
    default: return 0;
    }
}

mt_status_t mt_input_crop(uint16_t width, uint16_t height, uint16_t out_h, uint16_t out_w,
                          uint16_t *x0, uint16_t *y0, uint16_t *crop_w, uint16_t *crop_h) {
    if (!x0 || !y0 || !crop_w || !crop_h) return MT_E_ARG;
    if (width == 0 || height == 0 || out_h == 0 || out_w == 0) return MT_E_SHAPE;
    uint32_t cw = width, ch = height;
    if ((uint32_t)width * out_h > (uint32_t)height * out_w) {
        cw = (uint32_t)height * out_w / out_h;
    } else {
        ch = (uint32_t)width * out_h / out_w;
    }
    if (cw == 0) cw = 1; /* a frame thinner than the aspect ratio allows: one pixel */
    if (ch == 0) ch = 1;
    *crop_w = (uint16_t)cw;
    *crop_h = (uint16_t)ch;
    *x0 = (uint16_t)((width - cw) / 2u);
    *y0 = (uint16_t)((height - ch) / 2u);
    return MT_OK;
}

/* The shared core: writes out[(y * out_w + x) * c + k] for every output pixel. */
static mt_status_t resize(const mt_frame_t *fr, uint16_t out_h, uint16_t out_w, uint8_t order,
                          uint8_t *out) {
    uint32_t bpp = bytes_per_pixel(fr->format);
    uint32_t stride = fr->stride_bytes ? fr->stride_bytes : (uint32_t)fr->width * bpp;
    if (fr->format == MT_PIXEL_YUYV && (fr->width & 1u)) return MT_E_SHAPE;
    if (stride < (uint32_t)fr->width * bpp) return MT_E_SHAPE;
    uint16_t x0, y0, cw, ch;
    mt_status_t st = mt_input_crop(fr->width, fr->height, out_h, out_w, &x0, &y0, &cw, &ch);
    if (st != MT_OK) return st;
    uint32_t c = order == MT_ORDER_GRAY ? 1u : 3u;
    mt_axis_t ay;
    axis_init(&ay, ch, out_h);
    for (uint32_t y = 0; y < out_h; y++, axis_next(&ay)) {
        uint32_t j, g, j1;
        axis_pos(&ay, ch, &j, &g, &j1);
        mt_axis_t ax;
        axis_init(&ax, cw, out_w);
        for (uint32_t x = 0; x < out_w; x++, axis_next(&ax)) {
            uint32_t i, f, i1;
            axis_pos(&ax, cw, &i, &f, &i1);
            uint8_t p[4][4];
            fetch(fr, stride, x0 + i, y0 + j, p[0]);
            fetch(fr, stride, x0 + i1, y0 + j, p[1]);
            fetch(fr, stride, x0 + i, y0 + j1, p[2]);
            fetch(fr, stride, x0 + i1, y0 + j1, p[3]);
            uint32_t w00 = (256u - f) * (256u - g), w01 = f * (256u - g), w10 = (256u - f) * g,
                     w11 = f * g;
            uint8_t v[4];
            for (int k = 0; k < 4; k++) {
                v[k] = (uint8_t)((p[0][k] * w00 + p[1][k] * w01 + p[2][k] * w10 + p[3][k] * w11 +
                                  32768u) >> 16);
            }
            uint8_t *o = out + ((size_t)y * out_w + x) * c;
            if (order == MT_ORDER_GRAY) {
                o[0] = v[3];
            } else if (order == MT_ORDER_BGR) {
                o[0] = v[2], o[1] = v[1], o[2] = v[0];
            } else {
                o[0] = v[0], o[1] = v[1], o[2] = v[2];
            }
        }
    }
    return MT_OK;
}

static mt_status_t check_frame(const mt_frame_t *fr) {
    if (!fr || !fr->data) return MT_E_ARG;
    if (bytes_per_pixel(fr->format) == 0) return MT_E_ARG;
    if (fr->width == 0 || fr->height == 0) return MT_E_SHAPE;
    return MT_OK;
}

mt_status_t mt_input_resize(const mt_frame_t *frame, uint16_t out_h, uint16_t out_w,
                            mt_channel_order_t order, uint8_t *out, size_t out_len) {
    mt_status_t st = check_frame(frame);
    if (st != MT_OK) return st;
    if (!out || order > MT_ORDER_GRAY) return MT_E_ARG;
    if (out_h == 0 || out_w == 0) return MT_E_SHAPE;
    if (out_len != (size_t)out_h * out_w * (order == MT_ORDER_GRAY ? 1u : 3u)) return MT_E_SHAPE;
    return resize(frame, out_h, out_w, (uint8_t)order, out);
}

mt_status_t mt_input_set_frame(mt_exec_t *exec, const mt_frame_t *frame) {
    if (!exec || !exec->model || !exec->arena) return MT_E_ARG;
    mt_status_t st = check_frame(frame);
    if (st != MT_OK) return st;
    const mt_model_t *m = exec->model;
    mt_tensor_info_t in;
    st = mt_model_tensor(m, m->input_tensor, &in);
    if (st != MT_OK) return st;
    /* Raw pixels go into the input tensor's own bytes; mt_exec_set_input_u8 then maps each
     * through the LUT in place (element by element, the same index read then written). */
    uint8_t *dst = exec->arena + m->plan.tensor_offset[m->input_tensor];
    st = resize(frame, in.h, in.w, m->channel_order, dst);
    if (st != MT_OK) return st;
    return mt_exec_set_input_u8(exec, dst, (size_t)in.h * in.w * in.c);
}
