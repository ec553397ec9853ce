/* microt personalize MODEL --train DIR|IDX -o HEAD: the device's personalization on the host,
 * through the device's own learner (include/microt/learner.h): one extractor pass per sample
 * into the bounded int8 feature cache, both heads, tau for the ratio, then the heads into the
 * two-slot head file and the cache beside it (HEAD.TASK.cache), so `--add DIR` can later add
 * samples or classes without the earlier images. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dataset.h"
#include "head_file.h"
#include "image_io.h"
#include "microt/learner.h"
#include "model_file.h"
#include "personalize_out.h"

static const char USAGE[] =
    "usage: microt personalize MODEL --train DIR|IDX -o HEAD [options]\n"
    "       microt personalize MODEL --add DIR|IDX -o HEAD [options]\n"
    "Trains the two heads of a task on labelled samples and saves them into HEAD, a file that\n"
    "emulates the device's two flash slots (the previous head stays loadable until the new one\n"
    "is completely written); other tasks in HEAD for this model are kept. The task's int8\n"
    "feature cache is saved beside it as HEAD.TASK.cache (two slots too), so --add can later\n"
    "add samples or whole classes without the earlier images.\n"
    "  --train DIR|IDX  a folder with one sub-folder of images per class (PNG/JPEG/BMP/PPM...,\n"
    "                   any size: resized to the model input, alpha composited on white),\n"
    "                   or an IDX image file (.gz or plain) with its labels file\n"
    "  --add DIR|IDX    add these samples to the task's cache (classes matched by name, new\n"
    "                   names become new classes) and retrain, warm-started\n"
    "  --labels FILE    IDX labels (default: the images path with images-idx3 -> labels-idx1)\n"
    "  --names A,B,...  class names for IDX labels 0, 1, ... (default the numbers)\n"
    "  -o HEAD          head file to write\n"
    "  --ratio R        share of queries to answer at the part stage, 0..1 (default 0.5)\n"
    "  --shots K        K samples per class, picked by a seeded shuffle (default: all)\n"
    "  --seed S         seed of the shot choice, the reservoir and the folds (default 1)\n"
    "  --task NAME      task name, at most 15 of A-Z a-z 0-9 _ . - (default \"default\")\n"
    "  --budget BYTES   SRAM ceiling of the device's personalization, arena included\n"
    "                   (default 262144): sets the samples kept per class\n"
    "  --per-class N    samples kept per class (overrides --budget); beyond it a seeded\n"
    "                   reservoir keeps a uniform sample of everything given\n"
    "  --max-classes N  classes the task can hold, for later --add (default max(10, classes))\n"
    "  --full-head concat|full  head B reads part (+) full features (default) or the full\n"
    "                   feature alone (the default with --full-only)\n"
    "  --full-only      head B only (on the full feature), ratio 0: a full-model device without\n"
    "                   early exit (TTL-style)\n"
    "  --fold-iters N   iterations of each warm-started calibration fold (default 5; 0: cold\n"
    "                   folds trained to convergence)\n"
    "  --tol G          training ends when max |gradient| <= G (default 0.001)\n"
    "  --standardize    standardise every feature (default: centre; standardise only features\n"
    "                   too small to train raw, e.g. an untrained extractor's)\n"
    "  --no-cache       do not write HEAD.TASK.cache\n"
    "  --json           print the report as one JSON object (docs/cli.md)\n"
    "  --quiet          no progress lines on stderr\n"
    "  --max-pixels N   refuse images of more than N pixels before decoding (default 40000000)\n"
    "  --strict         a file in a class folder not named like an image (.png .jpg .jpeg .bmp\n"
    "                   .pgm .ppm ...) is an error (default: skipped, counted in a note)\n"
    "At least 2 classes, each with samples (with --add: in the task); class names (folder\n"
    "names cut to 15 characters, or --names) must be distinct.\n";

enum { OPT_TRAIN, OPT_ADD, OPT_LABELS, OPT_NAMES, OPT_OUT, OPT_RATIO, OPT_SHOTS, OPT_SEED,
       OPT_TASK, OPT_BUDGET, OPT_PER_CLASS, OPT_MAX_CLASSES, OPT_FULL_HEAD, OPT_FULL_ONLY,
       OPT_FOLD_ITERS, OPT_TOL, OPT_STANDARDIZE, OPT_NO_CACHE, OPT_JSON, OPT_QUIET,
       OPT_MAX_PIXELS, OPT_STRICT };
static const mt_cli_option_t OPTIONS[] = {
    {"train", 0, MT_OPT_VALUE, "DIR|IDX"},
    {"add", 0, MT_OPT_VALUE, "DIR|IDX"},
    {"labels", 0, MT_OPT_VALUE, "FILE"},
    {"names", 0, MT_OPT_VALUE, "A,B,..."},
    {"output", 'o', MT_OPT_VALUE | MT_OPT_REQUIRED, "HEAD"},
    {"ratio", 0, MT_OPT_VALUE, "R"},
    {"shots", 0, MT_OPT_VALUE, "K"},
    {"seed", 0, MT_OPT_VALUE, "S"},
    {"task", 0, MT_OPT_VALUE, "NAME"},
    {"budget", 0, MT_OPT_VALUE, "BYTES"},
    {"per-class", 0, MT_OPT_VALUE, "N"},
    {"max-classes", 0, MT_OPT_VALUE, "N"},
    {"full-head", 0, MT_OPT_VALUE, "full|concat"},
    {"full-only", 0, 0, NULL},
    {"fold-iters", 0, MT_OPT_VALUE, "N"},
    {"tol", 0, MT_OPT_VALUE, "G"},
    {"standardize", 0, 0, NULL},
    {"no-cache", 0, 0, NULL},
    {"json", 0, 0, NULL},
    {"quiet", 0, 0, NULL},
    {"max-pixels", 0, MT_OPT_VALUE, "N"},
    {"strict", 0, 0, NULL},
    {NULL, 0, 0, NULL},
};
static const mt_cli_spec_t SPEC = {"personalize", "MODEL", USAGE, OPTIONS};

static int task_name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= MT_NAME_BYTES) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
        if (!ok) return 0;
    }
    return 1;
}

/* Returns -1 to go on, else the exit code (after --help, or a usage error on stderr). */
static int parse_args(int argc, char **argv, mt_personalize_args_t *a) {
    memset(a, 0, sizeof *a);
    a->ratio = 0.5f;
    a->seed = 1;
    a->task = "default";
    a->budget = MT_LEARNER_DEFAULT_BUDGET;
    mt_dataset_opts_default(&a->data);
    mt_cli_args_t args;
    int rc;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &rc)) {
        mt_cli_args_free(&args);
        return rc;
    }
    const char *const *v = args.value;
    a->model_path = args.pos[0];
    a->train = v[OPT_TRAIN];
    a->add = v[OPT_ADD];
    a->labels = v[OPT_LABELS];
    a->names = v[OPT_NAMES];
    a->out = v[OPT_OUT];
    if (v[OPT_TASK]) a->task = v[OPT_TASK];
    a->full_only = mt_cli_has(&args, OPT_FULL_ONLY);
    a->standardize = mt_cli_has(&args, OPT_STANDARDIZE);
    a->no_cache = mt_cli_has(&args, OPT_NO_CACHE);
    a->json = mt_cli_has(&args, OPT_JSON);
    a->quiet = mt_cli_has(&args, OPT_QUIET);
    a->fold_iters_set = mt_cli_has(&args, OPT_FOLD_ITERS);
    a->tol_set = mt_cli_has(&args, OPT_TOL);
    a->data.strict = mt_cli_has(&args, OPT_STRICT);
    /* --add may bring a single (new) class; the learner checks the task's classes */
    a->data.for_training = a->add == NULL;
    static const char *const full_heads[] = {"full", "concat", NULL};
    a->concat = a->full_only ? 0 : 1;
    double ratio = a->ratio;
    rc = -1;
    if ((v[OPT_RATIO] && mt_cli_double(&SPEC, OPT_RATIO, v[OPT_RATIO], 0.0, 1.0, &ratio) != 0) ||
        (v[OPT_SHOTS] && mt_cli_u32(&SPEC, OPT_SHOTS, v[OPT_SHOTS], 1, UINT32_MAX, &a->shots) != 0) ||
        (v[OPT_SEED] && mt_cli_u32(&SPEC, OPT_SEED, v[OPT_SEED], 0, UINT32_MAX, &a->seed) != 0) ||
        (v[OPT_BUDGET] && mt_cli_u32(&SPEC, OPT_BUDGET, v[OPT_BUDGET], 1, UINT32_MAX, &a->budget) != 0) ||
        (v[OPT_PER_CLASS] &&
         mt_cli_u32(&SPEC, OPT_PER_CLASS, v[OPT_PER_CLASS], 1, 0xFFFFu, &a->per_class) != 0) ||
        (v[OPT_MAX_CLASSES] && mt_cli_u32(&SPEC, OPT_MAX_CLASSES, v[OPT_MAX_CLASSES], 2,
                                          MT_FEATURES_MAX_CLASSES, &a->max_classes) != 0) ||
        (v[OPT_FOLD_ITERS] &&
         mt_cli_u32(&SPEC, OPT_FOLD_ITERS, v[OPT_FOLD_ITERS], 0, 0xFFFFu, &a->fold_iters) != 0) ||
        (v[OPT_TOL] && mt_cli_float(&SPEC, OPT_TOL, v[OPT_TOL], 0.0f, 1.0f, &a->tol) != 0) ||
        (v[OPT_MAX_PIXELS] && mt_cli_u64(&SPEC, OPT_MAX_PIXELS, v[OPT_MAX_PIXELS], 1,
                                         MT_IMAGE_MAX_MAX_PIXELS, &a->data.max_pixels) != 0) ||
        (v[OPT_FULL_HEAD] &&
         mt_cli_choice(&SPEC, OPT_FULL_HEAD, v[OPT_FULL_HEAD], full_heads, &a->concat) != 0)) {
        rc = MT_EXIT_USAGE;
    } else if (!a->train && !a->add) {
        rc = mt_cli_usage_error(&SPEC, "missing --train DIR|IDX (or --add DIR|IDX)");
    } else if (a->train && a->add) {
        rc = mt_cli_usage_error(&SPEC, "--train and --add exclude each other");
    } else if (!task_name_ok(a->task)) {
        rc = mt_cli_usage_error(&SPEC, "--task '%s': 1 to %u of A-Z a-z 0-9 _ . -", a->task,
                                MT_NAME_BYTES - 1u);
    } else if (a->add && a->no_cache) {
        rc = mt_cli_usage_error(&SPEC, "--add needs the cache: drop --no-cache");
    }
    a->ratio = (float)ratio;
    mt_cli_args_free(&args); /* the values point into argv, which outlives it */
    return rc;
}

/* HEAD.TASK.cache */
static char *cache_path(const char *head, const char *task) {
    size_t n = strlen(head) + strlen(task) + 8;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s.%s.cache", head, task);
    return p;
}

static int write_cache(const mt_flash_t *flash, void *ctx, uint32_t *seq) {
    const mt_learner_t *l = (const mt_learner_t *)ctx;
    return mt_store_features_save(flash, &l->cache, (const char(*)[MT_NAME_BYTES])l->names,
                                  l->model->fingerprint, seq);
}

int mt_cmd_personalize(int argc, char **argv) {
    mt_personalize_args_t a;
    int pr = parse_args(argc, argv, &a);
    if (pr >= 0) return pr;
    char err[1024];
    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, a.model_path);
    if (st != MT_OK) return mt_cli_model_error(a.model_path, st);
    mt_personalize_run_t run;
    memset(&run, 0, sizeof run);
    run.args = &a;
    run.model = &mf.model;
    int rc = mt_personalize_run(&run, err, sizeof err);
    mt_model_file_free(&mf);
    return rc;
}

/* Tasks already in the head file for this model: kept beside the new one. */
static int load_other_tasks(mt_personalize_run_t *r, char *err, size_t err_len) {
    if (access(r->args->out, F_OK) != 0) return 0; /* opening is left to the head file's checks */
    int st = mt_head_file_load(r->args->out, r->model, r->tasks, MT_STORE_MAX_TASKS, &r->n_tasks,
                               &r->old_blob, NULL, err, err_len);
    if (st == -1) {
        fprintf(stderr, "microt: %s: not overwritten\n", err);
        return -1;
    }
    if (st != MT_OK && st != MT_E_STORE_EMPTY) {
        fprintf(stderr, "microt: note: %s: its heads are replaced (%s)\n", r->args->out,
                mt_strerror(st));
    }
    if (st != MT_OK) r->n_tasks = 0;
    return 0;
}

/* The learner's configuration from the options (and, for --add, the stored cache). */
static int configure(mt_personalize_run_t *r, uint16_t n_classes, char *err, size_t err_len) {
    const mt_personalize_args_t *a = r->args;
    mt_learner_config_t *c = &r->cfg;
    mt_learner_config_default(c);
    snprintf(c->name, sizeof c->name, "%s", a->task);
    uint32_t k = a->max_classes ? a->max_classes : (n_classes > 10 ? n_classes : 10);
    if (k < n_classes) {
        snprintf(err, err_len, "%u classes, but --max-classes %u", (unsigned)n_classes, (unsigned)k);
        return -1;
    }
    c->max_classes = (uint16_t)k;
    c->per_class = (uint16_t)(a->per_class ? a->per_class : r->stored_per_class);
    c->budget_bytes = a->budget;
    c->ratio = a->ratio;
    c->seed = a->seed;
    c->full_concat = (uint8_t)a->concat;
    c->full_only = (uint8_t)a->full_only;
    if (a->fold_iters_set) c->fold_max_iter = (uint16_t)a->fold_iters;
    if (a->standardize) c->train.scaling = MT_SCALE_STANDARDIZE;
    if (a->tol_set) c->train.tol = a->tol;
    /* per_class from the budget on the device's plan (Cortex-M kernels), so the host keeps
     * the samples a device would and reports the device's SRAM. */
    r->device_model = *r->model;
    mt_model_plan_for(&r->device_model, MT_KERNELS_DSP);
    int st = mt_learner_sizes(&r->device_model, c, &r->device_sizes);
    if (st != MT_OK) {
        snprintf(err, err_len, "--budget %u: too small for one sample per class of %u (%s)",
                 (unsigned)a->budget, (unsigned)k, mt_strerror(st));
        return -1;
    }
    c->per_class = r->device_sizes.per_class;
    return 0;
}

/* The class names and per-class limit of the task's stored cache (for --add). */
static int read_stored(mt_personalize_run_t *r, char *err, size_t err_len) {
    mt_head_file_t hf;
    if (mt_head_file_open(&hf, r->cache_path, 0, err, err_len) != 0) return -1;
    mt_store_features_info_t info;
    int st = mt_store_features_info(&hf.flash, &info);
    if (st == MT_OK && info.fingerprint != r->model->fingerprint) st = MT_E_STORE_MODEL;
    void *buf = NULL;
    mt_features_t c;
    if (st == MT_OK) {
        size_t bytes = mt_features_bytes(info.n_samples ? info.n_samples : 1, info.dim[0],
                                         info.dim[1], (mt_features_format_t)info.format);
        buf = malloc(bytes ? bytes : 4);
        st = !buf ? MT_E_ARG
                  : mt_features_init(&c, buf, bytes, info.n_samples ? info.n_samples : 1,
                                     info.dim[0], info.dim[1], (mt_features_format_t)info.format);
    }
    if (st == MT_OK) {
        st = mt_store_features_load(&hf.flash, r->model->fingerprint, &c, r->stored_names,
                                    MT_FEATURES_MAX_CLASSES, NULL);
    }
    mt_head_file_close(&hf);
    free(buf);
    if (st != MT_OK) {
        snprintf(err, err_len, "%s: %s", r->cache_path, mt_strerror(st));
        return -1;
    }
    r->stored_classes = info.n_classes;
    r->stored_per_class = info.per_class;
    return 0;
}

/* Data-set class c -> task label: the same name, or the next free label. */
static int map_classes(mt_personalize_run_t *r, char *err, size_t err_len) {
    uint16_t k = r->stored_classes;
    for (uint16_t c = 0; c < r->ds.n_classes; c++) {
        uint16_t y = k;
        for (uint16_t s = 0; s < r->stored_classes; s++) {
            if (strcmp(r->stored_names[s], r->ds.class_names[c]) == 0) y = s;
        }
        if (y == k) {
            if (k == MT_FEATURES_MAX_CLASSES) {
                snprintf(err, err_len, "more than %u classes", (unsigned)MT_FEATURES_MAX_CLASSES);
                return -1;
            }
            memcpy(r->stored_names[k], r->ds.class_names[c], MT_NAME_BYTES);
            k++;
            r->new_classes++;
        }
        r->label_of[c] = y;
    }
    r->total_classes = k;
    return 0;
}

static int extract(mt_personalize_run_t *r, char *err, size_t err_len) {
    const mt_model_t *m = r->model;
    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    size_t in_bytes = (size_t)in.h * in.w * in.c;
    uint32_t *idx = malloc(((size_t)r->ds.n + 1) * sizeof *idx);
    uint8_t *pixels = malloc(in_bytes);
    int rc = -1;
    if (!idx || !pixels) {
        snprintf(err, err_len, "out of memory");
        goto done;
    }
    r->n_selected = mt_dataset_select_shots(&r->ds, r->args->shots, r->args->seed, idx);
    if (r->n_selected == 0) {
        snprintf(err, err_len, "%s: no samples", r->data_path);
        goto done;
    }
    mt_progress_t prog;
    mt_progress_start(&prog, "extracting features", r->args->quiet || r->args->json);
    for (uint32_t j = 0; j < r->n_selected; j++) {
        char name[32];
        if (mt_dataset_image(&r->ds, idx[j], in.h, in.w, m->channel_order, pixels, err,
                             err_len) != 0) {
            goto done;
        }
        int kept = 0, st = mt_learner_add_image(&r->l, r->label_of[r->ds.labels[idx[j]]], pixels,
                                                in_bytes, &kept);
        if (st != MT_OK) {
            snprintf(err, err_len, "%s: %s", mt_dataset_sample_name(&r->ds, idx[j], name, sizeof name),
                     mt_strerror(st));
            goto done;
        }
        r->n_kept += (uint32_t)kept;
        mt_progress_tick(&prog, j + 1, r->n_selected);
    }
    r->t_extract = prog.last_s - prog.start_s;
    rc = 0;
done:
    free(idx);
    free(pixels);
    return rc;
}

/* Share of cached samples head s predicts right. */
static double train_accuracy(const mt_learner_t *l, int s) {
    const mt_head_t *h = &l->task.head[s];
    mt_head_input_t input = s == 0 ? MT_HEAD_PART : (l->task.full_concat ? MT_HEAD_CONCAT : MT_HEAD_FULL);
    float *x = malloc(sizeof(float) * ((size_t)h->dim + 1));
    uint32_t right = 0;
    for (uint32_t i = 0; x && i < l->cache.n_samples; i++) {
        uint16_t label, pred;
        float conf;
        mt_head_input_row(&l->cache, i, input, x, &label);
        if (mt_head_predict_f32(h, x, h->dim, MT_CONF_MAX_PROB, &pred, &conf) == MT_OK &&
            pred == label) {
            right++;
        }
    }
    free(x);
    return l->cache.n_samples ? (double)right / l->cache.n_samples : 0.0;
}

static int fit_and_save(mt_personalize_run_t *r, char *err, size_t err_len) {
    const mt_personalize_args_t *a = r->args;
    double t0 = mt_progress_now_s();
    int st = mt_learner_fit(&r->l, &r->rep);
    r->t_fit = mt_progress_now_s() - t0;
    if (st == MT_E_CLASSES) {
        uint32_t counts[MT_FEATURES_MAX_CLASSES];
        mt_features_count(&r->l.cache, counts, MT_FEATURES_MAX_CLASSES);
        uint16_t empty = 0;
        while (empty < r->l.cache.n_classes && counts[empty] > 0) empty++;
        if (r->l.cache.n_classes < 2) {
            snprintf(err, err_len, "%s: %u class with samples: a task needs at least two",
                     r->data_path, (unsigned)r->l.cache.n_classes);
        } else {
            snprintf(err, err_len, "%s: class %s has no samples", r->data_path, r->l.names[empty]);
        }
        return -1;
    }
    if (st != MT_OK) {
        snprintf(err, err_len, "training: %s", mt_strerror(st));
        return -1;
    }
    for (int s = 0; s < 2; s++) {
        const mt_train_report_t *h = &r->rep.head[s];
        if (s == 0 && r->cfg.full_only) continue;
        if (h->constant_features == r->l.task.head[s].dim) {
            snprintf(err, err_len, "%s: every %s feature is the same on every sample: the "
                     "extractor gives these images nothing to learn from (wrong model, or blank "
                     "images?)", r->data_path, s == 0 ? "part" : "full");
            return -1;
        }
        if (h->scaling == MT_SCALE_STANDARDIZE && !a->standardize && !a->json) {
            fprintf(stderr, "microt: note: head %c: the features vary too little to train raw "
                            "(an untrained extractor?): standardised automatically\n", 'A' + s);
        }
        r->train_acc[s] = train_accuracy(&r->l, s);
    }
    /* The cache first, then the heads: a cut in between leaves old heads beside a cache that
     * holds every sample, which the next --add retrains from. */
    if (!a->no_cache &&
        mt_slot_file_write(r->cache_path, mt_store_features_bytes(&r->l.cache), write_cache, &r->l,
                           &r->cache_seq, err, err_len) != 0) {
        return -1;
    }
    uint32_t slot = r->n_tasks;
    for (uint32_t t = 0; t < r->n_tasks; t++) {
        if (strcmp(r->tasks[t].name, r->cfg.name) == 0) slot = t;
    }
    if (slot == MT_STORE_MAX_TASKS) {
        snprintf(err, err_len, "%s: already holds %u tasks", a->out, MT_STORE_MAX_TASKS);
        return -1;
    }
    r->tasks[slot] = *mt_learner_task(&r->l);
    if (slot == r->n_tasks) r->n_tasks++;
    return mt_head_file_save(a->out, r->tasks, r->n_tasks, r->model, &r->head_seq, err, err_len);
}

/* Loads the earlier cache (and heads, for a warm start) for --add. */
static int load_previous(mt_personalize_run_t *r, char *err, size_t err_len) {
    mt_head_file_t cf, hf;
    if (mt_head_file_open(&cf, r->cache_path, 0, err, err_len) != 0) return -1;
    int have_heads = mt_head_file_open(&hf, r->args->out, 0, err, err_len) == 0;
    int st = mt_learner_load(&r->l, have_heads ? &hf.flash : NULL, &cf.flash);
    if (st != MT_OK && have_heads) { /* heads of another shape: the cache alone, cold */
        st = mt_learner_load(&r->l, NULL, &cf.flash);
    }
    if (have_heads) mt_head_file_close(&hf);
    mt_head_file_close(&cf);
    if (st != MT_OK) {
        snprintf(err, err_len, "%s: %s", r->cache_path, mt_strerror(st));
        return -1;
    }
    r->offered_before = mt_features_offered(&r->l.cache);
    return 0;
}

int mt_personalize_run(mt_personalize_run_t *r, char *err, size_t err_len) {
    const mt_personalize_args_t *a = r->args;
    int rc = MT_EXIT_FAILURE;
    void *mem = NULL;
    r->data_path = a->add ? a->add : a->train;
    r->cache_path = cache_path(a->out, a->task);
    if (!r->cache_path || load_other_tasks(r, err, err_len) != 0) goto done_quiet;
    if (a->add && read_stored(r, err, err_len) != 0) goto done;
    if (mt_dataset_open_opts(&r->ds, r->data_path, a->labels, a->names, &a->data, err, err_len) != 0) {
        goto done;
    }
    r->ds_open = 1;
    if (map_classes(r, err, err_len) != 0 || configure(r, r->total_classes, err, err_len) != 0) {
        goto done;
    }
    size_t bytes = mt_learner_bytes(r->model, &r->cfg);
    mem = bytes ? malloc(bytes) : NULL;
    int st = mem ? mt_learner_init(&r->l, r->model, &r->cfg, mem, bytes) : MT_E_ARG;
    if (st != MT_OK) {
        snprintf(err, err_len, "learner: %s", mem ? mt_strerror(st) : "out of memory");
        goto done;
    }
    if (a->add && load_previous(r, err, err_len) != 0) goto done;
    for (uint16_t c = 0; c < r->total_classes; c++) {
        mt_learner_set_class_name(&r->l, c, r->stored_names[c]);
    }
    if (extract(r, err, err_len) != 0 || fit_and_save(r, err, err_len) != 0) goto done;
    mt_personalize_print(r);
    rc = MT_EXIT_OK;
    goto done_quiet;
done:
    fprintf(stderr, "microt: %s\n", err);
done_quiet:
    free(mem);
    free(r->old_blob);
    free(r->cache_path);
    if (r->ds_open) mt_dataset_free(&r->ds);
    return rc;
}
