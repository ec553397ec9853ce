/* From a camera frame to the model input on the device: RGB565 / grayscale / YUV 4:2:2 / RGB888
 * frame -> centre crop to the input's aspect ratio -> bilinear resize in fixed point -> the
 * model's channel order. No heap, no float, no scratch: mt_input_set_frame writes straight
 * into the executor's input tensor through the model's input LUT (docs/embedding.md).
 *
 * Arithmetic (the contract factory/input_reference.py implements in numpy):
 *   crop     the largest centred window of the input's aspect ratio: when W*out_h > H*out_w,
 *            cw = H*out_w/out_h, ch = H, else cw = W, ch = W*out_h/out_w (integer division);
 *            x0 = (W - cw)/2, y0 = (H - ch)/2
 *   sample   output pixel (x, y) reads the crop at u = (x + 1/2) cw/out_w - 1/2 (pixel
 *            centres), in 1/256 pixel: U = floor(((2x + 1) cw * 256) / (2 out_w)) - 128,
 *            clamped to [0, (cw - 1) * 256]; i = U >> 8, f = U & 255; likewise v, j, g
 *   blend    p = (a (256-f)(256-g) + b f (256-g) + c (256-f) g + d f g + 32768) >> 16 per
 *            channel, neighbours i+1 / j+1 clamped to the crop
 *   colour   RGB565: r = r5 << 3 | r5 >> 2, g = g6 << 2 | g6 >> 4, b like r;
 *            YUYV (BT.601 full range, as JPEG): r = Y + 1.402 (V-128), g = Y - 0.344136 (U-128)
 *            - 0.714136 (V-128), b = Y + 1.772 (U-128), each in Q16 with +32768 and >> 16,
 *            clamped to 0..255 (coefficients 91881, 22554, 46802, 116130);
 *            gray from colour: (77 r + 150 g + 29 b + 128) >> 8; from YUYV: Y.
 *   Colour conversion happens per source pixel, before the blend. */
#ifndef MICROT_INPUT_H
#define MICROT_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "microt/exec.h"
#include "microt/model.h"
#include "microt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MT_PIXEL_RGB565 = 0,    /* 16-bit little-endian words, R in bits 15..11 */
    MT_PIXEL_RGB565_BE = 1, /* the same, bytes swapped (as many camera interfaces deliver) */
    MT_PIXEL_GRAY8 = 2,     /* one byte per pixel */
    MT_PIXEL_YUYV = 3,      /* YUV 4:2:2, bytes Y0 U Y1 V per pixel pair; width even */
    MT_PIXEL_RGB888 = 4     /* bytes R, G, B */
} mt_pixel_format_t;

/* A frame in memory (row-major; rows stride_bytes apart, 0 = packed). */
typedef struct {
    const void *data;
    uint16_t width, height;
    uint32_t stride_bytes;
    uint8_t format; /* mt_pixel_format_t */
} mt_frame_t;

/* The centred crop window (see the top) of a width x height frame for an out_w x out_h input. */
mt_status_t mt_input_crop(uint16_t width, uint16_t height, uint16_t out_h, uint16_t out_w,
                          uint16_t *x0, uint16_t *y0, uint16_t *crop_w, uint16_t *crop_h);

/* Crop, resize and convert a frame into out [out_h][out_w][C] raw 8-bit pixels, C = 3 for
 * MT_ORDER_RGB / MT_ORDER_BGR and 1 for MT_ORDER_GRAY (out_len must be out_h*out_w*C).
 * MT_E_ARG: NULL, an unknown format or order; MT_E_SHAPE: an empty frame or output, an odd
 * YUYV width, a stride shorter than a row, a wrong out_len. */
mt_status_t mt_input_resize(const mt_frame_t *frame, uint16_t out_h, uint16_t out_w,
                            mt_channel_order_t order, uint8_t *out, size_t out_len);

/* The same into the executor's input tensor, in the model's size and channel order and
 * through its input LUT (as mt_exec_set_input_u8 would), with no buffer of its own.
 * Resets the stage progress like the mt_exec_set_input_* calls. */
mt_status_t mt_input_set_frame(mt_exec_t *exec, const mt_frame_t *frame);

#ifdef __cplusplus
}
#endif
#endif
