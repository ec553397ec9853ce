/* Private to the DSP depthwise kernel (depthwise_s8_dsp*.c, depthwise_s8_dsp_rows.S) and its
 * tests: how a layer is run (its path, chosen from the shape alone so the planner's scratch
 * query and the kernel agree), and the pieces the path files share. No state. */
#ifndef MT_DEPTHWISE_S8_DSP_H
#define MT_DEPTHWISE_S8_DSP_H

#include "dsp_asm.h"
#include "dsp_util.h"

/* The paths, after trimming window rows and columns that never touch the input (a 7x7
 * window with pad 3 on a 2x2 map is its central 3x3):
 *   PLANES  3x3, 5x5, 7x7 windows, stride 1 or 2: per group of 4 channels the input rows
 *           are widened once into int16 planes (a band of rows in scratch), and an assembly
 *           kernel runs whole rows of every lane, 4 outputs a pass, with SMLAD on pairs of
 *           adjacent taps (depthwise_s8_dsp_rows.S);
 *   QUAD    2x2 maps under a 3x3 window with pad 1 (every output reads all 4 pixels): 8
 *           SMLAD per lane for the 16 multiply-accumulates (depthwise_s8_dsp_quad.S);
 *   DIRECT  other maps of at most 4 output pixels: each output straight from the int8 input,
 *           only the taps inside the input, 4 channels at a time; no scratch;
 *   REF     anything else (even or 1x1 or > 7 windows, unequal or > 2 strides): the
 *           reference kernel. */
typedef enum { MT_DW_PATH_PLANES, MT_DW_PATH_QUAD, MT_DW_PATH_DIRECT, MT_DW_PATH_REF } mt_dw_path_t;

/* A layer with its window trimmed to the taps that can reach the input. */
typedef struct {
    mt_conv_params_t p;   /* kh, kw, pad_top, pad_left of the trimmed window */
    int32_t ky0, kx0;     /* the trimmed window's first tap in the layer's window */
    int32_t kw_full;      /* taps per weight row in the layer's weights */
} mt_dw_layer_t;

void mt_dw_trim(const mt_conv_params_t *p, mt_dw_layer_t *l);
mt_dw_path_t mt_dw_path_of(const mt_dw_layer_t *l);

/* The path a layer takes (for the tests: every path must be met). */
mt_dw_path_t mt_depthwise_s8_dsp_path(const mt_conv_params_t *p);

/* ---- PLANES (depthwise_s8_dsp_planes.c) ---- */
size_t mt_dw_planes_scratch_bytes(const mt_dw_layer_t *l);
/* Which of the 12 plane-rows kernels runs the layer: 6 * wide + 3 * (stride - 1) + (k - 3) / 2. */
int32_t mt_dw_planes_kernel(const mt_dw_layer_t *l);
int mt_dw_planes_in_place(const mt_dw_layer_t *l);
void mt_dw_planes_run(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                      const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);

/* The group block of channels c0 .. c0 + n_lanes - 1 at g (16-byte aligned, dsp_asm.h);
 * returns 1 if any lane is slow (its requantization needs the reference formula). */
int mt_dw_prep_group(const mt_dw_layer_t *l, const int8_t *w, const int32_t *bias,
                     mt_requant_t rq, int32_t c0, int32_t n_lanes, int32_t *g);

/* ---- QUAD (depthwise_s8_dsp_quad.c) ---- */
int mt_dw_quad_applies(const mt_dw_layer_t *l);
size_t mt_dw_quad_scratch_bytes(void);
void mt_dw_quad_run(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                    const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);

/* ---- DIRECT (depthwise_s8_dsp_direct.c) ---- */
void mt_dw_direct_run(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                      const int32_t *bias, mt_requant_t rq, int8_t *out);
/* One group of any lanes and requantization in C (reads all, then writes). */
void mt_dw_direct_group_c(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                          const int32_t *bias, mt_requant_t rq, int8_t *out, int32_t c0,
                          int32_t n_lanes);

/* The plane-rows kernel in C for the lanes flagged slow (MT_DW_LANE_RSH < 0), and for
 * every lane where the assembly does not exist (depthwise_s8_dsp_rows_c.c). */
void mt_dw_rows_c(const mt_dw_rows_job_t *job, int32_t k, int32_t stride, int slow_only);

#endif
