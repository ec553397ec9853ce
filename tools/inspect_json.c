/* `microt inspect MODEL --json`: the figures of the text report (inspect_json.h), as one
 * JSON object a script can read without parsing columns. */
#include "inspect_json.h"

#include <stdio.h>

#include "microt/model.h"
#include "microt/stage.h"

static const char *order_name(uint8_t order) {
    return order == MT_ORDER_RGB ? "RGB" : order == MT_ORDER_BGR ? "BGR" : "grey";
}

static void shape(mt_json_t *j, const char *key, const mt_model_t *m, uint16_t t) {
    mt_tensor_info_t info;
    mt_model_tensor(m, t, &info);
    mt_json_array_begin(j, key);
    mt_json_uint(j, NULL, info.h);
    mt_json_uint(j, NULL, info.w);
    mt_json_uint(j, NULL, info.c);
    mt_json_array_end(j);
}

static void stage_totals(mt_json_t *j, const char *key, uint64_t macs, uint64_t total,
                         uint64_t weights, uint32_t peak) {
    mt_json_object_begin(j, key);
    mt_json_uint(j, "macs", macs);
    mt_json_number(j, "mac_share", total ? (double)macs / (double)total : 0.0);
    mt_json_uint(j, "weight_bytes", weights);
    mt_json_uint(j, "arena_peak_bytes", peak);
    mt_json_object_end(j);
}

void mt_inspect_model_json(mt_json_t *j, const char *path, const mt_model_t *m) {
    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    char fp[17];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)m->fingerprint);
    mt_json_object_begin(j, "model");
    mt_json_string(j, "path", path);
    mt_json_string(j, "name", m->name);
    mt_json_uint(j, "format_minor", m->version_minor);
    mt_json_uint(j, "file_bytes", m->file_bytes);
    mt_json_string(j, "fingerprint", fp);
    mt_json_object_end(j);
    mt_json_object_begin(j, "input");
    shape(j, "shape", m, m->input_tensor);
    mt_json_string(j, "order", order_name(m->channel_order));
    mt_json_array_begin(j, "mean");
    for (int c = 0; c < in.c; c++) mt_json_number(j, NULL, (double)m->mean[c]);
    mt_json_array_end(j);
    mt_json_array_begin(j, "std");
    for (int c = 0; c < in.c; c++) mt_json_number(j, NULL, (double)m->std[c]);
    mt_json_array_end(j);
    mt_json_number(j, "scale", (double)in.scale);
    mt_json_int(j, "zero_point", in.zero_point);
    mt_json_object_end(j);
    mt_json_object_begin(j, "stages");
    mt_json_uint(j, "split_op", m->split_op);
    mt_json_uint(j, "n_ops", m->n_ops);
    mt_json_uint(j, "part_feature_len", mt_model_feature_len(m, MT_STAGE_PART));
    mt_json_uint(j, "full_feature_len", mt_model_feature_len(m, MT_STAGE_FULL));
    mt_json_object_end(j);

    uint64_t macs[2] = {0, 0}, weights[2] = {0, 0};
    uint32_t peak[2] = {0, 0};
    mt_json_array_begin(j, "ops");
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_info_t op;
        mt_model_op(m, i, &op);
        int stage = i < m->split_op ? 0 : 1;
        mt_json_object_begin(j, NULL);
        mt_json_uint(j, "index", i);
        mt_json_string(j, "stage", stage ? "rest" : "part");
        mt_json_string(j, "type", mt_op_type_name(op.type));
        shape(j, "input", m, op.input0);
        shape(j, "output", m, op.output);
        if (op.type == MT_OP_CONV2D || op.type == MT_OP_DEPTHWISE_CONV2D) {
            mt_json_array_begin(j, "kernel");
            mt_json_uint(j, NULL, op.kh);
            mt_json_uint(j, NULL, op.kw);
            mt_json_array_end(j);
            mt_json_uint(j, "stride", op.stride_h);
        }
        mt_json_uint(j, "macs", op.macs);
        mt_json_uint(j, "weight_bytes", op.weight_bytes);
        mt_json_uint(j, "live_arena_bytes", op.live_arena_bytes);
        mt_json_object_end(j);
        macs[stage] += op.macs;
        weights[stage] += op.weight_bytes;
        if (op.live_arena_bytes > peak[stage]) peak[stage] = op.live_arena_bytes;
    }
    mt_json_array_end(j);
    uint64_t total = macs[0] + macs[1];
    mt_json_object_begin(j, "totals");
    stage_totals(j, "part", macs[0], total, weights[0], peak[0]);
    stage_totals(j, "rest", macs[1], total, weights[1], peak[1]);
    stage_totals(j, "full", total, total, weights[0] + weights[1], peak[0] > peak[1] ? peak[0] : peak[1]);
    mt_json_object_end(j);
    mt_model_t other = *m; /* the same model planned for the other kernel sets' scratch */
    mt_json_object_begin(j, "arena_bytes");
    mt_json_uint(j, "dsp", m->plan.arena_bytes);
    mt_json_uint(j, "ref", mt_model_plan_for(&other, MT_KERNELS_REF) == MT_OK ? other.plan.arena_bytes : 0);
    mt_json_uint(j, "host", mt_model_plan_for(&other, MT_KERNELS_HOST) == MT_OK ? other.plan.arena_bytes : 0);
    mt_json_uint(j, "naive", m->plan.naive_bytes);
    mt_json_object_end(j);
    mt_json_uint(j, "flash_bytes", m->file_bytes);
}
