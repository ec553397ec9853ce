/* The DIRECT path of the DSP depthwise kernel (depthwise_s8_dsp.h): maps of at most 4 output
 * pixels (MCUNet's 2x2 layers), where most of every window is padding and per-group set-up
 * would cost more than the multiply-accumulates. Each output is computed straight from the
 * int8 input, 4 channels per word, over only the taps inside the input (a rectangle per
 * pixel, found once per call); no scratch. Groups of 4 fast lanes run in assembly
 * (depthwise_s8_dsp_direct.S), others here. A group's outputs are stored after all its reads,
 * so the layer can run in place. Never allocates. */
#include "depthwise_s8_dsp.h"

/* Four int8 channels from x (fewer at the channel tail: the missing lanes read as fill). */
static inline uint32_t ld_lanes(const int8_t *x, int32_t n_lanes, int32_t fill) {
    uint32_t v;
    if (n_lanes == 4) return mt_ld4(x);
    v = mt_dup4(fill);
    for (int32_t k = 0; k < n_lanes; k++) {
        v = (v & ~(0xffu << (8 * k))) | ((uint32_t)(uint8_t)x[k] << (8 * k));
    }
    return v;
}

/* Each output pixel's taps inside the input: offsets from channel 0 of input pixel 0 and of
 * weight tap 0, rows x cols, the output offset (dsp_asm.h, MT_DWD_TAP_*). */
static void find_taps(const mt_dw_layer_t *l, int32_t taps[MT_DWD_MAX_PX][MT_DWD_TAP_WORDS]) {
    const mt_conv_params_t *p = &l->p;
    int32_t c_n = p->in_c, px = 0;
    for (int32_t oy = 0; oy < p->out_h; oy++) {
        for (int32_t ox = 0; ox < p->out_w; ox++, px++) {
            int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
            int32_t ky0 = iy0 < 0 ? -iy0 : 0, kx0 = ix0 < 0 ? -ix0 : 0;
            int32_t ky1 = p->in_h - iy0 < p->kh ? p->in_h - iy0 : p->kh;
            int32_t kx1 = p->in_w - ix0 < p->kw ? p->in_w - ix0 : p->kw;
            taps[px][0] = ((iy0 + ky0) * p->in_w + ix0 + kx0) * c_n;
            taps[px][1] = ((l->ky0 + ky0) * l->kw_full + l->kx0 + kx0) * c_n;
            taps[px][2] = ky1 > ky0 ? ky1 - ky0 : 0;
            taps[px][3] = kx1 > kx0 ? kx1 - kx0 : 0;
            taps[px][4] = px * c_n;
            if (taps[px][3] == 0) taps[px][2] = 0;
        }
    }
}

/* The group's constants for the assembly formula; 0 if a lane needs the general one. */
static int fast_consts(const mt_conv_params_t *p, const int32_t *bias, mt_requant_t rq, int32_t c0,
                       int32_t k[16]) {
    int64_t reach = (int64_t)p->kh * p->kw * 255 * 128; /* |sum (x - zp) w| */
    for (int32_t lane = 0; lane < 4; lane++) {
        int32_t c = c0 + lane, r = -rq.shift[c];
        int64_t b = bias[c] < 0 ? -(int64_t)bias[c] : bias[c];
        if (rq.mult[c] < (1 << 30) || r < 1 || r > 22 || 2 * (b + reach) > (int64_t)INT32_MAX) return 0;
        k[lane] = bias[c];
        k[4 + lane] = rq.mult[c];
        k[8 + lane] = (int32_t)((1u << (r - 1)) + ((uint32_t)p->out_zp << r));
        k[12 + lane] = r;
    }
    return 1;
}

#if !MT_DSP_ASM
/* C twin of depthwise_s8_dsp_direct.S: the same job, the same integers. */
void mt_dw_direct_group(const mt_dw_direct_job_t *job) {
    uint32_t res[MT_DWD_MAX_PX];
    for (int32_t px = 0; px < job->n_px; px++) {
        const int32_t *t = job->taps + px * MT_DWD_TAP_WORDS;
        int32_t acc[4] = {0, 0, 0, 0};
        for (int32_t ky = 0; ky < t[2]; ky++) {
            const int8_t *x = job->in + t[0] + ky * job->in_row, *w = job->w + t[1] + ky * job->w_row;
            for (int32_t kx = 0; kx < t[3]; kx++, x += job->c, w += job->c) {
                uint32_t xv = mt_ld4(x), wv = mt_ld4(w);
                uint32_t xe = mt_sxtab16(job->zz, xv), xo = mt_sxtab16_odd(job->zz, xv);
                uint32_t we = mt_sxtb16(wv), wo = mt_sxtb16_odd(wv);
                acc[0] = mt_smlabb(xe, we, acc[0]);
                acc[2] = mt_smlatt(xe, we, acc[2]);
                acc[1] = mt_smlabb(xo, wo, acc[1]);
                acc[3] = mt_smlatt(xo, wo, acc[3]);
            }
        }
        res[px] = 0;
        for (int32_t lane = 0; lane < 4; lane++) {
            const int32_t *k = job->consts;
            int32_t a2 = 2 * (acc[lane] + k[lane]);
            int64_t y = ((int64_t)a2 * k[4 + lane] + ((int64_t)1 << 31)) >> 32;
            int32_t v = ((int32_t)(y + k[8 + lane]) - (a2 < 0 ? 1 : 0)) >> k[12 + lane];
            v = v < -128 ? -128 : v > 127 ? 127 : v;
            res[px] |= (uint32_t)(uint8_t)v << (8 * lane);
        }
    }
    for (int32_t px = 0; px < job->n_px; px++) {
        const int32_t *t = job->taps + px * MT_DWD_TAP_WORDS;
        memcpy(job->out + t[4], &res[px], 4);
    }
}
#endif

/* A group of any lanes and any requantization, in C (mt_dsp_rq: the general formula). */
void mt_dw_direct_group_c(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, int32_t c0,
                          int32_t n_lanes) {
    const mt_conv_params_t *p = &l->p;
    int32_t taps[MT_DWD_MAX_PX][MT_DWD_TAP_WORDS];
    find_taps(l, taps);
    int32_t c_n = p->in_c, n_px = (int32_t)p->out_h * p->out_w, res[MT_DWD_MAX_PX][4];
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    mt_dsp_rq_t q[4];
    mt_requant_t rq4 = {rq.mult + c0, rq.shift + c0};
    mt_dsp_rq_prepare(q, rq4, n_lanes, p->out_zp);
    for (int32_t px = 0; px < n_px; px++) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int32_t ky = 0; ky < taps[px][2]; ky++) {
            const int8_t *x = in + taps[px][0] + ky * p->in_w * c_n + c0;
            const int8_t *wr = w + taps[px][1] + ky * l->kw_full * c_n + c0;
            for (int32_t kx = 0; kx < taps[px][3]; kx++, x += c_n, wr += c_n) {
                uint32_t xv = ld_lanes(x, n_lanes, p->in_zp), wv = ld_lanes(wr, n_lanes, 0);
                uint32_t xe = mt_sxtab16(zz, xv), xo = mt_sxtab16_odd(zz, xv);
                uint32_t we = mt_sxtb16(wv), wo = mt_sxtb16_odd(wv);
                a0 = mt_smlabb(xe, we, a0);
                a2 = mt_smlatt(xe, we, a2);
                a1 = mt_smlabb(xo, wo, a1);
                a3 = mt_smlatt(xo, wo, a3);
            }
        }
        res[px][0] = a0;
        res[px][1] = a1;
        res[px][2] = a2;
        res[px][3] = a3;
    }
    for (int32_t px = 0; px < n_px; px++) {
        for (int32_t k = 0; k < n_lanes; k++) {
            int32_t v = mt_dsp_rq(bias[c0 + k] + res[px][k], &q[k], p->out_zp);
            out[px * c_n + c0 + k] = mt_dsp_clamp(v, -128, 127);
        }
    }
}

void mt_dw_direct_run(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                      const int32_t *bias, mt_requant_t rq, int8_t *out) {
    const mt_conv_params_t *p = &l->p;
    int32_t c_n = p->in_c, n_px = (int32_t)p->out_h * p->out_w;
    int32_t taps[MT_DWD_MAX_PX][MT_DWD_TAP_WORDS], k[16];
    find_taps(l, taps);
    for (int32_t c0 = 0; c0 < c_n; c0 += 4) {
        int32_t n_lanes = c_n - c0 < 4 ? c_n - c0 : 4;
        if (n_lanes == 4 && fast_consts(p, bias, rq, c0, k)) {
            mt_dw_direct_job_t job = {in + c0, w + c0, out + c0, c_n, p->in_w * c_n,
                                      l->kw_full * c_n, mt_pack16(-p->in_zp, -p->in_zp), n_px,
                                      &taps[0][0], k};
            mt_dw_direct_group(&job);
        } else {
            mt_dw_direct_group_c(l, in, w, bias, rq, out, c0, n_lanes);
        }
    }
    /* the outputs are saturated to int8; a narrower activation range clamps here */
    if (p->act_min > -128 || p->act_max < 127) {
        for (int32_t i = 0; i < n_px * c_n; i++) out[i] = mt_dsp_clamp(out[i], p->act_min, p->act_max);
    }
}
