/* Loader tests: a valid model opens; every loader error code is reached by a crafted file
 * (mutated, then re-sealed so the CRC does not mask the deeper check); mt_strerror names
 * every code. */
#include <stdio.h>
#include <string.h>

#include "microt/model.h"
#include "model_builder.h"
#include "test_util.h"

#define CAP 8192
static uint32_t g_base[CAP / 4]; /* uint32_t storage: 4-byte aligned model buffers */
static uint32_t g_work[CAP / 4 + 1];
static size_t g_len;

/* A fresh copy of the valid model in the aligned work buffer. */
static uint8_t *fresh(void) {
    memcpy(g_work, g_base, g_len);
    return (uint8_t *)g_work;
}

static int open_status(const uint8_t *buf, size_t len) {
    mt_model_t m;
    return mt_model_open(&m, buf, len);
}

/* Opens after re-sealing, so only the mutated field can be at fault. */
static int open_resealed(uint8_t *buf) {
    mt_reseal(buf, g_len);
    return open_status(buf, g_len);
}

#define OP(i) (mt_op_record(MT_SMALL_MODEL_TENSORS, (i)))
#define TENSOR(i) (mt_tensor_record(i))

static void test_valid(void) {
    mt_model_t m;
    CHECK_EQ(mt_model_open(&m, g_base, g_len), MT_OK);
    CHECK_EQ(m.n_tensors, MT_SMALL_MODEL_TENSORS);
    CHECK_EQ(m.n_ops, MT_SMALL_MODEL_OPS);
    CHECK_EQ(mt_model_feature_len(&m, MT_STAGE_PART), 8);
    CHECK_EQ(mt_model_feature_len(&m, MT_STAGE_FULL), 12);
    CHECK(strcmp(m.name, "small-test") == 0);
    CHECK(mt_model_arena_bytes(&m) > 0);
    CHECK(mt_model_arena_bytes(&m) < m.plan.naive_bytes);
    mt_op_info_t op;
    CHECK_EQ(mt_model_op(&m, 0, &op), MT_OK);
    CHECK_EQ(op.macs, 4 * 4 * 8 * 3 * 3 * 3);
    CHECK_EQ(mt_model_op(&m, MT_SMALL_MODEL_OPS, &op), MT_E_ARG);
    /* Same seed, same bytes; another seed, another fingerprint. */
    static uint32_t other[CAP / 4];
    size_t len2 = mt_build_small_model((uint8_t *)other, CAP, 2);
    mt_model_t m2;
    CHECK_EQ(mt_model_open(&m2, other, len2), MT_OK);
    CHECK(m2.fingerprint != m.fingerprint);
}

static void test_header_faults(void) {
    uint8_t *b = fresh();
    CHECK_EQ(open_status(b, 3), MT_E_MODEL_TRUNCATED);
    CHECK_EQ(open_status(b, 100), MT_E_MODEL_TRUNCATED);
    CHECK_EQ(open_status(b, g_len - 1), MT_E_MODEL_TRUNCATED);
    b[MT_HDR_MAGIC] = 'X';
    CHECK_EQ(open_status(b, g_len), MT_E_MODEL_MAGIC);
    b = fresh();
    memmove((uint8_t *)g_work + 1, g_base, g_len);
    CHECK_EQ(open_status((uint8_t *)g_work + 1, g_len), MT_E_MODEL_ALIGN);
    b = fresh();
    mt_put_u16(b + MT_HDR_VERSION, 2);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_VERSION);
    b = fresh();
    b[g_len - 5] ^= 0x40; /* a corrupt byte in the data section */
    CHECK_EQ(open_status(b, g_len), MT_E_MODEL_CRC);
    b = fresh();
    b[MT_HDR_FINGERPRINT] ^= 1;
    mt_put_u32(b + MT_HDR_CRC, mt_crc32(0, b + MT_HDR_FINGERPRINT, g_len - MT_HDR_FINGERPRINT));
    CHECK_EQ(open_status(b, g_len), MT_E_MODEL_FINGERPRINT);
    b = fresh();
    mt_put_u32(b + MT_HDR_HEADER_BYTES, 64);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_LAYOUT);
    b = fresh();
    mt_put_u32(b + MT_HDR_DATA_BYTES, mt_get_u32(b + MT_HDR_DATA_BYTES) - 4);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_LAYOUT);
    b = fresh();
    mt_put_u32(b + MT_HDR_FILE_BYTES, 64);
    CHECK_EQ(open_status(b, g_len), MT_E_MODEL_LAYOUT);
    b = fresh();
    mt_put_u16(b + MT_HDR_N_OPS, 0);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_LIMIT);
    b = fresh();
    mt_put_u16(b + MT_HDR_N_TENSORS, MT_MAX_TENSORS + 1);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_LIMIT);
}

static void test_tensor_and_input_faults(void) {
    uint8_t *b = fresh();
    mt_put_u16(b + TENSOR(2), 0);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_SHAPE);
    b = fresh();
    mt_put_f32(b + TENSOR(3) + MT_TENSOR_REC_SCALE, 0.0f / 0.0f);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_f32(b + TENSOR(3) + MT_TENSOR_REC_SCALE, -1.0f);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_u32(b + TENSOR(1) + MT_TENSOR_REC_ZERO_POINT, 200);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_f32(b + MT_HDR_STD + 4, 0.0f);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_INPUT);
    b = fresh();
    b[MT_HDR_ORDER] = MT_ORDER_GRAY; /* grey order with a 3-channel input */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_INPUT);
    b = fresh();
    b[MT_HDR_ORDER] = 7;
    CHECK_EQ(open_resealed(b), MT_E_MODEL_INPUT);
    b = fresh();
    mt_put_u32(b + MT_HDR_LUT, (uint32_t)g_len - 100); /* LUT runs past the end */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_RANGE);
    b = fresh();
    mt_put_u16(b + MT_HDR_INPUT, MT_SMALL_MODEL_TENSORS);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);
}

static void test_op_faults(void) {
    uint8_t *b = fresh();
    b[OP(1)] = 9;
    CHECK_EQ(open_resealed(b), MT_E_MODEL_OP);
    b = fresh();
    mt_put_u16(b + OP(1) + MT_OP_REC_INPUT0, 6); /* reads t6 before op5 writes it */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);
    b = fresh();
    mt_put_u16(b + OP(1) + MT_OP_REC_OUTPUT, 1); /* writes t1 a second time */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);
    b = fresh();
    mt_put_u16(b + OP(1) + MT_OP_REC_INPUT1, 0); /* a second input on a depthwise op */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);
    b = fresh();
    mt_put_u16(b + OP(4) + MT_OP_REC_INPUT0, 200); /* out of range */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);
    b = fresh();
    mt_put_u16(b + MT_HDR_SPLIT, 0);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);
    b = fresh();
    mt_put_u16(b + MT_HDR_SPLIT, 3); /* the part feature is not written by op split-1 */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);
    b = fresh();
    mt_put_u16(b + MT_HDR_FULL_FEATURE, 6);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_GRAPH);

    b = fresh();
    b[OP(0) + MT_OP_REC_KH] = 5; /* kernel 5 with the same output size: inconsistent */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_SHAPE);
    b = fresh();
    b[OP(0) + MT_OP_REC_STRIDE_H] = 0; /* stride 0 */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_SHAPE);
    b = fresh();
    b[OP(1) + MT_OP_REC_PAD_TOP] = 3; /* pad >= kernel */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_SHAPE);
    b = fresh();
    b[OP(0) + MT_OP_REC_ACT_MIN] = 100; /* act_min > act_max */
    b[OP(0) + MT_OP_REC_ACT_MAX] = 0;
    CHECK_EQ(open_resealed(b), MT_E_MODEL_SHAPE);
    b = fresh();
    mt_put_u16(b + OP(2) + MT_OP_REC_INPUT1, 0); /* add of 4x4x8 and the 8x8x3 input */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_SHAPE);

    b = fresh();
    mt_put_u32(b + OP(0) + MT_OP_REC_WEIGHTS_OFFSET, (uint32_t)g_len - 8); /* weights run past the end */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_RANGE);
    b = fresh();
    mt_put_u32(b + OP(0) + MT_OP_REC_BIAS_OFFSET, mt_get_u32(b + OP(0) + MT_OP_REC_BIAS_OFFSET) + 2); /* unaligned bias */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_RANGE);
    b = fresh();
    mt_put_u32(b + OP(4) + MT_OP_REC_WEIGHTS_OFFSET, 64); /* points into the header */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_RANGE);

    b = fresh();
    uint32_t rq = mt_get_u32(b + OP(4) + MT_OP_REC_REQUANT_OFFSET);
    mt_put_u32(b + rq, 1000); /* multiplier below 2^30 */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_u32(b + rq + 4 * 16, 40); /* shift out of range */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_u32(b + mt_get_u32(b + OP(4) + MT_OP_REC_BIAS_OFFSET), 0x7FFFFFF0u); /* bias that could overflow */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_f32(b + mt_get_u32(b + OP(4) + MT_OP_REC_WSCALE_OFFSET), 0.0f);
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_u32(b + OP(2) + MT_OP_REC_PARAMS + 24, 30); /* add left_shift too large */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_u32(b + OP(2) + MT_OP_REC_PARAMS + 4, 3); /* add input shift > 0 */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
    b = fresh();
    mt_put_u32(b + OP(3) + MT_OP_REC_PARAMS, 5); /* pool multiplier */
    CHECK_EQ(open_resealed(b), MT_E_MODEL_QUANT);
}

static void test_arguments(void) {
    mt_model_t m;
    CHECK_EQ(mt_model_open(NULL, g_base, g_len), MT_E_ARG);
    CHECK_EQ(mt_model_open(&m, NULL, g_len), MT_E_ARG);
    CHECK_EQ(mt_model_arena_bytes(NULL), 0);
    CHECK_EQ(mt_model_open(&m, fresh(), 3), MT_E_MODEL_TRUNCATED);
    CHECK(m.bytes == NULL); /* a failed open leaves nothing usable */
}

static void test_strerror(void) {
    for (int code = MT_OK; code >= MT_E_CLASSES; code--) {
        const char *s = mt_strerror(code);
        CHECK(s != NULL && s[0] != '\0' && strcmp(s, "unknown status code") != 0);
    }
    CHECK(strcmp(mt_strerror(1), "unknown status code") == 0);
    CHECK(strcmp(mt_strerror(MT_E_CLASSES - 1), "unknown status code") == 0);
}

int main(void) {
    g_len = mt_build_small_model((uint8_t *)g_base, CAP, 1);
    if (!CHECK(g_len > 0)) return mt_test_summary("test_model");
    test_valid();
    test_header_faults();
    test_tensor_and_input_faults();
    test_op_faults();
    test_arguments();
    test_strerror();
    return mt_test_summary("test_model");
}
