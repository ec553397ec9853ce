/* libFuzzer target for the model loader: any bytes must give a status, never a crash or
 * undefined behaviour. Each input is tried twice: as it is, and re-sealed (its CRC and
 * fingerprint recomputed) so mutations reach the checks behind the CRC. Models that open
 * are also run once (small ones only, so the fuzzer keeps its pace), which exercises every
 * kernel on hostile but valid geometry. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../model_builder.h"
#include "fuzz_common.h"
#include "microt/exec.h"
#include "microt/model.h"
#include "../../src/model_format.h"

#define MAX_ARENA (64u * 1024u)
#define MAX_MACS 25000u

static uint32_t rd_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes fingerprint and CRC over the extent the header claims (clipped to size). */
static void reseal(uint8_t *b, size_t size) {
    if (size < MT_MODEL_HEADER_BYTES) return;
    size_t end = rd_u32(b + MT_HDR_FILE_BYTES);
    if (end > size || end < MT_MODEL_HEADER_BYTES) return;
    uint64_t fp = mt_fnv1a64(MT_FNV1A64_INIT, b + MT_MODEL_HEADER_BYTES, end - MT_MODEL_HEADER_BYTES);
    wr_u32(b + MT_HDR_FINGERPRINT, (uint32_t)fp);
    wr_u32(b + MT_HDR_FINGERPRINT + 4, (uint32_t)(fp >> 32));
    /* zlib's table-driven CRC-32: the same polynomial as mt_crc32, several times faster */
    wr_u32(b + MT_HDR_CRC, (uint32_t)crc32(0, b + MT_HDR_FINGERPRINT, (uInt)(end - MT_HDR_FINGERPRINT)));
}

static void open_and_run(uint8_t *copy, size_t size) {
    mt_model_t model;
    if (mt_model_open(&model, copy, size) == MT_OK) {
        uint64_t macs = 0;
        for (uint16_t i = 0; i < model.n_ops; i++) {
            mt_op_info_t op;
            if (mt_model_op(&model, i, &op) == MT_OK) macs += op.macs;
        }
        size_t need = mt_model_arena_bytes(&model);
        if (need <= MAX_ARENA && macs <= MAX_MACS) {
            uint8_t *arena = malloc(need ? need : 4);
            mt_tensor_info_t in;
            mt_model_tensor(&model, model.input_tensor, &in);
            size_t in_len = (size_t)in.h * in.w * in.c;
            uint8_t *pixels = calloc(in_len, 1);
            mt_exec_t exec;
            if (arena && pixels && mt_exec_init(&exec, &model, arena, need) == MT_OK &&
                mt_exec_set_input_u8(&exec, pixels, in_len) == MT_OK) {
                mt_exec_run_full(&exec);
            }
            free(pixels);
            free(arena);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1); /* malloc'ed: aligned, and ASan sees its end */
    if (!copy) return 0;
    memcpy(copy, data, size);
    open_and_run(copy, size);
    memcpy(copy, data, size);
    reseal(copy, size);
    open_and_run(copy, size);
    free(copy);
    return 0;
}

/* Seeds: small valid models from the test builder (the shipped test model is added by
 * run.sh from tests/data). */
int mt_fuzz_seeds(const char *dir) {
    static uint32_t buf[8192 / 4];
    for (uint32_t seed = 1; seed <= 4; seed++) {
        size_t len = mt_build_small_model((uint8_t *)buf, sizeof buf, seed);
        char name[32];
        snprintf(name, sizeof name, "small-%u.mtm", (unsigned)seed);
        if (len == 0 || mt_fuzz_write(dir, name, buf, len) != 0) return -1;
    }
    return 0;
}
