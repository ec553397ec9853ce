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

#include "../src/kernels/dsp_util.h"
#include "microt/kernels.h"
#include "test_util.h"

#define MAX_IN 32768
#define MAX_W 81920
#define MAX_OUT 32768
#define MAX_CH 480
#define MAX_SCRATCH 8192
#define GUARD 16
#define GUARD_BYTE 0x5a

static int8_t g_in[MAX_IN], g_w[MAX_W];
static int8_t g_ref[MAX_OUT + GUARD], g_dsp[MAX_OUT + GUARD];
static uint32_t g_scratch[(MAX_SCRATCH + GUARD) / 4];
static int32_t g_bias[MAX_CH], g_mult[MAX_CH], g_shift[MAX_CH];

/* A multiplier as the factory makes them (mult in [2^30, 2^31)), mostly M < 0.5 (the fast
 * path), sometimes M >= 0.5, tiny M (right shift > 24) or M = 0 (the general path). */
static void rand_requant(mt_rng_t *rng, int32_t n) {
    int mode = mt_rng_range(rng, 0, 7);
    for (int32_t c = 0; c < n; c++) {
        int kind = mode < 5 ? 0 : mt_rng_range(rng, 0, 3);
        g_mult[c] = mt_rng_range(rng, 1 << 30, 0x7fffffff);
        switch (kind) {
        case 0: g_shift[c] = -mt_rng_range(rng, 1, 14); break;
        case 1: g_shift[c] = mt_rng_range(rng, 0, 3); break;
        case 2: g_shift[c] = -mt_rng_range(rng, 20, 31); break;
        default:
            g_mult[c] = 0;
            g_shift[c] = 0;
            break;
        }
    }
}

static void rand_bias(mt_rng_t *rng, int32_t n, int32_t spread) {
    for (int32_t c = 0; c < n; c++) g_bias[c] = mt_rng_range(rng, -spread, spread);
}

static void fill_s8(mt_rng_t *rng, int8_t *p, int32_t n, int lo, int hi) {
    for (int32_t i = 0; i < n; i++) p[i] = (int8_t)mt_rng_range(rng, lo, hi);
}

static void rand_act(mt_rng_t *rng, mt_conv_params_t *p) {
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

static void prepare_outputs(size_t n, size_t scratch_bytes) {
    memset(g_ref, 0x11, n + GUARD);
    memset(g_dsp, 0x22, n);
    memset(g_dsp + n, GUARD_BYTE, GUARD);
    memset((uint8_t *)g_scratch + scratch_bytes, GUARD_BYTE, GUARD);
}

static int compare(size_t n, size_t scratch_bytes, const char *what) {
    int ok = mt_check_s8(g_dsp, g_ref, n, 0, what) == 0;
    for (size_t i = 0; i < GUARD; i++) {
        ok &= CHECK((uint8_t)g_dsp[n + i] == GUARD_BYTE);
        ok &= CHECK(((uint8_t *)g_scratch)[scratch_bytes + i] == GUARD_BYTE);
    }
    return ok;
}

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

static void test_pointwise(uint32_t seed, int cases) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int k = 0; k < cases; k++) {
        mt_conv_params_t p;
        memset(&p, 0, sizeof p);
        p.in_h = p.out_h = (uint16_t)mt_rng_range(&rng, 1, 9);
        p.in_w = p.out_w = (uint16_t)mt_rng_range(&rng, 1, 9);
        p.in_c = (uint16_t)(k % 3 == 0 ? 4 * mt_rng_range(&rng, 1, 24) : mt_rng_range(&rng, 1, 96));
        p.out_c = (uint16_t)mt_rng_range(&rng, 1, MAX_CH);
        p.kh = p.kw = p.stride_h = p.stride_w = 1;
        if ((int32_t)p.in_h * p.in_w * p.in_c > MAX_IN || (int32_t)p.in_c * p.out_c > MAX_W ||
            (int32_t)p.in_h * p.in_w * p.out_c > MAX_OUT) {
            k--;
            continue;
        }
        rand_act(&rng, &p);
        fill_s8(&rng, g_in, p.in_h * p.in_w * p.in_c, -128, 127);
        fill_s8(&rng, g_w, p.in_c * p.out_c, -127, 127);
        rand_bias(&rng, p.out_c, 1 << mt_rng_range(&rng, 4, 20));
        rand_requant(&rng, p.out_c);
        mt_requant_t rq = {g_mult, g_shift};
        size_t n = (size_t)p.in_h * p.in_w * p.out_c, sb = mt_pointwise_s8_scratch_bytes_dsp(&p);
        if (!CHECK(sb <= MAX_SCRATCH && sb % 4 == 0)) return;
        prepare_outputs(n, sb);
        mt_pointwise_s8_ref(&p, g_in, g_w, g_bias, rq, g_ref, NULL);
        mt_pointwise_s8_dsp(&p, g_in, g_w, g_bias, rq, g_dsp, g_scratch);
        if (!compare(n, sb, "pointwise")) {
            printf("  pointwise case %d: %dx%d, %d -> %d ch\n", k, p.in_h, p.in_w, p.in_c, p.out_c);
            return;
        }
    }
    printf("pointwise: %d random shapes\n", cases);
}

/* Depthwise (depthwise = 1) or generic convolution with random geometry: kernel 1/3/5/7,
 * stride 1/2, top/left padding 0..k-1 and an independent bottom/right padding. */
static void test_windowed(int depthwise, uint32_t seed, int cases) {
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
        if (n_in > MAX_IN || n_w > MAX_W || n_out > MAX_OUT) {
            k--;
            continue;
        }
        rand_act(&rng, &p);
        fill_s8(&rng, g_in, n_in, -128, 127);
        fill_s8(&rng, g_w, n_w, -127, 127);
        rand_bias(&rng, p.out_c, 1 << mt_rng_range(&rng, 4, 20));
        rand_requant(&rng, p.out_c);
        mt_requant_t rq = {g_mult, g_shift};
        size_t sb = depthwise ? mt_depthwise_s8_scratch_bytes_dsp(&p) : mt_conv_s8_scratch_bytes_dsp(&p);
        if (!CHECK(sb <= MAX_SCRATCH && sb % 4 == 0)) return;
        prepare_outputs((size_t)n_out, sb);
        if (depthwise) {
            mt_depthwise_s8_ref(&p, g_in, g_w, g_bias, rq, g_ref, NULL);
            mt_depthwise_s8_dsp(&p, g_in, g_w, g_bias, rq, g_dsp, g_scratch);
        } else {
            mt_conv_s8_ref(&p, g_in, g_w, g_bias, rq, g_ref, NULL);
            mt_conv_s8_dsp(&p, g_in, g_w, g_bias, rq, g_dsp, g_scratch);
        }
        if (!compare((size_t)n_out, sb, depthwise ? "depthwise" : "conv")) {
            printf("  case %d: in %dx%dx%d k %dx%d s %d,%d pad %d,%d out %dx%dx%d\n", k, p.in_h,
                   p.in_w, p.in_c, p.kh, p.kw, p.stride_h, p.stride_w, p.pad_top, p.pad_left,
                   p.out_h, p.out_w, p.out_c);
            return;
        }
    }
    printf("%s: %d random shapes\n", depthwise ? "depthwise" : "conv", cases);
}

static void test_fully_connected(uint32_t seed, int cases) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int k = 0; k < cases; k++) {
        mt_conv_params_t p;
        int32_t in_len = k % 3 == 0 ? 4 * mt_rng_range(&rng, 1, 64) : mt_rng_range(&rng, 1, 256);
        int32_t out_len = mt_rng_range(&rng, 1, 40);
        memset(&p, 0, sizeof p);
        rand_act(&rng, &p);
        fill_s8(&rng, g_in, in_len, -128, 127);
        fill_s8(&rng, g_w, in_len * out_len, -127, 127);
        rand_bias(&rng, out_len, 1 << mt_rng_range(&rng, 4, 20));
        rand_requant(&rng, out_len);
        mt_requant_t rq = {g_mult, g_shift};
        prepare_outputs((size_t)out_len, 0);
        mt_fully_connected_s8_ref(in_len, out_len, g_in, g_w, g_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, g_ref);
        mt_fully_connected_s8_dsp(in_len, out_len, g_in, g_w, g_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, g_dsp);
        if (!compare((size_t)out_len, 0, "fully connected")) {
            printf("  case %d: %ld -> %ld\n", k, (long)in_len, (long)out_len);
            return;
        }
    }
    printf("fully connected: %d random shapes\n", cases);
}

typedef enum { K_PW, K_DW, K_CONV } kind_t;

/* One layer of the given geometry with fresh random data and requantization: *_dsp == *_ref. */
static int run_layer(kind_t kind, mt_conv_params_t *p, mt_rng_t *rng) {
    int32_t n_in = p->in_h * p->in_w * p->in_c;
    int32_t n_w = kind == K_DW ? p->kh * p->kw * p->in_c : p->out_c * p->kh * p->kw * p->in_c;
    int32_t n_out = p->out_h * p->out_w * p->out_c;
    if (!CHECK(n_in <= MAX_IN && n_w <= MAX_W && n_out <= MAX_OUT && p->out_c <= MAX_CH)) return 0;
    rand_act(rng, p);
    fill_s8(rng, g_in, n_in, -128, 127);
    fill_s8(rng, g_w, n_w, -127, 127);
    rand_bias(rng, p->out_c, 1 << mt_rng_range(rng, 4, 20));
    rand_requant(rng, p->out_c);
    mt_requant_t rq = {g_mult, g_shift};
    size_t sb = kind == K_PW   ? mt_pointwise_s8_scratch_bytes_dsp(p)
                : kind == K_DW ? mt_depthwise_s8_scratch_bytes_dsp(p)
                               : mt_conv_s8_scratch_bytes_dsp(p);
    if (!CHECK(sb <= MAX_SCRATCH && sb % 4 == 0)) return 0;
    prepare_outputs((size_t)n_out, sb);
    switch (kind) {
    case K_PW:
        mt_pointwise_s8_ref(p, g_in, g_w, g_bias, rq, g_ref, NULL);
        mt_pointwise_s8_dsp(p, g_in, g_w, g_bias, rq, g_dsp, g_scratch);
        break;
    case K_DW:
        mt_depthwise_s8_ref(p, g_in, g_w, g_bias, rq, g_ref, NULL);
        mt_depthwise_s8_dsp(p, g_in, g_w, g_bias, rq, g_dsp, g_scratch);
        break;
    default:
        mt_conv_s8_ref(p, g_in, g_w, g_bias, rq, g_ref, NULL);
        mt_conv_s8_dsp(p, g_in, g_w, g_bias, rq, g_dsp, g_scratch);
        break;
    }
    return compare((size_t)n_out, sb, kind == K_PW ? "pointwise" : kind == K_DW ? "depthwise" : "conv");
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
    };
    mt_rng_t rng;
    int n = 0;
    mt_rng_seed(&rng, seed);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int reps = s < 18 ? 8 : 3; /* the full-size layers: 3 data sets each */
        for (int rep = 0; rep < reps; rep++, n++) {
            const int16_t *d = shapes[s];
            mt_conv_params_t p;
            memset(&p, 0, sizeof p);
            p.in_h = (uint16_t)d[1];
            p.in_w = (uint16_t)d[2];
            p.in_c = (uint16_t)d[3];
            p.out_c = (uint16_t)d[4];
            p.kh = p.kw = (uint8_t)d[5];
            p.stride_h = p.stride_w = (uint8_t)d[6];
            p.pad_top = p.pad_left = (uint8_t)d[7];
            /* Keras "same" (pad > 0) or "valid" */
            p.out_h = (uint16_t)(d[7] ? (d[1] + d[6] - 1) / d[6] : (d[1] - d[5]) / d[6] + 1);
            p.out_w = (uint16_t)(d[7] ? (d[2] + d[6] - 1) / d[6] : (d[2] - d[5]) / d[6] + 1);
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
        rand_act(&rng, &p);
        fill_s8(&rng, g_in, in_len, -128, 127);
        fill_s8(&rng, g_w, in_len * out_len, -127, 127);
        rand_bias(&rng, out_len, 1 << mt_rng_range(&rng, 4, 20));
        rand_requant(&rng, out_len);
        mt_requant_t rq = {g_mult, g_shift};
        prepare_outputs((size_t)out_len, 0);
        mt_fully_connected_s8_ref(in_len, out_len, g_in, g_w, g_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, g_ref);
        mt_fully_connected_s8_dsp(in_len, out_len, g_in, g_w, g_bias, p.in_zp, p.out_zp,
                                  p.act_min, p.act_max, rq, g_dsp);
        if (!compare((size_t)out_len, 0, "fully connected")) {
            printf("  fixed fc %ld -> %ld\n", (long)in_len, (long)out_len);
            return;
        }
    }
    printf("fixed shapes: %d layers\n", n);
}

int main(void) {
    test_requant_fast();
    test_pointwise(0x0d5b0002u, 300);
    test_windowed(1, 0x0d5b0003u, 400);
    test_windowed(0, 0x0d5b0004u, 200);
    test_fully_connected(0x0d5b0005u, 300);
    test_fixed_shapes(0x0d5b0006u);
    return mt_test_summary("test_kernels_dsp");
}
