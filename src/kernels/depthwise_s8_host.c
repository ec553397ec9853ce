/* Fast host int8 depthwise convolution (channel multiplier 1), any kernel, stride and
 * padding: channel-vectorized over NHWC, two window taps per PMADDWD on SSE2 (plain C
 * elsewhere). Bit for bit equal to mt_depthwise_s8_ref (depthwise_s8.c); never allocates
 * (scratch from the caller), never reads outside its arguments. */
#include "host_util.h"

/* Window taps t = ky * kw + kx are taken in pairs (2j, 2j + 1); an odd count gets a dummy
 * last tap with weight 0. Padding taps are not skipped: they read a row of in_zp bytes.
 * The zero point is folded into the bias, sum (x - zp) w = sum x w - zp sum w with the sum
 * over every tap, so padding (x = zp) contributes nothing, as in the reference. */
static int32_t n_pairs(const mt_conv_params_t *p) { return ((int32_t)p->kh * p->kw + 1) / 2; }

/* scratch: [c] mt_dsp_rq_t | mt_host_rq_t [c] | b0 int32 [up8(c)] (bias - zp sum w) | acc int32 [up8(c)] |
 * wp int16 [pairs][up8(c)][2] (both taps' weights of a channel side by side, 0 past c) |
 * zrow s8 [up8(c)] (in_zp) | the taps' input pointers [2 pairs], 8 spare bytes to align them. */
size_t mt_depthwise_s8_scratch_bytes_host(const mt_conv_params_t *p) {
    int32_t c8 = mt_host_up8(p->in_c), pairs = n_pairs(p);
    return mt_dsp_rq_bytes(p->in_c) + mt_host_rq_bytes(p->in_c) + 2u * mt_host_i32_bytes(p->in_c) + (size_t)pairs * c8 * 4u +
           (size_t)c8 + (size_t)pairs * 2u * sizeof(const int8_t *) + 8u;
}

#if MT_HOST_SSE2
/* acc[c0 .. c0+8) = b0 + the window of the eight channels from c0 of every tap. */
static inline void dw_chunk8(const int8_t *const *tap, int32_t c0, const int16_t *wp,
                             int32_t pairs, int32_t c8, const int32_t *b0, int32_t *acc) {
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)b0);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(b0 + 4));
    int32_t j;
    for (j = 0; j < pairs; j++) {
        __m128i xa = _mm_loadl_epi64((const __m128i *)(const void *)(tap[2 * j] + c0));
        __m128i xb = _mm_loadl_epi64((const __m128i *)(const void *)(tap[2 * j + 1] + c0));
        __m128i v = _mm_unpacklo_epi8(xa, xb); /* xa0 xb0 xa1 xb1 ... */
        __m128i v_lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
        __m128i v_hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
        lo = _mm_add_epi32(lo, _mm_madd_epi16(v_lo, _mm_loadu_si128((const __m128i *)(const void *)wp)));
        hi = _mm_add_epi32(hi, _mm_madd_epi16(v_hi, _mm_loadu_si128((const __m128i *)(const void *)(wp + 8))));
        wp += 2 * c8;
    }
    _mm_storeu_si128((__m128i *)(void *)acc, lo);
    _mm_storeu_si128((__m128i *)(void *)(acc + 4), hi);
}
#endif

/* Channels [c0, c_end) one by one (the portable path, and the SIMD path's c % 8 tail). */
static void dw_scalar(const int8_t *const *tap, const int16_t *wp, int32_t pairs, int32_t c8,
                      int32_t c0, int32_t c_end, const int32_t *b0, int32_t *acc) {
    int32_t c, j;
    for (c = c0; c < c_end; c++) {
        uint32_t a = (uint32_t)b0[c];
        const int16_t *wc = wp + 2 * c;
        for (j = 0; j < pairs; j++) {
            a += (uint32_t)((int32_t)tap[2 * j][c] * wc[0] + (int32_t)tap[2 * j + 1][c] * wc[1]);
            wc += 2 * c8;
        }
        acc[c] = (int32_t)a;
    }
}

/* wp (layout above) from w [taps][cn], and b0[c] = bias[c] - zp * sum_t w[t][c] (0 past cn).
 * Runs once per call, so on the 2x2 layers of a 64 px net it costs about as much as the
 * convolution itself: eight channels at a time, the same interleave as the inputs. */
static void prepare_weights(const int8_t *w, int32_t cn, int32_t c8, int32_t taps, int32_t pairs,
                            const int32_t *bias, int32_t zp, int16_t *wp, int32_t *b0) {
    int32_t c = 0, t;
#if MT_HOST_SSE2
    const __m128i ones = _mm_set1_epi16(1);
    for (; c + 8 <= cn; c += 8) {
        int32_t j;
        __m128i s_lo = _mm_setzero_si128(), s_hi = s_lo;
        for (j = 0; j < pairs; j++) {
            __m128i wa = _mm_loadl_epi64((const __m128i *)(const void *)(w + (size_t)2 * j * cn + c));
            __m128i wb = 2 * j + 1 < taps
                             ? _mm_loadl_epi64((const __m128i *)(const void *)(w + (size_t)(2 * j + 1) * cn + c))
                             : _mm_setzero_si128();
            __m128i v = _mm_unpacklo_epi8(wa, wb);
            __m128i v_lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
            __m128i v_hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
            int16_t *d = wp + ((size_t)j * c8 + c) * 2;
            _mm_storeu_si128((__m128i *)(void *)d, v_lo);
            _mm_storeu_si128((__m128i *)(void *)(d + 8), v_hi);
            s_lo = _mm_add_epi32(s_lo, _mm_madd_epi16(v_lo, ones)); /* wa[c] + wb[c] */
            s_hi = _mm_add_epi32(s_hi, _mm_madd_epi16(v_hi, ones));
        }
        {
            int32_t sum[8], k;
            _mm_storeu_si128((__m128i *)(void *)sum, s_lo);
            _mm_storeu_si128((__m128i *)(void *)(sum + 4), s_hi);
            for (k = 0; k < 8; k++) {
                b0[c + k] = (int32_t)((uint32_t)bias[c + k] - (uint32_t)zp * (uint32_t)sum[k]);
            }
        }
    }
#endif
    for (; c < c8; c++) {
        uint32_t sum = 0;
        for (t = 0; t < 2 * pairs; t++) {
            int32_t v = c < cn && t < taps ? w[(size_t)t * cn + c] : 0;
            wp[((size_t)(t >> 1) * c8 + c) * 2 + (t & 1)] = (int16_t)v;
            sum += (uint32_t)v;
        }
        b0[c] = c < cn ? (int32_t)((uint32_t)bias[c] - (uint32_t)zp * sum) : 0;
    }
}

/* in [in_h][in_w][c] s8, w [kh][kw][c] s8, bias [c] s32, out [out_h][out_w][c] s8. */
void mt_depthwise_s8_host(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t cn = p->in_c, c8 = mt_host_up8(cn), taps = (int32_t)p->kh * p->kw;
    int32_t pairs = n_pairs(p), oy, ox, ky, kx, c, t, fast;
    mt_dsp_rq_t *q = (mt_dsp_rq_t *)scratch;
    uint8_t *hq_mem = (uint8_t *)scratch + mt_dsp_rq_bytes(cn);
    int32_t *b0 = (int32_t *)(void *)(hq_mem + mt_host_rq_bytes(cn));
    mt_host_rq_t hq;
    int32_t *acc = b0 + c8;
    int16_t *wp = (int16_t *)(void *)(acc + c8);
    int8_t *zrow = (int8_t *)(wp + (size_t)pairs * c8 * 2);
    uintptr_t tp = ((uintptr_t)(zrow + c8) + 7u) & ~(uintptr_t)7u;
    const int8_t **tap = (const int8_t **)(void *)tp;
    if (p->in_zp < -128 || p->in_zp > 127) { /* padding could not be a row of in_zp bytes */
        mt_depthwise_s8_ref(p, in, w, bias, rq, out, scratch);
        return;
    }
    fast = mt_dsp_rq_prepare(q, rq, cn, p->out_zp);
    hq = mt_host_rq_prepare(hq_mem, q, cn);
    memset(zrow, (int)(int8_t)p->in_zp, (size_t)c8);
    prepare_weights(w, cn, c8, taps, pairs, bias, p->in_zp, wp, b0);
    tap[2 * pairs - 1] = zrow; /* the dummy tap of an odd window */
    for (oy = 0; oy < p->out_h; oy++) {
        int32_t iy0 = oy * p->stride_h - p->pad_top;
        for (ox = 0; ox < p->out_w; ox++) {
            int32_t ix0 = ox * p->stride_w - p->pad_left;
            int8_t *o = out + ((size_t)oy * p->out_w + ox) * cn;
            t = 0;
            for (ky = 0; ky < p->kh; ky++) {
                int32_t iy = iy0 + ky;
                for (kx = 0; kx < p->kw; kx++, t++) {
                    int32_t ix = ix0 + kx;
                    tap[t] = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w
                                 ? in + ((size_t)iy * p->in_w + ix) * cn
                                 : zrow;
                }
            }
            c = 0;
#if MT_HOST_SSE2
            for (; c + 8 <= cn; c += 8) dw_chunk8(tap, c, wp + 2 * c, pairs, c8, b0 + c, acc + c);
#endif
            dw_scalar(tap, wp, pairs, c8, c, cn, b0, acc);
            mt_host_requant_row(acc, q, fast, hq, cn, p->out_zp, p->act_min, p->act_max, o);
        }
    }
}
