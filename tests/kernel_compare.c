/* The shared harness of the kernel-set tests: see kernel_compare.h. */
#include "kernel_compare.h"

#include <stdio.h>
#include <string.h>

int8_t kc_in[KC_MAX_IN], kc_w[KC_MAX_W];
int8_t kc_ref[KC_MAX_OUT + KC_GUARD], kc_out[KC_MAX_OUT + KC_GUARD];
uint32_t kc_scratch[(KC_MAX_SCRATCH + KC_GUARD) / 4];
int32_t kc_bias[KC_MAX_CH], kc_mult[KC_MAX_CH], kc_shift[KC_MAX_CH];

void kc_rand_requant(mt_rng_t *rng, int32_t n) {
    int mode = mt_rng_range(rng, 0, 7);
    for (int32_t c = 0; c < n; c++) {
        int kind = mode < 5 ? 0 : mt_rng_range(rng, 0, 3);
        kc_mult[c] = mt_rng_range(rng, 1 << 30, 0x7fffffff);
        switch (kind) {
        case 0: kc_shift[c] = -mt_rng_range(rng, 1, 14); break;
        case 1: kc_shift[c] = mt_rng_range(rng, 0, 3); break;
        case 2: kc_shift[c] = -mt_rng_range(rng, 20, 31); break;
        default:
            kc_mult[c] = 0;
            kc_shift[c] = 0;
            break;
        }
    }
}

void kc_rand_bias(mt_rng_t *rng, int32_t n, int32_t spread) {
    for (int32_t c = 0; c < n; c++) kc_bias[c] = mt_rng_range(rng, -spread, spread);
}

void kc_fill_s8(mt_rng_t *rng, int8_t *p, int32_t n, int lo, int hi) {
    for (int32_t i = 0; i < n; i++) p[i] = (int8_t)mt_rng_range(rng, lo, hi);
}

void kc_rand_act(mt_rng_t *rng, mt_conv_params_t *p) {
    p->in_zp = mt_rng_range(rng, -128, 127);
    p->out_zp = mt_rng_range(rng, -128, 127);
    switch (mt_rng_range(rng, 0, 2)) {
    case 0: p->act_min = -128; p->act_max = 127; break;
    case 1: p->act_min = (int8_t)p->out_zp; p->act_max = 127; break;
    default:
        p->act_min = (int8_t)mt_rng_range(rng, -128, 127);
        p->act_max = (int8_t)mt_rng_range(rng, p->act_min, 127);
        break;
    }
}

void kc_prepare_outputs(size_t n, size_t scratch_bytes) {
    memset(kc_ref, 0x11, n + KC_GUARD);
    memset(kc_out, 0x22, n);
    memset(kc_out + n, KC_GUARD_BYTE, KC_GUARD);
    memset((uint8_t *)kc_scratch + scratch_bytes, KC_GUARD_BYTE, KC_GUARD);
}

int kc_compare(size_t n, size_t scratch_bytes, const char *what) {
    int ok = mt_check_s8(kc_out, kc_ref, n, 0, what) == 0;
    for (size_t i = 0; i < KC_GUARD; i++) {
        ok &= CHECK((uint8_t)kc_out[n + i] == KC_GUARD_BYTE);
        ok &= CHECK(((uint8_t *)kc_scratch)[scratch_bytes + i] == KC_GUARD_BYTE);
    }
    return ok;
}

void kc_test_pointwise(const kc_set_t *set, uint32_t seed, int cases) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int k = 0; k < cases; k++) {
        mt_conv_params_t p;
        memset(&p, 0, sizeof p);
        p.in_h = p.out_h = (uint16_t)mt_rng_range(&rng, 1, 9);
        p.in_w = p.out_w = (uint16_t)mt_rng_range(&rng, 1, 9);
        p.in_c = (uint16_t)(k % 3 == 0 ? 4 * mt_rng_range(&rng, 1, 24) : mt_rng_range(&rng, 1, 96));
        p.out_c = (uint16_t)mt_rng_range(&rng, 1, set->max_ch);
        p.kh = p.kw = p.stride_h = p.stride_w = 1;
        if ((int32_t)p.in_h * p.in_w * p.in_c > KC_MAX_IN || (int32_t)p.in_c * p.out_c > KC_MAX_W ||
            (int32_t)p.in_h * p.in_w * p.out_c > KC_MAX_OUT) {
            k--;
            continue;
        }
        kc_rand_act(&rng, &p);
        kc_fill_s8(&rng, kc_in, p.in_h * p.in_w * p.in_c, -128, 127);
        kc_fill_s8(&rng, kc_w, p.in_c * p.out_c, -127, 127);
        kc_rand_bias(&rng, p.out_c, 1 << mt_rng_range(&rng, 4, 20));
        kc_rand_requant(&rng, p.out_c);
        mt_requant_t rq = {kc_mult, kc_shift};
        size_t n = (size_t)p.in_h * p.in_w * p.out_c, sb = set->pointwise_scratch(&p);
        if (!CHECK(sb <= set->max_scratch && sb % 4 == 0)) return;
        kc_prepare_outputs(n, sb);
        mt_pointwise_s8_ref(&p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        set->pointwise(&p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        if (!kc_compare(n, sb, "pointwise")) {
            printf("  pointwise case %d: %dx%d, %d -> %d ch\n", k, p.in_h, p.in_w, p.in_c, p.out_c);
            return;
        }
    }
    printf("pointwise: %d random shapes\n", cases);
}

void kc_test_windowed(const kc_set_t *set, int depthwise, uint32_t seed, int cases) {
    static const uint8_t ks[] = {1, 3, 5, 7};
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int k = 0; k < cases; k++) {
        mt_conv_params_t p;
        int32_t pad_b, pad_r;
        memset(&p, 0, sizeof p);
        p.kh = ks[k % 4];
        p.kw = k % 7 == 0 ? ks[mt_rng_range(&rng, 0, 3)] : p.kh;
        p.stride_h = (uint8_t)mt_rng_range(&rng, 1, 2);
        p.stride_w = k % 5 == 0 ? (uint8_t)(3 - p.stride_h) : p.stride_h;
        p.pad_top = (uint8_t)mt_rng_range(&rng, 0, p.kh - 1);
        p.pad_left = (uint8_t)mt_rng_range(&rng, 0, p.kw - 1);
        pad_b = mt_rng_range(&rng, 0, p.kh - 1);
        pad_r = mt_rng_range(&rng, 0, p.kw - 1);
        p.in_h = (uint16_t)mt_rng_range(&rng, 1, 20);
        p.in_w = (uint16_t)mt_rng_range(&rng, 1, 20);
        if (p.in_h + p.pad_top + pad_b < p.kh || p.in_w + p.pad_left + pad_r < p.kw) {
            k--;
            continue;
        }
        p.out_h = (uint16_t)((p.in_h + p.pad_top + pad_b - p.kh) / p.stride_h + 1);
        p.out_w = (uint16_t)((p.in_w + p.pad_left + pad_r - p.kw) / p.stride_w + 1);
        if (depthwise) {
            p.in_c = p.out_c = (uint16_t)(k % 3 == 0 ? 4 * mt_rng_range(&rng, 1, 12)
                                                     : mt_rng_range(&rng, 1, 48));
        } else {
            p.in_c = (uint16_t)mt_rng_range(&rng, 1, 8);
            p.out_c = (uint16_t)mt_rng_range(&rng, 1, 24);
        }
        int32_t n_in = p.in_h * p.in_w * p.in_c;
        int32_t n_w = depthwise ? p.kh * p.kw * p.in_c : p.out_c * p.kh * p.kw * p.in_c;
        int32_t n_out = p.out_h * p.out_w * p.out_c;
        if (n_in > KC_MAX_IN || n_w > KC_MAX_W || n_out > KC_MAX_OUT) {
            k--;
            continue;
        }
        kc_rand_act(&rng, &p);
        kc_fill_s8(&rng, kc_in, n_in, -128, 127);
        kc_fill_s8(&rng, kc_w, n_w, -127, 127);
        kc_rand_bias(&rng, p.out_c, 1 << mt_rng_range(&rng, 4, 20));
        kc_rand_requant(&rng, p.out_c);
        mt_requant_t rq = {kc_mult, kc_shift};
        size_t sb = depthwise ? set->depthwise_scratch(&p) : set->conv_scratch(&p);
        if (!CHECK(sb <= set->max_scratch && sb % 4 == 0)) return;
        kc_prepare_outputs((size_t)n_out, sb);
        if (depthwise) {
            mt_depthwise_s8_ref(&p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
            set->depthwise(&p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        } else {
            mt_conv_s8_ref(&p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
            set->conv(&p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        }
        if (!kc_compare((size_t)n_out, sb, depthwise ? "depthwise" : "conv")) {
            printf("  case %d: in %dx%dx%d k %dx%d s %d,%d pad %d,%d out %dx%dx%d\n", k, p.in_h,
                   p.in_w, p.in_c, p.kh, p.kw, p.stride_h, p.stride_w, p.pad_top, p.pad_left,
                   p.out_h, p.out_w, p.out_c);
            return;
        }
    }
    printf("%s: %d random shapes\n", depthwise ? "depthwise" : "conv", cases);
}

void kc_params_from_row(const int16_t *d, mt_conv_params_t *p) {
    memset(p, 0, sizeof *p);
    p->in_h = (uint16_t)d[1];
    p->in_w = (uint16_t)d[2];
    p->in_c = (uint16_t)d[3];
    p->out_c = (uint16_t)d[4];
    p->kh = p->kw = (uint8_t)d[5];
    p->stride_h = p->stride_w = (uint8_t)d[6];
    p->pad_top = p->pad_left = (uint8_t)d[7];
    p->out_h = (uint16_t)(d[7] ? (d[1] + d[6] - 1) / d[6] : (d[1] - d[5]) / d[6] + 1);
    p->out_w = (uint16_t)(d[7] ? (d[2] + d[6] - 1) / d[6] : (d[2] - d[5]) / d[6] + 1);
}
