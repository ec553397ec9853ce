/* Host image input: decode PNG (libpng), JPEG (libjpeg-turbo), BMP (Debian's stb_image,
 * that decoder only) and binary PGM/PPM (here), composite alpha on a background, convert to
 * the model's channel
 * order and resize to its input size. Every image is bounded before it is decoded: a
 * regular file of bounded size, a pixel budget checked from the header before any pixel
 * memory is allocated, every decoder allocation inside a byte budget; truncated or
 * malformed images are refused, never padded. */
#ifndef MICROT_TOOLS_IMAGE_IO_H
#define MICROT_TOOLS_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"

/* Background that transparent pixels are composited on (0..255 grey level). */
#define MT_IMAGE_BACKGROUND 255

/* Default pixel budget (width x height) of one image: a 40-megapixel photo decodes in about
 * half a gigabyte; `--max-pixels` changes it. */
#define MT_IMAGE_DEFAULT_MAX_PIXELS 40000000ull
#define MT_IMAGE_MAX_MAX_PIXELS (1ull << 28) /* what --max-pixels accepts at most */

/* A decoded image: 8 bits per channel, c = 1 (grey), 2 (grey + alpha), 3 (RGB), 4 (RGBA). */
typedef struct {
    uint8_t *pixels; /* [h][w][c], malloc'ed by the decoder; free with mt_image_free */
    int w, h, c;
    int scale_denom; /* 1, or 2/4/8 for a JPEG decoded smaller to fit the pixel budget */
    int from_stb;    /* which allocator owns pixels */
} mt_image_t;

/* The format of a file from its first bytes ("PNG", "JPEG", "BMP", "PGM", "PPM"), or NULL
 * when it is none of them (16 bytes are enough). */
const char *mt_image_format(const uint8_t *head, size_t len);

/* Decodes bytes[len]. max_pixels 0 means MT_IMAGE_DEFAULT_MAX_PIXELS; a JPEG above it is
 * decoded at 1/2, 1/4 or 1/8 scale when that fits (scale_denom says which), any other image
 * above it is refused. Returns 0, or -1 with a reason (without a path) in err: not an image
 * of a known format, too many pixels, truncated, corrupt, out of memory. */
int mt_image_decode(const uint8_t *bytes, size_t len, uint64_t max_pixels, mt_image_t *img,
                    char *err, size_t err_len);
void mt_image_free(mt_image_t *img);

/* Loads path into out[h*w*c] (c = 1 for a grey model, else 3 in the model's order),
 * resized per axis with a triangle (bilinear) filter when enlarging and a box (area)
 * filter when shrinking. The file must be a regular file of at most
 * mt_image_max_file_bytes(max_pixels) bytes. Returns 0, or -1 with "PATH: reason" in err. */
int mt_image_load_max(const char *path, uint64_t max_pixels, uint16_t h, uint16_t w,
                      uint8_t channel_order, uint8_t *out, char *err, size_t err_len);
/* The same with the default pixel budget. */
int mt_image_load(const char *path, uint16_t h, uint16_t w, uint8_t channel_order, uint8_t *out,
                  char *err, size_t err_len);

/* The largest image file read for a pixel budget (16-bit RGBA PNM or PNG, plus headers). */
uint64_t mt_image_max_file_bytes(uint64_t max_pixels);

/* Converts and resizes already decoded pixels (src [src_h][src_w][src_c], src_c 1..4). */
int mt_image_convert(const uint8_t *src, int src_w, int src_h, int src_c, uint16_t h, uint16_t w,
                     uint8_t channel_order, uint8_t *out);

#endif
