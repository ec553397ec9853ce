/* microt infer MODEL HEAD IMAGE...: stage-decision inference with a saved head, one line per
 * image (and task): the label, the confidence, the stage that answered and the MACs spent,
 * through mt_stage_infer_tasks exactly as firmware runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "head_file.h"
#include "image_io.h"
#include "microt/exec.h"
#include "microt/stage.h"
#include "model_file.h"

static const char USAGE[] =
    "usage: microt infer MODEL HEAD IMAGE... [--task NAME] [--verbose]\n"
    "Answers each image (PNG/JPEG/BMP/PPM..., any size) with the heads saved by\n"
    "`microt personalize`: the part stage and head A first; if head A's confidence reaches\n"
    "tau the answer is given there, else the full model resumes and head B answers.\n"
    "One line per image and task:\n"
    "  IMAGE label=CLASS confidence=C stage=part|full macs=N [task=NAME]\n"
    "--task NAME answers only that task (default: every task in HEAD, one extractor pass).\n"
    "--verbose describes the loaded head on stderr (sequence number, tasks, ratio, tau).\n";

int mt_cmd_infer(int argc, char **argv) {
    const char *pos[2] = {NULL, NULL}, *task_name = NULL;
    int n_pos = 0, n_images = 0, verbose = 0;
    char **images = calloc((size_t)argc, sizeof *images);
    if (!images) return MT_EXIT_FAILURE;
    int usage = 0;
    for (int i = 1; i < argc; i++) {
        if (mt_cli_is_help(argv[i])) {
            fputs(USAGE, stdout);
            free(images);
            return MT_EXIT_OK;
        } else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc) {
            task_name = argv[++i];
        } else if (strcmp(argv[i], "--verbose") == 0) {
            verbose = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            usage = 1;
        } else if (n_pos < 2) {
            pos[n_pos++] = argv[i];
        } else {
            images[n_images++] = argv[i];
        }
    }
    if (usage || n_images == 0) {
        fputs(USAGE, stderr);
        free(images);
        return MT_EXIT_USAGE;
    }
    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, pos[0]);
    if (st != MT_OK) {
        free(images);
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
    for (int i = 0; i < n_images; i++) {
        if (mt_image_load(images[i], in.h, in.w, m->channel_order, pixels, err, sizeof err) != 0) {
            fprintf(stderr, "microt: %s\n", err);
            goto done;
        }
        mt_answer_t ans[MT_STORE_MAX_TASKS];
        if ((st = mt_exec_set_input_u8(&exec, pixels, in_bytes)) != MT_OK ||
            (st = mt_stage_infer_tasks(&exec, tasks, n_tasks, ans, NULL)) != MT_OK) {
            fprintf(stderr, "microt: %s: %s\n", images[i], mt_strerror(st));
            goto done;
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
    rc = MT_EXIT_OK;
done:
    free(pixels);
    free(arena);
    free(blob);
    free(images);
    mt_model_file_free(&mf);
    return rc;
}
