/* Reference int8 element-wise add with TFLite's rescaling (docs/quantization.md, ADD).
 * Safe in place (out == in0 or out == in1): each element is read before it is written.
 * Never allocates and needs no scratch (p->scratch is ignored). */
#include "kernel_util.h"

size_t mt_add_s8_scratch_bytes_ref(const mt_add_params_t *p, int32_t len) {
    (void)p;
    (void)len;
    return 0;
}

/* in0 [len] s8, in1 [len] s8, out [len] s8 (may alias in0 or in1 exactly).
 * Both inputs are lifted by 2^left_shift so the rescale to the common scale 2*max(s0, s1)
 * keeps ~20 fractional bits, then the sum is requantized to the output scale. */
void mt_add_s8_ref(const mt_add_params_t *p, int32_t len, const int8_t *in0, const int8_t *in1,
                   int8_t *out) {
    int32_t lift = (int32_t)1 << p->left_shift;
    int32_t i;
    for (i = 0; i < len; i++) {
        int32_t a = mt_requant(((int32_t)in0[i] - p->in0_zp) * lift, p->in0_mult, p->in0_shift);
        int32_t b = mt_requant(((int32_t)in1[i] - p->in1_zp) * lift, p->in1_mult, p->in1_shift);
        out[i] = mt_requant_clamp_s8(a + b, p->out_mult, p->out_shift, p->out_zp, p->act_min,
                                     p->act_max);
    }
}
