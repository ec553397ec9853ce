/* microt extract MODEL: a batch filter for the factory and benchmarks. Reads raw frames
 * (u8 [h][w][c] in the model's size and channel order, back to back) from standard input
 * and writes each frame's dequantized pooled features, float32 little-endian, part then
 * full, to standard output. It runs the same library as the device, so probes and
 * evaluations score exactly the integers an MCU would compute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "microt/exec.h"
#include "model_file.h"

static const char USAGE[] =
    "usage: microt extract MODEL < FRAMES.u8 > FEATURES.f32\n"
    "Reads raw frames (h*w*c bytes each, the size and channel order `microt inspect` shows)\n"
    "from standard input until EOF; writes per frame the part feature then the full feature\n"
    "as float32 (part_dim + full_dim values). The frame count goes to standard error.\n";

static const mt_cli_option_t OPTIONS[] = {{NULL, 0, 0, NULL}};
static const mt_cli_spec_t SPEC = {"extract", "MODEL", USAGE, OPTIONS};

int mt_cmd_extract(int argc, char **argv) {
    mt_cli_args_t args;
    int rc = MT_EXIT_OK;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &rc)) {
        mt_cli_args_free(&args);
        return rc;
    }
    const char *path = args.pos[0];
    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, path);
    if (st != MT_OK) {
        rc = mt_cli_model_error(path, st);
        mt_cli_args_free(&args);
        return rc;
    }
    const mt_model_t *m = &mf.model;
    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    size_t frame_bytes = (size_t)in.h * in.w * in.c;
    uint32_t part_dim = mt_model_feature_len(m, MT_STAGE_PART);
    uint32_t full_dim = mt_model_feature_len(m, MT_STAGE_FULL);
    uint8_t *frame = malloc(frame_bytes);
    float *features = malloc(sizeof(float) * (part_dim + full_dim));
    void *arena = malloc(mt_model_arena_bytes(m) + 4);
    mt_exec_t exec;
    if (!frame || !features || !arena || mt_exec_init(&exec, m, arena, mt_model_arena_bytes(m)) != MT_OK) {
        fprintf(stderr, "microt: out of memory\n");
        rc = MT_EXIT_FAILURE;
    }
    unsigned long frames = 0;
    while (rc == MT_EXIT_OK) {
        size_t got = fread(frame, 1, frame_bytes, stdin);
        if (got == 0) break;
        if (got != frame_bytes) {
            fprintf(stderr, "microt: extract: a partial frame at the end of the input (%zu of %zu bytes)\n",
                    got, frame_bytes);
            rc = MT_EXIT_FAILURE;
            break;
        }
        mt_exec_set_input_u8(&exec, frame, frame_bytes);
        mt_exec_run_full(&exec);
        mt_exec_features_f32(&exec, MT_STAGE_PART, features, part_dim);
        mt_exec_features_f32(&exec, MT_STAGE_FULL, features + part_dim, full_dim);
        if (fwrite(features, sizeof(float), part_dim + full_dim, stdout) != part_dim + full_dim) {
            fprintf(stderr, "microt: extract: cannot write the output\n");
            rc = MT_EXIT_FAILURE;
        }
        frames++;
    }
    fprintf(stderr, "microt: extract: %lu frames, %u + %u features each\n", frames, part_dim, full_dim);
    free(frame);
    free(features);
    free(arena);
    mt_model_file_free(&mf);
    mt_cli_args_free(&args);
    return rc;
}
