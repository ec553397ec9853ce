/* The whole-layer int8 GEMM of the DSP pointwise and stem kernels (pointwise_s8_dsp_gemm.c):
 * every pixel pair and every output channel pair in one assembly call, tiles of 2 pixels x 2
 * output channels. Private to pointwise_s8_dsp.c and conv_s8_dsp.c; no state, no allocation. */
#ifndef MT_POINTWISE_S8_DSP_GEMM_H
#define MT_POINTWISE_S8_DSP_GEMM_H

#include "dsp_util.h"

/* Per output-channel pair c, c + 1 the eight words the assembly reads in order:
 * bias[c], bias[c+1], then per channel mult, k_hi, r - 1 of the fast requantization
 * (dsp_util.h) with r >= 2, so that k_lo = 2^30 needs no word; the last pair's final word also
 * carries 0x100, which ASR by register ignores (it shifts by the bottom byte) and the tile loop
 * tests as its end. 16 bytes per channel, like mt_dsp_rq_bytes. */
#define MT_PW_QS_WORDS_PER_PAIR 8

/* Fills qs for an even out_c > 0; returns 1 if every channel has mult > 0 and a right shift
 * r in [2, 24], else 0 (qs partly written: the caller then takes the general path). */
int mt_pw_qs_prepare(int32_t *qs, const int32_t *bias, mt_requant_t rq, int32_t out_c,
                     int32_t out_zp);

/* Clamps the n int8 at out to [act_min, act_max]; returns at once when that is the whole
 * int8 range (the usual case: ReLU6 ranges map onto it), so the GEMM's tiles skip the clamp. */
void mt_pw_clamp(int8_t *out, int32_t n, int32_t act_min, int32_t act_max);

/* 1 if the assembly GEMM handles depth in_c: in_c % 4 == 0 and 8 <= in_c <= 28, or in_c >= 32
 * with in_c % 8 == 0 (straight-line tiles for 8..28, 32, 40, 48, 64, 72, 96, else a loop of 4
 * channel groups per pass, 8 when in_c % 32 == 0). Always 0 where the DSP instructions are absent. */
int mt_pw_gemm_supported(int32_t in_c);

/* One call's work. Pixel pair k reads x + 2k * x_step (pixel 0) and that + x_step (pixel 1),
 * writes out + 2k * out_step and that + out_step; pairs > 1 needs contiguous pixels
 * (x_step = in_c, out_step = out_c). A lone pixel: x_step = out_step = 0 (computed twice,
 * stored twice). The field order is the assembly's. */
typedef struct {
    const int8_t *x;      /*  0 pixel 0 of the first pair, in_c int8 per pixel */
    int32_t x_step;       /*  4 */
    int32_t pairs;        /*  8 >= 1 */
    int8_t *out;          /* 12 */
    int32_t out_step;     /* 16 */
    const int8_t *w;      /* 20 [out_c][in_c], out_c even */
    const int32_t *qs;    /* 24 mt_pw_qs_prepare */
    uint32_t zz;          /* 28 -in_zp in both halfwords */
    uint32_t lo4, hi4;    /* 32, 36 act_min, act_max in every byte (not read: mt_pw_clamp) */
    uint32_t *xb;         /* 40 looped depths: the widened pair, 4 * in_c bytes of scratch */
    int32_t in_c;         /* 44 */
    int32_t x_row;        /* 48 mt_pw_gemm_rgb3: bytes from one input row to the next */
    uint32_t zp24;        /* 52 mt_pw_gemm_rgb3: the input zero point in the top byte */
} mt_pw_gemm_t;

/* Runs job (mt_pw_gemm_supported(job->in_c) must hold). The outputs are saturated to int8
 * but not clamped to act_min/act_max: the caller runs mt_pw_clamp on them afterwards. */
void mt_pw_gemm_run(const mt_pw_gemm_t *job);

#if MT_DSP_ASM
/* The 3x3 stem over 3 channels (depth 28, weights in conv_s8_dsp.c's rgb3 order) straight
 * from the input: x and x + x_step are the top-left bytes of a pair's two windows, all inside
 * the input; pixel pairs as in mt_pw_gemm_run (next pair 2 x_step further). */
void mt_pw_gemm_rgb3(const mt_pw_gemm_t *job);
#endif

#endif
