/* Executor tests: arena and call-order errors, the planned peak is respected (canary bytes
 * after it stay untouched), results do not depend on arena garbage, the part stage then a
 * resume equals one uninterrupted pass, and the plan never overlaps two live tensors. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "microt/exec.h"
#include "model_builder.h"
#include "test_util.h"

#define CAP 8192
#define CANARY 64
static uint32_t g_model_buf[CAP / 4];
static uint32_t g_arena_a[16384 / 4];
static uint32_t g_arena_b[16384 / 4];

static void random_pixels(uint8_t *px, size_t n, uint32_t seed) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++) px[i] = (uint8_t)mt_rng_u32(&rng);
}

static void test_errors(const mt_model_t *m) {
    mt_exec_t x;
    size_t need = mt_model_arena_bytes(m);
    CHECK_EQ(mt_exec_init(&x, m, g_arena_a, need - 1), MT_E_ARENA_TOO_SMALL);
    CHECK_EQ(mt_exec_init(&x, m, (uint8_t *)g_arena_a + 1, need), MT_E_ARENA_ALIGN);
    CHECK_EQ(mt_exec_init(&x, NULL, g_arena_a, need), MT_E_ARG);
    CHECK_EQ(mt_exec_init(&x, m, g_arena_a, need), MT_OK);
    /* A plan made for another kernel set's scratch is for reporting only: it cannot run. */
    mt_model_t other = *m;
    mt_kernel_set_t foreign = mt_kernels_built() == MT_KERNELS_REF ? MT_KERNELS_DSP : MT_KERNELS_REF;
    CHECK_EQ(mt_model_plan_for(&other, foreign), MT_OK);
    CHECK_EQ(mt_exec_init(&x, &other, g_arena_a, sizeof g_arena_a), MT_E_STATE);
    CHECK_EQ(mt_model_plan_for(&other, (mt_kernel_set_t)7), MT_E_ARG);
    CHECK_EQ(mt_model_plan_for(&other, mt_kernels_built()), MT_OK);
    CHECK_EQ(other.plan.arena_bytes, m->plan.arena_bytes);
    CHECK_EQ(mt_exec_init(&x, m, g_arena_a, need), MT_OK);
    CHECK_EQ(mt_exec_run_part(&x), MT_E_STATE); /* no input yet */
    uint8_t px[8 * 8 * 3];
    CHECK_EQ(mt_exec_set_input_u8(&x, px, sizeof px - 1), MT_E_SHAPE);
    random_pixels(px, sizeof px, 7);
    CHECK_EQ(mt_exec_set_input_u8(&x, px, sizeof px), MT_OK);
    CHECK_EQ(mt_exec_resume_full(&x), MT_E_STATE); /* resume before the part stage */
    float f[12];
    CHECK_EQ(mt_exec_features_f32(&x, MT_STAGE_PART, f, 8), MT_E_STATE);
    CHECK_EQ(mt_exec_run_part(&x), MT_OK);
    CHECK_EQ(mt_exec_features_f32(&x, MT_STAGE_PART, f, 8), MT_OK);
    CHECK_EQ(mt_exec_features_f32(&x, MT_STAGE_PART, f, 7), MT_E_SHAPE);
    CHECK_EQ(mt_exec_features_f32(&x, MT_STAGE_FULL, f, 12), MT_E_STATE);
    CHECK_EQ(mt_exec_run_part(&x), MT_E_STATE); /* twice on one input */
    CHECK_EQ(mt_exec_resume_full(&x), MT_OK);
    CHECK_EQ(mt_exec_features_f32(&x, MT_STAGE_FULL, f, 12), MT_OK);
    CHECK_EQ(mt_exec_resume_full(&x), MT_E_STATE);
}

/* Runs one input through a fresh arena filled with `fill`, CANARY bytes after the peak. */
static void run_in(const mt_model_t *m, uint32_t *arena, uint8_t fill, const uint8_t *px,
                   int resume_split, int8_t *part, int8_t *full) {
    size_t need = mt_model_arena_bytes(m);
    memset(arena, fill, need + CANARY);
    mt_exec_t x;
    CHECK_EQ(mt_exec_init(&x, m, arena, need), MT_OK);
    CHECK_EQ(mt_exec_set_input_u8(&x, px, 8 * 8 * 3), MT_OK);
    if (resume_split) {
        CHECK_EQ(mt_exec_run_part(&x), MT_OK);
        const int8_t *q;
        uint32_t n;
        float s;
        int32_t zp;
        CHECK_EQ(mt_exec_features_s8(&x, MT_STAGE_PART, &q, &n, &s, &zp), MT_OK);
        memcpy(part, q, n);
        /* Between the stages the caller may do anything else, e.g. run a head. */
        CHECK_EQ(mt_exec_resume_full(&x), MT_OK);
    } else {
        CHECK_EQ(mt_exec_run_full(&x), MT_OK);
    }
    const int8_t *q;
    uint32_t n;
    float s;
    int32_t zp;
    CHECK_EQ(mt_exec_features_s8(&x, MT_STAGE_FULL, &q, &n, &s, &zp), MT_OK);
    memcpy(full, q, n);
    if (!resume_split) {
        CHECK_EQ(mt_exec_features_s8(&x, MT_STAGE_PART, &q, &n, &s, &zp), MT_OK);
        memcpy(part, q, n);
    }
    const uint8_t *bytes = (const uint8_t *)arena;
    size_t touched = 0;
    for (size_t i = need; i < need + CANARY; i++) touched += bytes[i] != fill;
    CHECK_EQ(touched, 0);
}

static void test_resume_and_canary(const mt_model_t *m) {
    uint32_t n_part = mt_model_feature_len(m, MT_STAGE_PART);
    uint32_t n_full = mt_model_feature_len(m, MT_STAGE_FULL);
    for (uint32_t seed = 1; seed <= 5; seed++) {
        uint8_t px[8 * 8 * 3];
        random_pixels(px, sizeof px, seed);
        int8_t part_a[16], full_a[16], part_b[16], full_b[16];
        run_in(m, g_arena_a, 0x00, px, 1, part_a, full_a);
        run_in(m, g_arena_b, 0xA5, px, 0, part_b, full_b);
        mt_check_s8(part_a, part_b, n_part, 0, "part feature, resumed vs one pass");
        mt_check_s8(full_a, full_b, n_full, 0, "full feature, resumed vs one pass");
    }
}

/* Independent check of the plan: tensors alive at the same op never share bytes. */
static void test_plan_has_no_overlap(const mt_model_t *m) {
    uint16_t first[MT_MAX_TENSORS], last[MT_MAX_TENSORS];
    for (uint16_t t = 0; t < m->n_tensors; t++) first[t] = last[t] = 0;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_info_t op;
        mt_model_op(m, i, &op);
        first[op.output] = i;
        if (last[op.output] < i) last[op.output] = i;
        last[op.input0] = i;
        if (op.input1 != MT_NO_TENSOR) last[op.input1] = i;
    }
    last[m->part_feature_tensor] = last[m->full_feature_tensor] = (uint16_t)(m->n_ops - 1);
    size_t clashes = 0;
    for (uint16_t a = 0; a < m->n_tensors; a++) {
        for (uint16_t b = (uint16_t)(a + 1); b < m->n_tensors; b++) {
            int share_time = first[a] <= last[b] && first[b] <= last[a];
            /* An add may write its output over its first input (in place): allowed, unless
             * that input is a stage feature, which must stay readable to the end. */
            int in_place = 0;
            for (uint16_t i = 0; i < m->n_ops; i++) {
                mt_op_info_t op;
                mt_model_op(m, i, &op);
                int feature = op.input0 == m->part_feature_tensor || op.input0 == m->full_feature_tensor;
                int pair = (op.input0 == a && op.output == b) || (op.input0 == b && op.output == a);
                /* a depthwise op may run in place when its kernel set says so (kernels.h) */
                int dw_ok = 0;
                if (op.type == MT_OP_DEPTHWISE_CONV2D && pair) {
                    mt_tensor_info_t ti, to;
                    mt_model_tensor(m, op.input0, &ti);
                    mt_model_tensor(m, op.output, &to);
                    mt_conv_params_t p = {ti.h, ti.w, ti.c, to.h, to.w, to.c, op.kh, op.kw,
                                          op.stride_h, op.stride_w, op.pad_top, op.pad_left,
                                          ti.zero_point, to.zero_point, op.act_min, op.act_max};
                    dw_ok = mt_kernels((mt_kernel_set_t)m->plan.kernel_set)->depthwise_in_place(&p) &&
                            m->plan.tensor_offset[op.input0] == m->plan.tensor_offset[op.output];
                }
                if ((op.type == MT_OP_ADD || dw_ok) && !feature && pair) in_place = 1;
            }
            mt_tensor_info_t ta, tb;
            mt_model_tensor(m, a, &ta);
            mt_model_tensor(m, b, &tb);
            uint32_t a0 = m->plan.tensor_offset[a], a1 = a0 + (uint32_t)ta.h * ta.w * ta.c;
            uint32_t b0 = m->plan.tensor_offset[b], b1 = b0 + (uint32_t)tb.h * tb.w * tb.c;
            if (share_time && !in_place && a0 < b1 && b0 < a1) clashes++;
            CHECK(a1 <= m->plan.arena_bytes && b1 <= m->plan.arena_bytes);
        }
    }
    CHECK_EQ(clashes, 0);
    printf("small model: arena %u bytes planned, %u naive\n", (unsigned)m->plan.arena_bytes,
           (unsigned)m->plan.naive_bytes);
}

/* TFLite's QuantizeMultiplier for a multiplier in (0, 1). */
static void multiplier(double m, int32_t *mult, int32_t *shift) {
    int exp;
    double frac = frexp(m, &exp);
    *mult = (int32_t)llround(frac * 2147483648.0);
    *shift = exp;
}

/* Issue 17: a valid model whose last op is an ADD reading the part-stage feature tensor.
 * The planner used to run that add in place (its first input "dies" there, because both
 * feature tensors are kept to the last op), so the full pass overwrote the part feature:
 * the part feature read after the full pass differed from the one after the part stage.
 * The small model's last op (FC t6 -> t7) becomes t7 = ADD(t4, t4), t7 1x1x8. */
static void test_add_reading_part_feature(void) {
    static uint32_t buf[CAP / 4];
    uint8_t *b = (uint8_t *)buf;
    size_t len = mt_build_small_model(b, CAP, 3);
    mt_model_t m;
    if (!CHECK(len > 0)) return;
    mt_put_u16(b + mt_tensor_record(7) + MT_TENSOR_REC_C, 8); /* t7: 1x1x12 -> 1x1x8 */
    uint8_t *r = b + mt_op_record(MT_SMALL_MODEL_TENSORS, 6);
    float s_in, s_out;
    memcpy(&s_in, b + mt_tensor_record(4) + MT_TENSOR_REC_SCALE, 4);
    memcpy(&s_out, b + mt_tensor_record(7) + MT_TENSOR_REC_SCALE, 4);
    memset(r, 0, MT_OP_RECORD_BYTES);
    r[MT_OP_REC_TYPE] = MT_OP_ADD;
    r[MT_OP_REC_ACT_MIN] = (uint8_t)(int8_t)-128;
    r[MT_OP_REC_ACT_MAX] = 127;
    mt_put_u16(r + MT_OP_REC_INPUT0, 4);
    mt_put_u16(r + MT_OP_REC_INPUT1, 4);
    mt_put_u16(r + MT_OP_REC_OUTPUT, 7);
    int32_t mult, shift;
    multiplier(0.5, &mult, &shift); /* each input's s / (2 max s) */
    uint8_t *params = r + MT_OP_REC_PARAMS; /* in0 mult, shift, in1 mult, shift, out ..., left shift */
    mt_put_u32(params, (uint32_t)mult);
    mt_put_u32(params + 4, (uint32_t)shift);
    mt_put_u32(params + 8, (uint32_t)mult);
    mt_put_u32(params + 12, (uint32_t)shift);
    multiplier(2.0 * s_in / ((1 << 20) * (double)s_out), &mult, &shift);
    mt_put_u32(params + 16, (uint32_t)mult);
    mt_put_u32(params + 20, (uint32_t)shift);
    mt_put_u32(params + 24, 20);
    mt_reseal(b, len);
    if (!CHECK_EQ(mt_model_open(&m, buf, len), MT_OK)) return;
    CHECK(m.plan.tensor_offset[4] != m.plan.tensor_offset[7]);
    test_resume_and_canary(&m);
    test_plan_has_no_overlap(&m);
}

int main(void) {
    size_t len = mt_build_small_model((uint8_t *)g_model_buf, CAP, 1);
    mt_model_t m;
    if (!CHECK_EQ(mt_model_open(&m, g_model_buf, len), MT_OK)) return mt_test_summary("test_exec");
    if (!CHECK(mt_model_arena_bytes(&m) + CANARY <= sizeof g_arena_a)) return mt_test_summary("test_exec");
    test_errors(&m);
    test_resume_and_canary(&m);
    test_plan_has_no_overlap(&m);
    test_add_reading_part_feature();
    return mt_test_summary("test_exec");
}
