/* Feature cache (include/microt/features.h): encodes each sample's pooled features into the
 * caller's buffer once, so head training never re-runs the extractor. Never allocates and
 * never keeps pointers to the images or the arena. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "microt/features.h"
#include "personalize_internal.h"

static size_t labels_bytes(uint32_t cap) { return ((size_t)cap * 2u + 3u) & ~(size_t)3u; }

static size_t vector_bytes(uint32_t dim, uint8_t format) {
    /* S8: lo and step (2 x f32) then dim int8 values, padded to 4 so the floats stay aligned. */
    return MT_FEATURES_VECTOR_BYTES(dim, format);
}

size_t mt_features_bytes(uint32_t n_samples, uint32_t part_dim, uint32_t full_dim,
                         mt_features_format_t format) {
    if (part_dim == 0 || full_dim == 0 || part_dim > 0xFFFFu || full_dim > 0xFFFFu) return 0;
    if (format != MT_FEATURES_S8 && format != MT_FEATURES_F32) return 0;
    uint8_t f = (uint8_t)format;
    return labels_bytes(n_samples) +
           (size_t)n_samples * (vector_bytes(part_dim, f) + vector_bytes(full_dim, f));
}

mt_status_t mt_features_init(mt_features_t *cache, void *buf, size_t buf_bytes,
                             uint32_t capacity, uint32_t part_dim, uint32_t full_dim,
                             mt_features_format_t format) {
    if (!cache) return MT_E_ARG;
    memset(cache, 0, sizeof *cache);
    size_t need = mt_features_bytes(capacity, part_dim, full_dim, format);
    if (!buf || need == 0 || capacity == 0) return MT_E_ARG;
    if (((uintptr_t)buf & 3u) != 0) return MT_E_ARENA_ALIGN;
    if (buf_bytes < need) return MT_E_SCRATCH_TOO_SMALL;
    cache->buf = (uint8_t *)buf;
    cache->capacity = capacity;
    cache->dim[MT_STAGE_PART] = (uint16_t)part_dim;
    cache->dim[MT_STAGE_FULL] = (uint16_t)full_dim;
    cache->format = (uint8_t)format;
    cache->rng = 1u;
    cache->last_slot = MT_FEATURES_DROPPED;
    return MT_OK;
}

mt_status_t mt_features_set_reservoir(mt_features_t *cache, uint32_t per_class, uint32_t seed) {
    if (!cache || !cache->buf || per_class == 0 || per_class > 0xFFFFu) return MT_E_ARG;
    if (cache->n_samples != 0) return MT_E_STATE;
    cache->per_class = (uint16_t)per_class;
    cache->rng = seed ? seed : 1u;
    return MT_OK;
}

static uint16_t label_at(const mt_features_t *c, uint32_t i) {
    uint16_t y;
    memcpy(&y, c->buf + 2u * i, 2);
    return y;
}

static uint8_t *vector_at(const mt_features_t *c, uint32_t i, int stage) {
    size_t part = vector_bytes(c->dim[0], c->format), full = vector_bytes(c->dim[1], c->format);
    uint8_t *base = c->buf + labels_bytes(c->capacity);
    if (stage == MT_STAGE_FULL) base += (size_t)c->capacity * part;
    return base + (size_t)i * (stage == MT_STAGE_FULL ? full : part);
}

/* A feature source: either floats, or int8 values with the tensor's scale and zero point. */
typedef struct {
    const float *f;
    const int8_t *q;
    float scale;
    int32_t zp;
} source_t;

static float source_value(const source_t *s, uint32_t i) {
    return s->f ? s->f[i] : s->scale * (float)((int32_t)s->q[i] - s->zp);
}

static int source_finite(const source_t *s, uint32_t dim) {
    for (uint32_t i = 0; i < dim; i++) {
        if (!isfinite(source_value(s, i))) return 0;
    }
    return 1;
}

static void encode(const mt_features_t *c, uint32_t slot, int stage, const source_t *s) {
    uint32_t dim = c->dim[stage];
    uint8_t *dst = vector_at(c, slot, stage);
    if (c->format == MT_FEATURES_F32) {
        for (uint32_t i = 0; i < dim; i++) {
            float v = source_value(s, i);
            memcpy(dst + 4u * i, &v, 4);
        }
        return;
    }
    float lo = source_value(s, 0), hi = lo;
    for (uint32_t i = 1; i < dim; i++) {
        float v = source_value(s, i);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    float step = (hi - lo) / 255.0f;
    if (!(step > 0.0f) || !isfinite(step)) step = 0.0f; /* constant vector: every q = -128 */
    memcpy(dst, &lo, 4);
    memcpy(dst + 4, &step, 4);
    int8_t *q = (int8_t *)(dst + 8);
    for (uint32_t i = 0; i < dim; i++) {
        float k = step > 0.0f ? (source_value(s, i) - lo) / step : 0.0f;
        long r = lroundf(k); /* nearest level, ties away from zero */
        if (r < 0) r = 0;
        if (r > 255) r = 255;
        q[i] = (int8_t)(r - 128);
    }
}

/* Where a new sample of `label` goes: the next free slot, a kept sample of its class chosen
 * by the reservoir, or MT_FEATURES_DROPPED. Advances the reservoir state. */
static mt_status_t choose_slot(mt_features_t *c, uint16_t label, uint32_t *slot) {
    uint32_t kept = 0;
    if (c->per_class) {
        for (uint32_t i = 0; i < c->n_samples; i++) kept += label_at(c, i) == label;
    }
    if (!c->per_class || kept < c->per_class) {
        if (c->n_samples >= c->capacity) return MT_E_CACHE_FULL;
        *slot = c->n_samples;
        return MT_OK;
    }
    /* Algorithm R: the t-th offered sample (t = offered + 1) is kept with probability
     * per_class / t, in place of the j-th kept one. */
    uint32_t t = c->offered[label] + 1u;
    uint32_t j = mt_xorshift32(&c->rng) % t;
    *slot = MT_FEATURES_DROPPED;
    if (j >= c->per_class) return MT_OK;
    for (uint32_t i = 0; i < c->n_samples; i++) {
        if (label_at(c, i) == label && j-- == 0) {
            *slot = i;
            break;
        }
    }
    return MT_OK;
}

static mt_status_t add(mt_features_t *c, uint16_t label, const source_t *part,
                       const source_t *full) {
    if (label >= MT_FEATURES_MAX_CLASSES) return MT_E_ARG;
    if (!source_finite(part, c->dim[0]) || !source_finite(full, c->dim[1])) return MT_E_NONFINITE;
    uint32_t slot;
    mt_status_t st = choose_slot(c, label, &slot);
    if (st != MT_OK) return st;
    c->offered[label]++;
    c->last_slot = slot;
    if (label >= c->n_classes) c->n_classes = (uint16_t)(label + 1u);
    if (slot == MT_FEATURES_DROPPED) return MT_OK;
    encode(c, slot, MT_STAGE_PART, part);
    encode(c, slot, MT_STAGE_FULL, full);
    memcpy(c->buf + 2u * slot, &label, 2);
    if (slot == c->n_samples) c->n_samples = slot + 1u;
    return MT_OK;
}

mt_status_t mt_features_add(mt_features_t *cache, uint16_t label, const float *part,
                            const float *full) {
    if (!cache || !cache->buf || !part || !full) return MT_E_ARG;
    source_t p = {part, NULL, 0.0f, 0}, f = {full, NULL, 0.0f, 0};
    return add(cache, label, &p, &f);
}

mt_status_t mt_features_add_exec(mt_features_t *cache, uint16_t label, const mt_exec_t *exec) {
    if (!cache || !cache->buf || !exec) return MT_E_ARG;
    source_t s[2];
    for (int stage = 0; stage < 2; stage++) {
        uint32_t len;
        memset(&s[stage], 0, sizeof s[stage]);
        mt_status_t st = mt_exec_features_s8(exec, (mt_stage_t)stage, &s[stage].q, &len,
                                             &s[stage].scale, &s[stage].zp);
        if (st != MT_OK) return st;
        if (len != cache->dim[stage]) return MT_E_SHAPE;
    }
    return add(cache, label, &s[0], &s[1]);
}

mt_status_t mt_features_get(const mt_features_t *cache, uint32_t i, mt_stage_t stage,
                            float *out, uint16_t *label) {
    if (!cache || !cache->buf || i >= cache->n_samples) return MT_E_ARG;
    if (stage != MT_STAGE_PART && stage != MT_STAGE_FULL) return MT_E_ARG;
    if (label) memcpy(label, cache->buf + 2u * i, 2);
    if (!out) return MT_OK;
    const uint8_t *src = vector_at(cache, i, stage);
    uint32_t dim = cache->dim[stage];
    if (cache->format == MT_FEATURES_F32) {
        memcpy(out, src, (size_t)dim * 4u);
        return MT_OK;
    }
    float lo, step;
    memcpy(&lo, src, 4);
    memcpy(&step, src + 4, 4);
    const int8_t *q = (const int8_t *)(src + 8);
    for (uint32_t k = 0; k < dim; k++) out[k] = lo + step * (float)((int32_t)q[k] + 128);
    return MT_OK;
}

void mt_features_get_normalized(const mt_features_t *cache, uint32_t i, mt_stage_t stage,
                                const float *mean, const float *inv_std, float *out,
                                uint16_t *label) {
    if (label) memcpy(label, cache->buf + 2u * i, 2);
    const uint8_t *src = vector_at(cache, i, stage);
    uint32_t dim = cache->dim[stage];
    if (cache->format == MT_FEATURES_F32) {
        for (uint32_t k = 0; k < dim; k++) {
            float v;
            memcpy(&v, src + 4u * k, 4);
            out[k] = (v - mean[k]) * inv_std[k];
        }
        return;
    }
    float lo, step;
    memcpy(&lo, src, 4);
    memcpy(&step, src + 4, 4);
    const int8_t *q = (const int8_t *)(src + 8);
    for (uint32_t k = 0; k < dim; k++) {
        out[k] = (lo + step * (float)((int32_t)q[k] + 128) - mean[k]) * inv_std[k];
    }
}

mt_status_t mt_features_count(const mt_features_t *cache, uint32_t *counts, size_t n_counts) {
    if (!cache || !cache->buf || !counts || n_counts < cache->n_classes) return MT_E_ARG;
    memset(counts, 0, n_counts * sizeof *counts);
    for (uint32_t i = 0; i < cache->n_samples; i++) counts[label_at(cache, i)]++;
    return MT_OK;
}

uint32_t mt_features_offered(const mt_features_t *cache) {
    uint32_t n = 0;
    if (!cache) return 0;
    for (uint32_t c = 0; c < MT_FEATURES_MAX_CLASSES; c++) n += cache->offered[c];
    return n;
}
