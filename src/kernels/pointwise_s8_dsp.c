/* Optimized int8 pointwise (1x1) convolution for Cortex-M4/M7 DSP: an int8 GEMM tiled
 * 2 pixels x 2 output channels, the whole layer in one assembly call where every channel
 * suits it (pointwise_s8_dsp_gemm.c), else the pair-by-pair code below. Bit for bit equal to
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
#if MT_DSP_ASM
static void widen_pair_asm(const int8_t *x0, const int8_t *x1, int32_t in_c, uint32_t zz,
                           uint32_t *xb);
#endif

void mt_dsp_widen_pair(const int8_t *x0, const int8_t *x1, int32_t in_c, uint32_t zz,
                       int32_t in_zp, uint32_t *xb) {
    int32_t g, groups = in_c / 4, tail = in_c % 4;
#if MT_DSP_ASM
    if (tail == 0 && groups > 0) {
        widen_pair_asm(x0, x1, in_c, zz, xb);
        return;
    }
#endif
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

#if MT_DSP_ASM
/* The whole output-channel loop of one widened pixel pair in assembly (in_c % 4 == 0, every
 * channel fast, out_c even part): per channel pair the MAC loop above (four groups per pass
 * when in_c / 4 is even, else two; entered in the middle when in_c / 4 leaves half a pass), then requantization (5 instructions per output,
 * constants by LDM), SSAT of the four outputs, one SSUB8/SEL clamp of all four, two STRH.
 * The job doubles as the stack frame; its field order is the assembly's (offsets below). */

/* One group of 4 input channels for the 2x2 tile, registers r0..r3 = acc[pixel][channel]
 * (a00 a01 a10 a11), r10 the widened pair, r11 row oc, r12 in_c: one LDM of both pixels'
 * widened values (5 cycles on the M4 against 6 for two LDRD), per output channel one LDR and
 * two SXTB16, 8 SMLAD. 15 instructions for 16 MACs. */
#define MT_PW_ASM_GROUP                                \
    "    ldm r10!, {r4-r7}\n"                          \
    "    ldr r8, [r11, r12]\n"                         \
    "    sxtb16 r9, r8, ror #8\n"                      \
    "    sxtb16 r8, r8\n"                              \
    "    smlad r1, r4, r8, r1\n"                       \
    "    smlad r1, r5, r9, r1\n"                       \
    "    smlad r3, r6, r8, r3\n"                       \
    "    smlad r3, r7, r9, r3\n"                       \
    "    ldr r8, [r11], #4\n"                          \
    "    sxtb16 r9, r8, ror #8\n"                      \
    "    sxtb16 r8, r8\n"                              \
    "    smlad r0, r4, r8, r0\n"                       \
    "    smlad r0, r5, r9, r0\n"                       \
    "    smlad r2, r6, r8, r2\n"                       \
    "    smlad r2, r7, r9, r2\n"
/* MAC loop passes: 4 groups (in_c / 4 even; the loop test costs 4 M4 cycles a pass) or 2. */
#define MT_PW_ASM_BODY4 MT_PW_ASM_GROUP MT_PW_ASM_GROUP "3:\n" MT_PW_ASM_GROUP MT_PW_ASM_GROUP
#define MT_PW_ASM_BODY2 MT_PW_ASM_GROUP "3:\n" MT_PW_ASM_GROUP
/* acc -> the fast requantization (dsp_util.h) with r4..r7 = mult, k_lo, k_hi, rsh. */
#define MT_PW_ASM_RQ(acc)                              \
    "    asr r9, " acc ", #31\n"                       \
    "    adds r8, r5, r9, lsl #31\n"                   \
    "    adc r9, r6, r9\n"                             \
    "    smlal r8, r9, " acc ", r4\n"                  \
    "    asr " acc ", r9, r7\n"
/* The channel-pair loop around the MAC loop BODY (2 or 4 groups a pass, label 3 in its
 * middle); ENTER jumps there when in_c / 4 leaves half a pass. */
#define MT_PW_ASM_OC_LOOP(ENTER, BODY)                 \
    "1:\n"                                             \
    "    ldr r8, [sp, #32]\n"                          \
    "    ldrd r0, r1, [r8], #8\n"                      \
    "    str r8, [sp, #32]\n"                          \
    "    mov r2, r0\n"                                 \
    "    mov r3, r1\n"                                 \
    "    ldm sp, {r10, r12, lr}\n"                     \
    ENTER                                              \
    "2:\n"                                             \
    BODY                                               \
    "    cmp r10, lr\n"                                \
    "    bne 2b\n"                                     \
    "    add r11, r11, r12\n"                          \
    "    ldr r10, [sp, #12]\n"                         \
    "    ldm r10!, {r4-r7}\n"                          \
    MT_PW_ASM_RQ("r0")                                 \
    MT_PW_ASM_RQ("r2")                                 \
    "    ldm r10!, {r4-r7}\n"                          \
    MT_PW_ASM_RQ("r1")                                 \
    MT_PW_ASM_RQ("r3")                                 \
    "    str r10, [sp, #12]\n"                         \
    "    ssat r0, #8, r0\n"                            \
    "    ssat r1, #8, r1\n"                            \
    "    ssat r2, #8, r2\n"                            \
    "    ssat r3, #8, r3\n"                            \
    "    bfi r0, r1, #8, #8\n"                         \
    "    bfi r0, r2, #16, #8\n"                        \
    "    bfi r0, r3, #24, #8\n"                        \
    "    ldrd r4, r5, [sp, #24]\n"                     \
    "    ssub8 r6, r0, r4\n"                           \
    "    sel r0, r0, r4\n"                             \
    "    ssub8 r6, r5, r0\n"                           \
    "    sel r0, r0, r5\n"                             \
    "    ldrd r6, r7, [sp, #16]\n"                     \
    "    lsr r1, r0, #16\n"                            \
    "    strh r1, [r6, r7]\n"                          \
    "    strh r0, [r6], #2\n"                          \
    "    str r6, [sp, #16]\n"                          \
    "    ldr r8, [sp, #36]\n"                          \
    "    cmp r11, r8\n"                                \
    "    bne 1b\n"

/* The job is copied into the stack frame (fields 0..40); w goes to r11. Registers in the MAC
 * loop: r0..r3 accumulators, r4..r7 widened pixels, r8/r9 unpacked weights, r10 widened
 * pointer, r11 weights, r12 in_c, lr end of the widened pair. */
__asm__(
    "    .text\n"
    "    .syntax unified\n"
    "    .thumb\n"
    "    .align 2\n"
    "    .global mt_pointwise_s8_dsp_pairs\n"
    "    .type mt_pointwise_s8_dsp_pairs, %function\n"
    "    .thumb_func\n"
    "mt_pointwise_s8_dsp_pairs:\n"
    "    push {r4-r11, lr}\n"
    "    sub sp, sp, #48\n"
    "    ldm r0, {r1-r12}\n"
    "    stm sp, {r1-r11}\n"
    "    mov r11, r12\n"             /* w */
    "    ldr r4, [sp, #40]\n"
    "    cmp r4, #1\n"
    "    beq .Lmt_pw_odd\n"
    "    cmp r4, #2\n"
    "    beq .Lmt_pw_half\n"
    "    bhi .Lmt_pw_two\n"
    MT_PW_ASM_OC_LOOP("", MT_PW_ASM_BODY4)
    "    b .Lmt_pw_done\n"
    ".Lmt_pw_two:\n"
    MT_PW_ASM_OC_LOOP("", MT_PW_ASM_BODY2)
    "    b .Lmt_pw_done\n"
    ".Lmt_pw_half:\n"
    MT_PW_ASM_OC_LOOP("    b 3f\n", MT_PW_ASM_BODY4)
    "    b .Lmt_pw_done\n"
    ".Lmt_pw_odd:\n"
    MT_PW_ASM_OC_LOOP("    b 3f\n", MT_PW_ASM_BODY2)
    ".Lmt_pw_done:\n"
    "    add sp, sp, #48\n"
    "    pop {r4-r11, pc}\n"
    "    .size mt_pointwise_s8_dsp_pairs, .-mt_pointwise_s8_dsp_pairs\n");

/* The assembly's MAC loop entry: 0 four groups a pass from the top, 2 the same entered in
 * the middle (in_c / 4 = 2 mod 4), 1 two groups a pass entered in the middle (odd), 3 two
 * groups from the top (in_c = 8: one pass, no entry branch). */
static int32_t mt_pw_entry(int32_t in_c) {
    int32_t g = in_c / 4;
    return g == 2 ? 3 : (g & 1) ? 1 : (g & 2) ? 2 : 0;
}

/* Widens pixels x0 and x1 (in_c % 4 == 0) into xb: per group 2 LDR, 4 SXTAB16, 2 STRD. */
static void widen_pair_asm(const int8_t *x0, const int8_t *x1, int32_t in_c, uint32_t zz,
                           uint32_t *xb) {
    uint32_t *end = xb + in_c;
    uint32_t a, b, e0, o0, e1, o1;
    __asm__ volatile("1:\n\t"
                     "ldr %[a], [%[x0]], #4\n\t"
                     "ldr %[b], [%[x1]], #4\n\t"
                     "sxtab16 %[e0], %[zz], %[a]\n\t"
                     "sxtab16 %[o0], %[zz], %[a], ror #8\n\t"
                     "sxtab16 %[e1], %[zz], %[b]\n\t"
                     "sxtab16 %[o1], %[zz], %[b], ror #8\n\t"
                     "strd %[e1], %[o1], [%[xb], #8]\n\t"
                     "strd %[e0], %[o0], [%[xb]], #16\n\t"
                     "cmp %[xb], %[end]\n\t"
                     "bne 1b"
                     : [x0] "+r"(x0), [x1] "+r"(x1), [xb] "+r"(xb), [a] "=&r"(a), [b] "=&r"(b),
                       [e0] "=&r"(e0), [o0] "=&r"(o0), [e1] "=&r"(e1), [o1] "=&r"(o1)
                     : [zz] "r"(zz), [end] "r"(end)
                     : "cc", "memory");
}

/* The whole layer when every channel is fast and in_c % 4 == 0: pixel pairs widened, then the
 * assembly channel-pair loop, the odd last channel in C. */
static void pointwise_fast4(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                            const int32_t *bias, const mt_dsp_rq_t *q, uint32_t *xb,
                            int8_t *out, int32_t n) {
    int32_t in_c = p->in_c, out_c = p->out_c, oc = out_c & ~1;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    int32_t i;
    mt_pw_job_t job;
    job.xb = xb;
    job.in_c = in_c;
    job.xend = xb + in_c;
    job.q = q;
    job.lo4 = mt_dup4(p->act_min);
    job.hi4 = mt_dup4(p->act_max);
    job.bias = bias;
    job.wend = w + oc * in_c;
    job.odd = mt_pw_entry(in_c);
    job.w = w;
    for (i = 0; i < n; i += 2) {
        int32_t j = i + 1 < n ? i + 1 : i;
        int8_t *o0 = out + i * out_c, *o1 = out + j * out_c;
        widen_pair_asm(in + i * in_c, in + j * in_c, in_c, zz, xb);
        if (oc > 0) {
            job.o0 = o0;
            job.o1_minus_o0 = (int32_t)(o1 - o0);
            mt_pointwise_s8_dsp_pairs(&job);
        }
        if (oc < out_c) {
            tile_2x1(xb, w + oc * in_c, in_c, bias[oc], q + oc, p->out_zp, p->act_min,
                     p->act_max, o0 + oc, o1 + oc);
        }
    }
}
#endif

/* All output channels of the widened pixel pair xb (declared in dsp_util.h; the stem conv
 * uses it too). o1 == o0 when the last pixel stands alone: the second copy is computed on the
 * same input and overwrites the first with equal bytes. */
void mt_dsp_gemm_pair(const uint32_t *xb, const int8_t *w, int32_t in_c, int32_t out_c,
                      const int32_t *bias, const mt_dsp_rq_t *q, int fast, int32_t zp,
                      int32_t lo, int32_t hi, int8_t *o0, int8_t *o1) {
    int32_t oc = 0;
#if MT_DSP_ASM
    if (fast && in_c % 4 == 0 && out_c >= 2) {
        mt_pw_job_t job;
        oc = out_c & ~1;
        job.xb = xb;
        job.in_c = in_c;
        job.xend = xb + in_c;
        job.q = q;
        job.o0 = o0;
        job.o1_minus_o0 = (int32_t)(o1 - o0);
        job.lo4 = mt_dup4(lo);
        job.hi4 = mt_dup4(hi);
        job.bias = bias;
        job.wend = w + oc * in_c;
        job.odd = mt_pw_entry(in_c);
        job.w = w;
        mt_pointwise_s8_dsp_pairs(&job);
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

/* Pixels [i_begin, n) without scratch: per output channel the requantization prepared on
 * the spot (once, channel-major loop order), the dot product by SXTAB16/SXTB16 and SMLAD
 * straight from the int8 bytes. */
static void pixels_direct(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, int32_t i_begin,
                          int32_t n) {
    int32_t in_c = p->in_c, out_c = p->out_c, i, oc, k;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    if (i_begin >= n) return;
    for (oc = 0; oc < out_c; oc++) {
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
}

/* in [n][in_c] s8, w [out_c][in_c] s8, bias [out_c] s32, out [n][out_c] s8, as the reference.
 * Loop order: pixel pair, output channel pair, input channels in fours. Each pixel pair is
 * widened once (SXTAB16 folds -in_zp in), so the inner loop spends per 16 MACs 2 weight
 * loads, 4 weight unpacks, 4 activation loads and 8 SMLADs. */
void mt_pointwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t n_all = (int32_t)p->in_h * p->in_w, n = tail_split(p);
    int32_t in_c = p->in_c, out_c = p->out_c, i;
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
#if MT_DSP_ASM
    /* the whole-layer GEMM (pointwise_s8_dsp_gemm.c): its stream takes q's place, the
     * widened pair (in_c >= 32) xb's */
    if (out_c % 2 == 0 && n > 0 && mt_pw_gemm_supported(in_c) &&
        mt_pw_qs_prepare((int32_t *)scratch, bias, rq, out_c, p->out_zp)) {
        mt_pw_gemm_t job;
        job.x = in;
        job.x_step = in_c;
        job.pairs = n / 2;
        job.out = out;
        job.out_step = out_c;
        job.w = w;
        job.qs = (const int32_t *)scratch;
        job.zz = zz;
        job.lo4 = mt_dup4(p->act_min);
        job.hi4 = mt_dup4(p->act_max);
        job.xb = xb;
        job.in_c = in_c;
        if (job.pairs > 0) mt_pw_gemm_run(&job);
        if (n % 2) { /* the last pixel alone, computed twice and stored twice */
            job.x = in + (n - 1) * in_c;
            job.x_step = 0;
            job.pairs = 1;
            job.out = out + (n - 1) * out_c;
            job.out_step = 0;
            mt_pw_gemm_run(&job);
        }
        mt_pw_clamp(out, n * out_c, p->act_min, p->act_max);
        pixels_direct(p, in, w, bias, rq, out, n, n_all);
        return;
    }
#endif
    fast = mt_dsp_rq_prepare(q, rq, out_c, p->out_zp);
#if MT_DSP_ASM
    if (fast && in_c % 4 == 0) {
        pointwise_fast4(p, in, w, bias, q, xb, out, n);
        pixels_direct(p, in, w, bias, rq, out, n, n_all);
        return;
    }
#endif
    for (i = 0; i < n; i += 2) {
        int32_t j = i + 1 < n ? i + 1 : i;
        mt_dsp_widen_pair(in + i * in_c, in + j * in_c, in_c, zz, p->in_zp, xb);
        mt_dsp_gemm_pair(xb, w, in_c, out_c, bias, q, fast, p->out_zp, p->act_min, p->act_max,
                         out + i * out_c, out + j * out_c);
    }
    pixels_direct(p, in, w, bias, rq, out, n, n_all);
}
