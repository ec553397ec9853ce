/* Tests the int8 kernels (src/kernels/) against an independent double-precision float
 * reference: dequantize, compute in double, divide by the output scale, round, clamp.
 * Quantization parameters are chosen here from float scales, as the factory would, with this
 * file's own float -> (mult, shift) routine. Deterministic seeds; small shapes so the run also
 * stays short under an emulated Cortex-M4. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/kernels.h"
#include "test_util.h"

#define MAX_IN 8192     /* 16 x 16 x 32 */
#define MAX_W 8192      /* >= 16 x 7 x 7 x 8 (conv), 32 x 32 (pointwise), 16 x 320 (fc) */
#define MAX_OUT 16384   /* >= 22 x 22 x 32: 16 x 16 input, 7 x 7 kernel, 6 + 6 padding */
#define MAX_CH 32
#define GUARD 16        /* bytes after every output that a kernel must not touch */
#define GUARD_BYTE 0x5a

/* Test programs may keep state (the library may not); static keeps the stack small on the MCU. */
static int8_t g_in[MAX_IN], g_in1[MAX_IN], g_w[MAX_W];
static int8_t g_out[MAX_OUT + GUARD], g_want[MAX_OUT], g_alias[MAX_OUT];
static double g_ref[MAX_OUT];
static int32_t g_bias[MAX_CH], g_mult[MAX_CH], g_shift[MAX_CH];
static float g_sw[MAX_CH];
static uint32_t g_hash = 2166136261u; /* FNV-1a of every kernel output, to compare host and MCU */

/* ---- quantization helpers, written independently of src/ ---- */

/* A real multiplier M > 0 as mult * 2^(shift - 31), mult in [2^30, 2^31): TFLite's
 * QuantizeMultiplier via frexp (docs/quantization.md, Requantization). */
static void quantize_multiplier(double m, int32_t *mult, int32_t *shift) {
    int exp = 0;
    double frac = frexp(m, &exp); /* m = frac * 2^exp, frac in [0.5, 1) */
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

static float rand_scale(mt_rng_t *rng, float lo, float hi) {
    return lo + (hi - lo) * mt_rng_unit(rng);
}

/* Output scale and zero point from the observed real range (including 0, as TFLite's
 * calibration does), shrunk by a random factor so some outputs saturate. One case in four
 * takes a random zero point instead, to cover the whole [-128, 127]. */
static void calibrate(mt_rng_t *rng, const double *real, size_t n, float fallback,
                      float *s_out, int32_t *zp) {
    double lo = 0.0, hi = 0.0, s;
    for (size_t i = 0; i < n; i++) {
        if (real[i] < lo) lo = real[i];
        if (real[i] > hi) hi = real[i];
    }
    s = (hi - lo) / 255.0 * (0.5 + 0.6 * mt_rng_unit(rng));
    *s_out = s > 0.0 ? (float)s : fallback;
    if (mt_rng_range(rng, 0, 3) == 0) {
        *zp = mt_rng_range(rng, -128, 127);
    } else {
        long z = lround(-128.0 - lo / *s_out);
        *zp = z < -128 ? -128 : z > 127 ? 127 : (int32_t)z;
    }
}

/* The activation's int8 image (docs/quantization.md, Operators), or a random clamp range. */
static void pick_act(mt_rng_t *rng, int32_t zp, float s_out, int8_t *lo, int8_t *hi,
                     const char **name) {
    int32_t a = -128, b = 127;
    switch (mt_rng_range(rng, 0, 3)) {
    case 0:
        *name = "none";
        break;
    case 1:
        *name = "relu";
        a = zp;
        break;
    case 2: {
        long six = lround(6.0 / s_out);
        *name = "relu6";
        a = zp;
        b = (long)zp + six < 127 ? (int32_t)(zp + six) : 127;
        break;
    }
    default:
        *name = "clamp";
        a = mt_rng_range(rng, -128, 127);
        b = mt_rng_range(rng, a, 127);
        break;
    }
    *lo = (int8_t)a;
    *hi = (int8_t)b;
}

static void fill_s8(mt_rng_t *rng, int8_t *p, size_t n, int lo, int hi) {
    for (size_t i = 0; i < n; i++) p[i] = (int8_t)mt_rng_range(rng, lo, hi);
}

/* Per-channel weights: symmetric scales, values in [-127, 127] (the factory never emits -128),
 * and an int32 bias in units of s_in * s_w[c], comparable to the accumulator's spread. */
static void make_weights(mt_rng_t *rng, size_t n_w, int n_ch, int fan_in) {
    int32_t spread = 3000 * (1 + (int32_t)sqrt((double)fan_in));
    fill_s8(rng, g_w, n_w, -127, 127);
    for (int c = 0; c < n_ch; c++) {
        g_sw[c] = rand_scale(rng, 0.001f, 0.05f);
        g_bias[c] = mt_rng_range(rng, -spread, spread);
    }
}

/* ---- comparison against the float reference ---- */

typedef struct {
    const char *name;
    long cases, outputs, off_by_one;
    double worst; /* largest |got - reference| in LSB, reference before rounding */
} tally_t;

static void hash_out(const int8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        g_hash ^= (uint8_t)p[i];
        g_hash *= 16777619u;
    }
}

static void guard_fill(size_t n) { memset(g_out + n, GUARD_BYTE, GUARD); }

static int guard_intact(size_t n) {
    for (size_t i = 0; i < GUARD; i++) {
        if ((uint8_t)g_out[n + i] != GUARD_BYTE) return 0;
    }
    return 1;
}

static double clamp_d(double v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* got [n] against ref [n] (real output / s_out + out_zp, unrounded, unclamped), channel
 * i % n_ch using shift[i % n_ch]. Two checks:
 * 1. within +-1 LSB of the rounded, clamped reference (the contract of issue 3);
 * 2. within the error the arithmetic allows: the final rounding (0.5), plus the first rounding
 *    of the high multiply seen through the right shift (0.5 * 2^-right), plus extra_tol, plus
 *    the 2^-31 relative error of mult. A kernel that truncates, or rounds one LSB off, fails
 *    this even when it passes the first. Clamping can only shrink the difference. */
static void judge(tally_t *t, const char *desc, const int8_t *got, const double *ref, size_t n,
                  size_t n_ch, const int32_t *shift, double extra_tol, int act_min, int act_max) {
    size_t bad_round = 0, bad_sharp = 0;
    for (size_t i = 0; i < n; i++) {
        double r = clamp_d(ref[i], act_min, act_max);
        double want = clamp_d(floor(ref[i] + 0.5), act_min, act_max);
        int32_t s = shift[i % n_ch];
        int right = s < 0 ? -s : 0;
        double tol = 0.5 + (right ? ldexp(0.5, -right) : 0.0) + extra_tol +
                     1e-6 * (1.0 + fabs(ref[i]));
        double err = fabs(got[i] - r);
        g_want[i] = (int8_t)want;
        if (fabs(got[i] - want) > 1.0) bad_round++;
        if (got[i] != g_want[i]) t->off_by_one++;
        if (err > t->worst) t->worst = err;
        if (err > tol) {
            if (bad_sharp < 3) {
                printf("  %s[%zu]: got %d, reference %.4f (clamped %.4f), tolerance %.4f\n",
                       t->name, i, got[i], ref[i], r, tol);
            }
            bad_sharp++;
        }
    }
    if (bad_round || bad_sharp) printf("%s case %ld: %s\n", t->name, t->cases, desc);
    mt_check_s8(got, g_want, n, 1, t->name);
    CHECK(bad_sharp == 0);
    CHECK(guard_intact(n));
    t->cases++;
    t->outputs += (long)n;
    hash_out(got, n);
}

static void report(const tally_t *t) {
    printf("%-16s %3ld cases %6ld outputs, %4ld off by one (%.2f%%), worst %.3f LSB\n", t->name,
           t->cases, t->outputs, t->off_by_one,
           t->outputs ? 100.0 * (double)t->off_by_one / (double)t->outputs : 0.0, t->worst);
}

/* Scratch as the caller would give it, with a guard after it. */
static void *scratch_alloc(size_t bytes) {
    uint8_t *p = malloc(bytes + GUARD);
    if (p) memset(p, GUARD_BYTE, bytes + GUARD);
    return p;
}

static int scratch_ok(const void *scratch, size_t bytes) {
    const uint8_t *p = scratch;
    for (size_t i = 0; i < GUARD; i++) {
        if (p[bytes + i] != GUARD_BYTE) return 0;
    }
    return 1;
}

/* ---- mt_requant ---- */

static void test_requant_edges(void) {
    /* Values derived by hand from the steps in docs/quantization.md. */
    CHECK_EQ(mt_requant(INT32_MIN, INT32_MIN, 0), INT32_MAX); /* the saturating case */
    /* INT32_MAX / 2 = 1073741823.5 rounds half away from zero. */
    CHECK_EQ(mt_requant(INT32_MIN, INT32_MIN, -1), 1073741824);
    /* -2^31 * (2^31 - 1) / 2^31 is exactly -(2^31 - 1). */
    CHECK_EQ(mt_requant(INT32_MIN, INT32_MAX, 0), -2147483647);
    /* (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31. */
    CHECK_EQ(mt_requant(INT32_MAX, INT32_MAX, 0), 2147483646);
    CHECK_EQ(mt_requant(12345, 0, 0), 0); /* a multiplier of 0 gives 0 */
    CHECK_EQ(mt_requant(-12345, 0, -7), 0);
    /* mult = 2^30 is M = 0.5 * 2^shift; with even x the high multiply is exact, so these
     * isolate the rounding divide: ties round half away from zero on both sides. */
    CHECK_EQ(mt_requant(6, 1 << 30, -1), 2);    /*  1.5  ->  2 */
    CHECK_EQ(mt_requant(-6, 1 << 30, -1), -2);  /* -1.5  -> -2 */
    CHECK_EQ(mt_requant(-2, 1 << 30, -1), -1);  /* -0.5  -> -1 */
    CHECK_EQ(mt_requant(2, 1 << 30, -1), 1);    /*  0.5  ->  1 */
    CHECK_EQ(mt_requant(-10, 1 << 30, -2), -1); /* -1.25 -> -1 */
    CHECK_EQ(mt_requant(-12, 1 << 30, -2), -2); /* -1.5  -> -2 */
    CHECK_EQ(mt_requant(-14, 1 << 30, -2), -2); /* -1.75 -> -2 */
    CHECK_EQ(mt_requant(-20, 1 << 30, -2), -3); /* -2.5  -> -3 */
    CHECK_EQ(mt_requant(20, 1 << 30, -2), 3);   /*  2.5  ->  3 */
    /* The high multiply's own tie rule (nudge, then truncation toward zero): -1.5 -> -1,
     * 1.5 -> 2. It only shows when there is no right shift. */
    CHECK_EQ(mt_requant(-3, 1 << 30, 0), -1);
    CHECK_EQ(mt_requant(3, 1 << 30, 0), 2);
    /* Extreme shifts. */
    CHECK_EQ(mt_requant(1, 1 << 30, 30), 1 << 29);
    CHECK_EQ(mt_requant(-1, 1 << 30, 30), -(1 << 29));
    CHECK_EQ(mt_requant(-2, 1 << 30, 30), -(1 << 30));
    CHECK_EQ(mt_requant(2, 1 << 30, 30), -(1 << 30)); /* 2 * 2^30 wraps to -2^31, as specified */
    CHECK_EQ(mt_requant(INT32_MIN, 1 << 30, -31), -1); /* -0.5 -> -1 */
    CHECK_EQ(mt_requant(1 << 30, 1 << 30, -31), 0);    /* 2^-2 -> 0 */
    CHECK_EQ(mt_requant(INT32_MAX, INT32_MAX, -31), 1); /* ~1 - 2^-30 -> 1 */
    CHECK_EQ(mt_requant(INT32_MIN, INT32_MAX, -31), -1);
    /* INT32_MAX * 2^-32 = 0.49999...; the high multiply rounds it to 2^30 first, so the
     * divide sees an exact tie and rounds up: the double rounding the contract accepts. */
    CHECK_EQ(mt_requant(INT32_MAX, 1 << 30, -31), 1);
}

/* Random x, mult in [2^30, 2^31), every shift in [-31, 30]: the result must be within
 * 0.5 + 0.5 * 2^-right of the exact x * mult * 2^(shift - 31) (x * 2^left kept within
 * int32, the factory's promise), hence within 1 of its rounding. */
static void test_requant_random(void) {
    mt_rng_t rng;
    long n = 0, bad = 0, off = 0;
    mt_rng_seed(&rng, 0x5eed0001u);
    for (int rep = 0; rep < 64; rep++) {
        for (int32_t shift = -31; shift <= 30; shift++) {
            int left = shift > 0 ? shift : 0;
            int right = shift < 0 ? -shift : 0;
            int bits = mt_rng_range(&rng, 0, 31 - left); /* |x| < 2^bits: small and large x */
            int32_t mult = (int32_t)(0x40000000u | (mt_rng_u32(&rng) & 0x3fffffffu));
            int64_t span = (int64_t)1 << bits;
            uint64_t u = ((uint64_t)mt_rng_u32(&rng) << 32) | mt_rng_u32(&rng);
            int32_t x = (int32_t)((int64_t)(u % (uint64_t)(2 * span)) - span);
            double exact, tol;
            int32_t got;
            if (rep == 0) x = (int32_t)-span; /* the most negative x allowed */
            if (rep == 1) x = (int32_t)(span - 1);
            if (rep == 2) mult = INT32_MAX;
            if (rep == 3) mult = 1 << 30;
            got = mt_requant(x, mult, shift);
            exact = ldexp((double)x * (double)mult, shift - 31);
            tol = 0.5 + (right ? ldexp(0.5, -right) : 0.0) + fabs(exact) * 0x1p-50;
            n++;
            if ((double)got != floor(exact + 0.5)) off++;
            if (fabs((double)got - exact) > tol || fabs((double)got - floor(exact + 0.5)) > 1.0) {
                if (bad < 5) {
                    printf("  mt_requant(%ld, %ld, %ld) = %ld, exact %.6f\n", (long)x, (long)mult,
                           (long)shift, (long)got, exact);
                }
                bad++;
            }
        }
    }
    CHECK_EQ(bad, 0);
    printf("%-16s %ld calls, %ld off by one, %ld outside the bound\n", "mt_requant", n, off, bad);
}

/* ---- convolution-like kernels ---- */

/* Padding for one axis. mode 0: VALID; 1: SAME as Keras/TF (the odd pad goes after, which is
 * what makes stride-2 padding asymmetric); 2: random before/after in [0, k-1]. The pad after
 * is never passed to the kernel: it is implied by the output size. */
static void pick_pads(mt_rng_t *rng, int in, int k, int s, int mode, uint8_t *pad_before,
                      uint16_t *out) {
    int before, after;
    if (mode == 0 && in >= k) {
        before = after = 0;
    } else if (mode <= 1) {
        int o = (in + s - 1) / s;
        int total = (o - 1) * s + k - in;
        if (total < 0) total = 0;
        before = total / 2;
        after = total - before;
    } else {
        before = mt_rng_range(rng, 0, k - 1);
        after = mt_rng_range(rng, 0, k - 1);
        while (in + before + after < k) after++;
    }
    *pad_before = (uint8_t)before;
    *out = (uint16_t)((in + before + after - k) / s + 1);
}

static const char *const k_pad_names[] = {"valid", "same", "random"};

/* Real-valued reference of a (depthwise if dw) convolution, written in scatter form (every
 * input tap adds to the outputs it reaches) so it shares no indexing with the kernels. */
static void conv_reference(const mt_conv_params_t *p, int dw, float s_in, double *real) {
    size_t n_out = (size_t)p->out_h * p->out_w * p->out_c;
    for (size_t i = 0; i < n_out; i++) {
        int c = (int)(i % p->out_c);
        real[i] = (double)g_bias[c] * s_in * g_sw[c];
    }
    for (int iy = 0; iy < p->in_h; iy++) {
        for (int ix = 0; ix < p->in_w; ix++) {
            for (int ky = 0; ky < p->kh; ky++) {
                for (int kx = 0; kx < p->kw; kx++) {
                    int ty = iy + p->pad_top - ky, tx = ix + p->pad_left - kx;
                    int oy, ox;
                    if (ty < 0 || tx < 0 || ty % p->stride_h || tx % p->stride_w) continue;
                    oy = ty / p->stride_h;
                    ox = tx / p->stride_w;
                    if (oy >= p->out_h || ox >= p->out_w) continue;
                    for (int oc = 0; oc < p->out_c; oc++) {
                        double *r = &real[((size_t)oy * p->out_w + ox) * p->out_c + oc];
                        const int8_t *x = &g_in[((size_t)iy * p->in_w + ix) * p->in_c];
                        double sw = g_sw[oc];
                        if (dw) {
                            double xr = (double)s_in * (x[oc] - p->in_zp);
                            *r += xr * (sw * g_w[((size_t)ky * p->kw + kx) * p->out_c + oc]);
                            continue;
                        }
                        for (int ic = 0; ic < p->in_c; ic++) {
                            double xr = (double)s_in * (x[ic] - p->in_zp);
                            size_t wi = (((size_t)oc * p->kh + ky) * p->kw + kx) * p->in_c + ic;
                            *r += xr * (sw * g_w[wi]);
                        }
                    }
                }
            }
        }
    }
}

/* Finishes a case whose real outputs are in g_ref: picks the output quantization and the
 * activation, derives every channel's (mult, shift) from float scales, and turns g_ref into
 * output units. Returns the activation's name. */
static const char *quantize_output(mt_rng_t *rng, size_t n, int n_ch, float s_in, float *s_out,
                                   int32_t *out_zp, int8_t *act_min, int8_t *act_max) {
    const char *act;
    calibrate(rng, g_ref, n, s_in, s_out, out_zp);
    pick_act(rng, *out_zp, *s_out, act_min, act_max, &act);
    for (int c = 0; c < n_ch; c++) {
        quantize_multiplier((double)s_in * g_sw[c] / *s_out, &g_mult[c], &g_shift[c]);
    }
    for (size_t i = 0; i < n; i++) g_ref[i] = g_ref[i] / *s_out + *out_zp;
    return act;
}

/* The kernel set this build runs (include/microt/kernels.h). */
static const mt_kernels_t *built(void) { return mt_kernels(mt_kernels_built()); }

/* kind 0: mt_conv_s8, 1: mt_depthwise_s8. */
static void conv_case(tally_t *t, mt_rng_t *rng, int kind, int k, int stride, int pad_mode) {
    mt_conv_params_t p;
    float s_in = rand_scale(rng, 0.005f, 0.1f), s_out;
    int32_t out_zp;
    size_t n_in, n_w, n_out, sb;
    void *scratch;
    const char *act;
    char desc[200];
    mt_requant_t rq;
    memset(&p, 0, sizeof p);
    p.in_h = (uint16_t)mt_rng_range(rng, 1, 16);
    p.in_w = (uint16_t)mt_rng_range(rng, 1, 16);
    p.in_c = (uint16_t)(kind == 0 ? mt_rng_range(rng, 1, 8) : mt_rng_range(rng, 1, 32));
    p.out_c = kind == 0 ? (uint16_t)mt_rng_range(rng, 1, 16) : p.in_c;
    p.kh = p.kw = (uint8_t)k;
    if (mt_rng_range(rng, 0, 4) == 0) p.kw = (uint8_t)(2 * mt_rng_range(rng, 0, 3) + 1);
    p.stride_h = p.stride_w = (uint8_t)stride;
    if (mt_rng_range(rng, 0, 4) == 0) p.stride_w = (uint8_t)(3 - stride); /* unequal strides */
    pick_pads(rng, p.in_h, p.kh, p.stride_h, pad_mode, &p.pad_top, &p.out_h);
    pick_pads(rng, p.in_w, p.kw, p.stride_w, pad_mode, &p.pad_left, &p.out_w);
    p.in_zp = mt_rng_range(rng, -128, 127);
    n_in = (size_t)p.in_h * p.in_w * p.in_c;
    n_w = (size_t)p.kh * p.kw * (kind == 0 ? (size_t)p.in_c * p.out_c : p.out_c);
    n_out = (size_t)p.out_h * p.out_w * p.out_c;
    fill_s8(rng, g_in, n_in, -128, 127);
    make_weights(rng, n_w, p.out_c, p.kh * p.kw * (kind == 0 ? p.in_c : 1));
    conv_reference(&p, kind == 1, s_in, g_ref);
    act = quantize_output(rng, n_out, p.out_c, s_in, &s_out, &out_zp, &p.act_min, &p.act_max);
    p.out_zp = out_zp;
    rq.mult = g_mult;
    rq.shift = g_shift;
    snprintf(desc, sizeof desc,
             "in %ux%ux%u out %ux%ux%u k %ux%u stride %ux%u pad %s top %u left %u zp %ld/%ld "
             "act %s [%d, %d]",
             p.in_h, p.in_w, p.in_c, p.out_h, p.out_w, p.out_c, p.kh, p.kw, p.stride_h, p.stride_w,
             k_pad_names[pad_mode], p.pad_top, p.pad_left, (long)p.in_zp, (long)p.out_zp, act,
             p.act_min, p.act_max);
    guard_fill(n_out);
    if (kind == 0) {
        sb = built()->conv_scratch_bytes(&p);
        scratch = scratch_alloc(sb);
        built()->conv(&p, g_in, g_w, g_bias, rq, g_out, sb ? scratch : NULL);
    } else {
        sb = built()->depthwise_scratch_bytes(&p);
        scratch = scratch_alloc(sb);
        built()->depthwise(&p, g_in, g_w, g_bias, rq, g_out, sb ? scratch : NULL);
    }
    CHECK(scratch != NULL && scratch_ok(scratch, sb));
    free(scratch);
    judge(t, desc, g_out, g_ref, n_out, p.out_c, g_shift, 0.0, p.act_min, p.act_max);
}

static void test_conv_family(int kind, uint32_t seed) {
    static const int ks[] = {1, 3, 5, 7};
    tally_t t = {kind == 0 ? "mt_conv_s8" : "mt_depthwise_s8", 0, 0, 0, 0.0};
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 2; rep++) {
        for (int ki = 0; ki < 4; ki++) {
            for (int stride = 1; stride <= 2; stride++) {
                for (int pad = 0; pad < 3; pad++) conv_case(&t, &rng, kind, ks[ki], stride, pad);
            }
        }
    }
    report(&t);
}

static void test_pointwise(uint32_t seed) {
    tally_t t = {"mt_pointwise_s8", 0, 0, 0, 0.0};
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 30; rep++) {
        mt_conv_params_t p;
        float s_in = rand_scale(&rng, 0.005f, 0.1f), s_out;
        int32_t out_zp;
        size_t n, sb;
        void *scratch;
        const char *act;
        char desc[160];
        mt_requant_t rq;
        memset(&p, 0, sizeof p);
        p.in_h = p.out_h = (uint16_t)mt_rng_range(&rng, 1, 12);
        p.in_w = p.out_w = (uint16_t)mt_rng_range(&rng, 1, 12);
        p.in_c = (uint16_t)mt_rng_range(&rng, 1, 32);
        p.out_c = (uint16_t)mt_rng_range(&rng, 1, 32);
        p.kh = p.kw = p.stride_h = p.stride_w = 1;
        p.in_zp = mt_rng_range(&rng, -128, 127);
        n = (size_t)p.in_h * p.in_w;
        fill_s8(&rng, g_in, n * p.in_c, -128, 127);
        make_weights(&rng, (size_t)p.in_c * p.out_c, p.out_c, p.in_c);
        /* Reference: per output channel, then per pixel (the kernel goes pixel first). */
        for (int oc = 0; oc < p.out_c; oc++) {
            for (size_t i = 0; i < n; i++) {
                double r = (double)g_bias[oc] * s_in * g_sw[oc];
                for (int ic = 0; ic < p.in_c; ic++) {
                    r += (double)s_in * (g_in[i * p.in_c + ic] - p.in_zp) *
                         ((double)g_sw[oc] * g_w[(size_t)oc * p.in_c + ic]);
                }
                g_ref[i * p.out_c + oc] = r;
            }
        }
        act = quantize_output(&rng, n * p.out_c, p.out_c, s_in, &s_out, &out_zp, &p.act_min,
                              &p.act_max);
        p.out_zp = out_zp;
        rq.mult = g_mult;
        rq.shift = g_shift;
        snprintf(desc, sizeof desc, "%ux%u px, %u -> %u ch, zp %ld/%ld act %s [%d, %d]", p.in_h,
                 p.in_w, p.in_c, p.out_c, (long)p.in_zp, (long)p.out_zp, act, p.act_min,
                 p.act_max);
        guard_fill(n * p.out_c);
        sb = built()->pointwise_scratch_bytes(&p);
        scratch = scratch_alloc(sb);
        built()->pointwise(&p, g_in, g_w, g_bias, rq, g_out, sb ? scratch : NULL);
        CHECK(scratch != NULL && scratch_ok(scratch, sb));
        free(scratch);
        judge(&t, desc, g_out, g_ref, n * p.out_c, p.out_c, g_shift, 0.0, p.act_min, p.act_max);
    }
    report(&t);
}

static void test_fully_connected(uint32_t seed) {
    tally_t t = {"mt_fully_connected_s8", 0, 0, 0, 0.0};
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 30; rep++) {
        int32_t in_len = rep == 0 ? 1 : mt_rng_range(&rng, 1, 320);
        int32_t out_len = rep == 1 ? 1 : mt_rng_range(&rng, 1, 16);
        int32_t in_zp = mt_rng_range(&rng, -128, 127), out_zp;
        float s_in = rand_scale(&rng, 0.005f, 0.1f), s_out;
        int8_t act_min, act_max;
        const char *act;
        char desc[120];
        mt_requant_t rq;
        fill_s8(&rng, g_in, (size_t)in_len, -128, 127);
        make_weights(&rng, (size_t)in_len * out_len, out_len, in_len);
        for (int32_t o = 0; o < out_len; o++) {
            double r = (double)g_bias[o] * s_in * g_sw[o];
            for (int32_t i = 0; i < in_len; i++) {
                r += ((double)s_in * (g_in[i] - in_zp)) *
                     ((double)g_sw[o] * g_w[(size_t)o * in_len + i]);
            }
            g_ref[o] = r;
        }
        act = quantize_output(&rng, (size_t)out_len, out_len, s_in, &s_out, &out_zp, &act_min,
                              &act_max);
        rq.mult = g_mult;
        rq.shift = g_shift;
        snprintf(desc, sizeof desc, "%ld -> %ld, zp %ld/%ld act %s [%d, %d]", (long)in_len,
                 (long)out_len, (long)in_zp, (long)out_zp, act, act_min, act_max);
        guard_fill((size_t)out_len);
        built()->fully_connected(in_len, out_len, g_in, g_w, g_bias, in_zp, out_zp, act_min, act_max,
                              rq, g_out);
        judge(&t, desc, g_out, g_ref, (size_t)out_len, (size_t)out_len, g_shift, 0.0, act_min,
              act_max);
    }
    report(&t);
}

/* ADD with TFLite's parameters (docs/quantization.md): both inputs lifted by 2^20 and
 * rescaled to 2 * max(s0, s1), then the sum to s_out. Also run in place (out == in0). */
static void test_add(uint32_t seed) {
    tally_t t = {"mt_add_s8", 0, 0, 0, 0.0};
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 30; rep++) {
        int32_t len = mt_rng_range(&rng, 1, 512);
        float s0 = rand_scale(&rng, 0.005f, 0.2f), s1 = rand_scale(&rng, 0.005f, 0.2f), s_out;
        double s_max2, m_out;
        int32_t out_zp;
        const char *act;
        char desc[120];
        mt_add_params_t p;
        memset(&p, 0, sizeof p);
        if (rep % 5 == 0) s1 = s0; /* equal scales, the common residual case */
        p.in0_zp = mt_rng_range(&rng, -128, 127);
        p.in1_zp = mt_rng_range(&rng, -128, 127);
        fill_s8(&rng, g_in, (size_t)len, -128, 127);
        fill_s8(&rng, g_in1, (size_t)len, -128, 127);
        for (int32_t i = 0; i < len; i++) {
            g_ref[i] = (double)s0 * (g_in[i] - p.in0_zp) + (double)s1 * (g_in1[i] - p.in1_zp);
        }
        calibrate(&rng, g_ref, (size_t)len, s0, &s_out, &out_zp);
        pick_act(&rng, out_zp, s_out, &p.act_min, &p.act_max, &act);
        p.out_zp = out_zp;
        p.left_shift = 20;
        s_max2 = 2.0 * (s0 > s1 ? s0 : s1);
        m_out = s_max2 / (ldexp(1.0, p.left_shift) * s_out);
        quantize_multiplier(s0 / s_max2, &p.in0_mult, &p.in0_shift);
        quantize_multiplier(s1 / s_max2, &p.in1_mult, &p.in1_shift);
        quantize_multiplier(m_out, &p.out_mult, &p.out_shift);
        for (int32_t i = 0; i < len; i++) g_ref[i] = g_ref[i] / s_out + out_zp;
        snprintf(desc, sizeof desc, "len %ld, s %.4g %.4g -> %.4g, zp %ld %ld -> %ld act %s",
                 (long)len, s0, s1, s_out, (long)p.in0_zp, (long)p.in1_zp, (long)out_zp, act);
        guard_fill((size_t)len);
        built()->add(&p, len, g_in, g_in1, g_out);
        /* Each rescaled input is off by at most one unit of 2^-20-ish scale: 2 * M_out more. */
        judge(&t, desc, g_out, g_ref, (size_t)len, 1, &p.out_shift, 2.0 * m_out, p.act_min,
              p.act_max);
        memcpy(g_alias, g_in, (size_t)len);
        built()->add(&p, len, g_alias, g_in1, g_alias);
        mt_check_s8(g_alias, g_out, (size_t)len, 0, "mt_add_s8 in place");
    }
    report(&t);
}

static void test_avgpool(uint32_t seed) {
    tally_t t = {"mt_avgpool_s8", 0, 0, 0, 0.0};
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (int rep = 0; rep < 30; rep++) {
        int32_t h = rep == 0 ? 1 : mt_rng_range(&rng, 1, 16);
        int32_t w = rep == 0 ? 1 : mt_rng_range(&rng, 1, 16);
        int32_t c = mt_rng_range(&rng, 1, 32);
        int32_t in_zp = mt_rng_range(&rng, -128, 127), out_zp, mult, shift;
        float s_in = rand_scale(&rng, 0.005f, 0.1f), s_out;
        int8_t act_min, act_max;
        const char *act;
        char desc[120];
        /* Each channel draws from its own sub-range so the means spread over the output. */
        for (int32_t ch = 0; ch < c; ch++) {
            int lo = mt_rng_range(&rng, -128, 127), hi = mt_rng_range(&rng, lo, 127);
            for (int32_t i = 0; i < h * w; i++) g_in[i * c + ch] = (int8_t)mt_rng_range(&rng, lo, hi);
        }
        for (int32_t ch = 0; ch < c; ch++) {
            double sum = 0.0;
            for (int32_t i = 0; i < h * w; i++) sum += (double)s_in * (g_in[i * c + ch] - in_zp);
            g_ref[ch] = sum / (h * w);
        }
        calibrate(&rng, g_ref, (size_t)c, s_in, &s_out, &out_zp);
        pick_act(&rng, out_zp, s_out, &act_min, &act_max, &act);
        quantize_multiplier((double)s_in / ((double)s_out * h * w), &mult, &shift);
        for (int32_t ch = 0; ch < c; ch++) g_ref[ch] = g_ref[ch] / s_out + out_zp;
        snprintf(desc, sizeof desc, "%ldx%ldx%ld, zp %ld/%ld act %s [%d, %d]", (long)h, (long)w,
                 (long)c, (long)in_zp, (long)out_zp, act, act_min, act_max);
        guard_fill((size_t)c);
        mt_avgpool_s8(h, w, c, g_in, in_zp, out_zp, mult, shift, act_min, act_max, g_out);
        judge(&t, desc, g_out, g_ref, (size_t)c, 1, &shift, 0.0, act_min, act_max);
    }
    report(&t);
}

int main(void) {
    test_requant_edges();
    test_requant_random();
    test_conv_family(0, 0x5eed0002u);
    test_conv_family(1, 0x5eed0003u);
    test_pointwise(0x5eed0004u);
    test_fully_connected(0x5eed0005u);
    test_add(0x5eed0006u);
    test_avgpool(0x5eed0007u);
    /* Same seeds, same integers: this must print the same on the host and on the MCU. */
    printf("kernel output hash: %08lx\n", (unsigned long)g_hash);
    return mt_test_summary("test_kernels");
}
