/* Same numbers as TFLite: a .tflite imported by `microt import` (tools/tflite_import.c) and run
 * by the C runtime gives, tensor by tensor, the int8 values of TFLite's reference kernels stored
 * in a golden file (factory/make_tflite_golden.py; that reference is checked op by op against
 * the TFLite runtime itself, docs/import.md). Every op's output is compared right after the op
 * runs (the arena reuses memory), against the TFLite tensor it was translated from.
 * usage: test_tflite_golden MODEL.tflite GOLDEN [--split T] [--features [PART] FULL]
 * Exit 77 (skipped) when MODEL.tflite is absent (the MLPerf models stay outside the repo). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/model.h"
#include "file_io.h"
#include "test_util.h"
#include "tflite_import.h"
#include "tflite_reader.h"

typedef struct {
    int32_t tfl;    /* TFLite tensor index */
    uint32_t bytes; /* elements (int8) */
    uint32_t kind;  /* 1: the bytes are stored; 0: their CRC-32 */
} entry_t;

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_tflite_golden MODEL.tflite GOLDEN [import options]\n");
        return 2;
    }
    size_t tfl_len = 0, gold_len = 0;
    char rerr[400];
    uint8_t *tfl = mt_file_read_regular(argv[1], MT_FILE_MAX_MODEL_BYTES, "TFLite model", &tfl_len,
                                        rerr, sizeof rerr);
    if (!tfl) {
        printf("skipped: no %s\n", argv[1]);
        return 77;
    }
    uint8_t *gold = mt_read_file(argv[2], &gold_len);
    if (!CHECK(gold != NULL && gold_len >= 24 && memcmp(gold, "MTTG", 4) == 0 && rd32(gold + 4) == 1)) {
        return mt_test_summary("test_tflite_golden");
    }
    if (!CHECK(rd32(gold + 8) == mt_crc32(0, tfl, tfl_len))) {
        printf("%s is not the model %s was made from (regenerate: factory/make_tflite_golden.py)\n",
               argv[1], argv[2]);
        return mt_test_summary("test_tflite_golden");
    }
    uint32_t n_cases = rd32(gold + 12), n_entries = rd32(gold + 16), in_bytes = rd32(gold + 20);
    size_t pos = 24;
    entry_t *e = calloc(n_entries ? n_entries : 1, sizeof *e);
    size_t per_case = in_bytes;
    for (uint32_t i = 0; i < n_entries && pos + 12 <= gold_len; i++, pos += 12) {
        e[i].tfl = (int32_t)rd32(gold + pos);
        e[i].bytes = rd32(gold + pos + 4);
        e[i].kind = rd32(gold + pos + 8);
        per_case += e[i].kind ? e[i].bytes : 4u;
    }
    if (!CHECK(pos + (size_t)n_cases * per_case == gold_len)) return mt_test_summary("test_tflite_golden");

    mt_tfl_model_t tm;
    char err[400];
    if (!CHECK(mt_tfl_parse(&tm, tfl, tfl_len, err, sizeof err) == 0)) {
        printf("%s\n", err);
        return mt_test_summary("test_tflite_golden");
    }
    mt_import_opts_t o;
    memset(&o, 0, sizeof o);
    int32_t source_of[MT_MAX_TENSORS];
    o.source_of = source_of;
    o.has_range = 1, o.in_lo = 0.0, o.in_hi = 1.0; /* the input LUT is not used: int8 inputs */
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--split") == 0 && i + 1 < argc) {
            o.split = argv[++i];
        } else if (strcmp(argv[i], "--features") == 0) {
            while (i + 1 < argc && argv[i + 1][0] != '-' && o.n_features < 2) o.features[o.n_features++] = argv[++i];
        }
    }
    uint8_t *mtm = NULL;
    size_t mtm_len = 0;
    if (!CHECK(mt_tfl_import(&tm, &o, &mtm, &mtm_len, NULL, err, sizeof err) == 0)) {
        printf("import: %s\n", err);
        return mt_test_summary("test_tflite_golden");
    }
    mt_model_t m;
    CHECK_EQ(mt_model_open(&m, mtm, mtm_len), MT_OK);
    size_t arena_bytes = mt_model_arena_bytes(&m);
    uint8_t *arena = aligned_alloc(4, (arena_bytes + 3) & ~(size_t)3);
    mt_exec_t x;
    CHECK_EQ(mt_exec_init(&x, &m, arena, arena_bytes), MT_OK);

    /* which golden entry each mtm tensor is checked against */
    int32_t entry_of[MT_MAX_TENSORS];
    uint32_t n_mapped = 0, n_unchecked = 0;
    for (uint16_t t = 0; t < m.n_tensors; t++) {
        entry_of[t] = -1;
        for (uint32_t i = 0; i < n_entries; i++) {
            if (source_of[t] >= 0 && e[i].tfl == source_of[t]) entry_of[t] = (int32_t)i;
        }
        if (t == m.input_tensor) continue;
        if (entry_of[t] >= 0) {
            mt_tensor_info_t ti;
            mt_model_tensor(&m, t, &ti);
            CHECK_EQ((uint32_t)ti.h * ti.w * ti.c, e[entry_of[t]].bytes);
            n_mapped++;
        } else if (source_of[t] >= 0) {
            n_unchecked++; /* a tensor of the TFLite graph the golden does not hold */
        }
    }
    CHECK_EQ(n_unchecked, 0);
    CHECK(n_mapped > 0);

    uint64_t compared = 0;
    for (uint32_t k = 0; k < n_cases; k++) {
        const uint8_t *c = gold + pos + (size_t)k * per_case;
        CHECK_EQ(mt_exec_set_input_s8(&x, (const int8_t *)c, in_bytes), MT_OK);
        /* where each entry's data starts in this case */
        for (uint16_t op = 0; op < m.n_ops; op++) {
            CHECK_EQ(mt_exec_step(&x), MT_OK);
            mt_op_info_t info;
            mt_model_op(&m, op, &info);
            int32_t ei = entry_of[info.output];
            if (ei < 0) continue;
            size_t at = in_bytes;
            for (int32_t i = 0; i < ei; i++) at += e[i].kind ? e[i].bytes : 4u;
            const int8_t *got = (const int8_t *)(arena + m.plan.tensor_offset[info.output]);
            char what[96];
            snprintf(what, sizeof what, "case %u op %u (%s) tensor %d", k, op, mt_op_type_name(info.type),
                     e[ei].tfl);
            if (e[ei].kind) {
                if (mt_check_s8(got, (const int8_t *)(c + at), e[ei].bytes, 0, what) != 0) {
                    printf("  %s differs from TFLite's reference kernels\n", what);
                }
            } else if (!CHECK(mt_crc32(0, got, e[ei].bytes) == rd32(c + at))) {
                printf("  %s: CRC-32 differs from TFLite's reference kernels\n", what);
            }
            compared += e[ei].bytes;
        }
    }
    printf("%s: %u cases, %u tensors of %u ops compared (%llu values)\n", argv[1], n_cases,
           n_mapped, m.n_ops, (unsigned long long)compared);
    free(arena);
    free(mtm);
    mt_tfl_free(&tm);
    free(e);
    free(gold);
    free(tfl);
    return mt_test_summary("test_tflite_golden");
}
