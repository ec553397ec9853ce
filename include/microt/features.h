/* Feature cache: the pooled part- and full-stage features of the user's labelled samples,
 * kept in one caller buffer so heads can be (re)trained without the images or the extractor.
 * No heap: the caller sizes the buffer with mt_features_bytes() first. */
#ifndef MICROT_FEATURES_H
#define MICROT_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "microt/exec.h"
#include "microt/model.h"
#include "microt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a cached feature vector is stored.
 * MT_FEATURES_S8: int8 with a per-sample affine map, x = lo + step * (q + 128), lo = min(x),
 *   step = (max(x) - min(x)) / 255: 1 byte per value + 8 bytes per vector (the default).
 * MT_FEATURES_F32: the float values as given, 4 bytes per value. */
typedef enum { MT_FEATURES_S8 = 0, MT_FEATURES_F32 = 1 } mt_features_format_t;

#define MT_FEATURES_MAX_CLASSES 64u

typedef struct {
    uint8_t *buf;           /* caller memory, 4-byte aligned */
    uint32_t capacity;      /* samples the buffer was sized for */
    uint32_t n_samples;     /* samples added so far */
    uint16_t dim[2];        /* feature length per stage: [MT_STAGE_PART], [MT_STAGE_FULL] */
    uint16_t n_classes;     /* 1 + the largest label added (0 while empty) */
    uint8_t format;         /* mt_features_format_t */
} mt_features_t;

/* Bytes a cache of n_samples needs (0 on a bad argument). Layout in the buffer:
 * labels u16[cap] (padded to 4), then per stage the vectors [cap][...]. */
size_t mt_features_bytes(uint32_t n_samples, uint32_t part_dim, uint32_t full_dim,
                         mt_features_format_t format);

/* Binds an empty cache to buf (at least mt_features_bytes(capacity, ...) bytes, 4-aligned). */
mt_status_t mt_features_init(mt_features_t *cache, void *buf, size_t buf_bytes,
                             uint32_t capacity, uint32_t part_dim, uint32_t full_dim,
                             mt_features_format_t format);

/* Adds one sample from float features part[part_dim] and full[full_dim].
 * MT_E_CACHE_FULL when full, MT_E_NONFINITE on NaN/Inf (nothing is added then),
 * MT_E_ARG for a label >= MT_FEATURES_MAX_CLASSES. */
mt_status_t mt_features_add(mt_features_t *cache, uint16_t label, const float *part,
                            const float *full);

/* Adds one sample straight from an executor after mt_exec_run_full (both stages' pooled
 * features, read in place from the arena). MT_E_SHAPE if the model's feature lengths differ
 * from the cache's, MT_E_STATE if the full stage has not run. */
mt_status_t mt_features_add_exec(mt_features_t *cache, uint16_t label, const mt_exec_t *exec);

/* Sample i's label and its feature of one stage, decoded into out[dim] (either may be NULL). */
mt_status_t mt_features_get(const mt_features_t *cache, uint32_t i, mt_stage_t stage,
                            float *out, uint16_t *label);

/* Samples with each label: counts[MT_FEATURES_MAX_CLASSES] is filled for labels < n_classes. */
mt_status_t mt_features_count(const mt_features_t *cache, uint32_t *counts, size_t n_counts);

#ifdef __cplusplus
}
#endif
#endif
