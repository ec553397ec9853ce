/* The C side of the whole-layer GEMM (pointwise_s8_dsp_gemm.S): its requantization stream,
 * the output clamp, and the choice of the assembly routine by depth. Never allocates. */
#include "pointwise_s8_dsp_gemm.h"

int mt_pw_qs_prepare(int32_t *qs, const int32_t *bias, mt_requant_t rq, int32_t out_c,
                     int32_t out_zp, int32_t k) {
    int32_t c, j;
    uint32_t bias_max = (uint32_t)(INT32_MAX / 2 - k * 255 * 128); /* |sum (x - zp) w| */
    for (c = 0; c < out_c; c += 2) {
        int32_t *e = qs + 4 * c;
        for (j = 0; j < 2; j++) {
            int32_t r = -rq.shift[c + j], m = rq.mult[c + j], b = bias[c + j];
            uint32_t b_abs = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
            if (m < (1 << 30) || r < 1 || r > 22 || b_abs > bias_max) return 0;
            e[j] = b;
            e[2 + 3 * j] = m;
            e[3 + 3 * j] = (int32_t)((1u << (r - 1)) + ((uint32_t)out_zp << r));
            e[4 + 3 * j] = r;
        }
    }
    qs[4 * out_c - 1] |= 0x100;
    return 1;
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
             in_c == 48 || in_c == 64 || in_c == 72 || in_c == 96);
}

#if MT_DSP_ASM
void mt_pw_gemm_k8(const mt_pw_gemm_t *job);
void mt_pw_gemm_k16(const mt_pw_gemm_t *job);
void mt_pw_gemm_k24(const mt_pw_gemm_t *job);
void mt_pw_gemm_k28(const mt_pw_gemm_t *job);
void mt_pw_gemm_k32(const mt_pw_gemm_t *job);
void mt_pw_gemm_k40(const mt_pw_gemm_t *job);
void mt_pw_gemm_k48(const mt_pw_gemm_t *job);
void mt_pw_gemm_k64(const mt_pw_gemm_t *job);
void mt_pw_gemm_k72(const mt_pw_gemm_t *job);
void mt_pw_gemm_k96(const mt_pw_gemm_t *job);
void mt_pw_gemm_loop4(const mt_pw_gemm_t *job);
void mt_pw_gemm_loop8(const mt_pw_gemm_t *job);

/* Straight-line tiles for the depths MCUNet- and MobileNet-style models use most, where the
 * tile glue weighs most; a loop for the rest. */
void mt_pw_gemm_run(const mt_pw_gemm_t *job) {
    switch (job->in_c) {
    case 8: mt_pw_gemm_k8(job); break;
    case 16: mt_pw_gemm_k16(job); break;
    case 24: mt_pw_gemm_k24(job); break;
    case 28: mt_pw_gemm_k28(job); break;
    case 32: mt_pw_gemm_k32(job); break;
    case 40: mt_pw_gemm_k40(job); break;
    case 48: mt_pw_gemm_k48(job); break;
    case 64: mt_pw_gemm_k64(job); break;
    case 72: mt_pw_gemm_k72(job); break;
    case 96: mt_pw_gemm_k96(job); break;
    default: (job->in_c % 32 == 0 ? mt_pw_gemm_loop8 : mt_pw_gemm_loop4)(job); break;
    }
}
#else
void mt_pw_gemm_run(const mt_pw_gemm_t *job) { (void)job; }
#endif
