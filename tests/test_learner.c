/* The learner and its bounded cache: per-class reservoir sampling (uniform over everything
 * offered, deterministic by seed), the feature cache in flash (round trip, a write cut at every
 * byte leaves the previous cache loadable, corrupt or foreign records refused), the learner's
 * whole cycle on a small model (add, fit, save, load, answer, add a class later from the cache
 * alone, warm start), its memory (one byte short, the compile-time macro, the 256 KiB default on
 * the shipped extractors), and every error path.
 * usage: test_learner MCUNET_MODEL [PROXYLESS_MODEL] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_sim.h"
#include "microt/learner.h"
#include "model_builder.h"
#include "test_util.h"

/* ---- Reservoir sampling ---- */
static uint32_t g_cache[65536 / 4];

static void test_reservoir(void) {
    /* 1 class, per_class 4, 20 samples offered, 4000 seeds: each offered sample (its feature
     * value is its index) is kept with probability 4/20 = 0.2. */
    static uint32_t kept_count[20];
    memset(kept_count, 0, sizeof kept_count);
    const uint32_t seeds = 4000;
    for (uint32_t seed = 1; seed <= seeds; seed++) {
        mt_features_t c;
        CHECK_EQ(mt_features_init(&c, g_cache, sizeof g_cache, 8, 1, 1, MT_FEATURES_F32), MT_OK);
        CHECK_EQ(mt_features_set_reservoir(&c, 4, seed), MT_OK);
        for (uint32_t i = 0; i < 20; i++) {
            float v = (float)i;
            CHECK_EQ(mt_features_add(&c, 0, &v, &v), MT_OK);
            if (i < 4) CHECK_EQ(c.last_slot, i);
        }
        CHECK_EQ(c.n_samples, 4);
        CHECK_EQ(c.offered[0], 20);
        CHECK_EQ(mt_features_offered(&c), 20);
        for (uint32_t s = 0; s < 4; s++) {
            float v;
            mt_features_get(&c, s, MT_STAGE_PART, &v, NULL);
            kept_count[(uint32_t)v]++;
        }
    }
    /* Binomial(4000, 0.2): mean 800, sd 25.3; allow 5 sd. */
    uint32_t lo = 10000, hi = 0;
    for (uint32_t i = 0; i < 20; i++) {
        lo = kept_count[i] < lo ? kept_count[i] : lo;
        hi = kept_count[i] > hi ? kept_count[i] : hi;
    }
    printf("reservoir, 4 of 20 kept over %u seeds: each sample kept %u..%u times (expected 800)\n",
           (unsigned)seeds, (unsigned)lo, (unsigned)hi);
    CHECK(lo >= 800 - 127 && hi <= 800 + 127);

    /* Several classes: each keeps its own per_class; the same seed, the same cache. */
    mt_features_t a, b;
    static uint32_t buf_b[65536 / 4];
    CHECK_EQ(mt_features_init(&a, g_cache, sizeof g_cache, 9, 2, 3, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_features_init(&b, buf_b, sizeof buf_b, 9, 2, 3, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_features_set_reservoir(&a, 3, 9), MT_OK);
    CHECK_EQ(mt_features_set_reservoir(&b, 3, 9), MT_OK);
    mt_rng_t r;
    mt_rng_seed(&r, 5);
    for (int i = 0; i < 200; i++) {
        float p[2] = {mt_rng_unit(&r), mt_rng_unit(&r)}, f[3] = {mt_rng_unit(&r), 1, 2};
        uint16_t y = (uint16_t)(mt_rng_u32(&r) % 3);
        CHECK_EQ(mt_features_add(&a, y, p, f), MT_OK);
        CHECK_EQ(mt_features_add(&b, y, p, f), MT_OK);
    }
    uint32_t counts[MT_FEATURES_MAX_CLASSES];
    CHECK_EQ(mt_features_count(&a, counts, MT_FEATURES_MAX_CLASSES), MT_OK);
    CHECK(counts[0] == 3 && counts[1] == 3 && counts[2] == 3 && a.n_samples == 9);
    CHECK(a.rng == b.rng && a.n_samples == b.n_samples);
    for (uint32_t i = 0; i < a.n_samples; i++) {
        float x[3], z[3];
        uint16_t la, lb;
        for (int s = 0; s < 2; s++) {
            mt_features_get(&a, i, (mt_stage_t)s, x, &la);
            mt_features_get(&b, i, (mt_stage_t)s, z, &lb);
            CHECK(la == lb && memcmp(x, z, sizeof(float) * (s ? 3u : 2u)) == 0);
        }
    }
    /* A fourth class finds the cache full (capacity 9 = 3 classes x 3). */
    float p[2] = {0, 0}, f[3] = {0, 0, 0};
    CHECK_EQ(mt_features_add(&a, 3, p, f), MT_E_CACHE_FULL);
    CHECK_EQ(a.offered[3], 0);
    /* Errors: set on a non-empty cache, per_class 0. */
    CHECK_EQ(mt_features_set_reservoir(&a, 3, 1), MT_E_STATE);
    CHECK_EQ(mt_features_init(&a, g_cache, sizeof g_cache, 9, 2, 3, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_features_set_reservoir(&a, 0, 1), MT_E_ARG);
    CHECK_EQ(mt_features_set_reservoir(NULL, 1, 1), MT_E_ARG);
    CHECK_EQ(mt_features_offered(NULL), 0);
}

/* ---- The cache in flash ---- */
#define CSLOT 8192u
static uint8_t g_cmem[2 * CSLOT];
static flash_sim_t g_csim;
static char g_names[MT_FEATURES_MAX_CLASSES][MT_NAME_BYTES];
static char g_names2[MT_FEATURES_MAX_CLASSES][MT_NAME_BYTES];

static void fill(mt_features_t *c, uint32_t n, uint32_t k, uint32_t seed) {
    mt_rng_t r;
    mt_rng_seed(&r, seed);
    for (uint32_t i = 0; i < n; i++) {
        float p[5], f[7];
        for (int d = 0; d < 5; d++) p[d] = mt_rng_unit(&r);
        for (int d = 0; d < 7; d++) f[d] = 3.0f * mt_rng_unit(&r);
        CHECK_EQ(mt_features_add(c, (uint16_t)(i % k), p, f), MT_OK);
    }
}

static int caches_equal(const mt_features_t *a, const mt_features_t *b) {
    if (a->n_samples != b->n_samples || a->n_classes != b->n_classes || a->rng != b->rng ||
        memcmp(a->offered, b->offered, sizeof a->offered) != 0) {
        return 0;
    }
    for (uint32_t i = 0; i < a->n_samples; i++) {
        float x[7], y[7];
        uint16_t la, lb;
        for (int s = 0; s < 2; s++) {
            mt_features_get(a, i, (mt_stage_t)s, x, &la);
            mt_features_get(b, i, (mt_stage_t)s, y, &lb);
            if (la != lb || memcmp(x, y, sizeof(float) * (s ? 7u : 5u)) != 0) return 0;
        }
    }
    return 1;
}

static void test_cache_store(void) {
    const uint64_t fp = 0x1122334455667788ull;
    static uint32_t buf_a[16384 / 4], buf_b[16384 / 4], buf_c[16384 / 4];
    mt_features_t a, b, c;
    CHECK_EQ(mt_features_init(&a, buf_a, sizeof buf_a, 50, 5, 7, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_features_set_reservoir(&a, 10, 3), MT_OK);
    fill(&a, 53, 4, 1); /* 4 classes, one over its 10 */
    for (uint32_t k = 0; k < 4; k++) snprintf(g_names[k], MT_NAME_BYTES, "class %u", (unsigned)k);
    flash_sim_init(&g_csim, g_cmem, CSLOT);
    const mt_flash_t *fl = &g_csim.flash;
    size_t bytes = mt_store_features_bytes(&a);
    /* header + names + offered + labels + vectors of (8 + 8) and (8 + 8) bytes */
    CHECK_EQ(bytes, 40u + 4u * 16u + 4u * 4u + 80u + 40u * (16u + 16u));
    uint32_t seq = 0;
    CHECK_EQ(mt_store_features_save(fl, &a, (const char(*)[MT_NAME_BYTES])g_names, fp, &seq), MT_OK);
    CHECK_EQ(seq, 1);
    CHECK_EQ(mt_features_init(&b, buf_b, sizeof buf_b, 50, 5, 7, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_features_set_reservoir(&b, 10, 99), MT_OK);
    CHECK_EQ(mt_store_features_load(fl, fp, &b, g_names2, MT_FEATURES_MAX_CLASSES, &seq), MT_OK);
    CHECK(caches_equal(&a, &b));
    CHECK(strcmp(g_names2[3], "class 3") == 0);
    /* The loaded cache goes on exactly like the original: the reservoir state travelled. */
    fill(&a, 30, 5, 2); /* and a fifth class */
    fill(&b, 30, 5, 2);
    CHECK(caches_equal(&a, &b));
    CHECK_EQ(a.n_samples, 46); /* 40 + 6 of the new class */

    /* Power cut at every byte of the next save: the previous cache comes back, bit for bit. */
    static uint8_t snapshot[2 * CSLOT];
    memcpy(snapshot, g_cmem, sizeof g_cmem);
    g_csim.spent = 0;
    CHECK_EQ(mt_store_features_save(fl, &a, (const char(*)[MT_NAME_BYTES])g_names, fp, NULL), MT_OK);
    long total = g_csim.spent;
    CHECK_EQ(total, (long)(CSLOT + 16u + mt_store_features_bytes(&a)));
    uint32_t old_ok = 0, new_ok = 0;
    for (long cut = 0; cut <= total; cut++) {
        memcpy(g_cmem, snapshot, sizeof g_cmem);
        flash_sim_revive(&g_csim);
        g_csim.budget = cut;
        mt_status_t st = mt_store_features_save(fl, &a, (const char(*)[MT_NAME_BYTES])g_names, fp, NULL);
        CHECK_EQ(st, cut < total ? MT_E_STORE_IO : MT_OK);
        flash_sim_revive(&g_csim);
        CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 50, 5, 7, MT_FEATURES_S8), MT_OK);
        CHECK_EQ(mt_features_set_reservoir(&c, 10, 1), MT_OK);
        if (!CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, &seq), MT_OK)) continue;
        if (cut < total) {
            old_ok += CHECK(seq == 1 && c.n_samples == 40 && c.offered[3] == 13);
        } else {
            new_ok += CHECK(seq == 2 && caches_equal(&a, &c));
        }
    }
    printf("feature cache: power cut at every one of %ld byte operations: previous cache loaded "
           "%u times, the new one %u\n", total, (unsigned)old_ok, (unsigned)new_ok);
    CHECK_EQ(old_ok, (uint32_t)total);
    CHECK_EQ(new_ok, 1);

    /* Refusals, each with its code; a failed load leaves the cache empty. */
    CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 50, 5, 7, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_store_features_load(fl, fp + 1, &c, g_names2, 64, NULL), MT_E_STORE_MODEL);
    CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 50, 5, 8, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_MODEL);
    CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 45, 5, 7, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_SPACE);
    CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 50, 5, 7, MT_FEATURES_F32), MT_OK);
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_SPACE);
    CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 50, 5, 7, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 4, NULL), MT_E_STORE_SPACE);
    CHECK_EQ(mt_features_set_reservoir(&c, 5, 1), MT_OK); /* the record keeps up to 10 a class */
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_SPACE);
    /* A label beyond the classes, then a NaN scale: re-sealed records, so only the value
     * checks can catch them. */
    static uint8_t rec[CSLOT];
    mt_store_record_t where;
    CHECK_EQ(mt_store_find(fl, &where), MT_OK);
    CHECK_EQ(mt_store_read_part(fl, &where, 0, rec, where.len), MT_OK);
    size_t labels_at = 40u + 5u * 16u + 5u * 4u, vectors_at = labels_at + 2u * 46u;
    for (int bad = 0; bad < 3; bad++) {
        static uint8_t copy[CSLOT];
        memcpy(copy, rec, where.len);
        if (bad == 0) copy[labels_at] = 7;                  /* label 7 of 5 classes */
        if (bad == 1) memcpy(copy + vectors_at + 4, "\xff\xff\xff\x7f", 4); /* step NaN */
        if (bad == 2) copy[0] = 'X';                        /* magic */
        flash_sim_init(&g_csim, g_cmem, CSLOT);
        CHECK_EQ(mt_store_write(fl, copy, where.len, NULL), MT_OK);
        CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 50, 5, 7, MT_FEATURES_S8), MT_OK);
        CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_FORMAT);
        CHECK_EQ(c.n_samples, 0);
    }
    /* The flash changes between the record's check and the copy: the CRC of what landed in
     * RAM no longer matches. */
    flash_sim_init(&g_csim, g_cmem, CSLOT);
    CHECK_EQ(mt_store_write(fl, rec, where.len, NULL), MT_OK);
    g_csim.reads = 0;
    CHECK_EQ(mt_store_find(fl, &where), MT_OK);
    g_csim.flip_from = g_csim.reads + 2; /* the find, the header, then every section flipped */
    g_csim.reads = 0;
    CHECK_EQ(mt_features_init(&c, buf_c, sizeof buf_c, 50, 5, 7, MT_FEATURES_S8), MT_OK);
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_CRC);
    CHECK_EQ(c.n_samples, 0);
    flash_sim_revive(&g_csim);
    flash_sim_init(&g_csim, g_cmem, CSLOT);
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_EMPTY);
    CHECK_EQ(mt_store_write(fl, rec, 30, NULL), MT_OK); /* shorter than a header */
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_FORMAT);
    g_csim.fail_reads = 1;
    CHECK_EQ(mt_store_features_load(fl, fp, &c, g_names2, 64, NULL), MT_E_STORE_IO);
    g_csim.fail_reads = 0;
    CHECK_EQ(mt_store_features_load(NULL, fp, &c, g_names2, 64, NULL), MT_E_ARG);
    CHECK_EQ(mt_store_features_save(fl, &a, NULL, fp, NULL), MT_E_ARG);
    /* A cache larger than a slot. */
    static uint32_t big_buf[65536 / 4];
    mt_features_t big;
    CHECK_EQ(mt_features_init(&big, big_buf, sizeof big_buf, 400, 5, 7, MT_FEATURES_S8), MT_OK);
    fill(&big, 400, 4, 3);
    CHECK_EQ(mt_store_features_save(fl, &big, (const char(*)[MT_NAME_BYTES])g_names, fp, NULL),
             MT_E_STORE_SPACE);
}

/* ---- The learner on the small test model (8x8x3 input, features 8 and 12) ---- */
#define PX (8 * 8 * 3)
static uint32_t g_model[8192 / 4];
static uint32_t g_mem[(256 * 1024) / 4];
static uint32_t g_mem2[(256 * 1024) / 4];
#define HSLOT 8192u
static uint8_t g_hmem[2 * HSLOT];
static flash_sim_t g_hsim;

/* Images of class y: a fixed random prototype plus noise. */
static void image(mt_rng_t *r, uint8_t *px, uint16_t y) {
    mt_rng_t proto;
    mt_rng_seed(&proto, 1000u + y);
    for (int i = 0; i < PX; i++) {
        int v = (int)(mt_rng_u32(&proto) & 255u) + mt_rng_range(r, -60, 60);
        px[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

static int heads_equal(const mt_head_t *a, const mt_head_t *b) {
    return a->n_classes == b->n_classes && a->dim == b->dim &&
           memcmp(a->weights, b->weights, 4u * a->n_classes * a->dim) == 0 &&
           memcmp(a->bias, b->bias, 4u * a->n_classes) == 0 &&
           memcmp(a->mean, b->mean, 4u * a->dim) == 0 &&
           memcmp(a->inv_std, b->inv_std, 4u * a->dim) == 0;
}

static uint32_t accuracy(mt_learner_t *l, uint16_t k, uint32_t n, uint32_t seed, uint32_t *exits) {
    mt_rng_t r;
    mt_rng_seed(&r, seed);
    uint8_t px[PX];
    uint32_t right = 0;
    *exits = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t y = (uint16_t)(i % k);
        image(&r, px, y);
        mt_answer_t a;
        CHECK_EQ(mt_learner_infer(l, px, PX, &a), MT_OK);
        right += a.label == y;
        *exits += a.stage == MT_STAGE_PART;
    }
    return right;
}

static void test_learner_cycle(void) {
    size_t len = mt_build_small_model((uint8_t *)g_model, sizeof g_model, 5);
    mt_model_t m;
    if (!CHECK_EQ(mt_model_open(&m, g_model, len), MT_OK)) return;
    mt_learner_config_t cfg;
    mt_learner_config_default(&cfg);
    cfg.max_classes = 4;
    cfg.per_class = 12;
    mt_learner_sizes_t sz;
    CHECK_EQ(mt_learner_sizes(&m, &cfg, &sz), MT_OK);
    size_t need = mt_learner_bytes(&m, &cfg);
    CHECK_EQ(need, sz.total);
    CHECK_EQ(cfg.full_concat, 1); /* head B on part (+) full by default */
    CHECK_EQ(need, MT_LEARNER_BYTES(mt_model_arena_bytes(&m), 4, 12, 8, 12, 3, 1));
    CHECK_EQ(sz.work, sz.train_scratch > sz.arena ? (sz.train_scratch > sz.calib_scratch ? sz.train_scratch : sz.calib_scratch) : (sz.arena > sz.calib_scratch ? sz.arena : sz.calib_scratch));
    mt_learner_t l, l2;
    CHECK_EQ(mt_learner_init(&l, &m, &cfg, g_mem, need - 1), MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_learner_init(&l, &m, &cfg, (uint8_t *)g_mem + 2, need), MT_E_ARENA_ALIGN);
    CHECK_EQ(mt_learner_init(&l, &m, &cfg, g_mem, need), MT_OK);
    CHECK_EQ(mt_learner_fit(&l, NULL), MT_E_STATE); /* nothing added */
    CHECK(mt_learner_task(&l) == NULL);
    uint8_t px[PX];
    mt_answer_t ans;
    CHECK_EQ(mt_learner_infer(&l, px, PX, &ans), MT_E_STATE);

    /* Classes 0..2 first, 20 samples each (12 kept per class by the reservoir). */
    mt_rng_t r;
    mt_rng_seed(&r, 42);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < 60; i++) {
        int k;
        image(&r, px, (uint16_t)(i % 3));
        CHECK_EQ(mt_learner_add_image(&l, (uint16_t)(i % 3), px, PX, &k), MT_OK);
        kept += (uint32_t)k;
    }
    CHECK(kept >= 36 && kept < 60);
    CHECK_EQ(l.cache.n_samples, 36);
    CHECK_EQ(mt_learner_set_class_name(&l, 0, "zero"), MT_OK);
    CHECK_EQ(mt_learner_set_class_name(&l, 4, "four"), MT_E_ARG);
    CHECK_EQ(mt_learner_set_class_name(&l, 1, "sixteen-chars-xx"), MT_E_ARG);
    mt_learner_report_t rep;
    CHECK_EQ(mt_learner_fit(&l, &rep), MT_OK);
    CHECK_EQ(rep.classes, 3);
    CHECK_EQ(rep.samples, 36);
    CHECK_EQ(rep.offered, 60);
    CHECK(rep.head[0].converged && rep.head[1].converged && !rep.warm);
    CHECK_EQ(rep.calib.folds, 5);
    CHECK(rep.calib.iterations <= 5u * 5u);
    CHECK(rep.tau == l.task.tau && rep.tau > 0.0f && rep.tau < 1.0f);
    const mt_task_t *t = mt_learner_task(&l);
    CHECK(t != NULL && t->head[0].n_classes == 3 && strcmp(t->class_names[0], "zero") == 0);
    uint32_t exits, right = accuracy(&l, 3, 90, 7, &exits);
    printf("learner, 3 classes x 12 kept of 20: accuracy %u/90, exits %u/90, iterations A %u B %u, "
           "calibration %u\n", (unsigned)right, (unsigned)exits, (unsigned)rep.head[0].iterations,
           (unsigned)rep.head[1].iterations, (unsigned)rep.calib.iterations);
    CHECK(right >= 70); /* chance: 30 */
    CHECK(exits > 10 && exits < 80);

    /* Save both, load into a second learner: the same heads, tau and answers. */
    flash_sim_init(&g_csim, g_cmem, CSLOT);
    flash_sim_init(&g_hsim, g_hmem, HSLOT);
    CHECK_EQ(mt_learner_save(&l, &g_hsim.flash, &g_csim.flash), MT_OK);
    CHECK_EQ(mt_learner_init(&l2, &m, &cfg, g_mem2, need), MT_OK);
    CHECK_EQ(mt_learner_load(&l2, &g_hsim.flash, &g_csim.flash), MT_OK);
    CHECK(heads_equal(&l.task.head[0], &l2.task.head[0]));
    CHECK(heads_equal(&l.task.head[1], &l2.task.head[1]));
    CHECK(l2.task.tau == l.task.tau && l2.cache.n_samples == 36);
    CHECK(strcmp(l2.names[0], "zero") == 0);
    uint32_t exits2, right2 = accuracy(&l2, 3, 90, 7, &exits2);
    CHECK(right2 == right && exits2 == exits);

    /* A class added later to the loaded learner, no earlier image at hand: warm fit. */
    for (uint32_t i = 0; i < 12; i++) {
        image(&r, px, 3);
        CHECK_EQ(mt_learner_add_image(&l2, 3, px, PX, NULL), MT_OK);
    }
    CHECK_EQ(mt_learner_fit(&l2, &rep), MT_OK);
    CHECK(rep.warm && rep.classes == 4);
    right = accuracy(&l2, 4, 120, 8, &exits);
    printf("after adding a 4th class from the cache: accuracy %u/120 (warm start, iterations A %u "
           "B %u)\n", (unsigned)right, (unsigned)rep.head[0].iterations,
           (unsigned)rep.head[1].iterations);
    CHECK(right >= 105);
    /* The same cache fitted cold gives the same predictions on this separable task. */
    mt_learner_t cold;
    CHECK_EQ(mt_learner_init(&cold, &m, &cfg, g_mem, need), MT_OK);
    CHECK_EQ(mt_learner_load(&cold, NULL, &g_csim.flash), MT_OK);
    CHECK(mt_learner_task(&cold) == NULL); /* the cache alone: not fitted yet */

    /* Errors. */
    CHECK_EQ(mt_learner_add_image(&l2, 4, px, PX, NULL), MT_E_ARG);      /* label >= max */
    CHECK_EQ(mt_learner_add_image(&l2, 0, px, PX - 1, NULL), MT_E_SHAPE); /* wrong size */
    float nan_part[8] = {NAN}, full[12] = {0};
    CHECK_EQ(mt_learner_add_features(&l2, 0, nan_part, full, NULL), MT_E_NONFINITE);
    CHECK_EQ(mt_learner_save(&cold, &g_hsim.flash, NULL), MT_E_STATE);
    CHECK_EQ(mt_learner_load(&cold, NULL, NULL), MT_E_ARG);
    flash_sim_init(&g_hsim, g_hmem, HSLOT);
    flash_sim_init(&g_csim, g_cmem, CSLOT);
    CHECK_EQ(mt_learner_load(&cold, &g_hsim.flash, &g_csim.flash), MT_E_STORE_EMPTY);
    /* One class only, then a gap in the labels: refused with MT_E_CLASSES. */
    mt_learner_t one;
    CHECK_EQ(mt_learner_init(&one, &m, &cfg, g_mem, need), MT_OK);
    float part[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_EQ(mt_learner_add_features(&one, 0, part, full, NULL), MT_OK);
    CHECK_EQ(mt_learner_fit(&one, NULL), MT_E_CLASSES);
    CHECK_EQ(mt_learner_add_features(&one, 2, part, full, NULL), MT_OK);
    CHECK_EQ(mt_learner_fit(&one, NULL), MT_E_CLASSES); /* class 1 has no sample */
    /* Configuration errors. */
    mt_learner_config_t bad = cfg;
    bad.max_classes = 1;
    CHECK_EQ(mt_learner_init(&one, &m, &bad, g_mem, need), MT_E_ARG);
    bad = cfg;
    bad.ratio = 1.5f;
    CHECK_EQ(mt_learner_bytes(&m, &bad), 0);
    bad = cfg;
    bad.folds = 1;
    CHECK_EQ(mt_learner_init(&one, &m, &bad, g_mem, need), MT_E_ARG);
    bad = cfg;
    bad.per_class = 0;
    bad.budget_bytes = 100;
    CHECK_EQ(mt_learner_sizes(&m, &bad, &sz), MT_E_SCRATCH_TOO_SMALL);
    bad.budget_bytes = (uint32_t)need;
    CHECK_EQ(mt_learner_sizes(&m, &bad, &sz), MT_OK);
    CHECK(sz.per_class >= 12 && sz.total <= need); /* the largest that fits the budget */
    bad.per_class = (uint16_t)(sz.per_class + 1u);
    CHECK(mt_learner_bytes(&m, &bad) > need);
    /* A head B on the full feature alone: its heads cannot load into a part (+) full learner. */
    mt_learner_config_t cat = cfg;
    cat.full_concat = 0;
    size_t need_cat = mt_learner_bytes(&m, &cat);
    CHECK_EQ(need_cat, MT_LEARNER_BYTES(mt_model_arena_bytes(&m), 4, 12, 8, 12, 3, 0));
    CHECK_EQ(mt_learner_init(&one, &m, &cat, g_mem, need_cat), MT_OK);
    mt_rng_seed(&r, 43);
    for (uint32_t i = 0; i < 30; i++) {
        image(&r, px, (uint16_t)(i % 3));
        CHECK_EQ(mt_learner_add_image(&one, (uint16_t)(i % 3), px, PX, NULL), MT_OK);
    }
    CHECK_EQ(mt_learner_fit(&one, &rep), MT_OK);
    CHECK_EQ(one.task.head[1].dim, 12);
    right = accuracy(&one, 3, 60, 9, &exits);
    printf("head B on the full feature alone: accuracy %u/60\n", (unsigned)right);
    CHECK(right >= 40); /* chance: 20 */
    CHECK_EQ(mt_learner_save(&one, &g_hsim.flash, NULL), MT_OK);
    CHECK_EQ(mt_learner_init(&l2, &m, &cfg, g_mem2, need), MT_OK);
    CHECK_EQ(mt_learner_load(&l2, &g_hsim.flash, NULL), MT_E_STORE_MODEL);
    /* full_only: head B alone, ratio 0: every answer from the full stage. */
    mt_learner_config_t fo = cfg;
    fo.full_only = 1;
    CHECK_EQ(mt_learner_init(&one, &m, &fo, g_mem, need), MT_OK);
    mt_rng_seed(&r, 44);
    for (uint32_t i = 0; i < 30; i++) {
        image(&r, px, (uint16_t)(i % 3));
        CHECK_EQ(mt_learner_add_image(&one, (uint16_t)(i % 3), px, PX, NULL), MT_OK);
    }
    CHECK_EQ(mt_learner_fit(&one, &rep), MT_OK);
    CHECK(rep.head[0].iterations == 0 && rep.calib.folds == 0 && rep.tau == MT_TAU_NEVER);
    right = accuracy(&one, 3, 30, 9, &exits);
    printf("full_only: accuracy %u/30, exits %u\n", (unsigned)right, (unsigned)exits);
    CHECK(exits == 0 && right >= 22);
}

/* The default ceiling on the shipped extractors (planned for the Cortex-M kernels, the
 * device's figure): at most 256 KiB with the arena, for any number of samples. */
static void test_default_budget(int argc, char **argv) {
    static const uint16_t want_per_class[2] = {80, 45}; /* 88 and 50 with head B on full alone */
    for (int i = 1; i < argc && i < 3; i++) {
        size_t len;
        uint8_t *bytes = mt_read_file(argv[i], &len);
        if (!CHECK(bytes != NULL)) continue;
        mt_model_t m;
        if (CHECK_EQ(mt_model_open(&m, bytes, len), MT_OK) &&
            CHECK_EQ(mt_model_plan_for(&m, MT_KERNELS_DSP), MT_OK)) {
            mt_learner_config_t cfg;
            mt_learner_config_default(&cfg);
            mt_learner_sizes_t s;
            CHECK_EQ(mt_learner_sizes(&m, &cfg, &s), MT_OK);
            printf("%s: default learner %zu B (heads %zu, names %zu, cache %zu for %u x %u "
                   "samples, work %zu = max(arena %zu, training %zu, calibration %zu))\n",
                   argv[i], s.total, s.heads, s.names, s.cache, (unsigned)cfg.max_classes,
                   (unsigned)s.per_class, s.work, s.arena, s.train_scratch, s.calib_scratch);
            CHECK(s.total <= MT_LEARNER_DEFAULT_BUDGET);
            CHECK_EQ(s.per_class, want_per_class[i - 1]);
            uint32_t dp = mt_model_feature_len(&m, MT_STAGE_PART);
            uint32_t df = mt_model_feature_len(&m, MT_STAGE_FULL);
            CHECK_EQ(s.total, MT_LEARNER_BYTES(s.arena, 10, s.per_class, dp, df, 3, 1));
        }
        free(bytes);
    }
}

int main(int argc, char **argv) {
    test_reservoir();
    test_cache_store();
    test_learner_cycle();
    test_default_budget(argc, argv);
    return mt_test_summary("test_learner");
}
