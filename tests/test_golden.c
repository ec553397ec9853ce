/* Golden test: the C runtime against the factory's independent numpy model of the integer
 * pipeline (factory/int8_reference.py, via make_golden.py). Every tensor of every case must
 * match bit for bit, on the host and on the emulated Cortex-M alike.
 * usage: test_golden MODEL.mtm GOLDEN (format in tests/data/README.md) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/exec.h"
#include "test_util.h"

static uint32_t rd_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static size_t tensor_len(const mt_model_t *m, uint16_t t) {
    mt_tensor_info_t info;
    mt_model_tensor(m, t, &info);
    return (size_t)info.h * info.w * info.c;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        printf("usage: test_golden MODEL GOLDEN\n");
        return 2;
    }
    size_t model_len, golden_len;
    uint8_t *model_bytes = mt_read_file(argv[1], &model_len);
    uint8_t *golden = mt_read_file(argv[2], &golden_len);
    if (!CHECK(model_bytes && golden)) return mt_test_summary("test_golden");
    mt_model_t m;
    if (!CHECK_EQ(mt_model_open(&m, model_bytes, model_len), MT_OK)) return mt_test_summary("test_golden");
    if (!CHECK(golden_len >= 12 && memcmp(golden, "MTG1", 4) == 0)) return mt_test_summary("test_golden");
    uint32_t n_cases = rd_u32(golden + 4), n_tensors = rd_u32(golden + 8);
    CHECK_EQ(n_tensors, m.n_tensors);

    size_t offsets[MT_MAX_TENSORS], case_bytes = tensor_len(&m, m.input_tensor);
    size_t pixels_len = case_bytes;
    for (uint16_t t = 0; t < m.n_tensors; t++) {
        offsets[t] = case_bytes;
        case_bytes += tensor_len(&m, t);
    }
    if (!CHECK_EQ(golden_len, 12 + (size_t)n_cases * case_bytes)) return mt_test_summary("test_golden");
    uint8_t *arena = malloc(mt_model_arena_bytes(&m));
    mt_exec_t x;
    CHECK_EQ(mt_exec_init(&x, &m, arena, mt_model_arena_bytes(&m)), MT_OK);

    /* Every tensor, op by op: step one op and compare its output right away. */
    for (uint32_t c = 0; c < n_cases; c++) {
        const uint8_t *gc = golden + 12 + (size_t)c * case_bytes;
        CHECK_EQ(mt_exec_set_input_u8(&x, gc, pixels_len), MT_OK);
        mt_check_s8((const int8_t *)(arena + m.plan.tensor_offset[m.input_tensor]),
                    (const int8_t *)(gc + offsets[m.input_tensor]), pixels_len, 0, "input via LUT");
        for (uint16_t i = 0; i < m.n_ops; i++) {
            mt_op_info_t op;
            mt_model_op(&m, i, &op);
            if (!CHECK_EQ(mt_exec_step(&x), MT_OK)) break;
            char what[64];
            snprintf(what, sizeof what, "case %u op %u output t%u", (unsigned)c, i, op.output);
            mt_check_s8((const int8_t *)(arena + m.plan.tensor_offset[op.output]),
                        (const int8_t *)(gc + offsets[op.output]), tensor_len(&m, op.output), 0, what);
        }
        CHECK_EQ(mt_exec_step(&x), MT_E_STATE);
        /* The staged path (part, then resume) gives the same features. */
        CHECK_EQ(mt_exec_set_input_u8(&x, gc, pixels_len), MT_OK);
        CHECK_EQ(mt_exec_run_part(&x), MT_OK);
        CHECK_EQ(mt_exec_resume_full(&x), MT_OK);
        mt_check_s8((const int8_t *)(arena + m.plan.tensor_offset[m.part_feature_tensor]),
                    (const int8_t *)(gc + offsets[m.part_feature_tensor]),
                    tensor_len(&m, m.part_feature_tensor), 0, "part feature after resume");
        mt_check_s8((const int8_t *)(arena + m.plan.tensor_offset[m.full_feature_tensor]),
                    (const int8_t *)(gc + offsets[m.full_feature_tensor]),
                    tensor_len(&m, m.full_feature_tensor), 0, "full feature after resume");
    }
    printf("%u cases, %u tensors each, model %s\n", (unsigned)n_cases, (unsigned)n_tensors, m.name);
    free(arena);
    free(model_bytes);
    free(golden);
    return mt_test_summary("test_golden");
}
