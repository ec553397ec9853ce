/* The C test-model writer (see model_builder.h). Test code: plain, not optimized. */
#include "model_builder.h"

#include <math.h>
#include <string.h>

#include "microt/model.h"

void mt_put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void mt_put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

void mt_put_f32(uint8_t *p, float v) {
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    mt_put_u32(p, u);
}

uint32_t mt_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

size_t mt_tensor_record(size_t i) { return MT_MODEL_HEADER_BYTES + MT_TENSOR_RECORD_BYTES * i; }

size_t mt_op_record(size_t n_tensors, size_t i) {
    return MT_MODEL_HEADER_BYTES + MT_TENSOR_RECORD_BYTES * n_tensors + MT_OP_RECORD_BYTES * i;
}

void mt_reseal(uint8_t *buf, size_t len) {
    uint64_t fp = mt_fnv1a64(MT_FNV1A64_INIT, buf + MT_MODEL_HEADER_BYTES, len - MT_MODEL_HEADER_BYTES);
    mt_put_u32(buf + MT_HDR_FINGERPRINT, (uint32_t)fp);
    mt_put_u32(buf + MT_HDR_FINGERPRINT + 4, (uint32_t)(fp >> 32));
    mt_put_u32(buf + MT_HDR_CRC, mt_crc32(0, buf + MT_HDR_FINGERPRINT, len - MT_HDR_FINGERPRINT));
}

typedef struct {
    uint8_t *buf;
    size_t cap, len;
    uint32_t rng;
} builder_t;

static uint32_t next_rand(builder_t *b) {
    b->rng ^= b->rng << 13;
    b->rng ^= b->rng >> 17;
    b->rng ^= b->rng << 5;
    return b->rng;
}

/* Appends n zero bytes (4-aligned start) and returns their offset, or 0 when full. */
static uint32_t reserve(builder_t *b, size_t n) {
    size_t off = (b->len + 3u) & ~(size_t)3u;
    if (off + n > b->cap) {
        b->len = b->cap + 1; /* poison: the final length check fails */
        return 0;
    }
    memset(b->buf + b->len, 0, off + n - b->len);
    b->len = off + n;
    return (uint32_t)off;
}

/* TFLite's QuantizeMultiplier, for building valid test files. */
static void quantize_multiplier(double m, int32_t *mult, int32_t *shift) {
    int exp;
    double frac = frexp(m, &exp);
    long long q = llround(frac * 2147483648.0);
    if (q == 2147483648LL) {
        q /= 2;
        exp++;
    }
    if (exp < -31) {
        q = 0;
        exp = 0;
    }
    *mult = (int32_t)q;
    *shift = exp;
}

static void put_tensor(builder_t *b, int i, int h, int w, int c, float scale, int zp) {
    uint8_t *r = b->buf + mt_tensor_record((size_t)i);
    mt_put_u16(r + MT_TENSOR_REC_H, (uint16_t)h);
    mt_put_u16(r + MT_TENSOR_REC_W, (uint16_t)w);
    mt_put_u16(r + MT_TENSOR_REC_C, (uint16_t)c);
    mt_put_f32(r + MT_TENSOR_REC_SCALE, scale);
    mt_put_u32(r + MT_TENSOR_REC_ZERO_POINT, (uint32_t)zp);
}

static const float TENSOR_SCALE[MT_SMALL_MODEL_TENSORS] = {0.02f, 0.025f, 0.03f, 0.04f,
                                                           0.02f, 0.03f, 0.01f, 0.05f};
static const int TENSOR_ZP[MT_SMALL_MODEL_TENSORS] = {-3, -128, 5, -10, 2, -128, -7, 4};

/* An op with weights: fills weights, bias, requant and scales from the seed. */
static void put_weighted_op(builder_t *b, int i, uint8_t type, int k, int stride, int pad_lo,
                            int pad_hi, int in, int out, int cout, int n_weights, int relu6) {
    uint8_t *r = b->buf + mt_op_record(MT_SMALL_MODEL_TENSORS, (size_t)i);
    r[MT_OP_REC_TYPE] = type;
    r[MT_OP_REC_KH] = r[MT_OP_REC_KW] = (uint8_t)k;
    r[MT_OP_REC_STRIDE_H] = r[MT_OP_REC_STRIDE_W] = (uint8_t)stride;
    r[MT_OP_REC_PAD_TOP] = r[MT_OP_REC_PAD_LEFT] = (uint8_t)pad_lo;
    r[MT_OP_REC_PAD_BOTTOM] = r[MT_OP_REC_PAD_RIGHT] = (uint8_t)pad_hi;
    int zp = TENSOR_ZP[out];
    int hi = relu6 ? zp + (int)lround(6.0 / TENSOR_SCALE[out]) : 127;
    r[MT_OP_REC_ACT_MIN] = (uint8_t)(int8_t)(relu6 ? zp : -128);
    r[MT_OP_REC_ACT_MAX] = (uint8_t)(int8_t)(hi > 127 ? 127 : hi);
    mt_put_u16(r + MT_OP_REC_INPUT0, (uint16_t)in);
    mt_put_u16(r + MT_OP_REC_INPUT1, MT_NO_TENSOR);
    mt_put_u16(r + MT_OP_REC_OUTPUT, (uint16_t)out);
    uint32_t w_off = reserve(b, (size_t)n_weights);
    uint32_t b_off = reserve(b, 4u * (size_t)cout);
    uint32_t q_off = reserve(b, 8u * (size_t)cout);
    uint32_t s_off = reserve(b, 4u * (size_t)cout);
    if (b->len > b->cap) return;
    for (int j = 0; j < n_weights; j++) b->buf[w_off + j] = (uint8_t)(int8_t)((int)(next_rand(b) % 255u) - 127);
    for (int c = 0; c < cout; c++) {
        float w_scale = 0.002f + 0.001f * (float)(c % 5);
        int32_t mult, shift;
        quantize_multiplier((double)TENSOR_SCALE[in] * w_scale / TENSOR_SCALE[out], &mult, &shift);
        mt_put_u32(b->buf + b_off + 4 * c, (uint32_t)((int32_t)(next_rand(b) % 2001u) - 1000));
        mt_put_u32(b->buf + q_off + 4 * c, (uint32_t)mult);
        mt_put_u32(b->buf + q_off + 4 * (cout + c), (uint32_t)shift);
        mt_put_f32(b->buf + s_off + 4 * c, w_scale);
    }
    mt_put_u32(r + MT_OP_REC_WEIGHTS_OFFSET, w_off);
    mt_put_u32(r + MT_OP_REC_BIAS_OFFSET, b_off);
    mt_put_u32(r + MT_OP_REC_REQUANT_OFFSET, q_off);
    mt_put_u32(r + MT_OP_REC_WSCALE_OFFSET, s_off);
}

static void put_pool_op(builder_t *b, int i, int in, int out, int hw) {
    uint8_t *r = b->buf + mt_op_record(MT_SMALL_MODEL_TENSORS, (size_t)i);
    int32_t mult, shift;
    quantize_multiplier((double)TENSOR_SCALE[in] / (TENSOR_SCALE[out] * hw), &mult, &shift);
    r[MT_OP_REC_TYPE] = MT_OP_GLOBAL_AVG_POOL;
    r[MT_OP_REC_ACT_MIN] = (uint8_t)(int8_t)-128;
    r[MT_OP_REC_ACT_MAX] = 127;
    mt_put_u16(r + MT_OP_REC_INPUT0, (uint16_t)in);
    mt_put_u16(r + MT_OP_REC_INPUT1, MT_NO_TENSOR);
    mt_put_u16(r + MT_OP_REC_OUTPUT, (uint16_t)out);
    mt_put_u32(r + MT_OP_REC_PARAMS, (uint32_t)mult);
    mt_put_u32(r + MT_OP_REC_PARAMS + 4, (uint32_t)shift);
}

static void put_add_op(builder_t *b, int i, int in0, int in1, int out) {
    uint8_t *r = b->buf + mt_op_record(MT_SMALL_MODEL_TENSORS, (size_t)i);
    const int left_shift = 20;
    double s0 = TENSOR_SCALE[in0], s1 = TENSOR_SCALE[in1];
    double twice_max = 2.0 * (s0 > s1 ? s0 : s1);
    int32_t m[3], s[3];
    quantize_multiplier(s0 / twice_max, &m[0], &s[0]);
    quantize_multiplier(s1 / twice_max, &m[1], &s[1]);
    quantize_multiplier(twice_max / ((1 << left_shift) * (double)TENSOR_SCALE[out]), &m[2], &s[2]);
    r[MT_OP_REC_TYPE] = MT_OP_ADD;
    r[MT_OP_REC_ACT_MIN] = (uint8_t)(int8_t)-128;
    r[MT_OP_REC_ACT_MAX] = 127;
    mt_put_u16(r + MT_OP_REC_INPUT0, (uint16_t)in0);
    mt_put_u16(r + MT_OP_REC_INPUT1, (uint16_t)in1);
    mt_put_u16(r + MT_OP_REC_OUTPUT, (uint16_t)out);
    for (int j = 0; j < 3; j++) { /* params: in0 mult/shift, in1 mult/shift, out mult/shift */
        mt_put_u32(r + MT_OP_REC_PARAMS + 8 * j, (uint32_t)m[j]);
        mt_put_u32(r + MT_OP_REC_PARAMS + 4 + 8 * j, (uint32_t)s[j]);
    }
    mt_put_u32(r + MT_OP_REC_PARAMS + 24, (uint32_t)left_shift);
}

size_t mt_build_small_model(uint8_t *buf, size_t cap, uint32_t seed) {
    const size_t n_t = MT_SMALL_MODEL_TENSORS, n_ops = MT_SMALL_MODEL_OPS;
    size_t data_offset = mt_op_record(n_t, n_ops);
    if (cap < data_offset) return 0;
    builder_t b = {buf, cap, data_offset, seed ? seed : 1u};
    memset(buf, 0, data_offset);

    static const int shape[MT_SMALL_MODEL_TENSORS][3] = {
        {8, 8, 3}, {4, 4, 8}, {4, 4, 8}, {4, 4, 8}, {1, 1, 8}, {4, 4, 16}, {1, 1, 16}, {1, 1, 12}};
    for (size_t t = 0; t < n_t; t++) {
        put_tensor(&b, (int)t, shape[t][0], shape[t][1], shape[t][2], TENSOR_SCALE[t], TENSOR_ZP[t]);
    }
    put_weighted_op(&b, 0, MT_OP_CONV2D, 3, 2, 1, 0, 0, 1, 8, 8 * 9 * 3, 1);
    put_weighted_op(&b, 1, MT_OP_DEPTHWISE_CONV2D, 3, 1, 1, 1, 1, 2, 8, 9 * 8, 0);
    put_add_op(&b, 2, 1, 2, 3);
    put_pool_op(&b, 3, 3, 4, 16);
    put_weighted_op(&b, 4, MT_OP_CONV2D, 1, 1, 0, 0, 3, 5, 16, 16 * 8, 1);
    put_pool_op(&b, 5, 5, 6, 16);
    put_weighted_op(&b, 6, MT_OP_FULLY_CONNECTED, 0, 0, 0, 0, 6, 7, 12, 12 * 16, 0);

    /* Input LUT for mean 0.5, std 0.25 on every channel. */
    uint32_t lut = reserve(&b, 3 * 256);
    if (b.len > cap) return 0;
    for (int c = 0; c < 3; c++) {
        for (int p = 0; p < 256; p++) {
            double x = ((p / 255.0) - 0.5) / 0.25 / TENSOR_SCALE[0];
            long q = lround(x) + TENSOR_ZP[0];
            buf[lut + 256 * c + p] = (uint8_t)(int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
        }
    }
    size_t len = (b.len + 3u) & ~(size_t)3u;
    if (len > cap) return 0;
    memset(buf + b.len, 0, len - b.len);

    memcpy(buf + MT_HDR_MAGIC, MT_FORMAT_MAGIC, 4);
    mt_put_u16(buf + MT_HDR_VERSION, 1);
    mt_put_u32(buf + MT_HDR_FILE_BYTES, (uint32_t)len);
    mt_put_u32(buf + MT_HDR_HEADER_BYTES, MT_MODEL_HEADER_BYTES);
    mt_put_u16(buf + MT_HDR_N_TENSORS, (uint16_t)n_t);
    mt_put_u16(buf + MT_HDR_N_OPS, (uint16_t)n_ops);
    mt_put_u32(buf + MT_HDR_TENSORS_OFFSET, (uint32_t)mt_tensor_record(0));
    mt_put_u32(buf + MT_HDR_OPS_OFFSET, (uint32_t)mt_op_record(n_t, 0));
    mt_put_u32(buf + MT_HDR_DATA_OFFSET, (uint32_t)data_offset);
    mt_put_u32(buf + MT_HDR_DATA_BYTES, (uint32_t)(len - data_offset));
    mt_put_u16(buf + MT_HDR_INPUT, 0);
    mt_put_u16(buf + MT_HDR_PART_FEATURE, 4);
    mt_put_u16(buf + MT_HDR_FULL_FEATURE, 7);
    mt_put_u16(buf + MT_HDR_SPLIT, 4);
    buf[MT_HDR_ORDER] = 0;
    for (int c = 0; c < 3; c++) {
        mt_put_f32(buf + MT_HDR_MEAN + 4 * c, 0.5f);
        mt_put_f32(buf + MT_HDR_STD + 4 * c, 0.25f);
    }
    mt_put_u32(buf + MT_HDR_LUT, lut);
    memcpy(buf + MT_HDR_NAME, "small-test", 10);
    mt_reseal(buf, len);
    return len;
}
