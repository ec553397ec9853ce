/* microt personalize: the run's state (tools/cmd_personalize.c) and its report, as text or as
 * one JSON object (tools/personalize_out.c; fields in docs/cli.md). Host only. */
#ifndef MICROT_TOOLS_PERSONALIZE_OUT_H
#define MICROT_TOOLS_PERSONALIZE_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "microt/learner.h"

typedef struct {
    const char *model_path, *train, *add, *labels, *names, *out, *task;
    float ratio, tol;
    uint32_t shots, seed, budget, per_class, max_classes, fold_iters;
    int concat, standardize, no_cache, json, quiet, full_only, fold_iters_set, tol_set;
    mt_dataset_opts_t data; /* --max-pixels, --strict; for training (not --add) */
} mt_personalize_args_t;

typedef struct {
    const mt_personalize_args_t *args;
    const mt_model_t *model;          /* as this build runs it */
    mt_model_t device_model;          /* planned for the Cortex-M kernels: the SRAM figures */
    mt_learner_sizes_t device_sizes;
    mt_learner_config_t cfg;
    mt_learner_t l;
    mt_learner_report_t rep;
    mt_dataset_t ds;
    int ds_open;
    const char *data_path;            /* --train or --add */
    char *cache_path;                 /* HEAD.TASK.cache */
    mt_task_t tasks[MT_STORE_MAX_TASKS]; /* the head file's tasks, this one included */
    uint32_t n_tasks;
    void *old_blob;
    char stored_names[MT_FEATURES_MAX_CLASSES][MT_NAME_BYTES];
    uint16_t stored_classes, stored_per_class, total_classes, new_classes;
    uint16_t label_of[MT_DATASET_MAX_CLASSES];
    uint32_t n_selected, n_kept, offered_before;
    double train_acc[2], t_extract, t_fit;
    uint32_t head_seq, cache_seq;
} mt_personalize_run_t;

/* The whole command after parsing: returns the exit code, err holds the message on failure. */
int mt_personalize_run(mt_personalize_run_t *r, char *err, size_t err_len);

/* The report on stdout (text, or JSON with --json). */
void mt_personalize_print(const mt_personalize_run_t *r);

#endif
