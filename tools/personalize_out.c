/* microt personalize's report (personalize_out.h): the same facts as text for people and as
 * one JSON object for scripts (bench/results.py counts the real iterations from it; the field
 * names are documented in docs/cli.md and kept stable). */
#include "personalize_out.h"

#include <stdio.h>
#include <string.h>

#include "json_writer.h"
#include "microt/stage.h"

static const char *scaling_name(uint8_t s) {
    switch (s) {
    case MT_SCALE_CENTER: return "center";
    case MT_SCALE_STANDARDIZE: return "standardize";
    case MT_SCALE_NONE: return "none";
    default: return "auto";
    }
}

static void json_head(mt_json_t *j, const mt_personalize_run_t *r, int s) {
    const mt_train_report_t *h = &r->rep.head[s];
    mt_json_object_begin(j, NULL);
    mt_json_string(j, "head", s == 0 ? "A" : "B");
    mt_json_string(j, "input", s == 0 ? "part" : (r->cfg.full_concat ? "part+full" : "full"));
    mt_json_int(j, "dim", r->l.task.head[s].dim);
    mt_json_bool(j, "trained", !(s == 0 && r->cfg.full_only));
    mt_json_int(j, "iterations", h->iterations);
    mt_json_int(j, "evaluations", h->evaluations);
    mt_json_int(j, "sample_passes", h->sample_passes);
    mt_json_bool(j, "converged", h->converged);
    mt_json_string(j, "stop", mt_train_stop_name((mt_train_stop_t)h->stop));
    mt_json_number(j, "loss", h->loss);
    mt_json_number(j, "grad_max", h->grad_max);
    mt_json_string(j, "scaling", scaling_name(h->scaling));
    mt_json_int(j, "constant_features", h->constant_features);
    mt_json_number(j, "tol", r->cfg.train.tol);
    mt_json_number(j, "train_accuracy", 100.0 * r->train_acc[s]);
    mt_json_object_end(j);
}

static void print_json(const mt_personalize_run_t *r) {
    const mt_learner_t *l = &r->l;
    const mt_learner_sizes_t *z = &r->device_sizes;
    char fp[17];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)r->model->fingerprint);
    uint64_t part_macs = 0, rest_macs = 0;
    mt_stage_macs(r->model, &part_macs, &rest_macs);
    uint32_t counts[MT_FEATURES_MAX_CLASSES];
    mt_features_count(&l->cache, counts, MT_FEATURES_MAX_CLASSES);
    mt_json_t j;
    mt_json_init(&j, stdout);
    mt_json_object_begin(&j, NULL);
    mt_json_string(&j, "command", "personalize");
    mt_json_string(&j, "model", r->args->model_path);
    mt_json_string(&j, "fingerprint", fp);
    mt_json_string(&j, "head_file", r->args->out);
    mt_json_int(&j, "head_sequence", r->head_seq);
    if (r->args->no_cache) {
        mt_json_string(&j, "cache_file", "");
    } else {
        mt_json_string(&j, "cache_file", r->cache_path);
    }
    mt_json_int(&j, "cache_sequence", r->cache_seq);
    mt_json_string(&j, "task", r->cfg.name);
    mt_json_int(&j, "tasks_in_file", r->n_tasks);
    mt_json_string(&j, "mode", r->args->add ? "add" : "train");
    mt_json_array_begin(&j, "classes");
    for (uint16_t c = 0; c < l->cache.n_classes; c++) mt_json_string(&j, NULL, l->names[c]);
    mt_json_array_end(&j);
    mt_json_int(&j, "new_classes", r->new_classes);
    mt_json_object_begin(&j, "samples");
    mt_json_int(&j, "selected", r->n_selected);
    mt_json_int(&j, "offered", mt_features_offered(&l->cache));
    mt_json_int(&j, "kept", l->cache.n_samples);
    mt_json_int(&j, "per_class_limit", l->cfg.per_class);
    mt_json_array_begin(&j, "per_class");
    for (uint16_t c = 0; c < l->cache.n_classes; c++) mt_json_int(&j, NULL, counts[c]);
    mt_json_array_end(&j);
    mt_json_object_end(&j);
    mt_json_object_begin(&j, "features");
    mt_json_int(&j, "part", mt_model_feature_len(r->model, MT_STAGE_PART));
    mt_json_int(&j, "full", mt_model_feature_len(r->model, MT_STAGE_FULL));
    mt_json_string(&j, "cache_format", "s8");
    mt_json_object_end(&j);
    mt_json_bool(&j, "warm_start", r->rep.warm);
    mt_json_array_begin(&j, "heads");
    json_head(&j, r, 0);
    json_head(&j, r, 1);
    mt_json_array_end(&j);
    mt_json_object_begin(&j, "calibration");
    mt_json_number(&j, "ratio", l->task.ratio);
    mt_json_number(&j, "tau", l->task.tau);
    mt_json_int(&j, "folds", r->rep.calib.folds);
    mt_json_int(&j, "fold_max_iter", r->cfg.fold_max_iter);
    mt_json_int(&j, "iterations", r->rep.calib.iterations);
    mt_json_int(&j, "evaluations", r->rep.calib.evaluations);
    mt_json_int(&j, "sample_passes", r->rep.calib.sample_passes);
    mt_json_int(&j, "converged_folds", r->rep.calib.converged_folds);
    mt_json_object_end(&j);
    mt_json_object_begin(&j, "macs");
    mt_json_int(&j, "part", (long long)part_macs);
    mt_json_int(&j, "rest", (long long)rest_macs);
    mt_json_int(&j, "head_a", (long long)l->task.head[0].n_classes * l->task.head[0].dim);
    mt_json_int(&j, "head_b", (long long)l->task.head[1].n_classes * l->task.head[1].dim);
    mt_json_object_end(&j);
    mt_json_object_begin(&j, "sram");
    mt_json_string(&j, "kernels", "cortex-m");
    mt_json_int(&j, "budget", r->cfg.per_class && r->args->per_class ? 0 : r->args->budget);
    mt_json_int(&j, "max_classes", r->cfg.max_classes);
    mt_json_int(&j, "heads", (long long)z->heads);
    mt_json_int(&j, "names", (long long)z->names);
    mt_json_int(&j, "cache", (long long)z->cache);
    mt_json_int(&j, "arena", (long long)z->arena);
    mt_json_int(&j, "train_scratch", (long long)z->train_scratch);
    mt_json_int(&j, "calib_scratch", (long long)z->calib_scratch);
    mt_json_int(&j, "work", (long long)z->work);
    mt_json_int(&j, "total", (long long)z->total);
    mt_json_object_end(&j);
    mt_json_object_begin(&j, "time_s");
    mt_json_number(&j, "extract", r->t_extract);
    mt_json_number(&j, "fit", r->t_fit);
    mt_json_object_end(&j);
    mt_json_object_end(&j);
    mt_json_finish(&j);
}

static void print_text(const mt_personalize_run_t *r) {
    const mt_learner_t *l = &r->l;
    const mt_learner_sizes_t *z = &r->device_sizes;
    uint32_t counts[MT_FEATURES_MAX_CLASSES];
    mt_features_count(&l->cache, counts, MT_FEATURES_MAX_CLASSES);
    uint32_t min_c = 0xFFFFFFFFu, max_c = 0;
    for (uint16_t c = 0; c < l->cache.n_classes; c++) {
        min_c = counts[c] < min_c ? counts[c] : min_c;
        max_c = counts[c] > max_c ? counts[c] : max_c;
    }
    printf("model %s (fingerprint %016llx)\n", r->args->model_path,
           (unsigned long long)r->model->fingerprint);
    printf("classes %u:", (unsigned)l->cache.n_classes);
    for (uint16_t c = 0; c < l->cache.n_classes; c++) printf(" %s", l->names[c]);
    printf("\n");
    if (r->args->add) {
        printf("added %u samples (%u new classes) from %s to the %u cached before\n",
               (unsigned)r->n_selected, (unsigned)r->new_classes, r->data_path,
               (unsigned)r->offered_before);
    }
    printf("samples %u (%u..%u per class) of %u in %s\n", (unsigned)l->cache.n_samples,
           (unsigned)min_c, (unsigned)max_c, (unsigned)r->ds.n, r->data_path);
    uint32_t offered = mt_features_offered(&l->cache);
    if (offered > l->cache.n_samples) {
        printf("cache keeps at most %u per class: %u of %u samples given (reservoir, seed %u)\n",
               (unsigned)l->cfg.per_class, (unsigned)l->cache.n_samples, (unsigned)offered,
               (unsigned)r->cfg.seed);
    }
    printf("features part %u, full %u (s8 cache)\n",
           (unsigned)mt_model_feature_len(r->model, MT_STAGE_PART),
           (unsigned)mt_model_feature_len(r->model, MT_STAGE_FULL));
    for (int s = 0; s < 2; s++) {
        const mt_train_report_t *h = &r->rep.head[s];
        if (s == 0 && r->cfg.full_only) continue;
        printf("train accuracy %s %.2f %% (head %c, %u L-BFGS iterations, %s, loss %.4f)\n",
               s == 0 ? "part" : (r->cfg.full_concat ? "full+part" : "full"),
               100.0 * r->train_acc[s], 'A' + s, (unsigned)h->iterations,
               h->converged ? "converged" : mt_train_stop_name((mt_train_stop_t)h->stop),
               (double)h->loss);
    }
    printf("training %s start, %u + %u evaluations, inputs %s / %s\n",
           r->rep.warm ? "warm" : "cold", (unsigned)r->rep.head[0].evaluations,
           (unsigned)r->rep.head[1].evaluations, scaling_name(r->rep.head[0].scaling),
           scaling_name(r->rep.head[1].scaling));
    if (r->rep.calib.folds > 0) {
        printf("tau %.6f for ratio %.2f (%u-fold part-head confidences, folds warm-started: %u "
               "iterations, %u sample passes)\n", (double)l->task.tau, (double)l->task.ratio,
               (unsigned)r->rep.calib.folds, (unsigned)r->rep.calib.iterations,
               (unsigned)r->rep.calib.sample_passes);
    } else {
        printf("tau %.6f for ratio %.2f (no calibration needed)\n", (double)l->task.tau,
               (double)l->task.ratio);
    }
    printf("time extract %.1f s, fit %.2f s\n", r->t_extract, r->t_fit);
    printf("sram heads %zu + names %zu + cache %zu + work %zu (max of arena %zu, training %zu, "
           "calibration %zu) = %zu bytes on Cortex-M (%u classes x %u samples)\n", z->heads,
           z->names, z->cache, z->work, z->arena, z->train_scratch, z->calib_scratch, z->total,
           (unsigned)r->cfg.max_classes, (unsigned)z->per_class);
    if (!r->args->no_cache) {
        printf("cache %s: sequence %u, %u samples\n", r->cache_path, (unsigned)r->cache_seq,
               (unsigned)l->cache.n_samples);
    }
    printf("saved %s: task %s, sequence %u, %u task%s in the file\n", r->args->out, r->cfg.name,
           (unsigned)r->head_seq, (unsigned)r->n_tasks, r->n_tasks == 1 ? "" : "s");
}

void mt_personalize_print(const mt_personalize_run_t *r) {
    if (r->args->json) {
        print_json(r);
    } else {
        print_text(r);
    }
}
