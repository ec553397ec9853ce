/* microt eval MODEL HEAD --test DIR|IDX: stage-decision accuracy of a saved task on a labelled
 * test set, the share answered early, the MACs spent against the full model, each head's
 * accuracy alone, and a confusion matrix. Every test image runs both stages once so both
 * heads can be scored; the answer and its MACs are what mt_stage_infer would give. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dataset.h"
#include "class_names.h"
#include "head_file.h"
#include "image_io.h"
#include "json_writer.h"
#include "microt/exec.h"
#include "microt/stage.h"
#include "model_file.h"

static const char USAGE[] =
    "usage: microt eval MODEL HEAD --test DIR|IDX [options]\n"
    "Scores the task saved by `microt personalize` on a labelled test set (the same readers:\n"
    "class sub-folders, or IDX images + labels). Test classes are matched to the head's by\n"
    "name (a test class the head does not know is an error that lists both sets of names).\n"
    "Prints accuracy, early-exit share, mean MACs per image against\n"
    "the full model, each stage's accuracy and the confusion matrix.\n"
    "  --labels FILE  IDX labels (default: derived from the images path)\n"
    "  --names A,...  class names for IDX labels\n"
    "  --limit N      N test samples spread evenly over the set (default: all)\n"
    "  --task NAME    the task to score (required when HEAD holds several)\n"
    "  --tau T        use this threshold instead of the stored one\n"
    "  --sweep        also print accuracy, exit share and MACs for r = 0, .25, .5, .75, 1\n"
    "                 with tau taken from this test set's own part confidences (the paper's\n"
    "                 protocol: optimistic, the threshold has seen the test set)\n"
    "  --per-image    one line per sample: NAME true=CLASS label=CLASS stage=part|full\n"
    "  --quiet        no progress lines on stderr\n"
    "  --json         print the report as one JSON object (docs/cli.md)\n"
    "  --match-by-position  match test classes to the head's in order, whatever their names\n"
    "  --max-pixels N refuse images of more than N pixels before decoding (default 40000000)\n"
    "  --strict       a file in a class folder not named like an image is an error\n"
    "                 (default: skipped, counted in a note)\n";

typedef struct {
    uint16_t truth, pred[2];
    float conf_part;
} result_t;

/* Stage-decision outcome at threshold tau over all results. */
static void score(const result_t *r, uint32_t n, float tau, uint64_t macs_part,
                  uint64_t macs_full, double *acc, double *exit_share, double *mean_macs) {
    uint32_t right = 0, exits = 0;
    for (uint32_t i = 0; i < n; i++) {
        int ex = r[i].conf_part >= tau;
        exits += (uint32_t)ex;
        right += r[i].pred[ex ? 0 : 1] == r[i].truth;
    }
    *acc = n ? (double)right / n : 0.0;
    *exit_share = n ? (double)exits / n : 0.0;
    *mean_macs = n ? ((double)exits * macs_part + (double)(n - exits) * macs_full) / n : 0.0;
}

enum { OPT_TEST, OPT_LABELS, OPT_NAMES, OPT_LIMIT, OPT_TASK, OPT_TAU, OPT_SWEEP, OPT_PER_IMAGE,
       OPT_QUIET, OPT_MAX_PIXELS, OPT_STRICT, OPT_BY_POSITION, OPT_JSON };
static const mt_cli_option_t OPTIONS[] = {
    {"test", 0, MT_OPT_VALUE | MT_OPT_REQUIRED, "DIR|IDX"},
    {"labels", 0, MT_OPT_VALUE, "FILE"},
    {"names", 0, MT_OPT_VALUE, "A,B,..."},
    {"limit", 0, MT_OPT_VALUE, "N"},
    {"task", 0, MT_OPT_VALUE, "NAME"},
    {"tau", 0, MT_OPT_VALUE, "T"},
    {"sweep", 0, 0, NULL},
    {"per-image", 0, 0, NULL},
    {"quiet", 0, 0, NULL},
    {"max-pixels", 0, MT_OPT_VALUE, "N"},
    {"strict", 0, 0, NULL},
    {"match-by-position", 0, 0, NULL},
    {"json", 0, 0, NULL},
    {NULL, 0, 0, NULL},
};
static const mt_cli_spec_t SPEC = {"eval", "MODEL HEAD", USAGE, OPTIONS};

/* Everything the JSON report needs. */
typedef struct {
    const char *model, *head;
    uint32_t seq;
    const mt_task_t *task;
    float tau;
    int tau_given;
    const char *test;
    uint32_t n, n_all;
    int by_position;
    const result_t *res;
    const uint32_t *confusion;
    uint64_t part_macs, rest_macs, head_a, head_b;
    float *scratch; /* [n] */
} eval_json_t;

static void print_json(const eval_json_t *e) {
    uint16_t k = e->task->head[0].n_classes;
    uint64_t macs_exit = e->part_macs + e->head_a;
    uint64_t macs_rest = e->part_macs + e->rest_macs + e->head_a + e->head_b;
    uint64_t macs_full_model = e->part_macs + e->rest_macs + e->head_b;
    double acc, exit_share, mean_macs;
    score(e->res, e->n, e->tau, macs_exit, macs_rest, &acc, &exit_share, &mean_macs);
    uint32_t right[2] = {0, 0}, exited = 0, exited_right = 0, rest_right = 0;
    for (uint32_t i = 0; i < e->n; i++) {
        for (int s = 0; s < 2; s++) right[s] += e->res[i].pred[s] == e->res[i].truth;
        if (e->res[i].conf_part >= e->tau) {
            exited++;
            exited_right += e->res[i].pred[0] == e->res[i].truth;
        } else {
            rest_right += e->res[i].pred[1] == e->res[i].truth;
        }
    }
    mt_json_t j;
    mt_json_init(&j, stdout);
    mt_json_object_begin(&j, NULL);
    mt_json_string(&j, "command", "eval");
    mt_json_string(&j, "model", e->model);
    mt_json_string(&j, "head_file", e->head);
    mt_json_int(&j, "head_sequence", e->seq);
    mt_json_string(&j, "task", e->task->name);
    mt_json_array_begin(&j, "classes");
    for (uint16_t c = 0; c < k; c++) mt_json_string(&j, NULL, e->task->class_names[c]);
    mt_json_array_end(&j);
    mt_json_string(&j, "class_match", e->by_position ? "position" : "name");
    mt_json_string(&j, "full_head_input", e->task->full_concat ? "part+full" : "full");
    mt_json_number(&j, "ratio", e->task->ratio);
    mt_json_number(&j, "tau", e->tau);
    mt_json_string(&j, "tau_source", e->tau_given ? "option" : "stored");
    mt_json_string(&j, "test", e->test);
    mt_json_int(&j, "samples", e->n);
    mt_json_int(&j, "samples_in_set", e->n_all);
    mt_json_number(&j, "accuracy", 100.0 * acc);
    mt_json_number(&j, "exit_share", 100.0 * exit_share);
    mt_json_int(&j, "exits", exited);
    mt_json_number(&j, "mean_macs", mean_macs);
    mt_json_int(&j, "full_model_macs", (long long)macs_full_model);
    mt_json_number(&j, "macs_saved", 100.0 - 100.0 * mean_macs / (double)macs_full_model);
    mt_json_number(&j, "accuracy_part_head", e->n ? 100.0 * right[0] / e->n : 0.0);
    mt_json_number(&j, "accuracy_full_head", e->n ? 100.0 * right[1] / e->n : 0.0);
    mt_json_number(&j, "accuracy_exits", exited ? 100.0 * exited_right / exited : 0.0);
    mt_json_number(&j, "accuracy_rest", e->n - exited ? 100.0 * rest_right / (e->n - exited) : 0.0);
    mt_json_array_begin(&j, "sweep");
    for (int ri = 0; ri <= 4 && e->n > 0; ri++) {
        float r = 0.25f * (float)ri, t;
        for (uint32_t i = 0; i < e->n; i++) e->scratch[i] = e->res[i].conf_part;
        if (mt_stage_tau_from_confidences(e->scratch, e->n, r, &t) != MT_OK) break;
        double a2, e2, m2;
        score(e->res, e->n, t, macs_exit, macs_rest, &a2, &e2, &m2);
        mt_json_object_begin(&j, NULL);
        mt_json_number(&j, "ratio", r);
        mt_json_number(&j, "tau", t);
        mt_json_number(&j, "accuracy", 100.0 * a2);
        mt_json_number(&j, "exit_share", 100.0 * e2);
        mt_json_number(&j, "mean_macs", m2);
        mt_json_object_end(&j);
    }
    mt_json_array_end(&j);
    mt_json_array_begin(&j, "confusion");
    for (uint16_t t = 0; t < k; t++) {
        mt_json_array_begin(&j, NULL);
        for (uint16_t c = 0; c < k; c++) mt_json_int(&j, NULL, e->confusion[(size_t)t * k + c]);
        mt_json_array_end(&j);
    }
    mt_json_array_end(&j);
    mt_json_object_end(&j);
    mt_json_finish(&j);
}

int mt_cmd_eval(int argc, char **argv) {
    mt_cli_args_t args;
    int prc;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &prc)) {
        mt_cli_args_free(&args);
        return prc;
    }
    const char *pos[2] = {args.pos[0], args.pos[1]}, *test = args.value[OPT_TEST];
    const char *labels = args.value[OPT_LABELS], *names = args.value[OPT_NAMES];
    const char *task_name = args.value[OPT_TASK];
    int sweep = mt_cli_has(&args, OPT_SWEEP), per_image = mt_cli_has(&args, OPT_PER_IMAGE);
    int quiet = mt_cli_has(&args, OPT_QUIET), has_tau = mt_cli_has(&args, OPT_TAU);
    uint32_t limit = 0;
    float tau_override = 0.0f;
    int by_position = mt_cli_has(&args, OPT_BY_POSITION), json = mt_cli_has(&args, OPT_JSON);
    mt_dataset_opts_t data;
    mt_dataset_opts_default(&data);
    data.strict = mt_cli_has(&args, OPT_STRICT);
    int usage = (mt_cli_has(&args, OPT_LIMIT) &&
                 mt_cli_u32(&SPEC, OPT_LIMIT, args.value[OPT_LIMIT], 1, UINT32_MAX, &limit) != 0) ||
                (has_tau && mt_cli_float(&SPEC, OPT_TAU, args.value[OPT_TAU], -1.0f, 2.0f, &tau_override) != 0) ||
                (mt_cli_has(&args, OPT_MAX_PIXELS) &&
                 mt_cli_u64(&SPEC, OPT_MAX_PIXELS, args.value[OPT_MAX_PIXELS], 1,
                            MT_IMAGE_MAX_MAX_PIXELS, &data.max_pixels) != 0);
    mt_cli_args_free(&args); /* the values point into argv, which outlives it */
    if (usage) return MT_EXIT_USAGE;

    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, pos[0]);
    if (st != MT_OK) return mt_cli_model_error(pos[0], st);
    const mt_model_t *m = &mf.model;
    char err[1024];
    mt_task_t tasks[MT_STORE_MAX_TASKS];
    uint32_t n_tasks = 0, seq = 0;
    void *blob = NULL, *arena = NULL;
    uint8_t *pixels = NULL;
    uint32_t *idx = NULL, *confusion = NULL;
    result_t *res = NULL;
    float *conf_sorted = NULL;
    int rc = MT_EXIT_FAILURE;
    mt_dataset_t ds;
    memset(&ds, 0, sizeof ds);
    if (mt_head_file_load(pos[1], m, tasks, MT_STORE_MAX_TASKS, &n_tasks, &blob, &seq, err,
                          sizeof err) != MT_OK) {
        fprintf(stderr, "microt: %s\n", err);
        goto done;
    }
    uint32_t ti = 0;
    if (!task_name && n_tasks > 1) {
        /* Scoring the first task of several silently gave another task's figures. */
        fprintf(stderr, "microt: %s holds %u tasks (", pos[1], (unsigned)n_tasks);
        for (uint32_t t = 0; t < n_tasks; t++) fprintf(stderr, "%s%s", t ? ", " : "", tasks[t].name);
        fprintf(stderr, "): name one with --task NAME\n");
        goto done;
    }
    while (task_name && ti < n_tasks && strcmp(tasks[ti].name, task_name) != 0) ti++;
    if (ti == n_tasks) {
        fprintf(stderr, "microt: %s: no task named '%s'\n", pos[1], task_name);
        goto done;
    }
    const mt_task_t *task = &tasks[ti];
    float tau = has_tau ? tau_override : task->tau;
    uint16_t k = task->head[0].n_classes;
    if (mt_dataset_open_opts(&ds, test, labels, names, &data, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s\n", err);
        goto done;
    }

    /* Test class -> head class: by name, or in order with --match-by-position. */
    uint16_t map[MT_DATASET_MAX_CLASSES];
    if (mt_class_names_match((const char (*)[MT_NAME_BYTES])ds.class_names, ds.n_classes,
                             (const char (*)[MT_NAME_BYTES])task->class_names, k, by_position,
                             map, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s: %s\n", test, err);
        goto done;
    }

    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    size_t in_bytes = (size_t)in.h * in.w * in.c;
    size_t arena_bytes = mt_model_arena_bytes(m);
    idx = malloc(((size_t)ds.n + 1) * sizeof *idx);
    uint32_t n = idx ? mt_dataset_select_spread(&ds, limit, idx) : 0;
    res = malloc(((size_t)n + 1) * sizeof *res);
    conf_sorted = malloc(((size_t)n + 1) * sizeof *conf_sorted);
    confusion = calloc((size_t)k * k, sizeof *confusion);
    pixels = malloc(in_bytes);
    arena = malloc(arena_bytes);
    mt_exec_t exec;
    if (!idx || !res || !conf_sorted || !confusion || !pixels || !arena ||
        mt_exec_init(&exec, m, arena, arena_bytes) != MT_OK) {
        fprintf(stderr, "microt: out of memory\n");
        goto done;
    }

    mt_progress_t prog;
    mt_progress_start(&prog, "evaluating", quiet || json);
    for (uint32_t j = 0; j < n; j++) {
        char name[32];
        const char *sample = mt_dataset_sample_name(&ds, idx[j], name, sizeof name);
        if (mt_dataset_image(&ds, idx[j], in.h, in.w, m->channel_order, pixels, err,
                             sizeof err) != 0) {
            fprintf(stderr, "microt: %s\n", err);
            goto done;
        }
        result_t *r = &res[j];
        r->truth = map[ds.labels[idx[j]]];
        /* Both heads on one pass (mt_stage_score_both): head A on the part feature in place,
         * then the full model resumes from the arena and head B answers. */
        mt_answer_t both[2];
        st = mt_exec_set_input_u8(&exec, pixels, in_bytes);
        if (st == MT_OK) st = mt_stage_score_both(&exec, task, both);
        if (st != MT_OK) {
            fprintf(stderr, "microt: %s: %s\n", sample, mt_strerror(st));
            goto done;
        }
        r->pred[0] = both[0].label;
        r->pred[1] = both[1].label;
        r->conf_part = both[0].confidence;
        int ex = r->conf_part >= tau;
        confusion[(size_t)r->truth * k + r->pred[ex ? 0 : 1]]++;
        if (per_image && !json) {
            printf("%s true=%s label=%s stage=%s\n", sample, task->class_names[r->truth],
                   task->class_names[r->pred[ex ? 0 : 1]], ex ? "part" : "full");
        }
        mt_progress_tick(&prog, j + 1, n);
    }

    uint64_t part_macs, rest_macs;
    mt_stage_macs(m, &part_macs, &rest_macs);
    uint64_t head_a = (uint64_t)k * task->head[0].dim, head_b = (uint64_t)k * task->head[1].dim;
    if (json) {
        eval_json_t ej = {pos[0], pos[1], seq, task, tau, has_tau, test, n, ds.n, by_position, res,
                          confusion, part_macs, rest_macs, head_a, head_b, conf_sorted};
        print_json(&ej);
        rc = MT_EXIT_OK;
        goto done;
    }
    uint64_t macs_exit = part_macs + head_a, macs_rest = part_macs + rest_macs + head_a + head_b;
    uint64_t macs_full_model = part_macs + rest_macs + head_b; /* no early exit: TTL-style */
    double acc, exit_share, mean_macs;
    score(res, n, tau, macs_exit, macs_rest, &acc, &exit_share, &mean_macs);
    uint32_t right[2] = {0, 0}, exited = 0, exited_right = 0, rest_right = 0;
    for (uint32_t i = 0; i < n; i++) {
        for (int s = 0; s < 2; s++) right[s] += res[i].pred[s] == res[i].truth;
        if (res[i].conf_part >= tau) {
            exited++;
            exited_right += res[i].pred[0] == res[i].truth;
        } else {
            rest_right += res[i].pred[1] == res[i].truth;
        }
    }
    printf("head %s: sequence %u, task %s, %u classes, ratio %.2f, tau %.6f%s\n", pos[1], seq,
           task->name, k, (double)task->ratio, (double)tau, has_tau ? " (--tau)" : "");
    printf("test %u samples of %u in %s\n", n, ds.n, test);
    printf("accuracy %.2f %%\n", 100.0 * acc);
    printf("early exit %.2f %% (%u of %u answered at the part stage)\n", 100.0 * exit_share,
           exited, n);
    printf("mean macs %.0f per image vs %llu full model (%.1f %%, %.1f %% saved)\n", mean_macs,
           (unsigned long long)macs_full_model, 100.0 * mean_macs / (double)macs_full_model,
           100.0 - 100.0 * mean_macs / (double)macs_full_model);
    printf("accuracy part head alone %.2f %%, full head alone %.2f %%\n",
           n ? 100.0 * right[0] / n : 0.0, n ? 100.0 * right[1] / n : 0.0);
    printf("accuracy of the early exits %.2f %% (%u), of the rest %.2f %% (%u)\n",
           exited ? 100.0 * exited_right / exited : 0.0, exited,
           n - exited ? 100.0 * rest_right / (n - exited) : 0.0, n - exited);
    if (sweep) {
        printf("ratio sweep (tau = quantile of this test set's part confidences):\n");
        printf("  %5s %9s %9s %8s %12s\n", "r", "tau", "accuracy", "exit", "mean macs");
        for (int ri = 0; ri <= 4; ri++) {
            float r = 0.25f * (float)ri, t;
            for (uint32_t i = 0; i < n; i++) conf_sorted[i] = res[i].conf_part;
            if (n == 0 || mt_stage_tau_from_confidences(conf_sorted, n, r, &t) != MT_OK) break;
            double a2, e2, m2;
            score(res, n, t, macs_exit, macs_rest, &a2, &e2, &m2);
            printf("  %5.2f %9.6f %8.2f%% %7.2f%% %12.0f\n", (double)r, (double)t, 100.0 * a2,
                   100.0 * e2, m2);
        }
    }
    printf("confusion (rows: true class, columns: answer)\n%15s", "");
    for (uint16_t c = 0; c < k; c++) printf(" %6.6s", task->class_names[c]);
    printf("\n");
    for (uint16_t t = 0; t < k; t++) {
        printf("%15s", task->class_names[t]);
        for (uint16_t c = 0; c < k; c++) printf(" %6u", confusion[(size_t)t * k + c]);
        printf("\n");
    }
    rc = MT_EXIT_OK;
done:
    free(conf_sorted);
    free(res);
    free(confusion);
    free(pixels);
    free(arena);
    free(idx);
    free(blob);
    mt_dataset_free(&ds);
    mt_model_file_free(&mf);
    return rc;
}
