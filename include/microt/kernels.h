/* int8 kernels: the arithmetic of docs/quantization.md, NHWC, batch 1.
 * Kernels trust their arguments (mt_model_open validated them) and never allocate:
 * any scratch comes from the caller through the matching *_scratch_bytes() query. */
#ifndef MICROT_KERNELS_H
#define MICROT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Geometry and quantization shared by the convolution-like kernels. */
typedef struct {
    uint16_t in_h, in_w, in_c;    /* input  [in_h][in_w][in_c] */
    uint16_t out_h, out_w, out_c; /* output [out_h][out_w][out_c] */
    uint8_t kh, kw;
    uint8_t stride_h, stride_w;
    uint8_t pad_top, pad_left;    /* bottom/right padding is implied by the output size */
    int32_t in_zp, out_zp;
    int8_t act_min, act_max;      /* the activation, folded into the output clamp */
} mt_conv_params_t;

/* Per-output-channel requantization: M[c] = mult[c] * 2^(shift[c] - 31). */
typedef struct {
    const int32_t *mult;
    const int32_t *shift;
} mt_requant_t;

/* TFLite's MultiplyByQuantizedMultiplier; see docs/quantization.md for every rounding step. */
int32_t mt_requant(int32_t x, int32_t mult, int32_t shift);

/* Two implementations of each multiply-accumulate kernel, always both compiled:
 *   *_ref  portable reference C (conv_s8.c, ...): the plain loops of docs/quantization.md;
 *   *_dsp  optimized (conv_s8_dsp.c, ...): Cortex-M4/M7 DSP SIMD (SMLAD, SXTB16) where the
 *          compiler defines __ARM_FEATURE_DSP, the same algorithm in portable C elsewhere.
 * They match bit for bit (tests/test_kernels_dsp.c). The unsuffixed names the executor calls
 * are macros picking one at build time: MT_USE_DSP=1 (CMake option, default ON for
 * cortex-m4/m7) selects *_dsp, otherwise *_ref. Scratch sizes follow the same choice. */
/* A third set, *_host (conv_s8_host.c, ...), is the fast host path: SSE2 on x86-64 (plain C
 * elsewhere), also bit-exact (tests/test_kernels_host.c). MT_USE_HOST_SIMD=1 (CMake option,
 * default ON for x86-64 host builds) selects it; MT_USE_DSP takes precedence. The fully
 * connected layer (the head, not the extractor) has no host variant and stays *_ref there. */
#if defined(MT_USE_DSP) && MT_USE_DSP
#define MT_KERNEL(name) name##_dsp
#define MT_KERNEL_FC(name) name##_dsp
#elif defined(MT_USE_HOST_SIMD) && MT_USE_HOST_SIMD
#define MT_KERNEL(name) name##_host
#define MT_KERNEL_FC(name) name##_ref
#else
#define MT_KERNEL(name) name##_ref
#define MT_KERNEL_FC(name) name##_ref
#endif
#define mt_conv_s8 MT_KERNEL(mt_conv_s8)
#define mt_conv_s8_scratch_bytes MT_KERNEL(mt_conv_s8_scratch_bytes)
#define mt_pointwise_s8 MT_KERNEL(mt_pointwise_s8)
#define mt_pointwise_s8_scratch_bytes MT_KERNEL(mt_pointwise_s8_scratch_bytes)
#define mt_depthwise_s8 MT_KERNEL(mt_depthwise_s8)
#define mt_depthwise_s8_scratch_bytes MT_KERNEL(mt_depthwise_s8_scratch_bytes)
#define mt_fully_connected_s8 MT_KERNEL_FC(mt_fully_connected_s8)

/* The host variants, same contracts as the *_ref functions below. */
void mt_conv_s8_host(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                     const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_conv_s8_scratch_bytes_host(const mt_conv_params_t *p);
void mt_pointwise_s8_host(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_pointwise_s8_scratch_bytes_host(const mt_conv_params_t *p);
void mt_depthwise_s8_host(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_depthwise_s8_scratch_bytes_host(const mt_conv_params_t *p);

/* Generic convolution: any kernel, stride and padding (the stem).
 * in [in_h][in_w][in_c] s8, w [out_c][kh][kw][in_c] s8, bias [out_c] s32,
 * out [out_h][out_w][out_c] s8. */
void mt_conv_s8_ref(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                    const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_conv_s8_scratch_bytes_ref(const mt_conv_params_t *p);
void mt_conv_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                    const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_conv_s8_scratch_bytes_dsp(const mt_conv_params_t *p);

/* Pointwise 1x1 convolution, stride 1, no padding (in_h == out_h, in_w == out_w).
 * in [n][in_c] s8 with n = in_h*in_w, w [out_c][in_c] s8, out [n][out_c] s8. */
void mt_pointwise_s8_ref(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_pointwise_s8_scratch_bytes_ref(const mt_conv_params_t *p);
void mt_pointwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_pointwise_s8_scratch_bytes_dsp(const mt_conv_params_t *p);

/* Depthwise convolution, channel multiplier 1 (in_c == out_c).
 * in [in_h][in_w][c] s8, w [kh][kw][c] s8, bias [c] s32, out [out_h][out_w][c] s8. */
void mt_depthwise_s8_ref(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_depthwise_s8_scratch_bytes_ref(const mt_conv_params_t *p);
void mt_depthwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
size_t mt_depthwise_s8_scratch_bytes_dsp(const mt_conv_params_t *p);

/* Fully connected: in [in_len] s8, w [out_len][in_len] s8, bias [out_len] s32,
 * out [out_len] s8; per-output-channel requantization. */
void mt_fully_connected_s8_ref(int32_t in_len, int32_t out_len, const int8_t *in,
                               const int8_t *w, const int32_t *bias, int32_t in_zp,
                               int32_t out_zp, int8_t act_min, int8_t act_max, mt_requant_t rq,
                               int8_t *out);
void mt_fully_connected_s8_dsp(int32_t in_len, int32_t out_len, const int8_t *in,
                               const int8_t *w, const int32_t *bias, int32_t in_zp,
                               int32_t out_zp, int8_t act_min, int8_t act_max, mt_requant_t rq,
                               int8_t *out);

/* Element-wise add of two equally shaped tensors, TFLite's scheme (docs/quantization.md).
 * out may alias in0 or in1 exactly (the planner runs residual adds in place).
 * scratch: mt_add_s8_scratch_bytes(p, len) bytes, 4-aligned, or NULL. The optimized kernels
 * build per-call tables of both rescaled inputs there (add_s8_dsp.c); with NULL (or a short
 * tensor) they run the reference loop. It sits in the parameters so that callers without
 * scratch keep the five-argument call. */
typedef struct {
    int32_t in0_zp, in1_zp, out_zp;
    int32_t in0_mult, in0_shift, in1_mult, in1_shift, out_mult, out_shift;
    int32_t left_shift;
    int8_t act_min, act_max;
    void *scratch;
} mt_add_params_t;
#define mt_add_s8 MT_KERNEL(mt_add_s8)
#define mt_add_s8_scratch_bytes MT_KERNEL(mt_add_s8_scratch_bytes)
void mt_add_s8_ref(const mt_add_params_t *p, int32_t len, const int8_t *in0, const int8_t *in1,
                   int8_t *out);
size_t mt_add_s8_scratch_bytes_ref(const mt_add_params_t *p, int32_t len);
void mt_add_s8_dsp(const mt_add_params_t *p, int32_t len, const int8_t *in0, const int8_t *in1,
                   int8_t *out);
size_t mt_add_s8_scratch_bytes_dsp(const mt_add_params_t *p, int32_t len);
void mt_add_s8_host(const mt_add_params_t *p, int32_t len, const int8_t *in0, const int8_t *in1,
                    int8_t *out);
size_t mt_add_s8_scratch_bytes_host(const mt_add_params_t *p, int32_t len);

/* Global average pool: in [h][w][c] s8 -> out [c] s8; M = s_in / (s_out * h * w). */
void mt_avgpool_s8(int32_t h, int32_t w, int32_t c, const int8_t *in, int32_t in_zp,
                   int32_t out_zp, int32_t mult, int32_t shift, int8_t act_min, int8_t act_max,
                   int8_t *out);

#ifdef __cplusplus
}
#endif
#endif
