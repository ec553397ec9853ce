/* Fast host int8 pointwise (1x1) convolution: an int16 GEMM tiled 2 pixels x 4 output
 * channels on SSE2 (PMADDWD: 8 products summed in pairs into 4 int32 lanes), plain C
 * elsewhere. Bit for bit equal to mt_pointwise_s8_ref (pointwise_s8.c); never allocates
 * (scratch from the caller), never reads outside its arguments. */
#include "host_util.h"

void mt_host_widen(const int8_t *x, int32_t n, int32_t zp, int16_t *dst) {
    int32_t i = 0;
#if MT_HOST_SSE2
    __m128i z = _mm_set1_epi16((int16_t)zp);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(x + i));
        /* a byte paired with itself is b * 257 as int16: >> 8 leaves b sign-extended */
        __m128i lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
        __m128i hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
        _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_sub_epi16(lo, z));
        _mm_storeu_si128((__m128i *)(void *)(dst + i + 8), _mm_sub_epi16(hi, z));
    }
#endif
    for (; i < n; i++) dst[i] = (int16_t)((int32_t)x[i] - zp);
}

#if MT_HOST_SSE2
/* Eight int8 weights from p (exactly 8 bytes read) sign-extended to int16 lanes. */
static inline __m128i load_w8(const int8_t *p) {
    __m128i v = _mm_loadl_epi64((const __m128i *)(const void *)p);
#if defined(__SSE4_1__)
    return _mm_cvtepi8_epi16(v);
#else
    return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
#endif
}

/* [sum a0, sum a1, sum a2, sum a3]: the four lanes of each vector added (a 4x4 transpose). */
static inline __m128i hsum4(__m128i a0, __m128i a1, __m128i a2, __m128i a3) {
    __m128i s01 = _mm_add_epi32(_mm_unpacklo_epi32(a0, a1), _mm_unpackhi_epi32(a0, a1));
    __m128i s23 = _mm_add_epi32(_mm_unpacklo_epi32(a2, a3), _mm_unpackhi_epi32(a2, a3));
    return _mm_add_epi32(_mm_unpacklo_epi64(s01, s23), _mm_unpackhi_epi64(s01, s23));
}

void mt_host_gemm2(const int16_t *xa, const int16_t *xb, const int8_t *w, int32_t k_len,
                   int32_t out_c, const int32_t *bias, int32_t *acc0, int32_t *acc1) {
    int32_t oc, k, k_main = k_len & ~7;
    for (oc = 0; oc < out_c; oc += 4) {
        /* rows past out_c repeat the last one; their sums are computed and dropped */
        const int8_t *r0 = w + (size_t)oc * k_len;
        const int8_t *r1 = w + (size_t)(oc + 1 < out_c ? oc + 1 : out_c - 1) * k_len;
        const int8_t *r2 = w + (size_t)(oc + 2 < out_c ? oc + 2 : out_c - 1) * k_len;
        const int8_t *r3 = w + (size_t)(oc + 3 < out_c ? oc + 3 : out_c - 1) * k_len;
        __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
        __m128i b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        __m128i sa, sb;
        for (k = 0; k < k_main; k += 8) {
            __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)(xa + k));
            __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(xb + k));
            __m128i w0 = load_w8(r0 + k), w1 = load_w8(r1 + k);
            __m128i w2 = load_w8(r2 + k), w3 = load_w8(r3 + k);
            a0 = _mm_add_epi32(a0, _mm_madd_epi16(x0, w0));
            b0 = _mm_add_epi32(b0, _mm_madd_epi16(x1, w0));
            a1 = _mm_add_epi32(a1, _mm_madd_epi16(x0, w1));
            b1 = _mm_add_epi32(b1, _mm_madd_epi16(x1, w1));
            a2 = _mm_add_epi32(a2, _mm_madd_epi16(x0, w2));
            b2 = _mm_add_epi32(b2, _mm_madd_epi16(x1, w2));
            a3 = _mm_add_epi32(a3, _mm_madd_epi16(x0, w3));
            b3 = _mm_add_epi32(b3, _mm_madd_epi16(x1, w3));
        }
        if (k < k_len) {
            /* the last k_len % 8 weights of each row through a zero-padded copy, so the
             * last row is never over-read; xa, xb are zero there anyway */
            int8_t t[4][8];
            int32_t rest = k_len - k;
            __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)(xa + k));
            __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(xb + k));
            __m128i w0, w1, w2, w3;
            memset(t, 0, sizeof t);
            memcpy(t[0], r0 + k, (size_t)rest);
            memcpy(t[1], r1 + k, (size_t)rest);
            memcpy(t[2], r2 + k, (size_t)rest);
            memcpy(t[3], r3 + k, (size_t)rest);
            w0 = load_w8(t[0]);
            w1 = load_w8(t[1]);
            w2 = load_w8(t[2]);
            w3 = load_w8(t[3]);
            a0 = _mm_add_epi32(a0, _mm_madd_epi16(x0, w0));
            b0 = _mm_add_epi32(b0, _mm_madd_epi16(x1, w0));
            a1 = _mm_add_epi32(a1, _mm_madd_epi16(x0, w1));
            b1 = _mm_add_epi32(b1, _mm_madd_epi16(x1, w1));
            a2 = _mm_add_epi32(a2, _mm_madd_epi16(x0, w2));
            b2 = _mm_add_epi32(b2, _mm_madd_epi16(x1, w2));
            a3 = _mm_add_epi32(a3, _mm_madd_epi16(x0, w3));
            b3 = _mm_add_epi32(b3, _mm_madd_epi16(x1, w3));
        }
        sa = hsum4(a0, a1, a2, a3);
        sb = hsum4(b0, b1, b2, b3);
        if (oc + 4 <= out_c) {
            __m128i bv = _mm_loadu_si128((const __m128i *)(const void *)(bias + oc));
            _mm_storeu_si128((__m128i *)(void *)(acc0 + oc), _mm_add_epi32(sa, bv));
            _mm_storeu_si128((__m128i *)(void *)(acc1 + oc), _mm_add_epi32(sb, bv));
        } else {
            int32_t ta[4], tb[4], j;
            _mm_storeu_si128((__m128i *)(void *)ta, sa);
            _mm_storeu_si128((__m128i *)(void *)tb, sb);
            for (j = 0; oc + j < out_c; j++) {
                acc0[oc + j] = (int32_t)((uint32_t)bias[oc + j] + (uint32_t)ta[j]);
                acc1[oc + j] = (int32_t)((uint32_t)bias[oc + j] + (uint32_t)tb[j]);
            }
        }
    }
}
#else
void mt_host_gemm2(const int16_t *xa, const int16_t *xb, const int8_t *w, int32_t k_len,
                   int32_t out_c, const int32_t *bias, int32_t *acc0, int32_t *acc1) {
    int32_t oc, k;
    for (oc = 0; oc < out_c; oc++) {
        const int8_t *r = w + (size_t)oc * k_len;
        uint32_t a = (uint32_t)bias[oc], b = a;
        for (k = 0; k < k_len; k++) {
            a += (uint32_t)((int32_t)xa[k] * r[k]);
            b += (uint32_t)((int32_t)xb[k] * r[k]);
        }
        acc0[oc] = (int32_t)a;
        acc1[oc] = (int32_t)b;
    }
}
#endif

#if MT_HOST_AVX2
#include <immintrin.h>

__attribute__((target("avx2"))) int32_t mt_host_requant8_avx2(const int32_t *acc, mt_host_rq_t h,
                                                              int32_t n, int32_t lo, int32_t hi,
                                                              int8_t *out) {
    const __m256i sign_lo = _mm256_set1_epi64x(0x80000000LL); /* 2^31 in each 64-bit lane */
    const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
    int32_t i;
    for (i = 0; i + 8 <= n; i += 8) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(acc + i));
        __m256i m = _mm256_loadu_si256((const __m256i *)(const void *)(h.mult + i));
        __m256i sh = _mm256_loadu_si256((const __m256i *)(const void *)(h.rsh + i));
        __m256i ke = _mm256_loadu_si256((const __m256i *)(const void *)(h.k + 2 * i));
        __m256i ko = _mm256_loadu_si256((const __m256i *)(const void *)(h.k + 2 * i + 8));
        __m256i sg = _mm256_srai_epi32(a, 31);
        /* even channels in the low halves of the 64-bit lanes, odd ones shifted down */
        __m256i ne = _mm256_add_epi64(_mm256_mul_epi32(a, m), ke);
        __m256i no = _mm256_add_epi64(
            _mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(m, 32)), ko);
        ne = _mm256_sub_epi64(ne, _mm256_and_si256(sg, sign_lo));
        no = _mm256_sub_epi64(no, _mm256_and_si256(_mm256_srli_epi64(sg, 32), sign_lo));
        /* high words, back in channel order, then the per-channel arithmetic shift */
        __m256i v = _mm256_blend_epi32(_mm256_srli_epi64(ne, 32), no, 0xaa);
        v = _mm256_srav_epi32(v, sh);
        v = _mm256_min_epi32(_mm256_max_epi32(v, vlo), vhi);
        {
            __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
            _mm_storel_epi64((__m128i *)(void *)(out + i), _mm_packs_epi16(w16, w16));
        }
    }
    return i;
}
#endif

/* scratch: [out_c] mt_dsp_rq_t | mt_host_rq_t [out_c] | acc int32 [2][up8(out_c)] |
 * pixels int16 [2][up8(in_c)]. */
size_t mt_pointwise_s8_scratch_bytes_host(const mt_conv_params_t *p) {
    return mt_dsp_rq_bytes(p->out_c) + mt_host_rq_bytes(p->out_c) + 2u * mt_host_i32_bytes(p->out_c) +
           2u * mt_host_i16_bytes(p->in_c);
}

/* in [n][in_c] s8, w [out_c][in_c] s8, bias [out_c] s32, out [n][out_c] s8. Two pixels at a
 * time (an odd last pixel pairs with itself) so each widened weight serves two dot products. */
void mt_pointwise_s8_host(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t n = (int32_t)p->in_h * p->in_w, in_c = p->in_c, out_c = p->out_c, i;
    mt_dsp_rq_t *q = (mt_dsp_rq_t *)scratch;
    uint8_t *hq_mem = (uint8_t *)scratch + mt_dsp_rq_bytes(out_c);
    int32_t *acc0 = (int32_t *)(void *)(hq_mem + mt_host_rq_bytes(out_c));
    mt_host_rq_t hq;
    int32_t *acc1 = acc0 + mt_host_up8(out_c);
    int16_t *xa = (int16_t *)(void *)(acc1 + mt_host_up8(out_c));
    int16_t *xb = xa + mt_host_up8(in_c);
    if (p->in_zp < -128 || p->in_zp > 127) { /* x - in_zp would not fit int16 */
        mt_pointwise_s8_ref(p, in, w, bias, rq, out, scratch);
        return;
    }
    int fast = mt_dsp_rq_prepare(q, rq, out_c, p->out_zp);
    hq = mt_host_rq_prepare(hq_mem, q, out_c);
    /* the lanes past in_c stay zero: the widening below only writes the first in_c */
    memset(xa, 0, 2u * mt_host_i16_bytes(in_c));
    for (i = 0; i < n; i += 2) {
        int32_t i1 = i + 1 < n ? i + 1 : i;
        mt_host_widen(in + (size_t)i * in_c, in_c, p->in_zp, xa);
        mt_host_widen(in + (size_t)i1 * in_c, in_c, p->in_zp, xb);
        mt_host_gemm2(xa, xb, w, in_c, out_c, bias, acc0, acc1);
        mt_host_requant_row(acc0, q, fast, hq, out_c, p->out_zp, p->act_min, p->act_max,
                            out + (size_t)i * out_c);
        if (i1 != i) {
            mt_host_requant_row(acc1, q, fast, hq, out_c, p->out_zp, p->act_min, p->act_max,
                                out + (size_t)i1 * out_c);
        }
    }
}
