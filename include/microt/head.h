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
 * Centred heads have inv_std = 1, raw ones also mean = 0. */
typedef struct {
    uint16_t n_classes;   /* classes trained so far (rows in use) */
    uint16_t max_classes; /* rows the buffer holds */
    uint16_t dim;         /* feature length */
    uint8_t standardize;  /* 1 if inv_std was fitted (mean may be set either way) */
    float *weights;       /* [max_classes][dim] */
    float *bias;          /* [max_classes] */
    float *mean;          /* [dim] */
    float *inv_std;       /* [dim] */
} mt_head_t;

/* Bytes of a head's buffer: W [K][D], bias [K], mean [D], inv_std [D] as float32. The macro
 * gives the same number at compile time for static buffers. */
#define MT_HEAD_BYTES(max_classes, dim) \
    (4u * ((size_t)(max_classes) * (dim) + (max_classes) + 2u * (size_t)(dim)))
size_t mt_head_bytes(uint32_t max_classes, uint32_t dim);

/* Binds a head to buf (mt_head_bytes, 4-aligned): zero weights and classes, mean 0, inv_std 1. */
mt_status_t mt_head_init(mt_head_t *head, void *buf, size_t buf_bytes, uint32_t max_classes,
                         uint32_t dim);

/* What a head reads: the part feature (head A), the full feature (head B), or both pooled
 * features concatenated, part first (a full-stage head that also sees the part feature). */
typedef enum { MT_HEAD_PART = 0, MT_HEAD_FULL = 1, MT_HEAD_CONCAT = 2 } mt_head_input_t;

/* Feature length of that input for a cache (0 on a bad argument). */
uint32_t mt_head_input_dim(const mt_features_t *cache, mt_head_input_t input);

/* Cached sample i's input for a head of that kind, decoded into row[mt_head_input_dim] (and its
 * label, may be NULL). i must be below cache->n_samples. */
void mt_head_input_row(const mt_features_t *cache, uint32_t i, mt_head_input_t input, float *row,
                       uint16_t *label);

/* How the head's inputs are normalised before the linear map (stored in the head).
 * AUTO (default): CENTER, or STANDARDIZE when the features' mean variance is below
 *   MT_HEAD_AUTO_VAR_RATIO x the L2 weight 1/(C n): there the penalty would hold every weight
 *   near 0 and the head would answer at chance (an untrained extractor's ~1e-8 features).
 * CENTER: subtract the per-feature mean. The bias is not penalised, so the optimum is the one
 *   of the raw features (same predictions), only better conditioned.
 * STANDARDIZE: mean and 1/std per feature; changes the objective (the penalty then acts on the
 *   standardised weights).
 * NONE: raw features, as the paper's scikit-learn reference sees them. */
typedef enum {
    MT_SCALE_AUTO = 0,
    MT_SCALE_CENTER = 1,
    MT_SCALE_STANDARDIZE = 2,
    MT_SCALE_NONE = 3
} mt_scale_t;
#define MT_HEAD_AUTO_VAR_RATIO 1e-2f

#define MT_TRAIN_DEFAULT_MAX_ITER 200u
#define MT_TRAIN_DEFAULT_HISTORY 3u
#define MT_TRAIN_DEFAULT_TOL 1e-3f /* chosen on CIFAR-10 train splits: docs/personalization.md */

/* Training options; mt_train_opts_default fills the documented defaults (docs/personalization.md). */
typedef struct {
    float c;              /* inverse L2 strength, as scikit-learn's C (default 1) */
    uint16_t max_iter;    /* L-BFGS iteration budget (default 200) */
    uint8_t history;      /* L-BFGS memory m, 1..MT_LBFGS_MAX_HISTORY (default 3) */
    uint8_t scaling;      /* mt_scale_t (default MT_SCALE_AUTO) */
    uint8_t warm_start;   /* start from the head's current weights; new classes start at 0 */
    float tol;            /* converged when max |gradient| <= tol (default 1e-3) */
} mt_train_opts_t;

void mt_train_opts_default(mt_train_opts_t *opts);

/* Why training stopped. GRADIENT and DECREASE count as converged. */
typedef enum {
    MT_STOP_GRADIENT = 0,    /* max |gradient| <= tol */
    MT_STOP_DECREASE = 1,    /* relative decrease of the objective below 1e-9 (scipy's test) */
    MT_STOP_LINE_SEARCH = 2, /* no step decreases the objective at float precision */
    MT_STOP_MAX_ITER = 3     /* the iteration budget ran out */
} mt_train_stop_t;

/* A constant name for a stop reason ("gradient", "decrease", "line-search", "max-iter"). */
const char *mt_train_stop_name(mt_train_stop_t stop);

typedef struct {
    uint16_t iterations;       /* L-BFGS iterations done */
    uint32_t evaluations;      /* loss + gradient evaluations (each one pass over the samples) */
    uint32_t samples;          /* samples trained on */
    uint32_t sample_passes;    /* sum over evaluations of the samples visited: the cost unit */
    float loss;                /* final objective: mean cross-entropy + ||W||^2 / (2 C N) */
    float grad_max;            /* final max |gradient| */
    uint8_t stop;              /* mt_train_stop_t */
    uint8_t converged;         /* 1 if stop is GRADIENT or DECREASE */
    uint8_t scaling;           /* the normalisation applied (CENTER, STANDARDIZE or NONE) */
    uint16_t constant_features; /* features constant over the samples (std < 1e-5 |mean|) */
} mt_train_report_t;

/* Scratch bytes of mt_head_train for K classes x D features with L-BFGS memory m: with
 * P = K D + K parameters, (3 + 2m) P + m + 2 D + K floats. */
#define MT_HEAD_TRAIN_SCRATCH_BYTES(n_classes, dim, history) \
    (4u * ((3u + 2u * (size_t)(history)) * ((size_t)(n_classes) * (dim) + (n_classes)) + \
           (history) + 2u * (size_t)(dim) + (n_classes)))

/* Scratch bytes mt_head_train needs for n_classes x dim (0 on a bad argument). */
size_t mt_head_train_scratch_bytes(uint32_t n_classes, uint32_t dim, const mt_train_opts_t *opts);

/* Trains `head` on every cached sample of one stage, for cache->n_classes classes
 * (head->max_classes must be at least that and head->dim the stage's feature length).
 * Deterministic: the same cache and options give the same bits on every target.
 * report may be NULL. */
mt_status_t mt_head_train(mt_head_t *head, const mt_features_t *cache, mt_stage_t stage,
                          const mt_train_opts_t *opts, void *scratch, size_t scratch_bytes,
                          mt_train_report_t *report);

/* The same for any head input (MT_HEAD_CONCAT: head->dim = part_dim + full_dim). */
mt_status_t mt_head_train_input(mt_head_t *head, const mt_features_t *cache,
                                mt_head_input_t input, const mt_train_opts_t *opts,
                                void *scratch, size_t scratch_bytes, mt_train_report_t *report);

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

/* The same for a concatenated input (MT_HEAD_CONCAT): the part feature q0 then the full q1. */
mt_status_t mt_head_logits_s8_concat(const mt_head_t *head, const int8_t *q0, uint32_t len0,
                                     float scale0, int32_t zp0, const int8_t *q1, uint32_t len1,
                                     float scale1, int32_t zp1, float *logits);

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
