/* Fast host int8 element-wise add: both input rescales and the output requantization computed
 * directly, eight elements at a time with AVX2 when the CPU has it (checked at run time), in
 * 64-bit C otherwise; no tables (gathers are slow on some x86 cores, and the 256-entry tables
 * would cost as much to build as a short add). Bit for bit equal to mt_add_s8_ref (add_s8.c);
 * never allocates, needs no scratch, safe in place (out == in0 or out == in1). */
#include "add_util.h"
#include "host_util.h"

#if MT_HOST_AVX2
#include <immintrin.h>
#endif

size_t mt_add_s8_scratch_bytes_host(const mt_add_params_t *p, int32_t len) {
    (void)p;
    (void)len;
    return 0;
}

/* One input's rescale in closed form: mt_add_fill's N(u) for u = x - zp (add_util.h),
 *   a = (high word of (u 2^(ls+1) mult + 2^31) + [r>=1] (2^(r-1) - [u<0])) >> r,
 * where u 2^(ls+1) fits int32 (|u| <= 255, ls <= 22). */
typedef struct {
    int32_t zp, mult, lsh, r, kr, sign_mask; /* lsh = ls + 1; kr = [r>=1] 2^(r-1); mask = -[r>=1] */
} in_rq_t;

static in_rq_t in_rq(int32_t zp, int32_t mult, int32_t shift, int32_t ls) {
    in_rq_t q;
    q.zp = zp;
    q.mult = mult;
    q.lsh = ls + 1;
    q.r = -shift;
    q.kr = q.r >= 1 ? (int32_t)1 << (q.r - 1) : 0;
    q.sign_mask = q.r >= 1 ? -1 : 0;
    return q;
}

static inline int32_t in_rq_c(int32_t x, const in_rq_t *q) {
    int32_t u2 = (x - q->zp) * ((int32_t)1 << q->lsh);
    int64_t n = (int64_t)u2 * q->mult + 0x80000000LL;
    return ((int32_t)(n >> 32) + (q->kr + ((u2 >> 31) & q->sign_mask))) >> q->r;
}

#if MT_HOST_AVX2
/* High words of lane-wise x * m + 2^31 (signed 32 x 32 -> 64, even lanes then odd). */
__attribute__((target("avx2"))) static inline __m256i mulhi_round(__m256i x, __m256i m) {
    const __m256i half = _mm256_set1_epi64x((int64_t)1 << 31);
    const __m256i hi_words = _mm256_set1_epi64x((int64_t)0xffffffff00000000LL);
    __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(x, m), half);
    __m256i po = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), m), half);
    return _mm256_or_si256(_mm256_srli_epi64(pe, 32), _mm256_and_si256(po, hi_words));
}

/* in_rq_c on eight int8 at x. */
__attribute__((target("avx2"))) static inline __m256i in_rq8(const int8_t *x, const in_rq_t *q) {
    __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)x));
    __m256i u2 = _mm256_sll_epi32(_mm256_sub_epi32(v, _mm256_set1_epi32(q->zp)),
                                  _mm_cvtsi32_si128(q->lsh));
    __m256i h = mulhi_round(u2, _mm256_set1_epi32(q->mult));
    __m256i c = _mm256_add_epi32(_mm256_set1_epi32(q->kr),
                                 _mm256_and_si256(_mm256_srai_epi32(u2, 31),
                                                  _mm256_set1_epi32(q->sign_mask)));
    return _mm256_sra_epi32(_mm256_add_epi32(h, c), _mm_cvtsi32_si128(q->r));
}

/* Elements [0, len & ~7); returns how many it did. Both inputs' eight bytes are read before
 * the eight outputs are stored. */
__attribute__((target("avx2"))) static int32_t add8_avx2(const in_rq_t *q0, const in_rq_t *q1,
                                                         int32_t mult, int32_t k, int32_t rsh,
                                                         int32_t lo, int32_t hi, int32_t len,
                                                         const int8_t *in0, const int8_t *in1,
                                                         int8_t *out) {
    const __m256i vmult = _mm256_set1_epi32(mult), vk = _mm256_set1_epi32(k);
    const __m128i vrsh = _mm_cvtsi32_si128(rsh);
    const __m128i vlo = _mm_set1_epi16((int16_t)lo), vhi = _mm_set1_epi16((int16_t)hi);
    int32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        __m256i acc2 = _mm256_slli_epi32(_mm256_add_epi32(in_rq8(in0 + i, q0), in_rq8(in1 + i, q1)), 1);
        /* mt_add_rq_c: + R = k - [acc2 < 0] on the high word (no carry can come from below) */
        __m256i h = _mm256_add_epi32(mulhi_round(acc2, vmult),
                                     _mm256_add_epi32(vk, _mm256_srai_epi32(acc2, 31)));
        __m128i z;
        h = _mm256_sra_epi32(h, vrsh);
        z = _mm_packs_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        z = _mm_min_epi16(_mm_max_epi16(z, vlo), vhi); /* the reference's order: lo, then hi */
        _mm_storel_epi64((__m128i *)(void *)(out + i), _mm_packs_epi16(z, z));
    }
    return i;
}
#endif

void mt_add_s8_host(const mt_add_params_t *p, int32_t len, const int8_t *in0, const int8_t *in1,
                    int8_t *out) {
    mt_add_prep_t q; /* only its output constants: no tables are built */
    in_rq_t q0, q1;
    int32_t lo = p->act_min, hi = p->act_max, i = 0;
    if (!mt_add_fast_ok(p)) {
        mt_add_s8_ref(p, len, in0, in1, out);
        return;
    }
    q.fast = 1;
    mt_add_out_prepare(p, &q);
    q0 = in_rq(p->in0_zp, p->in0_mult, p->in0_shift, p->left_shift);
    q1 = in_rq(p->in1_zp, p->in1_mult, p->in1_shift, p->left_shift);
#if MT_HOST_AVX2
    if (mt_host_has_avx2()) i = add8_avx2(&q0, &q1, q.mult, q.k, q.rsh, lo, hi, len, in0, in1, out);
#endif
    for (; i < len; i++) {
        int32_t acc2 = 2 * (in_rq_c(in0[i], &q0) + in_rq_c(in1[i], &q1));
        int32_t z = mt_add_rq_c(acc2, q.mult, q.k, q.rsh);
        if (z < lo) z = lo;
        if (z > hi) z = hi;
        out[i] = (int8_t)z;
    }
}
