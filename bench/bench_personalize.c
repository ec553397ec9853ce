/* Cycles of one personalization on the emulated Cortex-M, with the REAL iterations: the feature
 * cache that `microt personalize` saved (HEAD.TASK.cache, the device's flash image) is loaded
 * into the learner and fitted as the device would, on the same features bit for bit (the
 * kernels are bit-exact across host and device). Regions (mt_count.h, priced by the mt_cycles
 * plugin, bench/personalization.py): 0 one sample's extraction (input, full pass, cache add),
 * 1 the fit (heads + calibration as MODE says), 255 empty (marker overhead).
 * MODE microt: heads A and B, tau for RATIO (warm folds); full: head B only (a TTL-style device).
 * Prints one line "bench_personalize key=value ..." with the fit's counts.
 * usage: bench_personalize MODEL CACHE_FILE microt|full [RATIO] [EXTRACT_RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "microt/learner.h"
#include "mt_count.h"

enum { R_EXTRACT = 0, R_FIT = 1, R_EMPTY = 255 };

/* The cache file in RAM, read through flash callbacks (it is two slots of equal size). */
typedef struct {
    uint8_t *bytes;
    size_t len;
} file_flash_t;

static int ff_read(void *ctx, uint32_t addr, void *dst, uint32_t len) {
    const file_flash_t *f = (const file_flash_t *)ctx;
    if (addr > f->len || len > f->len - addr) return -1;
    memcpy(dst, f->bytes + addr, len);
    return 0;
}
static int ff_write(void *ctx, uint32_t addr, const void *src, uint32_t len) {
    (void)ctx, (void)addr, (void)src, (void)len;
    return -1; /* read-only here */
}
static int ff_erase(void *ctx, uint32_t addr, uint32_t len) {
    (void)ctx, (void)addr, (void)len;
    return -1;
}

static int fail(const char *what, int st) {
    fprintf(stderr, "bench_personalize: %s: %s\n", what, mt_strerror(st));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[3], "microt") != 0 && strcmp(argv[3], "full") != 0)) {
        fprintf(stderr, "usage: bench_personalize MODEL CACHE_FILE microt|full [RATIO] [EXTRACT_RUNS]\n");
        return 2;
    }
    int full_only = strcmp(argv[3], "full") == 0;
    float ratio = argc > 4 ? (float)atof(argv[4]) : 0.5f;
    int runs = argc > 5 ? atoi(argv[5]) : 1;
    size_t len;
    uint8_t *model_bytes = bench_read_file(argv[1], &len);
    mt_model_t m;
    int st = model_bytes ? mt_model_open(&m, model_bytes, len) : MT_E_ARG;
    if (st != MT_OK) return fail(argv[1], st);
    file_flash_t ff;
    ff.bytes = bench_read_file(argv[2], &ff.len);
    if (!ff.bytes || ff.len < 2 || ff.len % 2 != 0) return fail(argv[2], MT_E_ARG);
    mt_flash_t flash = {&ff, (uint32_t)(ff.len / 2), ff_read, ff_write, ff_erase};
    mt_store_features_info_t info;
    if ((st = mt_store_features_info(&flash, &info)) != MT_OK) return fail(argv[2], st);

    /* The learner sized as the CLI sized it: the stored classes and per-class limit. */
    mt_learner_config_t cfg;
    mt_learner_config_default(&cfg);
    cfg.max_classes = info.n_classes < 10 ? 10 : info.n_classes;
    cfg.per_class = info.per_class ? info.per_class : (uint16_t)info.n_samples;
    cfg.ratio = ratio;
    cfg.full_only = (uint8_t)full_only;
    cfg.full_concat = (uint8_t)!full_only; /* as microt personalize sets it */
    mt_learner_sizes_t sz;
    if ((st = mt_learner_sizes(&m, &cfg, &sz)) != MT_OK) return fail("sizes", st);
    void *mem = malloc(sz.total);
    mt_learner_t l;
    if (!mem) return fail("memory", MT_E_ARG);
    if ((st = mt_learner_init(&l, &m, &cfg, mem, sz.total)) != MT_OK) return fail("init", st);

    mt_count_begin(R_EMPTY);
    mt_count_end(R_EMPTY);
    /* One sample's extraction, as personalization runs it for every sample. */
    mt_tensor_info_t in;
    mt_model_tensor(&m, m.input_tensor, &in);
    size_t in_len = (size_t)in.h * in.w * in.c;
    uint8_t *pixels = malloc(in_len);
    if (!pixels) return fail("memory", MT_E_ARG);
    for (size_t i = 0; i < in_len; i++) pixels[i] = (uint8_t)(i * 37u + 11u);
    for (int r = 0; r < runs; r++) {
        pixels[r % in_len] ^= 0x5a;
        mt_count_begin(R_EXTRACT);
        st = mt_learner_add_image(&l, 0, pixels, in_len, NULL);
        mt_count_end(R_EXTRACT);
        if (st != MT_OK) return fail("extract", st);
    }
    /* The real cache replaces those samples; the fit runs on it. */
    if ((st = mt_learner_init(&l, &m, &cfg, mem, sz.total)) != MT_OK) return fail("init", st);
    if ((st = mt_learner_load(&l, NULL, &flash)) != MT_OK) return fail("load", st);
    mt_learner_report_t rep;
    mt_count_begin(R_FIT);
    st = mt_learner_fit(&l, &rep);
    mt_count_end(R_FIT);
    if (st != MT_OK) return fail("fit", st);
    printf("bench_personalize model=%s mode=%s classes=%u samples=%u dims=%u,%u "
           "a_iterations=%u a_evaluations=%u a_passes=%u b_iterations=%u b_evaluations=%u "
           "b_passes=%u calib_folds=%u calib_iterations=%u calib_passes=%u tau=%.6f "
           "converged=%u,%u extract_runs=%d sram=%u\n",
           m.name, argv[3], (unsigned)rep.classes, (unsigned)rep.samples,
           (unsigned)mt_model_feature_len(&m, MT_STAGE_PART),
           (unsigned)mt_model_feature_len(&m, MT_STAGE_FULL), (unsigned)rep.head[0].iterations,
           (unsigned)rep.head[0].evaluations, (unsigned)rep.head[0].sample_passes,
           (unsigned)rep.head[1].iterations, (unsigned)rep.head[1].evaluations,
           (unsigned)rep.head[1].sample_passes, (unsigned)rep.calib.folds,
           (unsigned)rep.calib.iterations, (unsigned)rep.calib.sample_passes, (double)rep.tau,
           (unsigned)rep.head[0].converged, (unsigned)rep.head[1].converged, runs,
           (unsigned)sz.total);
    free(pixels);
    free(mem);
    free(ff.bytes);
    free(model_bytes);
    return 0;
}
