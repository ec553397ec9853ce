/* Reference generic int8 convolution (the stem): any kernel size, stride and padding.
 * Plain loops for clarity; optimized variants live in their own files and must match this
 * bit for bit. Never allocates, never reads outside the input (padding is skipped). */
#include "kernel_util.h"

/* in [in_h][in_w][in_c] s8, w [out_c][kh][kw][in_c] s8, bias [out_c] s32,
 * out [out_h][out_w][out_c] s8.
 * Loop order oy, ox, oc, ky, kx, ic: the innermost loop walks in_c, contiguous in both the
 * input pixel and the filter row. Taps outside the input are padding and hold in_zp, so they
 * contribute (in_zp - in_zp) * w = 0 and are simply skipped; bottom/right padding is whatever
 * out_h/out_w imply. acc = bias + sum (x - in_zp) * w (docs/quantization.md, CONV2D). */
void mt_conv_s8_ref(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                    const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t oy, ox, oc, ky, kx, ic;
    (void)scratch;
    for (oy = 0; oy < p->out_h; oy++) {
        for (ox = 0; ox < p->out_w; ox++) {
            int8_t *o = out + ((int32_t)oy * p->out_w + ox) * p->out_c;
            for (oc = 0; oc < p->out_c; oc++) {
                int32_t acc = bias[oc];
                for (ky = 0; ky < p->kh; ky++) {
                    int32_t iy = oy * p->stride_h - p->pad_top + ky;
                    if (iy < 0 || iy >= p->in_h) continue;
                    for (kx = 0; kx < p->kw; kx++) {
                        int32_t ix = ox * p->stride_w - p->pad_left + kx;
                        const int8_t *x;
                        const int8_t *f;
                        if (ix < 0 || ix >= p->in_w) continue;
                        x = in + (iy * p->in_w + ix) * p->in_c;
                        f = w + ((oc * p->kh + ky) * p->kw + kx) * p->in_c;
                        for (ic = 0; ic < p->in_c; ic++) {
                            acc += ((int32_t)x[ic] - p->in_zp) * (int32_t)f[ic];
                        }
                    }
                }
                o[oc] = mt_requant_clamp_s8(acc, rq.mult[oc], rq.shift[oc], p->out_zp,
                                            p->act_min, p->act_max);
            }
        }
    }
}

size_t mt_conv_s8_scratch_bytes_ref(const mt_conv_params_t *p) {
    (void)p;
    return 0; /* the reference kernel needs none */
}
