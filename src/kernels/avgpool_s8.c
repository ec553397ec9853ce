/* Reference int8 global average pool: [h][w][c] -> [c]. The 1/(h*w) of the mean is folded
 * into the requant multiplier, so no division runs on the device. Never allocates. */
#include "kernel_util.h"

/* in [h][w][c] s8, out [c] s8. Loop order c, pixel: one strided sum per channel, which needs
 * no accumulator array. acc = sum (x - in_zp); M = s_in / (s_out * h * w). */
void mt_avgpool_s8(int32_t h, int32_t w, int32_t c, const int8_t *in, int32_t in_zp,
                   int32_t out_zp, int32_t mult, int32_t shift, int8_t act_min, int8_t act_max,
                   int8_t *out) {
    int32_t n = h * w;
    int32_t ch, i;
    for (ch = 0; ch < c; ch++) {
        int32_t acc = 0;
        for (i = 0; i < n; i++) {
            acc += (int32_t)in[i * c + ch] - in_zp;
        }
        out[ch] = mt_requant_clamp_s8(acc, mult, shift, out_zp, act_min, act_max);
    }
}
