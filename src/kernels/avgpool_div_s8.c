/* Reference int8 global average pool with TFLite's rounding (GLOBAL_AVG_POOL_DIV): the sum
 * divided by the element count with rounding half away from zero, as TFLite's int8
 * AVERAGE_POOL_2D (mult = 0: raw values, equal quantization) and MEAN over H and W
 * (mult != 0: reference_integer_ops::Mean, requantize the zero-point-relative sum by
 * s_in / s_out, then divide) compute it. Never allocates. */
#include "microt/kernels.h"

/* in [h][w][c] s8, out [c] s8. Loop order c, pixel (no accumulator array).
 * acc = sum (x - in_zp); if mult != 0, acc = mt_requant(acc, mult, shift);
 * out = clamp((acc > 0 ? (acc + n/2) / n : (acc - n/2) / n) + out_zp) with C's truncating
 * division. The loader bounds acc inside int32 (docs/model-format.md). */
void mt_avgpool_div_s8(int32_t h, int32_t w, int32_t c, const int8_t *in, int32_t in_zp,
                       int32_t out_zp, int32_t mult, int32_t shift, int8_t act_min,
                       int8_t act_max, int8_t *out) {
    int32_t n = h * w;
    int32_t ch, i;
    for (ch = 0; ch < c; ch++) {
        int32_t acc = 0;
        for (i = 0; i < n; i++) acc += (int32_t)in[i * c + ch] - in_zp;
        if (mult != 0) acc = mt_requant(acc, mult, shift);
        acc = (acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n) + out_zp;
        if (acc < act_min) acc = act_min;
        if (acc > act_max) acc = act_max;
        out[ch] = (int8_t)acc;
    }
}
