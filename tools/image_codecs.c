/* PNG and JPEG decoding for image_io.c through Debian's libpng and libjpeg-turbo: maintained,
 * fuzzed upstream (OSS-Fuzz), and strict about damage. stb_image 2.27 (Debian's) wrote past
 * a Huffman table on a JPEG with more than 256 codes (found by tests/fuzz/fuzz_image.c), so
 * only its BMP decoder is still used. Both decoders here refuse truncation and corruption
 * instead of padding, check the pixel budget from the header before allocating the image,
 * and keep their own allocations bounded. Errors come back through longjmp from the
 * libraries' error callbacks; nothing is printed. */
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

static int over_budget(uint64_t w, uint64_t h, uint64_t max_pixels, char *err, size_t len) {
    if (w * h <= max_pixels) return 0;
    snprintf(err, len, "%llux%llu = %.1f megapixels, more than the %.1f-megapixel limit "
                       "(--max-pixels)", (unsigned long long)w, (unsigned long long)h,
             (double)(w * h) / 1e6, (double)max_pixels / 1e6);
    return 1;
}

/* ---- PNG (libpng's progressive reader: no gamma or colour-space transform) ----
 * The file is fed to libpng in blocks and feeding stops once the last row has arrived, so
 * IDAT data after the image (a bomb of zeros) is never inflated; a file that ends before
 * its last row is truncated, and one whose chunks do not run whole to IEND too. */

#define PNG_FEED_BYTES 4096u /* at most this much compressed data is inflated past the image */

typedef struct {
    uint64_t max_pixels;
    char msg[200];
    uint8_t *pixels;    /* [h][w][c] */
    png_uint_32 w, h;
    int c, passes, done;
    size_t row_bytes;
} png_ctx_t;

static void png_on_error(png_structp png, png_const_charp msg) {
    png_ctx_t *x = (png_ctx_t *)png_get_error_ptr(png);
    if (!x->msg[0]) snprintf(x->msg, sizeof x->msg, "corrupt PNG (%s)", msg);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg) {
    (void)png, (void)msg; /* ancillary-chunk complaints do not change the pixels */
}

static void png_on_info(png_structp png, png_infop info) {
    png_ctx_t *x = (png_ctx_t *)png_get_progressive_ptr(png);
    x->w = png_get_image_width(png, info);
    x->h = png_get_image_height(png, info);
    if (over_budget(x->w, x->h, x->max_pixels, x->msg, sizeof x->msg)) png_error(png, "budget");
    /* 8 bits per channel as stored: grey, grey+alpha, RGB or RGBA (what stb_image gave):
     * palettes expand, low bit depths widen, tRNS becomes alpha, 16 bits keep the high byte. */
    png_set_palette_to_rgb(png);
    png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_strip_16(png);
    x->passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    x->c = png_get_channels(png, info);
    x->row_bytes = png_get_rowbytes(png, info);
    if (x->c < 1 || x->c > 4 || png_get_bit_depth(png, info) != 8 ||
        x->row_bytes != (size_t)x->w * (size_t)x->c) {
        png_error(png, "unexpected pixel layout");
    }
    x->pixels = calloc(x->row_bytes, x->h);
    if (!x->pixels) png_error(png, "out of memory");
}

static void png_on_row(png_structp png, png_bytep row, png_uint_32 y, int pass) {
    png_ctx_t *x = (png_ctx_t *)png_get_progressive_ptr(png);
    if (y >= x->h) png_error(png, "row out of range");
    if (row) png_progressive_combine_row(png, x->pixels + x->row_bytes * y, row);
    if (pass == x->passes - 1 && y == x->h - 1) x->done = 1;
}

static void png_on_end(png_structp png, png_infop info) {
    (void)info;
    ((png_ctx_t *)png_get_progressive_ptr(png))->done = 1;
}

/* The chunk structure, without inflating anything: every chunk whole, up to IEND. */
static int png_chunks_whole(const uint8_t *b, size_t len, char *err, size_t err_len) {
    size_t pos = 8;
    while (pos + 12 <= len) {
        uint32_t n = (uint32_t)b[pos] << 24 | (uint32_t)b[pos + 1] << 16 | (uint32_t)b[pos + 2] << 8 |
                     b[pos + 3];
        if (n > 0x7fffffffu || len - pos - 12 < n) break;
        if (memcmp(b + pos + 4, "IEND", 4) == 0) return 0;
        pos += 12u + n;
    }
    snprintf(err, err_len, "truncated PNG (the chunk at byte %zu is cut, or there is no IEND)", pos);
    return -1;
}

int mt_decode_png(const uint8_t *bytes, size_t len, uint64_t max_pixels, mt_decoded_t *out,
                  char *err, size_t err_len) {
    memset(out, 0, sizeof *out);
    if (png_chunks_whole(bytes, len, err, err_len) != 0) return -1;
    png_ctx_t x;
    memset(&x, 0, sizeof x);
    x.max_pixels = max_pixels;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &x, png_on_error,
                                             png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    volatile size_t pos = 0;
    if (setjmp(png_jmpbuf(png))) {
        snprintf(err, err_len, "%s", x.msg[0] ? x.msg : "corrupt PNG");
        png_destroy_read_struct(&png, &info, NULL);
        free(x.pixels);
        return -1;
    }
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_WARN_DISCARD);
    png_set_chunk_malloc_max(png, 8u << 20); /* ancillary chunks: text, ICC profiles */
    png_set_user_limits(png, 1u << 20, 1u << 20);
    png_set_progressive_read_fn(png, &x, png_on_info, png_on_row, png_on_end);
    while (!x.done && pos < len) {
        size_t n = len - pos < PNG_FEED_BYTES ? len - pos : PNG_FEED_BYTES;
        png_process_data(png, info, (png_bytep)(uintptr_t)(bytes + pos), n);
        pos += n;
    }
    out->bytes_read = pos;
    png_destroy_read_struct(&png, &info, NULL);
    if (!x.done || !x.pixels) {
        snprintf(err, err_len, "truncated PNG (the image data ends before its last row)");
        free(x.pixels);
        return -1;
    }
    out->pixels = x.pixels;
    out->w = (int)x.w;
    out->h = (int)x.h;
    out->c = x.c;
    return 0;
}

/* ---- JPEG (libjpeg-turbo) ---- */

#define JPEG_MAX_SCANS 1000 /* a progressive file of many tiny scans decodes for minutes */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jpeg_err_t;

static void jpeg_on_error(j_common_ptr cinfo) {
    jpeg_err_t *e = (jpeg_err_t *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    longjmp(e->jump, 1);
}

/* Warnings are damage (a premature end, a corrupt segment, ...) and refuse the image, except
 * extraneous bytes between segments, which change no pixel. Trace messages are ignored. */
static void jpeg_on_message(j_common_ptr cinfo, int level) {
    if (level >= 0 || cinfo->err->msg_code == JWRN_EXTRANEOUS_DATA) return;
    jpeg_on_error(cinfo);
}

static void jpeg_fail(j_decompress_ptr cinfo, const char *msg) {
    jpeg_err_t *e = (jpeg_err_t *)cinfo->err;
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    longjmp(e->jump, 1);
}

static void jpeg_on_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > JPEG_MAX_SCANS) {
        jpeg_err_t *e = (jpeg_err_t *)cinfo->err;
        snprintf(e->msg, sizeof e->msg, "more than %d scans", JPEG_MAX_SCANS);
        longjmp(e->jump, 1);
    }
}

int mt_decode_jpeg(const uint8_t *bytes, size_t len, uint64_t max_pixels, mt_decoded_t *out,
                   char *err, size_t err_len) {
    memset(out, 0, sizeof *out);
    struct jpeg_decompress_struct cinfo;
    struct jpeg_progress_mgr progress = {jpeg_on_progress, 0, 0, 0, 0};
    jpeg_err_t jerr;
    uint8_t *volatile pixels = NULL;
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = jpeg_on_error;
    jerr.pub.emit_message = jpeg_on_message;
    jerr.msg[0] = '\0';
    if (setjmp(jerr.jump)) {
        int truncated = jerr.pub.msg_code == JWRN_JPEG_EOF || jerr.pub.msg_code == JERR_INPUT_EOF;
        snprintf(err, err_len, "%s JPEG (%s)", truncated ? "truncated" : "corrupt", jerr.msg);
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, bytes, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);
    uint64_t w = cinfo.image_width, h = cinfo.image_height;
    /* Above the budget, decode at 1/2, 1/4 or 1/8 when that fits: the image is shrunk to the
     * model input anyway, and the DCT scaling costs nothing. */
    unsigned denom = 1;
    while (denom < 8 && ((w + denom - 1) / denom) * ((h + denom - 1) / denom) > max_pixels) denom *= 2;
    uint64_t sw = (w + denom - 1) / denom, sh = (h + denom - 1) / denom;
    if (over_budget(sw, sh, max_pixels, err, err_len)) {
        snprintf(err, err_len, "%llux%llu = %.1f megapixels, more than the %.1f-megapixel limit "
                               "(--max-pixels) even at 1/8 scale", (unsigned long long)w,
                 (unsigned long long)h, (double)(w * h) / 1e6, (double)max_pixels / 1e6);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    cinfo.scale_num = 1;
    cinfo.scale_denom = denom;
    /* Grey stays grey; everything else (YCbCr, RGB, CMYK/YCCK) comes out as RGB. */
    cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        cinfo.out_color_space = JCS_CMYK; /* libjpeg gives CMYK only; converted below */
    }
    /* The library's own memory (coefficient buffers of progressive files) within a budget. */
    cinfo.mem->max_memory_to_use = (long)(16u * sw * sh + (64u << 20));
    jpeg_start_decompress(&cinfo);
    int c = cinfo.output_components;
    size_t ow = cinfo.output_width, oh = cinfo.output_height;
    if ((c != 1 && c != 3 && c != 4) || ow * oh > max_pixels) jpeg_fail(&cinfo, "unexpected output");
    pixels = malloc(ow * oh * (size_t)c);
    if (!pixels) jpeg_fail(&cinfo, "out of memory");
    while (cinfo.output_scanline < oh) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * ow * (size_t)c;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    int cmyk = cinfo.out_color_space == JCS_CMYK, inverted = cinfo.saw_Adobe_marker;
    jpeg_destroy_decompress(&cinfo);
    if (cmyk) { /* CMYK (Adobe files store it inverted) to RGB, in place, 4 -> 3 channels */
        for (size_t i = 0; i < ow * oh; i++) {
            const uint8_t *p = pixels + 4 * i;
            int k = inverted ? p[3] : 255 - p[3];
            int r = inverted ? p[0] : 255 - p[0], g = inverted ? p[1] : 255 - p[1],
                b = inverted ? p[2] : 255 - p[2];
            pixels[3 * i] = (uint8_t)((r * k + 127) / 255);
            pixels[3 * i + 1] = (uint8_t)((g * k + 127) / 255);
            pixels[3 * i + 2] = (uint8_t)((b * k + 127) / 255);
        }
        c = 3;
    }
    out->pixels = pixels;
    out->w = (int)ow;
    out->h = (int)oh;
    out->c = c;
    out->scale_denom = (int)denom;
    return 0;
}
