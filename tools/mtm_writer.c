/* .mtm serialisation (see mtm_writer.h; layout in docs/model-format.md). */
#include "mtm_writer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "microt/model.h"

typedef struct {
    uint8_t *p;
    size_t len, cap;
} bytes_t;

static int reserve(bytes_t *b, size_t n) {
    if (b->len + n <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    uint8_t *q = realloc(b->p, cap);
    if (!q) return -1;
    b->p = q;
    b->cap = cap;
    return 0;
}

static void put_u16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_f32(uint8_t *p, float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    put_u32(p, u);
}

/* Appends n little-endian elements of `width` bytes to the data section, padded to 4; returns
 * the absolute file offset (0 for none). */
static uint32_t put_data(bytes_t *d, size_t base, const void *src, size_t n, int width,
                         int is_float, int *oom) {
    if (!src || n == 0) return 0;
    size_t bytes = n * (size_t)width, padded = (bytes + 3) & ~(size_t)3;
    if (reserve(d, padded) != 0) {
        *oom = 1;
        return 0;
    }
    uint32_t off = (uint32_t)(base + d->len);
    uint8_t *q = d->p + d->len;
    for (size_t i = 0; i < n; i++) {
        if (width == 1) {
            q[i] = ((const uint8_t *)src)[i];
        } else if (is_float) {
            put_f32(q + 4 * i, ((const float *)src)[i]);
        } else {
            put_u32(q + 4 * i, (uint32_t)((const int32_t *)src)[i]);
        }
    }
    memset(q + bytes, 0, padded - bytes);
    d->len += padded;
    return off;
}

uint8_t *mt_mtm_write(const mt_mtm_model_t *m, size_t *len) {
    size_t ops_off = MT_MODEL_HEADER_BYTES + (size_t)MT_TENSOR_RECORD_BYTES * m->n_tensors;
    size_t data_off = ops_off + (size_t)MT_OP_RECORD_BYTES * m->n_ops;
    bytes_t d = {NULL, 0, 0};
    int oom = 0;
    uint8_t *records = calloc(1, data_off);
    if (!records) return NULL;
    for (uint16_t i = 0; i < m->n_tensors; i++) {
        uint8_t *r = records + MT_MODEL_HEADER_BYTES + (size_t)MT_TENSOR_RECORD_BYTES * i;
        const mt_mtm_tensor_t *t = &m->tensors[i];
        put_u16(r, t->h);
        put_u16(r + 2, t->w);
        put_u16(r + 4, t->c);
        put_f32(r + 8, t->scale);
        put_u32(r + 12, (uint32_t)t->zero_point);
    }
    for (uint16_t i = 0; i < m->n_ops; i++) {
        const mt_mtm_op_t *op = &m->ops[i];
        uint8_t *r = records + ops_off + (size_t)MT_OP_RECORD_BYTES * i;
        const uint8_t geo[9] = {op->type, op->kh, op->kw, op->stride_h, op->stride_w,
                                op->pad_top, op->pad_left, op->pad_bottom, op->pad_right};
        memcpy(r, geo, sizeof geo);
        r[9] = (uint8_t)op->act_min;
        r[10] = (uint8_t)op->act_max;
        put_u16(r + 12, op->input0);
        put_u16(r + 14, op->input1);
        put_u16(r + 16, op->output);
        put_u32(r + 20, put_data(&d, data_off, op->weights, op->n_weights, 1, 0, &oom));
        put_u32(r + 24, put_data(&d, data_off, op->bias, op->n_out, 4, 0, &oom));
        uint32_t rq = 0;
        if (op->mult) {
            rq = put_data(&d, data_off, op->mult, op->n_out, 4, 0, &oom);
            put_data(&d, data_off, op->shift, op->n_out, 4, 0, &oom);
        }
        put_u32(r + 28, rq);
        put_u32(r + 32, put_data(&d, data_off, op->wscale, op->n_out, 4, 1, &oom));
        for (int k = 0; k < 7; k++) put_u32(r + 36 + 4 * k, (uint32_t)op->params[k]);
    }
    uint16_t c_in = m->input_tensor < m->n_tensors ? m->tensors[m->input_tensor].c : 0;
    uint32_t lut_off = put_data(&d, data_off, m->input_lut, (size_t)c_in * 256, 1, 0, &oom);
    size_t total = data_off + d.len;
    uint8_t *out = oom || total > UINT32_MAX ? NULL : malloc(total);
    if (!out) {
        free(records);
        free(d.p);
        return NULL;
    }
    memcpy(out, records, data_off);
    if (d.len) memcpy(out + data_off, d.p, d.len);
    free(records);
    free(d.p);

    uint8_t *h = out;
    memcpy(h, "MTM1", 4);
    put_u16(h + 4, 1);
    put_u16(h + 6, 0);
    put_u32(h + 8, (uint32_t)total);
    put_u32(h + 24, MT_MODEL_HEADER_BYTES);
    put_u16(h + 28, m->n_tensors);
    put_u16(h + 30, m->n_ops);
    put_u32(h + 32, MT_MODEL_HEADER_BYTES);
    put_u32(h + 36, (uint32_t)ops_off);
    put_u32(h + 40, (uint32_t)data_off);
    put_u32(h + 44, (uint32_t)(total - data_off));
    put_u16(h + 48, m->input_tensor);
    put_u16(h + 50, m->part_feature_tensor);
    put_u16(h + 52, m->full_feature_tensor);
    put_u16(h + 54, m->split_op);
    h[56] = m->channel_order;
    h[57] = m->resize;
    for (int c = 0; c < 3; c++) {
        put_f32(h + 60 + 4 * c, m->mean[c]);
        put_f32(h + 72 + 4 * c, m->std[c]);
    }
    put_u32(h + 84, lut_off);
    memcpy(h + 88, m->name, 31);
    h[119] = 0;
    /* fingerprint first (it hashes the body), then the CRC, which covers the fingerprint */
    uint64_t fp = mt_fnv1a64(MT_FNV1A64_INIT, out + MT_MODEL_HEADER_BYTES, total - MT_MODEL_HEADER_BYTES);
    put_u32(h + 16, (uint32_t)fp);
    put_u32(h + 20, (uint32_t)(fp >> 32));
    put_u32(h + 12, mt_crc32(0, out + 16, total - 16));
    *len = total;
    return out;
}

int mt_quantize_multiplier(double m, int32_t *mult, int32_t *shift) {
    *mult = 0;
    *shift = 0;
    if (!(m >= 0.0) || !isfinite(m)) return -1;
    if (m == 0.0) return 0;
    int exp;
    double frac = frexp(m, &exp);
    int64_t q = (int64_t)round(frac * 2147483648.0); /* round: half away from zero */
    if (q == (int64_t)1 << 31) {
        q /= 2;
        exp++;
    }
    if (exp < -31) return 0; /* too small to matter: 0 */
    if (exp > 30) return -1;
    *mult = (int32_t)q;
    *shift = exp;
    return 0;
}
