/* Private helpers of the fast host kernels (the *_host.c files beside it): x86-64 SSE2
 * intrinsics (part of every x86-64 CPU, so no runtime check is needed), with plain C twins on
 * any other compiler target. They must give the integers of the reference kernels exactly;
 * no state, no allocation. */
#ifndef MT_HOST_UTIL_H
#define MT_HOST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dsp_util.h" /* mt_dsp_rq_t: the exact single-rounding requantization */

#if defined(__SSE2__)
#define MT_HOST_SSE2 1
#include <emmintrin.h>
#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif
#else
#define MT_HOST_SSE2 0
#endif

/* AVX2 for the requantization only, compiled with a function attribute (the rest of the
 * files stays SSE2) and taken when the CPU reports it at run time (__builtin_cpu_supports
 * reads the C runtime's CPU table; nothing of ours is cached). */
#if MT_HOST_SSE2 && defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MT_HOST_AVX2 1
#else
#define MT_HOST_AVX2 0
#endif

/* n rounded up to a multiple of 8 (the int16 lanes of one SSE register). */
static inline int32_t mt_host_up8(int32_t n) { return (n + 7) & ~7; }

/* Bytes of the scratch pieces, each a multiple of 4 so the next one stays aligned. */
static inline size_t mt_host_i16_bytes(int32_t n) { return (size_t)mt_host_up8(n) * 2u; }
static inline size_t mt_host_i32_bytes(int32_t n) { return (size_t)mt_host_up8(n) * 4u; }

/* dst[i] = x[i] - zp for i < n (exactly n written): an operand of the int16 GEMM.
 * zp must be in [-128, 127] (an int8 zero point) so the difference fits int16. */
void mt_host_widen(const int8_t *x, int32_t n, int32_t zp, int16_t *dst);

/* The int16 x int8 GEMM shared by pointwise and the stem (im2col): for every oc < out_c
 *   acc0[oc] = bias[oc] + sum_k xa[k] * w[oc * k_len + k], acc1 likewise with xb,
 * xa, xb int16 [up8(k_len)] zero past k_len (mt_host_widen), w [out_c][k_len] s8.
 * Sums wrap modulo 2^32 like the reference's int32 ones (the loader bounds them anyway). */
void mt_host_gemm2(const int16_t *xa, const int16_t *xb, const int8_t *w, int32_t k_len,
                   int32_t out_c, const int32_t *bias, int32_t *acc0, int32_t *acc1);

/* The requantization of mt_dsp_rq_prepare's q again, as arrays for eight channels at a time:
 * mult [up8(n)], rsh [up8(n)], then per group of eight channels c..c+7 their 64-bit K as
 * int32 pairs (low, high) in the order c, c+2, c+4, c+6, c+1, c+3, c+5, c+7 (the even and
 * odd lanes of a 32 x 32 -> 64 bit SIMD multiply). Only built when every channel is fast. */
typedef struct {
    int32_t *mult, *rsh;
    uint32_t *k;
} mt_host_rq_t;

static inline size_t mt_host_rq_bytes(int32_t n) { return (size_t)mt_host_up8(n) * 16u; }

static inline mt_host_rq_t mt_host_rq_prepare(void *mem, const mt_dsp_rq_t *q, int32_t n) {
    mt_host_rq_t h;
    int32_t n8 = mt_host_up8(n), c;
    h.mult = (int32_t *)mem;
    h.rsh = h.mult + n8;
    h.k = (uint32_t *)(void *)(h.rsh + n8);
    for (c = 0; c < n8; c++) {
        int32_t src = c < n ? c : n - 1; /* lanes past n: any valid channel, never stored */
        int32_t lane = c & 7, slot = (c & ~7) + (lane & 1) * 4 + lane / 2;
        h.mult[c] = q[src].mult;
        h.rsh[c] = q[src].rsh;
        h.k[2 * slot] = q[src].k_lo;
        h.k[2 * slot + 1] = (uint32_t)q[src].k_hi;
    }
    return h;
}

#if MT_HOST_AVX2
/* Channels [0, n & ~7) of mt_host_requant_row with AVX2; returns how many it did. */
int32_t mt_host_requant8_avx2(const int32_t *acc, mt_host_rq_t h, int32_t n, int32_t lo,
                              int32_t hi, int8_t *out);
static inline int mt_host_has_avx2(void) { return __builtin_cpu_supports("avx2"); }
#endif

/* out[i] = clamp(requant(acc[i]) + zp, lo, hi) for i < n with q prepared by
 * mt_dsp_rq_prepare (fast = its result, h = mt_host_rq_prepare when fast): the
 * single-rounding formula of dsp_util.h, floor((acc * mult + K - [acc < 0] 2^31) / 2^(32 + rsh)),
 * one 64-bit multiply-add per channel (eight at a time on AVX2), mt_requant itself on
 * channels the formula does not cover. Equal to mt_requant_clamp_s8 (tests/test_kernels_host.c). */
static inline void mt_host_requant_row(const int32_t *acc, const mt_dsp_rq_t *q, int fast,
                                       mt_host_rq_t h, int32_t n, int32_t zp, int32_t lo,
                                       int32_t hi, int8_t *out) {
    int32_t i = 0;
#if MT_HOST_AVX2
    if (fast && n >= 8 && mt_host_has_avx2()) i = mt_host_requant8_avx2(acc, h, n, lo, hi, out);
#else
    (void)h;
#endif
    for (; i < n; i++) {
        int32_t v;
        if (fast || q[i].rsh >= 0) {
            int64_t k = (int64_t)q[i].k_hi * 4294967296LL + (int64_t)q[i].k_lo;
            int64_t t = k + (int64_t)acc[i] * q[i].mult - ((int64_t)(acc[i] >> 31) & 0x80000000LL);
            v = (int32_t)(t >> (32 + q[i].rsh)); /* |t >> 32| fits int32 (dsp_util.h) */
        } else {
            v = mt_dsp_rq(acc[i], &q[i], zp);
        }
        out[i] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
    }
}

#endif
