/* mt_model_open: validates a .mtm file completely before anything runs on it
 * (docs/model-format.md). Every offset, size and parameter is checked against the buffer,
 * and every integer bound that keeps the kernels free of overflow. Never reads out of bounds,
 * never trusts a field it has not checked. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "microt/model.h"
#include "model_records.h"
#include "planner.h"

#define MAX_TENSOR_ELEMENTS (1u << 24)
#define MAX_KERNEL 15
#define MAX_STRIDE 4
#define MAX_ADD_LEFT_SHIFT 22
/* |x - zp| <= 255 and |w| <= 128: the largest product an accumulator can receive. */
#define MAX_PRODUCT 32640

static int finite_positive(float x) { return isfinite(x) && x > 0.0f; }

static uint32_t tensor_elements(const mt_tensor_info_t *t) {
    return (uint32_t)t->h * t->w * t->c; /* bounded by validate_tensors */
}

static mt_status_t validate_header(mt_model_t *m, const uint8_t *b, size_t len) {
    if (len < 4) return MT_E_MODEL_TRUNCATED;
    if (memcmp(b + MT_HDR_MAGIC, MT_FORMAT_MAGIC, 4) != 0) return MT_E_MODEL_MAGIC;
    if (((uintptr_t)b & 3u) != 0) return MT_E_MODEL_ALIGN;
    if (len < MT_MODEL_HEADER_BYTES) return MT_E_MODEL_TRUNCATED;
    if (mt_rd_u16(b + MT_HDR_VERSION) != MT_FORMAT_VERSION_MAJOR) return MT_E_MODEL_VERSION;
    uint32_t file_bytes = mt_rd_u32(b + MT_HDR_FILE_BYTES);
    if (file_bytes > len) return MT_E_MODEL_TRUNCATED;
    if (file_bytes < MT_MODEL_HEADER_BYTES) return MT_E_MODEL_LAYOUT;
    /* the CRC covers everything after itself, the fingerprint included */
    if (mt_crc32(0, b + MT_HDR_FINGERPRINT, file_bytes - MT_HDR_FINGERPRINT) != mt_rd_u32(b + MT_HDR_CRC)) {
        return MT_E_MODEL_CRC;
    }
    uint64_t fp = mt_fnv1a64(MT_FNV1A64_INIT, b + MT_MODEL_HEADER_BYTES,
                             file_bytes - MT_MODEL_HEADER_BYTES);
    if (fp != mt_rd_u64(b + MT_HDR_FINGERPRINT)) return MT_E_MODEL_FINGERPRINT;
    if (mt_rd_u32(b + MT_HDR_HEADER_BYTES) != MT_MODEL_HEADER_BYTES) return MT_E_MODEL_LAYOUT;

    uint16_t n_tensors = mt_rd_u16(b + MT_HDR_N_TENSORS), n_ops = mt_rd_u16(b + MT_HDR_N_OPS);
    if (n_tensors == 0 || n_tensors > MT_MAX_TENSORS || n_ops == 0 || n_ops > MT_MAX_OPS) {
        return MT_E_MODEL_LIMIT;
    }
    uint32_t ops_offset = MT_MODEL_HEADER_BYTES + (uint32_t)n_tensors * MT_TENSOR_RECORD_BYTES;
    uint32_t data_offset = ops_offset + (uint32_t)n_ops * MT_OP_RECORD_BYTES;
    if (mt_rd_u32(b + MT_HDR_TENSORS_OFFSET) != MT_MODEL_HEADER_BYTES ||
        mt_rd_u32(b + MT_HDR_OPS_OFFSET) != ops_offset ||
        mt_rd_u32(b + MT_HDR_DATA_OFFSET) != data_offset || data_offset > file_bytes ||
        mt_rd_u32(b + MT_HDR_DATA_BYTES) != file_bytes - data_offset) {
        return MT_E_MODEL_LAYOUT;
    }

    m->bytes = b;
    m->file_bytes = file_bytes;
    m->version_minor = mt_rd_u16(b + MT_HDR_VERSION_MINOR);
    m->n_tensors = n_tensors;
    m->n_ops = n_ops;
    m->fingerprint = fp;
    m->input_tensor = mt_rd_u16(b + MT_HDR_INPUT);
    m->part_feature_tensor = mt_rd_u16(b + MT_HDR_PART_FEATURE);
    m->full_feature_tensor = mt_rd_u16(b + MT_HDR_FULL_FEATURE);
    m->split_op = mt_rd_u16(b + MT_HDR_SPLIT);
    m->channel_order = b[MT_HDR_ORDER];
    for (int c = 0; c < 3; c++) {
        m->mean[c] = mt_rd_f32(b + MT_HDR_MEAN + 4 * c);
        m->std[c] = mt_rd_f32(b + MT_HDR_STD + 4 * c);
    }
    memcpy(m->name, b + MT_HDR_NAME, sizeof m->name);
    m->name[sizeof m->name - 1] = '\0';
    return MT_OK;
}

/* Is [offset, offset + size) inside the data section, offset 4-aligned? */
static int in_data(const mt_model_t *m, uint32_t offset, uint64_t size) {
    uint32_t data_offset = MT_MODEL_HEADER_BYTES + (uint32_t)m->n_tensors * MT_TENSOR_RECORD_BYTES +
                           (uint32_t)m->n_ops * MT_OP_RECORD_BYTES;
    return (offset & 3u) == 0 && offset >= data_offset && offset <= m->file_bytes &&
           size <= (uint64_t)(m->file_bytes - offset);
}

static mt_status_t validate_tensors(const mt_model_t *m) {
    for (uint16_t i = 0; i < m->n_tensors; i++) {
        mt_tensor_info_t t;
        mt_tensor_read(m, i, &t);
        if (t.h == 0 || t.w == 0 || t.c == 0 ||
            (uint64_t)t.h * t.w * t.c > MAX_TENSOR_ELEMENTS) {
            return MT_E_MODEL_SHAPE;
        }
        if (!finite_positive(t.scale) || t.zero_point < -128 || t.zero_point > 127) {
            return MT_E_MODEL_QUANT;
        }
    }
    return MT_OK;
}

static mt_status_t validate_input(mt_model_t *m) {
    if (m->input_tensor >= m->n_tensors) return MT_E_MODEL_GRAPH;
    mt_tensor_info_t in;
    mt_tensor_read(m, m->input_tensor, &in);
    uint16_t want_c = m->channel_order == MT_ORDER_GRAY ? 1 : 3;
    if (m->channel_order > MT_ORDER_GRAY || in.c != want_c) return MT_E_MODEL_INPUT;
    for (int c = 0; c < 3; c++) {
        if (!isfinite(m->mean[c]) || !finite_positive(m->std[c])) return MT_E_MODEL_INPUT;
    }
    uint32_t lut_offset = mt_rd_u32(m->bytes + MT_HDR_LUT);
    if (!in_data(m, lut_offset, (uint64_t)in.c * 256u)) return MT_E_MODEL_RANGE;
    m->input_lut = (const int8_t *)(const void *)(m->bytes + lut_offset);
    return MT_OK;
}

static int valid_multiplier(int32_t mult, int32_t shift) {
    return (mult == 0 || mult >= (1 << 30)) && shift >= -31 && shift <= 30;
}

static int same_shape(const mt_tensor_info_t *a, const mt_tensor_info_t *b) {
    return a->h == b->h && a->w == b->w && a->c == b->c;
}

/* Output extent of a strided window; 0 when the window does not fit. */
static uint32_t conv_out_size(uint32_t in, uint32_t pad_a, uint32_t pad_b, uint32_t k,
                              uint32_t stride) {
    uint32_t padded = in + pad_a + pad_b;
    return padded < k ? 0u : (padded - k) / stride + 1u;
}

/* Per-output-channel data of CONV/DEPTHWISE/FC: bias, requant pairs and weight scales. */
static mt_status_t validate_channel_data(const mt_model_t *m, const mt_op_rec_t *op,
                                         uint32_t cout, uint64_t weight_bytes, uint64_t fan_in) {
    if (!in_data(m, op->weights_offset, weight_bytes) || !in_data(m, op->bias_offset, 4ull * cout) ||
        !in_data(m, op->requant_offset, 8ull * cout) || !in_data(m, op->wscale_offset, 4ull * cout)) {
        return MT_E_MODEL_RANGE;
    }
    const uint8_t *bias = m->bytes + op->bias_offset;
    const uint8_t *rq = m->bytes + op->requant_offset;
    const uint8_t *ws = m->bytes + op->wscale_offset;
    for (uint32_t c = 0; c < cout; c++) {
        /* The accumulator must not overflow int32 whatever the inputs: fan_in products plus bias. */
        int64_t b = mt_rd_i32(bias + 4 * c);
        if (b < 0) b = -b;
        if ((uint64_t)b + fan_in * MAX_PRODUCT > (uint64_t)INT32_MAX) return MT_E_MODEL_QUANT;
        if (!valid_multiplier(mt_rd_i32(rq + 4 * c), mt_rd_i32(rq + 4 * (cout + c)))) {
            return MT_E_MODEL_QUANT;
        }
        if (!finite_positive(mt_rd_f32(ws + 4 * c))) return MT_E_MODEL_QUANT;
    }
    return MT_OK;
}

static mt_status_t validate_window(const mt_op_rec_t *op, const mt_tensor_info_t *in,
                                   const mt_tensor_info_t *out) {
    if (op->kh < 1 || op->kh > MAX_KERNEL || op->kw < 1 || op->kw > MAX_KERNEL ||
        op->stride_h < 1 || op->stride_h > MAX_STRIDE || op->stride_w < 1 ||
        op->stride_w > MAX_STRIDE || op->pad_top >= op->kh || op->pad_bottom >= op->kh ||
        op->pad_left >= op->kw || op->pad_right >= op->kw) {
        return MT_E_MODEL_SHAPE;
    }
    if (conv_out_size(in->h, op->pad_top, op->pad_bottom, op->kh, op->stride_h) != out->h ||
        conv_out_size(in->w, op->pad_left, op->pad_right, op->kw, op->stride_w) != out->w) {
        return MT_E_MODEL_SHAPE;
    }
    return MT_OK;
}

static mt_status_t validate_op(const mt_model_t *m, const mt_op_rec_t *op) {
    mt_tensor_info_t in, in1, out;
    mt_tensor_read(m, op->input0, &in);
    mt_tensor_read(m, op->output, &out);
    if (op->act_min > op->act_max) return MT_E_MODEL_SHAPE;
    mt_status_t st;
    switch (op->type) {
    case MT_OP_CONV2D:
        if ((st = validate_window(op, &in, &out)) != MT_OK) return st;
        return validate_channel_data(m, op, out.c, (uint64_t)out.c * op->kh * op->kw * in.c,
                                     (uint64_t)op->kh * op->kw * in.c);
    case MT_OP_DEPTHWISE_CONV2D:
        if (in.c != out.c) return MT_E_MODEL_SHAPE;
        if ((st = validate_window(op, &in, &out)) != MT_OK) return st;
        return validate_channel_data(m, op, out.c, (uint64_t)op->kh * op->kw * in.c,
                                     (uint64_t)op->kh * op->kw);
    case MT_OP_FULLY_CONNECTED: {
        if (out.h != 1 || out.w != 1) return MT_E_MODEL_SHAPE;
        uint64_t in_len = tensor_elements(&in);
        return validate_channel_data(m, op, out.c, in_len * out.c, in_len);
    }
    case MT_OP_ADD:
        mt_tensor_read(m, op->input1, &in1);
        if (!same_shape(&in, &in1) || !same_shape(&in, &out)) return MT_E_MODEL_SHAPE;
        if (!valid_multiplier(op->params[MT_ADD_IN0_MULT], op->params[MT_ADD_IN0_SHIFT]) ||
            !valid_multiplier(op->params[MT_ADD_IN1_MULT], op->params[MT_ADD_IN1_SHIFT]) ||
            !valid_multiplier(op->params[MT_ADD_OUT_MULT], op->params[MT_ADD_OUT_SHIFT]) ||
            op->params[MT_ADD_IN0_SHIFT] > 0 || op->params[MT_ADD_IN1_SHIFT] > 0 ||
            op->params[MT_ADD_LEFT_SHIFT] < 0 || op->params[MT_ADD_LEFT_SHIFT] > MAX_ADD_LEFT_SHIFT) {
            return MT_E_MODEL_QUANT; /* these bounds keep the shifted sums inside int32 */
        }
        return MT_OK;
    case MT_OP_GLOBAL_AVG_POOL:
        if (out.h != 1 || out.w != 1 || out.c != in.c) return MT_E_MODEL_SHAPE;
        if ((uint64_t)in.h * in.w * 255u > (uint64_t)INT32_MAX) return MT_E_MODEL_SHAPE;
        if (!valid_multiplier(op->params[MT_POOL_MULT], op->params[MT_POOL_SHIFT])) {
            return MT_E_MODEL_QUANT;
        }
        return MT_OK;
    case MT_OP_GLOBAL_AVG_POOL_DIV: {
        int32_t mult = op->params[MT_POOL_MULT], shift = op->params[MT_POOL_SHIFT];
        if (out.h != 1 || out.w != 1 || out.c != in.c) return MT_E_MODEL_SHAPE;
        if ((uint64_t)in.h * in.w * 255u > (uint64_t)INT32_MAX) return MT_E_MODEL_SHAPE;
        for (int i = 2; i < 7; i++) {
            if (op->params[i] != 0) return MT_E_MODEL_QUANT;
        }
        if (mult == 0) { /* the raw mean is only the mean under one quantization */
            if (shift != 0 || in.scale != out.scale || in.zero_point != out.zero_point) {
                return MT_E_MODEL_QUANT;
            }
        } else if (!valid_multiplier(mult, shift) ||
                   ((uint64_t)in.h * in.w * 255u << (shift > 0 ? shift : 0)) > (uint64_t)INT32_MAX) {
            return MT_E_MODEL_QUANT; /* the left-shifted sum must stay inside int32 */
        }
        return MT_OK;
    }
    default:
        return MT_E_MODEL_OP;
    }
}

/* Data flow: each tensor written once, read only after it is written; then the stages. */
static mt_status_t validate_graph(const mt_model_t *m) {
    uint16_t writer[MT_MAX_TENSORS]; /* op index + 1 that wrote each tensor; 0 = none */
    memset(writer, 0, sizeof writer);
    const uint16_t input_marker = 0xFFFFu;
    writer[m->input_tensor] = input_marker;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(m, i, &op);
        if (op.type < MT_OP_CONV2D || op.type > MT_OP_GLOBAL_AVG_POOL_DIV) return MT_E_MODEL_OP;
        int binary = op.type == MT_OP_ADD;
        if (op.input0 >= m->n_tensors || op.output >= m->n_tensors) return MT_E_MODEL_GRAPH;
        if (binary ? op.input1 >= m->n_tensors : op.input1 != MT_NO_TENSOR) return MT_E_MODEL_GRAPH;
        if (writer[op.input0] == 0 || (binary && writer[op.input1] == 0)) return MT_E_MODEL_GRAPH;
        if (writer[op.output] != 0) return MT_E_MODEL_GRAPH; /* written twice, or the input */
        mt_status_t st = validate_op(m, &op);
        if (st != MT_OK) return st;
        writer[op.output] = (uint16_t)(i + 1);
    }
    if (m->split_op < 1 || m->split_op >= m->n_ops) return MT_E_MODEL_GRAPH;
    if (m->part_feature_tensor >= m->n_tensors || m->full_feature_tensor >= m->n_tensors ||
        writer[m->part_feature_tensor] != m->split_op ||
        writer[m->full_feature_tensor] != m->n_ops) {
        return MT_E_MODEL_GRAPH;
    }
    mt_tensor_info_t part, full;
    mt_tensor_read(m, m->part_feature_tensor, &part);
    mt_tensor_read(m, m->full_feature_tensor, &full);
    if (part.h != 1 || part.w != 1 || full.h != 1 || full.w != 1) return MT_E_MODEL_GRAPH;
    return MT_OK;
}

mt_status_t mt_model_open(mt_model_t *model, const void *bytes, size_t len) {
    if (!model) return MT_E_ARG;
    memset(model, 0, sizeof *model);
    if (!bytes) return MT_E_ARG;
    mt_status_t st = validate_header(model, (const uint8_t *)bytes, len);
    if (st == MT_OK) st = validate_tensors(model);
    if (st == MT_OK) st = validate_input(model);
    if (st == MT_OK) st = validate_graph(model);
    if (st == MT_OK) st = mt_plan_build(model, mt_kernels_built());
    if (st != MT_OK) memset(model, 0, sizeof *model);
    return st;
}

mt_status_t mt_model_plan_for(mt_model_t *model, mt_kernel_set_t set) {
    if (!model || !model->bytes) return MT_E_ARG;
    if (!mt_kernels(set)) return MT_E_ARG; /* unknown, or not in this build */
    return mt_plan_build(model, set);
}

size_t mt_model_arena_bytes(const mt_model_t *model) {
    return model && model->bytes ? model->plan.arena_bytes : 0u;
}

mt_status_t mt_model_tensor(const mt_model_t *model, uint16_t index, mt_tensor_info_t *out) {
    if (!model || !model->bytes || !out || index >= model->n_tensors) return MT_E_ARG;
    mt_tensor_read(model, index, out);
    return MT_OK;
}

static uint32_t op_constant_bytes(const mt_op_rec_t *op, const mt_tensor_info_t *in,
                                  const mt_tensor_info_t *out) {
    uint32_t per_channel = 16u * out->c; /* bias + mult + shift + weight scale */
    switch (op->type) {
    case MT_OP_CONV2D: return (uint32_t)out->c * op->kh * op->kw * in->c + per_channel;
    case MT_OP_DEPTHWISE_CONV2D: return (uint32_t)op->kh * op->kw * in->c + per_channel;
    case MT_OP_FULLY_CONNECTED: return tensor_elements(in) * out->c + per_channel;
    default: return 0;
    }
}

static uint64_t op_macs(const mt_op_rec_t *op, const mt_tensor_info_t *in,
                        const mt_tensor_info_t *out) {
    uint64_t out_elems = tensor_elements(out);
    switch (op->type) {
    case MT_OP_CONV2D: return out_elems * op->kh * op->kw * in->c;
    case MT_OP_DEPTHWISE_CONV2D: return out_elems * op->kh * op->kw;
    case MT_OP_FULLY_CONNECTED: return out_elems * tensor_elements(in);
    case MT_OP_ADD: return out_elems;
    case MT_OP_GLOBAL_AVG_POOL:
    case MT_OP_GLOBAL_AVG_POOL_DIV: return tensor_elements(in);
    default: return 0;
    }
}

mt_status_t mt_model_op(const mt_model_t *model, uint16_t index, mt_op_info_t *out) {
    if (!model || !model->bytes || !out || index >= model->n_ops) return MT_E_ARG;
    mt_op_rec_t op;
    mt_tensor_info_t in, o;
    mt_op_read(model, index, &op);
    mt_tensor_read(model, op.input0, &in);
    mt_tensor_read(model, op.output, &o);
    out->type = (mt_op_type_t)op.type;
    out->kh = op.kh;
    out->kw = op.kw;
    out->stride_h = op.stride_h;
    out->stride_w = op.stride_w;
    out->pad_top = op.pad_top;
    out->pad_left = op.pad_left;
    out->pad_bottom = op.pad_bottom;
    out->pad_right = op.pad_right;
    out->act_min = op.act_min;
    out->act_max = op.act_max;
    out->input0 = op.input0;
    out->input1 = op.input1;
    out->output = op.output;
    out->macs = op_macs(&op, &in, &o);
    out->weight_bytes = op_constant_bytes(&op, &in, &o);
    out->live_arena_bytes = model->plan.live_bytes[index];
    return MT_OK;
}

const char *mt_op_type_name(mt_op_type_t type) {
    switch (type) {
    case MT_OP_CONV2D: return "conv2d";
    case MT_OP_DEPTHWISE_CONV2D: return "depthwise";
    case MT_OP_ADD: return "add";
    case MT_OP_GLOBAL_AVG_POOL: return "avgpool";
    case MT_OP_FULLY_CONNECTED: return "fc";
    case MT_OP_GLOBAL_AVG_POOL_DIV: return "avgpool_div";
    default: return "?";
    }
}

uint32_t mt_model_feature_len(const mt_model_t *model, mt_stage_t stage) {
    if (!model || !model->bytes) return 0;
    mt_tensor_info_t t;
    mt_tensor_read(model, stage == MT_STAGE_PART ? model->part_feature_tensor
                                                 : model->full_feature_tensor, &t);
    return (stage == MT_STAGE_PART || stage == MT_STAGE_FULL) ? t.c : 0u;
}
