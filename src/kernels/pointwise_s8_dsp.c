/* Optimized int8 pointwise (1x1) convolution for Cortex-M4/M7 DSP: an int8 GEMM tiled
 * 2 pixels x 2 output channels. Bit for bit equal to mt_pointwise_s8_ref (pointwise_s8.c);
 * never allocates (scratch from the caller), never reads outside its arguments. */
#include "dsp_util.h"

/* scratch: [out_c] mt_dsp_rq_t, then the two current pixels widened to int16 minus in_zp,
 * [in_c / 4][pixel 0 even, pixel 0 odd, pixel 1 even, pixel 1 odd] words, then the in_c % 4
 * leftover channels as int32 pairs [pixel 0, pixel 1]. */
size_t mt_pointwise_s8_scratch_bytes_dsp(const mt_conv_params_t *p) {
    return mt_dsp_rq_bytes(p->out_c) + (size_t)(p->in_c / 4) * 16u + (size_t)(p->in_c % 4) * 8u;
}

/* Widens pixels x0 and x1 (x1 may equal x0 for an odd last pixel) into xb. */
static void widen_pair(const int8_t *x0, const int8_t *x1, int32_t in_c, uint32_t zz,
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

/* One group of 4 input channels for the 2x2 tile: 2 LDRD (both pixels' widened values),
 * per output channel one LDR and two SXTB16 (row oc+1 at w + in_c, row oc at w, then w += 4),
 * 8 SMLAD. 16 instructions for 16 MACs. */
#define MT_PW_GROUP                                    \
    "ldrd %[x10], %[x11], [%[x], #8]\n\t"            \
    "ldrd %[x00], %[x01], [%[x]], #16\n\t"           \
    "ldr %[w0], [%[w], %[ic]]\n\t"                   \
    "sxtb16 %[w1], %[w0], ror #8\n\t"                \
    "sxtb16 %[w0], %[w0]\n\t"                        \
    "smlad %[a01], %[x00], %[w0], %[a01]\n\t"        \
    "smlad %[a01], %[x01], %[w1], %[a01]\n\t"        \
    "smlad %[a11], %[x10], %[w0], %[a11]\n\t"        \
    "smlad %[a11], %[x11], %[w1], %[a11]\n\t"        \
    "ldr %[w0], [%[w]], #4\n\t"                      \
    "sxtb16 %[w1], %[w0], ror #8\n\t"                \
    "sxtb16 %[w0], %[w0]\n\t"                        \
    "smlad %[a00], %[x00], %[w0], %[a00]\n\t"        \
    "smlad %[a00], %[x01], %[w1], %[a00]\n\t"        \
    "smlad %[a10], %[x10], %[w0], %[a10]\n\t"        \
    "smlad %[a10], %[x11], %[w1], %[a10]\n\t"

#if MT_DSP_ASM
/* Output channels oc, oc+1 (rows w, w + in_c) of both widened pixels, in_c % 4 == 0, every
 * channel fast: the MAC loop two groups per pass, then requantization and SIMD clamping. */
static void row_fast(const uint32_t *xb, const int8_t *w, int32_t in_c, int32_t out_c,
                     const int32_t *bias, const mt_dsp_rq_t *q, uint32_t lo4, uint32_t hi4,
                     int8_t *o0, int8_t *o1) {
    const uint32_t *xend = xb + in_c; /* 4 words per group of 4 channels */
    int32_t oc, odd = (in_c / 4) & 1;
    for (oc = 0; oc + 1 < out_c; oc += 2) {
        int32_t a00 = bias[oc], a01 = bias[oc + 1], a10 = a00, a11 = a01;
        const uint32_t *x = xb;
        uint32_t x00, x01, x10, x11, w0, w1;
        if (odd) {
            __asm__(MT_PW_GROUP
                    : [x] "+r"(x), [w] "+r"(w), [a00] "+r"(a00), [a01] "+r"(a01),
                      [a10] "+r"(a10), [a11] "+r"(a11), [x00] "=&r"(x00), [x01] "=&r"(x01),
                      [x10] "=&r"(x10), [x11] "=&r"(x11), [w0] "=&r"(w0), [w1] "=&r"(w1)
                    : [ic] "r"(in_c));
        }
        if (x != xend) {
            __asm__("1:\n\t" MT_PW_GROUP MT_PW_GROUP
                    "ldr %[w1], %[xend]\n\t"
                    "cmp %[x], %[w1]\n\t"
                    "bne 1b"
                    : [x] "+r"(x), [w] "+r"(w), [a00] "+r"(a00), [a01] "+r"(a01),
                      [a10] "+r"(a10), [a11] "+r"(a11), [x00] "=&r"(x00), [x01] "=&r"(x01),
                      [x10] "=&r"(x10), [x11] "=&r"(x11), [w0] "=&r"(w0), [w1] "=&r"(w1)
                    : [ic] "r"(in_c), [xend] "m"(xend)
                    : "cc");
        }
        w += in_c; /* past row oc + 1 */
        a00 = mt_dsp_rq_fast(a00, q[oc].mult, q[oc].k_lo, q[oc].k_hi, q[oc].rsh);
        a10 = mt_dsp_rq_fast(a10, q[oc].mult, q[oc].k_lo, q[oc].k_hi, q[oc].rsh);
        a01 = mt_dsp_rq_fast(a01, q[oc + 1].mult, q[oc + 1].k_lo, q[oc + 1].k_hi, q[oc + 1].rsh);
        a11 = mt_dsp_rq_fast(a11, q[oc + 1].mult, q[oc + 1].k_lo, q[oc + 1].k_hi, q[oc + 1].rsh);
        mt_dsp_store2(a00, a01, lo4, hi4, o0 + oc);
        mt_dsp_store2(a10, a11, lo4, hi4, o1 + oc);
    }
}
#endif

/* All output channels of pixels i and i+1 (o1 == o0 when the last pixel stands alone: the
 * second copy is computed on the same input and overwrites the first with equal bytes). */
static void pixel_pair(const mt_conv_params_t *p, const uint32_t *xb, const int8_t *w,
                       const int32_t *bias, const mt_dsp_rq_t *q, int8_t *o0, int8_t *o1,
                       int fast) {
    int32_t oc, in_c = p->in_c, out_c = p->out_c, zp = p->out_zp;
    int32_t lo = p->act_min, hi = p->act_max;
#if MT_DSP_ASM
    if (fast && in_c % 4 == 0) {
        row_fast(xb, w, in_c, out_c, bias, q, mt_dup4(lo), mt_dup4(hi), o0, o1);
        oc = out_c & ~1;
    } else
#endif
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

/* in [n][in_c] s8, w [out_c][in_c] s8, bias [out_c] s32, out [n][out_c] s8, as the reference.
 * Loop order: pixel pair, output channel pair, input channels in fours. Each pixel pair is
 * widened once (SXTAB16 folds -in_zp in), so the inner loop spends per 16 MACs 2 weight
 * loads, 4 weight unpacks, 4 activation loads and 8 SMLADs. */
void mt_pointwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t n = (int32_t)p->in_h * p->in_w;
    int32_t in_c = p->in_c, out_c = p->out_c, i;
    mt_dsp_rq_t *q = (mt_dsp_rq_t *)scratch;
    uint32_t *xb = (uint32_t *)(q + out_c);
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    int fast = mt_dsp_rq_prepare(q, rq, out_c, p->out_zp);
    for (i = 0; i < n; i += 2) {
        int32_t j = i + 1 < n ? i + 1 : i;
        widen_pair(in + i * in_c, in + j * in_c, in_c, zz, p->in_zp, xb);
        pixel_pair(p, xb, w, bias, q, out + i * out_c, out + j * out_c, fast);
    }
}
