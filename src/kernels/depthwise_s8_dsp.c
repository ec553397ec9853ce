/* Optimized int8 depthwise convolution (channel multiplier 1) for Cortex-M4/M7: picks the
 * path from the layer's shape (depthwise_s8_dsp.h) and hands over. Bit for bit equal to
 * mt_depthwise_s8_ref; never allocates; may run with out == in when
 * mt_depthwise_s8_in_place_dsp says so (the planner then aliases the two tensors). */
#include "depthwise_s8_dsp.h"

/* The taps [k0, k1) of a window of k taps whose some output reaches the input [0, n):
 * output o (0 <= o < n_out) reads input o * s - pad + j for tap j. */
static void tap_range(int32_t n, int32_t n_out, int32_t k, int32_t s, int32_t pad, int32_t *k0,
                      int32_t *k1) {
    int32_t lo = pad - (n_out - 1) * s, hi = pad + n;
    *k0 = lo > 0 ? lo : 0;
    *k1 = hi < k ? hi : k;
    if (*k1 < *k0) *k1 = *k0;
}

void mt_dw_trim(const mt_conv_params_t *p, mt_dw_layer_t *l) {
    int32_t ky1, kx1;
    l->p = *p;
    l->kw_full = p->kw;
    tap_range(p->in_h, p->out_h, p->kh, p->stride_h, p->pad_top, &l->ky0, &ky1);
    tap_range(p->in_w, p->out_w, p->kw, p->stride_w, p->pad_left, &l->kx0, &kx1);
    l->p.kh = (uint8_t)(ky1 - l->ky0);
    l->p.kw = (uint8_t)(kx1 - l->kx0);
    l->p.pad_top = (uint8_t)(p->pad_top - l->ky0);
    l->p.pad_left = (uint8_t)(p->pad_left - l->kx0);
}

mt_dw_path_t mt_dw_path_of(const mt_dw_layer_t *l) {
    const mt_conv_params_t *p = &l->p;
    if (p->kh == 0 || p->kw == 0) return MT_DW_PATH_REF; /* no tap reaches the input */
    if (mt_dw_quad_applies(l)) return MT_DW_PATH_QUAD;
    if ((int32_t)p->out_h * p->out_w <= 4) return MT_DW_PATH_DIRECT;
    if (p->kh == p->kw && (p->kh == 3 || p->kh == 5 || p->kh == 7) &&
        p->stride_h == p->stride_w && (p->stride_h == 1 || p->stride_h == 2)) {
        return MT_DW_PATH_PLANES;
    }
    return MT_DW_PATH_REF;
}

mt_dw_path_t mt_depthwise_s8_dsp_path(const mt_conv_params_t *p) {
    mt_dw_layer_t l;
    mt_dw_trim(p, &l);
    return mt_dw_path_of(&l);
}

size_t mt_depthwise_s8_scratch_bytes_dsp(const mt_conv_params_t *p) {
    mt_dw_layer_t l;
    mt_dw_trim(p, &l);
    switch (mt_dw_path_of(&l)) {
    case MT_DW_PATH_PLANES: return mt_dw_planes_scratch_bytes(&l);
    case MT_DW_PATH_QUAD: return mt_dw_quad_scratch_bytes();
    default: return 0u;
    }
}

int mt_depthwise_s8_in_place_dsp(const mt_conv_params_t *p) {
    mt_dw_layer_t l;
    if ((int32_t)p->out_h * p->out_w > (int32_t)p->in_h * p->in_w) return 0;
    mt_dw_trim(p, &l);
    switch (mt_dw_path_of(&l)) {
    case MT_DW_PATH_DIRECT: /* a group's outputs are stored after all its reads */
    case MT_DW_PATH_QUAD: return 1;
    case MT_DW_PATH_PLANES: return mt_dw_planes_in_place(&l);
    default: return 0;
    }
}

void mt_depthwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    mt_dw_layer_t l;
    mt_dw_trim(p, &l);
    switch (mt_dw_path_of(&l)) {
    case MT_DW_PATH_PLANES: mt_dw_planes_run(&l, in, w, bias, rq, out, scratch); break;
    case MT_DW_PATH_QUAD: mt_dw_quad_run(&l, in, w, bias, rq, out, scratch); break;
    case MT_DW_PATH_DIRECT: mt_dw_direct_run(&l, in, w, bias, rq, out); break;
    default: mt_depthwise_s8_ref(p, in, w, bias, rq, out, scratch); break;
    }
}
