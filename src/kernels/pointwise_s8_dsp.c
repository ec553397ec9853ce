/* Optimized int8 pointwise (1x1) convolution for Cortex-M4/M7 DSP: an int8 GEMM tiled
 * 2 pixels x 2 output channels, the whole layer in one assembly call where every channel
 * suits it (pointwise_s8_dsp_gemm.S), else the pair-by-pair C code below. Bit for bit equal to
 * mt_pointwise_s8_ref (pointwise_s8.c); never allocates (scratch from the caller), never
 * reads outside its arguments. */
#include "dsp_util.h"
#include "pointwise_s8_dsp_gemm.h"

/* scratch: [out_c] mt_dsp_rq_t, then the two current pixels widened to int16 minus in_zp,
 * [in_c / 4][pixel 0 even, pixel 0 odd, pixel 1 even, pixel 1 odd] words, then the in_c % 4
 * leftover channels as int32 pairs [pixel 0, pixel 1]. */
static size_t work_bytes(const mt_conv_params_t *p) {
    return mt_dsp_rq_bytes(p->out_c) + (size_t)(p->in_c / 4) * 16u + (size_t)(p->in_c % 4) * 8u;
}

/* Pixels [0, split) of a large layer (input + output >= 32 KB, the ones likely to set the
 * arena's peak, as MCUNet-64's 32x32 8 -> 32) keep that working memory in the output of
 * pixels [split, n), not yet written, and the last n - split pixels (an even split, at most
 * 1/8 of the map) run the scratch-free path: no scratch then, so the layer does not raise
 * the peak. Returns n when the tail does not apply. A shape-only rule, so the planner and
 * the kernel agree. */
#define MT_PW_TAIL_TENSORS 32768
static int32_t tail_split(const mt_conv_params_t *p) {
    int32_t n = (int32_t)p->in_h * p->in_w, out_c = p->out_c;
    int32_t rest = (int32_t)((work_bytes(p) + 3u + (size_t)out_c - 1u) / (size_t)out_c);
    rest += rest & 1;
    if (n * ((int32_t)p->in_c + out_c) < MT_PW_TAIL_TENSORS) return n;
    return 8 * rest <= n ? n - rest : n;
}

size_t mt_pointwise_s8_scratch_bytes_dsp(const mt_conv_params_t *p) {
    return tail_split(p) < (int32_t)p->in_h * p->in_w ? 0u : work_bytes(p);
}

/* Widens pixels x0 and x1 (x1 may equal x0 for an odd last pixel) into xb. */
void mt_dsp_widen_pair(const int8_t *x0, const int8_t *x1, int32_t in_c, uint32_t zz,
                       int32_t in_zp, uint32_t *xb) {
    int32_t g, groups = in_c / 4, tail = in_c % 4;
    for (g = 0; g < groups; g++) {
        uint32_t a = mt_ld4(x0 + 4 * g), b = mt_ld4(x1 + 4 * g);
        xb[0] = mt_sxtab16(zz, a);
        xb[1] = mt_sxtab16_odd(zz, a);
        xb[2] = mt_sxtab16(zz, b);
        xb[3] = mt_sxtab16_odd(zz, b);
        xb += 4;
    }
    for (g = 0; g < tail; g++) {
        xb[2 * g] = (uint32_t)((int32_t)x0[4 * groups + g] - in_zp);
        xb[2 * g + 1] = (uint32_t)((int32_t)x1[4 * groups + g] - in_zp);
    }
}

/* Output channels oc, oc+1 of both pixels: acc[pixel][channel], then requantized to o0, o1.
 * FAST (a constant at each call site) promises every channel takes mt_dsp_rq_fast. */
static inline void tile_2x2(const uint32_t *xb, const int8_t *w0, int32_t in_c,
                            const int32_t *bias, const mt_dsp_rq_t *q, int32_t out_zp,
                            int32_t lo, int32_t hi, int8_t *o0, int8_t *o1, int fast) {
    const int8_t *w1 = w0 + in_c;
    int32_t a00 = bias[0], a01 = bias[1], a10 = bias[0], a11 = bias[1];
    int32_t g, groups = in_c / 4, tail = in_c % 4;
    for (g = 0; g < groups; g++) {
        uint32_t wa = mt_ld4(w0), wb = mt_ld4(w1);
        uint32_t wa0 = mt_sxtb16(wa), wa1 = mt_sxtb16_odd(wa);
        uint32_t wb0 = mt_sxtb16(wb), wb1 = mt_sxtb16_odd(wb);
        uint32_t x00 = xb[0], x01 = xb[1], x10 = xb[2], x11 = xb[3];
        w0 += 4;
        w1 += 4;
        xb += 4;
        a00 = mt_smlad(x00, wa0, a00);
        a01 = mt_smlad(x00, wb0, a01);
        a10 = mt_smlad(x10, wa0, a10);
        a11 = mt_smlad(x10, wb0, a11);
        a00 = mt_smlad(x01, wa1, a00);
        a01 = mt_smlad(x01, wb1, a01);
        a10 = mt_smlad(x11, wa1, a10);
        a11 = mt_smlad(x11, wb1, a11);
    }
    for (g = 0; g < tail; g++) {
        int32_t x0 = (int32_t)xb[2 * g], x1 = (int32_t)xb[2 * g + 1];
        a00 += x0 * w0[g];
        a01 += x0 * w1[g];
        a10 += x1 * w0[g];
        a11 += x1 * w1[g];
    }
    if (fast) {
        o0[0] = mt_dsp_clamp(mt_dsp_rq_fast(a00, q[0].mult, q[0].k_lo, q[0].k_hi, q[0].rsh), lo, hi);
        o1[0] = mt_dsp_clamp(mt_dsp_rq_fast(a10, q[0].mult, q[0].k_lo, q[0].k_hi, q[0].rsh), lo, hi);
        o0[1] = mt_dsp_clamp(mt_dsp_rq_fast(a01, q[1].mult, q[1].k_lo, q[1].k_hi, q[1].rsh), lo, hi);
        o1[1] = mt_dsp_clamp(mt_dsp_rq_fast(a11, q[1].mult, q[1].k_lo, q[1].k_hi, q[1].rsh), lo, hi);
    } else {
        o0[0] = mt_dsp_clamp(mt_dsp_rq(a00, &q[0], out_zp), lo, hi);
        o1[0] = mt_dsp_clamp(mt_dsp_rq(a10, &q[0], out_zp), lo, hi);
        o0[1] = mt_dsp_clamp(mt_dsp_rq(a01, &q[1], out_zp), lo, hi);
        o1[1] = mt_dsp_clamp(mt_dsp_rq(a11, &q[1], out_zp), lo, hi);
    }
}

/* The odd last output channel of both pixels. */
static void tile_2x1(const uint32_t *xb, const int8_t *w0, int32_t in_c, int32_t bias,
                     const mt_dsp_rq_t *q, int32_t out_zp, int32_t lo, int32_t hi, int8_t *o0,
                     int8_t *o1) {
    int32_t a0 = bias, a1 = bias;
    int32_t g, groups = in_c / 4, tail = in_c % 4;
    for (g = 0; g < groups; g++) {
        uint32_t wa = mt_ld4(w0);
        uint32_t wa0 = mt_sxtb16(wa), wa1 = mt_sxtb16_odd(wa);
        w0 += 4;
        a0 = mt_smlad(xb[0], wa0, a0);
        a1 = mt_smlad(xb[2], wa0, a1);
        a0 = mt_smlad(xb[1], wa1, a0);
        a1 = mt_smlad(xb[3], wa1, a1);
        xb += 4;
    }
    for (g = 0; g < tail; g++) {
        a0 += (int32_t)xb[2 * g] * w0[g];
        a1 += (int32_t)xb[2 * g + 1] * w0[g];
    }
    *o0 = mt_dsp_clamp(mt_dsp_rq(a0, q, out_zp), lo, hi);
    *o1 = mt_dsp_clamp(mt_dsp_rq(a1, q, out_zp), lo, hi);
}

/* All output channels of the widened pixel pair xb (declared in dsp_util.h; the stem conv
 * uses it too). o1 == o0 when the last pixel stands alone: the second copy is computed on the
 * same input and overwrites the first with equal bytes. */
void mt_dsp_gemm_pair(const uint32_t *xb, const int8_t *w, int32_t in_c, int32_t out_c,
                      const int32_t *bias, const mt_dsp_rq_t *q, int fast, int32_t zp,
                      int32_t lo, int32_t hi, int8_t *o0, int8_t *o1) {
    int32_t oc = 0;
    if (fast) {
        for (oc = 0; oc + 1 < out_c; oc += 2) {
            tile_2x2(xb, w + oc * in_c, in_c, bias + oc, q + oc, zp, lo, hi, o0 + oc, o1 + oc, 1);
        }
    } else {
        for (oc = 0; oc + 1 < out_c; oc += 2) {
            tile_2x2(xb, w + oc * in_c, in_c, bias + oc, q + oc, zp, lo, hi, o0 + oc, o1 + oc, 0);
        }
    }
    if (oc < out_c) tile_2x1(xb, w + oc * in_c, in_c, bias[oc], q + oc, zp, lo, hi, o0 + oc, o1 + oc);
}

/* Output channel oc of pixels [i_begin, n) without scratch: the requantization prepared on
 * the spot, the dot product by SXTAB16/SXTB16 and SMLAD straight from the int8 bytes. */
static void pixels_direct_channel(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                                  const int32_t *bias, mt_requant_t rq, int8_t *out,
                                  int32_t i_begin, int32_t n, int32_t oc) {
    int32_t in_c = p->in_c, out_c = p->out_c, i, k;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    const int8_t *wr = w + oc * in_c;
    mt_dsp_rq_t q;
    mt_requant_t rq_c;
    rq_c.mult = rq.mult + oc;
    rq_c.shift = rq.shift + oc;
    mt_dsp_rq_prepare(&q, rq_c, 1, p->out_zp);
    for (i = i_begin; i < n; i++) {
        const int8_t *x = in + i * in_c;
        int32_t acc = bias[oc];
        for (k = 0; k + 4 <= in_c; k += 4) {
            uint32_t xv = mt_ld4(x + k), wv = mt_ld4(wr + k);
            acc = mt_smlad(mt_sxtab16(zz, xv), mt_sxtb16(wv), acc);
            acc = mt_smlad(mt_sxtab16_odd(zz, xv), mt_sxtb16_odd(wv), acc);
        }
        for (; k < in_c; k++) acc += ((int32_t)x[k] - p->in_zp) * (int32_t)wr[k];
        out[i * out_c + oc] = mt_dsp_clamp(mt_dsp_rq(acc, &q, p->out_zp), p->act_min, p->act_max);
    }
}

/* Pixels [i_begin, n), every channel, without scratch (channel-major loop order). */
static void pixels_direct(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, int32_t i_begin,
                          int32_t n) {
    for (int32_t oc = 0; i_begin < n && oc < p->out_c; oc++) {
        pixels_direct_channel(p, in, w, bias, rq, out, i_begin, n, oc);
    }
}

/* in [n][in_c] s8, w [out_c][in_c] s8, bias [out_c] s32, out [n][out_c] s8, as the reference.
 * The whole layer in one assembly GEMM (pointwise_s8_dsp_gemm.S) when every channel suits its
 * requantization or has a zero filter row, and in_c % 4 == 0 (an odd last channel in C, and
 * up to 1/8 of the channels that the assembly cannot requantize); else pixel pair by pixel
 * pair in C. Pixels [n, n_all) of a large layer run scratch-free (tail_split). */
void mt_pointwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t n_all = (int32_t)p->in_h * p->in_w, n = tail_split(p);
    int32_t in_c = p->in_c, out_c = p->out_c, even = out_c & ~1, i, redo = 0;
    mt_dsp_rq_t *q;
    uint32_t *xb;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    int fast;
    if (n < n_all) { /* working memory in the output of pixels [n, n_all), word aligned */
        uintptr_t tail = (uintptr_t)(out + n * out_c);
        scratch = (void *)((tail + 3u) & ~(uintptr_t)3u);
    }
    q = (mt_dsp_rq_t *)scratch;
    xb = (uint32_t *)(q + out_c);
    if (even > 0 && n > 0 && mt_pw_gemm_supported(in_c) &&
        (redo = mt_pw_qs_prepare((int32_t *)scratch, bias, rq, even, p->out_zp, in_c, w, in_c,
                                 p->act_min, p->act_max)) * 8 <= even) {
        mt_pw_gemm_t job;
        job.x = in;
        job.x_step = in_c;
        job.pairs = n / 2;
        job.out = out;
        job.out_step = out_c;
        job.w = w;
        job.qs = (const int32_t *)scratch;
        job.zz = zz;
        job.xb = xb;
        job.in_c = in_c;
        job.pair_adv = 2 * out_c - even;
        if (job.pairs > 0) mt_pw_gemm_run(&job);
        if (n % 2) { /* the last pixel alone, computed twice and stored twice */
            job.x = in + (n - 1) * in_c;
            job.x_step = 0;
            job.pairs = 1;
            job.out = out + (n - 1) * out_c;
            job.out_step = 0;
            mt_pw_gemm_run(&job);
        }
        mt_pw_clamp(out, n * out_c, p->act_min, p->act_max); /* (odd channel: clamped below) */
        for (i = 0; redo > 0 && i < even; i++) { /* the channels the assembly left */
            if (mt_pw_channel_redo(bias, rq, i, in_c, w, in_c)) {
                pixels_direct_channel(p, in, w, bias, rq, out, 0, n, i);
                redo--;
            }
        }
        if (even < out_c) pixels_direct_channel(p, in, w, bias, rq, out, 0, n, even);
        pixels_direct(p, in, w, bias, rq, out, n, n_all);
        return;
    }
    fast = mt_dsp_rq_prepare(q, rq, out_c, p->out_zp);
    for (i = 0; i < n; i += 2) {
        int32_t j = i + 1 < n ? i + 1 : i;
        mt_dsp_widen_pair(in + i * in_c, in + j * in_c, in_c, zz, p->in_zp, xb);
        mt_dsp_gemm_pair(xb, w, in_c, out_c, bias, q, fast, p->out_zp, p->act_min, p->act_max,
                         out + i * out_c, out + j * out_c);
    }
    pixels_direct(p, in, w, bias, rq, out, n, n_all);
}
