/* libFuzzer target on structurally valid models (model_gen.c: random graphs, shapes and
 * quantization parameters): each must open, and then
 *   - every kernel set computes the same integers: each op runs with the reference, the DSP
 *     (portable twin on the host) and the host kernels on their own buffers (one malloc per
 *     tensor and per scratch, so ASan sees any access outside), compared op by op;
 *   - the executor (this build's kernel set, the planned arena) gives the reference's
 *     features: part then resume = one full pass = the reference, and the part feature is
 *     still the reference's after the rest has run (issue 17: a rest-stage op once
 *     overwrote it in the arena).
 * A refusal, a mismatch or a sanitizer report is a finding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model_records.h"
#include "fuzz_common.h"
#include "microt/exec.h"
#include "microt/kernels.h"
#include "microt/model.h"
#include "model_gen.h"

static const char *const SET_NAME[MT_KERNEL_SET_COUNT] = {"ref", "dsp", "host"};

static void *scratch_of(size_t n) { return n ? malloc(n) : NULL; }

/* Runs op i of m with kernel set k on t[] (one buffer per tensor). */
static void run_op(const mt_model_t *m, const mt_kernels_t *k, uint16_t i, int8_t **t) {
    mt_op_rec_t op;
    mt_op_read(m, i, &op);
    mt_tensor_info_t tin, tout;
    mt_tensor_read(m, op.input0, &tin);
    mt_tensor_read(m, op.output, &tout);
    const int8_t *w = (const int8_t *)(const void *)(m->bytes + op.weights_offset);
    const int32_t *bias = (const int32_t *)(const void *)(m->bytes + op.bias_offset);
    const int32_t *mult = (const int32_t *)(const void *)(m->bytes + op.requant_offset);
    mt_requant_t rq = {mult, mult + tout.c};
    mt_conv_params_t p;
    void *scratch = NULL;
    switch (op.type) {
    case MT_OP_CONV2D:
        mt_op_conv_params(m, &op, &p);
        if (mt_conv_is_pointwise(&p)) {
            scratch = scratch_of(k->pointwise_scratch_bytes(&p));
            k->pointwise(&p, t[op.input0], w, bias, rq, t[op.output], scratch);
        } else {
            scratch = scratch_of(k->conv_scratch_bytes(&p));
            k->conv(&p, t[op.input0], w, bias, rq, t[op.output], scratch);
        }
        break;
    case MT_OP_DEPTHWISE_CONV2D:
        mt_op_conv_params(m, &op, &p);
        scratch = scratch_of(k->depthwise_scratch_bytes(&p));
        k->depthwise(&p, t[op.input0], w, bias, rq, t[op.output], scratch);
        break;
    case MT_OP_FULLY_CONNECTED:
        k->fully_connected((int32_t)tin.h * tin.w * tin.c, tout.c, t[op.input0], w, bias,
                           tin.zero_point, tout.zero_point, op.act_min, op.act_max, rq, t[op.output]);
        break;
    case MT_OP_ADD: {
        mt_add_params_t ap;
        mt_op_add_params(m, &op, &ap);
        int32_t len = (int32_t)tin.h * tin.w * tin.c;
        ap.scratch = scratch = scratch_of(k->add_scratch_bytes(&ap, len));
        k->add(&ap, len, t[op.input0], t[op.input1], t[op.output]);
        break;
    }
    case MT_OP_GLOBAL_AVG_POOL:
        mt_avgpool_s8(tin.h, tin.w, tin.c, t[op.input0], tin.zero_point, tout.zero_point,
                      op.params[MT_POOL_MULT], op.params[MT_POOL_SHIFT], op.act_min, op.act_max,
                      t[op.output]);
        break;
    default:
        mt_fuzz_fail("op %u of unknown type %u opened", i, op.type);
    }
    free(scratch);
}

static size_t tensor_bytes(const mt_model_t *m, uint16_t i) {
    mt_tensor_info_t t;
    mt_tensor_read(m, i, &t);
    return (size_t)t.h * t.w * t.c;
}

static void compare(const int8_t *got, const int8_t *want, size_t n, const char *what, unsigned a,
                    unsigned b) {
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            mt_fuzz_fail("%s %u/%u: element %zu of %zu is %d, want %d", what, a, b, i, n, got[i],
                         want[i]);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint32_t file[65536 / 4];
    mt_fuzz_bytes_t in = {data, size};
    size_t len = mt_fuzz_build_model(&in, (uint8_t *)file, sizeof file);
    if (len == 0) return 0; /* the graph did not fit the buffer */
    mt_model_t m;
    mt_status_t st = mt_model_open(&m, file, len);
    if (st != MT_OK) mt_fuzz_fail("a valid model refused: %s", mt_strerror(st));

    /* The input: pixels from the rest of the bytes, through the model's LUT as the executor does. */
    size_t n_in = tensor_bytes(&m, m.input_tensor);
    uint8_t *pixels = malloc(n_in);
    for (size_t i = 0; i < n_in; i++) pixels[i] = mt_fuzz_u8(&in) ^ (uint8_t)(i * 151u);
    mt_tensor_info_t tin;
    mt_tensor_read(&m, m.input_tensor, &tin);

    int8_t *t[MT_KERNEL_SET_COUNT][MT_MAX_TENSORS];
    for (int s = 0; s < MT_KERNEL_SET_COUNT; s++) {
        for (uint16_t i = 0; i < m.n_tensors; i++) t[s][i] = malloc(tensor_bytes(&m, i));
        for (size_t i = 0; i < n_in; i++) {
            t[s][m.input_tensor][i] = m.input_lut[(i % tin.c) * 256u + pixels[i]];
        }
    }
    for (uint16_t i = 0; i < m.n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(&m, i, &op);
        for (int s = 0; s < MT_KERNEL_SET_COUNT; s++) {
            const mt_kernels_t *k = mt_kernels((mt_kernel_set_t)s);
            if (k) run_op(&m, k, i, t[s]);
        }
        for (int s = 1; s < MT_KERNEL_SET_COUNT; s++) {
            if (!mt_kernels((mt_kernel_set_t)s)) continue;
            char what[64];
            snprintf(what, sizeof what, "op %u (type %u), %s vs ref", i, op.type, SET_NAME[s]);
            compare(t[s][op.output], t[0][op.output], tensor_bytes(&m, op.output), what, i, op.type);
        }
    }

    /* The executor on the planned arena: part, resume, and one pass. */
    size_t arena_bytes = mt_model_arena_bytes(&m);
    void *arena = malloc(arena_bytes ? arena_bytes : 4);
    mt_exec_t x;
    const int8_t *q;
    uint32_t n;
    float scale;
    int32_t zp;
    size_t np = tensor_bytes(&m, m.part_feature_tensor), nf = tensor_bytes(&m, m.full_feature_tensor);
    if (mt_exec_init(&x, &m, arena, arena_bytes) != MT_OK ||
        mt_exec_set_input_u8(&x, pixels, n_in) != MT_OK || mt_exec_run_part(&x) != MT_OK ||
        mt_exec_features_s8(&x, MT_STAGE_PART, &q, &n, &scale, &zp) != MT_OK || n != np) {
        mt_fuzz_fail("executor part stage");
    }
    compare(q, t[0][m.part_feature_tensor], np, "part feature after the part stage", 0, 0);
    if (mt_exec_resume_full(&x) != MT_OK ||
        mt_exec_features_s8(&x, MT_STAGE_FULL, &q, &n, &scale, &zp) != MT_OK || n != nf) {
        mt_fuzz_fail("executor resume");
    }
    compare(q, t[0][m.full_feature_tensor], nf, "full feature after resuming", 0, 0);
    if (mt_exec_features_s8(&x, MT_STAGE_PART, &q, &n, &scale, &zp) != MT_OK) mt_fuzz_fail("part");
    compare(q, t[0][m.part_feature_tensor], np, "part feature after the full pass", 0, 0);
    if (mt_exec_set_input_u8(&x, pixels, n_in) != MT_OK || mt_exec_run_full(&x) != MT_OK ||
        mt_exec_features_s8(&x, MT_STAGE_FULL, &q, &n, &scale, &zp) != MT_OK) {
        mt_fuzz_fail("executor one pass");
    }
    compare(q, t[0][m.full_feature_tensor], nf, "full feature of one pass", 0, 0);
    if (mt_exec_features_s8(&x, MT_STAGE_PART, &q, &n, &scale, &zp) != MT_OK) mt_fuzz_fail("part");
    compare(q, t[0][m.part_feature_tensor], np, "part feature of one pass", 0, 0);

    free(arena);
    for (int s = 0; s < MT_KERNEL_SET_COUNT; s++) {
        for (uint16_t i = 0; i < m.n_tensors; i++) free(t[s][i]);
    }
    free(pixels);
    return 0;
}

/* Seeds: a few byte strings that give different graphs (the generator reads any bytes). */
int mt_fuzz_seeds(const char *dir) {
    int rc = 0;
    for (unsigned s = 0; s < 8; s++) {
        uint8_t b[256];
        uint32_t r = 0x9e3779b9u * (s + 1);
        for (size_t i = 0; i < sizeof b; i++) {
            r ^= r << 13, r ^= r >> 17, r ^= r << 5;
            b[i] = (uint8_t)r;
        }
        char name[32];
        snprintf(name, sizeof name, "graph-%u", s);
        rc |= mt_fuzz_write(dir, name, b, sizeof b);
    }
    return rc;
}
