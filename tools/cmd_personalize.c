/* microt personalize MODEL --train DIR|IDX -o HEAD: the device's personalization on the host,
 * through the same library calls: one extractor pass per sample into the feature cache, two
 * L-BFGS heads, cross-validated tau for the ratio, and a two-slot head store (a file). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dataset.h"
#include "head_file.h"
#include "image_io.h"
#include "microt/exec.h"
#include "microt/features.h"
#include "microt/head.h"
#include "microt/stage.h"
#include "microt/store.h"
#include "model_file.h"

static const char USAGE[] =
    "usage: microt personalize MODEL --train DIR|IDX -o HEAD [options]\n"
    "Trains the two heads of a task on labelled samples and saves them into HEAD, a file\n"
    "that emulates the device's two flash slots (the previous head stays loadable until the\n"
    "new one is completely written). Other tasks already in HEAD for this model are kept.\n"
    "  --train DIR|IDX  a folder with one sub-folder of images per class (PNG/JPEG/BMP/PPM...,\n"
    "                   any size: resized to the model input, alpha composited on white),\n"
    "                   or an IDX image file (.gz or plain) with its labels file\n"
    "  --labels FILE    IDX labels (default: the images path with images-idx3 -> labels-idx1)\n"
    "  --names A,B,...  class names for IDX labels 0, 1, ... (default the numbers)\n"
    "  -o HEAD          head file to write\n"
    "  --ratio R        share of queries to answer at the part stage, 0..1 (default 0.5)\n"
    "  --shots K        K samples per class, picked by a seeded shuffle (default: all)\n"
    "  --seed S         seed of the shot choice and of the calibration folds (default 1)\n"
    "  --task NAME      task name, at most 15 characters (default \"default\")\n"
    "  --standardize    fit per-feature mean/std before training the heads\n"
    "  --quiet          no progress lines on stderr\n"
    "  --max-pixels N   refuse images of more than N pixels before decoding (default 40000000)\n"
    "  --strict         a file in a class folder not named like an image (.png .jpg .jpeg .bmp\n"
    "                   .pgm .ppm ...) is an error (default: skipped, counted in a note)\n"
    "At least 2 classes, each with samples; class names (folder names cut to 15 characters,\n"
    "or --names) must be distinct.\n";

/* Share of cached samples that head predicts right. */
static double train_accuracy(const mt_head_t *head, const mt_features_t *cache, mt_stage_t stage,
                             float *x) {
    uint32_t right = 0;
    for (uint32_t i = 0; i < cache->n_samples; i++) {
        uint16_t label, pred;
        float conf;
        mt_features_get(cache, i, stage, x, &label);
        if (mt_head_predict_f32(head, x, head->dim, MT_CONF_MAX_PROB, &pred, &conf) == MT_OK &&
            pred == label) {
            right++;
        }
    }
    return cache->n_samples ? (double)right / cache->n_samples : 0.0;
}

typedef struct {
    const char *model_path, *train, *labels, *names, *out, *task;
    float ratio;
    uint32_t shots, seed;
    int standardize, quiet;
    mt_dataset_opts_t data; /* --max-pixels, --strict; for training */
} args_t;

enum { OPT_TRAIN, OPT_LABELS, OPT_NAMES, OPT_OUT, OPT_RATIO, OPT_SHOTS, OPT_SEED, OPT_TASK,
       OPT_STANDARDIZE, OPT_QUIET, OPT_MAX_PIXELS, OPT_STRICT };
static const mt_cli_option_t OPTIONS[] = {
    {"train", 0, MT_OPT_VALUE | MT_OPT_REQUIRED, "DIR|IDX"},
    {"labels", 0, MT_OPT_VALUE, "FILE"},
    {"names", 0, MT_OPT_VALUE, "A,B,..."},
    {"output", 'o', MT_OPT_VALUE | MT_OPT_REQUIRED, "HEAD"},
    {"ratio", 0, MT_OPT_VALUE, "R"},
    {"shots", 0, MT_OPT_VALUE, "K"},
    {"seed", 0, MT_OPT_VALUE, "S"},
    {"task", 0, MT_OPT_VALUE, "NAME"},
    {"standardize", 0, 0, NULL},
    {"quiet", 0, 0, NULL},
    {"max-pixels", 0, MT_OPT_VALUE, "N"},
    {"strict", 0, 0, NULL},
    {NULL, 0, 0, NULL},
};
static const mt_cli_spec_t SPEC = {"personalize", "MODEL", USAGE, OPTIONS};

/* Returns -1 to go on, else the exit code (after --help, or a usage error on stderr). */
static int parse_args(int argc, char **argv, args_t *a) {
    memset(a, 0, sizeof *a);
    a->ratio = 0.5f;
    a->seed = 1;
    a->task = "default";
    mt_dataset_opts_default(&a->data);
    a->data.for_training = 1;
    mt_cli_args_t args;
    int rc;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &rc)) {
        mt_cli_args_free(&args);
        return rc;
    }
    a->model_path = args.pos[0];
    a->train = args.value[OPT_TRAIN];
    a->labels = args.value[OPT_LABELS];
    a->names = args.value[OPT_NAMES];
    a->out = args.value[OPT_OUT];
    if (mt_cli_has(&args, OPT_TASK)) a->task = args.value[OPT_TASK];
    a->standardize = mt_cli_has(&args, OPT_STANDARDIZE);
    a->quiet = mt_cli_has(&args, OPT_QUIET);
    a->data.strict = mt_cli_has(&args, OPT_STRICT);
    double ratio = a->ratio;
    rc = -1;
    if ((mt_cli_has(&args, OPT_RATIO) &&
         mt_cli_double(&SPEC, OPT_RATIO, args.value[OPT_RATIO], 0.0, 1.0, &ratio) != 0) ||
        (mt_cli_has(&args, OPT_SHOTS) &&
         mt_cli_u32(&SPEC, OPT_SHOTS, args.value[OPT_SHOTS], 1, UINT32_MAX, &a->shots) != 0) ||
        (mt_cli_has(&args, OPT_SEED) &&
         mt_cli_u32(&SPEC, OPT_SEED, args.value[OPT_SEED], 0, UINT32_MAX, &a->seed) != 0) ||
        (mt_cli_has(&args, OPT_MAX_PIXELS) &&
         mt_cli_u64(&SPEC, OPT_MAX_PIXELS, args.value[OPT_MAX_PIXELS], 1, MT_IMAGE_MAX_MAX_PIXELS,
                    &a->data.max_pixels) != 0)) {
        rc = MT_EXIT_USAGE;
    } else if (strlen(a->task) >= MT_NAME_BYTES) {
        rc = mt_cli_usage_error(&SPEC, "--task '%s': at most %u characters", a->task,
                                MT_NAME_BYTES - 1u);
    }
    a->ratio = (float)ratio;
    mt_cli_args_free(&args); /* the values point into argv, which outlives it */
    return rc;
}

int mt_cmd_personalize(int argc, char **argv) {
    args_t a;
    int pr = parse_args(argc, argv, &a);
    if (pr >= 0) return pr;
    char err[1024];
    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, a.model_path);
    if (st != MT_OK) return mt_cli_model_error(a.model_path, st);
    const mt_model_t *m = &mf.model;

    /* Tasks already in the head file for this model are kept; fail early on a file that
     * is not a head file rather than after the extraction. */
    mt_task_t tasks[MT_STORE_MAX_TASKS];
    uint32_t n_tasks = 0, old_seq = 0;
    void *old_blob = NULL;
    if (access(a.out, F_OK) == 0) { /* opening is left to the head file's checks (no FIFO) */
        st = mt_head_file_load(a.out, m, tasks, MT_STORE_MAX_TASKS, &n_tasks, &old_blob,
                               &old_seq, err, sizeof err);
        if (st == -1) {
            fprintf(stderr, "microt: %s: not overwritten\n", err);
            mt_model_file_free(&mf);
            return MT_EXIT_FAILURE;
        }
        if (st != MT_OK && st != MT_E_STORE_EMPTY) {
            fprintf(stderr, "microt: note: %s: its heads are replaced (%s)\n", a.out,
                    mt_strerror(st));
        }
        if (st != MT_OK) n_tasks = 0;
    }

    mt_dataset_t ds;
    if (mt_dataset_open_opts(&ds, a.train, a.labels, a.names, &a.data, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s\n", err);
        free(old_blob);
        mt_model_file_free(&mf);
        return MT_EXIT_FAILURE;
    }
    uint32_t dp = mt_model_feature_len(m, MT_STAGE_PART), df = mt_model_feature_len(m, MT_STAGE_FULL);
    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    size_t in_bytes = (size_t)in.h * in.w * in.c;
    size_t arena_bytes = mt_model_arena_bytes(m);

    uint32_t *idx = malloc(((size_t)ds.n + 1) * sizeof *idx);
    uint32_t n = idx ? mt_dataset_select_shots(&ds, a.shots, a.seed, idx) : 0;
    size_t cache_bytes = mt_features_bytes(n, dp, df, MT_FEATURES_S8);
    uint8_t *pixels = malloc(in_bytes);
    void *arena = malloc(arena_bytes);
    void *cache_buf = malloc(cache_bytes ? cache_bytes : 4);
    float *x = malloc(((dp > df ? dp : df) + 1) * sizeof *x);
    void *head_buf[2] = {NULL, NULL}, *scratch = NULL;
    int rc = MT_EXIT_FAILURE;
    mt_exec_t exec;
    mt_features_t cache;
    if (!idx || n == 0 || !pixels || !arena || !cache_buf || !x ||
        mt_exec_init(&exec, m, arena, arena_bytes) != MT_OK ||
        mt_features_init(&cache, cache_buf, cache_bytes, n, dp, df, MT_FEATURES_S8) != MT_OK) {
        fprintf(stderr, "microt: %s: out of memory or no samples\n", a.train);
        goto done;
    }

    /* 1. One extractor pass per sample into the cache. */
    mt_progress_t prog;
    mt_progress_start(&prog, "extracting features", a.quiet);
    for (uint32_t j = 0; j < n; j++) {
        if (mt_dataset_image(&ds, idx[j], in.h, in.w, m->channel_order, pixels, err,
                             sizeof err) != 0) {
            fprintf(stderr, "microt: %s\n", err);
            goto done;
        }
        char name[32];
        if ((st = mt_exec_set_input_u8(&exec, pixels, in_bytes)) != MT_OK ||
            (st = mt_exec_run_full(&exec)) != MT_OK ||
            (st = mt_features_add_exec(&cache, ds.labels[idx[j]], &exec)) != MT_OK) {
            fprintf(stderr, "microt: %s: %s\n",
                    mt_dataset_sample_name(&ds, idx[j], name, sizeof name), mt_strerror(st));
            goto done;
        }
        mt_progress_tick(&prog, j + 1, n);
    }
    uint16_t k = cache.n_classes;
    uint32_t counts[MT_FEATURES_MAX_CLASSES];
    mt_features_count(&cache, counts, MT_FEATURES_MAX_CLASSES);
    for (uint16_t c = 0; c < k; c++) {
        if (counts[c] == 0) {
            fprintf(stderr, "microt: note: %s: class %s has no samples\n", a.train,
                    ds.class_names[c]);
        }
    }

    /* 2. Both heads, and 3. tau from cross-validated part-head confidences. */
    mt_train_opts_t to;
    mt_train_opts_default(&to);
    to.standardize = (uint8_t)a.standardize;
    mt_calib_opts_t co;
    mt_calib_opts_default(&co);
    co.train = to;
    co.seed = a.seed;
    if (n < co.folds) co.folds = (uint8_t)(n < 2 ? 2 : n);
    if (n < 2 && a.ratio > 0.0f && a.ratio < 1.0f) {
        fprintf(stderr, "microt: %s: calibrating a ratio needs at least 2 samples\n", a.train);
        goto done;
    }
    size_t scratch_bytes = mt_head_train_scratch_bytes(k, dp, &to);
    size_t sb = mt_head_train_scratch_bytes(k, df, &to);
    if (sb > scratch_bytes) scratch_bytes = sb;
    size_t calib_bytes = n >= 2 ? mt_stage_calibrate_scratch_bytes(&cache, &co) : 0;
    if (calib_bytes > scratch_bytes) scratch_bytes = calib_bytes;
    size_t head_bytes[2] = {mt_head_bytes(k, dp), mt_head_bytes(k, df)};
    mt_task_t task;
    memset(&task, 0, sizeof task);
    scratch = malloc(scratch_bytes);
    head_buf[0] = malloc(head_bytes[0]);
    head_buf[1] = malloc(head_bytes[1]);
    if (!scratch || !head_buf[0] || !head_buf[1]) {
        fprintf(stderr, "microt: out of memory\n");
        goto done;
    }
    mt_train_report_t rep[2];
    double acc[2];
    double t0 = mt_progress_now_s();
    for (int s = 0; s < 2; s++) {
        mt_head_init(&task.head[s], head_buf[s], head_bytes[s], k, s == 0 ? dp : df);
        st = mt_head_train(&task.head[s], &cache, (mt_stage_t)s, &to, scratch, scratch_bytes,
                           &rep[s]);
        if (st != MT_OK) {
            fprintf(stderr, "microt: training head %c: %s\n", s == 0 ? 'A' : 'B', mt_strerror(st));
            goto done;
        }
        acc[s] = train_accuracy(&task.head[s], &cache, (mt_stage_t)s, x);
    }
    double t_train = mt_progress_now_s() - t0;
    t0 = mt_progress_now_s();
    if (a.ratio <= 0.0f) {
        task.tau = MT_TAU_NEVER;
    } else if (a.ratio >= 1.0f) {
        task.tau = MT_TAU_ALWAYS;
    } else if ((st = mt_stage_calibrate(&cache, a.ratio, &co, scratch, scratch_bytes,
                                        &task.tau)) != MT_OK) {
        fprintf(stderr, "microt: calibrating tau: %s\n", mt_strerror(st));
        goto done;
    }
    double t_calib = mt_progress_now_s() - t0;
    snprintf(task.name, sizeof task.name, "%s", a.task);
    task.ratio = a.ratio;
    task.confidence = MT_CONF_MAX_PROB;
    task.class_names = ds.class_names;

    /* 4. Replace the task of the same name (or add it) and save through the two slots. */
    uint32_t slot = n_tasks;
    for (uint32_t t = 0; t < n_tasks; t++) {
        if (strcmp(tasks[t].name, task.name) == 0) slot = t;
    }
    if (slot == MT_STORE_MAX_TASKS) {
        fprintf(stderr, "microt: %s: already holds %u tasks\n", a.out, MT_STORE_MAX_TASKS);
        goto done;
    }
    tasks[slot] = task;
    if (slot == n_tasks) n_tasks++;
    uint32_t seq = 0;
    if (mt_head_file_save(a.out, tasks, n_tasks, m, &seq, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s\n", err);
        goto done;
    }

    uint64_t part_macs, rest_macs;
    mt_stage_macs(m, &part_macs, &rest_macs);
    uint32_t min_c = n, max_c = 0;
    for (uint16_t c = 0; c < k; c++) {
        if (counts[c] < min_c) min_c = counts[c];
        if (counts[c] > max_c) max_c = counts[c];
    }
    printf("model %s (fingerprint %016llx)\n", a.model_path, (unsigned long long)m->fingerprint);
    printf("classes %u:", k);
    for (uint16_t c = 0; c < k; c++) printf(" %s", ds.class_names[c]);
    printf("\nsamples %u (%u..%u per class) of %u in %s\n", n, min_c, max_c, ds.n, a.train);
    printf("features part %u, full %u (s8 cache)\n", dp, df);
    for (int s = 0; s < 2; s++) {
        printf("train accuracy %s %.2f %% (head %c, %u L-BFGS iterations, loss %.4f)\n",
               s == 0 ? "part" : "full", 100.0 * acc[s], s == 0 ? 'A' : 'B', rep[s].iterations,
               (double)rep[s].loss);
    }
    printf("tau %.6f for ratio %.2f (%u-fold cross-validated part-head confidences)\n",
           (double)task.tau, (double)a.ratio, co.folds);
    printf("time extract %.1f s, train %.2f s, calibrate %.2f s\n",
           prog.last_s - prog.start_s, t_train, t_calib);
    size_t heads_total = head_bytes[0] + head_bytes[1];
    printf("sram cache %zu + heads %zu + scratch %zu + arena %zu = %zu bytes\n", cache_bytes,
           heads_total, scratch_bytes, arena_bytes,
           cache_bytes + heads_total + scratch_bytes + arena_bytes);
    printf("saved %s: task %s, sequence %u, %u task%s in the file\n", a.out, task.name, seq,
           n_tasks, n_tasks == 1 ? "" : "s");
    rc = MT_EXIT_OK;
done:
    free(scratch);
    free(head_buf[0]);
    free(head_buf[1]);
    free(x);
    free(cache_buf);
    free(arena);
    free(pixels);
    free(idx);
    free(old_blob);
    mt_dataset_free(&ds);
    mt_model_file_free(&mf);
    return rc;
}
