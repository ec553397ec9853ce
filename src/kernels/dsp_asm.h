/* The contract between the C side of the DSP kernels and their assembly (*.S): the job
 * structs the assembly reads, every field offset it uses as a number, and compile-time
 * checks that each number equals offsetof() of the C field (dsp_asm_check.c). Included by C
 * and by the .S files (which see only the numbers). Never allocates, holds no state. */
#ifndef MT_DSP_ASM_H
#define MT_DSP_ASM_H

/* ---- Depthwise plane rows (depthwise_s8_dsp_rows.S) ----
 * A band of input rows widened to int16 minus in_zp, four channel lanes interleaved by
 * word: the pixel pair (2j, 2j + 1) of lane l is the word at row + 16 j + 4 l. Rows are a
 * fixed pitch apart, so the kernels address a whole window with immediate offsets: narrow
 * for maps that need at most 24 plane columns (every map up to 16 wide), wide otherwise (and
 * maps wider than 52 columns run in strips). */
#define MT_DW_PITCH_NARROW 192   /* 12 pixel pairs = 24 columns x 4 lanes x 2 bytes */
#define MT_DW_PITCH_WIDE 416     /* 26 pixel pairs = 52 columns */
/* A group block (16-byte aligned): the 4 lanes' constants, then their doubled weights as
 * int16 pairs, lanes interleaved by word (lane l's word j at MT_DW_GRP_W + 16 j + 4 l), per
 * window row: stride 1: E_0..E_{m-1}, O_0..O_{m-1} (K = 2m + 1, E_i = 2[w_2i, w_2i+1],
 * O_i = 2[w_2i+1, w_2i+2]); stride 2: E_0..E_m (E_m = 2[w_2m, 0]). */
#define MT_DW_GRP_BIAS2 0        /* 4 words: 2 * bias */
#define MT_DW_GRP_MULT 16        /* requantization multiplier (>= 2^30) */
#define MT_DW_GRP_K1 32          /* 2^(r-1) + out_zp * 2^r */
#define MT_DW_GRP_RSH 48         /* r in [1, 22]; -1 marks a slow lane, which C recomputes */
#define MT_DW_GRP_W 64           /* the weights */

/* mt_dw_rows_job_t */
#define MT_DWR_PLANE 0
#define MT_DWR_ROW_STEP 4
#define MT_DWR_OUT 8
#define MT_DWR_OUT_C 12
#define MT_DWR_OUT_ROW 16
#define MT_DWR_N_ROWS 20
#define MT_DWR_N_FULL 24
#define MT_DWR_TAIL 28
#define MT_DWR_GROUP 32

/* mt_dw_widen_job_t */
#define MT_DWW_SRC 0
#define MT_DWW_SRC_STEP 4
#define MT_DWW_DST 8
#define MT_DWW_PIXELS 12
#define MT_DWW_LEAD 16
#define MT_DWW_ZZ 20
#define MT_DWW_ROWS 24
#define MT_DWW_SRC_ROW 28
#define MT_DWW_DST_ROW 32

/* mt_dw_prep_job_t */
#define MT_DWP_W 0
#define MT_DWP_C 4
#define MT_DWP_W_ROW 8
#define MT_DWP_K 12
#define MT_DWP_DST 16

/* ---- Depthwise on 2x2 maps with 3x3 windows, pad 1 (depthwise_s8_dsp_quad.S) ----
 * mt_dw_quad_job_t: every output reads all 4 pixels, so per lane
 * out(y, x) = X0 . W(1 - y, x) + X1 . W(2 - y, x) with X_r = [x_r0, x_r1] and the group
 * block's E (x = 1) and O (x = 0) words of the stride-1 3x3 layout. */
#define MT_DWQ_PLANE 0
#define MT_DWQ_GROUP 4
#define MT_DWQ_OUT 8
#define MT_DWQ_OUT_C 12

/* ---- Depthwise on tiny maps (depthwise_s8_dsp_direct.S) ----
 * mt_dw_direct_job_t */
#define MT_DWD_IN 0
#define MT_DWD_W 4
#define MT_DWD_OUT 8
#define MT_DWD_C 12
#define MT_DWD_IN_ROW 16
#define MT_DWD_W_ROW 20
#define MT_DWD_ZZ 24
#define MT_DWD_N_PX 28
#define MT_DWD_TAPS 32
#define MT_DWD_CONSTS 36
/* a pixel's tap rectangle: 5 words */
#define MT_DWD_TAP_X 0
#define MT_DWD_TAP_W 4
#define MT_DWD_TAP_ROWS 8
#define MT_DWD_TAP_COLS 12
#define MT_DWD_TAP_OUT 16
#define MT_DWD_TAP_WORDS 5
/* the group's constants: bias[4], mult[4], k1[4], rsh[4] (words) */
#define MT_DWD_K_BIAS 0
#define MT_DWD_K_MULT 16
#define MT_DWD_K_K1 32
#define MT_DWD_K_RSH 48
#define MT_DWD_MAX_PX 4

/* ---- The pointwise/stem GEMM (pointwise_s8_dsp_gemm.S) ----
 * mt_pw_gemm_t (pointwise_s8_dsp_gemm.h) */
#define MT_PWG_X 0
#define MT_PWG_X_STEP 4
#define MT_PWG_PAIRS 8
#define MT_PWG_OUT 12
#define MT_PWG_OUT_STEP 16
#define MT_PWG_W 20
#define MT_PWG_QS 24
#define MT_PWG_ZZ 28
#define MT_PWG_XB 32
#define MT_PWG_IN_C 36
#define MT_PWG_X_ROW 40
#define MT_PWG_ZP24 44
#define MT_PWG_PAIR_ADV 48

/* ---- Fully connected, 5 rows a pass (fully_connected_s8_dsp_rows.S) ----
 * mt_fc_job_t */
#define MT_FCJ_X 0
#define MT_FCJ_W0 4
#define MT_FCJ_STRIDE 8
#define MT_FCJ_XMID 12
#define MT_FCJ_XEND 16
#define MT_FCJ_ZZ 20
#define MT_FCJ_A 24

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Five rows w0 + k stride (k < 5) against the input: a[k] += the dot product over the groups
 * of 4 inputs in [x, xend); single groups up to xmid, then eight a pass. */
typedef struct {
    const int8_t *x;
    const int8_t *w0;
    int32_t stride;
    const int8_t *xmid;       /* x + 4 (groups % 8) */
    const int8_t *xend;       /* x + 4 groups */
    uint32_t zz;              /* -in_zp in both halfwords */
    int32_t *a;               /* the 5 accumulators, updated */
} mt_fc_job_t;
void mt_fully_connected_s8_dsp_rows5(const mt_fc_job_t *job);

/* One channel group (4 lanes) of a map of at most 4 output pixels: each pixel's taps inside
 * the input as a rectangle (offsets from in and w, rows x cols, output offset), the lanes'
 * fast requantization (dsp_asm.h formula with acc2 = 2 (acc + bias)). Outputs are saturated
 * to int8 and stored after every read of the group (so out may equal in). */
typedef struct {
    const int8_t *in;         /* channel c0 of input pixel 0 */
    const int8_t *w;          /* channel c0 of weight tap 0 */
    int8_t *out;              /* channel c0 of output pixel 0 */
    int32_t c;                /* channels: bytes between pixels and between taps */
    int32_t in_row;           /* bytes between input rows */
    int32_t w_row;            /* bytes between weight rows */
    uint32_t zz;              /* -in_zp in both halfwords */
    int32_t n_px;             /* 1..4 */
    const int32_t *taps;      /* n_px x MT_DWD_TAP_WORDS */
    const int32_t *consts;    /* 16 words */
} mt_dw_direct_job_t;
void mt_dw_direct_group(const mt_dw_direct_job_t *job);

/* One channel group of a 2x2 map under a 3x3 window with pad 1 (see MT_DWQ_*): plane holds
 * X0 then X1 as 4 lanes' words each (16 bytes apart), group a stride-1 3x3 group block
 * (16-byte aligned); outputs saturated to int8. */
typedef struct {
    const uint32_t *plane;
    const int32_t *group;
    int8_t *out;              /* channel c0 of output pixel (0, 0) */
    int32_t out_c;
} mt_dw_quad_job_t;
void mt_dw_quad_group(const mt_dw_quad_job_t *job);

/* One call of a plane-rows kernel: 4 lanes x n_rows output rows x out_w outputs, in passes
 * of 4 outputs (n_full full passes per row, then one pass of `tail` outputs), lanes inner. */
typedef struct {
    const uint8_t *plane;     /* lane 0's word of output row 0's first window row, column 0 */
    int32_t row_step;         /* bytes between output rows' first window rows: stride * pitch */
    int8_t *out;              /* output (row 0, column 0, lane 0) */
    int32_t out_c;            /* bytes between output pixels (channels) */
    int32_t out_row;          /* bytes between output rows */
    int32_t n_rows;           /* >= 1 */
    int32_t n_full;           /* full passes per row */
    int32_t tail;             /* outputs of the partial last pass (0: none) */
    const int32_t *group;     /* the group block, 16-byte aligned */
    /* the C kernel only: */
    int32_t n_lanes;          /* 1..4 (the assembly always runs 4) */
    int32_t out_zp;           /* slow lanes' output zero point */
    int32_t pitch;            /* plane row pitch (the assembly's is built in) */
} mt_dw_rows_job_t;

/* One call of the widening: n_rows rows (src_row, dst_row bytes apart) of `pixels` pixels
 * of 4 channels from src (pixel stride src_step bytes) into plane words from dst (16 bytes
 * per pixel pair, one word per lane); with lead, the first pixel is the second half of dst's
 * pair (its first half written 0); a last pixel without a partner is the first half of its
 * pair (the second half written 0). */
typedef struct {
    const int8_t *src;
    int32_t src_step;
    uint32_t *dst;
    int32_t pixels;           /* >= 1 */
    int32_t lead;             /* 0 or 1 */
    uint32_t zz;              /* -in_zp in both halfwords */
    int32_t rows;             /* >= 1 */
    int32_t src_row;
    int32_t dst_row;
} mt_dw_widen_job_t;

/* One call of the weight preparation of a group block (4 lanes): w is channel c0 of the
 * window's first tap, taps c bytes apart, rows w_row bytes apart; dst the block's weights. */
typedef struct {
    const int8_t *w;
    int32_t c;
    int32_t w_row;
    int32_t k;                /* 3, 5 or 7 */
    uint32_t *dst;
} mt_dw_prep_job_t;

/* The assembly entry points (where __ARM_FEATURE_DSP is defined; C twins elsewhere):
 * mt_dw_rows_k{3,5,7}s{1,2} and mt_dw_widen. */
typedef void (*mt_dw_rows_fn)(const mt_dw_rows_job_t *job);
void mt_dw_rows_k3s1_n(const mt_dw_rows_job_t *job);
void mt_dw_rows_k5s1_n(const mt_dw_rows_job_t *job);
void mt_dw_rows_k7s1_n(const mt_dw_rows_job_t *job);
void mt_dw_rows_k3s2_n(const mt_dw_rows_job_t *job);
void mt_dw_rows_k5s2_n(const mt_dw_rows_job_t *job);
void mt_dw_rows_k7s2_n(const mt_dw_rows_job_t *job);
void mt_dw_rows_k3s1_w(const mt_dw_rows_job_t *job);
void mt_dw_rows_k5s1_w(const mt_dw_rows_job_t *job);
void mt_dw_rows_k7s1_w(const mt_dw_rows_job_t *job);
void mt_dw_rows_k3s2_w(const mt_dw_rows_job_t *job);
void mt_dw_rows_k5s2_w(const mt_dw_rows_job_t *job);
void mt_dw_rows_k7s2_w(const mt_dw_rows_job_t *job);
void mt_dw_widen(const mt_dw_widen_job_t *job);
void mt_dw_prep_s1(const mt_dw_prep_job_t *job);
void mt_dw_prep_s2(const mt_dw_prep_job_t *job);

/* Compile-time checks that the numbers above are the C layout, on the 32-bit targets that
 * run the assembly (C99 has no _Static_assert: a negative array size fails the build). */
#if defined(__arm__)
#include <stddef.h>
#define MT_ASM_OFFSET(type, field, value) \
    typedef char mt_asm_offset_##type##_##field[(offsetof(type, field) == (value)) ? 1 : -1]
MT_ASM_OFFSET(mt_fc_job_t, x, MT_FCJ_X);
MT_ASM_OFFSET(mt_fc_job_t, w0, MT_FCJ_W0);
MT_ASM_OFFSET(mt_fc_job_t, stride, MT_FCJ_STRIDE);
MT_ASM_OFFSET(mt_fc_job_t, xmid, MT_FCJ_XMID);
MT_ASM_OFFSET(mt_fc_job_t, xend, MT_FCJ_XEND);
MT_ASM_OFFSET(mt_fc_job_t, zz, MT_FCJ_ZZ);
MT_ASM_OFFSET(mt_fc_job_t, a, MT_FCJ_A);
MT_ASM_OFFSET(mt_dw_rows_job_t, plane, MT_DWR_PLANE);
MT_ASM_OFFSET(mt_dw_rows_job_t, row_step, MT_DWR_ROW_STEP);
MT_ASM_OFFSET(mt_dw_rows_job_t, out, MT_DWR_OUT);
MT_ASM_OFFSET(mt_dw_rows_job_t, out_c, MT_DWR_OUT_C);
MT_ASM_OFFSET(mt_dw_rows_job_t, out_row, MT_DWR_OUT_ROW);
MT_ASM_OFFSET(mt_dw_rows_job_t, n_rows, MT_DWR_N_ROWS);
MT_ASM_OFFSET(mt_dw_rows_job_t, n_full, MT_DWR_N_FULL);
MT_ASM_OFFSET(mt_dw_rows_job_t, tail, MT_DWR_TAIL);
MT_ASM_OFFSET(mt_dw_rows_job_t, group, MT_DWR_GROUP);
MT_ASM_OFFSET(mt_dw_prep_job_t, w, MT_DWP_W);
MT_ASM_OFFSET(mt_dw_prep_job_t, c, MT_DWP_C);
MT_ASM_OFFSET(mt_dw_prep_job_t, w_row, MT_DWP_W_ROW);
MT_ASM_OFFSET(mt_dw_prep_job_t, k, MT_DWP_K);
MT_ASM_OFFSET(mt_dw_prep_job_t, dst, MT_DWP_DST);
MT_ASM_OFFSET(mt_dw_direct_job_t, in, MT_DWD_IN);
MT_ASM_OFFSET(mt_dw_direct_job_t, w, MT_DWD_W);
MT_ASM_OFFSET(mt_dw_direct_job_t, out, MT_DWD_OUT);
MT_ASM_OFFSET(mt_dw_direct_job_t, c, MT_DWD_C);
MT_ASM_OFFSET(mt_dw_direct_job_t, in_row, MT_DWD_IN_ROW);
MT_ASM_OFFSET(mt_dw_direct_job_t, w_row, MT_DWD_W_ROW);
MT_ASM_OFFSET(mt_dw_direct_job_t, zz, MT_DWD_ZZ);
MT_ASM_OFFSET(mt_dw_direct_job_t, n_px, MT_DWD_N_PX);
MT_ASM_OFFSET(mt_dw_direct_job_t, taps, MT_DWD_TAPS);
MT_ASM_OFFSET(mt_dw_direct_job_t, consts, MT_DWD_CONSTS);
MT_ASM_OFFSET(mt_dw_quad_job_t, plane, MT_DWQ_PLANE);
MT_ASM_OFFSET(mt_dw_quad_job_t, group, MT_DWQ_GROUP);
MT_ASM_OFFSET(mt_dw_quad_job_t, out, MT_DWQ_OUT);
MT_ASM_OFFSET(mt_dw_quad_job_t, out_c, MT_DWQ_OUT_C);
MT_ASM_OFFSET(mt_dw_widen_job_t, src, MT_DWW_SRC);
MT_ASM_OFFSET(mt_dw_widen_job_t, src_step, MT_DWW_SRC_STEP);
MT_ASM_OFFSET(mt_dw_widen_job_t, dst, MT_DWW_DST);
MT_ASM_OFFSET(mt_dw_widen_job_t, pixels, MT_DWW_PIXELS);
MT_ASM_OFFSET(mt_dw_widen_job_t, lead, MT_DWW_LEAD);
MT_ASM_OFFSET(mt_dw_widen_job_t, zz, MT_DWW_ZZ);
MT_ASM_OFFSET(mt_dw_widen_job_t, rows, MT_DWW_ROWS);
MT_ASM_OFFSET(mt_dw_widen_job_t, src_row, MT_DWW_SRC_ROW);
MT_ASM_OFFSET(mt_dw_widen_job_t, dst_row, MT_DWW_DST_ROW);
#endif
#endif

#endif
