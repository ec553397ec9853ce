/* The whole-layer int8 GEMM of the DSP pointwise and stem kernels (pointwise_s8_dsp_gemm.S):
 * every pixel pair and every output channel pair in one assembly call, tiles of 2 pixels x 2
 * output channels. Private to pointwise_s8_dsp.c and conv_s8_dsp.c; no state, no allocation. */
#ifndef MT_POINTWISE_S8_DSP_GEMM_H
#define MT_POINTWISE_S8_DSP_GEMM_H

#include "dsp_asm.h"
#include "dsp_util.h"

/* Per output-channel pair c, c + 1 the eight words the assembly reads in order:
 * bias[c], bias[c+1], then per channel mult, k1 = 2^(r-1) + zp 2^r, r (dsp_asm.h's
 * requantization of the doubled accumulator, r in [1, 22]); the last pair's final word also
 * carries 0x100, which ASR by register ignores and the tile loop tests as its end. 16 bytes
 * per channel. */
#define MT_PW_QS_WORDS_PER_PAIR 8

/* Fills qs for an even out_c > 0, depth k and weights w ([out_c][w_row] int8, the rows as
 * the caller holds them); returns how many channels the assembly cannot requantize: 0 when
 * every channel suits it (mult >= 2^30, r in [1, 22], 2 (|bias| + k 255 128) fits int32) or
 * has an all-zero filter row (a constant output, encoded exactly). The others get a stand-in
 * (output 0): the caller recomputes them (mt_pw_channel_redo says which) or takes its C path. */
int mt_pw_qs_prepare(int32_t *qs, const int32_t *bias, mt_requant_t rq, int32_t out_c,
                     int32_t out_zp, int32_t k, const int8_t *w, int32_t w_row, int32_t act_min,
                     int32_t act_max);

/* 1 if mt_pw_qs_prepare left channel c to the caller (arguments as given to it). */
int mt_pw_channel_redo(const int32_t *bias, mt_requant_t rq, int32_t c, int32_t k,
                       const int8_t *w, int32_t w_row);

/* Clamps the n int8 at out to [act_min, act_max]; returns at once when that is the whole
 * int8 range (the usual case: ReLU6 ranges map onto it), so the GEMM's tiles skip the clamp. */
void mt_pw_clamp(int8_t *out, int32_t n, int32_t act_min, int32_t act_max);

/* 1 if the assembly GEMM runs depth in_c (in_c % 4 == 0, in_c >= 8). Always 0 where the DSP
 * instructions are absent. */
int mt_pw_gemm_supported(int32_t in_c);

/* 1 if the GEMM widens pixel pairs into job->xb (the looped depths), 0 if into its stack
 * frame (the straight-line depths: xb is then free for the caller, e.g. the stem's patches). */
int mt_pw_gemm_uses_xb(int32_t in_c);

/* One call's work. Pixel pair k reads x + 2k * x_step (pixel 0) and that + x_step (pixel 1),
 * writes out + 2k * out_step and that + out_step; pairs > 1 needs contiguous pixels
 * (x_step = in_c, out_step = out_c). A lone pixel: x_step = out_step = 0 (computed twice,
 * stored twice). Field offsets: dsp_asm.h (MT_PWG_*). */
typedef struct {
    const int8_t *x;      /* pixel 0 of the first pair, in_c int8 per pixel */
    int32_t x_step;
    int32_t pairs;        /* >= 1 */
    int8_t *out;
    int32_t out_step;
    const int8_t *w;      /* [out_c][in_c], out_c even */
    const int32_t *qs;    /* mt_pw_qs_prepare */
    uint32_t zz;          /* -in_zp in both halfwords */
    uint32_t *xb;         /* looped depths: the widened pair, 4 * in_c bytes of scratch */
    int32_t in_c;
    int32_t x_row;        /* mt_pw_gemm_rgb3: bytes from one input row to the next */
    uint32_t zp24;        /* mt_pw_gemm_rgb3: the input zero point in the top byte */
    int32_t pair_adv;     /* bytes from pixel 0's last written channel pair end to the next
                           * pair's pixel 0: 2 out_step - 2 (channel pairs) */
} mt_pw_gemm_t;

#if defined(__arm__)
MT_ASM_OFFSET(mt_pw_gemm_t, x, MT_PWG_X);
MT_ASM_OFFSET(mt_pw_gemm_t, x_step, MT_PWG_X_STEP);
MT_ASM_OFFSET(mt_pw_gemm_t, pairs, MT_PWG_PAIRS);
MT_ASM_OFFSET(mt_pw_gemm_t, out, MT_PWG_OUT);
MT_ASM_OFFSET(mt_pw_gemm_t, out_step, MT_PWG_OUT_STEP);
MT_ASM_OFFSET(mt_pw_gemm_t, w, MT_PWG_W);
MT_ASM_OFFSET(mt_pw_gemm_t, qs, MT_PWG_QS);
MT_ASM_OFFSET(mt_pw_gemm_t, zz, MT_PWG_ZZ);
MT_ASM_OFFSET(mt_pw_gemm_t, xb, MT_PWG_XB);
MT_ASM_OFFSET(mt_pw_gemm_t, in_c, MT_PWG_IN_C);
MT_ASM_OFFSET(mt_pw_gemm_t, x_row, MT_PWG_X_ROW);
MT_ASM_OFFSET(mt_pw_gemm_t, zp24, MT_PWG_ZP24);
MT_ASM_OFFSET(mt_pw_gemm_t, pair_adv, MT_PWG_PAIR_ADV);
#endif

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
