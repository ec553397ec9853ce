/* Optimized generic int8 convolution (the stem) for Cortex-M4/M7 DSP: im2col on the fly.
 * Windows (kh x kw x in_c, padding filled with in_zp) are gathered into patches in scratch and
 * multiplied by the weights [out_c][K] with the whole-layer pointwise GEMM
 * (pointwise_s8_dsp_gemm.c) when every channel suits it, else pair by pair with the 2x2 GEMM
 * (mt_dsp_gemm_pair, pointwise_s8_dsp.c). When K = kh*kw*in_c is not a multiple of 4 (the
 * 3-channel stem: K = 27) the weights are copied once per call into scratch with rows padded
 * with zeros to a multiple of 4, if that copy is small, so the assembly applies; the 3x3 RGB
 * stem's windows inside the input are read straight from the input rows by the assembly.
 * Bit for bit equal to mt_conv_s8_ref; never allocates, never reads outside the input. */
#include "dsp_util.h"
#include "pointwise_s8_dsp_gemm.h"

/* Largest padded weight copy (bytes) kept in scratch; bigger layers use unpadded rows. */
#define MT_CONV_PAD_MAX 4096

/* The GEMM depth: K, or K rounded up to a multiple of 4 when the padded copy is used. */
static int32_t gemm_depth(const mt_conv_params_t *p, int *padded) {
    int32_t k = (int32_t)p->kh * p->kw * p->in_c, k4 = (k + 3) & ~3;
    *padded = k != k4 && (int32_t)p->out_c * k4 <= MT_CONV_PAD_MAX;
    return *padded ? k4 : k;
}

/* scratch: [out_c] mt_dsp_rq_t, the widened pair (16 bytes per 4 of depth, 8 per leftover),
 * two patches of depth bytes (each rounded up to 4), then the padded weights if used. */
size_t mt_conv_s8_scratch_bytes_dsp(const mt_conv_params_t *p) {
    int padded;
    int32_t d = gemm_depth(p, &padded);
    return mt_dsp_rq_bytes(p->out_c) + (size_t)(d / 4) * 16u + (size_t)(d % 4) * 8u +
           2u * (size_t)((d + 3) & ~3) + (padded ? (size_t)p->out_c * (size_t)d : 0u);
}

/* n bytes from x to d: words (unaligned LDR/STR on the M4/M7), then the last n % 4 bytes;
 * never reads or writes outside the n bytes. */
static inline void copy_bytes(int8_t *d, const int8_t *x, int32_t n) {
    int32_t b = 0;
    for (; b + 4 <= n; b += 4) {
        uint32_t v = mt_ld4(x + b);
        memcpy(d + b, &v, 4);
    }
    for (; b < n; b++) d[b] = x[b];
}

/* The window of output pixel (oy, ox) as depth int8 values [ky][kx][c], padding and the
 * depth beyond K holding in_zp (which the GEMM turns into 0). A window row inside the input
 * is kw * in_c contiguous input bytes (NHWC), copied in one go. */
static void gather(const mt_conv_params_t *p, const int8_t *in, int32_t oy, int32_t ox,
                   int32_t depth, int8_t *patch) {
    int32_t c_n = p->in_c, ky, kx, k = (int32_t)p->kh * p->kw * c_n, row = p->kw * c_n;
    int32_t ix0 = ox * p->stride_w - p->pad_left;
    int row_inside = ix0 >= 0 && ix0 + p->kw <= p->in_w;
    int32_t iy0 = oy * p->stride_h - p->pad_top;
    int8_t zp = (int8_t)p->in_zp;
    int8_t *d = patch;
    if (row_inside && iy0 >= 0 && iy0 + p->kh <= p->in_h) { /* the whole window inside */
        const int8_t *x = in + (iy0 * p->in_w + ix0) * c_n;
        for (ky = 0; ky < p->kh; ky++, d += row, x += p->in_w * c_n) copy_bytes(d, x, row);
        for (; k < depth; k++) patch[k] = zp;
        return;
    }
    for (ky = 0; ky < p->kh; ky++) {
        int32_t iy = oy * p->stride_h - p->pad_top + ky;
        if (iy < 0 || iy >= p->in_h) {
            memset(d, zp, (size_t)row);
            d += row;
        } else if (row_inside) {
            copy_bytes(d, in + (iy * p->in_w + ix0) * c_n, row);
            d += row;
        } else {
            for (kx = 0; kx < p->kw; kx++, d += c_n) {
                int32_t ix = ix0 + kx;
                if (ix >= 0 && ix < p->in_w) {
                    copy_bytes(d, in + (iy * p->in_w + ix) * c_n, c_n);
                } else {
                    memset(d, zp, (size_t)c_n);
                }
            }
        }
    }
    for (; k < depth; k++) patch[k] = zp;
}

/* The 3x3 window over 3 channels (the RGB stems, K = 27 padded to 28) in a word-friendly
 * order: the first 8 bytes of each window row, then the 3 rows' last bytes and the padding,
 * so that a patch is 6 word copies and one assembled word. The weights are copied in the same
 * order (pad_weights), which leaves the dot products unchanged. Position of natural k: */
static int32_t rgb3_pos(int32_t k) { return k % 9 < 8 ? (k / 9) * 8 + k % 9 : 24 + k / 9; }

/* The weights [out_c][k] to wpad [out_c][depth], rows zero-padded (rgb3: in that order). */
static void pad_weights(int8_t *wpad, const int8_t *w, int32_t out_c, int32_t k, int32_t depth,
                        int rgb3) {
    int32_t oc, j;
    for (oc = 0; oc < out_c; oc++) {
        int8_t *d = wpad + oc * depth;
        memset(d + k, 0, (size_t)(depth - k));
        if (rgb3) {
            for (j = 0; j < k; j++) d[rgb3_pos(j)] = w[oc * k + j];
        } else {
            memcpy(d, w + oc * k, (size_t)k);
        }
    }
}

#if MT_DSP_ASM
static inline void st4(int8_t *d, uint32_t v) { memcpy(d, &v, 4); }

/* zp24 = the input zero point in the top byte. */
static inline void copy_window_rgb3(int8_t *d, const int8_t *x, int32_t x_row, uint32_t zp24) {
    const int8_t *x1 = x + x_row, *x2 = x1 + x_row;
    st4(d, mt_ld4(x));
    st4(d + 4, mt_ld4(x + 4));
    st4(d + 8, mt_ld4(x1));
    st4(d + 12, mt_ld4(x1 + 4));
    st4(d + 16, mt_ld4(x2));
    st4(d + 20, mt_ld4(x2 + 4));
    st4(d + 24, (uint32_t)(uint8_t)x[8] | (uint32_t)(uint8_t)x1[8] << 8 |
                    (uint32_t)(uint8_t)x2[8] << 16 | zp24);
}

/* A window inside the input: kh rows of row contiguous bytes, x_row apart, to d. */
static inline void copy_window(int8_t *d, const int8_t *x, int32_t x_row, int32_t kh,
                               int32_t row) {
    int32_t ky;
    for (ky = 0; ky < kh; ky++, x += x_row, d += row) copy_bytes(d, x, row);
}

/* A 3x3 RGB window that crosses the border, straight into the rgb3 order (depth 28): the
 * patch filled with in_zp by 7 word stores, then each pixel inside the input as its 3 bytes
 * (rgb3_pos of window row ky, bytes 3 kx .. 3 kx + 2). */
static void gather_rgb3_border(const mt_conv_params_t *p, const int8_t *in, int32_t oy,
                               int32_t ox, int8_t *patch) {
    int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    int32_t ky, kx, c, j;
    uint32_t zp4 = mt_dup4(p->in_zp);
    for (j = 0; j < 28; j += 4) st4(patch + j, zp4);
    for (ky = 0; ky < 3; ky++) {
        int32_t iy = iy0 + ky;
        if (iy < 0 || iy >= p->in_h) continue;
        for (kx = 0; kx < 3; kx++) {
            int32_t ix = ix0 + kx;
            const int8_t *x;
            if (ix < 0 || ix >= p->in_w) continue;
            x = in + (iy * p->in_w + ix) * 3;
            for (c = 0; c < 3; c++) {
                int32_t b = 3 * kx + c;
                patch[b < 8 ? 8 * ky + b : 24 + ky] = x[c];
            }
        }
    }
}

/* gather(), in the rgb3 order when asked (depth 28). */
static void gather_any(const mt_conv_params_t *p, const int8_t *in, int32_t oy, int32_t ox,
                       int32_t depth, int8_t *patch, int rgb3) {
    if (rgb3) {
        gather_rgb3_border(p, in, oy, ox, patch);
    } else {
        gather(p, in, oy, ox, depth, patch);
    }
}

/* The whole-layer GEMM (pointwise_s8_dsp_gemm.c) on gathered windows, output pixels [i0, i1):
 * up to per_call pairs of consecutive pixels (their outputs are contiguous, raster order)
 * gathered side by side into patches, depth bytes apart, then one call; an odd last pixel
 * alone. job holds the layer's fields (w, qs, zz, lo4, hi4, xb, in_c). */
static void gemm_patches(const mt_conv_params_t *p, const int8_t *in, int8_t *out,
                         mt_pw_gemm_t *job, int8_t *patches, int32_t per_call, int rgb3,
                         int32_t i0, int32_t i1) {
    int32_t depth = job->in_c, out_c = p->out_c, i, k, b, pairs = 1;
    int32_t oy = i0 / p->out_w, ox = i0 % p->out_w;
    int32_t row = p->kw * p->in_c, kdepth = p->kh * row, x_row = p->in_w * p->in_c;
    int32_t y_last = p->in_h - p->kh, x_last = p->in_w - p->kw;
    uint32_t zp24 = ((uint32_t)p->in_zp & 0xffu) << 24;
    job->x = patches;
    job->x_step = depth;
    job->out_step = out_c;
    for (i = i0; i + 1 < i1; i += 2 * pairs) {
        pairs = (i1 - i) / 2 < per_call ? (i1 - i) / 2 : per_call;
        for (k = 0; k < 2 * pairs; k++) {
            int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
            int8_t *d = patches + k * depth;
            if (iy0 >= 0 && iy0 <= y_last && ix0 >= 0 && ix0 <= x_last) {
                /* the whole window inside (most pixels) */
                const int8_t *x = in + (iy0 * p->in_w + ix0) * p->in_c;
                if (rgb3) {
                    copy_window_rgb3(d, x, x_row, zp24);
                } else {
                    copy_window(d, x, x_row, p->kh, row);
                    for (b = kdepth; b < depth; b++) d[b] = (int8_t)p->in_zp;
                }
            } else {
                gather_any(p, in, oy, ox, depth, d, rgb3);
            }
            if (++ox == p->out_w) {
                ox = 0;
                oy++;
            }
        }
        job->pairs = pairs;
        job->out = out + i * out_c;
        mt_pw_gemm_run(job);
    }
    if (i < i1) { /* the last pixel alone, computed twice and stored twice */
        gather_any(p, in, oy, ox, depth, patches, rgb3);
        job->x_step = 0;
        job->out_step = 0;
        job->pairs = 1;
        job->out = out + i * out_c;
        mt_pw_gemm_run(job);
    }
}

/* The straight-line depths keep the widened pair in the assembly's stack frame, so the patches
 * may also use xb's scratch (up to 28: 6 patches, 3 pairs a call). The RGB stem (rgb3, even out_w): per output
 * row the pairs whose windows lie inside the input go to mt_pw_gemm_rgb3 in one call, which
 * widens them straight from the input rows; the border pairs take patches. */
static void conv_gemm(const mt_conv_params_t *p, const int8_t *in, const int8_t *wg,
                      int8_t *out, const int32_t *qs, uint32_t *xb, int8_t *patch0,
                      int32_t depth, int rgb3) {
    int32_t per_call = mt_pw_gemm_uses_xb(depth) ? 1 : 3, n = (int32_t)p->out_h * p->out_w;
    int8_t *patches = mt_pw_gemm_uses_xb(depth) ? patch0 : (int8_t *)xb;
    mt_pw_gemm_t job;
    job.w = wg;
    job.qs = qs;
    job.zz = mt_pack16(-p->in_zp, -p->in_zp);
    job.xb = xb;
    job.in_c = depth;
    job.pair_adv = p->out_c; /* out_c even: 2 out_c - out_c */
    job.x_row = p->in_w * p->in_c;
    job.zp24 = ((uint32_t)p->in_zp & 0xffu) << 24;
    if (rgb3 && p->out_w % 2 == 0) {
        int32_t sw = p->stride_w, x_last = p->in_w - p->kw, oy;
        int32_t ox_lo = (p->pad_left + sw - 1) / sw, ox_hi = x_last + p->pad_left;
        int32_t q_lo = (ox_lo + 1) / 2, q_hi;
        ox_hi = ox_hi >= 0 ? ox_hi / sw : -1; /* windows ox_lo..ox_hi lie inside the row */
        q_hi = ox_hi >= 1 ? (ox_hi - 1) / 2 : -1;
        if (q_hi > p->out_w / 2 - 1) q_hi = p->out_w / 2 - 1;
        for (oy = 0; oy < p->out_h; oy++) {
            int32_t iy0 = oy * p->stride_h - p->pad_top, base = oy * p->out_w;
            if (iy0 < 0 || iy0 > p->in_h - p->kh || q_lo > q_hi) {
                gemm_patches(p, in, out, &job, patches, per_call, rgb3, base, base + p->out_w);
                continue;
            }
            gemm_patches(p, in, out, &job, patches, per_call, rgb3, base, base + 2 * q_lo);
            job.x = in + (iy0 * p->in_w + 2 * q_lo * sw - p->pad_left) * p->in_c;
            job.x_step = sw * p->in_c;
            job.pairs = q_hi - q_lo + 1;
            job.out = out + (base + 2 * q_lo) * p->out_c;
            job.out_step = p->out_c;
            mt_pw_gemm_rgb3(&job);
            gemm_patches(p, in, out, &job, patches, per_call, rgb3, base + 2 * q_hi + 2,
                         base + p->out_w);
        }
        return;
    }
    gemm_patches(p, in, out, &job, patches, per_call, rgb3, 0, n);
}
#endif

/* in [in_h][in_w][in_c] s8, w [out_c][kh][kw][in_c] s8, bias [out_c] s32,
 * out [out_h][out_w][out_c] s8, as the reference. Output pixels in pairs (in raster order):
 * gather both windows, widen them, all output channels by the pointwise GEMM. */
void mt_conv_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                    const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int padded;
    int32_t depth = gemm_depth(p, &padded), k = (int32_t)p->kh * p->kw * p->in_c;
    int32_t out_c = p->out_c, n = (int32_t)p->out_h * p->out_w, i;
    mt_dsp_rq_t *q = (mt_dsp_rq_t *)scratch;
    uint32_t *xb = (uint32_t *)(q + out_c);
    int8_t *patch0 = (int8_t *)(xb + (depth / 4) * 4 + (depth % 4) * 2);
    int8_t *patch1 = patch0 + ((depth + 3) & ~3);
    int8_t *wpad = patch1 + ((depth + 3) & ~3);
    const int8_t *wg = padded ? wpad : w;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    int fast;
#if MT_DSP_ASM
    if (out_c % 2 == 0 && mt_pw_gemm_supported(depth) &&
        mt_pw_qs_prepare((int32_t *)scratch, bias, rq, out_c, p->out_zp, depth, w, k,
                         p->act_min, p->act_max) == 0) {
        int rgb3 = padded && depth == 28 && p->kh == 3 && p->kw * p->in_c == 9;
        if (padded) pad_weights(wpad, w, out_c, k, depth, rgb3);
        conv_gemm(p, in, wg, out, (const int32_t *)scratch, xb, patch0, depth, rgb3);
        mt_pw_clamp(out, n * out_c, p->act_min, p->act_max);
        return;
    }
#endif
    if (padded) pad_weights(wpad, w, out_c, k, depth, 0);
    fast = mt_dsp_rq_prepare(q, rq, out_c, p->out_zp);
    for (i = 0; i < n; i += 2) {
        int32_t j = i + 1 < n ? i + 1 : i;
        gather(p, in, i / p->out_w, i % p->out_w, depth, patch0);
        if (j != i) gather(p, in, j / p->out_w, j % p->out_w, depth, patch1);
        mt_dsp_widen_pair(patch0, j != i ? patch1 : patch0, depth, zz, p->in_zp, xb);
        mt_dsp_gemm_pair(xb, wg, depth, out_c, bias, q, fast, p->out_zp, p->act_min, p->act_max,
                         out + i * out_c, out + j * out_c);
    }
}
