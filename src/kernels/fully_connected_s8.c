/* Reference int8 fully connected layer with per-output-channel requantization.
 * Plain loops; optimized variants must match it bit for bit. Never allocates. */
#include "kernel_util.h"

/* in [in_len] s8, w [out_len][in_len] s8, bias [out_len] s32, out [out_len] s8.
 * Loop order o, i: one dot product per output along a contiguous weight row.
 * acc = bias[o] + sum (x - in_zp) * w (docs/quantization.md, FULLY_CONNECTED). */
void mt_fully_connected_s8_ref(int32_t in_len, int32_t out_len, const int8_t *in,
                               const int8_t *w, const int32_t *bias, int32_t in_zp,
                               int32_t out_zp, int8_t act_min, int8_t act_max, mt_requant_t rq,
                               int8_t *out) {
    int32_t o, i;
    for (o = 0; o < out_len; o++) {
        const int8_t *f = w + o * in_len;
        int32_t acc = bias[o];
        for (i = 0; i < in_len; i++) {
            acc += ((int32_t)in[i] - in_zp) * (int32_t)f[i];
        }
        out[o] = mt_requant_clamp_s8(acc, rq.mult[o], rq.shift[o], out_zp, act_min, act_max);
    }
}
