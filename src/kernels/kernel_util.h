/* Private helpers shared by the reference int8 kernels (not a public header).
 * Pure integer arithmetic of docs/quantization.md; no state, no allocation. */
#ifndef MT_KERNEL_UTIL_H
#define MT_KERNEL_UTIL_H

#include <stdint.h>

#include "microt/kernels.h"

/* int32 accumulator -> int8 output: clamp(mt_requant(acc) + out_zp) to [act_min, act_max].
 * The clamp is applied to the requantized value before the zero point is added, so a
 * saturated requant result (up to INT32_MAX) cannot overflow int32; both orders give the
 * same integer whenever the sum fits. */
static inline int8_t mt_requant_clamp_s8(int32_t acc, int32_t mult, int32_t shift,
                                         int32_t out_zp, int32_t act_min, int32_t act_max) {
    int32_t v = mt_requant(acc, mult, shift);
    int32_t lo = act_min - out_zp;
    int32_t hi = act_max - out_zp;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return (int8_t)(v + out_zp);
}

#endif
