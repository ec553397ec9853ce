/* A consumer of the installed microt package: opens a .mtm file, plans the arena, runs both
 * stages on a synthetic frame and prints the feature lengths and a checksum of the int8
 * features (the numerics contract: host and Cortex-M print the same line).
 * usage: consumer MODEL.mtm */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/model.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: consumer MODEL.mtm\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "consumer: cannot open %s\n", argv[1]);
        return 1;
    }
    static uint32_t file[1 << 16]; /* 256 KiB, 4-byte aligned as mt_model_open requires */
    size_t len = fread(file, 1, sizeof file, f);
    fclose(f);
    mt_model_t model;
    mt_status_t st = mt_model_open(&model, file, len);
    if (st != MT_OK) {
        fprintf(stderr, "consumer: %s: %s\n", argv[1], mt_strerror(st));
        return 1;
    }
    size_t arena_bytes = mt_model_arena_bytes(&model);
    uint32_t *arena = malloc(arena_bytes + 4);
    mt_tensor_info_t in;
    mt_model_tensor(&model, model.input_tensor, &in);
    size_t n = (size_t)in.h * in.w * in.c;
    uint8_t *pixels = malloc(n);
    mt_exec_t x;
    if (!arena || !pixels || mt_exec_init(&x, &model, arena, arena_bytes) != MT_OK) return 1;
    for (size_t i = 0; i < n; i++) pixels[i] = (uint8_t)(i * 7u + (i / 3u) * 13u);
    if (mt_exec_set_input_u8(&x, pixels, n) != MT_OK || mt_exec_run_part(&x) != MT_OK ||
        mt_exec_resume_full(&x) != MT_OK) {
        return 1;
    }
    uint32_t sum = 0;
    for (int s = 0; s < 2; s++) {
        const int8_t *feat;
        uint32_t flen;
        float scale;
        int32_t zp;
        mt_exec_features_s8(&x, s ? MT_STAGE_FULL : MT_STAGE_PART, &feat, &flen, &scale, &zp);
        for (uint32_t i = 0; i < flen; i++) sum = sum * 31u + (uint8_t)feat[i];
    }
    printf("arena %lu bytes (this build's kernels)\n", (unsigned long)arena_bytes);
    printf("%s: features %lu + %lu, checksum %08lx\n", model.name,
           (unsigned long)mt_model_feature_len(&model, MT_STAGE_PART),
           (unsigned long)mt_model_feature_len(&model, MT_STAGE_FULL), (unsigned long)sum);
    free(pixels);
    free(arena);
    return 0;
}
