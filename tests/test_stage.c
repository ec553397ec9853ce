/* Stage-decision: calibration hits the requested exit share on held-out data, r = 0 answers
 * exactly as the full model and r = 1 as the part model, an early-exit run that resumes leaves
 * the same full-stage features as one uninterrupted pass, several tasks share one extractor
 * pass, the MACs reported, the SRAM budget of 10 classes x 10 samples, and the error paths. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/features.h"
#include "microt/head.h"
#include "microt/stage.h"
#include "model_builder.h"
#include "test_util.h"

static uint32_t g_cache[(2048 * 48) / 4];
static uint32_t g_scratch[131072 / 4];
static uint32_t g_head_a[4096 / 4];

static float gauss(mt_rng_t *r) {
    float u1 = (mt_rng_u32(r) >> 8) * (1.0f / 16777216.0f) + 1e-7f;
    float u2 = (mt_rng_u32(r) >> 8) * (1.0f / 16777216.0f);
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
}

#define CAL_K 3
#define CAL_D 8
/* Overlapping Gaussian classes: the confidences spread over (1/3, 1). */
static uint16_t synth(mt_rng_t *r, float *x) {
    static const float centre[CAL_K][CAL_D] = {{1.2f, 0, 0, 0.5f, 0, 0, 0, 0},
                                               {0, 1.2f, 0, 0, 0.5f, 0, 0, 0},
                                               {0, 0, 1.2f, 0, 0, 0.5f, 0, 0}};
    uint16_t y = (uint16_t)(mt_rng_u32(r) % CAL_K);
    for (int d = 0; d < CAL_D; d++) x[d] = centre[y][d] + gauss(r);
    return y;
}

static void test_calibration(void) {
    const uint32_t n_train = 2000, n_test = 4000;
    mt_features_t c;
    CHECK_EQ(mt_features_init(&c, g_cache, sizeof g_cache, n_train, CAL_D, CAL_D, MT_FEATURES_S8),
             MT_OK);
    mt_rng_t rng;
    mt_rng_seed(&rng, 2024);
    float x[CAL_D];
    for (uint32_t i = 0; i < n_train; i++) {
        uint16_t y = synth(&rng, x);
        CHECK_EQ(mt_features_add(&c, y, x, x), MT_OK);
    }
    mt_calib_opts_t o;
    mt_calib_opts_default(&o);
    size_t need = mt_stage_calibrate_scratch_bytes(&c, &o);
    CHECK(need > 0 && need <= sizeof g_scratch);
    mt_head_t h;
    CHECK_EQ(mt_head_init(&h, g_head_a, sizeof g_head_a, CAL_K, CAL_D), MT_OK);
    CHECK_EQ(mt_head_train(&h, &c, MT_STAGE_PART, &o.train, g_scratch, sizeof g_scratch, NULL),
             MT_OK);
    static const float ratios[] = {0.25f, 0.5f, 0.75f};
    static const mt_confidence_t kinds[] = {MT_CONF_MAX_PROB, MT_CONF_MARGIN, MT_CONF_ENTROPY};
    static float conf_all[2000], conf_sorted[2000];
    /* kk 0-2: warm-started fold heads (5 iterations each, the default); kk 3: cold, fully
     * converged folds, the reference the warm ones must match on held-out data. */
    mt_calib_report_t rep[4];
    for (size_t kk = 0; kk < 4; kk++) {
        o.confidence = kinds[kk % 3];
        const mt_head_t *start = kk < 3 ? &h : NULL;
        CHECK_EQ(mt_stage_confidences(&c, &o, start, g_scratch, need, conf_all, &rep[kk]), MT_OK);
        CHECK_EQ(rep[kk].folds, 5);
        if (kk < 3) CHECK(rep[kk].iterations <= 5u * 5u);
        for (size_t ri = 0; ri < 3; ri++) {
            float tau, tau2;
            memcpy(conf_sorted, conf_all, sizeof conf_sorted);
            CHECK_EQ(mt_stage_tau_from_confidences(conf_sorted, n_train, ratios[ri], &tau), MT_OK);
            if (kk == 0 && ri == 1) { /* the one-call form gives the same tau */
                CHECK_EQ(mt_stage_calibrate(&c, ratios[ri], &o, &h, g_scratch, need, &tau2, NULL),
                         MT_OK);
                CHECK(tau == tau2);
            }
            mt_rng_t test_rng;
            mt_rng_seed(&test_rng, 99); /* the same held-out set for every case */
            uint32_t exits = 0;
            for (uint32_t i = 0; i < n_test; i++) {
                synth(&test_rng, x);
                uint16_t label;
                float conf;
                CHECK_EQ(mt_head_predict_f32(&h, x, CAL_D, kinds[kk % 3], &label, &conf), MT_OK);
                exits += conf >= tau;
            }
            float share = (float)exits / (float)n_test;
            printf("confidence %d, %s folds, r = %.2f: tau = %.4f, held-out exit share %.4f\n",
                   (int)kinds[kk % 3], kk < 3 ? "warm" : "cold", ratios[ri], tau, share);
            CHECK(fabsf(share - ratios[ri]) <= 0.02f);
        }
    }
    printf("calibration cost: warm folds %u iterations (%u sample passes), cold %u (%u)\n",
           (unsigned)rep[0].iterations, (unsigned)rep[0].sample_passes,
           (unsigned)rep[3].iterations, (unsigned)rep[3].sample_passes);
    CHECK(rep[0].sample_passes < rep[3].sample_passes);
    float tau;
    CHECK_EQ(mt_stage_calibrate(&c, 0.0f, &o, &h, g_scratch, need, &tau, NULL), MT_OK);
    CHECK(tau == MT_TAU_NEVER);
    CHECK_EQ(mt_stage_calibrate(&c, 1.0f, &o, &h, g_scratch, need, &tau, NULL), MT_OK);
    CHECK(tau == MT_TAU_ALWAYS);
    CHECK_EQ(mt_stage_calibrate(&c, 0.5f, &o, &h, g_scratch, need - 1, &tau, NULL),
             MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_stage_calibrate(&c, 1.5f, &o, &h, g_scratch, need, &tau, NULL), MT_E_ARG);
    CHECK_EQ(mt_stage_calibrate(&c, NAN, &o, &h, g_scratch, need, &tau, NULL), MT_E_ARG);
    mt_head_t wrong; /* a head of another feature length cannot start the folds */
    static uint32_t wrong_buf[4096 / 4];
    CHECK_EQ(mt_head_init(&wrong, wrong_buf, sizeof wrong_buf, CAL_K, CAL_D + 1), MT_OK);
    wrong.n_classes = CAL_K;
    CHECK_EQ(mt_stage_calibrate(&c, 0.5f, &o, &wrong, g_scratch, need, &tau, NULL), MT_E_SHAPE);
    o.folds = 1;
    CHECK_EQ(mt_stage_calibrate(&c, 0.5f, &o, &h, g_scratch, need, &tau, NULL), MT_E_ARG);
    CHECK_EQ(mt_stage_confidences(&c, &o, &h, g_scratch, need, conf_all, NULL), MT_E_ARG);
}

/* The quantile definition, by hand: type-7 interpolation. */
static void test_quantile(void) {
    float conf[5] = {0.9f, 0.5f, 0.7f, 0.6f, 0.8f}, tau;
    CHECK_EQ(mt_stage_tau_from_confidences(conf, 5, 0.5f, &tau), MT_OK);
    CHECK(fabsf(tau - 0.7f) < 1e-6f); /* the median */
    float c2[5] = {0.9f, 0.5f, 0.7f, 0.6f, 0.8f};
    CHECK_EQ(mt_stage_tau_from_confidences(c2, 5, 0.3f, &tau), MT_OK);
    CHECK(fabsf(tau - 0.78f) < 1e-6f); /* h = 0.7 * 4 = 2.8: 0.7 + 0.8 * (0.8 - 0.7) */
    float c3[2] = {0.5f, NAN};
    CHECK_EQ(mt_stage_tau_from_confidences(c3, 2, 0.5f, &tau), MT_E_NONFINITE);
}

/* ---- On the small test model ---- */
static uint32_t g_model[8192 / 4];
static uint32_t g_arena[16384 / 4], g_arena2[16384 / 4];
#define PX (8 * 8 * 3)
#define N_PROTO 3

/* Images of class y: a fixed random prototype plus noise. */
static uint16_t image(mt_rng_t *r, uint8_t *px, int y_or_random) {
    uint16_t y = (uint16_t)(y_or_random >= 0 ? y_or_random : (int)(mt_rng_u32(r) % N_PROTO));
    mt_rng_t proto;
    mt_rng_seed(&proto, 1000u + y);
    for (int i = 0; i < PX; i++) {
        int v = (int)(mt_rng_u32(&proto) & 255u) + mt_rng_range(r, -60, 60);
        px[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    return y;
}

typedef struct {
    mt_model_t m;
    mt_features_t cache;
    mt_task_t task;
    uint64_t part_macs, rest_macs;
} world_t;

static void train_task(world_t *w, mt_task_t *t, void *buf_a, void *buf_b, float ratio) {
    memset(t, 0, sizeof *t);
    mt_head_init(&t->head[0], buf_a, 4096, N_PROTO, 8);
    mt_head_init(&t->head[1], buf_b, 4096, N_PROTO, 12);
    mt_train_opts_t o;
    mt_train_opts_default(&o);
    o.scaling = MT_SCALE_STANDARDIZE;
    CHECK_EQ(mt_head_train(&t->head[0], &w->cache, MT_STAGE_PART, &o, g_scratch, sizeof g_scratch, NULL), MT_OK);
    CHECK_EQ(mt_head_train(&t->head[1], &w->cache, MT_STAGE_FULL, &o, g_scratch, sizeof g_scratch, NULL), MT_OK);
    mt_calib_opts_t co;
    mt_calib_opts_default(&co);
    co.train = o; /* the fold heads must be trained like the part head itself */
    CHECK_EQ(mt_stage_calibrate(&w->cache, ratio, &co, &t->head[0], g_scratch, sizeof g_scratch,
                                &t->tau, NULL), MT_OK);
    t->ratio = ratio;
    t->confidence = MT_CONF_MAX_PROB;
}

/* One uninterrupted pass, both heads evaluated on the features it leaves. */
static void reference(world_t *w, const mt_task_t *t, const uint8_t *px, mt_answer_t ans[2],
                      int8_t *full_q) {
    mt_exec_t x;
    memset(g_arena2, 0x5A, sizeof g_arena2);
    CHECK_EQ(mt_exec_init(&x, &w->m, g_arena2, sizeof g_arena2), MT_OK);
    CHECK_EQ(mt_exec_set_input_u8(&x, px, PX), MT_OK);
    CHECK_EQ(mt_exec_run_full(&x), MT_OK);
    for (int s = 0; s < 2; s++) {
        const int8_t *q;
        uint32_t n;
        float scale;
        int32_t zp;
        float logits[MT_HEAD_MAX_CLASSES];
        CHECK_EQ(mt_exec_features_s8(&x, (mt_stage_t)s, &q, &n, &scale, &zp), MT_OK);
        CHECK_EQ(mt_head_logits_s8(&t->head[s], q, n, scale, zp, logits), MT_OK);
        CHECK_EQ(mt_head_decide(logits, t->head[s].n_classes, MT_CONF_MAX_PROB, &ans[s].label,
                                &ans[s].confidence), MT_OK);
        if (s == 1) memcpy(full_q, q, n);
    }
}

static void test_on_model(void) {
    static world_t w;
    size_t len = mt_build_small_model((uint8_t *)g_model, sizeof g_model, 5);
    if (!CHECK_EQ(mt_model_open(&w.m, g_model, len), MT_OK)) return;
    CHECK_EQ(mt_stage_macs(&w.m, &w.part_macs, &w.rest_macs), MT_OK);
    uint64_t sum = 0;
    for (uint16_t i = 0; i < w.m.n_ops; i++) {
        mt_op_info_t op;
        mt_model_op(&w.m, i, &op);
        sum += op.macs;
    }
    CHECK(w.part_macs > 0 && w.rest_macs > 0 && w.part_macs + w.rest_macs == sum);

    /* 10 samples per class through the extractor once; images not kept. */
    CHECK_EQ(mt_features_init(&w.cache, g_cache, sizeof g_cache, 30, 8, 12, MT_FEATURES_S8), MT_OK);
    mt_exec_t x;
    CHECK_EQ(mt_exec_init(&x, &w.m, g_arena, sizeof g_arena), MT_OK);
    mt_rng_t rng;
    mt_rng_seed(&rng, 7);
    uint8_t px[PX];
    for (int i = 0; i < 30; i++) {
        image(&rng, px, i % N_PROTO);
        CHECK_EQ(mt_exec_set_input_u8(&x, px, PX), MT_OK);
        CHECK_EQ(mt_exec_run_full(&x), MT_OK);
        CHECK_EQ(mt_features_add_exec(&w.cache, (uint16_t)(i % N_PROTO), &x), MT_OK);
    }

    static const float ratios[] = {0.0f, 0.5f, 1.0f};
    mt_task_t tasks[3];
    static uint32_t bufs[6][4096 / 4];
    for (int r = 0; r < 3; r++) train_task(&w, &tasks[r], bufs[2 * r], bufs[2 * r + 1], ratios[r]);
    CHECK(tasks[0].tau == MT_TAU_NEVER && tasks[2].tau == MT_TAU_ALWAYS);


    mt_answer_t a;
    uint32_t exits_half = 0, right_full = 0, resumed_checked = 0;
    const uint32_t n_test = 60;
    for (uint32_t i = 0; i < n_test; i++) {
        uint16_t y = image(&rng, px, -1);
        mt_answer_t ans[3], ref[2], multi[3];
        int8_t full_ref[12];
        for (int r = 0; r < 3; r++) {
            reference(&w, &tasks[r], px, ref, full_ref);
            CHECK_EQ(mt_exec_set_input_u8(&x, px, PX), MT_OK);
            CHECK_EQ(mt_stage_infer(&x, &tasks[r], &ans[r]), MT_OK);
            int s = ans[r].stage;
            if (r == 0) CHECK_EQ(s, MT_STAGE_FULL); /* r = 0: always the full model */
            if (r == 2) CHECK_EQ(s, MT_STAGE_PART); /* r = 1: always the part model */
            /* Whatever stage answered, it answered exactly as that stage's head does on an
             * uninterrupted pass. */
            CHECK_EQ(ans[r].label, ref[s].label);
            CHECK(ans[r].confidence == ref[s].confidence);
            uint64_t macs = w.part_macs + N_PROTO * 8u + (s ? w.rest_macs + N_PROTO * 12u : 0u);
            CHECK_EQ(ans[r].macs, macs);
            if (s == MT_STAGE_FULL) { /* resumed: the arena holds the same full feature */
                const int8_t *q;
                uint32_t n;
                float scale;
                int32_t zp;
                CHECK_EQ(mt_exec_features_s8(&x, MT_STAGE_FULL, &q, &n, &scale, &zp), MT_OK);
                CHECK(memcmp(q, full_ref, n) == 0);
                resumed_checked++;
            }
            if (r == 0) right_full += ans[r].label == y;
            if (r == 1) exits_half += s == MT_STAGE_PART;
        }
        /* All three tasks on one pass: the same answers, the extractor counted once. */
        uint64_t total;
        CHECK_EQ(mt_exec_set_input_u8(&x, px, PX), MT_OK);
        CHECK_EQ(mt_stage_infer_tasks(&x, tasks, 3, multi, &total), MT_OK);
        uint32_t n_full = 0;
        for (int r = 0; r < 3; r++) {
            CHECK_EQ(multi[r].label, ans[r].label);
            CHECK_EQ(multi[r].stage, ans[r].stage);
            CHECK_EQ(multi[r].macs, ans[r].macs);
            n_full += multi[r].stage == MT_STAGE_FULL;
        }
        CHECK(n_full >= 1); /* the r = 0 task always resumes */
        CHECK_EQ(total, w.part_macs + w.rest_macs + 3u * N_PROTO * 8u + n_full * N_PROTO * 12u);
    }
    printf("small model: full-model accuracy %u/%u, r = 0.5 exit share %u/%u, %u resumed runs "
           "compared bit for bit\n", (unsigned)right_full, (unsigned)n_test, (unsigned)exits_half,
           (unsigned)n_test, (unsigned)resumed_checked);
    CHECK(right_full >= n_test * 8 / 10); /* the task is learnable: heads are not random */
    CHECK(exits_half > 0 && exits_half < n_test);

    /* Head B on part (+) full: the stage answer equals that head on an uninterrupted pass's
     * two float features, concatenated; mt_stage_score_both gives both heads' answers. */
    mt_task_t cat = tasks[0];
    static uint32_t cat_buf[4096 / 4];
    mt_train_opts_t o;
    mt_train_opts_default(&o);
    CHECK_EQ(mt_head_init(&cat.head[1], cat_buf, sizeof cat_buf, N_PROTO, 20), MT_OK);
    CHECK_EQ(mt_head_train_input(&cat.head[1], &w.cache, MT_HEAD_CONCAT, &o, g_scratch,
                                 sizeof g_scratch, NULL), MT_OK);
    cat.full_concat = 1;
    for (uint32_t i = 0; i < 20; i++) {
        image(&rng, px, -1);
        float both[20];
        uint16_t label;
        float conf;
        mt_exec_t u;
        CHECK_EQ(mt_exec_init(&u, &w.m, g_arena2, sizeof g_arena2), MT_OK);
        CHECK_EQ(mt_exec_set_input_u8(&u, px, PX), MT_OK);
        CHECK_EQ(mt_exec_run_full(&u), MT_OK);
        CHECK_EQ(mt_exec_features_f32(&u, MT_STAGE_PART, both, 8), MT_OK);
        CHECK_EQ(mt_exec_features_f32(&u, MT_STAGE_FULL, both + 8, 12), MT_OK);
        CHECK_EQ(mt_head_predict_f32(&cat.head[1], both, 20, MT_CONF_MAX_PROB, &label, &conf), MT_OK);
        mt_answer_t a2, sb[2];
        CHECK_EQ(mt_exec_set_input_u8(&x, px, PX), MT_OK);
        CHECK_EQ(mt_stage_infer(&x, &cat, &a2), MT_OK);
        CHECK_EQ(a2.stage, MT_STAGE_FULL);
        CHECK_EQ(a2.label, label);
        CHECK(a2.confidence == conf);
        CHECK_EQ(a2.macs, w.part_macs + w.rest_macs + N_PROTO * 8u + N_PROTO * 20u);
        CHECK_EQ(mt_exec_set_input_u8(&x, px, PX), MT_OK);
        CHECK_EQ(mt_stage_score_both(&x, &cat, sb), MT_OK);
        CHECK_EQ(sb[1].label, label);
        CHECK(sb[1].confidence == conf);
        CHECK_EQ(sb[1].macs, a2.macs);
        CHECK_EQ(sb[0].stage, MT_STAGE_PART);
        CHECK_EQ(sb[0].macs, w.part_macs + N_PROTO * 8u);
    }
    cat.full_concat = 0; /* a 20-d head B where the full stage gives 12 */
    CHECK_EQ(mt_exec_set_input_u8(&x, px, PX), MT_OK);
    CHECK_EQ(mt_stage_infer(&x, &cat, &a), MT_E_SHAPE);
    cat.full_concat = 2;
    CHECK_EQ(mt_stage_infer(&x, &cat, &a), MT_E_ARG);

    /* Errors: no input, wrong head shape. */
    mt_exec_t fresh;
    CHECK_EQ(mt_exec_init(&fresh, &w.m, g_arena, sizeof g_arena), MT_OK);
    CHECK_EQ(mt_stage_infer(&fresh, &tasks[1], &a), MT_E_STATE);
    mt_task_t bad = tasks[1];
    bad.head[0] = tasks[1].head[1]; /* a 12-d head where the part stage gives 8 */
    CHECK_EQ(mt_exec_set_input_u8(&fresh, px, PX), MT_OK);
    CHECK_EQ(mt_stage_infer(&fresh, &bad, &a), MT_E_SHAPE);
    bad = tasks[1];
    bad.tau = NAN;
    CHECK_EQ(mt_stage_infer(&fresh, &bad, &a), MT_E_ARG);
}

/* SRAM for personalising 10 classes x 10 samples on the shipped MCUNet-style extractor
 * (part 40-d, full 160-d, arena 40 KB from factory/students.py), by the formulas of
 * docs/personalization.md, checked against the library's _bytes() queries and macros. */
static void test_memory_budget(void) {
    const uint32_t k = 10, n = 100, dp = 40, df = 160, arena = 40u * 1024u;
    size_t cache = mt_features_bytes(n, dp, df, MT_FEATURES_S8);
    CHECK_EQ(cache, 2u * n + n * (8u + dp + 8u + df)); /* labels + (lo, step, int8 values) */
    CHECK_EQ(cache, MT_FEATURES_BYTES(n, dp, df, MT_FEATURES_S8));
    size_t heads = mt_head_bytes(k, dp) + mt_head_bytes(k, df);
    CHECK_EQ(heads, 4u * ((k * dp + k + 2u * dp) + (k * df + k + 2u * df)));
    CHECK_EQ(heads, MT_HEAD_BYTES(k, dp) + MT_HEAD_BYTES(k, df));
    mt_train_opts_t o;
    mt_train_opts_default(&o);
    CHECK_EQ(o.history, 3);
    size_t p_full = k * df + k;
    size_t train = mt_head_train_scratch_bytes(k, df, &o);
    CHECK_EQ(train, 4u * ((3u + 2u * 3u) * p_full + 3u + 2u * df + k));
    CHECK_EQ(train, MT_HEAD_TRAIN_SCRATCH_BYTES(k, df, 3));
    mt_features_t c;
    memset(&c, 0, sizeof c);
    c.n_samples = n;
    c.n_classes = (uint16_t)k;
    c.dim[0] = (uint16_t)dp;
    c.dim[1] = (uint16_t)df;
    c.buf = (uint8_t *)g_cache;
    mt_calib_opts_t co;
    mt_calib_opts_default(&co);
    size_t calib = mt_stage_calibrate_scratch_bytes(&c, &co);
    CHECK_EQ(calib, mt_head_bytes(k, dp) + mt_head_train_scratch_bytes(k, dp, &o) + 9u * n);
    CHECK_EQ(calib, MT_CALIBRATE_SCRATCH_BYTES(n, k, dp, 3));
    /* The arena is only needed while the samples go through the extractor; training and
     * calibration run afterwards and reuse it, so the peak is the larger of the two. */
    size_t scratch = train > calib ? train : calib;
    size_t peak = cache + heads + (scratch > arena ? scratch : arena);
    printf("SRAM, 10 classes x 10 samples: cache %zu + heads %zu + max(arena %u, training %zu, "
           "calibration %zu) = %zu B\n", cache, heads, (unsigned)arena, train, calib, peak);
    CHECK_EQ(peak, 21800u + 9680u + 59292u);
    CHECK(peak <= 256u * 1024u);
    /* Inference: arena + both heads; nothing else (logits live on the stack). */
    CHECK(arena + heads <= 64u * 1024u);
}

int main(void) {
    test_quantile();
    test_memory_budget();
    test_calibration();
    test_on_model();
    return mt_test_summary("test_stage");
}
