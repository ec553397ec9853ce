/* Feature cache and head training: test accuracy on a fixed feature set within 0.5 point of
 * scikit-learn's LogisticRegression (reference numbers stored with the data by
 * factory/make_head_golden.py), determinism, warm start after adding classes, the cache's
 * int8 encoding, confidences against a direct softmax, and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/features.h"
#include "microt/head.h"
#include "model_builder.h"
#include "test_util.h"

typedef struct {
    uint32_t n_train, n_test, dim, n_classes;
    float acc_raw, acc_std;
    const uint8_t *records; /* (2 + 2 + 4 + dim) bytes each */
    const uint8_t *pred_raw, *pred_std;
} golden_t;

static int parse_golden(const uint8_t *b, size_t len, golden_t *g) {
    if (len < 44 || memcmp(b, "MTHF", 4) != 0 || mt_get_u32(b + 4) != 1) return 0;
    g->n_train = mt_get_u32(b + 8);
    g->n_test = mt_get_u32(b + 12);
    g->dim = mt_get_u32(b + 16);
    g->n_classes = mt_get_u32(b + 20);
    memcpy(&g->acc_raw, b + 28, 4);
    memcpy(&g->acc_std, b + 32, 4);
    g->records = b + 44;
    size_t rec = 8u + g->dim, n = g->n_train + g->n_test;
    if (len != 44 + n * rec + 2u * g->n_test) return 0;
    g->pred_raw = g->records + n * rec;
    g->pred_std = g->pred_raw + g->n_test;
    return 1;
}

/* Sample i (train first, then test): x = scale * q in float32, as numpy computed it. */
static uint16_t sample(const golden_t *g, uint32_t i, float *x) {
    const uint8_t *r = g->records + (size_t)i * (8u + g->dim);
    float scale;
    memcpy(&scale, r + 4, 4);
    for (uint32_t d = 0; d < g->dim; d++) x[d] = scale * (float)(int8_t)r[8 + d];
    return (uint16_t)(r[0] | (r[1] << 8));
}

#define MAX_DIM 64
static uint32_t g_cache_buf[80000 / 4];
static uint32_t g_head_buf[16384 / 4];
static uint32_t g_head_buf2[16384 / 4];
static uint32_t g_scratch[262144 / 4];

/* Adds the training samples of classes [lo_class, hi_class) (the same vector for both stages). */
static void fill_cache(const golden_t *g, mt_features_t *c, uint32_t lo_class, uint32_t hi_class) {
    float x[MAX_DIM];
    for (uint32_t i = 0; i < g->n_train; i++) {
        uint16_t y = sample(g, i, x);
        if (y < lo_class || y >= hi_class) continue;
        CHECK_EQ(mt_features_add(c, y, x, x), MT_OK);
    }
}

/* Test accuracy (%) of a head and its agreement (%) with sklearn's predictions. */
static float evaluate(const golden_t *g, const mt_head_t *h, const uint8_t *ref, float *agree) {
    float x[MAX_DIM];
    uint32_t right = 0, same = 0;
    for (uint32_t i = 0; i < g->n_test; i++) {
        uint16_t y = sample(g, g->n_train + i, x), label;
        float conf;
        CHECK_EQ(mt_head_predict_f32(h, x, g->dim, MT_CONF_MAX_PROB, &label, &conf), MT_OK);
        right += label == y;
        same += label == ref[i];
    }
    *agree = 100.0f * (float)same / (float)g->n_test;
    return 100.0f * (float)right / (float)g->n_test;
}

static void test_sklearn(const golden_t *g) {
    /* Raw features: centred (the default, same optimum) and untouched; standardised. */
    static const struct { mt_features_format_t fmt; uint8_t scaling; const char *what; } cases[] = {
        {MT_FEATURES_F32, MT_SCALE_AUTO, "f32 cache, raw (centred)"},
        {MT_FEATURES_F32, MT_SCALE_NONE, "f32 cache, raw (as is)"},
        {MT_FEATURES_F32, MT_SCALE_STANDARDIZE, "f32 cache, standardized"},
        {MT_FEATURES_S8, MT_SCALE_AUTO, "s8 cache, raw (centred)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mt_features_t c;
        CHECK_EQ(mt_features_init(&c, g_cache_buf, sizeof g_cache_buf, g->n_train, g->dim, g->dim,
                                  cases[k].fmt), MT_OK);
        fill_cache(g, &c, 0, g->n_classes);
        mt_head_t h;
        CHECK_EQ(mt_head_init(&h, g_head_buf, sizeof g_head_buf, g->n_classes, g->dim), MT_OK);
        mt_train_opts_t o;
        mt_train_opts_default(&o);
        o.scaling = cases[k].scaling;
        int std_ = o.scaling == MT_SCALE_STANDARDIZE;
        mt_train_report_t rep;
        CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_FULL, &o, g_scratch, sizeof g_scratch, &rep), MT_OK);
        float agree, acc = evaluate(g, &h, std_ ? g->pred_std : g->pred_raw, &agree);
        float ref = std_ ? g->acc_std : g->acc_raw;
        printf("%-26s: accuracy %.2f%% (sklearn %.2f%%), agrees with sklearn on %.1f%%, "
               "%u iterations, %u evaluations, stop %s, loss %.5f, max|grad| %.2g\n",
               cases[k].what, acc, ref, agree, (unsigned)rep.iterations,
               (unsigned)rep.evaluations, mt_train_stop_name((mt_train_stop_t)rep.stop), rep.loss,
               rep.grad_max);
        /* Converged well inside the budget, and says so. */
        CHECK(rep.converged);
        CHECK_EQ(rep.stop, MT_STOP_GRADIENT);
        CHECK(rep.grad_max <= o.tol);
        /* Centring halves the iterations of raw features (same optimum). */
        if (o.scaling != MT_SCALE_NONE) CHECK(rep.iterations <= o.max_iter / 2);
        CHECK_EQ(rep.samples, g->n_train);
        CHECK(rep.sample_passes == rep.evaluations * g->n_train);
        CHECK_EQ(rep.scaling, o.scaling == MT_SCALE_AUTO ? MT_SCALE_CENTER : o.scaling);
        CHECK_EQ(h.standardize, std_);
        /* The f32 cache holds exactly sklearn's inputs: the same optimum, within 0.5 point.
         * The s8 cache re-quantizes them per sample: allowed 1 point. Training stops at
         * max|gradient| 1e-3 (sklearn here: 1e-8), so ~1-2 % of the test points, those nearest
         * a class boundary, may fall on the other side. */
        float tol = cases[k].fmt == MT_FEATURES_F32 ? 0.5f : 1.0f;
        CHECK(fabsf(acc - ref) <= tol);
        CHECK(agree >= (cases[k].fmt == MT_FEATURES_F32 ? 97.0f : 95.0f));
    }
}

/* Standardization is scale-free: the golden features times 1e-8 (an untrained extractor's
 * pooled outputs are that small) train to the same predictions as the originals; a feature
 * that never changes keeps inv_std = 1 instead of blowing up rounding noise. The default
 * (AUTO) standardises such tiny features by itself, where raw ones train to chance. */
static void test_standardize_tiny_scale(const golden_t *g) {
    static const float scales[] = {1.0f, 1e-8f};
    static const uint8_t scalings[] = {MT_SCALE_STANDARDIZE, MT_SCALE_STANDARDIZE, MT_SCALE_AUTO,
                                       MT_SCALE_NONE};
    static uint8_t pred[2][4096];
    float x[MAX_DIM];
    mt_head_t h;
    CHECK(g->n_test <= sizeof pred[0]);
    for (size_t k = 0; k < 4; k++) {
        float scale = scales[k == 0 ? 0 : 1];
        mt_features_t c;
        CHECK_EQ(mt_features_init(&c, g_cache_buf, sizeof g_cache_buf, g->n_train, g->dim, g->dim,
                                  MT_FEATURES_F32), MT_OK);
        for (uint32_t i = 0; i < g->n_train; i++) {
            uint16_t y = sample(g, i, x);
            for (uint32_t d = 0; d < g->dim; d++) x[d] *= scale;
            x[0] = 3.0f; /* a constant feature */
            CHECK_EQ(mt_features_add(&c, y, x, x), MT_OK);
        }
        CHECK_EQ(mt_head_init(&h, g_head_buf, sizeof g_head_buf, g->n_classes, g->dim), MT_OK);
        mt_train_opts_t o;
        mt_train_opts_default(&o);
        o.scaling = scalings[k];
        mt_train_report_t rep;
        CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_FULL, &o, g_scratch, sizeof g_scratch, &rep), MT_OK);
        CHECK_EQ(rep.constant_features, 1);
        if (k < 3) {
            CHECK_EQ(rep.scaling, MT_SCALE_STANDARDIZE);
            CHECK(h.inv_std[0] == 1.0f);
            for (uint32_t d = 1; d < g->dim; d++) CHECK(h.inv_std[d] > 0.1f / scale);
        }
        uint32_t right = 0;
        for (uint32_t i = 0; i < g->n_test && i < sizeof pred[0]; i++) {
            uint16_t y = sample(g, g->n_train + i, x), label;
            for (uint32_t d = 0; d < g->dim; d++) x[d] *= scale;
            x[0] = 3.0f;
            float conf;
            CHECK_EQ(mt_head_predict_f32(&h, x, g->dim, MT_CONF_MAX_PROB, &label, &conf), MT_OK);
            if (k < 2) pred[k][i] = (uint8_t)label;
            right += label == y;
        }
        printf("scaling %u, features x %g: accuracy %.2f%%, %u iterations\n", (unsigned)scalings[k],
               (double)scale, 100.0 * right / g->n_test, (unsigned)rep.iterations);
        if (k < 3) {
            CHECK(right > g->n_test / 2); /* far above chance */
        } else {
            CHECK(right * 10u < g->n_test * 3u); /* raw 1e-8 features: the trap AUTO avoids */
        }
    }
    uint32_t same = 0;
    for (uint32_t i = 0; i < g->n_test && i < sizeof pred[0]; i++) same += pred[0][i] == pred[1][i];
    CHECK(same * 100u >= g->n_test * 98u);
}

/* Training reports why it stopped: a budget too small to converge says so. */
static void test_convergence_report(const golden_t *g) {
    mt_features_t c;
    CHECK_EQ(mt_features_init(&c, g_cache_buf, sizeof g_cache_buf, g->n_train, g->dim, g->dim,
                              MT_FEATURES_S8), MT_OK);
    fill_cache(g, &c, 0, g->n_classes);
    mt_head_t h;
    CHECK_EQ(mt_head_init(&h, g_head_buf, sizeof g_head_buf, g->n_classes, g->dim), MT_OK);
    mt_train_opts_t o;
    mt_train_opts_default(&o);
    o.max_iter = 3;
    mt_train_report_t rep;
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, &rep), MT_OK);
    CHECK_EQ(rep.iterations, 3);
    CHECK_EQ(rep.stop, MT_STOP_MAX_ITER);
    CHECK(!rep.converged);
    CHECK(rep.grad_max > o.tol);
    CHECK(strcmp(mt_train_stop_name(MT_STOP_MAX_ITER), "max-iter") == 0);
    CHECK(strcmp(mt_train_stop_name(MT_STOP_GRADIENT), "gradient") == 0);
    CHECK(strcmp(mt_train_stop_name(MT_STOP_DECREASE), "decrease") == 0);
    CHECK(strcmp(mt_train_stop_name(MT_STOP_LINE_SEARCH), "line-search") == 0);
    CHECK(strcmp(mt_train_stop_name((mt_train_stop_t)9), "?") == 0);
    /* tol 0 cannot be met in float: training ends when no step decreases the objective any
     * more (or the relative decrease vanishes), well before the budget, and says which. */
    mt_train_opts_default(&o);
    o.tol = 0.0f;
    o.max_iter = 2000;
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, &rep), MT_OK);
    printf("tol 0: %u iterations, stop %s, max|grad| %.2g\n", (unsigned)rep.iterations,
           mt_train_stop_name((mt_train_stop_t)rep.stop), rep.grad_max);
    CHECK(rep.stop == MT_STOP_LINE_SEARCH || rep.stop == MT_STOP_DECREASE);
    CHECK(rep.iterations < 2000);
    CHECK_EQ(rep.converged, rep.stop == MT_STOP_DECREASE);
}

static void test_deterministic_and_warm(const golden_t *g) {
    mt_features_t c;
    mt_features_init(&c, g_cache_buf, sizeof g_cache_buf, g->n_train, g->dim, g->dim,
                     MT_FEATURES_S8);
    mt_train_opts_t o;
    mt_train_opts_default(&o);
    /* First the user has 8 classes; then classes 8 and 9 arrive (no images kept). */
    fill_cache(g, &c, 0, 8);
    CHECK_EQ(c.n_classes, 8);
    mt_head_t h, h2;
    mt_head_init(&h, g_head_buf, sizeof g_head_buf, g->n_classes, g->dim);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_OK);
    CHECK_EQ(h.n_classes, 8);
    fill_cache(g, &c, 8, g->n_classes);
    CHECK_EQ(c.n_classes, g->n_classes);
    mt_train_report_t cold, warm;
    mt_head_init(&h2, g_head_buf2, sizeof g_head_buf2, g->n_classes, g->dim);
    CHECK_EQ(mt_head_train(&h2, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, &cold), MT_OK);
    o.warm_start = 1;
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, &warm), MT_OK);
    float agree_cold, agree_warm;
    float acc_cold = evaluate(g, &h2, g->pred_raw, &agree_cold);
    float acc_warm = evaluate(g, &h, g->pred_raw, &agree_warm);
    printf("after adding 2 classes: cold %.2f%% in %u iterations, warm %.2f%% in %u\n",
           acc_cold, (unsigned)cold.iterations, acc_warm, (unsigned)warm.iterations);
    CHECK(fabsf(acc_warm - acc_cold) <= 0.5f);
    CHECK(h.n_classes == g->n_classes);

    /* Same inputs, same options: the same bits. */
    o.warm_start = 0;
    mt_head_init(&h, g_head_buf, sizeof g_head_buf, g->n_classes, g->dim);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_OK);
    CHECK(memcmp(g_head_buf, g_head_buf2, mt_head_bytes(g->n_classes, g->dim)) == 0);
}

/* Confidences against a direct double-precision softmax. */
static void test_decide(void) {
    const float z[4] = {1.0f, 3.0f, -2.0f, 2.5f};
    double e[4], s = 0.0, h = 0.0;
    for (int i = 0; i < 4; i++) s += (e[i] = exp((double)z[i]));
    for (int i = 0; i < 4; i++) h -= e[i] / s * log(e[i] / s);
    uint16_t label;
    float conf;
    CHECK_EQ(mt_head_decide(z, 4, MT_CONF_MAX_PROB, &label, &conf), MT_OK);
    CHECK_EQ(label, 1);
    CHECK(fabs(conf - e[1] / s) < 1e-6);
    CHECK_EQ(mt_head_decide(z, 4, MT_CONF_MARGIN, &label, &conf), MT_OK);
    CHECK(fabs(conf - (e[1] - e[3]) / s) < 1e-6);
    CHECK_EQ(mt_head_decide(z, 4, MT_CONF_ENTROPY, &label, &conf), MT_OK);
    CHECK(fabs(conf - (1.0 - h / log(4.0))) < 1e-5);
    const float bad[2] = {NAN, NAN};
    CHECK_EQ(mt_head_decide(bad, 2, MT_CONF_MAX_PROB, &label, &conf), MT_E_NONFINITE);
    CHECK_EQ(mt_head_decide(z, 4, (mt_confidence_t)7, &label, &conf), MT_E_ARG);
}

static uint32_t g_model[8192 / 4];
static uint32_t g_arena[16384 / 4];

/* Samples straight from the executor: the cache holds what mt_exec_features_f32 gives. */
static void test_cache_from_exec(void) {
    size_t len = mt_build_small_model((uint8_t *)g_model, sizeof g_model, 3);
    mt_model_t m;
    if (!CHECK_EQ(mt_model_open(&m, g_model, len), MT_OK)) return;
    mt_exec_t x;
    CHECK_EQ(mt_exec_init(&x, &m, g_arena, sizeof g_arena), MT_OK);
    mt_features_t c8, c32, small;
    static uint32_t buf8[1024], buf32[1024];
    CHECK_EQ(mt_features_init(&c8, buf8, sizeof buf8, 4, 8, 12, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_features_init(&c32, buf32, sizeof buf32, 4, 8, 12, MT_FEATURES_F32), MT_OK);
    CHECK_EQ(mt_features_init(&small, buf8, sizeof buf8, 4, 8, 13, MT_FEATURES_S8), MT_OK);
    uint8_t px[8 * 8 * 3];
    CHECK_EQ(mt_exec_set_input_u8(&x, px, 0), MT_E_SHAPE);
    mt_rng_t rng;
    mt_rng_seed(&rng, 11);
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)mt_rng_u32(&rng);
    CHECK_EQ(mt_exec_set_input_u8(&x, px, sizeof px), MT_OK);
    CHECK_EQ(mt_features_add_exec(&c8, 0, &x), MT_E_STATE); /* extractor not run */
    CHECK_EQ(mt_exec_run_full(&x), MT_OK);
    CHECK_EQ(mt_features_add_exec(&small, 0, &x), MT_E_SHAPE);
    CHECK_EQ(mt_features_add_exec(&c8, 2, &x), MT_OK);
    CHECK_EQ(mt_features_add_exec(&c32, 2, &x), MT_OK);
    float want[12], got[12], lo = 1e30f, hi = -1e30f;
    for (int stage = 0; stage < 2; stage++) {
        uint32_t n = stage ? 12 : 8;
        CHECK_EQ(mt_exec_features_f32(&x, (mt_stage_t)stage, want, n), MT_OK);
        uint16_t label = 9;
        CHECK_EQ(mt_features_get(&c32, 0, (mt_stage_t)stage, got, &label), MT_OK);
        CHECK_EQ(label, 2);
        CHECK(memcmp(got, want, n * 4) == 0);
        CHECK_EQ(mt_features_get(&c8, 0, (mt_stage_t)stage, got, NULL), MT_OK);
        for (uint32_t i = 0; i < n; i++) {
            lo = fminf(lo, want[i]);
            hi = fmaxf(hi, want[i]);
        }
        float worst = 0.0f;
        for (uint32_t i = 0; i < n; i++) worst = fmaxf(worst, fabsf(got[i] - want[i]));
        CHECK(worst <= (hi - lo) / 255.0f * 0.5f + 1e-6f); /* half a step of the sample's range */
        lo = 1e30f;
        hi = -1e30f;
    }
    CHECK_EQ(c8.n_classes, 3);
}

static void test_errors(void) {
    CHECK_EQ(mt_features_bytes(10, 0, 4, MT_FEATURES_S8), 0);
    CHECK_EQ(mt_features_bytes(10, 4, 4, (mt_features_format_t)5), 0);
    /* 10 labels (20 -> 20 B) + 10 x ((8 + 4) + (8 + 8)) for s8 dims 3 and 5 (padded to 4, 8) */
    CHECK_EQ(mt_features_bytes(10, 3, 5, MT_FEATURES_S8), 20 + 10 * (12 + 16));
    CHECK_EQ(mt_features_bytes(10, 3, 5, MT_FEATURES_F32), 20 + 10 * 32);
    mt_features_t c;
    static uint32_t buf[64];
    size_t need = mt_features_bytes(2, 3, 5, MT_FEATURES_F32);
    CHECK_EQ(mt_features_init(&c, buf, need - 1, 2, 3, 5, MT_FEATURES_F32), MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_features_init(&c, (uint8_t *)buf + 2, need, 2, 3, 5, MT_FEATURES_F32), MT_E_ARENA_ALIGN);
    CHECK_EQ(mt_features_init(&c, buf, need, 2, 3, 5, MT_FEATURES_F32), MT_OK);
    float a[3] = {1, 2, 3}, b[5] = {1, 2, 3, 4, 5};
    CHECK_EQ(mt_features_add(&c, MT_FEATURES_MAX_CLASSES, a, b), MT_E_ARG);
    b[4] = INFINITY;
    CHECK_EQ(mt_features_add(&c, 0, a, b), MT_E_NONFINITE);
    b[4] = 5;
    a[1] = NAN;
    CHECK_EQ(mt_features_add(&c, 0, a, b), MT_E_NONFINITE);
    CHECK_EQ(c.n_samples, 0);
    a[1] = 2;
    mt_head_t h;
    mt_train_opts_t o;
    mt_train_opts_default(&o);
    CHECK_EQ(mt_head_init(&h, g_head_buf, sizeof g_head_buf, 4, 3), MT_OK);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_E_STATE);
    CHECK_EQ(mt_features_add(&c, 0, a, b), MT_OK);
    CHECK_EQ(mt_features_add(&c, 1, b, b), MT_OK);
    CHECK_EQ(mt_features_add(&c, 1, a, b), MT_E_CACHE_FULL);
    size_t scratch = mt_head_train_scratch_bytes(2, 3, &o);
    /* P = 2*3 + 2 = 8 params, m = 3: (3 + 6) * 8 + 3 + 2*3 + 2 floats */
    CHECK_EQ(scratch, 4 * (9 * 8 + 3 + 6 + 2));
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, scratch - 1, NULL),
             MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_FULL, &o, g_scratch, sizeof g_scratch, NULL), MT_E_SHAPE);
    CHECK_EQ(mt_head_init(&h, g_head_buf, sizeof g_head_buf, 1, 3), MT_OK);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_E_SHAPE);
    CHECK_EQ(mt_head_init(&h, g_head_buf, mt_head_bytes(2, 3) - 1, 2, 3), MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_head_init(&h, g_head_buf, sizeof g_head_buf, 2, 3), MT_OK);
    o.history = 0;
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_E_ARG);
    mt_train_opts_default(&o);
    o.scaling = 4;
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_E_ARG);
    CHECK_EQ(mt_head_train_scratch_bytes(2, 3, &o), 0);
    mt_train_opts_default(&o);
    CHECK_EQ(mt_head_train(&h, &c, (mt_stage_t)2, &o, g_scratch, sizeof g_scratch, NULL), MT_E_ARG);
    CHECK_EQ(mt_head_train_input(&h, &c, (mt_head_input_t)3, &o, g_scratch, sizeof g_scratch, NULL),
             MT_E_ARG);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, (uint8_t *)g_scratch + 2, sizeof g_scratch - 4,
                           NULL), MT_E_ARENA_ALIGN);
    CHECK_EQ(mt_head_input_dim(&c, MT_HEAD_CONCAT), 8);
    CHECK_EQ(mt_head_input_dim(&c, (mt_head_input_t)3), 0);
    CHECK_EQ(mt_head_input_dim(NULL, MT_HEAD_PART), 0);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_OK);
    uint16_t label;
    float conf;
    CHECK_EQ(mt_head_predict_f32(&h, a, 2, MT_CONF_MAX_PROB, &label, &conf), MT_E_SHAPE);
    CHECK_EQ(mt_head_predict_f32(&h, a, 3, MT_CONF_MAX_PROB, &label, &conf), MT_OK);
    CHECK_EQ(label, 0); /* its own training sample, separable */
}

int main(int argc, char **argv) {
    if (!CHECK(argc == 2)) return mt_test_summary("test_head");
    size_t len;
    uint8_t *bytes = mt_read_file(argv[1], &len);
    golden_t g;
    if (CHECK(bytes != NULL) && CHECK(parse_golden(bytes, len, &g)) && CHECK(g.dim <= MAX_DIM) &&
        CHECK(mt_features_bytes(g.n_train, g.dim, g.dim, MT_FEATURES_F32) <= sizeof g_cache_buf)) {
        test_sklearn(&g);
        test_deterministic_and_warm(&g);
        test_standardize_tiny_scale(&g);
        test_convergence_report(&g);
    }
    free(bytes);
    test_decide();
    test_cache_from_exec();
    test_errors();
    return mt_test_summary("test_head");
}
