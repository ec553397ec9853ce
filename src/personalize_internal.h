/* Private to the library: what calibration and the learner need from head training (a subset
 * of the cache, a warm start from another head, a fixed normalisation) without widening the
 * public API. */
#ifndef MICROT_PERSONALIZE_INTERNAL_H
#define MICROT_PERSONALIZE_INTERNAL_H

#include "microt/head.h"

/* Extra controls of a training run; NULL means none of them. */
typedef struct {
    const mt_head_t *init;      /* start from these weights (NULL: zeros, or opts->warm_start) */
    const uint8_t *fold;        /* train on the samples i with fold[i] != skip_fold (NULL: all) */
    uint8_t skip_fold;
    uint8_t keep_normalization; /* keep init's (or head's) mean/inv_std instead of refitting */
} mt_fit_ctl_t;

mt_status_t mt_head_fit(mt_head_t *head, const mt_features_t *cache, mt_head_input_t input,
                        const mt_train_opts_t *opts, const mt_fit_ctl_t *ctl, void *scratch,
                        size_t scratch_bytes, mt_train_report_t *report);

/* mt_head_input_row, then (row[d] - mean[d]) * inv_std[d], in one pass over the cache's bytes
 * (the same float operations in the same order, so the same bits). */
void mt_head_input_row_normalized(const mt_features_t *cache, uint32_t i, mt_head_input_t input,
                                  const float *mean, const float *inv_std, float *row,
                                  uint16_t *label);

/* Sample i's feature of one stage decoded and normalised, as above (src/features.c). */
void mt_features_get_normalized(const mt_features_t *cache, uint32_t i, mt_stage_t stage,
                                const float *mean, const float *inv_std, float *out,
                                uint16_t *label);

/* Marsaglia's xorshift32: the library's one random source (reservoir replacement, calibration
 * folds); a seeded state, so every platform draws the same sequence. */
static inline uint32_t mt_xorshift32(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

#endif
