/* The learner: on-device personalization as one object in one caller buffer
 * (docs/personalization.md section 5). Firmware does
 *     mt_learner_init(&l, &model, &cfg, mem, sizeof mem);     (mt_learner_bytes says how much)
 *     mt_learner_add_image(&l, label, pixels, len);           (each labelled sample, once)
 *     mt_learner_fit(&l, &report);                            (heads A and B, then tau)
 *     mt_learner_save(&l, &heads_flash, &cache_flash);        (both power-cut safe)
 *     mt_learner_infer(&l, pixels, len, &answer);             (stage decision)
 * The buffer holds the two heads, the class names, the int8 feature cache and one work region
 * that is the extractor's arena while samples are added or answered, and the training and
 * calibration scratch during a fit. Its size is fixed by the configuration, whatever the number
 * of samples: each class keeps at most per_class of them (reservoir sampling beyond, see
 * mt_features_set_reservoir). No heap, no globals; every failure is a status code. */
#ifndef MICROT_LEARNER_H
#define MICROT_LEARNER_H

#include <stddef.h>
#include <stdint.h>

#include "microt/exec.h"
#include "microt/features.h"
#include "microt/head.h"
#include "microt/stage.h"
#include "microt/status.h"
#include "microt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MT_LEARNER_DEFAULT_BUDGET 262144u /* 256 KiB, the arena included */
#define MT_LEARNER_DEFAULT_MAX_CLASSES 10u

typedef struct {
    char name[MT_NAME_BYTES];  /* task name (default "default") */
    uint16_t max_classes;      /* classes it can learn, 2..MT_FEATURES_MAX_CLASSES (default 10) */
    uint16_t per_class;        /* samples kept per class; 0 (default): as many as budget_bytes allows */
    uint32_t budget_bytes;     /* the ceiling per_class = 0 is derived from (default 256 KiB) */
    float ratio;               /* share of queries to answer at the part stage, 0..1 (default 0.5) */
    uint8_t confidence;        /* mt_confidence_t (default MT_CONF_MAX_PROB) */
    uint8_t full_concat;       /* 1 (default): head B reads part (+) full features; 0: full */
    uint8_t full_only;         /* 1: train head B only, ratio 0 (a full-model, TTL-style device) */
    uint8_t folds;             /* calibration folds (default 5) */
    uint16_t fold_max_iter;    /* iterations of each warm-started fold head (default 5; 0: cold
                                  folds from zero, trained to convergence) */
    uint32_t seed;             /* reservoir sampling and calibration folds (default 1) */
    mt_train_opts_t train;     /* head training (mt_train_opts_default) */
} mt_learner_config_t;

void mt_learner_config_default(mt_learner_config_t *cfg);

/* Where the learner's bytes go, for a model and a configuration (per_class resolved). */
typedef struct {
    uint16_t per_class;   /* resolved */
    uint32_t max_samples; /* max_classes x per_class: the cache's capacity */
    size_t heads;         /* both heads, max_classes rows each */
    size_t names;         /* class names, 16 B each */
    size_t cache;         /* mt_features_bytes(max_samples, ...) (int8) */
    size_t arena;         /* mt_model_arena_bytes for the build's kernels */
    size_t train_scratch; /* the larger head's training scratch */
    size_t calib_scratch; /* calibration scratch at max_samples */
    size_t work;          /* max(arena, train_scratch, calib_scratch): one region, reused */
    size_t total;         /* heads + names + cache + work: what mt_learner_init needs */
} mt_learner_sizes_t;

/* Sizes for this model and configuration. per_class = 0 takes the largest count whose total
 * fits budget_bytes (MT_E_SCRATCH_TOO_SMALL if not even one sample per class fits). */
mt_status_t mt_learner_sizes(const mt_model_t *model, const mt_learner_config_t *cfg,
                             mt_learner_sizes_t *sizes);

/* mt_learner_sizes(...).total, or 0 on a bad argument. */
size_t mt_learner_bytes(const mt_model_t *model, const mt_learner_config_t *cfg);

/* The same at compile time, for a static buffer: arena = the model's arena bytes (its model
 * card, or mt_model_arena_bytes), K = max_classes, n = K x per_class, dims of the part and full
 * features, m = L-BFGS history, concat = full_concat. Equal to mt_learner_bytes. */
#define MT_LEARNER_MAX_(a, b) ((a) > (b) ? (a) : (b))
#define MT_LEARNER_HEAD_B_DIM_(dp, df, concat) ((concat) ? (dp) + (df) : (df))
#define MT_LEARNER_BYTES(arena, K, per_class, dp, df, m, concat)                                  \
    (MT_HEAD_BYTES(K, dp) + MT_HEAD_BYTES(K, MT_LEARNER_HEAD_B_DIM_(dp, df, concat)) +            \
     (size_t)(K) * MT_NAME_BYTES +                                                                \
     MT_FEATURES_BYTES((size_t)(K) * (per_class), dp, df, MT_FEATURES_S8) +                       \
     MT_LEARNER_MAX_(MT_LEARNER_MAX_((size_t)(arena),                                             \
                                     MT_HEAD_TRAIN_SCRATCH_BYTES(K, MT_LEARNER_HEAD_B_DIM_(dp, df, concat), m)), \
                     MT_LEARNER_MAX_(MT_HEAD_TRAIN_SCRATCH_BYTES(K, dp, m),                       \
                                     MT_CALIBRATE_SCRATCH_BYTES((size_t)(K) * (per_class), K, dp, m))))

/* What a fit did and cost. */
typedef struct {
    mt_train_report_t head[2]; /* head A (zero if full_only), head B */
    mt_calib_report_t calib;   /* zero if tau needed no calibration (r = 0 or 1, full_only) */
    float tau;
    uint16_t classes;          /* classes trained */
    uint32_t samples;          /* samples in the cache (trained on) */
    uint32_t offered;          /* samples ever added (kept or not) */
    uint8_t warm;              /* 1 if the heads started from the previous fit */
} mt_learner_report_t;

typedef struct {
    const mt_model_t *model;
    mt_learner_config_t cfg;   /* per_class resolved */
    mt_learner_sizes_t sizes;
    mt_features_t cache;
    mt_task_t task;            /* heads, names, ratio, tau: valid once fitted */
    char (*names)[MT_NAME_BYTES];
    uint8_t *work;
    mt_exec_t exec;            /* bound to the work region */
    uint8_t fitted;            /* the heads were trained on (or loaded for) the cache's classes */
} mt_learner_t;

/* Binds a learner to mem[mem_bytes] (4-aligned, at least mt_learner_bytes): empty cache,
 * untrained heads, class names "0", "1", ... MT_E_ARG for a bad configuration (max_classes,
 * ratio, folds, train options), MT_E_SCRATCH_TOO_SMALL for a short buffer. */
mt_status_t mt_learner_init(mt_learner_t *l, const mt_model_t *model,
                            const mt_learner_config_t *cfg, void *mem, size_t mem_bytes);

/* Names class `label` (at most 15 characters; MT_E_ARG otherwise). */
mt_status_t mt_learner_set_class_name(mt_learner_t *l, uint16_t label, const char *name);

/* Runs the extractor on one labelled image (raw pixels as mt_exec_set_input_u8 takes them)
 * and adds both pooled features to the cache. *kept (may be NULL) says whether the reservoir
 * kept it. MT_E_ARG for a label >= max_classes. */
mt_status_t mt_learner_add_image(mt_learner_t *l, uint16_t label, const uint8_t *pixels,
                                 size_t len, int *kept);

/* The same from features computed elsewhere (part[part_dim], full[full_dim], float). */
mt_status_t mt_learner_add_features(mt_learner_t *l, uint16_t label, const float *part,
                                    const float *full, int *kept);

/* Trains head A and head B on the cache (warm-started from the previous fit when there is
 * one) and calibrates tau for the ratio. MT_E_STATE with no samples, MT_E_CLASSES unless every
 * class below the largest label has samples and there are at least two. report may be NULL. */
mt_status_t mt_learner_fit(mt_learner_t *l, mt_learner_report_t *report);

/* The trained task (heads, tau, names) for mt_stage_infer_tasks or mt_store_save; NULL before
 * a fit. */
const mt_task_t *mt_learner_task(const mt_learner_t *l);

/* Stage-decision inference on one image with the trained task. MT_E_STATE before a fit. */
mt_status_t mt_learner_infer(mt_learner_t *l, const uint8_t *pixels, size_t len,
                             mt_answer_t *answer);

/* Writes the feature cache into cache_flash (may be NULL: heads only), then the task into
 * heads_flash (a store with this one task), each through its two slots: a cut at any byte
 * leaves the previous record of each loadable. The cache goes first, so a cut in between
 * leaves old heads beside a cache that has every sample (a later fit catches up). The work
 * region is the heads' encoding buffer. MT_E_STATE before a fit. */
mt_status_t mt_learner_save(mt_learner_t *l, const mt_flash_t *heads_flash,
                            const mt_flash_t *cache_flash);

/* Reads the cache back from cache_flash (may be NULL) and the task named like the learner's
 * from heads_flash (may be NULL). Without heads the learner is loaded but not fitted. Errors
 * as mt_store_features_load and mt_store_load; MT_E_STORE_MODEL also for heads whose shape or
 * input (full_concat) differ from this learner's, MT_E_STORE_EMPTY if neither holds a record
 * (or the heads' store has no task of this name). */
mt_status_t mt_learner_load(mt_learner_t *l, const mt_flash_t *heads_flash,
                            const mt_flash_t *cache_flash);

#ifdef __cplusplus
}
#endif
#endif
