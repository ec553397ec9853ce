/* The optimized element-wise adds (mt_add_s8_dsp: tables + SMMLAR on Cortex-M, its portable
 * twin elsewhere; mt_add_s8_host: closed form, AVX2 on x86-64) against mt_add_s8_ref bit for bit: random
 * lengths (0, 1, odd, around the SIMD widths and the table threshold), random and extreme
 * quantization parameters within what mt_model_open accepts, every activation clamp, in place
 * (out == in0, out == in1), without scratch, and every one of the 65,536 input pairs for
 * residual-like parameters. Also checks that no kernel writes outside its output or its
 * scratch, and that the fast path is the one taken on TFLite-style parameters (else the
 * comparisons would only test the fallback). The reference is checked against float in
 * test_kernels.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../src/kernels/add_util.h"
#include "microt/kernels.h"
#include "test_util.h"

#define MAX_LEN 5000
#define GUARD 16
#define GUARD_BYTE 0x5a
#define SCRATCH_WORDS 512 /* two int32 [256] tables */

static int8_t g_in0[MAX_LEN], g_in1[MAX_LEN];
static int8_t g_ref[MAX_LEN + GUARD], g_got[MAX_LEN + GUARD], g_alias[MAX_LEN + GUARD];
static uint32_t g_scratch[SCRATCH_WORDS + GUARD];

typedef void (*add_fn)(const mt_add_params_t *, int32_t, const int8_t *, const int8_t *,
                       int8_t *);
typedef size_t (*add_sb_fn)(const mt_add_params_t *, int32_t);
static const struct {
    const char *name;
    add_fn add;
    add_sb_fn sb;
} k_impl[] = {{"mt_add_s8_dsp", mt_add_s8_dsp, mt_add_s8_scratch_bytes_dsp},
              {"mt_add_s8_host", mt_add_s8_host, mt_add_s8_scratch_bytes_host}};
#define N_IMPL (sizeof k_impl / sizeof k_impl[0])

/* M = mult * 2^(shift - 31), mult in [2^30, 2^31) (as the factory rounds it), or 0. */
static void quantize_multiplier(double m, int32_t *mult, int32_t *shift) {
    int exp = 0;
    double frac = frexp(m, &exp);
    long long q = llround(frac * 2147483648.0);
    if (q == 2147483648LL) {
        q /= 2;
        exp++;
    }
    if (m <= 0.0 || exp < -31) {
        q = 0;
        exp = 0;
    }
    *mult = (int32_t)q;
    *shift = exp;
}

static float rand_scale(mt_rng_t *rng) { return 0.002f + 0.2f * mt_rng_unit(rng); }

/* Parameters of a TFLite ADD (docs/quantization.md): left_shift 20, inputs rescaled to
 * 2 max(s0, s1), output M = 2 max(s0, s1) / (2^20 s_out). */
static void tflite_params(mt_rng_t *rng, mt_add_params_t *p, int equal_scales) {
    float s0 = rand_scale(rng), s1 = equal_scales ? s0 : rand_scale(rng);
    float s_out = (s0 + s1) * (0.3f + 1.5f * mt_rng_unit(rng));
    double s_max2 = 2.0 * (s0 > s1 ? s0 : s1);
    p->left_shift = 20;
    quantize_multiplier(s0 / s_max2, &p->in0_mult, &p->in0_shift);
    quantize_multiplier(s1 / s_max2, &p->in1_mult, &p->in1_shift);
    quantize_multiplier(s_max2 / (ldexp(1.0, p->left_shift) * s_out), &p->out_mult, &p->out_shift);
}

/* A multiplier mt_model_open accepts: 0 or [2^30, 2^31), the extreme ends included. */
static int32_t rand_mult(mt_rng_t *rng) {
    switch (mt_rng_range(rng, 0, 5)) {
    case 0: return 0;
    case 1: return 1 << 30;
    case 2: return 0x7fffffff;
    default: return mt_rng_range(rng, 1 << 30, 0x7fffffff);
    }
}

/* Anything mt_model_open accepts for an ADD: input shifts in [-31, 0], left_shift in [0, 22],
 * output shift in [-31, 30], often at the ends of those ranges. */
static void extreme_params(mt_rng_t *rng, mt_add_params_t *p) {
    static const int32_t in_shifts[] = {0, -1, -2, -23, -24, -30, -31};
    static const int32_t out_shifts[] = {-31, -25, -24, -23, -22, -2, -1, 0, 1, 30};
    p->in0_mult = rand_mult(rng);
    p->in1_mult = rand_mult(rng);
    p->in0_shift = mt_rng_range(rng, 0, 1) ? -mt_rng_range(rng, 0, 31) : in_shifts[mt_rng_range(rng, 0, 6)];
    p->in1_shift = mt_rng_range(rng, 0, 1) ? -mt_rng_range(rng, 0, 31) : in_shifts[mt_rng_range(rng, 0, 6)];
    p->left_shift = mt_rng_range(rng, 0, 2) ? mt_rng_range(rng, 0, 22) : (mt_rng_range(rng, 0, 1) ? 0 : 22);
    p->out_mult = rand_mult(rng);
    p->out_shift = mt_rng_range(rng, 0, 1) ? mt_rng_range(rng, -31, 30) : out_shifts[mt_rng_range(rng, 0, 9)];
}

static void rand_act(mt_rng_t *rng, mt_add_params_t *p) {
    switch (mt_rng_range(rng, 0, 4)) {
    case 0:
    case 1: p->act_min = -128; p->act_max = 127; break;   /* no activation: the residual case */
    case 2: p->act_min = (int8_t)p->out_zp; p->act_max = 127; break; /* ReLU */
    case 3: p->act_min = (int8_t)p->out_zp; p->act_max = (int8_t)mt_rng_range(rng, p->out_zp, 127); break;
    default: {
        int32_t a = mt_rng_range(rng, -128, 127), b = mt_rng_range(rng, -128, 127);
        p->act_min = (int8_t)(a < b ? a : b);
        p->act_max = (int8_t)(a < b ? b : a);
        break;
    }
    }
}

static int32_t rand_len(mt_rng_t *rng) {
    static const int32_t special[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33,
                                      MT_ADD_TABLE_MIN_LEN - 1, MT_ADD_TABLE_MIN_LEN,
                                      MT_ADD_TABLE_MIN_LEN + 1, 255, 257, 1023, 4095, MAX_LEN};
    if (mt_rng_range(rng, 0, 2) == 0) return special[mt_rng_range(rng, 0, 21)];
    return mt_rng_range(rng, 0, mt_rng_range(rng, 0, 1) ? 300 : MAX_LEN);
}

static void fill(mt_rng_t *rng, int8_t *x, int32_t n) {
    for (int32_t i = 0; i < n; i++) x[i] = (int8_t)mt_rng_range(rng, -128, 127);
}

/* Scratch of exactly sb bytes followed by guard words; returns NULL when sb is 0. */
static void *guarded_scratch(size_t sb) {
    memset(g_scratch, GUARD_BYTE, sizeof g_scratch);
    return sb ? g_scratch : NULL;
}

static int guards_intact(const int8_t *out, int32_t len, size_t sb) {
    const uint8_t *s = (const uint8_t *)g_scratch;
    for (int32_t i = 0; i < GUARD; i++) {
        if ((uint8_t)out[len + i] != GUARD_BYTE) return 0;
    }
    for (size_t i = sb; i < sb + GUARD; i++) {
        if (s[i] != GUARD_BYTE) return 0;
    }
    return 1;
}

static int g_fails_printed;

/* Every implementation, with and without scratch, out of place and in place on either
 * input, against the reference on in0, in1 [len]. */
static void compare_all(mt_add_params_t p, int32_t len, const char *what) {
    char msg[160];
    p.scratch = NULL;
    memset(g_ref, GUARD_BYTE, (size_t)len + GUARD);
    mt_add_s8_ref(&p, len, g_in0, g_in1, g_ref);
    for (size_t k = 0; k < N_IMPL; k++) {
        size_t sb = k_impl[k].sb(&p, len);
        CHECK(sb <= SCRATCH_WORDS * 4u);
        CHECK(sb % 4u == 0);
        for (int mode = 0; mode < 4; mode++) { /* 0: out, 1: out == in0, 2: out == in1, 3: no scratch */
            const int8_t *a = g_in0, *b = g_in1;
            int8_t *out = g_got;
            size_t use_sb = mode == 3 ? 0 : sb;
            p.scratch = guarded_scratch(use_sb);
            memset(g_got, GUARD_BYTE, (size_t)len + GUARD);
            memset(g_alias, GUARD_BYTE, (size_t)len + GUARD);
            if (mode == 1 || mode == 2) {
                memcpy(g_alias, mode == 1 ? g_in0 : g_in1, (size_t)len);
                if (mode == 1) a = g_alias;
                else b = g_alias;
                out = g_alias;
            }
            k_impl[k].add(&p, len, a, b, out);
            snprintf(msg, sizeof msg, "%s %s (len %ld, mode %d)", k_impl[k].name, what, (long)len,
                     mode);
            if (mt_check_s8(out, g_ref, (size_t)len, 0, msg) != 0 && g_fails_printed++ < 8) {
                printf("  params: zp %ld %ld -> %ld, in0 %ld/%ld, in1 %ld/%ld, out %ld/%ld, "
                       "ls %ld, act [%d, %d]\n",
                       (long)p.in0_zp, (long)p.in1_zp, (long)p.out_zp, (long)p.in0_mult,
                       (long)p.in0_shift, (long)p.in1_mult, (long)p.in1_shift, (long)p.out_mult,
                       (long)p.out_shift, (long)p.left_shift, p.act_min, p.act_max);
            }
            CHECK(guards_intact(out, len, use_sb));
        }
    }
}

/* Random lengths and parameters, TFLite-style and extreme. */
static void test_random(uint32_t seed, int reps) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < reps; rep++) {
        mt_add_params_t p;
        int32_t len = rand_len(&rng);
        memset(&p, 0, sizeof p);
        switch (rep % 4) {
        case 0: tflite_params(&rng, &p, 0); break;
        case 1: tflite_params(&rng, &p, 1); break;
        default: extreme_params(&rng, &p); break;
        }
        p.in0_zp = mt_rng_range(&rng, -128, 127);
        p.in1_zp = mt_rng_range(&rng, 0, 3) ? mt_rng_range(&rng, -128, 127) : p.in0_zp;
        if (mt_rng_range(&rng, 0, 5) == 0) { /* both inputs quantized alike: one shared table */
            p.in1_zp = p.in0_zp;
            p.in1_mult = p.in0_mult;
            p.in1_shift = p.in0_shift;
        }
        p.out_zp = mt_rng_range(&rng, 0, 7) ? mt_rng_range(&rng, -128, 127)
                                            : (mt_rng_range(&rng, 0, 1) ? -128 : 127);
        rand_act(&rng, &p);
        fill(&rng, g_in0, len);
        fill(&rng, g_in1, len);
        if (mt_rng_range(&rng, 0, 7) == 0) memcpy(g_in1, g_in0, (size_t)len); /* in0 == in1 */
        compare_all(p, len, rep % 4 < 2 ? "tflite" : "extreme");
    }
}

/* Every pair (x0, x1) of int8 values: in0 = x0 for all 256 elements, in1 = each x1. */
static void test_all_pairs(const mt_add_params_t *p, const char *what) {
    for (int32_t x0 = -128; x0 <= 127; x0++) {
        for (int32_t i = 0; i < 256; i++) {
            g_in0[i] = (int8_t)x0;
            g_in1[i] = (int8_t)(i - 128);
        }
        compare_all(*p, 256, what);
    }
}

static void test_exhaustive(uint32_t seed) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 3; rep++) {
        mt_add_params_t p;
        memset(&p, 0, sizeof p);
        tflite_params(&rng, &p, rep == 1);
        p.in0_zp = mt_rng_range(&rng, -128, 127);
        p.in1_zp = mt_rng_range(&rng, -128, 127);
        p.out_zp = mt_rng_range(&rng, -128, 127);
        p.act_min = -128;
        p.act_max = rep == 2 ? 100 : 127;
        test_all_pairs(&p, "all pairs");
    }
}

/* The table kernels take the SMMLAR path on the parameters real models have, share one
 * table when both inputs are quantized alike, and fall back only where they must. */
static void test_paths(uint32_t seed) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 200; rep++) {
        mt_add_params_t p;
        mt_add_prep_t q;
        memset(&p, 0, sizeof p);
        tflite_params(&rng, &p, rep % 3 == 0);
        p.in0_zp = mt_rng_range(&rng, -128, 127);
        p.in1_zp = mt_rng_range(&rng, -128, 127);
        p.out_zp = mt_rng_range(&rng, -128, 127);
        CHECK(mt_add_prepare(&p, MT_ADD_TABLE_MIN_LEN, g_scratch, &q) == 1);
        CHECK(q.fast == 1);
        CHECK(mt_add_fast_ok(&p) == 1); /* the host kernel's condition */
        CHECK(mt_add_prepare(&p, MT_ADD_TABLE_MIN_LEN - 1, g_scratch, &q) == 0);
        CHECK(mt_add_prepare(&p, MAX_LEN, NULL, &q) == 0);
    }
    {
        mt_add_params_t p;
        memset(&p, 0, sizeof p);
        tflite_params(&rng, &p, 1);
        p.in0_zp = p.in1_zp = 3;
        CHECK_EQ(mt_add_s8_scratch_bytes_dsp(&p, MT_ADD_TABLE_MIN_LEN), 1024);
        CHECK_EQ(mt_add_s8_scratch_bytes_dsp(&p, MT_ADD_TABLE_MIN_LEN - 1), 0);
        p.in1_zp = 4;
        CHECK_EQ(mt_add_s8_scratch_bytes_dsp(&p, 4096), 2048);
        CHECK_EQ(mt_add_s8_scratch_bytes_host(&p, 4096), 0); /* no tables on the host */
        CHECK_EQ(mt_add_s8_scratch_bytes_ref(&p, 4096), 0);
        CHECK(mt_add_fast_ok(&p) == 1);
        p.out_shift = 0; /* M_out >= 0.5: mt_requant's general path, still through the tables */
        CHECK(mt_add_out_fast_ok(&p) == 0);
        CHECK(mt_add_fast_ok(&p) == 0);
    }
}

/* The tables themselves: mt_add_fill's recurrence against mt_requant on every int8 value,
 * over the whole accepted parameter range. */
static void test_tables(uint32_t seed) {
    static int32_t t[256];
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 3004; rep++) {
        int32_t zp = rep < 4 ? (rep & 1 ? -128 : 127) : mt_rng_range(&rng, -128, 127);
        int32_t mult = rand_mult(&rng);
        int32_t shift = rep % 7 == 0 ? -mt_rng_range(&rng, 0, 2) : -mt_rng_range(&rng, 0, 31);
        int32_t ls = rep % 5 == 0 ? 22 : mt_rng_range(&rng, 0, 22);
        if (rep >= 3000) { /* every extreme at once: N(u) near 2^63 (issue 17, UBSan) */
            zp = rep & 1 ? -128 : 127;
            mult = 0x7fffffff;
            shift = rep & 2 ? -31 : 0;
            ls = 22;
        }
        int bad = 0;
        CHECK(mt_add_input_ok(zp, mult, shift, ls));
        mt_add_fill(t, zp, mult, shift, ls, 1);
        for (int32_t x = -128; x <= 127; x++) {
            int32_t want = mt_requant((x - zp) * ((int32_t)1 << ls), mult, shift);
            int64_t bound = mt_add_input_bound(mult, shift, ls);
            if (t[x + 128] != want && bad++ < 3) {
                printf("  table zp %ld mult %ld shift %ld ls %ld: x %ld got %ld want %ld\n",
                       (long)zp, (long)mult, (long)shift, (long)ls, (long)x, (long)t[x + 128],
                       (long)want);
            }
            CHECK(want <= bound && -want <= bound);
        }
        CHECK_EQ(bad, 0);
    }
}

int main(void) {
    test_tables(11u);
    test_paths(12u);
    test_random(13u, 600);
    test_exhaustive(14u);
    return mt_test_summary("test_kernels_add");
}
