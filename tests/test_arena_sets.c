/* Issue 6's memory rule on the shipped extractors: the arena planned for the Cortex-M DSP
 * kernels is no larger than the one planned for the reference kernels (the DSP kernels may
 * not buy speed with RAM). Also checks each plan independently of the planner's own
 * bookkeeping: every conv/depthwise op's input, output and scratch are disjoint and inside
 * the arena, except a depthwise op's output placed exactly over its input when the kernel set
 * declares it can run that shape in place, and the reference peak is at least the largest
 * input + output pair (a bound computed from the tensor shapes alone).
 * usage: test_arena_sets MODEL.mtm...   (tests/CMakeLists.txt passes the shipped models) */
#include <stdio.h>
#include <stdlib.h>

#include "microt/model.h"
#include "test_util.h"

static uint32_t tensor_bytes(const mt_model_t *m, uint16_t t) {
    mt_tensor_info_t info;
    mt_model_tensor(m, t, &info);
    return (uint32_t)info.h * info.w * info.c;
}

static int disjoint(uint32_t a, uint32_t na, uint32_t b, uint32_t nb) {
    return na == 0 || nb == 0 || a + na <= b || b + nb <= a;
}

/* The kernel parameters of a conv-like op (geometry only). */
static void conv_params(const mt_model_t *m, const mt_op_info_t *op, mt_conv_params_t *p) {
    mt_tensor_info_t in, out;
    mt_model_tensor(m, op->input0, &in);
    mt_model_tensor(m, op->output, &out);
    p->in_h = in.h, p->in_w = in.w, p->in_c = in.c;
    p->out_h = out.h, p->out_w = out.w, p->out_c = out.c;
    p->kh = op->kh, p->kw = op->kw, p->stride_h = op->stride_h, p->stride_w = op->stride_w;
    p->pad_top = op->pad_top, p->pad_left = op->pad_left;
    p->in_zp = in.zero_point, p->out_zp = out.zero_point;
    p->act_min = op->act_min, p->act_max = op->act_max;
}

/* Every conv-like op's three buffers are disjoint and inside the arena (or in == out for a
 * depthwise op the set runs in place); returns the largest input + output of those ops and
 * counts the in-place ops. */
static uint32_t check_plan(const mt_model_t *m, const char *set, mt_kernel_set_t ks, int *n_in_place) {
    const mt_plan_t *pl = &m->plan;
    uint32_t bound = 0;
    *n_in_place = 0;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_info_t op;
        mt_model_op(m, i, &op);
        if (op.type != MT_OP_CONV2D && op.type != MT_OP_DEPTHWISE_CONV2D) continue;
        uint32_t in = pl->tensor_offset[op.input0], n_in = tensor_bytes(m, op.input0);
        uint32_t out = pl->tensor_offset[op.output], n_out = tensor_bytes(m, op.output);
        uint32_t sc = pl->scratch_offset[i], n_sc = pl->scratch_bytes[i];
        mt_conv_params_t p;
        conv_params(m, &op, &p);
        int in_place = op.type == MT_OP_DEPTHWISE_CONV2D && in == out &&
                       mt_kernels(ks)->depthwise_in_place(&p) && n_out <= n_in;
        *n_in_place += in_place;
        int ok = CHECK(in_place || disjoint(in, n_in, out, n_out)) & CHECK(disjoint(in, n_in, sc, n_sc)) &
                 CHECK(disjoint(out, n_out, sc, n_sc)) &
                 CHECK(in + n_in <= pl->arena_bytes && out + n_out <= pl->arena_bytes &&
                       sc + n_sc <= pl->arena_bytes);
        if (!ok) printf("  %s plan, op %u\n", set, i);
        if (n_in + n_out > bound) bound = n_in + n_out;
    }
    return bound;
}

int main(int argc, char **argv) {
    CHECK(argc > 1);
    for (int a = 1; a < argc; a++) {
        size_t len;
        uint8_t *bytes = mt_read_file(argv[a], &len);
        mt_model_t m;
        if (!CHECK(bytes != NULL) || !CHECK_EQ(mt_model_open(&m, bytes, len), MT_OK)) {
            printf("  cannot open %s\n", argv[a]);
            free(bytes);
            continue;
        }
        CHECK_EQ(mt_model_plan_for(&m, MT_KERNELS_REF), MT_OK);
        uint32_t ref = (uint32_t)mt_model_arena_bytes(&m);
        int ref_in_place, dsp_in_place;
        uint32_t bound = check_plan(&m, "reference", MT_KERNELS_REF, &ref_in_place);
        CHECK_EQ(ref_in_place, 0);
        CHECK_EQ(mt_model_plan_for(&m, MT_KERNELS_DSP), MT_OK);
        uint32_t dsp = (uint32_t)mt_model_arena_bytes(&m);
        check_plan(&m, "dsp", MT_KERNELS_DSP, &dsp_in_place);
        uint32_t dsp_scratch = 0;
        for (uint16_t i = 0; i < m.n_ops; i++) {
            if (m.plan.scratch_bytes[i] > dsp_scratch) dsp_scratch = m.plan.scratch_bytes[i];
        }
        CHECK(ref >= bound);
        if (!CHECK(dsp <= ref)) printf("  %s: DSP arena larger than the reference's\n", argv[a]);
        printf("%s: arena %lu B reference, %lu B DSP (largest DSP scratch %lu B, %d depthwise "
               "ops in place; in + out bound %lu B)\n",
               m.name, (unsigned long)ref, (unsigned long)dsp, (unsigned long)dsp_scratch,
               dsp_in_place, (unsigned long)bound);
        free(bytes);
    }
    return mt_test_summary("test_arena_sets");
}
