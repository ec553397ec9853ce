/* Lowering TFLite int8 ops to .mtm op records (see tflite_lower.h). Multipliers and
 * activation clamps are computed exactly as TFLite's kernels prepare them (the comments cite
 * which), so the runtime's integers can equal TFLite's. */
#include "tflite_lower.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


int mt_lw_fail(ctx_t *c, const char *fmt, ...) {
    if (c->failed) return -1;
    c->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->err_len, fmt, ap);
    va_end(ap);
    return -1;
}

const char *mt_lw_opname(const mt_tfl_op_t *op) {
    const char *n = mt_tfl_op_name(op->code);
    return n ? n : "UNKNOWN";
}

static void *mt_lw_own(ctx_t *c, size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p || c->n_owned >= sizeof c->owned / sizeof c->owned[0]) {
        free(p);
        mt_lw_fail(c, "out of memory");
        return NULL;
    }
    c->owned[c->n_owned++] = p;
    return p;
}

/* The mtm tensor for tfl tensor t (a source); created from t's shape and quantization. */
int mt_lw_mt_tensor(ctx_t *c, int32_t t, uint32_t k) {
    if (c->mt_of[t] >= 0) return c->mt_of[t];
    const mt_tfl_tensor_t *x = &c->m->tensors[t];
    int32_t h = 1, w = 1, ch;
    if (x->type != MT_TFL_INT8 || x->n_scale != 1) {
        return mt_lw_fail(c, "op %u: tensor %d (%s) is not an int8 tensor with one scale", k, t, x->name);
    }
    if (x->rank == 4 && x->shape[0] == 1) {
        h = x->shape[1], w = x->shape[2], ch = x->shape[3];
    } else if (x->rank == 2 && x->shape[0] == 1) {
        ch = x->shape[1];
    } else {
        return mt_lw_fail(c, "op %u: tensor %d (%s) is not [1,H,W,C] or [1,N]", k, t, x->name);
    }
    if (h < 1 || w < 1 || ch < 1 || h > 65535 || w > 65535 || ch > 65535) {
        return mt_lw_fail(c, "op %u: tensor %d (%s) has dimensions the format cannot hold", k, t, x->name);
    }
    if (x->zero_point[0] < -128 || x->zero_point[0] > 127 || !(x->scale[0] > 0.0f)) {
        return mt_lw_fail(c, "op %u: tensor %d (%s) has int8 quantization out of range", k, t, x->name);
    }
    if (c->n_tensors >= MT_MAX_TENSORS) return mt_lw_fail(c, "more than %d activation tensors", MT_MAX_TENSORS);
    mt_mtm_tensor_t *r = &c->tensors[c->n_tensors];
    r->h = (uint16_t)h, r->w = (uint16_t)w, r->c = (uint16_t)ch;
    r->scale = x->scale[0];
    r->zero_point = (int32_t)x->zero_point[0];
    c->mt_of[t] = c->n_tensors;
    return c->n_tensors++;
}

/* round(f / scale), held to +-2^20 before the conversion: a tiny (valid) scale makes the
 * quotient overflow int32, and anything past the int8 range is clamped to it anyway. */
static int32_t mt_lw_quant_step(float f, float scale) {
    float q = roundf(f / scale);
    return q > 1048576.0f ? 1048576 : q < -1048576.0f ? -1048576 : (int32_t)q;
}

/* TFLite's CalculateActivationRangeQuantized: quantize(f) = zp + round(f / scale) in float. */
static int mt_lw_act_range(ctx_t *c, uint32_t k, int act, const mt_mtm_tensor_t *out, int8_t *lo, int8_t *hi) {
    float s = out->scale;
    int32_t zp = out->zero_point, mn = -128, mx = 127;
    int32_t q0 = zp + mt_lw_quant_step(0.0f, s), q6 = zp + mt_lw_quant_step(6.0f, s);
    int32_t qm1 = zp + mt_lw_quant_step(-1.0f, s), q1 = zp + mt_lw_quant_step(1.0f, s);
    switch (act) {
    case MT_TFL_ACT_NONE: break;
    case MT_TFL_ACT_RELU: mn = q0 > mn ? q0 : mn; break;
    case MT_TFL_ACT_RELU6: mn = q0 > mn ? q0 : mn; mx = q6 < mx ? q6 : mx; break;
    case MT_TFL_ACT_RELU_N1_TO_1: mn = qm1 > mn ? qm1 : mn; mx = q1 < mx ? q1 : mx; break;
    default:
        return mt_lw_fail(c, "op %u: fused activation %s is not supported (NONE, RELU, RELU6, "
                       "RELU_N1_TO_1 are)", k, mt_tfl_activation_name(act));
    }
    if (mn > mx) return mt_lw_fail(c, "op %u: empty activation range", k);
    *lo = (int8_t)mn;
    *hi = (int8_t)mx;
    return 0;
}

/* Pads and output size as TFLite's ComputePaddingHeightWidth (dilation 1). */
static int same_valid(int padding, int in, int k, int stride, int *out, int *before, int *after) {
    *out = padding == MT_TFL_PAD_SAME ? (in + stride - 1) / stride : (in - k + stride) / stride;
    int total = (*out - 1) * stride + k - in;
    if (padding != MT_TFL_PAD_SAME || total < 0) total = 0;
    *before = total / 2;
    *after = total - *before;
    return *out >= 1 ? 0 : -1;
}

static const mt_tfl_tensor_t *const_input(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, uint32_t i,
                                          int type, const char *what) {
    if (op->n_inputs <= i || op->inputs[i] < 0) return NULL;
    const mt_tfl_tensor_t *t = &c->m->tensors[op->inputs[i]];
    if (!t->data || t->type != type) {
        mt_lw_fail(c, "op %u (%s): the %s must be a constant %s tensor", k, mt_lw_opname(op), what,
             mt_tfl_type_name(type));
        return NULL;
    }
    return t;
}

/* Activation input i of op k (through RESHAPE/PAD views); its pads in pad[4]. */
static int act_input(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, uint32_t i, uint8_t pad[4]) {
    if (op->n_inputs <= i || op->inputs[i] < 0) return mt_lw_fail(c, "op %u (%s): input %u missing", k, mt_lw_opname(op), i);
    int32_t t = op->inputs[i], s = c->g.source[t];
    if (c->m->tensors[t].data) return mt_lw_fail(c, "op %u (%s): input %u is a constant", k, mt_lw_opname(op), i);
    memcpy(pad, c->g.pad[t], 4);
    if (c->mt_of[s] < 0) return mt_lw_fail(c, "op %u (%s): input tensor %d is not computed by the imported graph", k, mt_lw_opname(op), t);
    return c->mt_of[s];
}

static int no_pad(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, const uint8_t pad[4]) {
    if (pad[0] | pad[1] | pad[2] | pad[3]) {
        return mt_lw_fail(c, "op %u (%s) reads a PAD output; only CONV_2D and DEPTHWISE_CONV_2D absorb PAD", k, mt_lw_opname(op));
    }
    return 0;
}

/* Weights [Cout][...] int8 symmetric with 1 or Cout scales; fills wscale, mult, shift. */
static int requant_per_channel(ctx_t *c, uint32_t k, const mt_tfl_tensor_t *w, uint32_t cout,
                               float s_in, float s_out, int float_product, mt_mtm_op_t *r) {
    if (w->n_scale != 1 && w->n_scale != cout) return mt_lw_fail(c, "op %u: %u weight scales for %u channels", k, w->n_scale, cout);
    float *ws = mt_lw_own(c, cout, sizeof *ws);
    int32_t *mult = mt_lw_own(c, cout, sizeof *mult), *shift = mt_lw_own(c, cout, sizeof *shift);
    if (!ws || !mult || !shift) return -1;
    for (uint32_t i = 0; i < cout; i++) {
        uint32_t j = w->n_scale == 1 ? 0 : i;
        if (w->zero_point[j] != 0) return mt_lw_fail(c, "op %u: weights are not symmetric (zero point %lld)", k, (long long)w->zero_point[j]);
        ws[i] = w->scale[j];
        /* conv/depthwise (PopulateConvolutionQuantizationParams): s_in * s_w / s_out in double;
         * per-tensor FULLY_CONNECTED (GetQuantizedConvolutionMultipler): s_in * s_w in float. */
        double prod = float_product ? (double)(s_in * ws[i]) : (double)s_in * (double)ws[i];
        if (!(ws[i] > 0.0f) || mt_quantize_multiplier(prod / (double)s_out, &mult[i], &shift[i]) != 0) {
            return mt_lw_fail(c, "op %u: channel %u's requantization multiplier is out of range", k, i);
        }
    }
    r->wscale = ws, r->mult = mult, r->shift = shift, r->n_out = cout;
    return 0;
}

static int bias_of(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, uint32_t cout, mt_mtm_op_t *r) {
    int32_t *b = mt_lw_own(c, cout, sizeof *b);
    if (!b) return -1;
    const mt_tfl_tensor_t *bt = const_input(c, op, k, 2, MT_TFL_INT32, "bias");
    if (c->failed) return -1;
    if (bt) {
        if (bt->data_bytes != 4 * (size_t)cout) return mt_lw_fail(c, "op %u: bias has %zu bytes for %u channels", k, bt->data_bytes, cout);
        for (uint32_t i = 0; i < cout; i++) {
            const uint8_t *p = bt->data + 4 * i;
            b[i] = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        }
    }
    r->bias = b;
    return 0;
}

int mt_lw_lower_conv(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r) {
    const mt_tfl_options_t *o = &op->opt;
    int dw = op->code == MT_TFL_DEPTHWISE_CONV_2D;
    uint8_t pad[4];
    int in = act_input(c, op, k, 0, pad);
    const mt_tfl_tensor_t *w = const_input(c, op, k, 1, MT_TFL_INT8, "filter");
    if (in < 0 || !w) return mt_lw_fail(c, "op %u (%s): filter missing", k, mt_lw_opname(op));
    if (w->rank != 4) return mt_lw_fail(c, "op %u: filter is not 4-D", k);
    if (o->dilation_w != 1 || o->dilation_h != 1) return mt_lw_fail(c, "op %u (%s): dilation is not supported", k, mt_lw_opname(op));
    int kh = w->shape[1], kw = w->shape[2];
    const mt_mtm_tensor_t *ti = &c->tensors[in];
    int out = mt_lw_mt_tensor(c, op->outputs[0], k);
    if (out < 0) return -1;
    const mt_mtm_tensor_t *to = &c->tensors[out];
    if (dw ? (w->shape[0] != 1 || w->shape[3] != to->c || to->c != ti->c)
           : (w->shape[0] != to->c || w->shape[3] != ti->c)) {
        return mt_lw_fail(c, "op %u (%s): filter shape does not match the tensors%s", k, mt_lw_opname(op),
                    dw ? " (depth_multiplier must be 1)" : "");
    }
    if (kh < 1 || kh > 15 || kw < 1 || kw > 15 || o->stride_h < 1 || o->stride_h > 4 ||
        o->stride_w < 1 || o->stride_w > 4) {
        return mt_lw_fail(c, "op %u (%s): kernel %dx%d stride %dx%d outside the runtime's 1..15 / 1..4",
                    k, mt_lw_opname(op), kh, kw, o->stride_h, o->stride_w);
    }
    int oh, ow, pt, pb, pl, pr;
    int hp = ti->h + pad[0] + pad[1], wp = ti->w + pad[2] + pad[3]; /* the PAD output's size */
    if (same_valid(o->padding, hp, kh, o->stride_h, &oh, &pt, &pb) ||
        same_valid(o->padding, wp, kw, o->stride_w, &ow, &pl, &pr) || oh != to->h || ow != to->w) {
        return mt_lw_fail(c, "op %u (%s): output shape disagrees with the padding and strides", k, mt_lw_opname(op));
    }
    pt += pad[0], pb += pad[1], pl += pad[2], pr += pad[3];
    if (pt >= kh || pb >= kh || pl >= kw || pr >= kw) {
        return mt_lw_fail(c, "op %u (%s): padding %d,%d,%d,%d is not smaller than the kernel", k, mt_lw_opname(op), pt, pb, pl, pr);
    }
    r->type = dw ? MT_OP_DEPTHWISE_CONV2D : MT_OP_CONV2D;
    r->kh = (uint8_t)kh, r->kw = (uint8_t)kw;
    r->stride_h = (uint8_t)o->stride_h, r->stride_w = (uint8_t)o->stride_w;
    r->pad_top = (uint8_t)pt, r->pad_bottom = (uint8_t)pb, r->pad_left = (uint8_t)pl, r->pad_right = (uint8_t)pr;
    r->input0 = (uint16_t)in, r->output = (uint16_t)out;
    r->weights = (const int8_t *)w->data;
    r->n_weights = w->data_bytes;
    if (mt_lw_act_range(c, k, o->activation, to, &r->act_min, &r->act_max)) return -1;
    if (requant_per_channel(c, k, w, to->c, ti->scale, to->scale, 0, r)) return -1;
    return bias_of(c, op, k, to->c, r);
}

int mt_lw_lower_fc(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r) {
    uint8_t pad[4];
    int in = act_input(c, op, k, 0, pad);
    const mt_tfl_tensor_t *w = const_input(c, op, k, 1, MT_TFL_INT8, "weights");
    if (in < 0 || !w || no_pad(c, op, k, pad)) return mt_lw_fail(c, "op %u (%s): weights missing", k, mt_lw_opname(op));
    if (op->opt.weights_format != 0) return mt_lw_fail(c, "op %u: shuffled FULLY_CONNECTED weights are not supported", k);
    const mt_mtm_tensor_t *ti = &c->tensors[in];
    int out = mt_lw_mt_tensor(c, op->outputs[0], k);
    if (out < 0) return -1;
    const mt_mtm_tensor_t *to = &c->tensors[out];
    if (w->rank != 2 || w->shape[0] != to->c || w->shape[1] != (int32_t)ti->h * ti->w * ti->c || to->h * to->w != 1) {
        return mt_lw_fail(c, "op %u (FULLY_CONNECTED): weights/tensor shapes disagree (batch must be 1)", k);
    }
    r->type = MT_OP_FULLY_CONNECTED;
    r->input0 = (uint16_t)in, r->output = (uint16_t)out;
    r->weights = (const int8_t *)w->data;
    r->n_weights = w->data_bytes;
    if (mt_lw_act_range(c, k, op->opt.activation, to, &r->act_min, &r->act_max)) return -1;
    if (requant_per_channel(c, k, w, to->c, ti->scale, to->scale, w->n_scale == 1, r)) return -1;
    return bias_of(c, op, k, to->c, r);
}

/* TFLite's int8 ADD (add.cc Prepare): left_shift 20, inputs scaled by s / (2 max(s0, s1)),
 * the sum by 2 max(s0, s1) / (2^20 s_out). */
int mt_lw_lower_add(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r) {
    uint8_t p0[4], p1[4];
    int a = act_input(c, op, k, 0, p0), b = act_input(c, op, k, 1, p1);
    if (a < 0 || b < 0 || no_pad(c, op, k, p0) || no_pad(c, op, k, p1)) return -1;
    int out = mt_lw_mt_tensor(c, op->outputs[0], k);
    if (out < 0) return -1;
    const mt_mtm_tensor_t *ta = &c->tensors[a], *tb = &c->tensors[b], *to = &c->tensors[out];
    if (ta->h != tb->h || ta->w != tb->w || ta->c != tb->c || ta->h != to->h || ta->w != to->w || ta->c != to->c) {
        return mt_lw_fail(c, "op %u (ADD): broadcasting is not supported (the shapes differ)", k);
    }
    double twice_max = 2.0 * (double)(ta->scale > tb->scale ? ta->scale : tb->scale);
    const int left_shift = 20;
    if (mt_quantize_multiplier((double)ta->scale / twice_max, &r->params[0], &r->params[1]) ||
        mt_quantize_multiplier((double)tb->scale / twice_max, &r->params[2], &r->params[3]) ||
        mt_quantize_multiplier(twice_max / ((double)(1 << left_shift) * (double)to->scale), &r->params[4], &r->params[5])) {
        return mt_lw_fail(c, "op %u (ADD): multiplier out of range", k);
    }
    r->params[6] = left_shift;
    r->type = MT_OP_ADD;
    r->input0 = (uint16_t)a, r->input1 = (uint16_t)b, r->output = (uint16_t)out;
    return mt_lw_act_range(c, k, op->opt.activation, to, &r->act_min, &r->act_max);
}

/* A global average (AVERAGE_POOL_2D whose window is the whole map, or MEAN over H and W). */
int mt_lw_lower_pool(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r) {
    uint8_t pad[4];
    int in = act_input(c, op, k, 0, pad);
    if (in < 0 || no_pad(c, op, k, pad)) return -1;
    const mt_mtm_tensor_t *ti = &c->tensors[in];
    int act = MT_TFL_ACT_NONE;
    if (op->code == MT_TFL_AVERAGE_POOL_2D) {
        if (op->opt.filter_h != ti->h || op->opt.filter_w != ti->w) {
            return mt_lw_fail(c, "op %u (AVERAGE_POOL_2D): only a window over the whole %ux%u map is "
                           "supported (global average pooling), not %dx%d", k, ti->h, ti->w,
                        op->opt.filter_h, op->opt.filter_w);
        }
        act = op->opt.activation;
    } else {
        const mt_tfl_tensor_t *ax = const_input(c, op, k, 1, MT_TFL_INT32, "axes");
        int seen = 0;
        for (size_t i = 0; ax && i < ax->data_bytes / 4; i++) {
            int32_t v = (int32_t)((uint32_t)ax->data[4 * i] | (uint32_t)ax->data[4 * i + 1] << 8 |
                                  (uint32_t)ax->data[4 * i + 2] << 16 | (uint32_t)ax->data[4 * i + 3] << 24);
            seen |= v == 1 || v == -3 ? 1 : v == 2 || v == -2 ? 2 : 4;
        }
        if (seen != 3) return mt_lw_fail(c, "op %u (MEAN): only the mean over height and width is supported", k);
    }
    int out = mt_lw_mt_tensor(c, op->outputs[0], k);
    if (out < 0) return -1;
    const mt_mtm_tensor_t *to = &c->tensors[out];
    if (to->h * to->w != 1 || to->c != ti->c) return mt_lw_fail(c, "op %u (%s): output is not 1x1xC", k, mt_lw_opname(op));
    r->input0 = (uint16_t)in, r->output = (uint16_t)out;
    r->type = MT_OP_GLOBAL_AVG_POOL_DIV;
    if (op->code == MT_TFL_AVERAGE_POOL_2D) {
        /* reference_integer_ops::AveragePool: the raw sum divided with rounding; pooling.cc
         * requires one quantization for input and output */
        if (ti->scale != to->scale || ti->zero_point != to->zero_point) {
            return mt_lw_fail(c, "op %u (AVERAGE_POOL_2D): input and output quantization differ "
                                 "(TFLite requires them equal)", k);
        }
    } else {
        /* reference_integer_ops::Mean: sum(q - zp_in) * (s_in / s_out) in double
         * (PrepareMeanOrSum), then divided with rounding, + zp_out */
        if (mt_quantize_multiplier((double)ti->scale / (double)to->scale, &r->params[0], &r->params[1]) ||
            r->params[0] == 0 || ((uint64_t)ti->h * ti->w * 255u << (r->params[1] > 0 ? r->params[1] : 0)) > INT32_MAX) {
            return mt_lw_fail(c, "op %u (MEAN): the scale ratio %g is out of range", k,
                              (double)ti->scale / (double)to->scale);
        }
    }
    return mt_lw_act_range(c, k, act, to, &r->act_min, &r->act_max);
}

/* Appends a GLOBAL_AVG_POOL_DIV of mtm tensor `in` into a new tensor with the same
 * quantization (the mean of int8 values stays in range): the pooled feature of a stage. */
int mt_lw_add_pool(ctx_t *c, int in) {
    if (c->n_ops >= MT_MAX_OPS || c->n_tensors >= MT_MAX_TENSORS) return mt_lw_fail(c, "model too large for the format");
    mt_mtm_tensor_t t = c->tensors[in];
    t.h = t.w = 1;
    c->tensors[c->n_tensors] = t;
    mt_mtm_op_t *r = &c->ops[c->n_ops];
    memset(r, 0, sizeof *r);
    /* the mean as TFLite's AVERAGE_POOL_2D would compute it, like the model's own pools */
    r->type = MT_OP_GLOBAL_AVG_POOL_DIV;
    r->input0 = (uint16_t)in, r->input1 = MT_NO_TENSOR, r->output = c->n_tensors;
    r->act_min = -128, r->act_max = 127;
    if ((uint64_t)c->tensors[in].h * c->tensors[in].w * 255u > INT32_MAX) return mt_lw_fail(c, "feature map too large to pool");
    c->n_ops++;
    return c->n_tensors++;
}

