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
    uint32_t n_samples;     /* samples held */
    uint16_t dim[2];        /* feature length per stage: [MT_STAGE_PART], [MT_STAGE_FULL] */
    uint16_t n_classes;     /* 1 + the largest label added (0 while empty) */
    uint8_t format;         /* mt_features_format_t */
    uint16_t per_class;     /* 0, or the most samples kept per class (reservoir sampling) */
    uint32_t rng;           /* reservoir sampling state (xorshift32, never 0) */
    uint32_t last_slot;     /* where the last add put its sample, MT_FEATURES_DROPPED if not kept */
    uint32_t offered[MT_FEATURES_MAX_CLASSES]; /* samples offered per class, kept or not */
} mt_features_t;

#define MT_FEATURES_DROPPED 0xFFFFFFFFu

/* Bytes of one cached vector of `dim` values (S8: lo and step as f32, then the values padded
 * to 4; F32: the values) and of a whole cache; the macros give them at compile time. */
#define MT_FEATURES_VECTOR_BYTES(dim, format) \
    ((format) == MT_FEATURES_F32 ? 4u * (size_t)(dim) : 8u + (((size_t)(dim) + 3u) & ~(size_t)3u))
#define MT_FEATURES_BYTES(n_samples, part_dim, full_dim, format) \
    ((((size_t)(n_samples) * 2u + 3u) & ~(size_t)3u) + \
     (size_t)(n_samples) * (MT_FEATURES_VECTOR_BYTES(part_dim, format) + \
                            MT_FEATURES_VECTOR_BYTES(full_dim, format)))

/* Bytes a cache of n_samples needs (0 on a bad argument). Layout in the buffer:
 * labels u16[cap] (padded to 4), then per stage the vectors [cap][...]. */
size_t mt_features_bytes(uint32_t n_samples, uint32_t part_dim, uint32_t full_dim,
                         mt_features_format_t format);

/* Binds an empty cache to buf (at least mt_features_bytes(capacity, ...) bytes, 4-aligned). */
mt_status_t mt_features_init(mt_features_t *cache, void *buf, size_t buf_bytes,
                             uint32_t capacity, uint32_t part_dim, uint32_t full_dim,
                             mt_features_format_t format);

/* Bounds the cache per class: each class keeps at most per_class samples; once it has them,
 * its t-th sample replaces a uniformly chosen kept one with probability per_class / t
 * (Vitter's algorithm R, per class, seeded), so the kept samples stay a uniform sample of
 * everything offered whatever the count. Call on an empty cache. capacity should be
 * max classes x per_class: a cache full before a class reaches per_class still refuses. */
mt_status_t mt_features_set_reservoir(mt_features_t *cache, uint32_t per_class, uint32_t seed);

/* Adds one sample from float features part[part_dim] and full[full_dim]; last_slot says
 * where it went (or MT_FEATURES_DROPPED when the reservoir did not keep it).
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

/* Samples offered so far (kept or dropped by the reservoir), all classes. */
uint32_t mt_features_offered(const mt_features_t *cache);

#ifdef __cplusplus
}
#endif
#endif
