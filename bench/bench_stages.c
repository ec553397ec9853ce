/* Cycles per stage and per personalization step, for the energy estimates (bench/energy.sh,
 * docs/energy.md). Each step is bracketed as a count region (mt_count.h); the QEMU cycle
 * plugin reports their cycles. On the host the markers are empty and it only prints the facts.
 * Regions: 0 part stage, 1 rest of the model resumed, 2 full pass in one call, 3 one sample's
 * extraction for personalization (input, full pass, cache add), 4/5 training head A/B on
 * CLASSES x PER_CLASS cached features, 6 calibrating tau at r = 0.5 (k-fold), 7/8 head A/B
 * inference (logits + decision), 9 input conversion alone, 255 empty (marker overhead).
 * The cached features are synthetic (class means + noise, of the model's feature lengths):
 * head training cost depends on the dimensions and the L-BFGS iterations, not on the images.
 * usage: bench_stages MODEL [CLASSES] [PER_CLASS] [EXTRACT_RUNS] */
#include <stdio.h>
#include <stdlib.h>

#include "microt/exec.h"
#include "microt/features.h"
#include "microt/head.h"
#include "microt/stage.h"
#include "mt_count.h"
#include "bench_util.h"

enum {
    R_PART = 0, R_REST = 1, R_FULL = 2, R_EXTRACT = 3, R_TRAIN_A = 4, R_TRAIN_B = 5,
    R_CALIB = 6, R_HEAD_A = 7, R_HEAD_B = 8, R_INPUT = 9, R_EMPTY = 255
};

static uint32_t rng_next(uint32_t *s) { /* xorshift32 */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static float rng_unit(uint32_t *s) { return (float)(rng_next(s) >> 8) / 16777216.0f; }

static int fail(const char *what, int st) {
    fprintf(stderr, "bench_stages: %s: %s\n", what, mt_strerror(st));
    return 1;
}

/* One head's inference on the stage's in-arena int8 feature: logits, then the decision. */
static int head_infer(const mt_exec_t *x, const mt_head_t *head, mt_stage_t stage, float *logits) {
    const int8_t *q;
    uint32_t len;
    float scale;
    int32_t zp;
    uint16_t label;
    float conf;
    int st = mt_exec_features_s8(x, stage, &q, &len, &scale, &zp);
    if (st == MT_OK) st = mt_head_logits_s8(head, q, len, scale, zp, logits);
    if (st == MT_OK) st = mt_head_decide(logits, head->n_classes, MT_CONF_MAX_PROB, &label, &conf);
    return st;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_stages MODEL [CLASSES] [PER_CLASS] [EXTRACT_RUNS]\n");
        return 2;
    }
    uint32_t n_classes = argc > 2 ? (uint32_t)atoi(argv[2]) : 10u;
    uint32_t per_class = argc > 3 ? (uint32_t)atoi(argv[3]) : 10u;
    int extract_runs = argc > 4 ? atoi(argv[4]) : 2;
    if (n_classes < 2 || n_classes > MT_HEAD_MAX_CLASSES || per_class < 2 || extract_runs < 1) {
        fprintf(stderr, "bench_stages: need 2..%u classes, >= 2 per class, >= 1 run\n",
                (unsigned)MT_HEAD_MAX_CLASSES);
        return 2;
    }
    size_t len;
    const uint8_t *bytes = bench_load_model(argv[1], &len); /* in flash on Cortex-M */
    mt_model_t m;
    int st = bytes ? mt_model_open(&m, bytes, len) : MT_E_ARG;
    if (st != MT_OK) return fail(argv[1], st);
    size_t arena_bytes = mt_model_arena_bytes(&m);
    void *arena = malloc(arena_bytes);
    mt_tensor_info_t in;
    mt_model_tensor(&m, m.input_tensor, &in);
    size_t in_len = (size_t)in.h * in.w * in.c;
    uint8_t *pixels = malloc(in_len);
    mt_exec_t x;
    if (!arena || !pixels) return fail("memory", MT_E_ARG);
    if ((st = mt_exec_init(&x, &m, arena, arena_bytes)) != MT_OK) return fail("exec", st);
    for (size_t i = 0; i < in_len; i++) pixels[i] = (uint8_t)(i * 37u + 11u);
    uint32_t dim_a = mt_model_feature_len(&m, MT_STAGE_PART);
    uint32_t dim_b = mt_model_feature_len(&m, MT_STAGE_FULL);

    mt_count_begin(R_EMPTY);
    mt_count_end(R_EMPTY);

    /* Inference: input, part stage, resumed rest; then the full pass in one call. */
    mt_count_begin(R_INPUT);
    st = mt_exec_set_input_u8(&x, pixels, in_len);
    mt_count_end(R_INPUT);
    if (st != MT_OK) return fail("input", st);
    mt_count_begin(R_PART);
    st = mt_exec_run_part(&x);
    mt_count_end(R_PART);
    if (st != MT_OK) return fail("part", st);
    mt_count_begin(R_REST);
    st = mt_exec_resume_full(&x);
    mt_count_end(R_REST);
    if (st != MT_OK) return fail("rest", st);
    mt_exec_set_input_u8(&x, pixels, in_len);
    mt_count_begin(R_FULL);
    st = mt_exec_run_full(&x);
    mt_count_end(R_FULL);
    if (st != MT_OK) return fail("full", st);

    /* Personalization, step 1: a few real extractions into a cache of their own (the cost
     * per sample); the cache that trains the heads is filled synthetically below. */
    uint32_t n = n_classes * per_class;
    size_t cache_bytes = mt_features_bytes(n, dim_a, dim_b, MT_FEATURES_S8);
    void *cache_buf = malloc(cache_bytes);
    void *real_buf = malloc(mt_features_bytes((uint32_t)extract_runs, dim_a, dim_b, MT_FEATURES_S8));
    mt_features_t cache, real;
    if (!cache_buf || !real_buf) return fail("memory", MT_E_ARG);
    st = mt_features_init(&real, real_buf, mt_features_bytes((uint32_t)extract_runs, dim_a, dim_b,
                                                             MT_FEATURES_S8),
                          (uint32_t)extract_runs, dim_a, dim_b, MT_FEATURES_S8);
    if (st != MT_OK) return fail("cache", st);
    for (int r = 0; r < extract_runs; r++) {
        pixels[r % in_len] ^= 0x5a; /* a different image each time */
        mt_count_begin(R_EXTRACT);
        st = mt_exec_set_input_u8(&x, pixels, in_len);
        if (st == MT_OK) st = mt_exec_run_full(&x);
        if (st == MT_OK) st = mt_features_add_exec(&real, (uint16_t)(r % 2), &x);
        mt_count_end(R_EXTRACT);
        if (st != MT_OK) return fail("extract", st);
    }

    /* Step 2: the cache the heads train on: per class a random mean in [0, 2) per dimension,
     * per sample that mean plus uniform noise in [-0.5, 0.5), clipped at 0 (pooled ReLU6). */
    st = mt_features_init(&cache, cache_buf, cache_bytes, n, dim_a, dim_b, MT_FEATURES_S8);
    if (st != MT_OK) return fail("cache", st);
    uint32_t dmax = dim_a > dim_b ? dim_a : dim_b;
    float *means = malloc(sizeof(float) * n_classes * dmax * 2);
    float *fa = malloc(sizeof(float) * dim_a), *fb = malloc(sizeof(float) * dim_b);
    if (!means || !fa || !fb) return fail("memory", MT_E_ARG);
    uint32_t seed = 12345u;
    for (uint32_t i = 0; i < n_classes * dmax * 2; i++) means[i] = 2.0f * rng_unit(&seed);
    for (uint32_t s = 0; s < n; s++) {
        uint32_t c = s % n_classes;
        for (uint32_t d = 0; d < dim_a; d++) {
            float v = means[(c * 2) * dmax + d] + rng_unit(&seed) - 0.5f;
            fa[d] = v > 0.0f ? v : 0.0f;
        }
        for (uint32_t d = 0; d < dim_b; d++) {
            float v = means[(c * 2 + 1) * dmax + d] + rng_unit(&seed) - 0.5f;
            fb[d] = v > 0.0f ? v : 0.0f;
        }
        if ((st = mt_features_add(&cache, (uint16_t)c, fa, fb)) != MT_OK) return fail("add", st);
    }

    /* Step 3: heads A and B, default options (docs/personalization.md). */
    mt_train_opts_t opts;
    mt_train_opts_default(&opts);
    mt_head_t head[2];
    mt_train_report_t rep[2];
    uint32_t dims[2] = {dim_a, dim_b};
    void *hbufs[2];
    for (int s = 0; s < 2; s++) {
        void *hbuf = hbufs[s] = malloc(mt_head_bytes(n_classes, dims[s]));
        size_t scratch_bytes = mt_head_train_scratch_bytes(n_classes, dims[s], &opts);
        void *scratch = malloc(scratch_bytes);
        if (!hbuf || !scratch) return fail("memory", MT_E_ARG);
        st = mt_head_init(&head[s], hbuf, mt_head_bytes(n_classes, dims[s]), n_classes, dims[s]);
        if (st != MT_OK) return fail("head", st);
        mt_count_begin(s == 0 ? R_TRAIN_A : R_TRAIN_B);
        st = mt_head_train(&head[s], &cache, (mt_stage_t)s, &opts, scratch, scratch_bytes, &rep[s]);
        mt_count_end(s == 0 ? R_TRAIN_A : R_TRAIN_B);
        if (st != MT_OK) return fail("train", st);
        free(scratch);
    }

    /* Step 4: calibrating tau for r = 0.5. */
    mt_calib_opts_t copts;
    mt_calib_opts_default(&copts);
    size_t cscratch_bytes = mt_stage_calibrate_scratch_bytes(&cache, &copts);
    void *cscratch = malloc(cscratch_bytes);
    float tau = 0.0f;
    if (!cscratch) return fail("memory", MT_E_ARG);
    mt_count_begin(R_CALIB);
    st = mt_stage_calibrate(&cache, 0.5f, &copts, &head[0], cscratch, cscratch_bytes, &tau, NULL);
    mt_count_end(R_CALIB);
    if (st != MT_OK) return fail("calibrate", st);

    /* Head inference on the last extraction's features (still in the arena). */
    float *logits = malloc(sizeof(float) * n_classes);
    if (!logits) return fail("memory", MT_E_ARG);
    mt_count_begin(R_HEAD_A);
    st = head_infer(&x, &head[0], MT_STAGE_PART, logits);
    mt_count_end(R_HEAD_A);
    if (st != MT_OK) return fail("head A", st);
    mt_count_begin(R_HEAD_B);
    st = head_infer(&x, &head[1], MT_STAGE_FULL, logits);
    mt_count_end(R_HEAD_B);
    if (st != MT_OK) return fail("head B", st);

    uint64_t part_macs, rest_macs;
    mt_stage_macs(&m, &part_macs, &rest_macs);
    printf("model %s fingerprint %016llx part_macs %llu rest_macs %llu arena %lu\n", m.name,
           (unsigned long long)m.fingerprint, (unsigned long long)part_macs,
           (unsigned long long)rest_macs, (unsigned long)arena_bytes);
    printf("personalize classes %u per_class %u dims %u %u iterations %u %u tau %.4f\n",
           (unsigned)n_classes, (unsigned)per_class, (unsigned)dim_a, (unsigned)dim_b,
           (unsigned)rep[0].iterations, (unsigned)rep[1].iterations, (double)tau);
    free(logits);
    free(cscratch);
    free(hbufs[0]);
    free(hbufs[1]);
    free(means);
    free(fa);
    free(fb);
    free(cache_buf);
    free(real_buf);
    free(pixels);
    free(arena);

    return 0;
}
