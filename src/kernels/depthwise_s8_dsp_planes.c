/* The PLANES path of the DSP depthwise kernel (depthwise_s8_dsp.h): per group of 4 channels,
 * a band of input rows widened once into int16 planes (in_zp subtracted, zero padding
 * included, lanes interleaved by word: dsp_asm.h), the lanes' doubled weights and
 * requantization prepared once (a group block), then whole rows of the 4 lanes computed by
 * the assembly kernel of the window size, stride and pitch (depthwise_s8_dsp_rows.S). Groups
 * outer, rows inner: each input row is widened once per group, and a group writes its outputs
 * only after the rows they could overwrite were widened, so the layer can run in place. Maps
 * wider than a plane row run in column strips. Never allocates; reads only inside the input. */
#include "depthwise_s8_dsp.h"

#define LANES 4
#define PAIR_BYTES 16 /* one pixel pair of 4 lanes */
#define SCRATCH_FLOOR 4096
#define SCRATCH_CAP 8192
#define ALIGN_SLACK 12 /* the group block starts 16-byte aligned in 4-byte aligned scratch */

/* Weight words per window row: stride 1: E_0..E_{m-1}, O_0..O_{m-1}; stride 2: E_0..E_m. */
static int32_t row_words(const mt_conv_params_t *p) {
    return p->stride_w == 1 ? p->kw - 1 : (p->kw + 1) / 2;
}

static int32_t group_bytes(const mt_conv_params_t *p) {
    return MT_DW_GRP_W + PAIR_BYTES * p->kh * row_words(p);
}

/* Plane columns that n_out outputs read (passes of 4 outputs; dsp_asm.h). */
static int32_t strip_cols(const mt_conv_params_t *p, int32_t n_out) {
    int32_t n_pass = (n_out + 3) / 4;
    return (p->stride_w == 1 ? 4 : 8) * n_pass + p->kw - 1;
}

/* The narrow pitch when a whole output row fits it, else the wide one (with strips). */
static int32_t pitch_of(const mt_conv_params_t *p) {
    return strip_cols(p, p->out_w) * 8 <= MT_DW_PITCH_NARROW ? MT_DW_PITCH_NARROW : MT_DW_PITCH_WIDE;
}

/* Outputs per column strip: the most passes whose columns fit a plane row. */
static int32_t strip_outputs(const mt_conv_params_t *p) {
    int32_t n = 4, cols = pitch_of(p) / 8;
    while (n < p->out_w && strip_cols(p, n + 4) <= cols) n += 4;
    return n;
}

/* Band rows: the whole padded map if it fits the budget, else as many rows as the budget
 * holds (at least a window plus a stride). The budget is the output tensor's size, which the
 * in-place plan (out over in) saves against the reference's arena, kept within [4, 8] KB:
 * more rows only save the copy of K - stride rows between bands. */
static int32_t band_rows(const mt_conv_params_t *p) {
    int32_t whole = (p->out_h - 1) * p->stride_h + p->kh;
    int32_t out_bytes = (int32_t)p->out_h * p->out_w * p->out_c;
    int32_t budget = out_bytes < SCRATCH_FLOOR ? SCRATCH_FLOOR : out_bytes > SCRATCH_CAP ? SCRATCH_CAP : out_bytes;
    int32_t rows = (budget - group_bytes(p)) / pitch_of(p), least = p->kh + p->stride_h;
    if (rows < least) rows = least;
    return rows < whole ? rows : whole;
}

int32_t mt_dw_planes_kernel(const mt_dw_layer_t *l) {
    const mt_conv_params_t *p = &l->p;
    return 6 * (pitch_of(p) == MT_DW_PITCH_WIDE) + 3 * (p->stride_h - 1) + (p->kh - 3) / 2;
}

size_t mt_dw_planes_scratch_bytes(const mt_dw_layer_t *l) {
    return (size_t)(ALIGN_SLACK + group_bytes(&l->p)) + (size_t)band_rows(&l->p) * (size_t)pitch_of(&l->p);
}

/* Output rows [oy0, oy1) of the band starting at oy0, and its input rows [iy0, iy1). */
typedef struct {
    int32_t oy0, oy1, iy0, iy1;
} band_t;

static void band_next(const mt_conv_params_t *p, int32_t rows, int32_t oy0, band_t *b) {
    int32_t n = (rows - p->kh) / p->stride_h + 1;
    if (n > p->out_h - oy0) n = p->out_h - oy0;
    b->oy0 = oy0;
    b->oy1 = oy0 + n;
    b->iy0 = oy0 * p->stride_h - p->pad_top;
    b->iy1 = (b->oy1 - 1) * p->stride_h - p->pad_top + p->kh;
}

/* In place (out == in) is safe when one strip covers the map and, after each band, the
 * input pixels its outputs overwrite (raster index < oy1 * out_w, same channels) lie in rows
 * already widened. */
int mt_dw_planes_in_place(const mt_dw_layer_t *l) {
    const mt_conv_params_t *p = &l->p;
    int32_t rows = band_rows(p);
    band_t b;
    if (strip_outputs(p) < p->out_w) return 0;
    for (int32_t oy = 0; oy < p->out_h; oy = b.oy1) {
        band_next(p, rows, oy, &b);
        if (b.iy1 < p->in_h && (int32_t)b.oy1 * p->out_w > b.iy1 * (int32_t)p->in_w) return 0;
    }
    return 1;
}

/* Lane `lane`'s requantization constants in the group block g (dsp_asm.h); returns 1 if the
 * lane is slow (C recomputes it with the reference formula). bias_max: the largest |bias|
 * for which 2 (bias + the window's largest dot product) fits int32. */
static int lane_consts(const mt_conv_params_t *p, int32_t bias, int32_t mult, int32_t shift,
                       uint32_t bias_max, int32_t *g, int32_t lane) {
    int32_t r = -shift, *k = g + lane;
    uint32_t b_abs = bias < 0 ? 0u - (uint32_t)bias : (uint32_t)bias;
    if (mult >= (1 << 30) && r >= 1 && r <= 22 && b_abs <= bias_max) {
        k[MT_DW_GRP_BIAS2 / 4] = 2 * bias;
        k[MT_DW_GRP_MULT / 4] = mult;
        k[MT_DW_GRP_K1 / 4] = (int32_t)((1u << (r - 1)) + ((uint32_t)p->out_zp << r));
        k[MT_DW_GRP_RSH / 4] = r;
        return 0;
    }
    k[MT_DW_GRP_BIAS2 / 4] = bias;
    k[MT_DW_GRP_MULT / 4] = mult;
    k[MT_DW_GRP_K1 / 4] = shift;
    k[MT_DW_GRP_RSH / 4] = -1;
    return 1;
}

#if !MT_DSP_ASM
/* C twins of depthwise_s8_dsp_prep.S: the same words. */
static void prep_pair(const int8_t *ta, const int8_t *tb, uint32_t *d) {
    uint32_t a = mt_ld4(ta), b = tb ? mt_ld4(tb) : 0;
    uint32_t ae = mt_sxtb16(a), ao = mt_sxtb16_odd(a), be = mt_sxtb16(b), bo = mt_sxtb16_odd(b);
    ae = mt_sadd16(ae, ae);
    ao = mt_sadd16(ao, ao);
    be = mt_sadd16(be, be);
    bo = mt_sadd16(bo, bo);
    d[0] = mt_pack_lo(ae, be);
    d[1] = mt_pack_lo(ao, bo);
    d[2] = mt_pack_hi(ae, be);
    d[3] = mt_pack_hi(ao, bo);
}

void mt_dw_prep_s1(const mt_dw_prep_job_t *job) {
    int32_t m = job->k / 2;
    uint32_t *d = job->dst;
    for (int32_t ky = 0; ky < job->k; ky++, d += 4 * 2 * m) {
        const int8_t *t = job->w + ky * job->w_row;
        for (int32_t i = 0; i < m; i++) {
            prep_pair(t + 2 * i * job->c, t + (2 * i + 1) * job->c, d + 4 * i);
            prep_pair(t + (2 * i + 1) * job->c, t + (2 * i + 2) * job->c, d + 4 * (m + i));
        }
    }
}

void mt_dw_prep_s2(const mt_dw_prep_job_t *job) {
    int32_t m = job->k / 2;
    uint32_t *d = job->dst;
    for (int32_t ky = 0; ky < job->k; ky++, d += 4 * (m + 1)) {
        const int8_t *t = job->w + ky * job->w_row;
        for (int32_t i = 0; i < m; i++) prep_pair(t + 2 * i * job->c, t + (2 * i + 1) * job->c, d + 4 * i);
        prep_pair(t + 2 * m * job->c, NULL, d + 4 * m);
    }
}
#endif

int mt_dw_prep_group(const mt_dw_layer_t *l, const int8_t *w, const int32_t *bias,
                     mt_requant_t rq, int32_t c0, int32_t n_lanes, int32_t *g) {
    const mt_conv_params_t *p = &l->p;
    int32_t c_n = p->in_c, any_slow = 0;
    const int8_t *w0 = w + (l->ky0 * l->kw_full + l->kx0) * c_n + c0;
    uint32_t bias_max = (uint32_t)(INT32_MAX / 2 - p->kh * p->kw * 255 * 128); /* |sum (x-zp) w| */
    for (int32_t lane = 0; lane < n_lanes; lane++) {
        any_slow |= lane_consts(p, bias[c0 + lane], rq.mult[c0 + lane], rq.shift[c0 + lane],
                                bias_max, g, lane);
    }
    if (n_lanes == LANES) {
        mt_dw_prep_job_t job = {w0, c_n, l->kw_full * c_n, p->kh, (uint32_t *)(void *)(g + MT_DW_GRP_W / 4)};
        (p->stride_w == 1 ? mt_dw_prep_s1 : mt_dw_prep_s2)(&job);
        return any_slow;
    }
    /* a last group of fewer lanes: bytes, the same layout */
    int32_t words = row_words(p), m = p->kw / 2;
    for (int32_t ky = 0; ky < p->kh; ky++) {
        const int8_t *t = w0 + ky * l->kw_full * c_n;
        for (int32_t i = 0; i < words; i++) {
            int32_t ta = 2 * i, tb = 2 * i + 1;
            if (p->stride_w == 1 && i >= m) ta = 2 * (i - m) + 1, tb = ta + 1;
            for (int32_t lane = 0; lane < LANES; lane++) {
                int32_t a = lane < n_lanes ? 2 * t[ta * c_n + lane] : 0;
                int32_t b = lane < n_lanes && tb < p->kw ? 2 * t[tb * c_n + lane] : 0;
                g[MT_DW_GRP_W / 4 + (ky * words + i) * LANES + lane] = (int32_t)mt_pack16(a, b);
            }
        }
    }
    return any_slow;
}

#if !MT_DSP_ASM
/* C twin of depthwise_s8_dsp_widen.S: the same words. */
static void widen_px(const int8_t *x, uint32_t zz, uint32_t *e, uint32_t *o) {
    uint32_t v = mt_ld4(x);
    *e = mt_sxtab16(zz, v);
    *o = mt_sxtab16_odd(zz, v);
}

void mt_dw_widen(const mt_dw_widen_job_t *job) {
    for (int32_t r = 0; r < job->rows; r++) {
        const int8_t *x = job->src + r * job->src_row;
        uint32_t *d = job->dst + r * (job->dst_row / 4);
        int32_t n = job->pixels, lead = job->lead;
        while (n > 0) { /* pair [a, b]: a is 0 for a lead pixel, b is 0 after the last one */
            uint32_t ae = 0, ao = 0, be = 0, bo = 0;
            if (lead) {
                lead = 0;
            } else {
                widen_px(x, job->zz, &ae, &ao);
                x += job->src_step;
                n--;
            }
            if (n > 0) {
                widen_px(x, job->zz, &be, &bo);
                x += job->src_step;
                n--;
            }
            d[0] = mt_pack_lo(ae, be);
            d[1] = mt_pack_lo(ao, bo);
            d[2] = mt_pack_hi(ae, be);
            d[3] = mt_pack_hi(ao, bo);
            d += 4;
        }
    }
}
#endif

/* A strip's geometry: plane column 0 is padded column c0s; data columns [d0, d1); pairs of
 * columns read. */
typedef struct {
    int32_t c0s, pairs, d0, d1;
} strip_t;

/* Widens input rows [iy0, iy1) of channels c0.. into plane rows from r; rows outside the
 * input are zeroed unless pad_zero says they are zero already. */
static void fill_rows(const mt_conv_params_t *p, const strip_t *st, const int8_t *in, int32_t c0,
                      int32_t n_lanes, int32_t iy0, int32_t iy1, uint8_t *r, int32_t pitch,
                      int pad_zero) {
    int32_t c_n = p->in_c, j0 = st->d0 / 2, j1 = (st->d1 + 1) / 2;
    int32_t lo = iy0 > 0 ? iy0 : 0, hi = iy1 < p->in_h ? iy1 : p->in_h;
    for (int32_t iy = iy0; iy < iy1 && !pad_zero; iy++) {
        if (iy < lo || iy >= hi || st->d1 <= st->d0) {
            memset(r + (iy - iy0) * pitch + j0 * PAIR_BYTES, 0, (size_t)(j1 - j0) * PAIR_BYTES);
        }
    }
    if (hi <= lo || st->d1 <= st->d0) return;
    /* pixel of plane column col: x = st->c0s + col - pad_left */
    const int8_t *src = in + (lo * p->in_w + st->c0s + st->d0 - p->pad_left) * c_n + c0;
    uint8_t *dst = r + (lo - iy0) * pitch + j0 * PAIR_BYTES;
    if (n_lanes == LANES) {
        mt_dw_widen_job_t job = {src, c_n, (uint32_t *)(void *)dst, st->d1 - st->d0, st->d0 & 1,
                                 mt_pack16(-p->in_zp, -p->in_zp), hi - lo, p->in_w * c_n, pitch};
        mt_dw_widen(&job);
        return;
    }
    for (int32_t iy = lo; iy < hi; iy++, src += p->in_w * c_n, dst += pitch) { /* fewer lanes */
        uint32_t *row = (uint32_t *)(void *)dst;
        for (int32_t col = 2 * j0; col < 2 * j1; col += 2, row += LANES) {
            for (int32_t k = 0; k < LANES; k++) {
                int in_a = k < n_lanes && col >= st->d0, in_b = k < n_lanes && col + 1 < st->d1;
                int32_t a = in_a ? src[(col - st->d0) * c_n + k] - p->in_zp : 0;
                int32_t b = in_b ? src[(col + 1 - st->d0) * c_n + k] - p->in_zp : 0;
                row[k] = mt_pack16(a, b);
            }
        }
    }
}

#if MT_DSP_ASM
static const mt_dw_rows_fn k_rows[12] = {
    mt_dw_rows_k3s1_n, mt_dw_rows_k5s1_n, mt_dw_rows_k7s1_n,
    mt_dw_rows_k3s2_n, mt_dw_rows_k5s2_n, mt_dw_rows_k7s2_n,
    mt_dw_rows_k3s1_w, mt_dw_rows_k5s1_w, mt_dw_rows_k7s1_w,
    mt_dw_rows_k3s2_w, mt_dw_rows_k5s2_w, mt_dw_rows_k7s2_w};
#endif

void mt_dw_planes_run(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                      const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    const mt_conv_params_t *p = &l->p;
    int32_t k = p->kh, s = p->stride_h, c_n = p->in_c, rows = band_rows(p), pitch = pitch_of(p);
    int32_t *g = (int32_t *)(void *)(((uintptr_t)scratch + ALIGN_SLACK) & ~(uintptr_t)15);
    uint8_t *band = (uint8_t *)g + group_bytes(p);
    int32_t per_strip = strip_outputs(p);
    for (int32_t ox0 = 0; ox0 < p->out_w; ox0 += per_strip) {
        int32_t n_out = p->out_w - ox0 < per_strip ? p->out_w - ox0 : per_strip;
        strip_t st;
        st.c0s = ox0 * p->stride_w;
        st.pairs = strip_cols(p, n_out) / 2;
        st.d0 = p->pad_left - st.c0s > 0 ? p->pad_left - st.c0s : 0;
        st.d1 = p->pad_left + p->in_w - st.c0s;
        if (st.d1 > 2 * st.pairs) st.d1 = 2 * st.pairs;
        if (st.d1 < st.d0) st.d1 = st.d0;
        /* columns outside the data stay zero in every row of this strip; with one band for
         * the whole map, so do the padding rows */
        int one_band = rows == (p->out_h - 1) * s + k;
        for (int32_t r = 0; r < rows; r++) {
            uint8_t *row = band + r * pitch;
            int32_t iy = r - p->pad_top;
            if (one_band && (iy < 0 || iy >= p->in_h)) {
                memset(row, 0, (size_t)st.pairs * PAIR_BYTES);
                continue;
            }
            memset(row, 0, (size_t)(st.d0 / 2) * PAIR_BYTES);
            memset(row + ((st.d1 + 1) / 2) * PAIR_BYTES, 0,
                   (size_t)(st.pairs - (st.d1 + 1) / 2) * PAIR_BYTES);
        }
        for (int32_t c0 = 0; c0 < c_n; c0 += LANES) {
            int32_t n_lanes = c_n - c0 < LANES ? c_n - c0 : LANES;
            int slow = mt_dw_prep_group(l, w, bias, rq, c0, n_lanes, g);
            int32_t first = 0, have = 0; /* the band holds input rows [first, first + have) */
            band_t b;
            for (int32_t oy = 0; oy < p->out_h; oy = b.oy1) {
                band_next(p, rows, oy, &b);
                int32_t keep = first + have - b.iy0; /* rows of the last band still needed */
                if (have == 0 || keep <= 0) {
                    keep = 0;
                } else if (b.iy0 != first) {
                    /* the rows still needed move to the top; only the columns read */
                    for (int32_t r = 0; r < keep; r++) {
                        memcpy(band + r * pitch, band + (b.iy0 - first + r) * pitch,
                               (size_t)st.pairs * PAIR_BYTES);
                    }
                }
                fill_rows(p, &st, in, c0, n_lanes, b.iy0 + keep, b.iy1, band + keep * pitch, pitch,
                          one_band);
                first = b.iy0;
                have = b.iy1 - b.iy0;
                mt_dw_rows_job_t job;
                job.plane = band;
                job.row_step = s * pitch;
                job.out = out + ((int32_t)b.oy0 * p->out_w + ox0) * c_n + c0;
                job.out_c = c_n;
                job.out_row = p->out_w * c_n;
                job.n_rows = b.oy1 - b.oy0;
                job.n_full = n_out / 4;
                job.tail = n_out % 4;
                job.group = g;
                job.n_lanes = n_lanes;
                job.out_zp = p->out_zp;
                job.pitch = pitch;
#if MT_DSP_ASM
                if (n_lanes == LANES) {
                    k_rows[mt_dw_planes_kernel(l)](&job);
                    if (slow) mt_dw_rows_c(&job, k, s, 1);
                } else {
                    mt_dw_rows_c(&job, k, s, 0);
                }
#else
                (void)slow;
                mt_dw_rows_c(&job, k, s, 0);
#endif
            }
        }
    }
    /* the outputs are saturated to int8; a narrower activation range clamps here */
    if (p->act_min > -128 || p->act_max < 127) {
        int32_t n = (int32_t)p->out_h * p->out_w * c_n;
        for (int32_t i = 0; i < n; i++) out[i] = mt_dsp_clamp(out[i], p->act_min, p->act_max);
    }
}
