/* Optimized int8 fully connected layer for Cortex-M4/M7 DSP: five (then two, then one) output
 * rows per pass, SMLAD on inputs widened per group of 4 (SXTAB16 folds -in_zp in) against
 * SXTB16-unpacked weights. Bit for bit equal to mt_fully_connected_s8_ref; no scratch, never
 * allocates. */
#include "dsp_asm.h"
#include "dsp_util.h"

/* acc + sum (in[i] - in_zp) * w[i] for i in [i0, in_len). */
static int32_t dot_tail(const int8_t *in, const int8_t *w, int32_t i0, int32_t in_len,
                        int32_t in_zp, int32_t acc) {
    int32_t i;
    for (i = i0; i < in_len; i++) acc += ((int32_t)in[i] - in_zp) * (int32_t)w[i];
    return acc;
}

/* Requantized and clamped output o: the fast requantization of dsp_util.h with its constants
 * made on the spot (mt_dsp_rq_prepare for one channel), mt_requant for the other channels. */
static inline int8_t fc_out(int32_t acc, mt_requant_t rq, int32_t o, int32_t out_zp, int32_t lo,
                            int32_t hi) {
    int32_t mult = rq.mult[o], r = -rq.shift[o], v;
    if (mult > 0 && (uint32_t)(r - 1) < (uint32_t)MT_DSP_RQ_MAX_RIGHT) {
        uint32_t k_lo = 0x40000000u + ((uint32_t)(r == 1) << 31);
        int32_t k_hi = (int32_t)(((1u << r) >> 2) + ((uint32_t)out_zp << (r - 1)));
        v = mt_dsp_rq_fast(acc, mult, k_lo, k_hi, r - 1);
    } else {
        v = mt_requant(acc, mult, -r);
        if (v < -1024) v = -1024;
        if (v > 1024) v = 1024;
        v += out_zp;
    }
    return mt_dsp_clamp(v, lo, hi);
}

/* Rows r0 = w0, r1 = w0 + stride, r2 = w0 + 2 stride, r3 = w0 + 3 stride, r4 = w0 + 4 stride:
 * a[k] += the dot product of row k with the widened input over `groups` groups of 4 inputs
 * (fully_connected_s8_dsp_rows.S where the DSP instructions exist). */
static void rows5(const int8_t *x, const int8_t *w0, int32_t stride, int32_t groups,
                  uint32_t zz, int32_t *a) {
#if MT_DSP_ASM
    mt_fc_job_t job;
    job.x = x;
    job.w0 = w0;
    job.stride = stride;
    job.xmid = x + 4 * (groups & 7);
    job.xend = x + 4 * groups;
    job.zz = zz;
    job.a = a;
    mt_fully_connected_s8_dsp_rows5(&job);
#else
    int32_t g, k;
    for (g = 0; g < groups; g++) {
        uint32_t xv = mt_ld4(x + 4 * g);
        uint32_t xe = mt_sxtab16(zz, xv), xo = mt_sxtab16_odd(zz, xv);
        for (k = 0; k < 5; k++) {
            uint32_t v = mt_ld4(w0 + k * stride + 4 * g);
            a[k] = mt_smlad(xo, mt_sxtb16_odd(v), mt_smlad(xe, mt_sxtb16(v), a[k]));
        }
    }
#endif
}

static void rows2(const int8_t *x, const int8_t *w0, int32_t stride, int32_t groups,
                  uint32_t zz, int32_t *a) {
    int32_t g;
    for (g = 0; g < groups; g++) {
        uint32_t xv = mt_ld4(x + 4 * g);
        uint32_t xe = mt_sxtab16(zz, xv), xo = mt_sxtab16_odd(zz, xv);
        uint32_t v0 = mt_ld4(w0 + 4 * g), v1 = mt_ld4(w0 + stride + 4 * g);
        a[0] = mt_smlad(xo, mt_sxtb16_odd(v0), mt_smlad(xe, mt_sxtb16(v0), a[0]));
        a[1] = mt_smlad(xo, mt_sxtb16_odd(v1), mt_smlad(xe, mt_sxtb16(v1), a[1]));
    }
}

/* in [in_len] s8, w [out_len][in_len] s8, bias [out_len] s32, out [out_len] s8.
 * Five rows per pass (28 instructions per 20 MACs, assembly), then pairs. */
void mt_fully_connected_s8_dsp(int32_t in_len, int32_t out_len, const int8_t *in,
                               const int8_t *w, const int32_t *bias, int32_t in_zp,
                               int32_t out_zp, int8_t act_min, int8_t act_max, mt_requant_t rq,
                               int8_t *out) {
    uint32_t zz = mt_pack16(-in_zp, -in_zp);
    int32_t groups = in_len / 4, i4 = in_len & ~3, o = 0, k;
    int32_t a[5];
    for (; o + 4 < out_len; o += 5) {
        const int8_t *w0 = w + o * in_len;
        for (k = 0; k < 5; k++) a[k] = bias[o + k];
        rows5(in, w0, in_len, groups, zz, a);
        if (i4 < in_len) {
            for (k = 0; k < 5; k++) a[k] = dot_tail(in, w0 + k * in_len, i4, in_len, in_zp, a[k]);
        }
        for (k = 0; k < 5; k++) out[o + k] = fc_out(a[k], rq, o + k, out_zp, act_min, act_max);
    }
    for (; o < out_len; o += 2) {
        const int8_t *w0 = w + o * in_len;
        int32_t n = o + 1 < out_len ? 2 : 1;
        /* a lone last row is run as a pair with itself (stride 0), its second copy unused */
        a[0] = a[1] = bias[o];
        if (n == 2) a[1] = bias[o + 1];
        rows2(in, w0, n == 2 ? in_len : 0, groups, zz, a);
        for (k = 0; k < n; k++) {
            if (i4 < in_len) a[k] = dot_tail(in, w0 + k * in_len, i4, in_len, in_zp, a[k]);
            out[o + k] = fc_out(a[k], rq, o + k, out_zp, act_min, act_max);
        }
    }
}
