/* The C side of the whole-layer GEMM (pointwise_s8_dsp_gemm.S): its requantization stream,
 * the output clamp, and the choice of the assembly routine by depth. Never allocates. */
#include "pointwise_s8_dsp_gemm.h"

#include "kernel_util.h"

/* 1 if channel c of the stream's requantization suits the assembly as it is. */
static int channel_fits(const int32_t *bias, mt_requant_t rq, int32_t c, int32_t k) {
    int32_t r = -rq.shift[c], m = rq.mult[c], b = bias[c];
    uint32_t b_abs = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
    uint32_t bias_max = (uint32_t)(INT32_MAX / 2 - k * 255 * 128); /* |sum (x - zp) w| */
    return m >= (1 << 30) && r >= 1 && r <= 22 && b_abs <= bias_max;
}

static int row_is_zero(const int8_t *w, int32_t len) {
    int32_t i;
    uint32_t any = 0;
    for (i = 0; i + 4 <= len; i += 4) any |= mt_ld4(w + i);
    for (; i < len; i++) any |= (uint8_t)w[i];
    return any == 0;
}

int mt_pw_channel_redo(const int32_t *bias, mt_requant_t rq, int32_t c, int32_t k,
                       const int8_t *w, int32_t w_row) {
    return !channel_fits(bias, rq, c, k) && !row_is_zero(w + (size_t)c * w_row, w_row);
}

int mt_pw_qs_prepare(int32_t *qs, const int32_t *bias, mt_requant_t rq, int32_t out_c,
                     int32_t out_zp, int32_t k, const int8_t *w, int32_t w_row, int32_t act_min,
                     int32_t act_max) {
    int32_t c, j, redo = 0;
    for (c = 0; c < out_c; c += 2) {
        int32_t *e = qs + 4 * c;
        for (j = 0; j < 2; j++) {
            int32_t r = -rq.shift[c + j], m = rq.mult[c + j], b = bias[c + j];
            if (!channel_fits(bias, rq, c + j, k)) {
                /* A zero filter row (a dead channel: TFLite keeps them, with tiny scales and
                 * shifts past 22) gives acc = bias at every pixel: its output is one constant
                 * v, which acc 0, mult 2^30, r 1, k1 = 1 + 2 v reproduce. Any other channel is
                 * left to the caller (mt_pw_channel_redo), with the same harmless stand-in. */
                int32_t v = mt_requant_clamp_s8(b, m, -r, out_zp, act_min, act_max);
                if (!row_is_zero(w + (size_t)(c + j) * w_row, w_row)) {
                    redo++;
                    v = 0;
                }
                r = 1;
                m = 1 << 30;
                b = 0;
                e[j] = 0;
                e[2 + 3 * j] = m;
                e[3 + 3 * j] = 1 + 2 * v;
                e[4 + 3 * j] = r;
                continue;
            }
            e[j] = b;
            e[2 + 3 * j] = m;
            e[3 + 3 * j] = (int32_t)((1u << (r - 1)) + ((uint32_t)out_zp << r));
            e[4 + 3 * j] = r;
        }
    }
    qs[4 * out_c - 1] |= 0x100;
    return redo;
}

void mt_pw_clamp(int8_t *out, int32_t n, int32_t act_min, int32_t act_max) {
    int32_t i;
    if (act_min <= -128 && act_max >= 127) return;
    for (i = 0; i < n; i++) out[i] = mt_dsp_clamp(out[i], act_min, act_max);
}

int mt_pw_gemm_supported(int32_t in_c) {
#if MT_DSP_ASM
    return in_c % 4 == 0 && in_c >= 8;
#else
    (void)in_c;
    return 0;
#endif
}

int mt_pw_gemm_uses_xb(int32_t in_c) {
    return !(in_c == 8 || in_c == 16 || in_c == 24 || in_c == 28 || in_c == 32 || in_c == 40 ||
             in_c == 48);
}

#if MT_DSP_ASM
void mt_pw_gemm_k8(const mt_pw_gemm_t *job);
void mt_pw_gemm_k16(const mt_pw_gemm_t *job);
void mt_pw_gemm_k24(const mt_pw_gemm_t *job);
void mt_pw_gemm_k28(const mt_pw_gemm_t *job);
void mt_pw_gemm_k32(const mt_pw_gemm_t *job);
void mt_pw_gemm_k40(const mt_pw_gemm_t *job);
void mt_pw_gemm_k48(const mt_pw_gemm_t *job);
void mt_pw_gemm_loop(const mt_pw_gemm_t *job);

/* Straight-line tiles for the small depths (up to 48), where the tile glue weighs most and
 * a tile's code (up to 0.85 KB) stays within the L4R5's 1 KB ART instruction cache; a loop for
 * the rest (a k64 tile, 1.1 KB, refetched every channel pair from 5-wait-state flash, ran at
 * 3.8 cycles/MAC there). */
void mt_pw_gemm_run(const mt_pw_gemm_t *job) {
    switch (job->in_c) {
    case 8: mt_pw_gemm_k8(job); break;
    case 16: mt_pw_gemm_k16(job); break;
    case 24: mt_pw_gemm_k24(job); break;
    case 28: mt_pw_gemm_k28(job); break;
    case 32: mt_pw_gemm_k32(job); break;
    case 40: mt_pw_gemm_k40(job); break;
    case 48: mt_pw_gemm_k48(job); break;
    default: mt_pw_gemm_loop(job); break;
    }
}
#else
void mt_pw_gemm_run(const mt_pw_gemm_t *job) { (void)job; }
#endif
