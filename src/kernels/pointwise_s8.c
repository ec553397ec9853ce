/* Reference int8 pointwise (1x1, stride 1, unpadded) convolution: a matrix product per pixel.
 * Plain loops; optimized variants must match it bit for bit. Never allocates. */
#include "kernel_util.h"

/* in [n][in_c] s8 with n = in_h * in_w, w [out_c][in_c] s8, bias [out_c] s32,
 * out [n][out_c] s8. Loop order pixel, oc, ic: the innermost loop walks in_c, contiguous in
 * both the pixel and the filter row. acc = bias + sum (x - in_zp) * w. */
void mt_pointwise_s8_ref(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t n = (int32_t)p->in_h * p->in_w;
    int32_t i, oc, ic;
    (void)scratch;
    for (i = 0; i < n; i++) {
        const int8_t *x = in + i * p->in_c;
        int8_t *o = out + i * p->out_c;
        for (oc = 0; oc < p->out_c; oc++) {
            const int8_t *f = w + oc * p->in_c;
            int32_t acc = bias[oc];
            for (ic = 0; ic < p->in_c; ic++) {
                acc += ((int32_t)x[ic] - p->in_zp) * (int32_t)f[ic];
            }
            o[oc] = mt_requant_clamp_s8(acc, rq.mult[oc], rq.shift[oc], p->out_zp, p->act_min,
                                        p->act_max);
        }
    }
}

size_t mt_pointwise_s8_scratch_bytes_ref(const mt_conv_params_t *p) {
    (void)p;
    return 0; /* the reference kernel needs none */
}
