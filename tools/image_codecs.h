/* PNG and JPEG decoders of image_io.c (libpng, libjpeg-turbo): bytes in memory to 8-bit
 * pixels, within a pixel budget, refusing any damage. Host only. */
#ifndef MICROT_TOOLS_IMAGE_CODECS_H
#define MICROT_TOOLS_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *pixels; /* [h][w][c] 8-bit, malloc'ed */
    int w, h, c;     /* c: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA */
    int scale_denom; /* JPEG: decoded at 1/scale_denom to fit the budget (1 = full size) */
    size_t bytes_read; /* PNG: the bytes given to libpng (IDAT after the image is not) */
} mt_decoded_t;

/* Return 0, or -1 with a reason in err (too many pixels, truncated, corrupt). */
int mt_decode_png(const uint8_t *bytes, size_t len, uint64_t max_pixels, mt_decoded_t *out,
                  char *err, size_t err_len);
/* A JPEG above max_pixels is decoded at 1/2, 1/4 or 1/8 scale when that fits. */
int mt_decode_jpeg(const uint8_t *bytes, size_t len, uint64_t max_pixels, mt_decoded_t *out,
                   char *err, size_t err_len);

#endif
