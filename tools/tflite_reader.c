/* TFLite model reader (see tflite_reader.h). Table and field numbers are those of
 * tensorflow/lite/schema/schema.fbs (a field's number is its position in its table, from 0;
 * a union takes two numbers: its type byte, then its table). Never reads outside the buffer:
 * every access goes through tflite_flatbuffer.c. */
#include "tflite_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflite_flatbuffer.h"

/* Field numbers, schema.fbs order. */
enum { MODEL_VERSION = 0, MODEL_OPCODES = 1, MODEL_SUBGRAPHS = 2, MODEL_DESCRIPTION = 3,
       MODEL_BUFFERS = 4 };
enum { OPCODE_DEPRECATED = 0, OPCODE_CUSTOM = 1, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3 };
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
enum { T_SHAPE = 0, T_TYPE = 1, T_BUFFER = 2, T_NAME = 3, T_QUANT = 4, T_IS_VARIABLE = 5,
       T_SPARSITY = 6 };
enum { Q_SCALE = 2, Q_ZERO_POINT = 3, Q_DETAILS_TYPE = 4, Q_DIMENSION = 6 };
enum { OP_OPCODE_INDEX = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_OPTIONS_TYPE = 3, OP_OPTIONS = 4 };
enum { BUF_DATA = 0, BUF_OFFSET = 1, BUF_SIZE = 2 };

/* BuiltinOptions union members (their position in the union, from 1). */
enum { U_CONV = 1, U_DEPTHWISE = 2, U_POOL = 5, U_FC = 8, U_SOFTMAX = 9, U_CONCAT = 10,
       U_ADD = 11, U_RESHAPE = 17, U_MUL = 21, U_REDUCER = 27, U_SUB = 28 };

/* More tensors or ops than this is not a model anyone runs on a microcontroller host tool;
 * the cap bounds the memory a hostile length field can make us allocate. */
#define MAX_ENTRIES (1u << 20)

static void *xcalloc(mt_fb_t *fb, size_t n, size_t size) {
    if (fb->failed || n == 0) return NULL;
    void *p = calloc(n, size);
    if (!p) mt_fb_fail(fb, "out of memory");
    return p;
}

static char *copy_string(mt_fb_t *fb, mt_fb_vec_t s) {
    char *out = malloc((size_t)s.n + 1);
    if (!out) {
        mt_fb_fail(fb, "out of memory");
        return NULL;
    }
    if (s.n) memcpy(out, fb->buf + s.data, s.n);
    out[s.n] = 0;
    return out;
}

/* An int vector of tensor indices, each in [-1 or 0, n_tensors). */
static int32_t *read_indices(mt_fb_t *fb, mt_fb_vec_t v, uint32_t n_tensors, int allow_absent,
                             const char *what) {
    int32_t *out = xcalloc(fb, v.n, sizeof *out);
    for (uint32_t i = 0; out && i < v.n && !fb->failed; i++) {
        out[i] = mt_fb_vec_i32(fb, v, i);
        if (out[i] == -1 && allow_absent) continue;
        if (out[i] < 0 || (uint32_t)out[i] >= n_tensors) {
            mt_fb_fail(fb, "%s %u is tensor %d, but there are %u tensors", what, i, out[i],
                       n_tensors);
        }
    }
    return out;
}

static void read_quant(mt_fb_t *fb, const mt_fb_table_t *t, mt_tfl_tensor_t *ten) {
    mt_fb_table_t q = mt_fb_table(fb, t, T_QUANT);
    if (!q.pos) return;
    if (mt_fb_u8(fb, &q, Q_DETAILS_TYPE, 0) != 0) {
        mt_fb_fail(fb, "custom quantization (QuantizationDetails) is not supported");
        return;
    }
    mt_fb_vec_t sv = mt_fb_vector(fb, &q, Q_SCALE, 4);
    mt_fb_vec_t zv = mt_fb_vector(fb, &q, Q_ZERO_POINT, 8);
    ten->quantized_dimension = mt_fb_i32(fb, &q, Q_DIMENSION, 0);
    if (fb->failed || sv.n == 0) return; /* a table without scales (e.g. min/max only) */
    if (zv.n != sv.n) {
        mt_fb_fail(fb, "quantization has %u scales but %u zero points", sv.n, zv.n);
        return;
    }
    if (sv.n > 1) {
        int32_t d = ten->quantized_dimension;
        if (d < 0 || (uint32_t)d >= ten->rank || ten->shape[d] != (int32_t)sv.n) {
            mt_fb_fail(fb, "%u per-channel scales do not match quantized_dimension %d of the "
                       "shape", sv.n, d);
            return;
        }
    }
    ten->scale = xcalloc(fb, sv.n, sizeof *ten->scale);
    ten->zero_point = xcalloc(fb, sv.n, sizeof *ten->zero_point);
    if (!ten->scale || !ten->zero_point) return;
    for (uint32_t i = 0; i < sv.n; i++) {
        ten->scale[i] = mt_fb_vec_f32(fb, sv, i);
        ten->zero_point[i] = mt_fb_vec_i64(fb, zv, i);
    }
    ten->n_scale = sv.n;
}

/* The tensor's constant data from Buffer `b`: the data vector, or (models over 2 GB) an
 * offset/size pair relative to the file's start, valid when offset > 1 (schema comment). */
static void read_data(mt_fb_t *fb, mt_fb_vec_t buffers, mt_tfl_tensor_t *ten) {
    if (ten->buffer >= buffers.n) {
        mt_fb_fail(fb, "buffer %u, but the model has %u buffers", ten->buffer, buffers.n);
        return;
    }
    if (ten->buffer == 0) return; /* buffer 0 is the empty sentinel */
    mt_fb_table_t b = mt_fb_vector_table(fb, buffers, ten->buffer);
    mt_fb_vec_t d = mt_fb_vector(fb, &b, BUF_DATA, 1);
    uint64_t off = mt_fb_u64(fb, &b, BUF_OFFSET, 0), size = mt_fb_u64(fb, &b, BUF_SIZE, 0);
    if (fb->failed) return;
    if (d.n) {
        ten->data = fb->buf + d.data;
        ten->data_bytes = d.n;
    } else if (off > 1) {
        if (off > fb->len || size > fb->len - off) {
            mt_fb_fail(fb, "buffer %u (%llu bytes at %llu) lies outside the file", ten->buffer,
                       (unsigned long long)size, (unsigned long long)off);
            return;
        }
        ten->data = size ? fb->buf + off : NULL;
        ten->data_bytes = (size_t)size;
    }
    unsigned eb = mt_tfl_type_bytes(ten->type);
    if (!ten->data || eb == 0) return;
    uint64_t count = 1;
    for (uint32_t i = 0; i < ten->rank; i++) {
        if (ten->shape[i] < 0) return; /* dynamic dims: nothing to compare */
        count *= (uint64_t)ten->shape[i];
        if (count > fb->len) break;    /* larger than the file: a mismatch, and no overflow */
    }
    if (count > fb->len || count * eb != ten->data_bytes) {
        mt_fb_fail(fb, "constant data has %zu bytes, but its %s shape needs %s%llu",
                   ten->data_bytes, mt_tfl_type_name(ten->type), count > fb->len ? "over " : "",
                   (unsigned long long)(count > fb->len ? fb->len : count * eb));
    }
}

static void read_tensor(mt_fb_t *fb, mt_fb_vec_t tensors, mt_fb_vec_t buffers, uint32_t i,
                        mt_tfl_tensor_t *ten) {
    snprintf(fb->where, sizeof fb->where, "tensor %u", i);
    mt_fb_table_t t = mt_fb_vector_table(fb, tensors, i);
    mt_fb_vec_t shape = mt_fb_vector(fb, &t, T_SHAPE, 4);
    ten->type = mt_fb_i8(fb, &t, T_TYPE, MT_TFL_FLOAT32);
    ten->buffer = mt_fb_u32(fb, &t, T_BUFFER, 0);
    ten->name = copy_string(fb, mt_fb_string(fb, &t, T_NAME));
    ten->is_variable = mt_fb_u8(fb, &t, T_IS_VARIABLE, 0) != 0;
    if (fb->failed) return;
    if (!mt_tfl_type_name(ten->type)) {
        mt_fb_fail(fb, "unknown tensor type %d", ten->type);
        return;
    }
    if (mt_fb_table(fb, &t, T_SPARSITY).pos) {
        mt_fb_fail(fb, "sparse tensors are not supported");
        return;
    }
    ten->shape = xcalloc(fb, shape.n, sizeof *ten->shape);
    for (uint32_t k = 0; ten->shape && k < shape.n; k++) {
        ten->shape[k] = mt_fb_vec_i32(fb, shape, k);
        if (ten->shape[k] < -1) mt_fb_fail(fb, "dimension %u is %d", k, ten->shape[k]);
    }
    ten->rank = fb->failed ? 0 : shape.n;
    read_quant(fb, &t, ten);
    read_data(fb, buffers, ten);
}

/* Options union member expected for each op code whose options the reader knows. */
static int expected_union(int32_t code, mt_tfl_options_kind_t *kind) {
    switch (code) {
    case MT_TFL_CONV_2D: *kind = MT_TFL_OPT_CONV; return U_CONV;
    case MT_TFL_DEPTHWISE_CONV_2D: *kind = MT_TFL_OPT_DEPTHWISE; return U_DEPTHWISE;
    case MT_TFL_AVERAGE_POOL_2D:
    case MT_TFL_MAX_POOL_2D: *kind = MT_TFL_OPT_POOL; return U_POOL;
    case MT_TFL_ADD: *kind = MT_TFL_OPT_ACTIVATION; return U_ADD;
    case MT_TFL_SUB: *kind = MT_TFL_OPT_ACTIVATION; return U_SUB;
    case MT_TFL_MUL: *kind = MT_TFL_OPT_ACTIVATION; return U_MUL;
    case MT_TFL_FULLY_CONNECTED: *kind = MT_TFL_OPT_FC; return U_FC;
    case MT_TFL_CONCATENATION: *kind = MT_TFL_OPT_CONCAT; return U_CONCAT;
    case MT_TFL_RESHAPE: *kind = MT_TFL_OPT_RESHAPE; return U_RESHAPE;
    case MT_TFL_SOFTMAX: *kind = MT_TFL_OPT_SOFTMAX; return U_SOFTMAX;
    case MT_TFL_MEAN: *kind = MT_TFL_OPT_REDUCER; return U_REDUCER;
    default: *kind = MT_TFL_OPT_NONE; return 0;
    }
}

static int read_enum(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, const char *what,
                     const char *(*name)(int)) {
    int v = mt_fb_i8(fb, t, id, 0);
    if (!fb->failed && !name(v)) mt_fb_fail(fb, "unknown %s %d", what, v);
    return v;
}

/* Fills op->opt from the op's BuiltinOptions; an absent table leaves the schema defaults. */
static void read_options(mt_fb_t *fb, const mt_fb_table_t *opt_t, mt_tfl_op_t *op) {
    mt_tfl_options_t *o = &op->opt;
    int want = expected_union(op->code, &o->kind);
    o->dilation_w = o->dilation_h = 1;  /* schema defaults; every other default is 0 */
    uint8_t got = mt_fb_u8(fb, opt_t, OP_OPTIONS_TYPE, 0);
    if (want == 0 || fb->failed) return;  /* ops without options we read: ignore theirs */
    if (got != 0 && got != want) {
        mt_fb_fail(fb, "%s has options of union type %u, expected %d", mt_tfl_op_name(op->code),
                   got, want);
        return;
    }
    mt_fb_table_t t = {0, 0, 0, 0};
    if (got) t = mt_fb_table(fb, opt_t, OP_OPTIONS);
    const mt_fb_table_t *p = &t; /* field reads on an absent table (pos 0) give defaults */
    switch (o->kind) {
    case MT_TFL_OPT_CONV: /* Conv2DOptions: padding, stride_w, stride_h, act, dil_w, dil_h */
        o->padding = read_enum(fb, p, 0, "padding", mt_tfl_padding_name);
        o->stride_w = mt_fb_i32(fb, p, 1, 0);
        o->stride_h = mt_fb_i32(fb, p, 2, 0);
        o->activation = read_enum(fb, p, 3, "activation", mt_tfl_activation_name);
        o->dilation_w = mt_fb_i32(fb, p, 4, 1);
        o->dilation_h = mt_fb_i32(fb, p, 5, 1);
        break;
    case MT_TFL_OPT_DEPTHWISE: /* padding, stride_w, stride_h, depth_multiplier, act, dil */
        o->padding = read_enum(fb, p, 0, "padding", mt_tfl_padding_name);
        o->stride_w = mt_fb_i32(fb, p, 1, 0);
        o->stride_h = mt_fb_i32(fb, p, 2, 0);
        o->depth_multiplier = mt_fb_i32(fb, p, 3, 0);
        o->activation = read_enum(fb, p, 4, "activation", mt_tfl_activation_name);
        o->dilation_w = mt_fb_i32(fb, p, 5, 1);
        o->dilation_h = mt_fb_i32(fb, p, 6, 1);
        break;
    case MT_TFL_OPT_POOL: /* Pool2DOptions: padding, stride_w, stride_h, filter_w, filter_h, act */
        o->padding = read_enum(fb, p, 0, "padding", mt_tfl_padding_name);
        o->stride_w = mt_fb_i32(fb, p, 1, 0);
        o->stride_h = mt_fb_i32(fb, p, 2, 0);
        o->filter_w = mt_fb_i32(fb, p, 3, 0);
        o->filter_h = mt_fb_i32(fb, p, 4, 0);
        o->activation = read_enum(fb, p, 5, "activation", mt_tfl_activation_name);
        break;
    case MT_TFL_OPT_ACTIVATION: /* Add/Sub/MulOptions: fused_activation_function first */
        o->activation = read_enum(fb, p, 0, "activation", mt_tfl_activation_name);
        break;
    case MT_TFL_OPT_FC: /* FullyConnectedOptions: act, weights_format, keep_num_dims */
        o->activation = read_enum(fb, p, 0, "activation", mt_tfl_activation_name);
        o->weights_format = mt_fb_i8(fb, p, 1, 0);
        o->keep_num_dims = mt_fb_u8(fb, p, 2, 0) != 0;
        if (!fb->failed && (o->weights_format < 0 || o->weights_format > 1)) {
            mt_fb_fail(fb, "unknown weights_format %d", o->weights_format);
        }
        break;
    case MT_TFL_OPT_CONCAT: /* ConcatenationOptions: axis, act */
        o->axis = mt_fb_i32(fb, p, 0, 0);
        o->activation = read_enum(fb, p, 1, "activation", mt_tfl_activation_name);
        break;
    case MT_TFL_OPT_SOFTMAX: /* SoftmaxOptions: beta */
        o->beta = mt_fb_f32(fb, p, 0, 0.0f);
        break;
    case MT_TFL_OPT_REDUCER: /* ReducerOptions: keep_dims */
        o->keep_dims = mt_fb_u8(fb, p, 0, 0) != 0;
        break;
    case MT_TFL_OPT_RESHAPE: { /* ReshapeOptions: new_shape */
        mt_fb_vec_t v = t.pos ? mt_fb_vector(fb, p, 0, 4) : (mt_fb_vec_t){0, 0, 4};
        if (fb->failed || !t.pos || !v.data) break;
        o->has_new_shape = 1;
        o->new_shape = xcalloc(fb, v.n, sizeof *o->new_shape);
        for (uint32_t i = 0; o->new_shape && i < v.n; i++) o->new_shape[i] = mt_fb_vec_i32(fb, v, i);
        o->n_new_shape = o->new_shape ? v.n : 0;
        break;
    }
    case MT_TFL_OPT_NONE:
        break;
    }
}

/* Op codes: max(deprecated_builtin_code, builtin_code), as TFLite resolves them (the byte
 * field holds codes < 127, the int field all of them). */
static void read_op(mt_fb_t *fb, mt_fb_vec_t opcodes, mt_fb_vec_t ops, uint32_t i,
                    uint32_t n_tensors, mt_tfl_op_t *op) {
    snprintf(fb->where, sizeof fb->where, "operator %u", i);
    mt_fb_table_t t = mt_fb_vector_table(fb, ops, i);
    uint32_t idx = mt_fb_u32(fb, &t, OP_OPCODE_INDEX, 0);
    if (!fb->failed && idx >= opcodes.n) {
        mt_fb_fail(fb, "opcode index %u, but the model has %u operator codes", idx, opcodes.n);
        return;
    }
    if (fb->failed) return;
    mt_fb_table_t c = mt_fb_vector_table(fb, opcodes, idx);
    int32_t dep = mt_fb_i8(fb, &c, OPCODE_DEPRECATED, 0);
    int32_t builtin = mt_fb_i32(fb, &c, OPCODE_BUILTIN, 0);
    op->code = builtin > dep ? builtin : dep;
    op->version = mt_fb_i32(fb, &c, OPCODE_VERSION, 1);
    if (op->code == MT_TFL_CUSTOM) op->custom_code = copy_string(fb, mt_fb_string(fb, &c, OPCODE_CUSTOM));
    if (!fb->failed && op->code < 0) mt_fb_fail(fb, "negative builtin code %d", op->code);
    mt_fb_vec_t in = mt_fb_vector(fb, &t, OP_INPUTS, 4), out = mt_fb_vector(fb, &t, OP_OUTPUTS, 4);
    op->inputs = read_indices(fb, in, n_tensors, 1, "input");
    op->n_inputs = fb->failed ? 0 : in.n;
    op->outputs = read_indices(fb, out, n_tensors, 0, "output");
    op->n_outputs = fb->failed ? 0 : out.n;
    read_options(fb, &t, op);
}

static void read_model(mt_fb_t *fb, mt_tfl_model_t *m) {
    mt_fb_table_t root = mt_fb_root(fb, "TFL3");
    m->version = mt_fb_u32(fb, &root, MODEL_VERSION, 0);
    m->description = copy_string(fb, mt_fb_string(fb, &root, MODEL_DESCRIPTION));
    mt_fb_vec_t opcodes = mt_fb_vector(fb, &root, MODEL_OPCODES, 4);
    mt_fb_vec_t subgraphs = mt_fb_vector(fb, &root, MODEL_SUBGRAPHS, 4);
    mt_fb_vec_t buffers = mt_fb_vector(fb, &root, MODEL_BUFFERS, 4);
    if (fb->failed) return;
    if (subgraphs.n == 0) {
        mt_fb_fail(fb, "the model has no subgraph");
        return;
    }
    m->n_subgraphs = subgraphs.n;
    m->n_buffers = buffers.n;
    snprintf(fb->where, sizeof fb->where, "subgraph 0");
    mt_fb_table_t sg = mt_fb_vector_table(fb, subgraphs, 0);
    mt_fb_vec_t tensors = mt_fb_vector(fb, &sg, SG_TENSORS, 4);
    mt_fb_vec_t ops = mt_fb_vector(fb, &sg, SG_OPERATORS, 4);
    mt_fb_vec_t in = mt_fb_vector(fb, &sg, SG_INPUTS, 4), out = mt_fb_vector(fb, &sg, SG_OUTPUTS, 4);
    if (fb->failed) return;
    if (tensors.n > MAX_ENTRIES || ops.n > MAX_ENTRIES) {
        mt_fb_fail(fb, "%u tensors and %u operators exceed the reader's limit of %u", tensors.n,
                   ops.n, MAX_ENTRIES);
        return;
    }
    m->tensors = xcalloc(fb, tensors.n, sizeof *m->tensors);
    m->n_tensors = m->tensors ? tensors.n : 0;
    m->ops = xcalloc(fb, ops.n, sizeof *m->ops);
    m->n_ops = m->ops ? ops.n : 0;
    m->inputs = read_indices(fb, in, tensors.n, 0, "input");
    m->n_inputs = fb->failed ? 0 : in.n;
    m->outputs = read_indices(fb, out, tensors.n, 0, "output");
    m->n_outputs = fb->failed ? 0 : out.n;
    for (uint32_t i = 0; i < m->n_tensors && !fb->failed; i++) {
        read_tensor(fb, tensors, buffers, i, &m->tensors[i]);
    }
    for (uint32_t i = 0; i < m->n_ops && !fb->failed; i++) {
        read_op(fb, opcodes, ops, i, tensors.n, &m->ops[i]);
    }
}

int mt_tfl_parse(mt_tfl_model_t *m, const uint8_t *buf, size_t len, char *err, size_t err_len) {
    memset(m, 0, sizeof *m);
    mt_fb_t fb;
    mt_fb_init(&fb, buf, len);
    read_model(&fb, m);
    if (!fb.failed) return 0;
    if (err && err_len) snprintf(err, err_len, "%s", fb.err);
    mt_tfl_free(m);
    return -1;
}

void mt_tfl_free(mt_tfl_model_t *m) {
    for (uint32_t i = 0; m->tensors && i < m->n_tensors; i++) {
        mt_tfl_tensor_t *t = &m->tensors[i];
        free(t->name);
        free(t->shape);
        free(t->scale);
        free(t->zero_point);
    }
    for (uint32_t i = 0; m->ops && i < m->n_ops; i++) {
        mt_tfl_op_t *op = &m->ops[i];
        free(op->custom_code);
        free(op->inputs);
        free(op->outputs);
        free(op->opt.new_shape);
    }
    free(m->tensors);
    free(m->ops);
    free(m->inputs);
    free(m->outputs);
    free(m->description);
    memset(m, 0, sizeof *m);
}
