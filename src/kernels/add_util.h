/* Private helpers of the optimized ADD kernels (add_s8_dsp.c, add_s8_host.c): per-call tables of
 * the two rescaled inputs (the DSP kernel; the host one evaluates the same closed form per
 * element) and a single-rounding output requantization, both exactly the integers of
 * mt_add_s8_ref (add_s8.c). No state, no allocation: the tables live in the caller's scratch. */
#ifndef MT_ADD_UTIL_H
#define MT_ADD_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "kernel_util.h"

/* Below this length building the tables (256 entries per input, a few instructions each)
 * costs more than it saves; the kernels then run the reference loop and need no scratch. */
#define MT_ADD_TABLE_MIN_LEN 64

/* The rescaled input a = mt_requant((x - zp) * 2^left_shift, mult, shift) depends only on the
 * 256 values of x. Both inputs with equal (zp, mult, shift) share one table. */
static inline int mt_add_same_inputs(const mt_add_params_t *p) {
    return p->in0_zp == p->in1_zp && p->in0_mult == p->in1_mult && p->in0_shift == p->in1_shift;
}

/* Scratch of the table kernels: int32 [256] per distinct input, or 0 for short tensors. */
static inline size_t mt_add_table_bytes(const mt_add_params_t *p, int32_t len) {
    if (len < MT_ADD_TABLE_MIN_LEN) return 0;
    return (mt_add_same_inputs(p) ? 1u : 2u) * 256u * sizeof(int32_t);
}

/* The bounds under which mt_add_fill's recurrence is exact (mt_model_open enforces all of
 * them for ADD ops: int8 zero points, multipliers 0 or >= 2^30, shifts <= 0, left_shift <= 22). */
static inline int mt_add_input_ok(int32_t zp, int32_t mult, int32_t shift, int32_t left_shift) {
    return zp >= -128 && zp <= 127 && mult >= 0 && shift <= 0 && shift >= -31 && left_shift >= 0 &&
           left_shift <= 22;
}

/* t[x + 128] = scale * mt_requant((x - zp) * 2^ls, mult, shift) for every int8 x.
 * With r = -shift >= 0 and u = x - zp, mt_requant is SaturatingRoundingDoublingHighMul
 * y = floor((u 2^ls mult + 2^30) / 2^31), then for r >= 1 a division rounding half away
 * from zero, floor((y + 2^(r-1) - [y<0]) / 2^r). The floors nest into one (see dsp_util.h;
 * [y<0] may read [u<0]: they differ only when y = 0, which gives 0 either way); doubled,
 *   a(u) = floor(N(u) / 2^(32+r)),  N(u) = u 2^(ls+1) mult + 2^31 + [r>=1] (2^(31+r) - [u<0] 2^32),
 * so a is the high word of N shifted right by r, and N steps by 2^(ls+1) mult from one u to
 * the next within each sign: one 64-bit add per entry instead of a requantization.
 * |u| <= 255 and ls <= 22 keep |N| < 2^63 (2^31 + 2^62 + 255 2^54 at the extremes) and its
 * high word inside int32; the loop never steps past the last entry. Outside
 * mt_add_input_ok the entries come from mt_requant itself (as the reference computes them). */
static inline void mt_add_fill(int32_t *t, int32_t zp, int32_t mult, int32_t shift, int32_t ls,
                               int32_t scale) {
    int32_t x = -128;
    if (!mt_add_input_ok(zp, mult, shift, ls)) {
        int32_t lift = (int32_t)1 << ls;
        for (; x <= 127; x++) t[x + 128] = scale * mt_requant((x - zp) * lift, mult, shift);
        return;
    }
    {
        int32_t r = -shift;
        int64_t step = (int64_t)mult * ((int64_t)2 << ls);
        int64_t n0 = ((int64_t)1 << 31) + (r >= 1 ? ((int64_t)1 << (31 + r)) : 0); /* N(0) */
        int64_t n = n0 - (r >= 1 ? ((int64_t)1 << 32) : 0) + (int64_t)(x - zp) * step;
        for (; x < zp; x++) { /* u < 0 */
            t[x + 128] = scale * ((int32_t)(n >> 32) >> r);
            n += step;
        }
        n = n0 + (int64_t)(x - zp) * step;
        for (; x <= 127; x++) { /* u >= 0 */
            t[x + 128] = scale * ((int32_t)(n >> 32) >> r);
            if (x < 127) n += step; /* N(256) would pass 2^63 (zp -128, r 31, ls 22, mult 2^31-1) */
        }
    }
}

/* |mt_requant((x - zp) * 2^ls, mult, shift)| for every int8 x, bounded from above: at most
 * 255 * 2^ls * mult / 2^(31+r), rounded up. Only meaningful under mt_add_input_ok. */
static inline int64_t mt_add_input_bound(int32_t mult, int32_t shift, int32_t ls) {
    return (((int64_t)255 * mult) << ls >> (31 - shift)) + 1;
}

/* What the table kernels run, from mt_add_prepare. */
typedef struct {
    const int32_t *t0, *t1; /* [256] each, indexed by x + 128 */
    int fast;               /* tables hold 2a, output by mt_add_rq_fast(mult, k, rsh) */
    int32_t mult, k, rsh;
} mt_add_prep_t;

/* The output requantization of a + b, with zero point, before the clamp: mt_requant(a + b,
 * out_mult, -r) + out_zp for r in [1, 23], out_mult > 0. From the merged floor of dsp_util.h,
 *   floor((acc mult + 2^30 + 2^(30+r) + zp 2^(31+r) - [acc<0] 2^31) / 2^(31+r)),
 * doubled (acc2 = 2 acc, so the rounding constant becomes 2^31):
 *   floor(floor((acc2 mult + 2^31 + R 2^32) / 2^32) / 2^r),  R = 2^(r-1) + zp 2^r - [acc2<0],
 * and the inner floor is one SMMLAR (most significant word multiply-accumulate, rounded).
 * |acc2| < 2^30, |zp| <= 128 and r <= 23 keep every intermediate inside int32. */
static inline int mt_add_out_fast_ok(const mt_add_params_t *p) {
    return p->out_mult > 0 && p->out_shift <= -1 && p->out_shift >= -23 && p->out_zp >= -128 &&
           p->out_zp <= 127;
}

/* Whether the fast form (doubled sum, mt_add_rq_c) is exact for these parameters: both inputs
 * within mt_add_fill's bounds, the output within mt_add_out_fast_ok's, and |2a + 2b| < 2^30 for
 * every pair, from the bounds of a and b. */
static inline int mt_add_fast_ok(const mt_add_params_t *p) {
    return mt_add_out_fast_ok(p) &&
           mt_add_input_ok(p->in0_zp, p->in0_mult, p->in0_shift, p->left_shift) &&
           mt_add_input_ok(p->in1_zp, p->in1_mult, p->in1_shift, p->left_shift) &&
           mt_add_input_bound(p->in0_mult, p->in0_shift, p->left_shift) +
                   mt_add_input_bound(p->in1_mult, p->in1_shift, p->left_shift) <
               ((int64_t)1 << 29);
}

/* The output constants of q (mult, rsh, and k when the fast form applies). */
static inline void mt_add_out_prepare(const mt_add_params_t *p, mt_add_prep_t *q) {
    q->mult = p->out_mult;
    q->rsh = -p->out_shift;
    q->k = q->fast ? ((int32_t)1 << (q->rsh - 1)) + p->out_zp * ((int32_t)1 << q->rsh) : 0;
}

/* Fills the tables in scratch (mt_add_table_bytes(p, len) bytes, 4-aligned) and returns 1, or
 * returns 0 when len is too short for tables (the caller then runs the reference). */
static inline int mt_add_prepare(const mt_add_params_t *p, int32_t len, void *scratch,
                                 mt_add_prep_t *q) {
    int32_t *t0 = (int32_t *)scratch;
    int32_t scale;
    if (len < MT_ADD_TABLE_MIN_LEN || !scratch) return 0;
    q->fast = mt_add_fast_ok(p);
    scale = q->fast ? 2 : 1;
    mt_add_fill(t0, p->in0_zp, p->in0_mult, p->in0_shift, p->left_shift, scale);
    q->t0 = t0;
    if (mt_add_same_inputs(p)) {
        q->t1 = t0;
    } else {
        mt_add_fill(t0 + 256, p->in1_zp, p->in1_mult, p->in1_shift, p->left_shift, scale);
        q->t1 = t0 + 256;
    }
    mt_add_out_prepare(p, q);
    return 1;
}

/* Portable twin of the SMMLAR step: floor((acc2 mult + 2^31 + R 2^32) / 2^32) >> rsh. */
static inline int32_t mt_add_rq_c(int32_t acc2, int32_t mult, int32_t k, int32_t rsh) {
    int64_t t = (int64_t)(k + (acc2 >> 31)) * 4294967296LL + (int64_t)acc2 * mult + 0x80000000LL;
    return (int32_t)(t >> 32) >> rsh;
}

#endif
