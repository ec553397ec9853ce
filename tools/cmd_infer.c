/* microt infer MODEL HEAD IMAGE...: stage-decision inference with a saved head, one line per
 * image (and task): the label, the confidence, the stage that answered and the MACs spent,
 * through mt_stage_infer_tasks exactly as firmware runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "head_file.h"
#include "image_io.h"
#include "json_writer.h"
#include "microt/exec.h"
#include "microt/stage.h"
#include "model_file.h"

static const char USAGE[] =
    "usage: microt infer MODEL HEAD IMAGE... [--task NAME | --all-tasks] [--json] [--verbose]\n"
    "Answers each image (PNG/JPEG/BMP/PPM..., any size) with the heads saved by\n"
    "`microt personalize`: the part stage and head A first; if head A's confidence reaches\n"
    "tau the answer is given there, else the full model resumes and head B answers.\n"
    "One line per image and task:\n"
    "  IMAGE label=CLASS confidence=C stage=part|full macs=N [task=NAME]\n"
    "--task NAME answers that task; a HEAD with several tasks needs it, or --all-tasks to\n"
    "answer every task from one extractor pass.\n"
    "--json prints one JSON object: the answers and the MACs spent (docs/cli.md).\n"
    "--verbose describes the loaded head on stderr (sequence number, tasks, ratio, tau).\n"
    "--max-pixels N refuses images of more than N pixels before decoding (default 40000000).\n";

enum { OPT_TASK, OPT_VERBOSE, OPT_MAX_PIXELS, OPT_ALL_TASKS, OPT_JSON };
static const mt_cli_option_t OPTIONS[] = {
    {"task", 0, MT_OPT_VALUE, "NAME"},
    {"verbose", 0, 0, NULL},
    {"max-pixels", 0, MT_OPT_VALUE, "N"},
    {"all-tasks", 0, 0, NULL},
    {"json", 0, 0, NULL},
    {NULL, 0, 0, NULL},
};
static const mt_cli_spec_t SPEC = {"infer", "MODEL HEAD IMAGE...", USAGE, OPTIONS};

int mt_cmd_infer(int argc, char **argv) {
    mt_cli_args_t args;
    int prc;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &prc)) {
        mt_cli_args_free(&args);
        return prc;
    }
    const char *pos[2] = {args.pos[0], args.pos[1]}, *task_name = args.value[OPT_TASK];
    int verbose = mt_cli_has(&args, OPT_VERBOSE), all_tasks = mt_cli_has(&args, OPT_ALL_TASKS);
    int json = mt_cli_has(&args, OPT_JSON);
    if (all_tasks && task_name) {
        mt_cli_args_free(&args);
        return mt_cli_usage_error(&SPEC, "--task and --all-tasks exclude each other");
    }
    uint64_t max_pixels = MT_IMAGE_DEFAULT_MAX_PIXELS;
    if (mt_cli_has(&args, OPT_MAX_PIXELS) &&
        mt_cli_u64(&SPEC, OPT_MAX_PIXELS, args.value[OPT_MAX_PIXELS], 1, MT_IMAGE_MAX_MAX_PIXELS,
                   &max_pixels) != 0) {
        mt_cli_args_free(&args);
        return MT_EXIT_USAGE;
    }
    char **images = args.pos + 2; /* freed with args at the end */
    int n_images = args.n_pos - 2;
    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, pos[0]);
    if (st != MT_OK) {
        mt_cli_args_free(&args);
        return mt_cli_model_error(pos[0], st);
    }
    const mt_model_t *m = &mf.model;
    char err[1024];
    mt_task_t tasks[MT_STORE_MAX_TASKS];
    uint32_t n_tasks = 0, seq = 0;
    void *blob = NULL;
    uint8_t *pixels = NULL;
    void *arena = NULL;
    int rc = MT_EXIT_FAILURE;
    if (mt_head_file_load(pos[1], m, tasks, MT_STORE_MAX_TASKS, &n_tasks, &blob, &seq, err,
                          sizeof err) != MT_OK) {
        fprintf(stderr, "microt: %s\n", err);
        goto done;
    }
    if (!task_name && !all_tasks && n_tasks > 1) {
        /* Answering every task silently mixed in answers of tasks the user did not ask for. */
        fprintf(stderr, "microt: %s holds %u tasks (", pos[1], (unsigned)n_tasks);
        for (uint32_t t = 0; t < n_tasks; t++) fprintf(stderr, "%s%s", t ? ", " : "", tasks[t].name);
        fprintf(stderr, "): name one with --task NAME, or --all-tasks\n");
        goto done;
    }
    if (task_name) {
        uint32_t t = 0;
        while (t < n_tasks && strcmp(tasks[t].name, task_name) != 0) t++;
        if (t == n_tasks) {
            fprintf(stderr, "microt: %s: no task named '%s'\n", pos[1], task_name);
            goto done;
        }
        tasks[0] = tasks[t];
        n_tasks = 1;
    }
    for (uint32_t t = 0; verbose && t < n_tasks; t++) {
        fprintf(stderr, "microt: %s: sequence %u, task %s: %u classes, ratio %.2f, tau %.6f\n",
                pos[1], seq, tasks[t].name, tasks[t].head[0].n_classes, (double)tasks[t].ratio,
                (double)tasks[t].tau);
    }
    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    size_t in_bytes = (size_t)in.h * in.w * in.c;
    pixels = malloc(in_bytes);
    arena = malloc(mt_model_arena_bytes(m));
    mt_exec_t exec;
    if (!pixels || !arena || mt_exec_init(&exec, m, arena, mt_model_arena_bytes(m)) != MT_OK) {
        fprintf(stderr, "microt: out of memory\n");
        goto done;
    }
    mt_json_t j;
    if (json) {
        mt_json_init(&j, stdout);
    mt_json_object_begin(&j, NULL);
        mt_json_string(&j, "command", "infer");
        mt_json_string(&j, "model", pos[0]);
        mt_json_string(&j, "head_file", pos[1]);
        mt_json_int(&j, "head_sequence", seq);
        mt_json_array_begin(&j, "tasks");
        for (uint32_t t = 0; t < n_tasks; t++) {
            mt_json_object_begin(&j, NULL);
            mt_json_string(&j, "task", tasks[t].name);
            mt_json_number(&j, "ratio", tasks[t].ratio);
            mt_json_number(&j, "tau", tasks[t].tau);
            mt_json_object_end(&j);
        }
        mt_json_array_end(&j);
        mt_json_array_begin(&j, "images");
    }
    uint64_t all_macs = 0;
    for (int i = 0; i < n_images; i++) {
        if (mt_image_load_max(images[i], max_pixels, in.h, in.w, m->channel_order, pixels, err,
                              sizeof err) != 0) {
            fprintf(stderr, "microt: %s\n", err);
            goto done;
        }
        mt_answer_t ans[MT_STORE_MAX_TASKS];
        uint64_t total = 0;
        if ((st = mt_exec_set_input_u8(&exec, pixels, in_bytes)) != MT_OK ||
            (st = mt_stage_infer_tasks(&exec, tasks, n_tasks, ans, &total)) != MT_OK) {
            fprintf(stderr, "microt: %s: %s\n", images[i], mt_strerror(st));
            goto done;
        }
        all_macs += total;
        if (json) {
            mt_json_object_begin(&j, NULL);
            mt_json_string(&j, "image", images[i]);
            mt_json_int(&j, "macs", (long long)total);
            mt_json_array_begin(&j, "answers");
            for (uint32_t t = 0; t < n_tasks; t++) {
                mt_json_object_begin(&j, NULL);
                mt_json_string(&j, "task", tasks[t].name);
                mt_json_string(&j, "label", tasks[t].class_names ? tasks[t].class_names[ans[t].label] : "?");
                mt_json_int(&j, "label_index", ans[t].label);
                mt_json_number(&j, "confidence", ans[t].confidence);
                mt_json_string(&j, "stage", ans[t].stage == MT_STAGE_PART ? "part" : "full");
                mt_json_int(&j, "macs", (long long)ans[t].macs);
                mt_json_object_end(&j);
            }
            mt_json_array_end(&j);
            mt_json_object_end(&j);
            continue;
        }
        for (uint32_t t = 0; t < n_tasks; t++) {
            const char *label = tasks[t].class_names ? tasks[t].class_names[ans[t].label] : "?";
            printf("%s label=%s confidence=%.4f stage=%s macs=%llu", images[i], label,
                   (double)ans[t].confidence, ans[t].stage == MT_STAGE_PART ? "part" : "full",
                   (unsigned long long)ans[t].macs);
            if (n_tasks > 1) printf(" task=%s", tasks[t].name);
            printf("\n");
        }
    }
    if (json) {
        mt_json_array_end(&j);
        mt_json_int(&j, "total_macs", (long long)all_macs);
        mt_json_object_end(&j);
    mt_json_finish(&j);
    }
    rc = MT_EXIT_OK;
done:
    free(pixels);
    free(arena);
    free(blob);
    mt_cli_args_free(&args);
    mt_model_file_free(&mf);
    return rc;
}
