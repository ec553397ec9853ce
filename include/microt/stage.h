/* Stage-decision inference (the paper's section on adaptive inference): a task = a part-stage
 * head, a full-stage head and a threshold tau. Run the part stage and head A; answer there if
 * the confidence reaches tau, else resume the full model from the arena and answer with head B.
 * tau comes from the user's ratio r by cross-validated calibration on the cached samples. */
#ifndef MICROT_STAGE_H
#define MICROT_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "microt/exec.h"
#include "microt/features.h"
#include "microt/head.h"
#include "microt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MT_NAME_BYTES 16u      /* task and class names: NUL-terminated, at most 15 chars */
#define MT_TAU_NEVER 2.0f      /* r = 0: above every confidence (all in [0, 1]) */
#define MT_TAU_ALWAYS (-1.0f)  /* r = 1: below every confidence */

/* One personalised task on the shared extractor. */
typedef struct {
    char name[MT_NAME_BYTES];
    mt_head_t head[2];               /* [MT_STAGE_PART] head A, [MT_STAGE_FULL] head B */
    float ratio;                     /* r in [0, 1]: expected share answered at the part stage */
    float tau;                       /* exit when confidence >= tau */
    uint8_t confidence;              /* mt_confidence_t */
    uint8_t full_concat;             /* 1: head B reads part (+) full (MT_HEAD_CONCAT), 0: full */
    char (*class_names)[MT_NAME_BYTES]; /* [head[0].n_classes] names, or NULL */
} mt_task_t;

/* Calibration options. */
typedef struct {
    uint8_t folds;               /* k of the k-fold cross-validation, 2..MT_CALIB_MAX_FOLDS (default 5) */
    uint32_t seed;               /* fold assignment (default 1) */
    mt_confidence_t confidence;  /* default MT_CONF_MAX_PROB */
    mt_train_opts_t train;       /* how the fold heads are trained (default mt_train_opts_default) */
    uint16_t fold_max_iter;      /* iterations of a warm-started fold head (default 5; 0: train.max_iter) */
} mt_calib_opts_t;

#define MT_CALIB_MAX_FOLDS 32u
#define MT_CALIB_DEFAULT_FOLDS 5u
#define MT_CALIB_DEFAULT_FOLD_MAX_ITER 5u

/* Calibration scratch bytes for n samples, K classes, part features of length D and L-BFGS
 * memory m: fold head + its training scratch + 9 bytes per sample (confidence, order, fold). */
#define MT_CALIBRATE_SCRATCH_BYTES(n, n_classes, dim, history) \
    (MT_HEAD_BYTES(n_classes, dim) + MT_HEAD_TRAIN_SCRATCH_BYTES(n_classes, dim, history) + \
     8u * (size_t)(n) + (((size_t)(n) + 3u) & ~(size_t)3u))

void mt_calib_opts_default(mt_calib_opts_t *opts);

/* Scratch for calibrating over the cache's current samples and classes (0 on a bad argument). */
size_t mt_stage_calibrate_scratch_bytes(const mt_features_t *cache, const mt_calib_opts_t *opts);

/* What calibration cost: summed over the fold heads. */
typedef struct {
    uint16_t folds;           /* fold heads trained */
    uint16_t converged_folds; /* of which converged */
    uint32_t iterations;      /* L-BFGS iterations, all folds */
    uint32_t evaluations;     /* loss + gradient evaluations, all folds */
    uint32_t sample_passes;   /* samples visited by those evaluations: the cost unit */
} mt_calib_report_t;

/* tau for ratio r: every cached sample gets an out-of-fold part-head confidence (stratified
 * k-fold, docs/personalization.md), and tau is their (1 - r) quantile (linear interpolation
 * between order statistics, numpy's default). r = 0 gives MT_TAU_NEVER, r = 1 MT_TAU_ALWAYS.
 * part_head (may be NULL): the part head already trained on every cached sample; the fold
 * heads then start from it (warm start) and keep its normalisation, which makes calibration
 * cost a fraction of a cold training per fold. report (may be NULL) gets the cost. */
mt_status_t mt_stage_calibrate(const mt_features_t *cache, float ratio,
                               const mt_calib_opts_t *opts, const mt_head_t *part_head,
                               void *scratch, size_t scratch_bytes, float *tau,
                               mt_calib_report_t *report);

/* The first half of mt_stage_calibrate: each cached sample's out-of-fold part-head confidence
 * into conf[cache->n_samples] (caller memory, not the scratch), for sweeping several ratios
 * with mt_stage_tau_from_confidences without retraining. */
mt_status_t mt_stage_confidences(const mt_features_t *cache, const mt_calib_opts_t *opts,
                                 const mt_head_t *part_head, void *scratch, size_t scratch_bytes,
                                 float *conf, mt_calib_report_t *report);

/* The (1 - r) quantile of conf[n] as mt_stage_calibrate takes it; sorts conf in place. */
mt_status_t mt_stage_tau_from_confidences(float *conf, uint32_t n, float ratio, float *tau);

/* What answered a query. */
typedef struct {
    uint16_t label;
    float confidence;    /* of the head that answered */
    uint8_t stage;       /* mt_stage_t: MT_STAGE_PART = early exit */
    uint64_t macs;       /* extractor MACs up to that stage + the MACs of the heads evaluated */
} mt_answer_t;

/* Extractor MACs of ops [0, split_op) and [split_op, n_ops). */
mt_status_t mt_stage_macs(const mt_model_t *model, uint64_t *part_macs, uint64_t *rest_macs);

/* Both heads of one task on one input, for scoring: the part stage and head A into both[0],
 * then the rest of the model and head B into both[1] (macs: what an answer at that stage costs,
 * head A included in both[1]). The executor must have an input set and no stage run yet. */
mt_status_t mt_stage_score_both(mt_exec_t *exec, const mt_task_t *task, mt_answer_t both[2]);

/* Stage-decision inference for one task; the executor must have an input set and no stage
 * run yet. Leaves the executor after the stage that answered. */
mt_status_t mt_stage_infer(mt_exec_t *exec, const mt_task_t *task, mt_answer_t *answer);

/* Several tasks on one input: one part pass serves all; the rest of the full model runs
 * once, only if some task is not confident. answers[n_tasks]; total_macs (may be NULL) gets
 * the extractor MACs spent plus every head evaluated. */
mt_status_t mt_stage_infer_tasks(mt_exec_t *exec, const mt_task_t *tasks, uint32_t n_tasks,
                                 mt_answer_t *answers, uint64_t *total_macs);

#ifdef __cplusplus
}
#endif
#endif
