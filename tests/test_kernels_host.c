/* The fast host kernels (the *_host functions, SSE2 on x86-64, plain C elsewhere) against
 * the reference ones (*_ref) bit for bit, on random shapes: every kernel size 1/3/5/7,
 * strides 1 and 2, asymmetric and bottom/right-implied paddings, odd channel counts (the
 * SIMD tails), every kind of requantization multiplier and clamp. The reference kernels are
 * themselves checked against float in test_kernels.c. Also checks the host requantization
 * row against mt_requant_clamp_s8 on extreme accumulators, that no kernel writes outside its
 * output or its scratch, and the shipped extractors' layer shapes (MCUNet at 64 px). */
#include <stdio.h>
#include <string.h>

#include "../src/kernels/host_util.h"
#include "microt/kernels.h"
#include "kernel_compare.h"
#include "test_util.h"

#define MAX_CH 512
#define MAX_SCRATCH 65536

static const kc_set_t SET = {
    mt_pointwise_s8_host, mt_depthwise_s8_host, mt_conv_s8_host,
    mt_pointwise_s8_scratch_bytes_host, mt_depthwise_s8_scratch_bytes_host, mt_conv_s8_scratch_bytes_host,
    512, 65536};

/* mt_host_requant_row equals mt_requant_clamp_s8 for every kind of multiplier (right shifts
 * 1..24 on the fast path, left shifts, tiny and zero multipliers on the general one), every
 * zero point and clamp, at the extremes of int32 and around rounding ties. */
static void test_requant_row(void) {
    static int32_t acc[MAX_CH];
    static int8_t got[MAX_CH];
    mt_dsp_rq_t q[MAX_CH];
    static uint32_t hq_mem[MAX_CH * 4];
    mt_rng_t rng;
    long bad = 0, n = 0;
    mt_rng_seed(&rng, 0x0d5c0001u);
    for (int rep = 0; rep < 2000; rep++) {
        int32_t len = mt_rng_range(&rng, 1, MAX_CH);
        mt_conv_params_t p;
        memset(&p, 0, sizeof p);
        kc_rand_act(&rng, &p);
        kc_rand_requant(&rng, len);
        for (int32_t c = 0; c < len; c++) {
            if (rep % 3 == 0) kc_shift[c] = -mt_rng_range(&rng, 1, MT_DSP_RQ_MAX_RIGHT);
            switch (mt_rng_range(&rng, 0, 4)) {
            case 0: acc[c] = (int32_t)mt_rng_u32(&rng); break;
            case 1: acc[c] = c & 1 ? INT32_MIN + mt_rng_range(&rng, 0, 3) : INT32_MAX - mt_rng_range(&rng, 0, 3); break;
            case 2: acc[c] = mt_rng_range(&rng, -5000, 5000); break;
            default: {
                /* near a tie of the final division: x*mult ~ (k + 1/2) 2^(31+r) */
                int32_t r = -kc_shift[c];
                int64_t k = mt_rng_range(&rng, -100, 100), x = 0;
                if (r >= 1 && r <= MT_DSP_RQ_MAX_RIGHT && kc_mult[c] > 0) {
                    x = ((2 * k + 1) * ((int64_t)1 << (30 + r))) / kc_mult[c];
                    x += mt_rng_range(&rng, -2, 2);
                }
                if (x > INT32_MAX || x < INT32_MIN) x = 0;
                acc[c] = (int32_t)x;
                break;
            }
            }
        }
        mt_requant_t rq = {kc_mult, kc_shift};
        int fast = mt_dsp_rq_prepare(q, rq, len, p.out_zp);
        mt_host_rq_t hq = mt_host_rq_prepare(hq_mem, q, len);
        mt_host_requant_row(acc, q, fast, hq, len, p.out_zp, p.act_min, p.act_max, got);
        for (int32_t c = 0; c < len; c++, n++) {
            int8_t want = mt_requant_clamp_s8(acc[c], kc_mult[c], kc_shift[c], p.out_zp, p.act_min, p.act_max);
            if (got[c] != want && bad++ < 5) {
                printf("requant row: acc %ld mult %ld shift %ld zp %ld [%d, %d]: got %d want %d\n",
                       (long)acc[c], (long)kc_mult[c], (long)kc_shift[c], (long)p.out_zp, p.act_min,
                       p.act_max, got[c], want);
            }
        }
    }
    CHECK_EQ(bad, 0);
    printf("requant row: %ld values\n", n);
}

typedef enum { K_PW, K_DW, K_CONV } kind_t;

/* One layer of the given geometry with fresh random data and requantization: *_host == *_ref. */
static int run_layer(kind_t kind, mt_conv_params_t *p, mt_rng_t *rng) {
    int32_t n_in = p->in_h * p->in_w * p->in_c;
    int32_t n_w = kind == K_DW ? p->kh * p->kw * p->in_c : p->out_c * p->kh * p->kw * p->in_c;
    int32_t n_out = p->out_h * p->out_w * p->out_c;
    if (!CHECK(n_in <= KC_MAX_IN && n_w <= KC_MAX_W && n_out <= KC_MAX_OUT && p->out_c <= MAX_CH)) return 0;
    kc_rand_act(rng, p);
    kc_fill_s8(rng, kc_in, n_in, -128, 127);
    kc_fill_s8(rng, kc_w, n_w, -127, 127);
    kc_rand_bias(rng, p->out_c, 1 << mt_rng_range(rng, 4, 20));
    kc_rand_requant(rng, p->out_c);
    mt_requant_t rq = {kc_mult, kc_shift};
    size_t sb = kind == K_PW   ? mt_pointwise_s8_scratch_bytes_host(p)
                : kind == K_DW ? mt_depthwise_s8_scratch_bytes_host(p)
                               : mt_conv_s8_scratch_bytes_host(p);
    if (!CHECK(sb <= MAX_SCRATCH && sb % 4 == 0)) return 0;
    kc_prepare_outputs((size_t)n_out, sb);
    switch (kind) {
    case K_PW:
        mt_pointwise_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_pointwise_s8_host(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        break;
    case K_DW:
        mt_depthwise_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_depthwise_s8_host(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        break;
    default:
        mt_conv_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_conv_s8_host(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        break;
    }
    return kc_compare((size_t)n_out, sb, kind == K_PW ? "pointwise" : kind == K_DW ? "depthwise" : "conv");
}

/* The six layer kinds of bench/bench_shapes.c (issue 6) and the shipped extractors' other
 * shapes, shrunk to fit: 3-channel stem, 120 channels, 7x7 stride 2, FC 160 -> 10. Each with
 * several random data sets, so every requantization mode and activation is met. */
static void test_fixed_shapes(uint32_t seed) {
    /* kind, in_h, in_w, in_c, out_c, k, stride, pad */
    static const int16_t shapes[][8] = {
        {K_PW, 7, 7, 16, 48, 1, 1, 0},    {K_PW, 5, 5, 96, 24, 1, 1, 0},
        {K_PW, 3, 5, 144, 40, 1, 1, 0},   {K_DW, 12, 12, 48, 48, 3, 1, 1},
        {K_DW, 8, 8, 120, 120, 5, 1, 2},  {K_DW, 11, 11, 48, 48, 3, 2, 1},
        {K_DW, 9, 8, 40, 40, 5, 2, 2},    {K_DW, 8, 8, 96, 96, 7, 2, 3},
        {K_DW, 10, 10, 44, 44, 3, 1, 0},  {K_DW, 9, 11, 32, 32, 7, 1, 3},
        {K_DW, 7, 13, 20, 20, 5, 1, 2},   {K_CONV, 32, 32, 3, 16, 3, 2, 1},
        {K_CONV, 17, 15, 3, 8, 3, 2, 1},  {K_CONV, 9, 9, 8, 12, 3, 1, 1},
        /* MCUNet at 64 px (factory/students.py): stem, first block, then 16..2 px stages */
        {K_CONV, 64, 64, 3, 16, 3, 2, 1}, {K_DW, 32, 32, 16, 16, 3, 1, 1},
        {K_PW, 32, 32, 16, 8, 1, 1, 0},   {K_DW, 16, 16, 32, 32, 7, 2, 3},
        {K_PW, 8, 8, 24, 120, 1, 1, 0},   {K_DW, 8, 8, 120, 120, 7, 2, 3},
        {K_DW, 4, 4, 160, 160, 5, 1, 2},  {K_PW, 4, 4, 192, 48, 1, 1, 0},
        {K_PW, 2, 2, 96, 480, 1, 1, 0},   {K_DW, 2, 2, 384, 384, 7, 1, 3},
        {K_DW, 2, 2, 480, 480, 3, 1, 1},  {K_PW, 2, 2, 480, 160, 1, 1, 0},
    };
    mt_rng_t rng;
    int n = 0;
    mt_rng_seed(&rng, seed);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (int rep = 0; rep < 8; rep++, n++) {
            const int16_t *d = shapes[s];
            mt_conv_params_t p;
            kc_params_from_row(d, &p);
            if (!run_layer((kind_t)d[0], &p, &rng)) {
                printf("  fixed shape %d (rep %d)\n", (int)s, rep);
                return;
            }
        }
    }
    printf("fixed shapes: %d layers\n", n);
}

int main(void) {
    test_requant_row();
    kc_test_pointwise(&SET, 0x0d5c0002u, 300);
    kc_test_windowed(&SET, 1, 0x0d5c0003u, 400);
    kc_test_windowed(&SET, 0, 0x0d5c0004u, 200);
    test_fixed_shapes(0x0d5c0006u);
    return mt_test_summary("test_kernels_host");
}
