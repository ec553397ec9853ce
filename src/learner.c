/* The learner (include/microt/learner.h): one object that runs the whole personalization in
 * one caller buffer: cache the samples' features, train both heads, calibrate tau, save, load
 * and answer. The glue the CLI, the tests, the benchmarks and firmware share. Never allocates;
 * the work region is the extractor's arena outside a fit and the training scratch inside one. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "microt/learner.h"

static size_t align4(size_t n) { return (n + 3u) & ~(size_t)3u; }
static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

void mt_learner_config_default(mt_learner_config_t *cfg) {
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    memcpy(cfg->name, "default", 8);
    cfg->max_classes = MT_LEARNER_DEFAULT_MAX_CLASSES;
    cfg->per_class = 0;
    cfg->budget_bytes = MT_LEARNER_DEFAULT_BUDGET;
    cfg->ratio = 0.5f;
    cfg->confidence = MT_CONF_MAX_PROB;
    cfg->full_concat = 1; /* more accurate on the selection tasks (docs/personalization.md) */
    cfg->folds = MT_CALIB_DEFAULT_FOLDS;
    cfg->fold_max_iter = MT_CALIB_DEFAULT_FOLD_MAX_ITER;
    cfg->seed = 1;
    mt_train_opts_default(&cfg->train);
}

static int config_valid(const mt_learner_config_t *c) {
    mt_train_opts_t probe = c->train;
    return c->max_classes >= 2 && c->max_classes <= MT_FEATURES_MAX_CLASSES &&
           memchr(c->name, 0, MT_NAME_BYTES) != NULL && c->name[0] != '\0' &&
           c->ratio >= 0.0f && c->ratio <= 1.0f && c->confidence <= MT_CONF_ENTROPY &&
           c->full_concat <= 1 && c->full_only <= 1 && c->folds >= 2 &&
           c->folds <= MT_CALIB_MAX_FOLDS && mt_head_train_scratch_bytes(2, 1, &probe) != 0;
}

/* Every size for a given per_class (> 0). */
static mt_status_t sizes_for(const mt_model_t *m, const mt_learner_config_t *c, uint32_t per_class,
                             mt_learner_sizes_t *s) {
    uint32_t k = c->max_classes, dp = mt_model_feature_len(m, MT_STAGE_PART);
    uint32_t df = mt_model_feature_len(m, MT_STAGE_FULL), db = c->full_concat ? dp + df : df;
    uint64_t n = (uint64_t)k * per_class;
    if (dp == 0 || df == 0 || db > 0xFFFFu || n > 0xFFFFFFFFu) return MT_E_ARG;
    memset(s, 0, sizeof *s);
    s->per_class = (uint16_t)per_class;
    s->max_samples = (uint32_t)n;
    s->heads = align4(mt_head_bytes(k, dp)) + align4(mt_head_bytes(k, db));
    s->names = (size_t)k * MT_NAME_BYTES;
    s->cache = mt_features_bytes(s->max_samples, dp, df, MT_FEATURES_S8);
    s->arena = mt_model_arena_bytes(m);
    s->train_scratch = max_sz(mt_head_train_scratch_bytes(k, dp, &c->train),
                              mt_head_train_scratch_bytes(k, db, &c->train));
    s->calib_scratch = MT_CALIBRATE_SCRATCH_BYTES(s->max_samples, k, dp, c->train.history);
    s->work = align4(max_sz(max_sz(s->arena, s->train_scratch), s->calib_scratch));
    if (s->heads == 0 || s->cache == 0 || s->train_scratch == 0) return MT_E_ARG;
    s->total = s->heads + s->names + align4(s->cache) + s->work;
    return MT_OK;
}

mt_status_t mt_learner_sizes(const mt_model_t *model, const mt_learner_config_t *cfg,
                             mt_learner_sizes_t *sizes) {
    if (!model || !cfg || !sizes || !config_valid(cfg)) return MT_E_ARG;
    if (cfg->per_class > 0) return sizes_for(model, cfg, cfg->per_class, sizes);
    /* The largest per_class under the budget: the total grows with per_class, so a binary
     * search over 1..65535. */
    mt_learner_sizes_t s;
    mt_status_t st = sizes_for(model, cfg, 1, &s);
    if (st != MT_OK) return st;
    if (s.total > cfg->budget_bytes) return MT_E_SCRATCH_TOO_SMALL;
    uint32_t lo = 1, hi = 0xFFFFu;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1u) / 2u;
        if (sizes_for(model, cfg, mid, &s) == MT_OK && s.total <= cfg->budget_bytes) {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    return sizes_for(model, cfg, lo, sizes);
}

size_t mt_learner_bytes(const mt_model_t *model, const mt_learner_config_t *cfg) {
    mt_learner_sizes_t s;
    return mt_learner_sizes(model, cfg, &s) == MT_OK ? s.total : 0;
}

static void default_names(mt_learner_t *l) {
    for (uint32_t c = 0; c < l->cfg.max_classes; c++) {
        char *p = l->names[c];
        memset(p, 0, MT_NAME_BYTES);
        if (c >= 10) *p++ = (char)('0' + c / 10);
        *p = (char)('0' + c % 10);
    }
}

mt_status_t mt_learner_init(mt_learner_t *l, const mt_model_t *model,
                            const mt_learner_config_t *cfg, void *mem, size_t mem_bytes) {
    if (!l) return MT_E_ARG;
    memset(l, 0, sizeof *l);
    if (!model || !cfg || !mem) return MT_E_ARG;
    if (((uintptr_t)mem & 3u) != 0) return MT_E_ARENA_ALIGN;
    mt_learner_sizes_t s;
    mt_status_t st = mt_learner_sizes(model, cfg, &s);
    if (st != MT_OK) return st;
    if (mem_bytes < s.total) return MT_E_SCRATCH_TOO_SMALL;
    l->model = model;
    l->cfg = *cfg;
    l->cfg.per_class = s.per_class;
    l->sizes = s;
    uint32_t k = cfg->max_classes, dp = mt_model_feature_len(model, MT_STAGE_PART);
    uint32_t df = mt_model_feature_len(model, MT_STAGE_FULL), db = cfg->full_concat ? dp + df : df;
    uint8_t *p = (uint8_t *)mem;
    size_t ha = align4(mt_head_bytes(k, dp)), hb = align4(mt_head_bytes(k, db));
    if ((st = mt_head_init(&l->task.head[0], p, ha, k, dp)) != MT_OK ||
        (st = mt_head_init(&l->task.head[1], p + ha, hb, k, db)) != MT_OK) {
        return st;
    }
    p += s.heads;
    l->names = (char(*)[MT_NAME_BYTES])(void *)p;
    p += s.names;
    if ((st = mt_features_init(&l->cache, p, s.cache, s.max_samples, dp, df, MT_FEATURES_S8)) !=
            MT_OK ||
        (st = mt_features_set_reservoir(&l->cache, s.per_class, cfg->seed)) != MT_OK) {
        return st;
    }
    p += align4(s.cache);
    l->work = p;
    if ((st = mt_exec_init(&l->exec, model, l->work, s.work)) != MT_OK) return st;
    default_names(l);
    memcpy(l->task.name, cfg->name, MT_NAME_BYTES);
    l->task.ratio = cfg->full_only ? 0.0f : cfg->ratio;
    l->task.tau = MT_TAU_NEVER;
    l->task.confidence = cfg->confidence;
    l->task.full_concat = cfg->full_concat;
    l->task.class_names = l->names;
    return MT_OK;
}

mt_status_t mt_learner_set_class_name(mt_learner_t *l, uint16_t label, const char *name) {
    if (!l || !l->model || !name || label >= l->cfg.max_classes) return MT_E_ARG;
    size_t n = strlen(name);
    if (n == 0 || n >= MT_NAME_BYTES) return MT_E_ARG;
    memset(l->names[label], 0, MT_NAME_BYTES);
    memcpy(l->names[label], name, n);
    return MT_OK;
}

static void set_kept(const mt_learner_t *l, int *kept) {
    if (kept) *kept = l->cache.last_slot != MT_FEATURES_DROPPED;
}

mt_status_t mt_learner_add_image(mt_learner_t *l, uint16_t label, const uint8_t *pixels,
                                 size_t len, int *kept) {
    if (!l || !l->model || !pixels) return MT_E_ARG;
    if (label >= l->cfg.max_classes) return MT_E_ARG;
    mt_status_t st = mt_exec_set_input_u8(&l->exec, pixels, len);
    if (st == MT_OK) st = mt_exec_run_full(&l->exec);
    if (st == MT_OK) st = mt_features_add_exec(&l->cache, label, &l->exec);
    if (st == MT_OK) set_kept(l, kept);
    return st;
}

mt_status_t mt_learner_add_features(mt_learner_t *l, uint16_t label, const float *part,
                                    const float *full, int *kept) {
    if (!l || !l->model) return MT_E_ARG;
    if (label >= l->cfg.max_classes) return MT_E_ARG;
    mt_status_t st = mt_features_add(&l->cache, label, part, full);
    if (st == MT_OK) set_kept(l, kept);
    return st;
}

/* The work region goes back to being the extractor's arena. */
static mt_status_t rebind_arena(mt_learner_t *l) {
    return mt_exec_init(&l->exec, l->model, l->work, l->sizes.work);
}

mt_status_t mt_learner_fit(mt_learner_t *l, mt_learner_report_t *report) {
    if (report) memset(report, 0, sizeof *report);
    if (!l || !l->model) return MT_E_ARG;
    const mt_features_t *c = &l->cache;
    if (c->n_samples == 0) return MT_E_STATE;
    uint32_t counts[MT_FEATURES_MAX_CLASSES];
    mt_features_count(c, counts, MT_FEATURES_MAX_CLASSES);
    uint32_t k = c->n_classes;
    for (uint32_t y = 0; y < k; y++) {
        if (counts[y] == 0) return MT_E_CLASSES;
    }
    if (k < 2) return MT_E_CLASSES;

    /* Warm start from the previous fit (same normalisation kind, fewer or as many classes):
     * the optimum moves little when samples or a class are added. */
    mt_train_opts_t to = l->cfg.train;
    int warm = l->fitted && l->task.head[1].n_classes <= k;
    to.warm_start = (uint8_t)warm;
    mt_status_t st = MT_OK;
    mt_train_report_t rep[2];
    memset(rep, 0, sizeof rep);
    l->fitted = 0;
    if (!l->cfg.full_only) {
        st = mt_head_train_input(&l->task.head[0], c, MT_HEAD_PART, &to, l->work, l->sizes.work,
                                 &rep[0]);
    } else {
        /* never used at r = 0: a zero head (uniform answers) keeps the task well formed */
        st = mt_head_init(&l->task.head[0], l->task.head[0].weights,
                          mt_head_bytes(l->cfg.max_classes, c->dim[0]), l->cfg.max_classes,
                          c->dim[0]);
        l->task.head[0].n_classes = (uint16_t)k;
    }
    if (st == MT_OK) {
        st = mt_head_train_input(&l->task.head[1], c, l->cfg.full_concat ? MT_HEAD_CONCAT : MT_HEAD_FULL,
                                 &to, l->work, l->sizes.work, &rep[1]);
    }
    float tau = MT_TAU_NEVER;
    mt_calib_report_t calib;
    memset(&calib, 0, sizeof calib);
    float ratio = l->cfg.full_only ? 0.0f : l->cfg.ratio;
    if (st == MT_OK && ratio > 0.0f && ratio < 1.0f) {
        mt_calib_opts_t co;
        mt_calib_opts_default(&co);
        co.folds = l->cfg.folds;
        co.seed = l->cfg.seed;
        co.confidence = (mt_confidence_t)l->cfg.confidence;
        co.train = l->cfg.train;
        co.fold_max_iter = l->cfg.fold_max_iter;
        /* fold_max_iter 0: cold folds trained to convergence (the reference of section 3) */
        const mt_head_t *start = l->cfg.fold_max_iter ? &l->task.head[0] : NULL;
        st = mt_stage_calibrate(c, ratio, &co, start, l->work, l->sizes.work, &tau, &calib);
    } else if (ratio >= 1.0f) {
        tau = MT_TAU_ALWAYS;
    }
    mt_status_t st2 = rebind_arena(l);
    if (st != MT_OK) return st;
    if (st2 != MT_OK) return st2;
    l->task.ratio = ratio;
    l->task.tau = tau;
    l->fitted = 1;
    if (report) {
        report->head[0] = rep[0];
        report->head[1] = rep[1];
        report->calib = calib;
        report->tau = tau;
        report->classes = (uint16_t)k;
        report->samples = c->n_samples;
        report->offered = mt_features_offered(c);
        report->warm = (uint8_t)warm;
    }
    return MT_OK;
}

const mt_task_t *mt_learner_task(const mt_learner_t *l) {
    return l && l->fitted ? &l->task : NULL;
}

mt_status_t mt_learner_infer(mt_learner_t *l, const uint8_t *pixels, size_t len,
                             mt_answer_t *answer) {
    if (!l || !l->model || !pixels || !answer) return MT_E_ARG;
    if (!l->fitted) return MT_E_STATE;
    mt_status_t st = mt_exec_set_input_u8(&l->exec, pixels, len);
    return st == MT_OK ? mt_stage_infer(&l->exec, &l->task, answer) : st;
}

mt_status_t mt_learner_save(mt_learner_t *l, const mt_flash_t *heads_flash,
                            const mt_flash_t *cache_flash) {
    if (!l || !l->model || !heads_flash) return MT_E_ARG;
    if (!l->fitted) return MT_E_STATE;
    mt_status_t st;
    if (cache_flash) {
        st = mt_store_features_save(cache_flash, &l->cache, (const char(*)[MT_NAME_BYTES])l->names,
                                    l->model->fingerprint, NULL);
        if (st != MT_OK) return st;
    }
    st = mt_store_save(heads_flash, &l->task, 1, l->model, l->work, l->sizes.work);
    mt_status_t st2 = rebind_arena(l);
    return st != MT_OK ? st : st2;
}

/* Copies a decoded task's heads into the learner's own buffers. */
static mt_status_t adopt_task(mt_learner_t *l, const mt_task_t *t) {
    for (int s = 0; s < 2; s++) {
        const mt_head_t *src = &t->head[s];
        mt_head_t *dst = &l->task.head[s];
        if (src->dim != dst->dim || src->n_classes > dst->max_classes) return MT_E_STORE_MODEL;
        if (t->full_concat != l->cfg.full_concat) return MT_E_STORE_MODEL;
    }
    uint32_t k = t->head[0].n_classes;
    for (int s = 0; s < 2; s++) {
        const mt_head_t *src = &t->head[s];
        mt_head_t *dst = &l->task.head[s];
        memcpy(dst->weights, src->weights, (size_t)k * src->dim * sizeof(float));
        memcpy(dst->bias, src->bias, k * sizeof(float));
        memcpy(dst->mean, src->mean, src->dim * sizeof(float));
        memcpy(dst->inv_std, src->inv_std, src->dim * sizeof(float));
        dst->n_classes = (uint16_t)k;
        dst->standardize = src->standardize;
    }
    for (uint32_t c = 0; c < k; c++) {
        if (t->class_names) memcpy(l->names[c], t->class_names[c], MT_NAME_BYTES);
    }
    l->task.ratio = t->ratio;
    l->task.tau = t->tau;
    l->task.confidence = t->confidence;
    l->fitted = 1;
    return MT_OK;
}

mt_status_t mt_learner_load(mt_learner_t *l, const mt_flash_t *heads_flash,
                            const mt_flash_t *cache_flash) {
    if (!l || !l->model || (!heads_flash && !cache_flash)) return MT_E_ARG;
    mt_status_t st = MT_E_STORE_EMPTY;
    int any = 0;
    if (cache_flash) {
        st = mt_store_features_load(cache_flash, l->model->fingerprint, &l->cache, l->names,
                                    l->cfg.max_classes, NULL);
        if (st != MT_OK && st != MT_E_STORE_EMPTY) return st;
        any = st == MT_OK;
        l->fitted = 0;
    }
    if (heads_flash) {
        mt_task_t tasks[MT_STORE_MAX_TASKS];
        uint32_t n = 0;
        st = mt_store_load(heads_flash, l->model, l->work, l->sizes.work, tasks,
                           MT_STORE_MAX_TASKS, &n);
        if (st == MT_OK) {
            st = MT_E_STORE_EMPTY;
            for (uint32_t i = 0; i < n; i++) {
                if (strcmp(tasks[i].name, l->task.name) == 0) st = adopt_task(l, &tasks[i]);
            }
        }
        mt_status_t st2 = rebind_arena(l);
        if (st != MT_OK && st != MT_E_STORE_EMPTY) return st;
        if (st2 != MT_OK) return st2;
        any |= st == MT_OK;
    }
    return any ? MT_OK : MT_E_STORE_EMPTY;
}
