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

/* Kernel sets. Every set computes the same integers (bit for bit; tests/test_kernels_dsp.c,
 * tests/test_kernels_host.c); they differ in speed and in the scratch they ask for:
 *   MT_KERNELS_REF   portable reference C (conv_s8.c, ...): the plain loops of
 *                    docs/quantization.md; always built;
 *   MT_KERNELS_DSP   Cortex-M4/M7 (*_dsp): DSP SIMD (SMLAD, SXTB16) and assembly (.S) where the
 *                    compiler defines __ARM_FEATURE_DSP, portable C twins of the same algorithm
 *                    elsewhere (so a host tool can plan the Cortex-M arena); always built;
 *   MT_KERNELS_HOST  the fast x86-64 host path (*_host: SSE2/AVX2, plain C on other CPUs);
 *                    not built into Cortex-M firmware (mt_kernels() returns NULL there).
 * One table per set (src/kernels/kernel_sets.c) says which function runs each op type; the
 * executor and the planner look the set up with mt_kernels(), nothing is renamed by macros. */
typedef enum {
    MT_KERNELS_REF = 0,
    MT_KERNELS_DSP = 1,
    MT_KERNELS_HOST = 2
} mt_kernel_set_t;
#define MT_KERNEL_SET_COUNT 3

typedef struct mt_add_params mt_add_params_t;
typedef void (*mt_conv_fn)(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                           const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
typedef size_t (*mt_conv_scratch_fn)(const mt_conv_params_t *p);
typedef void (*mt_fc_fn)(int32_t in_len, int32_t out_len, const int8_t *in, const int8_t *w,
                         const int32_t *bias, int32_t in_zp, int32_t out_zp, int8_t act_min,
                         int8_t act_max, mt_requant_t rq, int8_t *out);
typedef void (*mt_add_fn)(const mt_add_params_t *p, int32_t len, const int8_t *in0,
                          const int8_t *in1, int8_t *out);
typedef size_t (*mt_add_scratch_fn)(const mt_add_params_t *p, int32_t len);

/* The functions of one kernel set. Scratch queries take the same arguments as their kernel
 * and return bytes (a multiple of 4; 0 = the kernel may get NULL). */
typedef struct {
    const char *name;                 /* "ref", "dsp", "host" */
    mt_conv_fn conv;                  /* any CONV2D (the stem) */
    mt_conv_scratch_fn conv_scratch_bytes;
    mt_conv_fn pointwise;             /* CONV2D 1x1, stride 1, unpadded */
    mt_conv_scratch_fn pointwise_scratch_bytes;
    mt_conv_fn depthwise;             /* DEPTHWISE_CONV2D, multiplier 1 */
    mt_conv_scratch_fn depthwise_scratch_bytes;
    /* 1 if this set's depthwise kernel may write its output over its input (out == in)
     * for this shape, so the planner may place both at one offset when the input dies. */
    int (*depthwise_in_place)(const mt_conv_params_t *p);
    mt_fc_fn fully_connected;
    mt_add_fn add;                    /* out may alias in0 or in1 exactly */
    mt_add_scratch_fn add_scratch_bytes;
} mt_kernels_t;

/* The table of a kernel set, or NULL if this build does not contain the set. */
const mt_kernels_t *mt_kernels(mt_kernel_set_t set);

/* The kernel set this build executes by default (CMake MT_USE_DSP / MT_USE_HOST_SIMD);
 * mt_model_open plans the arena for it. */
mt_kernel_set_t mt_kernels_built(void);

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
/* 1 if mt_depthwise_s8_dsp may run this shape with out == in (its input then overwritten). */
int mt_depthwise_s8_in_place_dsp(const mt_conv_params_t *p);

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
struct mt_add_params {
    int32_t in0_zp, in1_zp, out_zp;
    int32_t in0_mult, in0_shift, in1_mult, in1_shift, out_mult, out_shift;
    int32_t left_shift;
    int8_t act_min, act_max;
    void *scratch;
};
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

/* Global average pool with TFLite's rounding (op GLOBAL_AVG_POOL_DIV): in [h][w][c] s8 ->
 * out [c] s8, acc = sum (x - in_zp), requantized by (mult, shift) unless mult is 0, then
 * out = clamp(round_half_away(acc / (h*w)) + out_zp). TFLite's AVERAGE_POOL_2D is mult = 0
 * with in_zp = out_zp = 0 (the raw mean); its MEAN is M = s_in / s_out with the zero points. */
void mt_avgpool_div_s8(int32_t h, int32_t w, int32_t c, const int8_t *in, int32_t in_zp,
                       int32_t out_zp, int32_t mult, int32_t shift, int8_t act_min,
                       int8_t act_max, int8_t *out);

#ifdef __cplusplus
}
#endif
#endif
