/* Fast host generic int8 convolution (the stem): im2col on the fly, two output pixels'
 * windows widened to int16 (padding as 0 = in_zp - in_zp), then the pointwise kernel's
 * int16 GEMM (mt_host_gemm2) against the [out_c][kh*kw*in_c] weight rows. Bit for bit equal
 * to mt_conv_s8_ref (conv_s8.c); never allocates, never reads outside its arguments. */
#include "host_util.h"

/* scratch: [out_c] mt_dsp_rq_t | mt_host_rq_t [out_c] | acc int32 [2][up8(out_c)] | windows int16 [2][up8(k_len)]
 * with k_len = kh * kw * in_c, in the weights' [ky][kx][ic] order. */
size_t mt_conv_s8_scratch_bytes_host(const mt_conv_params_t *p) {
    int32_t k_len = (int32_t)p->kh * p->kw * p->in_c;
    return mt_dsp_rq_bytes(p->out_c) + mt_host_rq_bytes(p->out_c) + 2u * mt_host_i32_bytes(p->out_c) +
           2u * mt_host_i16_bytes(k_len);
}

/* The window of output pixel (oy, ox) as int16 x - in_zp, zero where it hangs over the
 * input. Each window row's valid part is kw_valid * in_c contiguous bytes of the input. */
static void gather(const mt_conv_params_t *p, const int8_t *in, int32_t oy, int32_t ox,
                   int16_t *dst) {
    int32_t row = (int32_t)p->kw * p->in_c, ky;
    int32_t ix0 = ox * p->stride_w - p->pad_left;
    int32_t kx0 = ix0 < 0 ? -ix0 : 0;
    int32_t kx1 = p->in_w - ix0 < p->kw ? p->in_w - ix0 : p->kw;
    for (ky = 0; ky < p->kh; ky++) {
        int32_t iy = oy * p->stride_h - p->pad_top + ky;
        int16_t *d = dst + (size_t)ky * row;
        if (iy < 0 || iy >= p->in_h || kx1 <= kx0) {
            memset(d, 0, (size_t)row * 2u);
            continue;
        }
        if (kx0 > 0) memset(d, 0, (size_t)kx0 * p->in_c * 2u);
        mt_host_widen(in + ((size_t)iy * p->in_w + ix0 + kx0) * p->in_c, (kx1 - kx0) * p->in_c,
                      p->in_zp, d + (size_t)kx0 * p->in_c);
        if (kx1 < p->kw) memset(d + (size_t)kx1 * p->in_c, 0, (size_t)(p->kw - kx1) * p->in_c * 2u);
    }
}

/* in [in_h][in_w][in_c] s8, w [out_c][kh][kw][in_c] s8, bias [out_c] s32,
 * out [out_h][out_w][out_c] s8. Output pixels two at a time in raster order. */
void mt_conv_s8_host(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                     const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t k_len = (int32_t)p->kh * p->kw * p->in_c, out_c = p->out_c;
    int32_t n = (int32_t)p->out_h * p->out_w, i;
    mt_dsp_rq_t *q = (mt_dsp_rq_t *)scratch;
    uint8_t *hq_mem = (uint8_t *)scratch + mt_dsp_rq_bytes(out_c);
    int32_t *acc0 = (int32_t *)(void *)(hq_mem + mt_host_rq_bytes(out_c));
    mt_host_rq_t hq;
    int32_t *acc1 = acc0 + mt_host_up8(out_c);
    int16_t *xa = (int16_t *)(void *)(acc1 + mt_host_up8(out_c));
    int16_t *xb = xa + mt_host_up8(k_len);
    if (p->in_zp < -128 || p->in_zp > 127) { /* x - in_zp would not fit int16 */
        mt_conv_s8_ref(p, in, w, bias, rq, out, scratch);
        return;
    }
    int fast = mt_dsp_rq_prepare(q, rq, out_c, p->out_zp);
    hq = mt_host_rq_prepare(hq_mem, q, out_c);
    memset(xa, 0, 2u * mt_host_i16_bytes(k_len)); /* lanes past k_len stay zero */
    for (i = 0; i < n; i += 2) {
        int32_t i1 = i + 1 < n ? i + 1 : i;
        gather(p, in, i / p->out_w, i % p->out_w, xa);
        gather(p, in, i1 / p->out_w, i1 % p->out_w, xb);
        mt_host_gemm2(xa, xb, w, k_len, out_c, bias, acc0, acc1);
        mt_host_requant_row(acc0, q, fast, hq, out_c, p->out_zp, p->act_min, p->act_max,
                            out + (size_t)i * out_c);
        if (i1 != i) {
            mt_host_requant_row(acc1, q, fast, hq, out_c, p->out_zp, p->act_min, p->act_max,
                                out + (size_t)i1 * out_c);
        }
    }
}
