/* microt run MODEL IMAGE...: decode, resize and quantize each image like the device would
 * receive it, run the part stage, resume the full model, and print both pooled features
 * with the time each stage took on this host. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "image_io.h"
#include "microt/exec.h"
#include "model_file.h"

static const char USAGE[] =
    "usage: microt run MODEL IMAGE... [--stage part|full|both] [--quiet] [--max-pixels N]\n"
    "Runs the extractor on each image (PNG, JPEG, BMP or binary PGM/PPM, any size: resized\n"
    "to the model input, alpha composited on white) and prints one line per image and stage:\n"
    "  IMAGE STAGE DIM ms=MILLISECONDS: f0 f1 ... (the dequantized pooled feature)\n"
    "--quiet prints timings only. The full stage resumes from the part stage's activations.\n"
    "--max-pixels N refuses images of more than N pixels (width x height) before decoding\n"
    "them (default 40000000).\n";

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void print_features(const mt_exec_t *exec, mt_stage_t stage, const char *path,
                           double ms, int quiet) {
    uint32_t n = mt_model_feature_len(exec->model, stage);
    float feat[4096];
    printf("%s %s %u ms=%.3f", path, stage == MT_STAGE_PART ? "part" : "full", n, ms);
    if (!quiet && n <= 4096 && mt_exec_features_f32(exec, stage, feat, n) == MT_OK) {
        printf(":");
        for (uint32_t i = 0; i < n; i++) printf(" %.5g", (double)feat[i]);
    }
    printf("\n");
}

enum { OPT_STAGE, OPT_QUIET, OPT_MAX_PIXELS };
static const mt_cli_option_t OPTIONS[] = {
    {"stage", 0, MT_OPT_VALUE, "part|full|both"},
    {"quiet", 0, 0, NULL},
    {"max-pixels", 0, MT_OPT_VALUE, "N"},
    {NULL, 0, 0, NULL},
};
static const mt_cli_spec_t SPEC = {"run", "MODEL IMAGE...", USAGE, OPTIONS};

int mt_cmd_run(int argc, char **argv) {
    mt_cli_args_t args;
    int rc = MT_EXIT_OK;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &rc)) {
        mt_cli_args_free(&args);
        return rc;
    }
    static const char *const STAGES[] = {"part", "full", "both", NULL};
    int stage = 2;
    if (mt_cli_has(&args, OPT_STAGE) &&
        mt_cli_choice(&SPEC, OPT_STAGE, args.value[OPT_STAGE], STAGES, &stage) != 0) {
        mt_cli_args_free(&args);
        return MT_EXIT_USAGE;
    }
    uint64_t max_pixels = MT_IMAGE_DEFAULT_MAX_PIXELS;
    if (mt_cli_has(&args, OPT_MAX_PIXELS) &&
        mt_cli_u64(&SPEC, OPT_MAX_PIXELS, args.value[OPT_MAX_PIXELS], 1, MT_IMAGE_MAX_MAX_PIXELS,
                   &max_pixels) != 0) {
        mt_cli_args_free(&args);
        return MT_EXIT_USAGE;
    }
    int want_part = stage != 1, want_full = stage != 0;
    int quiet = mt_cli_has(&args, OPT_QUIET);
    const char *model_path = args.pos[0];
    char **images = args.pos + 1;
    int n_images = args.n_pos - 1;

    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, model_path);
    if (st != MT_OK) {
        mt_cli_args_free(&args);
        return mt_cli_model_error(model_path, st);
    }
    const mt_model_t *m = &mf.model;
    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    size_t in_bytes = (size_t)in.h * in.w * in.c;
    uint8_t *pixels = malloc(in_bytes);
    void *arena = malloc(mt_model_arena_bytes(m) + 4);
    mt_exec_t exec;
    if (!pixels || !arena || mt_exec_init(&exec, m, arena, mt_model_arena_bytes(m)) != MT_OK) {
        fprintf(stderr, "microt: out of memory\n");
        rc = MT_EXIT_FAILURE;
    }
    for (int i = 0; rc == MT_EXIT_OK && i < n_images; i++) {
        char err[512];
        if (mt_image_load_max(images[i], max_pixels, in.h, in.w, m->channel_order, pixels, err,
                              sizeof err) != 0) {
            fprintf(stderr, "microt: %s\n", err);
            rc = MT_EXIT_FAILURE;
            break;
        }
        mt_exec_set_input_u8(&exec, pixels, in_bytes);
        double t0 = now_ms();
        mt_exec_run_part(&exec);
        double t1 = now_ms();
        if (want_part) print_features(&exec, MT_STAGE_PART, images[i], t1 - t0, quiet);
        if (want_full) {
            mt_exec_resume_full(&exec);
            double t2 = now_ms();
            print_features(&exec, MT_STAGE_FULL, images[i], t2 - t0, quiet);
        }
    }
    free(pixels);
    free(arena);
    mt_cli_args_free(&args);
    mt_model_file_free(&mf);
    return rc;
}
