/* Linear softmax heads on pooled features: training (L2-regularised multinomial logistic
 * regression by full-batch L-BFGS on the feature cache) and inference. float32, no heap:
 * weights live in a caller buffer (mt_head_bytes), training scratch likewise. */
#ifndef MICROT_HEAD_H
#define MICROT_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "microt/features.h"
#include "microt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MT_HEAD_MAX_CLASSES MT_FEATURES_MAX_CLASSES
#define MT_LBFGS_MAX_HISTORY 16u

/* logits[k] = bias[k] + sum_d weights[k][d] * (x[d] - mean[d]) * inv_std[d].
 * Without standardisation mean = 0 and inv_std = 1. */
typedef struct {
    uint16_t n_classes;   /* classes trained so far (rows in use) */
    uint16_t max_classes; /* rows the buffer holds */
    uint16_t dim;         /* feature length */
    uint8_t standardize;  /* 1 if mean/inv_std were fitted, 0 if they are 0/1 */
    float *weights;       /* [max_classes][dim] */
    float *bias;          /* [max_classes] */
    float *mean;          /* [dim] */
    float *inv_std;       /* [dim] */
} mt_head_t;

size_t mt_head_bytes(uint32_t max_classes, uint32_t dim);

/* Binds a head to buf (mt_head_bytes, 4-aligned): zero weights and classes, mean 0, inv_std 1. */
mt_status_t mt_head_init(mt_head_t *head, void *buf, size_t buf_bytes, uint32_t max_classes,
                         uint32_t dim);

/* Training options; mt_train_opts_default fills the documented defaults (docs/personalization.md). */
typedef struct {
    float c;              /* inverse L2 strength, as scikit-learn's C (default 1) */
    uint16_t max_iter;    /* L-BFGS iterations (default 200, scikit-learn's default 100) */
    uint8_t history;      /* L-BFGS memory m, 1..MT_LBFGS_MAX_HISTORY (default 5) */
    uint8_t standardize;  /* fit per-feature mean/std on the training samples first (default 0) */
    uint8_t warm_start;   /* start from the head's current weights; new classes start at 0 */
    float tol;            /* stop when max |gradient| <= tol (default 1e-5) */
} mt_train_opts_t;

void mt_train_opts_default(mt_train_opts_t *opts);

typedef struct {
    uint16_t iterations;  /* L-BFGS iterations done */
    uint16_t evaluations; /* loss + gradient evaluations (each one pass over the cache) */
    float loss;           /* final objective: mean cross-entropy + ||W||^2 / (2 C N) */
    float grad_max;       /* final max |gradient| */
} mt_train_report_t;

/* Scratch bytes mt_head_train needs for n_classes x dim (0 on a bad argument). */
size_t mt_head_train_scratch_bytes(uint32_t n_classes, uint32_t dim, const mt_train_opts_t *opts);

/* Trains `head` on every cached sample of one stage, for cache->n_classes classes
 * (head->max_classes must be at least that and head->dim the stage's feature length).
 * Deterministic: the same cache and options give the same bits on one platform.
 * report may be NULL. */
mt_status_t mt_head_train(mt_head_t *head, const mt_features_t *cache, mt_stage_t stage,
                          const mt_train_opts_t *opts, void *scratch, size_t scratch_bytes,
                          mt_train_report_t *report);

/* What "confidence" means for the stage decision. All three lie in [0, 1].
 * MAX_PROB: the largest softmax probability (the paper's choice).
 * MARGIN:   largest minus second-largest probability.
 * ENTROPY:  1 - H(p) / ln(n_classes). */
typedef enum { MT_CONF_MAX_PROB = 0, MT_CONF_MARGIN = 1, MT_CONF_ENTROPY = 2 } mt_confidence_t;

/* Logits of a float feature x[len] into logits[head->n_classes]. */
mt_status_t mt_head_logits_f32(const mt_head_t *head, const float *x, uint32_t len,
                               float *logits);
/* The same from an int8 feature with its scale and zero point (as the arena holds it). */
mt_status_t mt_head_logits_s8(const mt_head_t *head, const int8_t *q, uint32_t len, float scale,
                              int32_t zero_point, float *logits);

/* Arg-max label and confidence from logits[n] (n >= 1); ties take the lower label. */
mt_status_t mt_head_decide(const float *logits, uint32_t n, mt_confidence_t kind,
                           uint16_t *label, float *confidence);

/* Logits then decision, for a float feature. */
mt_status_t mt_head_predict_f32(const mt_head_t *head, const float *x, uint32_t len,
                                mt_confidence_t kind, uint16_t *label, float *confidence);

#ifdef __cplusplus
}
#endif
#endif
