/* Stage-decision: threshold calibration from the user's cached samples (stratified k-fold,
 * out-of-fold part-head confidences, a quantile) and early-exit inference that resumes the
 * full model from the arena. No heap; calibration scratch comes from the caller. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "microt/stage.h"
#include "personalize_internal.h"

void mt_calib_opts_default(mt_calib_opts_t *opts) {
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->folds = 5;
    opts->seed = 1;
    opts->confidence = MT_CONF_MAX_PROB;
    mt_train_opts_default(&opts->train);
    opts->fold_max_iter = MT_CALIB_DEFAULT_FOLD_MAX_ITER;
}

static size_t align4(size_t n) { return (n + 3u) & ~(size_t)3u; }

/* Scratch layout: fold head [mt_head_bytes] | training scratch | conf f32[n] | perm u32[n] |
 * fold u8[n]. */
size_t mt_stage_calibrate_scratch_bytes(const mt_features_t *cache, const mt_calib_opts_t *opts) {
    if (!cache || !opts || cache->n_classes == 0) return 0;
    uint32_t k = cache->n_classes, dim = cache->dim[MT_STAGE_PART];
    size_t head = mt_head_bytes(k, dim), train = mt_head_train_scratch_bytes(k, dim, &opts->train);
    if (head == 0 || train == 0) return 0;
    size_t n = cache->n_samples;
    return align4(head) + align4(train) + 8u * n + align4(n); /* = MT_CALIBRATE_SCRATCH_BYTES */
}

mt_status_t mt_stage_tau_from_confidences(float *conf, uint32_t n, float ratio, float *tau) {
    if (!conf || !tau || n == 0 || !(ratio >= 0.0f && ratio <= 1.0f)) return MT_E_ARG;
    if (ratio == 0.0f) {
        *tau = MT_TAU_NEVER;
        return MT_OK;
    }
    if (ratio == 1.0f) {
        *tau = MT_TAU_ALWAYS;
        return MT_OK;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!isfinite(conf[i])) return MT_E_NONFINITE;
    }
    /* Insertion sort: n is the number of user samples (tens to a few thousand). */
    for (uint32_t i = 1; i < n; i++) {
        float v = conf[i];
        uint32_t j = i;
        while (j > 0 && conf[j - 1] > v) {
            conf[j] = conf[j - 1];
            j--;
        }
        conf[j] = v;
    }
    /* Quantile q = 1 - r with linear interpolation between order statistics
     * (Hyndman & Fan type 7, numpy's default): h = q (n - 1). */
    float h = (1.0f - ratio) * (float)(n - 1u);
    uint32_t lo = (uint32_t)h;
    if (lo >= n - 1u) {
        *tau = conf[n - 1u];
    } else {
        float frac = h - (float)lo;
        *tau = conf[lo] + frac * (conf[lo + 1u] - conf[lo]);
    }
    return MT_OK;
}

/* Out-of-fold confidences into conf[n]; perm and fold live in the scratch. */
static mt_status_t confidences(const mt_features_t *cache, const mt_calib_opts_t *opts,
                               const mt_head_t *part_head, uint8_t *p, float *conf,
                               mt_calib_report_t *report) {
    uint32_t n = cache->n_samples, k = cache->n_classes, dim = cache->dim[MT_STAGE_PART];
    size_t head_bytes = align4(mt_head_bytes(k, dim));
    size_t train_bytes = align4(mt_head_train_scratch_bytes(k, dim, &opts->train));
    void *head_buf = p, *train = p + head_bytes;
    uint32_t *perm = (uint32_t *)(void *)(p + head_bytes + train_bytes + 4u * n);
    uint8_t *fold = (uint8_t *)(perm + n);
    uint32_t folds = opts->folds < n ? opts->folds : n;

    /* Stratified folds: the samples are visited in a seeded random order (Fisher-Yates on
     * perm) and each class's samples are dealt round-robin, each class starting where the
     * previous one stopped, so every fold gets a near-equal share of every class and of the
     * whole. O(n). */
    uint32_t state = opts->seed ? opts->seed : 1u;
    for (uint32_t i = 0; i < n; i++) perm[i] = i;
    for (uint32_t i = n - 1u; i > 0; i--) {
        uint32_t j = mt_xorshift32(&state) % (i + 1u);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    uint32_t next[MT_FEATURES_MAX_CLASSES];
    mt_features_count(cache, next, MT_FEATURES_MAX_CLASSES);
    for (uint32_t c = 0, acc = 0; c < k; c++) { /* next[c]: class c's first deal position */
        uint32_t count = next[c];
        next[c] = acc;
        acc += count;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint16_t y;
        mt_features_get(cache, perm[i], MT_STAGE_PART, NULL, &y);
        fold[perm[i]] = (uint8_t)(next[y]++ % folds);
    }

    /* Each fold head starts from the part head trained on every sample (when given) and keeps
     * its normalisation, and takes at most fold_max_iter iterations: the fold optimum is near,
     * and the quantile of the held-out confidences needs them to ~1e-2, not the optimum to the
     * training tolerance (docs/personalization.md section 3: 5 warm iterations keep the exit
     * share as close to r on held-out data as fully converged cold folds, at ~1/7 of the cost). */
    mt_train_opts_t train_opts = opts->train;
    train_opts.warm_start = 0;
    if (part_head && opts->fold_max_iter > 0 && opts->fold_max_iter < train_opts.max_iter) {
        train_opts.max_iter = opts->fold_max_iter;
    }
    mt_fit_ctl_t ctl = {part_head, fold, 0, part_head != NULL};
    if (report) memset(report, 0, sizeof *report);
    for (uint32_t f = 0; f < folds; f++) {
        mt_head_t head;
        mt_status_t st = mt_head_init(&head, head_buf, head_bytes, k, dim);
        if (st != MT_OK) return st;
        ctl.skip_fold = (uint8_t)f;
        mt_train_report_t rep;
        st = mt_head_fit(&head, cache, MT_HEAD_PART, &train_opts, &ctl, train, train_bytes, &rep);
        if (st != MT_OK) return st;
        if (report) {
            report->folds++;
            report->iterations += rep.iterations;
            report->evaluations += rep.evaluations;
            report->sample_passes += rep.sample_passes;
            report->converged_folds += rep.converged;
        }
        float *row = (float *)train; /* training is done: its scratch holds one feature row */
        for (uint32_t i = 0; i < n; i++) {
            if (fold[i] != f) continue;
            uint16_t label;
            mt_features_get(cache, i, MT_STAGE_PART, row, NULL);
            st = mt_head_predict_f32(&head, row, dim, opts->confidence, &label, &conf[i]);
            if (st != MT_OK) return st;
        }
    }
    return MT_OK;
}

static mt_status_t check_calib_args(const mt_features_t *cache, const mt_calib_opts_t *opts,
                                    const mt_head_t *part_head, const void *scratch,
                                    size_t scratch_bytes) {
    if (!cache || !cache->buf || !opts || !scratch) return MT_E_ARG;
    if (part_head && (!part_head->weights || part_head->dim != cache->dim[MT_STAGE_PART] ||
                      part_head->n_classes == 0 || part_head->n_classes > cache->n_classes)) {
        return MT_E_SHAPE;
    }
    if (opts->folds < 2 || opts->folds > MT_CALIB_MAX_FOLDS) return MT_E_ARG;
    if (opts->confidence > MT_CONF_ENTROPY) return MT_E_ARG;
    if (((uintptr_t)scratch & 3u) != 0) return MT_E_ARENA_ALIGN;
    if (cache->n_samples < 2) return MT_E_STATE; /* cross-validation needs two samples */
    size_t need = mt_stage_calibrate_scratch_bytes(cache, opts);
    if (need == 0) return MT_E_ARG;
    if (scratch_bytes < need) return MT_E_SCRATCH_TOO_SMALL;
    return MT_OK;
}

mt_status_t mt_stage_confidences(const mt_features_t *cache, const mt_calib_opts_t *opts,
                                 const mt_head_t *part_head, void *scratch, size_t scratch_bytes,
                                 float *conf, mt_calib_report_t *report) {
    mt_status_t st = check_calib_args(cache, opts, part_head, scratch, scratch_bytes);
    if (st != MT_OK) return st;
    if (!conf) return MT_E_ARG;
    return confidences(cache, opts, part_head, (uint8_t *)scratch, conf, report);
}

mt_status_t mt_stage_calibrate(const mt_features_t *cache, float ratio,
                               const mt_calib_opts_t *opts, const mt_head_t *part_head,
                               void *scratch, size_t scratch_bytes, float *tau,
                               mt_calib_report_t *report) {
    if (report) memset(report, 0, sizeof *report);
    if (!tau || !(ratio >= 0.0f && ratio <= 1.0f)) return MT_E_ARG;
    mt_status_t st = check_calib_args(cache, opts, part_head, scratch, scratch_bytes);
    if (st != MT_OK) return st;
    if (ratio == 0.0f || ratio == 1.0f) { /* no confidences needed */
        *tau = ratio == 0.0f ? MT_TAU_NEVER : MT_TAU_ALWAYS;
        return MT_OK;
    }
    uint32_t k = cache->n_classes, dim = cache->dim[MT_STAGE_PART];
    float *conf = (float *)(void *)((uint8_t *)scratch + align4(mt_head_bytes(k, dim)) +
                                    align4(mt_head_train_scratch_bytes(k, dim, &opts->train)));
    st = confidences(cache, opts, part_head, (uint8_t *)scratch, conf, report);
    if (st != MT_OK) return st;
    return mt_stage_tau_from_confidences(conf, cache->n_samples, ratio, tau);
}

mt_status_t mt_stage_macs(const mt_model_t *model, uint64_t *part_macs, uint64_t *rest_macs) {
    if (!model || !part_macs || !rest_macs) return MT_E_ARG;
    *part_macs = 0;
    *rest_macs = 0;
    for (uint16_t i = 0; i < model->n_ops; i++) {
        mt_op_info_t op;
        mt_status_t st = mt_model_op(model, i, &op);
        if (st != MT_OK) return st;
        if (i < model->split_op) {
            *part_macs += op.macs;
        } else {
            *rest_macs += op.macs;
        }
    }
    return MT_OK;
}

static int head_fits(const mt_head_t *h, uint32_t dim) {
    return h->weights && h->n_classes > 0 && h->n_classes <= MT_HEAD_MAX_CLASSES && h->dim == dim;
}

/* Runs head `stage` of task t on the features in the arena and fills its answer (adding the
 * head's MACs to a->macs). A concatenating head B reads the part feature too: the planner keeps
 * it alive to the end of the model (src/planner.c). */
static mt_status_t answer_with(const mt_exec_t *exec, const mt_task_t *t, mt_stage_t stage,
                               mt_answer_t *a) {
    const int8_t *q, *qp;
    uint32_t len, lenp;
    float scale, scalep;
    int32_t zp, zpp;
    float logits[MT_HEAD_MAX_CLASSES];
    mt_status_t st = mt_exec_features_s8(exec, stage, &q, &len, &scale, &zp);
    if (st != MT_OK) return st;
    const mt_head_t *h = &t->head[stage];
    if (stage == MT_STAGE_FULL && t->full_concat) {
        st = mt_exec_features_s8(exec, MT_STAGE_PART, &qp, &lenp, &scalep, &zpp);
        if (st == MT_OK) {
            st = mt_head_logits_s8_concat(h, qp, lenp, scalep, zpp, q, len, scale, zp, logits);
        }
    } else {
        st = mt_head_logits_s8(h, q, len, scale, zp, logits);
    }
    if (st != MT_OK) return st;
    st = mt_head_decide(logits, h->n_classes, (mt_confidence_t)t->confidence, &a->label,
                        &a->confidence);
    a->stage = (uint8_t)stage;
    a->macs += (uint64_t)h->n_classes * h->dim;
    return st;
}

/* The task's heads fit the model: head A the part feature, head B the full one (or both). */
static mt_status_t check_task(const mt_task_t *t, uint32_t dim_part, uint32_t dim_full) {
    if (t->confidence > MT_CONF_ENTROPY || !isfinite(t->tau) || t->full_concat > 1) return MT_E_ARG;
    uint32_t dim_b = t->full_concat ? dim_part + dim_full : dim_full;
    if (!head_fits(&t->head[MT_STAGE_PART], dim_part) || !head_fits(&t->head[MT_STAGE_FULL], dim_b) ||
        t->head[MT_STAGE_PART].n_classes != t->head[MT_STAGE_FULL].n_classes) {
        return MT_E_SHAPE;
    }
    return MT_OK;
}

mt_status_t mt_stage_score_both(mt_exec_t *exec, const mt_task_t *task, mt_answer_t both[2]) {
    if (!exec || !exec->model || !task || !both) return MT_E_ARG;
    const mt_model_t *m = exec->model;
    mt_status_t st = check_task(task, mt_model_feature_len(m, MT_STAGE_PART),
                                mt_model_feature_len(m, MT_STAGE_FULL));
    if (st != MT_OK) return st;
    uint64_t part_macs, rest_macs;
    if ((st = mt_stage_macs(m, &part_macs, &rest_macs)) != MT_OK) return st;
    memset(both, 0, 2 * sizeof *both);
    both[0].macs = part_macs;
    if ((st = mt_exec_run_part(exec)) != MT_OK) return st;
    if ((st = answer_with(exec, task, MT_STAGE_PART, &both[0])) != MT_OK) return st;
    both[1].macs = both[0].macs + rest_macs;
    if ((st = mt_exec_resume_full(exec)) != MT_OK) return st;
    return answer_with(exec, task, MT_STAGE_FULL, &both[1]);
}

mt_status_t mt_stage_infer_tasks(mt_exec_t *exec, const mt_task_t *tasks, uint32_t n_tasks,
                                 mt_answer_t *answers, uint64_t *total_macs) {
    if (!exec || !exec->model || !tasks || !answers || n_tasks == 0) return MT_E_ARG;
    const mt_model_t *m = exec->model;
    uint32_t dim_part = mt_model_feature_len(m, MT_STAGE_PART);
    uint32_t dim_full = mt_model_feature_len(m, MT_STAGE_FULL);
    for (uint32_t t = 0; t < n_tasks; t++) {
        mt_status_t st = check_task(&tasks[t], dim_part, dim_full);
        if (st != MT_OK) return st;
    }
    uint64_t part_macs, rest_macs;
    mt_status_t st = mt_stage_macs(m, &part_macs, &rest_macs);
    if (st != MT_OK) return st;
    st = mt_exec_run_part(exec);
    if (st != MT_OK) return st;

    uint64_t total = part_macs;
    uint32_t pending = 0;
    for (uint32_t t = 0; t < n_tasks; t++) {
        mt_answer_t *a = &answers[t];
        memset(a, 0, sizeof *a);
        a->macs = part_macs;
        st = answer_with(exec, &tasks[t], MT_STAGE_PART, a);
        if (st != MT_OK) return st;
        total += (uint64_t)tasks[t].head[MT_STAGE_PART].n_classes * dim_part;
        if (!(a->confidence >= tasks[t].tau)) pending++;
    }
    if (pending > 0) {
        st = mt_exec_resume_full(exec);
        if (st != MT_OK) return st;
        total += rest_macs;
        for (uint32_t t = 0; t < n_tasks; t++) {
            mt_answer_t *a = &answers[t];
            if (a->confidence >= tasks[t].tau) continue;
            a->macs += rest_macs;
            st = answer_with(exec, &tasks[t], MT_STAGE_FULL, a);
            if (st != MT_OK) return st;
            total += (uint64_t)tasks[t].head[MT_STAGE_FULL].n_classes * tasks[t].head[MT_STAGE_FULL].dim;
        }
    }
    if (total_macs) *total_macs = total;
    return MT_OK;
}

mt_status_t mt_stage_infer(mt_exec_t *exec, const mt_task_t *task, mt_answer_t *answer) {
    return mt_stage_infer_tasks(exec, task, 1, answer, NULL);
}
