/* Private helpers of the optimized kernels (the *_dsp.c files beside it): the Cortex-M DSP SIMD
 * instructions they use, with portable C twins elsewhere, and a requantization that gives the
 * integers of mt_requant (docs/quantization.md) in five instructions. No state, no allocation. */
#ifndef MT_DSP_UTIL_H
#define MT_DSP_UTIL_H

#include <stdint.h>
#include <string.h>

#include "kernel_util.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define MT_DSP_ASM 1
#else
#define MT_DSP_ASM 0
#endif

/* Four int8 as one word, from any address (Cortex-M4/M7 load unaligned words in hardware;
 * memcpy compiles to one LDR there). Byte 0 is the lowest address (little-endian). */
static inline uint32_t mt_ld4(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Two signed halfwords h0 | h1 << 16 as a word, for the portable twins. */
static inline uint32_t mt_pack16(int32_t h0, int32_t h1) {
    return ((uint32_t)h0 & 0xffffu) | ((uint32_t)h1 << 16);
}
static inline int32_t mt_lo16(uint32_t v) { return (int32_t)(int16_t)(v & 0xffffu); }
static inline int32_t mt_hi16(uint32_t v) { return (int32_t)(int16_t)(v >> 16); }
static inline int32_t mt_b(uint32_t v, int k) { return (int32_t)(int8_t)(v >> (8 * k)); }

/* The SIMD vocabulary. A word of four int8 [b0 b1 b2 b3] unpacks to two words of int16,
 * "even" [b0 b2] and "odd" [b1 b3]; SMLAD then adds both halfword products to an int32, so
 * activations and weights unpacked the same way give a 4-term dot product in two SMLADs. */
#if MT_DSP_ASM
/* [b0 b2] + [a0 a1] */
static inline uint32_t mt_sxtab16(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
/* [b1 b3] + [a0 a1] */
static inline uint32_t mt_sxtab16_odd(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
static inline uint32_t mt_sxtb16(uint32_t b) {
    uint32_t r;
    __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(b));
    return r;
}
static inline uint32_t mt_sxtb16_odd(uint32_t b) {
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(b));
    return r;
}
/* acc + x.lo * y.lo + x.hi * y.hi */
static inline int32_t mt_smlad(uint32_t x, uint32_t y, int32_t acc) {
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
/* acc + x.lo * y.lo, acc + x.hi * y.hi */
static inline int32_t mt_smlabb(uint32_t x, uint32_t y, int32_t acc) {
    int32_t r;
    __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
static inline int32_t mt_smlatt(uint32_t x, uint32_t y, int32_t acc) {
    int32_t r;
    __asm__("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
/* acc + x.lo * y.hi, acc + x.hi * y.lo */
static inline int32_t mt_smlabt(uint32_t x, uint32_t y, int32_t acc) {
    int32_t r;
    __asm__("smlabt %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
static inline int32_t mt_smlatb(uint32_t x, uint32_t y, int32_t acc) {
    int32_t r;
    __asm__("smlatb %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
    return r;
}
/* [a.lo + b.lo, a.hi + b.hi] (SADD16, wrapping per halfword) */
static inline uint32_t mt_sadd16(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("sadd16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
/* [a.lo b.lo] and [a.hi b.hi] (PKHBT, PKHTB) */
static inline uint32_t mt_pack_lo(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
static inline uint32_t mt_pack_hi(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
#else
static inline uint32_t mt_sxtab16(uint32_t a, uint32_t b) {
    return mt_pack16(mt_lo16(a) + mt_b(b, 0), mt_hi16(a) + mt_b(b, 2));
}
static inline uint32_t mt_sxtab16_odd(uint32_t a, uint32_t b) {
    return mt_pack16(mt_lo16(a) + mt_b(b, 1), mt_hi16(a) + mt_b(b, 3));
}
static inline uint32_t mt_sxtb16(uint32_t b) { return mt_pack16(mt_b(b, 0), mt_b(b, 2)); }
static inline uint32_t mt_sxtb16_odd(uint32_t b) { return mt_pack16(mt_b(b, 1), mt_b(b, 3)); }
static inline int32_t mt_smlad(uint32_t x, uint32_t y, int32_t acc) {
    /* wraps like the instruction; the loader's accumulator bound keeps it from wrapping */
    return (int32_t)((uint32_t)acc + (uint32_t)(mt_lo16(x) * mt_lo16(y)) +
                     (uint32_t)(mt_hi16(x) * mt_hi16(y)));
}
static inline int32_t mt_smlabb(uint32_t x, uint32_t y, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(mt_lo16(x) * mt_lo16(y)));
}
static inline int32_t mt_smlatt(uint32_t x, uint32_t y, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(mt_hi16(x) * mt_hi16(y)));
}
static inline int32_t mt_smlabt(uint32_t x, uint32_t y, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(mt_lo16(x) * mt_hi16(y)));
}
static inline int32_t mt_smlatb(uint32_t x, uint32_t y, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(mt_hi16(x) * mt_lo16(y)));
}
static inline uint32_t mt_sadd16(uint32_t a, uint32_t b) {
    return mt_pack16(mt_lo16(a) + mt_lo16(b), mt_hi16(a) + mt_hi16(b));
}
static inline uint32_t mt_pack_lo(uint32_t a, uint32_t b) { return mt_pack16(mt_lo16(a), mt_lo16(b)); }
static inline uint32_t mt_pack_hi(uint32_t a, uint32_t b) { return mt_pack16(mt_hi16(a), mt_hi16(b)); }
#endif

/* ---- Requantization, per output channel, prepared once per kernel call ----
 * mt_requant(x, mult, shift) with a right shift r = -shift in [1, 24] (every multiplier
 * M < 0.5; the factory's conv layers have M far below that) is two roundings: the rounding
 * doubling high multiply y = floor((x*mult + 2^30) / 2^31) (equal to the spec's truncating
 * form for both signs), then y / 2^r rounded half away from zero,
 * floor((y + 2^(r-1) - [y<0]) / 2^r). Nested floors merge, so with the output zero point
 * folded in
 *   out = floor((x*mult + K - [x<0] * 2^31) / 2^(31+r)),  K = 2^30 + 2^(30+r) + zp*2^(31+r)
 * ([y<0] may be replaced by [x<0]: they differ only when y = 0, and then both give 0).
 * With K in a 64-bit accumulator that is ADDS/ADC (sign term), SMLAL, and the high word
 * shifted right by r-1. |zp| * 2^(r-1) <= 2^30 for r <= 24 keeps the high word in int32.
 * Other channels (r <= 0, r > 24, mult = 0) take mt_requant itself. */
typedef struct {
    int32_t mult;
    uint32_t k_lo;
    int32_t k_hi;   /* slow channels: the shift */
    int32_t rsh;    /* r - 1 in [0, 23]; -1 marks a slow channel */
} mt_dsp_rq_t;

#define MT_DSP_RQ_MAX_RIGHT 24

/* q[c] for c < n from the per-channel multipliers. Returns 1 if every channel is fast. */
static inline int mt_dsp_rq_prepare(mt_dsp_rq_t *q, mt_requant_t rq, int32_t n, int32_t out_zp) {
    int all_fast = 1;
    int32_t c;
    for (c = 0; c < n; c++) {
        int32_t r = -rq.shift[c];
        q[c].mult = rq.mult[c];
        if (rq.mult[c] > 0 && r >= 1 && r <= MT_DSP_RQ_MAX_RIGHT) {
            /* K = 2^30 + 2^(30+r) + zp * 2^(31+r): the low word is 2^30, plus 2^31 when r = 1 */
            q[c].k_lo = r == 1 ? 0xc0000000u : 0x40000000u;
            q[c].k_hi = (int32_t)((r >= 2 ? (1u << (r - 2)) : 0u) + ((uint32_t)out_zp << (r - 1)));
            q[c].rsh = r - 1;
        } else {
            q[c].k_lo = 0;
            q[c].k_hi = rq.shift[c];
            q[c].rsh = -1;
            all_fast = 0;
        }
    }
    return all_fast;
}

/* Fast channel: requantized acc plus the output zero point, not yet clamped. */
static inline int32_t mt_dsp_rq_fast(int32_t acc, int32_t mult, uint32_t k_lo, int32_t k_hi,
                                     int32_t rsh) {
#if MT_DSP_ASM
    uint32_t lo;
    int32_t hi;
    int32_t s = acc >> 31;
    __asm__("adds %0, %2, %4, lsl #31\n\t"
            "adc %1, %3, %4\n\t"
            "smlal %0, %1, %5, %6"
            : "=&r"(lo), "=&r"(hi)
            : "r"(k_lo), "r"(k_hi), "r"(s), "r"(acc), "r"(mult)
            : "cc");
    (void)lo;
    return hi >> rsh;
#else
    int64_t n = (int64_t)k_hi * 4294967296LL + (int64_t)k_lo + (int64_t)acc * mult -
                (acc < 0 ? (int64_t)1 << 31 : 0);
    return (int32_t)(n >> 32) >> rsh; /* arithmetic shifts, as requant.c already assumes */
#endif
}

/* Any channel: requantized acc plus the zero point, limited to [-1024, 1024] + zp when it
 * comes from mt_requant (a value outside [-256, 255] clamps to the same int8 either way). */
static inline int32_t mt_dsp_rq(int32_t acc, const mt_dsp_rq_t *q, int32_t out_zp) {
    int32_t v;
    if (q->rsh >= 0) return mt_dsp_rq_fast(acc, q->mult, q->k_lo, q->k_hi, q->rsh);
    v = mt_requant(acc, q->mult, q->k_hi);
    if (v < -1024) v = -1024;
    if (v > 1024) v = 1024;
    return v + out_zp;
}

/* Stores clamp(z0), clamp(z1) to o[0], o[1]; lo4/hi4 hold act_min/act_max in every byte.
 * On the DSP: saturate to int8, pack both bytes, clamp both with SSUB8/SEL, one STRH. */
static inline void mt_dsp_store2(int32_t z0, int32_t z1, uint32_t lo4, uint32_t hi4, int8_t *o) {
#if MT_DSP_ASM
    uint32_t t;
    uint16_t v;
    __asm__("ssat %0, #8, %0\n\t"
            "ssat %1, #8, %1\n\t"
            "bfi %0, %1, #8, #8\n\t"
            "ssub8 %2, %0, %3\n\t"
            "sel %0, %0, %3\n\t"
            "ssub8 %2, %4, %0\n\t"
            "sel %0, %0, %4"
            : "+r"(z0), "+r"(z1), "=&r"(t)
            : "r"(lo4), "r"(hi4)
            : "cc");
    v = (uint16_t)z0;
    memcpy(o, &v, 2);
#else
    int32_t lo = mt_b(lo4, 0), hi = mt_b(hi4, 0);
    o[0] = (int8_t)(z0 < lo ? lo : z0 > hi ? hi : z0);
    o[1] = (int8_t)(z1 < lo ? lo : z1 > hi ? hi : z1);
#endif
}

/* A byte replicated into all four lanes. */
static inline uint32_t mt_dup4(int32_t b) { return ((uint32_t)b & 0xffu) * 0x01010101u; }

static inline int8_t mt_dsp_clamp(int32_t v, int32_t lo, int32_t hi) {
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return (int8_t)v;
}

/* Bytes of n mt_dsp_rq_t, kept a multiple of 4 like every scratch size. */
static inline size_t mt_dsp_rq_bytes(int32_t n) { return (size_t)n * sizeof(mt_dsp_rq_t); }

/* ---- The 2 pixels x 2 output channels int8 GEMM of pointwise_s8_dsp.c, shared with the
 * stem conv (conv_s8_dsp.c) ----
 * A widened pixel pair xb: per group of 4 input channels the words [pixel 0 even, pixel 0 odd,
 * pixel 1 even, pixel 1 odd] (int16 pairs minus in_zp, SXTAB16), then the in_c % 4 leftover
 * channels as int32 pairs [pixel 0, pixel 1]. */
void mt_dsp_widen_pair(const int8_t *x0, const int8_t *x1, int32_t in_c, uint32_t zz,
                       int32_t in_zp, uint32_t *xb);
/* All out_c outputs of both pixels: w [out_c][in_c] s8, q prepared by mt_dsp_rq_prepare
 * (fast = its result), output pixels o0, o1 (o1 may equal o0). */
void mt_dsp_gemm_pair(const uint32_t *xb, const int8_t *w, int32_t in_c, int32_t out_c,
                      const int32_t *bias, const mt_dsp_rq_t *q, int fast, int32_t zp,
                      int32_t lo, int32_t hi, int8_t *o0, int8_t *o1);



#endif
