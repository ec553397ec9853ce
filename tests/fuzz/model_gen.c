/* The valid-model generator (see model_gen.h). Every rule of docs/model-format.md that
 * mt_model_open checks is satisfied by construction; everything it leaves free is drawn. */
#include "model_gen.h"

#include <string.h>
#include <zlib.h>

#include "../../src/model_format.h"
#include "../model_builder.h"
#include "microt/model.h"

#define MAX_T 24
#define MAX_OPS 12
#define MAX_HW 8
#define MAX_C 8

typedef struct {
    int h, w, c;
    float scale;
    int zp;
    int spatial; /* 0 for the 1x1xC tensors that pooling and FC write */
} tensor_t;

typedef struct {
    uint8_t *buf;
    size_t cap, len;
    uint32_t rng;
    int n_t, n_ops;
    tensor_t t[MAX_T];
    mt_fuzz_bytes_t *in;
} gen_t;

static uint32_t rnd(gen_t *g) { /* weights and biases: a stream seeded from the input */
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 17;
    g->rng ^= g->rng << 5;
    return g->rng;
}

static int pick(gen_t *g, int lo, int hi) { return mt_fuzz_range(g->in, lo, hi); }

/* Appends n zero bytes at a 4-aligned offset and returns it (0 and len > cap when full). */
static uint32_t reserve(gen_t *g, size_t n) {
    size_t off = (g->len + 3u) & ~(size_t)3u;
    if (off + n > g->cap) {
        g->len = g->cap + 1;
        return 0;
    }
    memset(g->buf + g->len, 0, off + n - g->len);
    g->len = off + n;
    return (uint32_t)off;
}

static int add_tensor(gen_t *g, int h, int w, int c) {
    tensor_t *t = &g->t[g->n_t];
    t->h = h, t->w = w, t->c = c;
    /* scales over many octaves, zero points anywhere */
    t->scale = (float)(1u + (mt_fuzz_u8(g->in) & 63u)) / (float)(1u << (mt_fuzz_u8(g->in) % 16u));
    t->zp = pick(g, -128, 127);
    t->spatial = !(h == 1 && w == 1) || pick(g, 0, 1);
    return g->n_t++;
}

/* A requantization multiplier and shift: 0 or [2^30, 2^31), shift -31..30, mostly the
 * usual -12..-1 with the extremes drawn often. */
static void draw_requant(gen_t *g, int32_t *mult, int32_t *shift) {
    int kind = pick(g, 0, 7);
    *mult = kind == 0 ? 0 : kind == 1 ? (int32_t)0x7fffffff : kind == 2 ? (int32_t)(1u << 30)
                                                          : (int32_t)((1u << 30) | (rnd(g) >> 2));
    int s = pick(g, 0, 7);
    *shift = s == 0 ? -31 : s == 1 ? 30 : s == 2 ? pick(g, -31, 30) : pick(g, -12, -1);
}

static void act_range(gen_t *g, uint8_t *r) {
    int a = pick(g, -128, 127), b = pick(g, -128, 127);
    if (pick(g, 0, 1)) a = -128, b = 127;
    r[MT_OP_REC_ACT_MIN] = (uint8_t)(int8_t)(a < b ? a : b);
    r[MT_OP_REC_ACT_MAX] = (uint8_t)(int8_t)(a < b ? b : a);
}

static uint8_t *op_record(gen_t *g) {
    return g->buf + MT_MODEL_HEADER_BYTES + MT_TENSOR_RECORD_BYTES * (size_t)MAX_T +
           MT_OP_RECORD_BYTES * (size_t)g->n_ops;
}

/* Weights, bias (|bias| + fan_in * 255 * 128 <= 2^31 - 1), requant and weight scales. */
static void put_weights(gen_t *g, uint8_t *r, size_t n_weights, int cout, long fan_in) {
    uint32_t w = reserve(g, n_weights), b = reserve(g, 4u * (size_t)cout),
             q = reserve(g, 8u * (size_t)cout), s = reserve(g, 4u * (size_t)cout);
    if (g->len > g->cap) return;
    int wide = pick(g, 0, 3) == 0; /* weights at -128/127 only: accumulators at their extremes */
    for (size_t i = 0; i < n_weights; i++) {
        g->buf[w + i] = (uint8_t)(wide ? ((rnd(g) & 1) ? 127 : 0x80) : (uint8_t)rnd(g));
    }
    long room = 2147483647L - fan_in * 255L * 128L;
    for (int c = 0; c < cout; c++) {
        long bias = pick(g, 0, 3) == 0 ? (rnd(g) & 1 ? room : -room)
                                       : (long)(rnd(g) % 20001u) - 10000L;
        if (bias > room) bias = room;
        if (bias < -room) bias = -room;
        int32_t mult, shift;
        draw_requant(g, &mult, &shift);
        mt_put_u32(g->buf + b + 4u * (uint32_t)c, (uint32_t)(int32_t)bias);
        mt_put_u32(g->buf + q + 4u * (uint32_t)c, (uint32_t)mult);
        mt_put_u32(g->buf + q + 4u * (uint32_t)(cout + c), (uint32_t)shift);
        mt_put_f32(g->buf + s + 4u * (uint32_t)c, 0.001f * (float)(1 + c % 7));
    }
    mt_put_u32(r + MT_OP_REC_WEIGHTS_OFFSET, w);
    mt_put_u32(r + MT_OP_REC_BIAS_OFFSET, b);
    mt_put_u32(r + MT_OP_REC_REQUANT_OFFSET, q);
    mt_put_u32(r + MT_OP_REC_WSCALE_OFFSET, s);
}

static void head(uint8_t *r, uint8_t type, int in0, int in1, int out) {
    r[MT_OP_REC_TYPE] = type;
    mt_put_u16(r + MT_OP_REC_INPUT0, (uint16_t)in0);
    mt_put_u16(r + MT_OP_REC_INPUT1, (uint16_t)(in1 < 0 ? MT_NO_TENSOR : in1));
    mt_put_u16(r + MT_OP_REC_OUTPUT, (uint16_t)out);
}

/* CONV2D (depthwise = 0) or DEPTHWISE_CONV2D on tensor x; pointwise 1x1 often, always when
 * unit (a 1x1 window, stride 1, no padding: the output keeps x's size). */
static int put_conv(gen_t *g, int x, int depthwise, int unit) {
    const tensor_t *t = &g->t[x];
    int pointwise = unit || (!depthwise && pick(g, 0, 2) == 0);
    int kh = pointwise ? 1 : pick(g, 1, 5), kw = pointwise ? 1 : (pick(g, 0, 2) ? kh : pick(g, 1, 5));
    int sh = pointwise ? 1 : pick(g, 1, 3), sw = pointwise ? 1 : (pick(g, 0, 2) ? sh : pick(g, 1, 3));
    int pt = pointwise ? 0 : pick(g, 0, kh - 1), pb = pointwise ? 0 : pick(g, 0, kh - 1);
    int pl = pointwise ? 0 : pick(g, 0, kw - 1), pr = pointwise ? 0 : pick(g, 0, kw - 1);
    if (t->h + pt + pb < kh || t->w + pl + pr < kw) { /* window larger than the padded map */
        kh = kw = 1, pt = pb = pl = pr = 0;
    }
    int oh = (t->h + pt + pb - kh) / sh + 1, ow = (t->w + pl + pr - kw) / sw + 1;
    int cout = depthwise ? t->c : pick(g, 1, MAX_C);
    int y = add_tensor(g, oh, ow, cout);
    g->t[y].spatial = 1;
    uint8_t *r = op_record(g);
    head(r, depthwise ? MT_OP_DEPTHWISE_CONV2D : MT_OP_CONV2D, x, -1, y);
    r[MT_OP_REC_KH] = (uint8_t)kh, r[MT_OP_REC_KW] = (uint8_t)kw;
    r[MT_OP_REC_STRIDE_H] = (uint8_t)sh, r[MT_OP_REC_STRIDE_W] = (uint8_t)sw;
    r[MT_OP_REC_PAD_TOP] = (uint8_t)pt, r[MT_OP_REC_PAD_BOTTOM] = (uint8_t)pb;
    r[MT_OP_REC_PAD_LEFT] = (uint8_t)pl, r[MT_OP_REC_PAD_RIGHT] = (uint8_t)pr;
    act_range(g, r);
    long fan_in = depthwise ? (long)kh * kw : (long)kh * kw * t->c;
    size_t n_w = depthwise ? (size_t)kh * kw * t->c : (size_t)cout * kh * kw * t->c;
    put_weights(g, r, n_w, cout, fan_in);
    g->n_ops++;
    return y;
}

static int put_fc(gen_t *g, int x) {
    const tensor_t *t = &g->t[x];
    int cout = pick(g, 1, MAX_C);
    int y = add_tensor(g, 1, 1, cout);
    g->t[y].spatial = 0;
    uint8_t *r = op_record(g);
    head(r, MT_OP_FULLY_CONNECTED, x, -1, y);
    act_range(g, r);
    long fan_in = (long)t->h * t->w * t->c;
    put_weights(g, r, (size_t)cout * (size_t)fan_in, cout, fan_in);
    g->n_ops++;
    return y;
}

static int put_pool(gen_t *g, int x) {
    int y = add_tensor(g, 1, 1, g->t[x].c);
    g->t[y].spatial = 0;
    uint8_t *r = op_record(g);
    head(r, MT_OP_GLOBAL_AVG_POOL, x, -1, y);
    act_range(g, r);
    int32_t mult, shift;
    draw_requant(g, &mult, &shift);
    mt_put_u32(r + MT_OP_REC_PARAMS, (uint32_t)mult);
    mt_put_u32(r + MT_OP_REC_PARAMS + 4, (uint32_t)shift);
    g->n_ops++;
    return y;
}

/* ADD of x and a tensor of the same shape (x itself when there is none). */
static int put_add(gen_t *g, int x) {
    int partners[MAX_T], n = 0;
    for (int i = 0; i < g->n_t; i++) {
        if (g->t[i].h == g->t[x].h && g->t[i].w == g->t[x].w && g->t[i].c == g->t[x].c) partners[n++] = i;
    }
    int other = partners[pick(g, 0, n - 1)];
    int y = add_tensor(g, g->t[x].h, g->t[x].w, g->t[x].c);
    g->t[y].spatial = g->t[x].spatial;
    uint8_t *r = op_record(g);
    if (pick(g, 0, 1)) {
        head(r, MT_OP_ADD, x, other, y);
    } else {
        head(r, MT_OP_ADD, other, x, y);
    }
    act_range(g, r);
    for (int j = 0; j < 3; j++) {
        int32_t mult, shift;
        draw_requant(g, &mult, &shift);
        if (j < 2 && shift > 0) shift = -shift; /* input shifts <= 0 */
        mt_put_u32(r + MT_OP_REC_PARAMS + 8 * j, (uint32_t)mult);
        mt_put_u32(r + MT_OP_REC_PARAMS + 4 + 8 * j, (uint32_t)shift);
    }
    int ls = pick(g, 0, 3);
    mt_put_u32(r + MT_OP_REC_PARAMS + 24, (uint32_t)(ls == 0 ? 22 : ls == 1 ? 0 : pick(g, 0, 22)));
    g->n_ops++;
    return y;
}

/* One op on some earlier tensor (the latest one most often); returns its output. */
static int put_body_op(gen_t *g, int latest, int spatial_only) {
    int x = pick(g, 0, 3) ? latest : pick(g, 0, g->n_t - 1);
    if (spatial_only && !g->t[x].spatial) x = latest;
    switch (pick(g, 0, 4)) {
    case 0: return put_conv(g, x, 0, 0);
    case 1: return put_conv(g, x, 1, 0);
    case 2: return put_add(g, x);
    case 3: return spatial_only ? put_conv(g, x, 0, 0) : put_fc(g, x);
    default: return spatial_only ? put_conv(g, x, 1, 0) : put_pool(g, x);
    }
}

/* The model's final 1x1xC tensor from x: pooled, fully connected, or a 1x1 op on a 1x1 x. */
static int put_feature(gen_t *g, int x) {
    if (g->t[x].h == 1 && g->t[x].w == 1 && pick(g, 0, 2) == 0) {
        switch (pick(g, 0, 2)) {
        case 0: return put_add(g, x);
        case 1: return put_conv(g, x, 0, 1);
        default: return put_conv(g, x, 1, 1);
        }
    }
    return pick(g, 0, 1) ? put_pool(g, x) : put_fc(g, x);
}

size_t mt_fuzz_build_model(mt_fuzz_bytes_t *in, uint8_t *buf, size_t cap) {
    size_t data_offset = MT_MODEL_HEADER_BYTES + MT_TENSOR_RECORD_BYTES * (size_t)MAX_T +
                         MT_OP_RECORD_BYTES * (size_t)MAX_OPS;
    if (cap < data_offset) return 0;
    memset(buf, 0, data_offset);
    gen_t g = {buf, cap, data_offset, 0, 0, 0, {{0}}, in};
    g.rng = mt_fuzz_u32(in) | 1u;
    int c_in = pick(&g, 0, 1) ? 3 : 1;
    int x = add_tensor(&g, pick(&g, 1, MAX_HW), pick(&g, 1, MAX_HW), c_in);
    g.t[x].spatial = 1;
    int n_part = pick(&g, 0, 4), n_rest = pick(&g, 0, 4);
    for (int i = 0; i < n_part; i++) x = put_body_op(&g, x, 1);
    int before_split = x;
    int part_feature = put_feature(&g, x);
    int split = g.n_ops;
    x = pick(&g, 0, 3) ? before_split : part_feature; /* the rest may start from the feature */
    for (int i = 0; i < n_rest; i++) x = put_body_op(&g, x, 0);
    int full_feature = put_feature(&g, x);
    if (g.len > cap) return 0;

    /* The op and tensor tables were laid out for MAX_T tensors and MAX_OPS ops; move the op
     * table down to where n_t tensors end, then the data section stays where it is only if
     * the tables fill it, so instead the tables are exact and the data follows them: the
     * data written so far starts at data_offset and moves by the unused table space. */
    size_t t_bytes = MT_TENSOR_RECORD_BYTES * (size_t)g.n_t, o_bytes = MT_OP_RECORD_BYTES * (size_t)g.n_ops;
    size_t ops_at = MT_MODEL_HEADER_BYTES + t_bytes, data_at = ops_at + o_bytes;
    size_t shift = data_offset - data_at; /* a multiple of 16: offsets stay 4-aligned */
    memmove(buf + ops_at, buf + MT_MODEL_HEADER_BYTES + MT_TENSOR_RECORD_BYTES * (size_t)MAX_T, o_bytes);
    memmove(buf + data_at, buf + data_offset, g.len - data_offset);
    size_t data_len = g.len - data_offset;
    for (int i = 0; i < g.n_ops; i++) { /* data offsets move with the data */
        uint8_t *r = buf + ops_at + MT_OP_RECORD_BYTES * (size_t)i;
        static const int fields[] = {MT_OP_REC_WEIGHTS_OFFSET, MT_OP_REC_BIAS_OFFSET,
                                     MT_OP_REC_REQUANT_OFFSET, MT_OP_REC_WSCALE_OFFSET};
        for (int f = 0; f < 4; f++) {
            uint32_t off = mt_get_u32(r + fields[f]);
            if (off) mt_put_u32(r + fields[f], off - (uint32_t)shift);
        }
    }
    g.len = data_at + data_len;
    for (int i = 0; i < g.n_t; i++) {
        uint8_t *r = buf + MT_MODEL_HEADER_BYTES + MT_TENSOR_RECORD_BYTES * (size_t)i;
        memset(r, 0, MT_TENSOR_RECORD_BYTES);
        mt_put_u16(r + MT_TENSOR_REC_H, (uint16_t)g.t[i].h);
        mt_put_u16(r + MT_TENSOR_REC_W, (uint16_t)g.t[i].w);
        mt_put_u16(r + MT_TENSOR_REC_C, (uint16_t)g.t[i].c);
        mt_put_f32(r + MT_TENSOR_REC_SCALE, g.t[i].scale);
        mt_put_u32(r + MT_TENSOR_REC_ZERO_POINT, (uint32_t)g.t[i].zp);
    }
    uint32_t lut = reserve(&g, (size_t)c_in * 256u);
    if (g.len > cap) return 0;
    for (size_t i = 0; i < (size_t)c_in * 256u; i++) buf[lut + i] = (uint8_t)rnd(&g);
    size_t len = (g.len + 3u) & ~(size_t)3u;
    if (len > cap) return 0;
    memset(buf + g.len, 0, len - g.len);

    memcpy(buf + MT_HDR_MAGIC, MT_FORMAT_MAGIC, 4);
    mt_put_u16(buf + MT_HDR_VERSION, MT_FORMAT_VERSION_MAJOR);
    mt_put_u32(buf + MT_HDR_FILE_BYTES, (uint32_t)len);
    mt_put_u32(buf + MT_HDR_HEADER_BYTES, MT_MODEL_HEADER_BYTES);
    mt_put_u16(buf + MT_HDR_N_TENSORS, (uint16_t)g.n_t);
    mt_put_u16(buf + MT_HDR_N_OPS, (uint16_t)g.n_ops);
    mt_put_u32(buf + MT_HDR_TENSORS_OFFSET, MT_MODEL_HEADER_BYTES);
    mt_put_u32(buf + MT_HDR_OPS_OFFSET, (uint32_t)ops_at);
    mt_put_u32(buf + MT_HDR_DATA_OFFSET, (uint32_t)data_at);
    mt_put_u32(buf + MT_HDR_DATA_BYTES, (uint32_t)(len - data_at));
    mt_put_u16(buf + MT_HDR_INPUT, 0);
    mt_put_u16(buf + MT_HDR_PART_FEATURE, (uint16_t)part_feature);
    mt_put_u16(buf + MT_HDR_FULL_FEATURE, (uint16_t)full_feature);
    mt_put_u16(buf + MT_HDR_SPLIT, (uint16_t)split);
    buf[MT_HDR_ORDER] = c_in == 1 ? 2 : (uint8_t)pick(&g, 0, 1);
    for (int c = 0; c < 3; c++) {
        mt_put_f32(buf + MT_HDR_MEAN + 4 * c, 0.5f);
        mt_put_f32(buf + MT_HDR_STD + 4 * c, 0.25f);
    }
    mt_put_u32(buf + MT_HDR_LUT, lut);
    memcpy(buf + MT_HDR_NAME, "fuzz-valid", 10);
    /* mt_reseal with zlib's table-driven CRC-32 (same polynomial, faster than the device's) */
    uint64_t fp = mt_fnv1a64(MT_FNV1A64_INIT, buf + MT_MODEL_HEADER_BYTES, len - MT_MODEL_HEADER_BYTES);
    mt_put_u32(buf + MT_HDR_FINGERPRINT, (uint32_t)fp);
    mt_put_u32(buf + MT_HDR_FINGERPRINT + 4, (uint32_t)(fp >> 32));
    mt_put_u32(buf + MT_HDR_CRC, (uint32_t)crc32(0, buf + MT_HDR_FINGERPRINT, (uInt)(len - MT_HDR_FINGERPRINT)));
    return len;
}
