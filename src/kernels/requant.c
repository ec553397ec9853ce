/* mt_requant: TFLite's MultiplyByQuantizedMultiplier, bit for bit as docs/quantization.md
 * spells it (the factory's numpy model must give the same integers). Never allocates. */
#include "microt/kernels.h"

/* SaturatingRoundingDoublingHighMul (gemmlowp): round(a * b / 2^31) with the nudge rule of
 * the spec; the division truncates toward zero, so negative ties round toward zero here and
 * the rounding that matters for the final result is the one in the divide below. */
static int32_t srdhm(int32_t a, int32_t b) {
    int64_t p;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX; /* the only overflowing product */
    p = (int64_t)a * (int64_t)b;
    nudge = p >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((p + nudge) / ((int64_t)1 << 31));
}

/* RoundingDivideByPOT: x / 2^exponent rounded half away from zero, exponent in [0, 31].
 * Relies on >> of a negative int32 being an arithmetic shift (gcc, clang, armcc all do). */
static int32_t rounding_divide_by_pot(int32_t x, int32_t exponent) {
    int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u); /* exponent 31 -> INT32_MAX */
    int32_t rem = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (rem > threshold ? 1 : 0);
}

int32_t mt_requant(int32_t x, int32_t mult, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : -shift;
    /* x * 2^left wraps in int32 like TFLite; done on uint32 because a signed overflow would be
     * undefined behaviour in C (the factory keeps accumulators small enough not to wrap). */
    x = (int32_t)((uint32_t)x << left);
    return rounding_divide_by_pot(srdhm(x, mult), right);
}
