/* Optimized int8 depthwise convolution (channel multiplier 1) for Cortex-M4/M7 DSP: four
 * channels per pass with SMLABB/SMLATT, the window unrolled for 3x3 and 5x5. Bit for bit
 * equal to mt_depthwise_s8_ref; never allocates, never reads outside the input. */
#include "dsp_util.h"

/* scratch: [c] mt_dsp_rq_t, the requantization constants prepared once per call. */
size_t mt_depthwise_s8_scratch_bytes_dsp(const mt_conv_params_t *p) {
    return mt_dsp_rq_bytes(p->in_c);
}

/* One output pixel, channels [c0, c_n), any window position: the reference's loops (padding
 * skipped) with the prepared requantization. Used at the borders and for the c % 4 tail. */
static void pixel_generic(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, const mt_dsp_rq_t *q, int32_t oy, int32_t ox,
                          int32_t c0, int8_t *o) {
    int32_t c_n = p->in_c, c, ky, kx;
    for (c = c0; c < c_n; c++) {
        int32_t acc = bias[c];
        for (ky = 0; ky < p->kh; ky++) {
            int32_t iy = oy * p->stride_h - p->pad_top + ky;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < p->kw; kx++) {
                int32_t ix = ox * p->stride_w - p->pad_left + kx;
                if (ix < 0 || ix >= p->in_w) continue;
                acc += ((int32_t)in[(iy * p->in_w + ix) * c_n + c] - p->in_zp) *
                       (int32_t)w[(ky * p->kw + kx) * c_n + c];
            }
        }
        o[c] = mt_dsp_clamp(mt_dsp_rq(acc, &q[c], p->out_zp), p->act_min, p->act_max);
    }
}

/* One interior output pixel (the whole window inside the input), channels in fours.
 * x points at the window's top-left input pixel. kh, kw are constants at the call sites that
 * matter (3x3, 5x5), so the window unrolls. Per tap and 4 channels: 2 LDR, 4 unpacks,
 * 4 multiply-accumulates. */
static inline void pixel_interior(const mt_conv_params_t *p, const int8_t *x, const int8_t *w,
                                  const int32_t *bias, const mt_dsp_rq_t *q, uint32_t zz,
                                  uint32_t lo4, uint32_t hi4, int8_t *o, int32_t kh, int32_t kw,
                                  int fast) {
    int32_t c_n = p->in_c, row = (int32_t)p->in_w * c_n, c, ky, kx;
    for (c = 0; c + 3 < c_n; c += 4) {
        int32_t a0 = bias[c], a1 = bias[c + 1], a2 = bias[c + 2], a3 = bias[c + 3];
        const int8_t *xr = x + c, *wr = w + c;
        for (ky = 0; ky < kh; ky++) {
            for (kx = 0; kx < kw; kx++) {
                uint32_t xv = mt_ld4(xr + kx * c_n), wv = mt_ld4(wr + kx * c_n);
                uint32_t xe = mt_sxtab16(zz, xv), xo = mt_sxtab16_odd(zz, xv);
                uint32_t we = mt_sxtb16(wv), wo = mt_sxtb16_odd(wv);
                a0 = mt_smlabb(xe, we, a0);
                a2 = mt_smlatt(xe, we, a2);
                a1 = mt_smlabb(xo, wo, a1);
                a3 = mt_smlatt(xo, wo, a3);
            }
            xr += row;
            wr += kw * c_n;
        }
        if (fast) {
            a0 = mt_dsp_rq_fast(a0, q[c].mult, q[c].k_lo, q[c].k_hi, q[c].rsh);
            a1 = mt_dsp_rq_fast(a1, q[c + 1].mult, q[c + 1].k_lo, q[c + 1].k_hi, q[c + 1].rsh);
            a2 = mt_dsp_rq_fast(a2, q[c + 2].mult, q[c + 2].k_lo, q[c + 2].k_hi, q[c + 2].rsh);
            a3 = mt_dsp_rq_fast(a3, q[c + 3].mult, q[c + 3].k_lo, q[c + 3].k_hi, q[c + 3].rsh);
        } else {
            a0 = mt_dsp_rq(a0, &q[c], p->out_zp);
            a1 = mt_dsp_rq(a1, &q[c + 1], p->out_zp);
            a2 = mt_dsp_rq(a2, &q[c + 2], p->out_zp);
            a3 = mt_dsp_rq(a3, &q[c + 3], p->out_zp);
        }
        mt_dsp_store2(a0, a1, lo4, hi4, o + c);
        mt_dsp_store2(a2, a3, lo4, hi4, o + c + 2);
    }
}

/* in [in_h][in_w][c] s8, w [kh][kw][c] s8, bias [c] s32, out [out_h][out_w][c] s8.
 * Output pixels whose window lies inside the input take the SIMD path; border pixels and the
 * last c % 4 channels take pixel_generic. */
void mt_depthwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t c_n = p->in_c, oy, ox;
    mt_dsp_rq_t *q = (mt_dsp_rq_t *)scratch;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    uint32_t lo4 = mt_dup4(p->act_min), hi4 = mt_dup4(p->act_max);
    int fast = mt_dsp_rq_prepare(q, rq, c_n, p->out_zp);
    int32_t sh = p->stride_h, sw = p->stride_w;
    /* interior: oy*sh - pad_top >= 0 and oy*sh - pad_top + kh <= in_h (same for x) */
    int32_t oy_lo = (p->pad_top + sh - 1) / sh, ox_lo = (p->pad_left + sw - 1) / sw;
    int32_t oy_hi = p->in_h + p->pad_top >= p->kh ? (p->in_h + p->pad_top - p->kh) / sh + 1 : 0;
    int32_t ox_hi = p->in_w + p->pad_left >= p->kw ? (p->in_w + p->pad_left - p->kw) / sw + 1 : 0;
    int32_t c4 = c_n & ~3;
    if (oy_hi > p->out_h) oy_hi = p->out_h;
    if (ox_hi > p->out_w) ox_hi = p->out_w;
    for (oy = 0; oy < p->out_h; oy++) {
        int8_t *o = out + (int32_t)oy * p->out_w * c_n;
        int inner_y = oy >= oy_lo && oy < oy_hi;
        for (ox = 0; ox < p->out_w; ox++, o += c_n) {
            if (inner_y && ox >= ox_lo && ox < ox_hi) {
                const int8_t *x =
                    in + ((oy * sh - p->pad_top) * p->in_w + (ox * sw - p->pad_left)) * c_n;
                if (p->kh == 3 && p->kw == 3 && fast) {
                    pixel_interior(p, x, w, bias, q, zz, lo4, hi4, o, 3, 3, 1);
                } else if (p->kh == 5 && p->kw == 5 && fast) {
                    pixel_interior(p, x, w, bias, q, zz, lo4, hi4, o, 5, 5, 1);
                } else {
                    pixel_interior(p, x, w, bias, q, zz, lo4, hi4, o, p->kh, p->kw, 0);
                }
                if (c4 < c_n) pixel_generic(p, in, w, bias, q, oy, ox, c4, o);
            } else {
                pixel_generic(p, in, w, bias, q, oy, ox, 0, o);
            }
        }
    }
}
