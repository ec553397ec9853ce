/* Host image input: decode PNG/JPEG/BMP/... with Debian's stb_image, composite alpha on a
 * background, convert to the model's channel order and resize to its input size. */
#ifndef MICROT_TOOLS_IMAGE_IO_H
#define MICROT_TOOLS_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"

/* Background that transparent pixels are composited on (0..255 grey level). */
#define MT_IMAGE_BACKGROUND 255

/* Loads path into out[h*w*c] (c = 1 for a grey model, else 3 in the model's order),
 * resized per axis with a triangle (bilinear) filter when enlarging and a box (area)
 * filter when shrinking. Returns 0, or -1 with a message in err. */
int mt_image_load(const char *path, uint16_t h, uint16_t w, uint8_t channel_order, uint8_t *out,
                  char *err, size_t err_len);

/* Converts and resizes already decoded pixels (src [src_h][src_w][src_c], src_c 1..4). */
int mt_image_convert(const uint8_t *src, int src_w, int src_h, int src_c, uint16_t h, uint16_t w,
                     uint8_t channel_order, uint8_t *out);

#endif
