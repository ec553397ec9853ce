/* GLOBAL_AVG_POOL_DIV (TFLite's rounding of AVERAGE_POOL_2D and MEAN, docs/model-format.md):
 * the kernel against a double-precision mean rounded half away from zero (every output exact),
 * the loader's checks of the op (quantization, multiplier, unused params 0, shape), and the op
 * run by the executor inside a model, in both modes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/kernels.h"
#include "microt/model.h"
#include "model_builder.h"
#include "test_util.h"

#define MAX_HW 64
#define MAX_C 40

static int8_t g_in[MAX_HW * MAX_HW * MAX_C];

/* round_half_away(acc / n) in double, acc = sum (x - zp) requantized when mult != 0: an
 * independent route to TFLite's integer division. */
static int ref_mean(const int8_t *in, int n, int c, int ch, int zp, int32_t mult, int32_t shift) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += in[i * c + ch] - zp;
    if (mult) s = mt_requant(s, mult, shift);
    double m = (double)s / n;
    return (int)(m < 0 ? -floor(-m + 0.5) : floor(m + 0.5));
}

static void test_kernel(void) {
    mt_rng_t rng;
    mt_rng_seed(&rng, 0x5eed00d1u);
    int8_t out[MAX_C + 1], want[MAX_C];
    size_t bad = 0;
    for (int rep = 0; rep < 400; rep++) {
        /* n = 9 (a 3x3 map, the VWW case), odd and even counts, ties and the largest map */
        int h = rep == 0 ? 64 : rep % 4 == 1 ? 3 : mt_rng_range(&rng, 1, 12);
        int w = rep == 0 ? 64 : rep % 4 == 1 ? 3 : mt_rng_range(&rng, 1, 12);
        int c = mt_rng_range(&rng, 1, MAX_C);
        int lo = mt_rng_range(&rng, -128, 127), hi = mt_rng_range(&rng, lo, 127);
        if (rep == 2) lo = hi = -128; /* the most negative sum */
        for (int i = 0; i < h * w * c; i++) g_in[i] = (int8_t)mt_rng_range(&rng, lo, hi);
        int8_t act_min = (int8_t)(rep % 3 == 0 ? mt_rng_range(&rng, -128, 0) : -128);
        int8_t act_max = (int8_t)(rep % 5 == 0 ? mt_rng_range(&rng, act_min, 127) : 127);
        /* odd reps: MEAN's mode, M = s_in / s_out in [1/4, 4) with zero points */
        int32_t mult = 0, shift = 0, zp_in = 0, zp_out = 0;
        if (rep % 2) {
            mult = mt_rng_range(&rng, 1 << 30, 0x7fffffff);
            shift = mt_rng_range(&rng, -1, 2);
            zp_in = mt_rng_range(&rng, -128, 127);
            zp_out = mt_rng_range(&rng, -128, 127);
        }
        out[c] = 0x5a; /* guard */
        mt_avgpool_div_s8(h, w, c, g_in, zp_in, zp_out, mult, shift, act_min, act_max, out);
        for (int ch = 0; ch < c; ch++) {
            int v = ref_mean(g_in, h * w, c, ch, zp_in, mult, shift) + zp_out;
            want[ch] = (int8_t)(v < act_min ? act_min : v > act_max ? act_max : v);
        }
        bad += mt_check_s8(out, want, (size_t)c, 0, "mt_avgpool_div_s8");
        CHECK(out[c] == 0x5a);
    }
    /* exact ties: sums of +-n/2 round away from zero, as C's truncating (acc +- n/2) / n */
    int8_t two[2] = {0, 1}, neg[2] = {0, -1}, r;
    mt_avgpool_div_s8(1, 2, 1, two, 0, 0, 0, 0, -128, 127, &r);
    CHECK_EQ(r, 1);
    mt_avgpool_div_s8(1, 2, 1, neg, 0, 0, 0, 0, -128, 127, &r);
    CHECK_EQ(r, -1);
    CHECK_EQ(bad, 0);
}

/* The small test model with op 5 (t5 4x4x16 -> t6 1x1x16) turned into GLOBAL_AVG_POOL_DIV. */
static size_t div_model(uint8_t *buf, size_t cap) {
    size_t len = mt_build_small_model(buf, cap, 7);
    uint8_t *op5 = buf + mt_op_record(MT_SMALL_MODEL_TENSORS, 5);
    uint8_t *t5 = buf + mt_tensor_record(5), *t6 = buf + mt_tensor_record(6);
    op5[0] = MT_OP_GLOBAL_AVG_POOL_DIV;
    memset(op5 + 36, 0, 28);
    memcpy(t6 + 8, t5 + 8, 8); /* same scale and zero point */
    mt_reseal(buf, len);
    return len;
}

static mt_status_t open_mutated(uint8_t *buf, size_t len, size_t at, uint8_t value) {
    static uint8_t copy[16384] __attribute__((aligned(4)));
    memcpy(copy, buf, len);
    copy[at] = value;
    mt_reseal(copy, len);
    mt_model_t m;
    return mt_model_open(&m, copy, len);
}

static void test_loader_and_exec(void) {
    static uint8_t buf[16384] __attribute__((aligned(4)));
    size_t len = div_model(buf, sizeof buf);
    CHECK(len > 0);
    mt_model_t m;
    CHECK_EQ(mt_model_open(&m, buf, len), MT_OK);
    mt_op_info_t info;
    CHECK_EQ(mt_model_op(&m, 5, &info), MT_OK);
    CHECK_EQ(info.type, MT_OP_GLOBAL_AVG_POOL_DIV);
    CHECK_EQ(info.macs, 4 * 4 * 16);
    CHECK(strcmp(mt_op_type_name(MT_OP_GLOBAL_AVG_POOL_DIV), "avgpool_div") == 0);

    size_t op5 = mt_op_record(MT_SMALL_MODEL_TENSORS, 5), t6 = mt_tensor_record(6);
    CHECK_EQ(open_mutated(buf, len, t6 + 12, (uint8_t)(buf[t6 + 12] + 1)), MT_E_MODEL_QUANT); /* zp */
    CHECK_EQ(open_mutated(buf, len, t6 + 8, (uint8_t)(buf[t6 + 8] ^ 1)), MT_E_MODEL_QUANT);   /* scale */
    CHECK_EQ(open_mutated(buf, len, op5 + 36, 1), MT_E_MODEL_QUANT);  /* mult 1: invalid */
    CHECK_EQ(open_mutated(buf, len, op5 + 40, 1), MT_E_MODEL_QUANT);  /* shift without mult */
    CHECK_EQ(open_mutated(buf, len, op5 + 44, 1), MT_E_MODEL_QUANT);  /* params[2] */
    CHECK_EQ(open_mutated(buf, len, op5 + 60, 1), MT_E_MODEL_QUANT);  /* params[6] */
    /* MEAN's mode: any quantization, a valid multiplier, the sum kept inside int32 */
    static uint8_t mean[16384] __attribute__((aligned(4)));
    memcpy(mean, buf, len);
    mt_put_u32(mean + op5 + 36, 0x60000000u); /* M = 0.75 * 2^shift */
    mt_put_u32(mean + t6 + 12, (uint32_t)-9);
    mt_reseal(mean, len);
    mt_model_t mm;
    CHECK_EQ(mt_model_open(&mm, mean, len), MT_OK);
    CHECK_EQ(open_mutated(mean, len, op5 + 40, 24), MT_E_MODEL_QUANT); /* 16*255 << 24 wraps */
    CHECK_EQ(open_mutated(mean, len, op5 + 40, 19), MT_OK);
    CHECK_EQ(open_mutated(buf, len, op5, 7), MT_E_MODEL_OP);          /* the next, unknown type */
    CHECK_EQ(open_mutated(buf, len, t6 + 4, 17), MT_E_MODEL_SHAPE);   /* 16 -> 17 channels */

    static uint8_t arena[65536] __attribute__((aligned(4)));
    mt_exec_t x;
    CHECK_EQ(mt_exec_init(&x, &m, arena, sizeof arena), MT_OK);
    uint8_t px[8 * 8 * 3];
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 37u + 11u);
    CHECK_EQ(mt_exec_set_input_u8(&x, px, sizeof px), MT_OK);
    for (int k = 0; k < 6; k++) CHECK_EQ(mt_exec_step(&x), MT_OK);
    const int8_t *t5v = (const int8_t *)(arena + m.plan.tensor_offset[5]);
    const int8_t *t6v = (const int8_t *)(arena + m.plan.tensor_offset[6]);
    int8_t want[16];
    for (int ch = 0; ch < 16; ch++) want[ch] = (int8_t)ref_mean(t5v, 16, 16, ch, 0, 0, 0);
    CHECK_EQ(mt_check_s8(t6v, want, 16, 0, "GLOBAL_AVG_POOL_DIV in the executor"), 0);

    /* the MEAN mode in the executor: the zero points of t5 and t6 are used */
    CHECK_EQ(mt_exec_init(&x, &mm, arena, sizeof arena), MT_OK);
    CHECK_EQ(mt_exec_set_input_u8(&x, px, sizeof px), MT_OK);
    for (int k = 0; k < 6; k++) CHECK_EQ(mt_exec_step(&x), MT_OK);
    mt_tensor_info_t i5, i6;
    mt_model_tensor(&mm, 5, &i5);
    mt_model_tensor(&mm, 6, &i6);
    t5v = (const int8_t *)(arena + mm.plan.tensor_offset[5]);
    t6v = (const int8_t *)(arena + mm.plan.tensor_offset[6]);
    for (int ch = 0; ch < 16; ch++) {
        int v = ref_mean(t5v, 16, 16, ch, i5.zero_point, 0x60000000, 0) + i6.zero_point;
        want[ch] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    CHECK_EQ(mt_check_s8(t6v, want, 16, 0, "GLOBAL_AVG_POOL_DIV (MEAN) in the executor"), 0);
}

int main(void) {
    test_kernel();
    test_loader_and_exec();
    return mt_test_summary("test_avgpool_div");
}
