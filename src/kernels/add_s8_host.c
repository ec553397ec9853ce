/* Fast host int8 element-wise add: the tables of add_util.h, eight elements at a time with AVX2
 * gathers when the CPU has them (checked at run time), plain C otherwise. Bit for bit equal to
 * mt_add_s8_ref (add_s8.c); never allocates (tables in the caller's scratch), safe in place
 * (out == in0 or out == in1). */
#include "add_util.h"
#include "host_util.h"

#if MT_HOST_AVX2
#include <immintrin.h>
#endif

size_t mt_add_s8_scratch_bytes_host(const mt_add_params_t *p, int32_t len) {
    return mt_add_table_bytes(p, len);
}

#if MT_HOST_AVX2
/* Elements [0, len & ~7) of the fast form; returns how many it did. t0, t1 point at entry 0
 * (value x at t[x]). Both inputs' eight bytes are loaded before the eight outputs are stored. */
__attribute__((target("avx2"))) static int32_t add8_avx2(const int32_t *t0, const int32_t *t1,
                                                         const mt_add_prep_t *q, int32_t lo,
                                                         int32_t hi, int32_t len,
                                                         const int8_t *in0, const int8_t *in1,
                                                         int8_t *out) {
    const __m256i mult = _mm256_set1_epi32(q->mult), k = _mm256_set1_epi32(q->k);
    const __m256i half = _mm256_set1_epi64x((int64_t)1 << 31);
    const __m256i hi_words = _mm256_set1_epi64x((int64_t)0xffffffff00000000LL);
    const __m128i rsh = _mm_cvtsi32_si128(q->rsh);
    const __m128i vlo = _mm_set1_epi16((int16_t)lo), vhi = _mm_set1_epi16((int16_t)hi);
    int32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        __m256i x0 = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(in0 + i)));
        __m256i x1 = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(in1 + i)));
        __m256i acc2 = _mm256_add_epi32(_mm256_i32gather_epi32(t0, x0, 4),
                                        _mm256_i32gather_epi32(t1, x1, 4));
        /* acc2 * mult + 2^31 per lane as 64 bits (even lanes, then odd), high words kept */
        __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(acc2, mult), half);
        __m256i po = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(acc2, 32), mult), half);
        __m256i h = _mm256_or_si256(_mm256_srli_epi64(pe, 32), _mm256_and_si256(po, hi_words));
        /* + R = k - [acc2 < 0] (the high word of R * 2^32 added; no carry can come from below) */
        h = _mm256_add_epi32(h, _mm256_add_epi32(k, _mm256_srai_epi32(acc2, 31)));
        h = _mm256_sra_epi32(h, rsh);
        {
            __m128i z = _mm_packs_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
            z = _mm_min_epi16(_mm_max_epi16(z, vlo), vhi); /* the reference's order: lo, then hi */
            _mm_storel_epi64((__m128i *)(void *)(out + i), _mm_packs_epi16(z, z));
        }
    }
    return i;
}
#endif

void mt_add_s8_host(const mt_add_params_t *p, int32_t len, const int8_t *in0, const int8_t *in1,
                    int8_t *out) {
    mt_add_prep_t q;
    const int32_t *t0, *t1;
    int32_t lo = p->act_min, hi = p->act_max, i = 0;
    if (!mt_add_prepare(p, len, p->scratch, &q)) {
        mt_add_s8_ref(p, len, in0, in1, out);
        return;
    }
    t0 = q.t0 + 128;
    t1 = q.t1 + 128;
    if (!q.fast) {
        /* the sum exactly as the reference forms it, requantized by mt_requant itself */
        for (; i < len; i++) {
            out[i] = mt_requant_clamp_s8(t0[in0[i]] + t1[in1[i]], p->out_mult, p->out_shift,
                                         p->out_zp, lo, hi);
        }
        return;
    }
#if MT_HOST_AVX2
    if (mt_host_has_avx2()) i = add8_avx2(t0, t1, &q, lo, hi, len, in0, in1, out);
#endif
    for (; i < len; i++) {
        int32_t z = mt_add_rq_c(t0[in0[i]] + t1[in1[i]], q.mult, q.k, q.rsh);
        if (z < lo) z = lo;
        if (z > hi) z = hi;
        out[i] = (int8_t)z;
    }
}
