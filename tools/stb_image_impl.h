/* The few calls image_io.c makes into the stb_image build of stb_image_impl.c. */
#ifndef MICROT_TOOLS_STB_IMAGE_IMPL_H
#define MICROT_TOOLS_STB_IMAGE_IMPL_H

#include <stddef.h>

/* Size and channels from the header of a BMP in memory; 1 on success. */
int mt_stbi_info(const unsigned char *bytes, size_t len, int *w, int *h, int *c);

/* Decodes to 8 bits per channel, c channels as stored (1..4). Every allocation of the decoder
 * counts against budget bytes (a decompression bomb fails instead of allocating gigabytes).
 * *overrun is set when the decoder read past the end of the data: the image is truncated.
 * NULL on failure (mt_stbi_failure_reason says why); free the pixels with mt_stbi_free. */
unsigned char *mt_stbi_decode(const unsigned char *bytes, size_t len, size_t budget, int *w,
                              int *h, int *c, int *overrun);
void mt_stbi_free(unsigned char *pixels);
const char *mt_stbi_failure_reason(void);

#endif
