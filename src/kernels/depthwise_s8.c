/* Reference int8 depthwise convolution, channel multiplier 1, any kernel/stride/padding.
 * Plain loops; optimized variants must match it bit for bit. Never allocates, never reads
 * outside the input (padding is skipped). */
#include "kernel_util.h"

/* in [in_h][in_w][c] s8, w [kh][kw][c] s8, bias [c] s32, out [out_h][out_w][c] s8.
 * Loop order oy, ox, c, ky, kx: each output is one channel's dot product over the window.
 * Taps outside the input are padding (in_zp) and contribute 0, so they are skipped.
 * acc = bias[c] + sum (x - in_zp) * w (docs/quantization.md, DEPTHWISE_CONV2D). */
void mt_depthwise_s8_ref(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t c_n = p->in_c; /* == out_c */
    int32_t oy, ox, c, ky, kx;
    (void)scratch;
    for (oy = 0; oy < p->out_h; oy++) {
        for (ox = 0; ox < p->out_w; ox++) {
            int8_t *o = out + ((int32_t)oy * p->out_w + ox) * c_n;
            for (c = 0; c < c_n; c++) {
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
                o[c] = mt_requant_clamp_s8(acc, rq.mult[c], rq.shift[c], p->out_zp, p->act_min,
                                           p->act_max);
            }
        }
    }
}

size_t mt_depthwise_s8_scratch_bytes_ref(const mt_conv_params_t *p) {
    (void)p;
    return 0; /* the reference kernel needs none */
}
