/* Executor: runs a validated model's ops in file order on the planned arena. It can stop
 * after the part stage and later resume the rest from the activations left in the arena,
 * which is what stage-decision inference needs. It never allocates and never reads
 * outside the model or the arena (mt_model_open proved every offset). */
#include <stdint.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/kernels.h"
#include "model_records.h"

mt_status_t mt_exec_init(mt_exec_t *exec, const mt_model_t *model, void *arena,
                         size_t arena_bytes) {
    if (!exec) return MT_E_ARG;
    memset(exec, 0, sizeof *exec);
    if (!model || !model->bytes || !arena) return MT_E_ARG;
    if (((uintptr_t)arena & 3u) != 0) return MT_E_ARENA_ALIGN;
    if (model->plan.kernel_set != (uint8_t)mt_kernels_built()) return MT_E_STATE;
    if (arena_bytes < model->plan.arena_bytes) return MT_E_ARENA_TOO_SMALL;
    exec->model = model;
    exec->arena = (uint8_t *)arena;
    exec->arena_bytes = arena_bytes;
    return MT_OK;
}

static int8_t *tensor_data(const mt_exec_t *exec, uint16_t t) {
    return (int8_t *)(void *)(exec->arena + exec->model->plan.tensor_offset[t]);
}

static size_t input_bytes(const mt_model_t *m) {
    mt_tensor_info_t in;
    mt_tensor_read(m, m->input_tensor, &in);
    return (size_t)in.h * in.w * in.c;
}

mt_status_t mt_exec_set_input_u8(mt_exec_t *exec, const uint8_t *pixels, size_t len) {
    if (!exec || !exec->model || !pixels) return MT_E_ARG;
    const mt_model_t *m = exec->model;
    if (len != input_bytes(m)) return MT_E_SHAPE;
    mt_tensor_info_t in;
    mt_tensor_read(m, m->input_tensor, &in);
    int8_t *dst = tensor_data(exec, m->input_tensor);
    for (size_t i = 0; i < len; i++) {
        size_t channel = i % in.c; /* [h][w][c]: the channel cycles fastest */
        dst[i] = m->input_lut[channel * 256u + pixels[i]];
    }
    exec->next_op = 0;
    exec->has_input = 1;
    return MT_OK;
}

mt_status_t mt_exec_set_input_s8(mt_exec_t *exec, const int8_t *input, size_t len) {
    if (!exec || !exec->model || !input) return MT_E_ARG;
    if (len != input_bytes(exec->model)) return MT_E_SHAPE;
    memcpy(tensor_data(exec, exec->model->input_tensor), input, len);
    exec->next_op = 0;
    exec->has_input = 1;
    return MT_OK;
}

static void run_op(const mt_exec_t *exec, uint16_t index) {
    const mt_model_t *m = exec->model;
    const mt_kernels_t *k = mt_kernels((mt_kernel_set_t)m->plan.kernel_set); /* checked at init */
    mt_op_rec_t op;
    mt_op_read(m, index, &op);
    const int8_t *in0 = tensor_data(exec, op.input0);
    int8_t *out = tensor_data(exec, op.output);
    void *scratch = exec->arena + m->plan.scratch_offset[index];
    const int8_t *weights = (const int8_t *)(const void *)(m->bytes + op.weights_offset);
    const int32_t *bias = (const int32_t *)(const void *)(m->bytes + op.bias_offset);
    const int32_t *mult = (const int32_t *)(const void *)(m->bytes + op.requant_offset);
    mt_tensor_info_t tin, tout;
    mt_tensor_read(m, op.input0, &tin);
    mt_tensor_read(m, op.output, &tout);
    mt_requant_t rq = {mult, mult + tout.c};
    mt_conv_params_t p;

    switch (op.type) {
    case MT_OP_CONV2D:
        mt_op_conv_params(m, &op, &p);
        (mt_conv_is_pointwise(&p) ? k->pointwise : k->conv)(&p, in0, weights, bias, rq, out, scratch);
        break;
    case MT_OP_DEPTHWISE_CONV2D:
        mt_op_conv_params(m, &op, &p);
        k->depthwise(&p, in0, weights, bias, rq, out, scratch);
        break;
    case MT_OP_FULLY_CONNECTED:
        k->fully_connected((int32_t)tin.h * tin.w * tin.c, tout.c, in0, weights, bias,
                           tin.zero_point, tout.zero_point, op.act_min, op.act_max, rq, out);
        break;
    case MT_OP_ADD: {
        mt_add_params_t ap;
        mt_op_add_params(m, &op, &ap);
        ap.scratch = scratch;
        k->add(&ap, (int32_t)tin.h * tin.w * tin.c, in0, tensor_data(exec, op.input1), out);
        break;
    }
    case MT_OP_GLOBAL_AVG_POOL:
        mt_avgpool_s8(tin.h, tin.w, tin.c, in0, tin.zero_point, tout.zero_point,
                      op.params[MT_POOL_MULT], op.params[MT_POOL_SHIFT], op.act_min, op.act_max,
                      out);
        break;
    case MT_OP_GLOBAL_AVG_POOL_DIV: {
        int32_t pm = op.params[MT_POOL_MULT]; /* 0: the raw mean, zero points not used */
        mt_avgpool_div_s8(tin.h, tin.w, tin.c, in0, pm ? tin.zero_point : 0,
                          pm ? tout.zero_point : 0, pm, op.params[MT_POOL_SHIFT], op.act_min,
                          op.act_max, out);
        break;
    }
    default:
        break; /* unreachable: the loader refused unknown ops */
    }
}

static mt_status_t run_range(mt_exec_t *exec, uint16_t from, uint16_t to) {
    for (uint16_t i = from; i < to; i++) run_op(exec, i);
    exec->next_op = to;
    return MT_OK;
}

mt_status_t mt_exec_run_part(mt_exec_t *exec) {
    if (!exec || !exec->model) return MT_E_ARG;
    if (!exec->has_input || exec->next_op != 0) return MT_E_STATE;
    return run_range(exec, 0, exec->model->split_op);
}

mt_status_t mt_exec_resume_full(mt_exec_t *exec) {
    if (!exec || !exec->model) return MT_E_ARG;
    if (!exec->has_input || exec->next_op != exec->model->split_op) return MT_E_STATE;
    return run_range(exec, exec->model->split_op, exec->model->n_ops);
}

mt_status_t mt_exec_step(mt_exec_t *exec) {
    if (!exec || !exec->model) return MT_E_ARG;
    if (!exec->has_input || exec->next_op >= exec->model->n_ops) return MT_E_STATE;
    return run_range(exec, exec->next_op, (uint16_t)(exec->next_op + 1));
}

mt_status_t mt_exec_run_full(mt_exec_t *exec) {
    mt_status_t st = mt_exec_run_part(exec);
    return st == MT_OK ? mt_exec_resume_full(exec) : st;
}

mt_status_t mt_exec_features_s8(const mt_exec_t *exec, mt_stage_t stage, const int8_t **features,
                                uint32_t *len, float *scale, int32_t *zero_point) {
    if (!exec || !exec->model || !features || !len || !scale || !zero_point) return MT_E_ARG;
    if (stage != MT_STAGE_PART && stage != MT_STAGE_FULL) return MT_E_ARG;
    const mt_model_t *m = exec->model;
    uint16_t needed = stage == MT_STAGE_PART ? m->split_op : m->n_ops;
    if (!exec->has_input || exec->next_op < needed) return MT_E_STATE;
    uint16_t t = stage == MT_STAGE_PART ? m->part_feature_tensor : m->full_feature_tensor;
    mt_tensor_info_t info;
    mt_tensor_read(m, t, &info);
    *features = tensor_data(exec, t);
    *len = info.c;
    *scale = info.scale;
    *zero_point = info.zero_point;
    return MT_OK;
}

mt_status_t mt_exec_features_f32(const mt_exec_t *exec, mt_stage_t stage, float *out,
                                 size_t len) {
    const int8_t *q;
    uint32_t n;
    float scale;
    int32_t zp;
    if (!out) return MT_E_ARG;
    mt_status_t st = mt_exec_features_s8(exec, stage, &q, &n, &scale, &zp);
    if (st != MT_OK) return st;
    if (len != n) return MT_E_SHAPE;
    for (uint32_t i = 0; i < n; i++) out[i] = scale * (float)((int32_t)q[i] - zp);
    return MT_OK;
}
