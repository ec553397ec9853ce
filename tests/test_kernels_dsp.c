/* The optimized kernels (the *_dsp functions) against the reference ones (*_ref) bit
 * for bit, on random shapes: every kernel size 1/3/5/7, strides 1 and 2, asymmetric and
 * bottom/right-implied paddings, odd channel counts, every kind of requantization multiplier.
 * The reference kernels are themselves checked against float in test_kernels.c. Both variants
 * are always compiled, so this runs on the host (portable twins of the SIMD instructions) and
 * under QEMU on Cortex-M4/M7 (the real instructions). Also checks the fast requantization
 * formula against mt_requant on extreme accumulators, that no kernel writes outside its
 * output or its scratch, the benchmark's layer shapes (shrunk) with 3 to 144 channels, and
 * every layer shape of the shipped MCUNet-64 extractors (16 to 480 channels, 2x2 to 64x64). */
#include <stdio.h>
#include <string.h>

#include "../src/kernels/depthwise_s8_dsp.h"
#include "../src/kernels/dsp_util.h"
#include "microt/kernels.h"
#include "kernel_compare.h"
#include "test_util.h"

#define MAX_CH 480
#define MAX_SCRATCH 8192

static const kc_set_t SET = {
    mt_pointwise_s8_dsp, mt_depthwise_s8_dsp, mt_conv_s8_dsp,
    mt_pointwise_s8_scratch_bytes_dsp, mt_depthwise_s8_scratch_bytes_dsp, mt_conv_s8_scratch_bytes_dsp,
    480, 8192};

/* The fast requantization equals mt_requant + zp for every right shift 1..24, every zero
 * point, at the extremes of int32 and around every rounding tie. */
static void test_requant_fast(void) {
    mt_rng_t rng;
    long bad = 0, n = 0;
    mt_rng_seed(&rng, 0x0d5b0001u);
    for (int32_t r = 1; r <= MT_DSP_RQ_MAX_RIGHT; r++) {
        for (int rep = 0; rep < 400; rep++) {
            int32_t mult = rep == 0 ? (1 << 30) : rep == 1 ? 0x7fffffff
                                                           : mt_rng_range(&rng, 1 << 30, 0x7fffffff);
            int32_t zp = rep < 4 ? (rep & 1 ? 127 : -128) : mt_rng_range(&rng, -128, 127);
            int32_t shift = -r;
            mt_requant_t rq = {&mult, &shift};
            mt_dsp_rq_t q;
            int32_t acc;
            CHECK(mt_dsp_rq_prepare(&q, rq, 1, zp) == 1);
            switch (rep % 5) {
            case 0: acc = (int32_t)mt_rng_u32(&rng); break;
            case 1: acc = rep & 2 ? INT32_MIN + mt_rng_range(&rng, 0, 3) : INT32_MAX - mt_rng_range(&rng, 0, 3); break;
            case 2: acc = mt_rng_range(&rng, -5000, 5000); break;
            default: {
                /* near a tie of the final division: x*mult ~ (k + 1/2) 2^(31+r) */
                int64_t k = mt_rng_range(&rng, -100, 100);
                int64_t x = ((2 * k + 1) * ((int64_t)1 << (30 + r))) / mult;
                x += mt_rng_range(&rng, -2, 2);
                if (x > INT32_MAX || x < INT32_MIN) x = 0;
                acc = (int32_t)x;
                break;
            }
            }
            int32_t want = mt_requant(acc, mult, shift) + zp;
            int32_t got = mt_dsp_rq_fast(acc, q.mult, q.k_lo, q.k_hi, q.rsh);
            n++;
            if (got != want && bad++ < 5) {
                printf("requant fast: acc %ld mult %ld r %ld zp %ld: got %ld want %ld\n", (long)acc,
                       (long)mult, (long)r, (long)zp, (long)got, (long)want);
            }
        }
    }
    CHECK_EQ(bad, 0);
    printf("requant fast: %ld cases\n", n);
}

static void test_fully_connected(uint32_t seed, int cases) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int k = 0; k < cases; k++) {
        mt_conv_params_t p;
        int32_t in_len = k % 3 == 0 ? 4 * mt_rng_range(&rng, 1, 64) : mt_rng_range(&rng, 1, 256);
        int32_t out_len = mt_rng_range(&rng, 1, 40);
        memset(&p, 0, sizeof p);
        kc_rand_act(&rng, &p);
        kc_fill_s8(&rng, kc_in, in_len, -128, 127);
        kc_fill_s8(&rng, kc_w, in_len * out_len, -127, 127);
        kc_rand_bias(&rng, out_len, 1 << mt_rng_range(&rng, 4, 20));
        kc_rand_requant(&rng, out_len);
        mt_requant_t rq = {kc_mult, kc_shift};
        kc_prepare_outputs((size_t)out_len, 0);
        mt_fully_connected_s8_ref(in_len, out_len, kc_in, kc_w, kc_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, kc_ref);
        mt_fully_connected_s8_dsp(in_len, out_len, kc_in, kc_w, kc_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, kc_out);
        if (!kc_compare((size_t)out_len, 0, "fully connected")) {
            printf("  case %d: %ld -> %ld\n", k, (long)in_len, (long)out_len);
            return;
        }
    }
    printf("fully connected: %d random shapes\n", cases);
}

typedef enum { K_PW, K_DW, K_CONV } kind_t;

/* Which depthwise paths and plane-rows kernels the layers below took (each must be met). */
static int g_dw_paths[4], g_dw_kernels[12], g_dw_in_place;
static int8_t g_in_place[KC_MAX_IN + KC_GUARD];

/* Depthwise with out == in, where the DSP kernel says it may: the output must equal the
 * reference's, and nothing beyond the output may change (the rest of the input stays). */
static int check_in_place(const mt_conv_params_t *p, mt_requant_t rq, size_t sb) {
    size_t n_in = (size_t)p->in_h * p->in_w * p->in_c, n_out = (size_t)p->out_h * p->out_w * p->out_c;
    if (!mt_depthwise_s8_in_place_dsp(p)) return 1;
    g_dw_in_place++;
    memcpy(g_in_place, kc_in, n_in);
    memset(g_in_place + n_in, KC_GUARD_BYTE, KC_GUARD);
    mt_depthwise_s8_dsp(p, g_in_place, kc_w, kc_bias, rq, g_in_place, kc_scratch);
    (void)sb;
    int ok = CHECK(n_out <= n_in) && mt_check_s8(g_in_place, kc_ref, n_out, 0, "depthwise in place") == 0 &&
             CHECK(memcmp(g_in_place + n_out, kc_in + n_out, n_in - n_out) == 0);
    for (size_t i = 0; i < KC_GUARD; i++) ok &= CHECK(g_in_place[n_in + i] == KC_GUARD_BYTE);
    return ok;
}

/* One layer of the given geometry with fresh random data and requantization: *_dsp == *_ref. */
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
    size_t sb = kind == K_PW   ? mt_pointwise_s8_scratch_bytes_dsp(p)
                : kind == K_DW ? mt_depthwise_s8_scratch_bytes_dsp(p)
                               : mt_conv_s8_scratch_bytes_dsp(p);
    if (!CHECK(sb <= MAX_SCRATCH && sb % 4 == 0)) return 0;
    kc_prepare_outputs((size_t)n_out, sb);
    switch (kind) {
    case K_PW:
        mt_pointwise_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_pointwise_s8_dsp(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        break;
    case K_DW: {
        mt_dw_layer_t l;
        mt_dw_trim(p, &l);
        g_dw_paths[mt_dw_path_of(&l)]++;
        if (mt_dw_path_of(&l) == MT_DW_PATH_PLANES) g_dw_kernels[mt_dw_planes_kernel(&l)]++;
        mt_depthwise_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_depthwise_s8_dsp(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
        if (!check_in_place(p, rq, sb)) return 0;
        break;
    }
    default:
        mt_conv_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_conv_s8_dsp(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
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
        /* scratch-free tails (output rows / pixels as working memory: input + output >= 32 KB),
         * odd channel counts */
        {K_PW, 40, 40, 13, 9, 1, 1, 0},  {K_PW, 41, 40, 6, 15, 1, 1, 0},
        {K_DW, 34, 34, 26, 26, 7, 2, 3}, {K_DW, 40, 40, 11, 11, 5, 1, 2},
        /* every layer shape of the shipped MCUNet-64 extractors at full size */
        {K_CONV, 64, 64, 3, 16, 3, 2, 1}, {K_DW, 32, 32, 16, 16, 3, 1, 1},
        {K_PW, 32, 32, 16, 8, 1, 1, 0},   {K_PW, 32, 32, 8, 32, 1, 1, 0},
        {K_DW, 32, 32, 32, 32, 7, 2, 3},  {K_PW, 16, 16, 32, 16, 1, 1, 0},
        {K_PW, 16, 16, 16, 48, 1, 1, 0},  {K_DW, 16, 16, 48, 48, 3, 1, 1},
        {K_PW, 16, 16, 48, 16, 1, 1, 0},  {K_PW, 16, 16, 16, 64, 1, 1, 0},
        {K_DW, 16, 16, 64, 64, 5, 2, 2},  {K_PW, 8, 8, 64, 24, 1, 1, 0},
        {K_PW, 8, 8, 24, 72, 1, 1, 0},    {K_DW, 8, 8, 72, 72, 5, 1, 2},
        {K_PW, 8, 8, 72, 24, 1, 1, 0},    {K_PW, 8, 8, 24, 96, 1, 1, 0},
        {K_DW, 8, 8, 96, 96, 3, 1, 1},    {K_PW, 8, 8, 96, 24, 1, 1, 0},
        {K_PW, 8, 8, 24, 120, 1, 1, 0},   {K_DW, 8, 8, 120, 120, 7, 2, 3},
        {K_PW, 4, 4, 120, 40, 1, 1, 0},   {K_PW, 4, 4, 40, 160, 1, 1, 0},
        {K_DW, 4, 4, 160, 160, 5, 1, 2},  {K_PW, 4, 4, 160, 40, 1, 1, 0},
        {K_DW, 4, 4, 160, 160, 3, 1, 1},  {K_PW, 4, 4, 40, 200, 1, 1, 0},
        {K_DW, 4, 4, 200, 200, 5, 1, 2},  {K_PW, 4, 4, 200, 48, 1, 1, 0},
        {K_PW, 4, 4, 48, 192, 1, 1, 0},   {K_DW, 4, 4, 192, 192, 3, 1, 1},
        {K_PW, 4, 4, 192, 48, 1, 1, 0},   {K_PW, 4, 4, 48, 288, 1, 1, 0},
        {K_DW, 4, 4, 288, 288, 5, 2, 2},  {K_PW, 2, 2, 288, 96, 1, 1, 0},
        {K_PW, 2, 2, 96, 384, 1, 1, 0},   {K_DW, 2, 2, 384, 384, 7, 1, 3},
        {K_PW, 2, 2, 384, 96, 1, 1, 0},   {K_DW, 2, 2, 384, 384, 3, 1, 1},
        {K_PW, 2, 2, 96, 480, 1, 1, 0},   {K_DW, 2, 2, 480, 480, 3, 1, 1},
        {K_PW, 2, 2, 480, 160, 1, 1, 0},
        /* the depthwise plane path (3x3 stride 1, out_w % 4 == 0, maps up to 16x16): odd
         * channel tails, "valid" padding, non-square maps */
        {K_DW, 16, 12, 13, 13, 3, 1, 1}, {K_DW, 6, 10, 7, 7, 3, 1, 0},
        {K_DW, 4, 4, 6, 6, 3, 1, 1},     {K_DW, 10, 18, 9, 9, 3, 1, 0},
        /* ... and 5x5 (out_w + 4 <= 18): same and valid padding, odd channels, non-square */
        {K_DW, 12, 8, 13, 13, 5, 1, 2}, {K_DW, 10, 8, 7, 7, 5, 1, 0},
        {K_DW, 4, 4, 6, 6, 5, 1, 2},     {K_DW, 16, 12, 5, 5, 5, 1, 2},
        {K_DW, 6, 16, 3, 3, 5, 1, 0},
        /* ... and stride 2, 5x5 and 7x7 (row_pixels <= 20, plane rows <= 20) */
        {K_DW, 16, 16, 13, 13, 5, 2, 2}, {K_DW, 8, 8, 10, 10, 7, 2, 3},
        {K_DW, 13, 8, 7, 7, 7, 2, 3},    {K_DW, 13, 11, 6, 6, 5, 2, 0},
        {K_DW, 7, 13, 5, 5, 7, 2, 0},    {K_DW, 9, 8, 9, 9, 5, 2, 2},
        /* the small-map direct path (<= 4 input and output pixels): odd channels, strides,
         * 1x4 and 4x1 maps, 1x1 kernels */
        {K_DW, 2, 2, 7, 7, 3, 1, 1},     {K_DW, 2, 2, 13, 13, 7, 1, 3},
        {K_DW, 1, 4, 9, 9, 3, 1, 1},     {K_DW, 4, 1, 6, 6, 5, 1, 2},
        {K_DW, 2, 2, 10, 10, 3, 2, 1},   {K_DW, 2, 2, 5, 5, 1, 1, 0},
        {K_DW, 1, 1, 3, 3, 3, 1, 1},     {K_DW, 2, 2, 48, 48, 5, 2, 2},
        /* the depthwise band ring (5x5/7x7 stride 2, maps too wide for whole planes): in
         * scratch, and scratch-free (input + output >= 32 KB) with 4- and 2-lane rings and
         * direct last rows; odd channels, same and valid padding */
        {K_DW, 36, 40, 9, 9, 5, 2, 2},   {K_DW, 40, 43, 19, 19, 5, 2, 0},
        {K_DW, 33, 32, 31, 31, 7, 2, 3}, {K_DW, 30, 21, 7, 7, 7, 2, 0},
        {K_DW, 32, 32, 30, 30, 7, 2, 2},
        /* the depthwise wide plane bands (3x3 stride 1, out_w % 4 == 0, row_pixels 21..34):
         * odd channels, a last band of 1 row, valid padding at 34 columns, a single band */
        {K_DW, 20, 24, 13, 13, 3, 1, 1}, {K_DW, 17, 28, 6, 6, 3, 1, 1},
        {K_DW, 11, 34, 7, 7, 3, 1, 0},   {K_DW, 3, 20, 5, 5, 3, 1, 1},
        /* 3x3 pad 1 on 2x2 maps, the per-group path of MCUNet's last blocks: many groups
         * (random requantization makes some channels slow), and a 1-channel tail group */
        {K_DW, 2, 2, 96, 96, 3, 1, 1},   {K_DW, 2, 2, 61, 61, 3, 1, 1},
    };
    mt_rng_t rng;
    int n = 0;
    mt_rng_seed(&rng, seed);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int reps = s < 18 ? 8 : 3; /* the full-size layers: 3 data sets each */
        for (int rep = 0; rep < reps; rep++, n++) {
            const int16_t *d = shapes[s];
            mt_conv_params_t p;
            kc_params_from_row(d, &p);
            if (!run_layer((kind_t)d[0], &p, &rng)) {
                printf("  fixed shape %d (rep %d)\n", (int)s, rep);
                return;
            }
        }
    }
    for (int rep = 0; rep < 16; rep++, n++) {
        static const int32_t fc[][2] = {{160, 10}, {320, 37}, {96, 2}, {1, 1}};
        int32_t in_len = fc[rep % 4][0], out_len = fc[rep % 4][1];
        mt_conv_params_t p;
        memset(&p, 0, sizeof p);
        kc_rand_act(&rng, &p);
        kc_fill_s8(&rng, kc_in, in_len, -128, 127);
        kc_fill_s8(&rng, kc_w, in_len * out_len, -127, 127);
        kc_rand_bias(&rng, out_len, 1 << mt_rng_range(&rng, 4, 20));
        kc_rand_requant(&rng, out_len);
        mt_requant_t rq = {kc_mult, kc_shift};
        kc_prepare_outputs((size_t)out_len, 0);
        mt_fully_connected_s8_ref(in_len, out_len, kc_in, kc_w, kc_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, kc_ref);
        mt_fully_connected_s8_dsp(in_len, out_len, kc_in, kc_w, kc_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, kc_out);
        if (!kc_compare((size_t)out_len, 0, "fully connected")) {
            printf("  fixed fc %ld -> %ld\n", (long)in_len, (long)out_len);
            return;
        }
    }
    printf("fixed shapes: %d layers\n", n);
}

/* ---- The whole-layer pointwise/stem GEMM (pointwise_s8_dsp_gemm.c): it takes layers whose
 * channels have a right shift r in [1, 22], or a zero filter row (a constant output: TFLite's
 * dead channels, r up to 31 or mult 0), plus up to 1/8 of other channels recomputed in C; so
 * these layers draw mostly such multipliers (the general draws above mostly include an r = 1
 * or slow channel somewhere), 1/8 dead channels and 1/16 live ones out of range. Depths 8..48
 * (straight-line tiles), the others (looped, 8 groups a pass, entered at any of the 8), odd pixel
 * counts (the lone last pixel), odd out_c and in_c % 4 != 0 (the other path), r = 2 and 24
 * (the last pair's stream word carries its end mark above the shift), the stem. ---- */
static int run_gemm_layer(kind_t kind, mt_conv_params_t *p, mt_rng_t *rng) {
    int32_t k = p->kh * p->kw * p->in_c, n_in = p->in_h * p->in_w * p->in_c;
    int32_t n_out = p->out_h * p->out_w * p->out_c;
    size_t sb = kind == K_PW ? mt_pointwise_s8_scratch_bytes_dsp(p) : mt_conv_s8_scratch_bytes_dsp(p);
    if (!CHECK(n_in <= KC_MAX_IN && p->out_c * k <= KC_MAX_W && n_out <= KC_MAX_OUT &&
               p->out_c <= MAX_CH && sb <= MAX_SCRATCH && sb % 4 == 0)) return 0;
    kc_rand_act(rng, p);
    kc_fill_s8(rng, kc_in, n_in, -128, 127);
    kc_fill_s8(rng, kc_w, p->out_c * k, -127, 127);
    kc_rand_bias(rng, p->out_c, 1 << mt_rng_range(rng, 4, 20));
    for (int32_t c = 0; c < p->out_c; c++) {
        int r = mt_rng_range(rng, 0, 3) == 0 ? (mt_rng_range(rng, 0, 1) ? 2 : 24) : mt_rng_range(rng, 2, 16);
        int v = mt_rng_range(rng, 0, 15);
        kc_mult[c] = mt_rng_range(rng, 1 << 30, 0x7fffffff);
        kc_shift[c] = -r;
        if (v <= 1) { /* a dead channel as TFLite keeps them: zero row, r past 22 or mult 0 */
            memset(kc_w + c * k, 0, (size_t)k);
            kc_shift[c] = v ? -mt_rng_range(rng, 23, 31) : 0;
            if (!v) kc_mult[c] = 0;
            kc_bias[c] = mt_rng_range(rng, 0, 1) ? -(1 << 30) : mt_rng_range(rng, -99999, 99999);
        } else if (v == 2) { /* live, but no assembly requantization: left to the C side */
            kc_shift[c] = mt_rng_range(rng, 0, 1) ? 0 : -mt_rng_range(rng, 23, 26);
        }
    }
    mt_requant_t rq = {kc_mult, kc_shift};
    kc_prepare_outputs((size_t)n_out, sb);
    if (kind == K_PW) {
        mt_pointwise_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_pointwise_s8_dsp(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
    } else {
        mt_conv_s8_ref(p, kc_in, kc_w, kc_bias, rq, kc_ref, NULL);
        mt_conv_s8_dsp(p, kc_in, kc_w, kc_bias, rq, kc_out, kc_scratch);
    }
    return kc_compare((size_t)n_out, sb, kind == K_PW ? "pointwise gemm" : "conv gemm");
}

static void test_pointwise_gemm(uint32_t seed) {
    /* the straight-line depths, then the loop's 8 entries (groups % 8 = 0..7: 64, 36, 72, 44,
     * 80, 52, 56, 60), more passes (120, 160, 256), and the C path (4, 13) */
    static const int16_t depths[] = {8, 12, 16, 20, 24, 28, 32, 40, 48, 64, 36, 72, 44, 80, 52, 56,
                                     60, 96, 120, 160, 256, 4, 13};
    /* kind, in_h, in_w, in_c, out_c, k, stride, pad: MCUNet-64's small-depth layers at full
     * size (the 32x32 ones with input + output >= 32 KB end in scratch-free pixels), the stem */
    static const int16_t shapes[][8] = {
        {K_PW, 32, 32, 16, 8, 1, 1, 0},  {K_PW, 32, 32, 8, 32, 1, 1, 0}, {K_PW, 16, 16, 16, 48, 1, 1, 0},
        {K_PW, 8, 8, 24, 120, 1, 1, 0},  {K_PW, 4, 4, 40, 160, 1, 1, 0}, {K_PW, 2, 2, 480, 160, 1, 1, 0},
        {K_PW, 3, 5, 48, 288, 1, 1, 0},  {K_CONV, 64, 64, 3, 16, 3, 2, 1}, {K_CONV, 17, 15, 3, 8, 3, 2, 1},
        {K_CONV, 9, 9, 8, 12, 3, 1, 1},  {K_CONV, 7, 6, 4, 10, 2, 1, 0}, {K_CONV, 5, 9, 1, 6, 3, 2, 1},
        /* 3x3 RGB windows straight from the input: stride 1, valid padding, odd out_w */
        {K_CONV, 10, 12, 3, 6, 3, 1, 1}, {K_CONV, 9, 14, 3, 4, 3, 2, 0}, {K_CONV, 8, 9, 3, 2, 3, 1, 0},
        {K_CONV, 3, 4, 3, 2, 3, 1, 0},
    };
    mt_rng_t rng;
    int n = 0;
    mt_rng_seed(&rng, seed);
    for (int c = 0; c < 240; c++, n++) {
        mt_conv_params_t p;
        memset(&p, 0, sizeof p);
        p.in_h = p.out_h = (uint16_t)mt_rng_range(&rng, 1, 9);
        p.in_w = p.out_w = (uint16_t)mt_rng_range(&rng, 1, 9);
        p.in_c = (uint16_t)depths[c % (int)(sizeof depths / sizeof depths[0])];
        p.out_c = (uint16_t)(c % 7 == 0 ? mt_rng_range(&rng, 1, 99) : 2 * mt_rng_range(&rng, 1, 60));
        p.kh = p.kw = p.stride_h = p.stride_w = 1;
        if (!run_gemm_layer(K_PW, &p, &rng)) {
            printf("  gemm case %d: %dx%d, %d -> %d\n", c, p.in_h, p.in_w, p.in_c, p.out_c);
            return;
        }
    }
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (int rep = 0; rep < 3; rep++, n++) {
            const int16_t *d = shapes[s];
            mt_conv_params_t p;
            kc_params_from_row(d, &p);
            if (!run_gemm_layer((kind_t)d[0], &p, &rng)) {
                printf("  gemm shape %d (rep %d)\n", (int)s, rep);
                return;
            }
        }
    }
    printf("pointwise gemm: %d layers\n", n);
}

/* The depthwise paths by shape (depthwise_s8_dsp.h), each run once more against the reference,
 * and then every path and every plane-rows kernel must have been met by the tests above. */
static void test_depthwise_paths(uint32_t seed) {
    static const struct {
        int16_t row[8];
        mt_dw_path_t path;
    } cases[] = {
        {{K_DW, 32, 32, 16, 16, 3, 1, 1}, MT_DW_PATH_PLANES}, /* wide pitch, 2 bands */
        {{K_DW, 32, 32, 8, 8, 7, 2, 3}, MT_DW_PATH_PLANES},   /* wide, s2, bands, in place */
        {{K_DW, 8, 8, 72, 72, 5, 1, 2}, MT_DW_PATH_PLANES},   /* narrow */
        {{K_DW, 9, 60, 8, 8, 3, 1, 1}, MT_DW_PATH_PLANES},    /* strips: not in place */
        {{K_DW, 6, 24, 8, 8, 7, 1, 3}, MT_DW_PATH_PLANES},    /* wide 7x7 s1 */
        {{K_DW, 7, 20, 9, 9, 3, 2, 1}, MT_DW_PATH_PLANES},    /* wide 3x3 s2, a partial group */
        {{K_DW, 2, 2, 96, 96, 3, 1, 1}, MT_DW_PATH_QUAD},
        {{K_DW, 2, 2, 40, 40, 7, 1, 3}, MT_DW_PATH_QUAD},     /* 7x7 pad 3 trims to 3x3 */
        {{K_DW, 4, 4, 28, 28, 5, 2, 2}, MT_DW_PATH_DIRECT},   /* 2x2 out of 4x4 */
        {{K_DW, 2, 2, 13, 13, 3, 2, 1}, MT_DW_PATH_DIRECT},
        {{K_DW, 6, 6, 12, 12, 1, 1, 0}, MT_DW_PATH_REF},      /* 1x1 window */
        {{K_DW, 9, 9, 12, 12, 3, 3, 1}, MT_DW_PATH_REF},      /* stride 3 */
    };
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mt_conv_params_t p;
        kc_params_from_row(cases[i].row, &p);
        if (!CHECK_EQ(mt_depthwise_s8_dsp_path(&p), cases[i].path)) printf("  path case %d\n", (int)i);
        if (!run_layer(K_DW, &p, &rng)) printf("  path case %d\n", (int)i);
    }
    static const char *const names[4] = {"planes", "quad", "direct", "ref"};
    printf("depthwise paths met:");
    for (int k = 0; k < 4; k++) {
        printf(" %s %d", names[k], g_dw_paths[k]);
        CHECK(g_dw_paths[k] > 0);
    }
    printf("; plane-rows kernels (k3s1 k5s1 k7s1 k3s2 k5s2 k7s2, narrow then wide):");
    for (int k = 0; k < 12; k++) {
        printf(" %d", g_dw_kernels[k]);
        CHECK(g_dw_kernels[k] > 0);
    }
    printf("; in place %d\n", g_dw_in_place);
    CHECK(g_dw_in_place > 0);
}

int main(void) {
    test_requant_fast();
    kc_test_pointwise(&SET, 0x0d5b0002u, 300);
    kc_test_windowed(&SET, 1, 0x0d5b0003u, 400);
    kc_test_windowed(&SET, 0, 0x0d5b0004u, 200);
    test_fully_connected(0x0d5b0005u, 300);
    test_fixed_shapes(0x0d5b0006u);
    test_pointwise_gemm(0x0d5b0007u);
    test_depthwise_paths(0x0d5b0008u);
    return mt_test_summary("test_kernels_dsp");
}
