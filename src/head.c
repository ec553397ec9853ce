/* Linear softmax heads: buffers, inputs and float32 inference (training is in head_train.c).
 * Never allocates: the weights live in the caller's head buffer. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mathf.h"
#include "microt/head.h"
#include "personalize_internal.h"

size_t mt_head_bytes(uint32_t max_classes, uint32_t dim) {
    if (max_classes == 0 || max_classes > MT_HEAD_MAX_CLASSES || dim == 0 || dim > 0xFFFFu) {
        return 0;
    }
    return MT_HEAD_BYTES(max_classes, dim);
}

mt_status_t mt_head_init(mt_head_t *head, void *buf, size_t buf_bytes, uint32_t max_classes,
                         uint32_t dim) {
    if (!head) return MT_E_ARG;
    memset(head, 0, sizeof *head);
    size_t need = mt_head_bytes(max_classes, dim);
    if (!buf || need == 0) return MT_E_ARG;
    if (((uintptr_t)buf & 3u) != 0) return MT_E_ARENA_ALIGN;
    if (buf_bytes < need) return MT_E_SCRATCH_TOO_SMALL;
    float *f = (float *)buf;
    head->max_classes = (uint16_t)max_classes;
    head->dim = (uint16_t)dim;
    head->weights = f;
    head->bias = f + (size_t)max_classes * dim;
    head->mean = head->bias + max_classes;
    head->inv_std = head->mean + dim;
    for (size_t i = 0; i < (size_t)max_classes * dim + max_classes + dim; i++) f[i] = 0.0f;
    for (uint32_t d = 0; d < dim; d++) head->inv_std[d] = 1.0f;
    return MT_OK;
}

uint32_t mt_head_input_dim(const mt_features_t *cache, mt_head_input_t input) {
    if (!cache) return 0;
    switch (input) {
    case MT_HEAD_PART: return cache->dim[MT_STAGE_PART];
    case MT_HEAD_FULL: return cache->dim[MT_STAGE_FULL];
    case MT_HEAD_CONCAT: return (uint32_t)cache->dim[MT_STAGE_PART] + cache->dim[MT_STAGE_FULL];
    }
    return 0;
}

void mt_head_input_row(const mt_features_t *cache, uint32_t i, mt_head_input_t input, float *row,
                       uint16_t *label) {
    if (input == MT_HEAD_CONCAT) {
        mt_features_get(cache, i, MT_STAGE_PART, row, label);
        mt_features_get(cache, i, MT_STAGE_FULL, row + cache->dim[MT_STAGE_PART], NULL);
    } else {
        mt_features_get(cache, i, input == MT_HEAD_PART ? MT_STAGE_PART : MT_STAGE_FULL, row, label);
    }
}

/* A head input as up to two segments, each float or int8 with its scale and zero point. */
typedef struct {
    const float *f;
    const int8_t *q;
    uint32_t len;
    float scale;
    int32_t zp;
} segment_t;

static float seg_value(const segment_t *s, uint32_t d) {
    return s->f ? s->f[d] : s->scale * (float)((int32_t)s->q[d] - s->zp);
}

void mt_head_input_row_normalized(const mt_features_t *cache, uint32_t i, mt_head_input_t input,
                                  const float *mean, const float *inv_std, float *row,
                                  uint16_t *label) {
    if (input == MT_HEAD_CONCAT) {
        uint32_t dp = cache->dim[MT_STAGE_PART];
        mt_features_get_normalized(cache, i, MT_STAGE_PART, mean, inv_std, row, label);
        mt_features_get_normalized(cache, i, MT_STAGE_FULL, mean + dp, inv_std + dp, row + dp, NULL);
    } else {
        mt_features_get_normalized(cache, i, input == MT_HEAD_PART ? MT_STAGE_PART : MT_STAGE_FULL,
                                   mean, inv_std, row, label);
    }
}

static mt_status_t logits_common(const mt_head_t *head, const segment_t *seg, uint32_t n_seg,
                                 float *logits) {
    if (!head || !head->weights || !logits || head->n_classes == 0) return MT_E_ARG;
    uint32_t len = 0;
    for (uint32_t s = 0; s < n_seg; s++) len += seg[s].len;
    if (len != head->dim) return MT_E_SHAPE;
    for (uint32_t c = 0; c < head->n_classes; c++) {
        const float *w = head->weights + (size_t)c * head->dim;
        float z = head->bias[c];
        uint32_t d = 0;
        for (uint32_t s = 0; s < n_seg; s++) {
            for (uint32_t j = 0; j < seg[s].len; j++, d++) {
                z += w[d] * ((seg_value(&seg[s], j) - head->mean[d]) * head->inv_std[d]);
            }
        }
        logits[c] = z;
    }
    return MT_OK;
}

mt_status_t mt_head_logits_f32(const mt_head_t *head, const float *x, uint32_t len,
                               float *logits) {
    if (!x) return MT_E_ARG;
    segment_t s = {x, NULL, len, 0.0f, 0};
    return logits_common(head, &s, 1, logits);
}

mt_status_t mt_head_logits_s8(const mt_head_t *head, const int8_t *q, uint32_t len, float scale,
                              int32_t zero_point, float *logits) {
    if (!q) return MT_E_ARG;
    segment_t s = {NULL, q, len, scale, zero_point};
    return logits_common(head, &s, 1, logits);
}

mt_status_t mt_head_logits_s8_concat(const mt_head_t *head, const int8_t *q0, uint32_t len0,
                                     float scale0, int32_t zp0, const int8_t *q1, uint32_t len1,
                                     float scale1, int32_t zp1, float *logits) {
    if (!q0 || !q1) return MT_E_ARG;
    segment_t s[2] = {{NULL, q0, len0, scale0, zp0}, {NULL, q1, len1, scale1, zp1}};
    return logits_common(head, s, 2, logits);
}

mt_status_t mt_head_decide(const float *logits, uint32_t n, mt_confidence_t kind,
                           uint16_t *label, float *confidence) {
    if (!logits || n == 0 || n > MT_HEAD_MAX_CLASSES || !label || !confidence) return MT_E_ARG;
    if (kind != MT_CONF_MAX_PROB && kind != MT_CONF_MARGIN && kind != MT_CONF_ENTROPY) {
        return MT_E_ARG;
    }
    uint32_t best = 0;
    for (uint32_t c = 1; c < n; c++) {
        if (logits[c] > logits[best]) best = c;
    }
    if (!isfinite(logits[best])) return MT_E_NONFINITE;
    /* With e_c = exp(z_c - z_max): p_c = e_c / S, S = sum e_c, so max p = 1/S and
     * H = ln S - sum e_c (z_c - z_max) / S: no probability buffer needed. */
    float zmax = logits[best], sum = 0.0f, second = 0.0f, ez = 0.0f;
    for (uint32_t c = 0; c < n; c++) {
        float e = mt_expf(logits[c] - zmax);
        sum += e;
        ez += e * (logits[c] - zmax);
        if (c != best && e > second) second = e;
    }
    float conf;
    if (kind == MT_CONF_MAX_PROB) {
        conf = 1.0f / sum;
    } else if (kind == MT_CONF_MARGIN) {
        conf = (1.0f - second) / sum;
    } else {
        conf = n < 2 ? 1.0f : 1.0f - (mt_logf(sum) - ez / sum) / mt_logf((float)n);
    }
    *label = (uint16_t)best;
    *confidence = conf < 0.0f ? 0.0f : (conf > 1.0f ? 1.0f : conf);
    return MT_OK;
}

mt_status_t mt_head_predict_f32(const mt_head_t *head, const float *x, uint32_t len,
                                mt_confidence_t kind, uint16_t *label, float *confidence) {
    float logits[MT_HEAD_MAX_CLASSES];
    mt_status_t st = mt_head_logits_f32(head, x, len, logits);
    if (st != MT_OK) return st;
    return mt_head_decide(logits, head->n_classes, kind, label, confidence);
}
