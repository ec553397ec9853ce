/* TFLite int8 -> .mtm (see tflite_import.h): choose the feature tensors and the split, keep
 * the ops they need, lower them in file order (tflite_lower.c), insert the stage pools,
 * build the input LUT, serialise and validate with the runtime's own loader. */
#include "tflite_import.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tflite_lower.h"

/* The last global average in file order (AVERAGE_POOL_2D over the whole map or MEAN): the
 * default full feature; -1 if none. */
static int32_t last_global_pool(const ctx_t *c) {
    const mt_tfl_model_t *m = c->m;
    for (uint32_t k = m->n_ops; k-- > 0;) {
        const mt_tfl_op_t *op = &m->ops[k];
        if ((op->code != MT_TFL_AVERAGE_POOL_2D && op->code != MT_TFL_MEAN) || op->n_outputs != 1) continue;
        const mt_tfl_tensor_t *o = &m->tensors[op->outputs[0]];
        uint64_t n = mt_tfl_tensor_elems(o);
        if (n && o->rank >= 1 && n == (uint64_t)o->shape[o->rank - 1]) return op->outputs[0];
    }
    return -1;
}

/* The cut nearest half of the MACs up to writer(full): the default split. */
static int32_t default_split(const ctx_t *c, int32_t full) {
    const mt_tfl_model_t *m = c->m;
    int32_t kf = c->g.writer[full];
    uint64_t total = 0, cum = 0, best_d = UINT64_MAX;
    int32_t best = -1;
    for (int32_t k = 0; k <= kf; k++) total += c->g.macs[k];
    for (int32_t k = 0; k < kf; k++) {
        cum += c->g.macs[k];
        if (!mt_tfl_graph_is_cut(&c->g, (uint32_t)k)) continue;
        uint64_t d = cum * 2 > total ? cum * 2 - total : total - cum * 2;
        if (d < best_d) best_d = d, best = m->ops[k].outputs[0];
    }
    return best;
}

static int32_t resolve(ctx_t *c, const char *ref, const char *what) {
    int32_t t = mt_tfl_graph_find(&c->g, ref);
    if (t < 0) return mt_lw_fail(c, "%s '%s' names no tensor (use a tensor name, its index, or op:N)", what, ref);
    t = c->g.source[t];
    if (c->g.writer[t] < 0) return mt_lw_fail(c, "%s '%s' is not computed by any op", what, ref);
    return t;
}

/* The input LUT: pixel p -> x = lo + (hi - lo) p / 255 -> int8, as docs/model-format.md
 * writes it with mean = -lo / (hi - lo), std = 1 / (hi - lo). */
static void input_lut(const mt_mtm_tensor_t *in, double lo, double hi, int8_t *lut, float mean[3], float std[3]) {
    for (int ch = 0; ch < 3; ch++) {
        mean[ch] = (float)(0.0 - lo / (hi - lo)) + 0.0f; /* +0.0f: no -0 */
        std[ch] = (float)(1.0 / (hi - lo));
    }
    for (int ch = 0; ch < in->c; ch++) {
        for (int p = 0; p < 256; p++) {
            double x = ((double)p / 255.0 - mean[ch]) / std[ch];
            double q = round(x / (double)in->scale) + in->zero_point;
            lut[ch * 256 + p] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
        }
    }
}

/* The pixel range the input's int8 grid spans, matched to a common convention. */
static int guess_range(const mt_mtm_tensor_t *in, double *lo, double *hi) {
    static const double conv[4][2] = {{0, 1}, {-1, 1}, {0, 255}, {-128, 127}};
    double a = in->scale * (-128.0 - in->zero_point), b = in->scale * (127.0 - in->zero_point);
    for (int i = 0; i < 4; i++) {
        double tol = 2.0 * in->scale + 1e-3 * (conv[i][1] - conv[i][0]);
        if (fabs(a - conv[i][0]) <= tol && fabs(b - conv[i][1]) <= tol) {
            *lo = conv[i][0], *hi = conv[i][1];
            return 0;
        }
    }
    return -1;
}

static int run(ctx_t *c, const mt_import_opts_t *o, mt_mtm_model_t *mm, int8_t *lut, FILE *info) {
    const mt_tfl_model_t *m = c->m;
    if (m->n_inputs != 1) return mt_lw_fail(c, "the model has %u inputs; one image input is supported", m->n_inputs);
    int32_t tin = m->inputs[0];
    int in = mt_lw_mt_tensor(c, tin, 0);
    if (in < 0) return -1;
    if (c->tensors[in].c != 1 && c->tensors[in].c != 3) return mt_lw_fail(c, "the input has %u channels; 1 or 3 are supported", c->tensors[in].c);
    int32_t full = o->n_features ? resolve(c, o->features[o->n_features - 1], "--features") : last_global_pool(c);
    if (full < 0) return c->failed ? -1 : mt_lw_fail(c, "no global average pool found: name the full feature tensor with --features");
    int32_t part;
    if (o->n_features == 2) {
        part = resolve(c, o->features[0], "--features");
    } else {
        part = o->split ? resolve(c, o->split, "--split") : default_split(c, full);
        if (part < 0) return c->failed ? -1 : mt_lw_fail(c, "no split candidate before the full feature: give --split");
    }
    if (part < 0) return -1;
    int32_t kp = c->g.writer[part], kf = c->g.writer[full];
    if (kp >= kf) return mt_lw_fail(c, "the split (op %d) must come before the full feature's op %d", kp, kf);
    if (info) {
        fprintf(info, "part stage: ops 0..%d, feature = mean of tensor %d (%s)\n", kp, part, m->tensors[part].name);
        fprintf(info, "full model: ops 0..%d, feature = mean of tensor %d (%s)\n", kf, full, m->tensors[full].name);
    }
    /* the ops the two features need, by a backward sweep */
    uint8_t *need_t = calloc(m->n_tensors, 1), *need_op = calloc(m->n_ops ? m->n_ops : 1, 1);
    if (!need_t || !need_op) {
        free(need_t);
        free(need_op);
        return mt_lw_fail(c, "out of memory");
    }
    need_t[full] = need_t[part] = 1;
    for (uint32_t k = m->n_ops; k-- > 0;) {
        const mt_tfl_op_t *op = &m->ops[k];
        for (uint32_t i = 0; i < op->n_outputs; i++) need_op[k] |= need_t[op->outputs[i]];
        for (uint32_t i = 0; need_op[k] && i < op->n_inputs; i++) {
            if (op->inputs[i] >= 0) need_t[op->inputs[i]] = 1;
        }
    }
    int part_feature = -1, dropped = 0;
    for (uint32_t k = 0; k < m->n_ops && !c->failed; k++) {
        const mt_tfl_op_t *op = &m->ops[k];
        if (!need_op[k]) {
            dropped++;
            if (info && k > (uint32_t)kf) fprintf(info, "dropped op %u (%s): after the full feature\n", k, mt_lw_opname(op));
            continue;
        }
        if (op->code == MT_TFL_RESHAPE || (op->code == MT_TFL_PAD && c->g.source[op->outputs[0]] != op->outputs[0])) {
            const mt_tfl_tensor_t *a = &m->tensors[op->inputs[0]], *b = &m->tensors[op->outputs[0]];
            if (a->n_scale != 1 || b->n_scale != 1 || a->scale[0] != b->scale[0] || a->zero_point[0] != b->zero_point[0]) {
                mt_lw_fail(c, "op %u (%s) changes the quantization; only a view is supported", k, mt_lw_opname(op));
            }
            continue; /* a view: no op, the next op reads the source */
        }
        if (c->n_ops >= MT_MAX_OPS) {
            mt_lw_fail(c, "more than %d ops", MT_MAX_OPS);
            break;
        }
        mt_mtm_op_t *r = &c->ops[c->n_ops];
        memset(r, 0, sizeof *r);
        r->input1 = MT_NO_TENSOR;
        int rc;
        switch (op->code) {
        case MT_TFL_CONV_2D:
        case MT_TFL_DEPTHWISE_CONV_2D: rc = mt_lw_lower_conv(c, op, k, r); break;
        case MT_TFL_FULLY_CONNECTED: rc = mt_lw_lower_fc(c, op, k, r); break;
        case MT_TFL_ADD: rc = mt_lw_lower_add(c, op, k, r); break;
        case MT_TFL_AVERAGE_POOL_2D:
        case MT_TFL_MEAN: rc = mt_lw_lower_pool(c, op, k, r); break;
        default:
            rc = mt_lw_fail(c, "op %u (%s) is not supported by the microt runtime (CONV_2D, "
                               "DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, global AVERAGE_POOL_2D/MEAN, "
                               "RESHAPE and PAD into a convolution are)", k, mt_lw_opname(op));
        }
        if (rc < 0) break;
        c->n_ops++;
        if (k == (uint32_t)kp) { /* end of the part stage: its pooled feature */
            int t = c->mt_of[part];
            part_feature = c->tensors[t].h * c->tensors[t].w == 1 ? t : mt_lw_add_pool(c, t);
            mm->split_op = c->n_ops;
        }
    }
    free(need_t);
    free(need_op);
    if (c->failed) return -1;
    int t = c->mt_of[full];
    int full_feature = c->tensors[t].h * c->tensors[t].w == 1 && c->ops[c->n_ops - 1].output == t ? t : mt_lw_add_pool(c, t);
    if (full_feature < 0 || part_feature < 0) return -1;
    if (info && dropped) fprintf(info, "%d TFLite ops not needed by the features were dropped\n", dropped);

    const mt_mtm_tensor_t *ti = &c->tensors[in];
    double lo, hi;
    if (o->has_range) {
        lo = o->in_lo, hi = o->in_hi;
    } else if (guess_range(ti, &lo, &hi) != 0) {
        return mt_lw_fail(c, "cannot tell the input's pixel range from its quantization (scale %g, zero point %d): give --input-range LO,HI",
                          (double)ti->scale, (int)ti->zero_point);
    }
    if (!(hi > lo)) return mt_lw_fail(c, "--input-range needs LO < HI");
    if (info) fprintf(info, "input: %ux%ux%u, pixel 0..255 -> %g..%g\n", ti->h, ti->w, ti->c, lo, hi);
    input_lut(ti, lo, hi, lut, mm->mean, mm->std);
    mm->tensors = c->tensors, mm->n_tensors = c->n_tensors;
    mm->ops = c->ops, mm->n_ops = c->n_ops;
    mm->input_tensor = (uint16_t)in;
    mm->part_feature_tensor = (uint16_t)part_feature;
    mm->full_feature_tensor = (uint16_t)full_feature;
    mm->channel_order = ti->c == 1 ? MT_ORDER_GRAY : o->bgr ? MT_ORDER_BGR : MT_ORDER_RGB;
    mm->input_lut = lut;
    snprintf(mm->name, sizeof mm->name, "%s", o->name ? o->name : "imported");
    if (o->source_of) {
        for (int i = 0; i < MT_MAX_TENSORS; i++) o->source_of[i] = -1;
        for (uint32_t j = 0; j < m->n_tensors; j++) {
            if (c->mt_of[j] >= 0) o->source_of[c->mt_of[j]] = (int32_t)j;
        }
    }
    return 0;
}

int mt_tfl_import(const mt_tfl_model_t *m, const mt_import_opts_t *o, uint8_t **out, size_t *len,
                  FILE *info, char *err, size_t err_len) {
    ctx_t *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    c->m = m, c->err = err, c->err_len = err_len;
    int rc = -1;
    mt_mtm_model_t mm;
    memset(&mm, 0, sizeof mm);
    int8_t lut[3 * 256];
    if (mt_tfl_graph_build(&c->g, m, err, err_len) != 0) goto done;
    c->mt_of = malloc(sizeof *c->mt_of * (m->n_tensors ? m->n_tensors : 1));
    if (!c->mt_of) {
        snprintf(err, err_len, "out of memory");
        goto done;
    }
    for (uint32_t t = 0; t < m->n_tensors; t++) c->mt_of[t] = -1;
    if (run(c, o, &mm, lut, info) != 0) goto done;
    *out = mt_mtm_write(&mm, len);
    if (!*out) {
        snprintf(err, err_len, "out of memory, or the model exceeds the format's 4 GB");
        goto done;
    }
    /* the runtime's loader is the judge: anything it refuses is a bug of this translation */
    uint8_t *aligned = *out;
    mt_model_t check;
    mt_status_t st = mt_model_open(&check, aligned, *len);
    if (st != MT_OK) {
        snprintf(err, err_len, "the translated model fails validation: %s", mt_strerror(st));
        free(*out);
        *out = NULL;
        goto done;
    }
    rc = 0;
done:
    for (unsigned i = 0; i < c->n_owned; i++) free(c->owned[i]);
    mt_tfl_graph_free(&c->g);
    free(c->mt_of);
    free(c);
    return rc;
}
