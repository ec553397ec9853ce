/* Optimized int8 depthwise convolution (channel multiplier 1) for Cortex-M4/M7 DSP.
 * Four channels at a time. For each group of 4 channels the input rows are widened into a
 * ring of kh rows in scratch, as int16 pairs with in_zp subtracted ([c0 c2] and [c1 c3] per
 * pixel, SXTAB16) and padded with zeros left and right (rows above or below the input are all
 * zeros), each input row once per group. So every output pixel, border or not, is the same
 * window of LDRD + SMLABB/SMLATT with no bounds checks (a padded tap holds in_zp, which
 * contributes 0 in the reference too). 3x3, 5x5 and 7x7 windows with every channel on the fast
 * requantization run one assembly block per output pixel: window, requantization, clamp.
 * Bit for bit equal to mt_depthwise_s8_ref; never allocates, never reads outside the input. */
#include "dsp_util.h"

/* The band path out of line: inlined into mt_depthwise_s8_dsp it cost the small-map path
 * there ~5 % (gcc's inlining budget). */
#if defined(__GNUC__)
#define MT_DW_NOINLINE __attribute__((noinline))
#else
#define MT_DW_NOINLINE
#endif

/* Widened row length in pixels: the input columns the output touches, padding included. */
static int32_t row_pixels(const mt_conv_params_t *p) {
    return ((int32_t)p->out_w - 1) * p->stride_w + p->kw;
}

/* Per channel group block (words): act_min/act_max in every byte (2), the 4 biases (4), the 4
 * requantizations (16), then the widened weights [kh][kw][even, odd]. */
#define MT_DW_BLK_HEAD 22

/* The ring path's working memory: the group block, the ring of kh widened input rows
 * [kh][row_pixels][even, odd] words, then the kh ring rows of the current output row in
 * window order (word offsets into the ring). */
static size_t ring_bytes(const mt_conv_params_t *p) {
    return (MT_DW_BLK_HEAD + 2u * p->kh * p->kw) * 4u +
           (size_t)p->kh * (size_t)row_pixels(p) * 8u + (size_t)p->kh * 4u;
}

/* How a layer runs, from its shape alone (so the planner and the kernel agree):
 *   DW_DIRECT  every output from the int8 input, taps outside the input skipped, no scratch:
 *              maps of at most 4 output pixels, where most of a window is padding and the
 *              ring's per-row setup dominates (MCUNet's 2x2 layers: 4.2 -> 1.3 instr/MAC);
 *   DW_TAIL    the ring for rows [0, split), its working memory in the output rows
 *              [split, out_h) not yet written, then those rows direct: no scratch. For the
 *              large layers whose input + output (>= 32 KB) likely set the arena's peak,
 *              5x5 and 7x7 windows on maps >= 8x8, when at most half the rows go direct
 *              (MCUNet-64's 7x7 s2 on 32x32x32: the DSP arena equals the reference's);
 *   DW_BAND    5x5/7x7 stride 2 with out_w % 4 == 0 on maps too wide for DW_PLANE: a ring of
 *              int16 channel planes (below), in scratch; DW_BAND_TAIL the same in output rows
 *              not yet written when input + output >= 32 KB (no scratch);
 *   DW_PLANEW  3x3 stride 1, out_w % 4 == 0, the maps DW_PLANE does not take up to 32
 *              columns (any height): the plane path in bands of rows (below), in scratch
 *              (3 KB; 3x3 layers took scratch on any map before too: the ring's ~1 KB);
 *   DW_RING    the ring for every row, working memory in the caller's scratch. */
enum { DW_RING, DW_TAIL, DW_DIRECT, DW_PLANE, DW_BAND, DW_BAND_TAIL, DW_PLANEW };
static int plane_applies(const mt_conv_params_t *p);
static size_t plane_bytes(const mt_conv_params_t *p);
static int planew_applies(const mt_conv_params_t *p);
static size_t planew_bytes(const mt_conv_params_t *p);
static int band_applies(const mt_conv_params_t *p);
static size_t band_bytes(const mt_conv_params_t *p, int32_t g);
#define MT_DW_TAIL_TENSORS 32768
static int dw_mode(const mt_conv_params_t *p, int32_t *split) {
    int32_t row = (int32_t)p->out_w * p->in_c, rows;
    int32_t tensors = ((int32_t)p->in_h * p->in_w + (int32_t)p->out_h * p->out_w) * p->in_c;
    *split = p->out_h;
    if (plane_applies(p)) return DW_PLANE;
    if ((int32_t)p->out_h * p->out_w <= 4) return DW_DIRECT;
    if (planew_applies(p)) return DW_PLANEW;
    if (band_applies(p)) {
        rows = (int32_t)((band_bytes(p, 4) + 3u + (size_t)row - 1u) / (size_t)row);
        return tensors >= MT_DW_TAIL_TENSORS && 2 * rows <= p->out_h ? DW_BAND_TAIL : DW_BAND;
    }
    if (p->kh * p->kw < 25 || p->out_w < 8 || p->out_h < 8 || tensors < MT_DW_TAIL_TENSORS) {
        return DW_RING;
    }
    rows = (int32_t)((ring_bytes(p) + 3u + (size_t)row - 1u) / (size_t)row);
    if (2 * rows > p->out_h) return DW_RING;
    *split = p->out_h - rows;
    return DW_TAIL;
}

size_t mt_depthwise_s8_scratch_bytes_dsp(const mt_conv_params_t *p) {
    int32_t split;
    int mode = dw_mode(p, &split);
    return mode == DW_RING ? ring_bytes(p) : mode == DW_PLANE ? plane_bytes(p)
                             : mode == DW_BAND ? band_bytes(p, 4)
                             : mode == DW_PLANEW ? planew_bytes(p) : 0u;
}

/* Four int8 channels from x (fewer when the layer has fewer left: the missing lanes read as
 * fill) without reading past the channel count. */
static inline uint32_t ld_group(const int8_t *x, int32_t n_lanes, int32_t fill) {
    uint32_t v;
    int32_t k;
    if (n_lanes == 4) return mt_ld4(x);
    v = mt_dup4(fill);
    for (k = 0; k < n_lanes; k++) {
        v = (v & ~(0xffu << (8 * k))) | ((uint32_t)(uint8_t)x[k] << (8 * k));
    }
    return v;
}

/* Widens input row iy (any integer: outside the input it is all padding), channels c0..
 * (n_lanes of them), into r. */
static void build_row(const mt_conv_params_t *p, const int8_t *in, int32_t c0, int32_t n_lanes,
                      int32_t iy, uint32_t zz, uint32_t *r) {
    int32_t wp = row_pixels(p), c_n = p->in_c, px;
    int32_t x_lo = p->pad_left, x_hi = p->pad_left + p->in_w; /* [x_lo, x_hi) is the input */
    const int8_t *x;
    if (x_lo > wp) x_lo = wp;
    if (x_hi > wp) x_hi = wp;
    if (iy < 0 || iy >= p->in_h) {
        memset(r, 0, (size_t)wp * 8u);
        return;
    }
    for (px = 0; px < x_lo; px++) r[2 * px] = r[2 * px + 1] = 0;
    x = in + (iy * p->in_w + (x_lo - p->pad_left)) * c_n + c0;
    if (n_lanes == 4) {
        for (px = x_lo; px < x_hi; px++, x += c_n) {
            uint32_t v = mt_ld4(x);
            r[2 * px] = mt_sxtab16(zz, v);
            r[2 * px + 1] = mt_sxtab16_odd(zz, v);
        }
    } else {
        int32_t fill = -mt_lo16(zz);
        for (px = x_lo; px < x_hi; px++, x += c_n) {
            uint32_t v = ld_group(x, n_lanes, fill);
            r[2 * px] = mt_sxtab16(zz, v);
            r[2 * px + 1] = mt_sxtab16_odd(zz, v);
        }
    }
    for (px = x_hi > x_lo ? x_hi : x_lo; px < wp; px++) r[2 * px] = r[2 * px + 1] = 0;
}

#if MT_DSP_ASM
/* One tap: the widened pixel (2 words at r + XOFF) times the widened weights (wk + WOFF). */
#define MT_DW_TAP(XOFF, WOFF)                                  \
    "ldrd %[xe], %[xo], [%[r], #" #XOFF "]\n\t"                \
    "ldrd %[we], %[wo], [%[wk], #" #WOFF "]\n\t"               \
    "smlabb %[a0], %[xe], %[we], %[a0]\n\t"                    \
    "smlatt %[a2], %[xe], %[we], %[a2]\n\t"                    \
    "smlabb %[a1], %[xo], %[wo], %[a1]\n\t"                    \
    "smlatt %[a3], %[xo], %[wo], %[a3]\n\t"
/* Row KY of the window: the ring plus the pixel's column (off, bytes) plus the row's word
 * offset from the table. */
#define MT_DW_ROW(KY) "ldr %[r], [%[tab], #4 * " #KY "]\n\tadd %[r], %[off], %[r], lsl #2\n\t"
#define MT_DW_ROW3(KY)                                                        \
    MT_DW_ROW(KY) MT_DW_TAP(0, 24 * KY) MT_DW_TAP(8, 24 * KY + 8)             \
    MT_DW_TAP(16, 24 * KY + 16)
#define MT_DW_ROW5(KY)                                                        \
    MT_DW_ROW(KY) MT_DW_TAP(0, 40 * KY) MT_DW_TAP(8, 40 * KY + 8)             \
    MT_DW_TAP(16, 40 * KY + 16) MT_DW_TAP(24, 40 * KY + 24) MT_DW_TAP(32, 40 * KY + 32)
#define MT_DW_ROW7(KY)                                                        \
    MT_DW_ROW(KY) MT_DW_TAP(0, 56 * KY) MT_DW_TAP(8, 56 * KY + 8)             \
    MT_DW_TAP(16, 56 * KY + 16) MT_DW_TAP(24, 56 * KY + 24)                   \
    MT_DW_TAP(32, 56 * KY + 32) MT_DW_TAP(40, 56 * KY + 40) MT_DW_TAP(48, 56 * KY + 48)
/* Lane K's fast requantization, constants from the group block (mult, k_lo, k_hi, rsh). */
#define MT_DW_RQ(K)                                            \
    "ldrd %[xe], %[xo], [%[wk], #-64 + 16 * " #K "]\n\t"       \
    "ldrd %[we], %[wo], [%[wk], #-56 + 16 * " #K "]\n\t"       \
    "asr %[t], %[a" #K "], #31\n\t"                            \
    "adds %[r], %[xo], %[t], lsl #31\n\t"                      \
    "adc %[t], %[we], %[t]\n\t"                                \
    "smlal %[r], %[t], %[a" #K "], %[xe]\n\t"                  \
    "asr %[a" #K "], %[t], %[wo]\n\t"
#define MT_DW_BIAS                                             \
    "ldrd %[a0], %[a1], [%[wk], #-80]\n\t"                     \
    "ldrd %[a2], %[a3], [%[wk], #-72]\n\t"
/* Saturate the four lanes to int8, pack them, clamp all four with SSUB8/SEL. */
#define MT_DW_OUT                                              \
    MT_DW_RQ(0) MT_DW_RQ(1) MT_DW_RQ(2) MT_DW_RQ(3)            \
    "ssat %[a0], #8, %[a0]\n\t"                                \
    "ssat %[a1], #8, %[a1]\n\t"                                \
    "ssat %[a2], #8, %[a2]\n\t"                                \
    "ssat %[a3], #8, %[a3]\n\t"                                \
    "bfi %[a0], %[a1], #8, #8\n\t"                             \
    "bfi %[a0], %[a2], #16, #8\n\t"                            \
    "bfi %[a0], %[a3], #24, #8\n\t"                            \
    "ldrd %[xe], %[xo], [%[wk], #-88]\n\t"                     \
    "ssub8 %[t], %[a0], %[xe]\n\t"                             \
    "sel %[a0], %[a0], %[xe]\n\t"                              \
    "ssub8 %[t], %[xo], %[a0]\n\t"                             \
    "sel %[a0], %[a0], %[xo]\n\t"
#define MT_DW_OPS                                                                           \
    : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [r] "=&r"(r),          \
      [xe] "=&r"(xe), [xo] "=&r"(xo), [we] "=&r"(we), [wo] "=&r"(wo), [t] "=&r"(t)          \
    : [wk] "r"(wb), [tab] "r"(tab), [off] "r"(off)                                         \
    : "cc", "memory"

/* Two horizontally adjacent output pixels per pass (stride 1 or 2), 4 full fast channels,
 * KxK window (K = 3, 5, 7): top-level assembly functions, one per K and stride. Per window
 * row the K weight pairs are loaded once for both pixels; with stride 1 the K + 1 widened
 * pixels are too (pixel B's tap kx is pixel A's tap kx + 1): 2K + 1 LDRD and 8K
 * multiply-accumulates per row (stride 2: 3K LDRD). The job is copied into the stack frame (offsets below); row pointers advance there.
 * Registers: r0..r3 pixel A lanes 0..3, r4..r7 pixel B, r8/r9 weights, r10/r11 pixels,
 * r12 row pointer, lr weights block. */
typedef struct {
    const uint32_t *rows[7]; /*   0 the window's ring rows at the pair's first column */
    const uint32_t *wk;      /*  28 widened weights (the group block's) */
    int8_t *o;               /*  32 output of pixel A, channel c0 */
    int32_t o_step;          /*  36 bytes from one output pixel to the next (c) */
    int32_t n_pairs;         /*  40 pixel pairs to do, >= 1 */
    uint32_t head[MT_DW_BLK_HEAD]; /* 44 the group block's head: act_min, act_max in every
                                    * byte (44, 48), the 4 biases (52), the 4
                                    * requantizations (68) */
} mt_dw_pair_job_t;

void mt_depthwise_s8_dsp_pairs3(const mt_dw_pair_job_t *job);
void mt_depthwise_s8_dsp_pairs5(const mt_dw_pair_job_t *job);
void mt_depthwise_s8_dsp_pairs7(const mt_dw_pair_job_t *job);
void mt_depthwise_s8_dsp_pairs3s2(const mt_dw_pair_job_t *job);
void mt_depthwise_s8_dsp_pairs5s2(const mt_dw_pair_job_t *job);
void mt_depthwise_s8_dsp_pairs7s2(const mt_dw_pair_job_t *job);

#define MT_DW2_TAP(KY, KX, K)                                  \
    "    ldrd r8, r9, [lr, #8 * (" #KY " * " #K " + " #KX ")]\n" \
    "    smlabb r0, r10, r8, r0\n"                             \
    "    smlatt r2, r10, r8, r2\n"                             \
    "    smlabb r1, r11, r9, r1\n"                             \
    "    smlatt r3, r11, r9, r3\n"                             \
    "    ldrd r10, r11, [r12, #8 * (" #KX " + 1)]\n"            \
    "    smlabb r4, r10, r8, r4\n"                             \
    "    smlatt r6, r10, r8, r6\n"                             \
    "    smlabb r5, r11, r9, r5\n"                             \
    "    smlatt r7, r11, r9, r7\n"
/* Stride 2: pixel B's tap kx is pixel A's tap kx + 2, so each tap loads both pixels. */
#define MT_DW2S_TAP(KY, KX, K)                                 \
    "    ldrd r8, r9, [lr, #8 * (" #KY " * " #K " + " #KX ")]\n" \
    "    ldrd r10, r11, [r12, #8 * " #KX "]\n"                  \
    "    smlabb r0, r10, r8, r0\n"                             \
    "    smlatt r2, r10, r8, r2\n"                             \
    "    smlabb r1, r11, r9, r1\n"                             \
    "    smlatt r3, r11, r9, r3\n"                             \
    "    ldrd r10, r11, [r12, #8 * (" #KX " + 2)]\n"            \
    "    smlabb r4, r10, r8, r4\n"                             \
    "    smlatt r6, r10, r8, r6\n"                             \
    "    smlabb r5, r11, r9, r5\n"                             \
    "    smlatt r7, r11, r9, r7\n"
#define MT_DW2S_ROW_BEGIN(KY) "    ldr r12, [sp, #4 * " #KY "]\n"
#define MT_DW2S_ROW_END(KY) "    add r12, r12, #32\n    str r12, [sp, #4 * " #KY "]\n"
#define MT_DW2S_ROW3(KY) MT_DW2S_ROW_BEGIN(KY) MT_DW2S_TAP(KY, 0, 3) MT_DW2S_TAP(KY, 1, 3) \
    MT_DW2S_TAP(KY, 2, 3) MT_DW2S_ROW_END(KY)
#define MT_DW2S_ROW5(KY) MT_DW2S_ROW_BEGIN(KY) MT_DW2S_TAP(KY, 0, 5) MT_DW2S_TAP(KY, 1, 5) \
    MT_DW2S_TAP(KY, 2, 5) MT_DW2S_TAP(KY, 3, 5) MT_DW2S_TAP(KY, 4, 5) MT_DW2S_ROW_END(KY)
#define MT_DW2S_ROW7(KY) MT_DW2S_ROW_BEGIN(KY) MT_DW2S_TAP(KY, 0, 7) MT_DW2S_TAP(KY, 1, 7) \
    MT_DW2S_TAP(KY, 2, 7) MT_DW2S_TAP(KY, 3, 7) MT_DW2S_TAP(KY, 4, 7) MT_DW2S_TAP(KY, 5, 7) \
    MT_DW2S_TAP(KY, 6, 7) MT_DW2S_ROW_END(KY)
#define MT_DW2_ROW_BEGIN(KY) "    ldr r12, [sp, #4 * " #KY "]\n    ldrd r10, r11, [r12]\n"
#define MT_DW2_ROW_END(KY) "    add r12, r12, #16\n    str r12, [sp, #4 * " #KY "]\n"
#define MT_DW2_ROW3(KY) MT_DW2_ROW_BEGIN(KY) MT_DW2_TAP(KY, 0, 3) MT_DW2_TAP(KY, 1, 3) \
    MT_DW2_TAP(KY, 2, 3) MT_DW2_ROW_END(KY)
#define MT_DW2_ROW5(KY) MT_DW2_ROW_BEGIN(KY) MT_DW2_TAP(KY, 0, 5) MT_DW2_TAP(KY, 1, 5) \
    MT_DW2_TAP(KY, 2, 5) MT_DW2_TAP(KY, 3, 5) MT_DW2_TAP(KY, 4, 5) MT_DW2_ROW_END(KY)
#define MT_DW2_ROW7(KY) MT_DW2_ROW_BEGIN(KY) MT_DW2_TAP(KY, 0, 7) MT_DW2_TAP(KY, 1, 7) \
    MT_DW2_TAP(KY, 2, 7) MT_DW2_TAP(KY, 3, 7) MT_DW2_TAP(KY, 4, 7) MT_DW2_TAP(KY, 5, 7) \
    MT_DW2_TAP(KY, 6, 7) MT_DW2_ROW_END(KY)
/* Fast requantization of ACC with r8..r11 = mult, k_lo, k_hi, rsh (r12, lr scratch). */
#define MT_DW2_RQ1(ACC)                                        \
    "    asr lr, " ACC ", #31\n"                               \
    "    adds r12, r9, lr, lsl #31\n"                          \
    "    adc lr, r10, lr\n"                                    \
    "    smlal r12, lr, " ACC ", r8\n"                         \
    "    asr " ACC ", lr, r11\n"
#define MT_DW2_RQ(L, A, B)                                     \
    "    ldrd r8, r9, [sp, #68 + 16 * " #L "]\n"               \
    "    ldrd r10, r11, [sp, #76 + 16 * " #L "]\n"             \
    MT_DW2_RQ1(A) MT_DW2_RQ1(B)
#define MT_DW2_PACK(R0, R1, R2, R3)                            \
    "    ssat " R0 ", #8, " R0 "\n"                            \
    "    ssat " R1 ", #8, " R1 "\n"                            \
    "    ssat " R2 ", #8, " R2 "\n"                            \
    "    ssat " R3 ", #8, " R3 "\n"                            \
    "    bfi " R0 ", " R1 ", #8, #8\n"                         \
    "    bfi " R0 ", " R2 ", #16, #8\n"                        \
    "    bfi " R0 ", " R3 ", #24, #8\n"                        \
    "    ssub8 r12, " R0 ", r8\n"                              \
    "    sel " R0 ", " R0 ", r8\n"                             \
    "    ssub8 r12, r9, " R0 "\n"                              \
    "    sel " R0 ", " R0 ", r9\n"
#define MT_DW2_FUNC(NAME, WINDOW)                              \
    __asm__("    .text\n"                                      \
            "    .syntax unified\n"                            \
            "    .thumb\n"                                     \
            "    .align 2\n"                                   \
            "    .global " NAME "\n"                           \
            "    .type " NAME ", %function\n"                  \
            "    .thumb_func\n" NAME ":\n"                     \
            "    push {r4-r11, lr}\n"                          \
            "    sub sp, sp, #140\n"                           \
            "    mov lr, sp\n"                                 \
            "    ldm r0!, {r1-r11}\n"                          \
            "    stm lr!, {r1-r11}\n"                          \
            "    ldm r0!, {r1-r11}\n"                          \
            "    stm lr!, {r1-r11}\n"                          \
            "    ldm r0!, {r1-r11}\n"                          \
            "    stm lr!, {r1-r11}\n"                          \
            "1:\n"                                             \
            "    ldr lr, [sp, #28]\n"                          \
            "    ldrd r0, r1, [sp, #52]\n"                     \
            "    ldrd r2, r3, [sp, #60]\n"                     \
            "    ldrd r4, r5, [sp, #52]\n"                     \
            "    ldrd r6, r7, [sp, #60]\n"                     \
            WINDOW                                             \
            MT_DW2_RQ(0, "r0", "r4") MT_DW2_RQ(1, "r1", "r5")  \
            MT_DW2_RQ(2, "r2", "r6") MT_DW2_RQ(3, "r3", "r7")  \
            "    ldrd r8, r9, [sp, #44]\n"                     \
            MT_DW2_PACK("r0", "r1", "r2", "r3")                \
            MT_DW2_PACK("r4", "r5", "r6", "r7")                \
            "    ldrd r10, r11, [sp, #32]\n"                   \
            "    str r0, [r10]\n"                              \
            "    str r4, [r10, r11]\n"                         \
            "    add r10, r10, r11, lsl #1\n"                  \
            "    str r10, [sp, #32]\n"                         \
            "    ldr r12, [sp, #40]\n"                         \
            "    subs r12, r12, #1\n"                          \
            "    str r12, [sp, #40]\n"                         \
            "    bne 1b\n"                                     \
            "    add sp, sp, #140\n"                           \
            "    pop {r4-r11, pc}\n"                           \
            "    .size " NAME ", .-" NAME "\n")
MT_DW2_FUNC("mt_depthwise_s8_dsp_pairs3", MT_DW2_ROW3(0) MT_DW2_ROW3(1) MT_DW2_ROW3(2));
MT_DW2_FUNC("mt_depthwise_s8_dsp_pairs5", MT_DW2_ROW5(0) MT_DW2_ROW5(1) MT_DW2_ROW5(2)
            MT_DW2_ROW5(3) MT_DW2_ROW5(4));
MT_DW2_FUNC("mt_depthwise_s8_dsp_pairs7", MT_DW2_ROW7(0) MT_DW2_ROW7(1) MT_DW2_ROW7(2)
            MT_DW2_ROW7(3) MT_DW2_ROW7(4) MT_DW2_ROW7(5) MT_DW2_ROW7(6));
MT_DW2_FUNC("mt_depthwise_s8_dsp_pairs3s2", MT_DW2S_ROW3(0) MT_DW2S_ROW3(1) MT_DW2S_ROW3(2));
MT_DW2_FUNC("mt_depthwise_s8_dsp_pairs5s2", MT_DW2S_ROW5(0) MT_DW2S_ROW5(1) MT_DW2S_ROW5(2)
            MT_DW2S_ROW5(3) MT_DW2S_ROW5(4));
MT_DW2_FUNC("mt_depthwise_s8_dsp_pairs7s2", MT_DW2S_ROW7(0) MT_DW2S_ROW7(1) MT_DW2S_ROW7(2)
            MT_DW2S_ROW7(3) MT_DW2S_ROW7(4) MT_DW2S_ROW7(5) MT_DW2S_ROW7(6));

/* One output row, 4 full channels, every channel fast, KxK (K = 3, 5 or 7) window: all in
 * assembly per pixel. tab holds the K ring rows (word offsets), wb the group block's weights. */
static inline void out_row_asm(const mt_conv_params_t *p, const uint32_t *ring,
                               const uint32_t *tab, const uint32_t *wb, int8_t *o, int32_t k) {
    int32_t step = p->stride_w * 8, c_n = p->in_c, ox = 0, ky;
    uintptr_t off = (uintptr_t)ring;
    if (p->stride_w <= 2 && p->out_w >= 4) { /* shorter rows: the job costs more */
        mt_dw_pair_job_t job;
        for (ky = 0; ky < k; ky++) job.rows[ky] = ring + tab[ky];
        job.wk = wb;
        job.o = o;
        job.o_step = c_n;
        job.n_pairs = p->out_w / 2;
        memcpy(job.head, wb - MT_DW_BLK_HEAD, sizeof job.head);
        if (p->stride_w == 1) {
            if (k == 3) {
                mt_depthwise_s8_dsp_pairs3(&job);
            } else if (k == 5) {
                mt_depthwise_s8_dsp_pairs5(&job);
            } else {
                mt_depthwise_s8_dsp_pairs7(&job);
            }
        } else {
            if (k == 3) {
                mt_depthwise_s8_dsp_pairs3s2(&job);
            } else if (k == 5) {
                mt_depthwise_s8_dsp_pairs5s2(&job);
            } else {
                mt_depthwise_s8_dsp_pairs7s2(&job);
            }
        }
        ox = job.n_pairs * 2;
        off += (uintptr_t)(ox * step);
        o += ox * c_n;
    }
    for (; ox < p->out_w; ox++, off += step, o += c_n) {
        uint32_t a0, a1, a2, a3, xe, xo, we, wo, t;
        const uint32_t *r;
        if (k == 3) {
            __asm__(MT_DW_BIAS MT_DW_ROW3(0) MT_DW_ROW3(1) MT_DW_ROW3(2) MT_DW_OUT MT_DW_OPS);
        } else if (k == 5) {
            __asm__(MT_DW_BIAS MT_DW_ROW5(0) MT_DW_ROW5(1) MT_DW_ROW5(2) MT_DW_ROW5(3)
                    MT_DW_ROW5(4) MT_DW_OUT MT_DW_OPS);
        } else {
            __asm__(MT_DW_BIAS MT_DW_ROW7(0) MT_DW_ROW7(1) MT_DW_ROW7(2) MT_DW_ROW7(3)
                    MT_DW_ROW7(4) MT_DW_ROW7(5) MT_DW_ROW7(6) MT_DW_OUT MT_DW_OPS);
        }
        (void)a1;
        (void)a2;
        (void)a3;
        (void)r;
        memcpy(o, &a0, 4);
    }
}
#endif

/* Requantizes and stores one channel group's four accumulators (o[0 .. n_lanes)): the
 * 5-instruction form and one packed clamp when fast4 (all four lanes present, every channel
 * on the fast requantization), mt_dsp_rq lane by lane otherwise. lo4/hi4: act_min/act_max
 * replicated in every byte. */
static inline void store_group(int32_t a0, int32_t a1, int32_t a2, int32_t a3, int fast4,
                               const mt_dsp_rq_t *q, int32_t out_zp, uint32_t lo4, uint32_t hi4,
                               int32_t n_lanes, int8_t *o) {
    if (fast4) {
        a0 = mt_dsp_rq_fast(a0, q[0].mult, q[0].k_lo, q[0].k_hi, q[0].rsh);
        a1 = mt_dsp_rq_fast(a1, q[1].mult, q[1].k_lo, q[1].k_hi, q[1].rsh);
        a2 = mt_dsp_rq_fast(a2, q[2].mult, q[2].k_lo, q[2].k_hi, q[2].rsh);
        a3 = mt_dsp_rq_fast(a3, q[3].mult, q[3].k_lo, q[3].k_hi, q[3].rsh);
        mt_dsp_store2(a0, a1, lo4, hi4, o);
        mt_dsp_store2(a2, a3, lo4, hi4, o + 2);
    } else {
        int32_t a[4], k, lo = mt_b(lo4, 0), hi = mt_b(hi4, 0);
        a[0] = a0;
        a[1] = a1;
        a[2] = a2;
        a[3] = a3;
        for (k = 0; k < n_lanes; k++) o[k] = mt_dsp_clamp(mt_dsp_rq(a[k], &q[k], out_zp), lo, hi);
    }
}

/* One output row of one channel group, any window, any channel count and requantization:
 * the same arithmetic in C. KH, KW are constants at the 3x3 and 5x5 call sites. */
static inline void out_row_c(const mt_conv_params_t *p, const uint32_t *ring,
                             const uint32_t *tab,
                             const uint32_t *blk, const mt_dsp_rq_t *q, int32_t n_lanes,
                             int fast, int8_t *o, int32_t kh, int32_t kw) {
    const uint32_t *wb = blk + MT_DW_BLK_HEAD;
    int32_t step = p->stride_w * 2, c_n = p->in_c, ox, ky, kx, off = 0;
    for (ox = 0; ox < p->out_w; ox++, off += step, o += c_n) {
        int32_t a0 = (int32_t)blk[2], a1 = (int32_t)blk[3], a2 = (int32_t)blk[4],
                a3 = (int32_t)blk[5];
        const uint32_t *wk = wb;
        for (ky = 0; ky < kh; ky++, wk += 2 * kw) {
            const uint32_t *r = ring + tab[ky] + off;
            for (kx = 0; kx < kw; kx++) {
                uint32_t xe = r[2 * kx], xo = r[2 * kx + 1];
                uint32_t we = wk[2 * kx], wo = wk[2 * kx + 1];
                a0 = mt_smlabb(xe, we, a0);
                a2 = mt_smlatt(xe, we, a2);
                a1 = mt_smlabb(xo, wo, a1);
                a3 = mt_smlatt(xo, wo, a3);
            }
        }
        store_group(a0, a1, a2, a3, fast && n_lanes == 4, q, p->out_zp, blk[0], blk[1], n_lanes, o);
    }
}

#if MT_DSP_ASM
/* n >= 1 taps of one window row, 4 channels, c_n bytes apart in both the input (x) and the
 * weights (wk): per tap LDR, LDR, 2 SXTAB16 (x - in_zp), 2 SXTB16, 4 SMLAxy; two taps a pass. */
#define MT_DWD_TAP(OFF)                                        \
    "ldr %[x], [%[xp]" OFF "]\n\t"                              \
    "ldr %[w], [%[wp]" OFF "]\n\t"                              \
    "sxtab16 %[t], %[zz], %[x]\n\t"                            \
    "sxtab16 %[x], %[zz], %[x], ror #8\n\t"                    \
    "sxtb16 %[u], %[w]\n\t"                                    \
    "sxtb16 %[w], %[w], ror #8\n\t"                            \
    "smlabb %[a0], %[t], %[u], %[a0]\n\t"                      \
    "smlatt %[a2], %[t], %[u], %[a2]\n\t"                      \
    "smlabb %[a1], %[x], %[w], %[a1]\n\t"                      \
    "smlatt %[a3], %[x], %[w], %[a3]\n\t"
#define MT_DWD_ROW(A0, A1, A2, A3, XP, WP, N, CN, ZZ)                                          \
    do {                                                                                       \
        uint32_t x_, w_, t_, u_;                                                               \
        __asm__("lsrs %[n], %[n], #1\n\t"                                                      \
                "bcc 2f\n\t" MT_DWD_TAP("") "add %[xp], %[xp], %[cn]\n\t"                      \
                "add %[wp], %[wp], %[cn]\n\t"                                                  \
                "2:\n\t"                                                                       \
                "cmp %[n], #0\n\t"                                                             \
                "beq 3f\n\t"                                                                   \
                "1:\n\t" MT_DWD_TAP("") MT_DWD_TAP(", %[cn]")                                   \
                "add %[xp], %[xp], %[cn], lsl #1\n\t"                                          \
                "add %[wp], %[wp], %[cn], lsl #1\n\t"                                          \
                "subs %[n], %[n], #1\n\t"                                                      \
                "bne 1b\n\t"                                                                   \
                "3:"                                                                           \
                : [a0] "+r"(A0), [a1] "+r"(A1), [a2] "+r"(A2), [a3] "+r"(A3), [xp] "+r"(XP),   \
                  [wp] "+r"(WP), [n] "+r"(N), [x] "=&r"(x_), [w] "=&r"(w_), [t] "=&r"(t_),     \
                  [u] "=&r"(u_)                                                                \
                : [cn] "r"(CN), [zz] "r"(ZZ)                                                   \
                : "cc", "memory");                                                             \
    } while (0)
/* A whole window row of 5 or 7 taps (the interior pixels of 5x5 and 7x7 layers) in straight
 * code: the loop test and the odd-tap branch of MT_DWD_ROW cost ~4 cycles per tap pair. */
#define MT_DWD_PAIR MT_DWD_TAP("") MT_DWD_TAP(", %[cn]")                                        \
    "add %[xp], %[xp], %[cn], lsl #1\n\t"                                                      \
    "add %[wp], %[wp], %[cn], lsl #1\n\t"
#define MT_DWD_ROWK(A0, A1, A2, A3, XP, WP, CN, ZZ, BODY)                                       \
    do {                                                                                       \
        uint32_t x_, w_, t_, u_;                                                               \
        __asm__(BODY                                                                           \
                : [a0] "+r"(A0), [a1] "+r"(A1), [a2] "+r"(A2), [a3] "+r"(A3), [xp] "+r"(XP),   \
                  [wp] "+r"(WP), [x] "=&r"(x_), [w] "=&r"(w_), [t] "=&r"(t_), [u] "=&r"(u_)    \
                : [cn] "r"(CN), [zz] "r"(ZZ)                                                   \
                : "memory");                                                                   \
    } while (0)
#endif

/* Rows [oy_begin, oy_end) straight from the int8 input, no scratch: per channel group and
 * output pixel only the window taps inside the input (the others hold in_zp in the reference
 * and contribute 0), each an LDR of 4 input and 4 weight bytes, SXTAB16/SXTB16 and
 * SMLABB/SMLATT. */
static void direct_rows(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                        const int32_t *bias, mt_requant_t rq, int8_t *out, int32_t oy_begin,
                        int32_t oy_end) {
    int32_t c_n = p->in_c, c0, oy, ox, k;
    int32_t x_row = (int32_t)p->in_w * c_n, w_row = (int32_t)p->kw * c_n;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    uint32_t lo4 = mt_dup4(p->act_min), hi4 = mt_dup4(p->act_max);
    for (c0 = 0; c0 < c_n; c0 += 4) {
        int32_t n_lanes = c_n - c0 < 4 ? c_n - c0 : 4, b[4];
        mt_dsp_rq_t q[4];
        mt_requant_t rq_g;
        int fast;
        rq_g.mult = rq.mult + c0;
        rq_g.shift = rq.shift + c0;
        fast = mt_dsp_rq_prepare(q, rq_g, n_lanes, p->out_zp) && n_lanes == 4;
        for (k = 0; k < 4; k++) b[k] = k < n_lanes ? bias[c0 + k] : 0;
        for (oy = oy_begin; oy < oy_end; oy++) {
            int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky_lo = iy0 < 0 ? -iy0 : 0;
            int32_t ky_hi = p->in_h - iy0 < p->kh ? p->in_h - iy0 : p->kh;
            int8_t *o = out + oy * p->out_w * c_n + c0;
            for (ox = 0; ox < p->out_w; ox++, o += c_n) {
                int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t kx_lo = ix0 < 0 ? -ix0 : 0;
                int32_t kx_hi = p->in_w - ix0 < p->kw ? p->in_w - ix0 : p->kw;
                int32_t a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], ky, kx;
                if (ky_lo < ky_hi && kx_lo < kx_hi) {
                    const int8_t *xr = in + ((iy0 + ky_lo) * p->in_w + ix0 + kx_lo) * c_n + c0;
                    const int8_t *wr = w + (ky_lo * p->kw + kx_lo) * c_n + c0;
                    int32_t nk = kx_hi - kx_lo;
                    for (ky = ky_lo; ky < ky_hi; ky++, xr += x_row, wr += w_row) {
                        const int8_t *x = xr, *wk = wr;
#if MT_DSP_ASM
                        if (n_lanes == 4) {
                            int32_t n_taps = nk;
                            if (nk == 7) {
                                MT_DWD_ROWK(a0, a1, a2, a3, x, wk, c_n, zz,
                                            MT_DWD_PAIR MT_DWD_PAIR MT_DWD_PAIR MT_DWD_TAP(""));
                            } else if (nk == 5) {
                                MT_DWD_ROWK(a0, a1, a2, a3, x, wk, c_n, zz,
                                            MT_DWD_PAIR MT_DWD_PAIR MT_DWD_TAP(""));
                            } else {
                                MT_DWD_ROW(a0, a1, a2, a3, x, wk, n_taps, c_n, zz);
                            }
                            continue;
                        }
#endif
                        for (kx = 0; kx < nk; kx++, x += c_n, wk += c_n) {
                            uint32_t xv = n_lanes == 4 ? mt_ld4(x) : ld_group(x, n_lanes, p->in_zp);
                            uint32_t wv = n_lanes == 4 ? mt_ld4(wk) : ld_group(wk, n_lanes, 0);
                            uint32_t xe = mt_sxtab16(zz, xv), xo = mt_sxtab16_odd(zz, xv);
                            uint32_t we = mt_sxtb16(wv), wo = mt_sxtb16_odd(wv);
                            a0 = mt_smlabb(xe, we, a0);
                            a2 = mt_smlatt(xe, we, a2);
                            a1 = mt_smlabb(xo, wo, a1);
                            a3 = mt_smlatt(xo, wo, a3);
                        }
                    }
                }
                store_group(a0, a1, a2, a3, fast, q, p->out_zp, lo4, hi4, n_lanes, o);
            }
        }
    }
}

/* Rows [oy_begin, oy_end) by the ring, working memory at scratch (ring_bytes, word aligned).
 * Loop order: channel group, output row (widen the input rows it newly needs into the ring),
 * output pixel, window. */
static void ring_rows(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                      const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch,
                      int32_t oy_begin, int32_t oy_end) {
    int32_t c_n = p->in_c, kh = p->kh, taps = (int32_t)p->kh * p->kw, c0, oy, t;
    int32_t wp2 = row_pixels(p) * 2;
    uint32_t *blk = (uint32_t *)scratch, *wb = blk + MT_DW_BLK_HEAD, *ring = wb + 2 * taps;
    uint32_t *tab = ring + kh * wp2;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    int k3 = p->kh == 3 && p->kw == 3, k5 = p->kh == 5 && p->kw == 5;
    blk[0] = mt_dup4(p->act_min);
    blk[1] = mt_dup4(p->act_max);
    for (c0 = 0; c0 < c_n; c0 += 4) {
        int32_t n_lanes = c_n - c0 < 4 ? c_n - c0 : 4, k;
        int32_t built = oy_begin * p->stride_h - p->pad_top - 1;
        mt_dsp_rq_t *q = (mt_dsp_rq_t *)(void *)(blk + 6);
        mt_requant_t rq_g;
        int fast;
        for (t = 0; t < taps; t++) {
            uint32_t v = ld_group(w + t * c_n + c0, n_lanes, 0);
            wb[2 * t] = mt_sxtb16(v);
            wb[2 * t + 1] = mt_sxtb16_odd(v);
        }
        for (k = 0; k < 4; k++) blk[2 + k] = (uint32_t)(k < n_lanes ? bias[c0 + k] : 0);
        rq_g.mult = rq.mult + c0;
        rq_g.shift = rq.shift + c0;
        fast = mt_dsp_rq_prepare(q, rq_g, n_lanes, p->out_zp);
        for (oy = oy_begin; oy < oy_end; oy++) {
            int8_t *o = out + (int32_t)oy * p->out_w * c_n + c0;
            int32_t iy0 = oy * p->stride_h - p->pad_top, ky;
            for (ky = 0; ky < kh; ky++) {
                int32_t iy = iy0 + ky;
                int32_t slot = ((iy + p->pad_top) % kh) * wp2;
                if (iy > built) {
                    build_row(p, in, c0, n_lanes, iy, zz, ring + slot);
                    built = iy;
                }
                tab[ky] = (uint32_t)slot;
            }
#if MT_DSP_ASM
            if (fast && n_lanes == 4 && (k3 || k5 || (kh == 7 && p->kw == 7))) {
                /* constant k: each call inlines one window */
                if (k3) {
                    out_row_asm(p, ring, tab, wb, o, 3);
                } else if (k5) {
                    out_row_asm(p, ring, tab, wb, o, 5);
                } else {
                    out_row_asm(p, ring, tab, wb, o, 7);
                }
                continue;
            }
#endif
            if (k3) {
                out_row_c(p, ring, tab, blk, q, n_lanes, fast, o, 3, 3);
            } else if (k5) {
                out_row_c(p, ring, tab, blk, q, n_lanes, fast, o, 5, 5);
            } else {
                out_row_c(p, ring, tab, blk, q, n_lanes, fast, o, kh, p->kw);
            }
        }
    }
}

/* ---- DW_PLANE: 3x3 and 5x5 stride 1 on maps up to 16 x 16 (5x5: 12 columns), channel-major
 * with SMLAD along the taps.
 * Per group of 4 channels the input is widened (int16, in_zp subtracted, zero padding) into
 * 4 channel planes of out_h + kh - 1 rows, then each channel runs alone. Two adjacent taps of one
 * channel are one word of its plane, so with P = [w0 w1] and S = [w1 w2] per window row,
 * outputs A (column ox, even) and B (ox + 1) take
 *   A += SMLAD(X01, P) + SMLABT(X23, S),   B += SMLATB(X01, P) + SMLAD(X23, S)
 * (X01 = [x0 x1], X23 = [x2 x3] at columns ox..ox+3): 4 multiply instructions and 2 word
 * loads for 6 MACs, against 1 MAC per SMLABB in the 4-lane ring. 5x5 alike with
 * W01 = [w0 w1], W23, W12, W34 per window row (X45 = [x4 x5]):
 *   A += SMLAD(X01, W01) + SMLAD(X23, W23) + SMLABT(X45, W34),
 *   B += SMLATB(X01, W01) + SMLAD(X23, W12) + SMLAD(X45, W34): 6 multiplies for 10 MACs.
 * Layout: plane row r of channel k at r * MT_DW_ROW4 + k * MT_DW_PITCH bytes, so that the
 * assembly reaches the window rows and the widening the 4 channels by immediate offsets. */
#define MT_DW_PITCH 40 /* one channel's plane row: 20 int16 (row_pixels <= 20) */
#define MT_DW_ROW4 (4 * MT_DW_PITCH)
#define MT_DW_WLANE 28 /* weight words per lane (plane_weights) */
#define MT_DW_STR_(X) #X
#define MT_DW_STR(X) MT_DW_STR_(X)
#define MT_DW_PLANE_ROWS 20 /* plane rows at most: 12.5 KB of planes */

/* Plane rows: the input rows the output touches, padding included. */
static int32_t plane_rows(const mt_conv_params_t *p) {
    return ((int32_t)p->out_h - 1) * p->stride_h + p->kh;
}

static int plane_applies(const mt_conv_params_t *p) {
    int s1 = p->stride_h == 1 && p->stride_w == 1 && (p->kh == 3 || p->kh == 5);
    int s2 = p->stride_h == 2 && p->stride_w == 2 && (p->kh == 5 || p->kh == 7);
    return (s1 || s2) && p->kw == p->kh && p->out_w % 4 == 0 &&
           row_pixels(p) <= MT_DW_PITCH / 2 && plane_rows(p) <= MT_DW_PLANE_ROWS;
}

/* The 4 lanes' weight words (plane_weights, 448 bytes), then all 4 planes. */
static size_t plane_bytes(const mt_conv_params_t *p) {
    return 4u * 4u * MT_DW_WLANE + (size_t)plane_rows(p) * MT_DW_ROW4;
}

/* Plane columns j, j + 1 of the 4 channels from the input words a, b. */
static inline void widen_pair_cols(uint32_t a, uint32_t b, uint32_t zz, uint32_t *d) {
    uint32_t ae = mt_sxtab16(zz, a), ao = mt_sxtab16_odd(zz, a);
    uint32_t be = mt_sxtab16(zz, b), bo = mt_sxtab16_odd(zz, b);
    d[0] = mt_pack_lo(ae, be);
    d[MT_DW_PITCH / 4] = mt_pack_lo(ao, bo);
    d[2 * MT_DW_PITCH / 4] = mt_pack_hi(ae, be);
    d[3 * MT_DW_PITCH / 4] = mt_pack_hi(ao, bo);
}

/* n >= 1 column pairs from x (4 channels, c_n bytes per pixel) into d. */
static void widen_run(const int8_t *x, int32_t c_n, uint32_t zz, uint32_t *d, int32_t n) {
#if MT_DSP_ASM
    /* per pair 2 LDR, 4 SXTAB16, 4 PKH, 4 STR: ~20 cycles for 8 values */
    uint32_t a, b, e, o, t;
    __asm__ volatile("1:\n\t"
                     "ldr %[a], [%[x]]\n\t"
                     "ldr %[b], [%[x], %[cn]]\n\t"
                     "add %[x], %[x], %[cn], lsl #1\n\t"
                     "sxtab16 %[e], %[zz], %[a]\n\t"
                     "sxtab16 %[o], %[zz], %[a], ror #8\n\t"
                     "sxtab16 %[a], %[zz], %[b]\n\t"
                     "sxtab16 %[b], %[zz], %[b], ror #8\n\t"
                     "pkhtb %[t], %[a], %[e], asr #16\n\t"
                     "str %[t], [%[d], #80]\n\t"
                     "pkhtb %[t], %[b], %[o], asr #16\n\t"
                     "str %[t], [%[d], #120]\n\t"
                     "pkhbt %[t], %[o], %[b], lsl #16\n\t"
                     "str %[t], [%[d], #40]\n\t"
                     "pkhbt %[t], %[e], %[a], lsl #16\n\t"
                     "str %[t], [%[d]], #4\n\t"
                     "subs %[n], %[n], #1\n\t"
                     "bne 1b"
                     : [x] "+r"(x), [d] "+r"(d), [n] "+r"(n), [a] "=&r"(a), [b] "=&r"(b),
                       [e] "=&r"(e), [o] "=&r"(o), [t] "=&r"(t)
                     : [cn] "r"(c_n), [zz] "r"(zz)
                     : "cc", "memory");
#else
    for (; n > 0; n--, x += 2 * c_n, d++) widen_pair_cols(mt_ld4(x), mt_ld4(x + c_n), zz, d);
#endif
}

#if MT_DSP_ASM
/* n >= 1 input pixels from x (4 channels, c_n bytes apart) into plane columns d.. of the 4
 * lanes (MT_DW_PITCH bytes apart): per pixel LDR, 2 SXTAB16, 2 LSR, 4 STRH, at any column
 * parity, so a row's edge pixels need no checked pair step. */
static void widen_px(const int8_t *x, int32_t c_n, uint32_t zz, uint16_t *d, int32_t n) {
    uint32_t a, e, t;
    __asm__ volatile("1:\n\t"
                     "ldr %[a], [%[x]]\n\t"
                     "add %[x], %[x], %[cn]\n\t"
                     "sxtab16 %[e], %[zz], %[a]\n\t"
                     "sxtab16 %[a], %[zz], %[a], ror #8\n\t"
                     "strh %[a], [%[d], #" MT_DW_STR(MT_DW_PITCH) "]\n\t"
                     "lsr %[t], %[a], #16\n\t"
                     "strh %[t], [%[d], #3 * " MT_DW_STR(MT_DW_PITCH) "]\n\t"
                     "lsr %[t], %[e], #16\n\t"
                     "strh %[t], [%[d], #2 * " MT_DW_STR(MT_DW_PITCH) "]\n\t"
                     "strh %[e], [%[d]], #2\n\t"
                     "subs %[n], %[n], #1\n\t"
                     "bne 1b"
                     : [x] "+r"(x), [d] "+r"(d), [n] "+r"(n), [a] "=&r"(a), [e] "=&r"(e),
                       [t] "=&r"(t)
                     : [cn] "r"(c_n), [zz] "r"(zz)
                     : "cc", "memory");
}
#endif

/* Widens channels c0.. (n_lanes) into the planes: plane row r is input row r - pad_top,
 * column j input column j - pad_left. Only the column pairs holding input are written: the
 * padding around them is 0 from plane_layer's one memset per layer. The column pairs with both columns
 * inside the input and 4 channels take widen_run, the others a checked step. */
static void widen_planes(const mt_conv_params_t *p, const int8_t *in, int32_t c0,
                         int32_t n_lanes, uint32_t zz, uint32_t *pl) {
    int32_t rows = plane_rows(p), cols = (row_pixels(p) + 1) & ~1, c_n = p->in_c, r, j;
    int32_t in_zp = -mt_lo16(zz), pl_ = p->pad_left;
    int32_t j_lo = pl_ + (pl_ & 1), j_hi = j_lo; /* [j_lo, j_hi): even j, both columns inside */
    uint32_t pad = mt_dup4(in_zp); /* widens to 0 */
    if (n_lanes == 4) {
        while (j_hi + 2 <= cols && j_hi + 1 - pl_ < p->in_w) j_hi += 2;
    }
    /* the pairs holding an input column: [j_first, j_end); the others stay 0 */
    int32_t j_first = pl_ & ~1, j_end = (pl_ + p->in_w + 1) & ~1;
    int32_t r_first = p->pad_top, r_end = p->pad_top + p->in_h;
    if (j_end > cols) j_end = cols;
    if (r_end > rows) r_end = rows;
#if MT_DSP_ASM
    /* per pixel (no checked pair steps, no call per run) on odd edges (MCUNet's 3x3 pad 1)
     * and short rows; long rows with even edges: pair runs (~10 % fewer cycles a pixel) */
    if (n_lanes == 4 && (((pl_ | p->in_w) & 1) || p->in_w <= 8) && pl_ + p->in_w <= cols) {
        for (r = r_first; r < r_end; r++) {
            widen_px(in + (r - p->pad_top) * p->in_w * c_n + c0, c_n, zz,
                     (uint16_t *)(pl + r * (MT_DW_ROW4 / 4)) + pl_, p->in_w);
        }
        return;
    }
#endif
    for (r = r_first; r < r_end; r++) {
        int32_t iy = r - p->pad_top;
        uint32_t *d = pl + r * (MT_DW_ROW4 / 4);
        const int8_t *x = in + iy * p->in_w * c_n + c0; /* input column 0 of row iy */
        for (j = j_first; j < j_end; j += 2) {
            int32_t ix = j - pl_;
            uint32_t a, b;
            if (j == j_lo && j_lo < j_hi) { /* the interior */
                widen_run(x + ix * c_n, c_n, zz, d + j / 2, (j_hi - j_lo) / 2);
                j = j_hi;
                if (j >= j_end) break;
                ix = j - pl_;
            }
            a = ix >= 0 && ix < p->in_w ? ld_group(x + ix * c_n, n_lanes, in_zp) : pad;
            b = ix + 1 >= 0 && ix + 1 < p->in_w ? ld_group(x + (ix + 1) * c_n, n_lanes, in_zp) : pad;
            widen_pair_cols(a, b, zz, d + j / 2);
        }
    }
}

/* One channel of the plane path, then the lanes after it; also the assembly's job, copied into
 * its stack frame (field order = the offsets in the assembly). */
typedef struct {
    int32_t rsh, mult;   /*  0, 4 fast requantization (dsp_util.h) */
    uint32_t k_lo;       /*  8 */
    int32_t k_hi;        /* 12 */
    uint32_t lo4, hi4;   /* 16, 20 act_min, act_max in every byte */
    int8_t *o;           /* 24 output (0, 0) of this channel (advances) */
    int32_t c_step;      /* 28 bytes between output pixels (in_c) */
    const uint32_t *x;   /* 32 the plane (advances 4 columns a pass) */
    int32_t quads_left;  /* 36 */
    int32_t quads;       /* 40 out_w / 4 */
    int32_t rows;        /* 44 out_h */
    int32_t row_skip;    /* 48 plane bytes from the end of one output row to the next */
    int32_t bias;        /* 52 */
    const uint32_t *w;   /* 56 weight words (plane_weights) */
    int32_t rows0;       /* 60 out_h (rows of a lane) */
    int8_t *o0;          /* 64 the lane's output (0, 0) */
    const uint32_t *x0;  /* 68 the lane's plane */
    int32_t lanes_left;  /* 72 lanes of this call, this one included */
    const int32_t *lq;   /* 76 the next lane's rsh, mult, k_lo, k_hi, bias (advances) */
    int32_t x_step;      /* 80 plane bytes from lane to lane */
} mt_dw_plane_job_t;

/* The same channel in C, any requantization: each output from the plane (int16) and the
 * channel's int8 weights wc (c_n bytes apart), the taps in order. */
static void plane_channel_c(const mt_conv_params_t *p, const mt_dw_plane_job_t *j,
                            const mt_dsp_rq_t *q, const int8_t *wc) {
    int32_t oy, ox, ky, kx, c_n = p->in_c, lo = mt_b(j->lo4, 0), hi = mt_b(j->hi4, 0);
    for (oy = 0; oy < p->out_h; oy++) {
        int8_t *o = j->o + oy * p->out_w * c_n;
        for (ox = 0; ox < p->out_w; ox++) {
            int32_t a = j->bias;
            for (ky = 0; ky < p->kh; ky++) {
                const uint32_t *xr = j->x + (oy * p->stride_h + ky) * (MT_DW_ROW4 / 4);
                for (kx = 0; kx < p->kw; kx++) {
                    int32_t col = ox * p->stride_w + kx;
                    int32_t x = (col & 1) ? mt_hi16(xr[col / 2]) : mt_lo16(xr[col / 2]);
                    a += x * wc[(ky * p->kw + kx) * c_n];
                }
            }
            o[ox * c_n] = mt_dsp_clamp(mt_dsp_rq(a, q, p->out_zp), lo, hi);
        }
    }
}

#if MT_DSP_ASM
/* Four outputs (columns ox..ox+3, ox % 4 == 0) per pass, out_w % 4 == 0, fast channel. Per
 * window row 3 plane words X01 X23 X45 and 8 SMLAD/SMLABT/SMLATB for 12 MACs. Registers in
 * the window: r0..r3 outputs, r4..r9 the weights, r10..r12 plane words, lr the plane. After
 * it r4, r5 and lr hold the requantization and are reloaded. */
#define MT_DWP_ROW(OFF, P, S)                                  \
    "    ldrd r10, r11, [lr, #" #OFF "]\n"                     \
    "    ldr r12, [lr, #" #OFF " + 8]\n"                       \
    "    smlad r0, r10, " P ", r0\n"                           \
    "    smlatb r1, r10, " P ", r1\n"                          \
    "    smlabt r0, r11, " S ", r0\n"                          \
    "    smlad r1, r11, " S ", r1\n"                           \
    "    smlad r2, r11, " P ", r2\n"                           \
    "    smlatb r3, r11, " P ", r3\n"                          \
    "    smlabt r2, r12, " S ", r2\n"                          \
    "    smlad r3, r12, " S ", r3\n"
/* The first window row of the 3x3 with r0 = the bias: it seeds r1..r3 (no MOVs; the 5x5
 * and 7x7 windows alike by their ..._ROW0). */
#define MT_DWP_ROW0(OFF, P, S)                                 \
    "    ldrd r10, r11, [lr, #" #OFF "]\n"                     \
    "    ldr r12, [lr, #" #OFF " + 8]\n"                       \
    "    smlatb r1, r10, " P ", r0\n"                          \
    "    smlad r2, r11, " P ", r0\n"                           \
    "    smlatb r3, r11, " P ", r0\n"                          \
    "    smlad r0, r10, " P ", r0\n"                           \
    "    smlabt r0, r11, " S ", r0\n"                          \
    "    smlad r1, r11, " S ", r1\n"                           \
    "    smlabt r2, r12, " S ", r2\n"                          \
    "    smlad r3, r12, " S ", r3\n"
/* acc -> fast requantization with r4 = rsh, r10 = mult, r11 = k_lo, r12 = k_hi. */
#define MT_DWP_RQ(ACC)                                         \
    "    asr lr, " ACC ", #31\n"                               \
    "    adds r5, r11, lr, lsl #31\n"                          \
    "    adc lr, r12, lr\n"                                    \
    "    smlal r5, lr, " ACC ", r10\n"                         \
    "    asr " ACC ", lr, r4\n"
/* The 4 accumulators r0-r3 of a pass: requantized with the lane's constants ({rsh, mult, k_lo,
 * k_hi} at sp), saturated, packed, clamped to act_min/act_max (replicated bytes at sp + 16/20)
 * and stored at the output pointer (sp + 24) with the pixel stride (sp + 28), which advances. */
#define MT_DWP_STORE4                                          \
    "    ldm sp, {r4, r10, r11, r12}\n"                        \
    MT_DWP_RQ("r0") MT_DWP_RQ("r1") MT_DWP_RQ("r2") MT_DWP_RQ("r3") \
    "    ssat r0, #8, r0\n"                                    \
    "    ssat r1, #8, r1\n"                                    \
    "    ssat r2, #8, r2\n"                                    \
    "    ssat r3, #8, r3\n"                                    \
    "    bfi r0, r1, #8, #8\n"                                 \
    "    bfi r0, r2, #16, #8\n"                                \
    "    bfi r0, r3, #24, #8\n"                                \
    "    ldrd r10, r11, [sp, #16]\n"                           \
    "    ssub8 r12, r0, r10\n"                                 \
    "    sel r0, r0, r10\n"                                    \
    "    ssub8 r12, r11, r0\n"                                 \
    "    sel r0, r0, r11\n"                                    \
    "    ldrd r10, r11, [sp, #24]\n"                           \
    "    strb r0, [r10]\n"                                     \
    "    lsr r0, r0, #8\n"                                     \
    "    strb r0, [r10, r11]\n"                                \
    "    add r10, r10, r11, lsl #1\n"                          \
    "    lsr r0, r0, #8\n"                                     \
    "    strb r0, [r10]\n"                                     \
    "    lsr r0, r0, #8\n"                                     \
    "    strb r0, [r10, r11]\n"                                \
    "    add r10, r10, r11, lsl #1\n"                          \
    "    str r10, [sp, #24]\n"
/* After a lane's rows: the next lane of the call (its requantization and bias from lq, output,
 * plane and weights one lane on) from label 2, or out (label 9). */
#define MT_DWP_NEXT                                            \
    "    ldr r12, [sp, #72]\n"                                 \
    "    subs r12, r12, #1\n"                                  \
    "    beq 9f\n"                                             \
    "    str r12, [sp, #72]\n"                                 \
    "    ldr r0, [sp, #76]\n"                                  \
    "    ldm r0!, {r1-r5}\n"                                   \
    "    str r0, [sp, #76]\n"                                  \
    "    stm sp, {r1-r4}\n"                                    \
    "    str r5, [sp, #52]\n"                                  \
    "    ldrd r0, r1, [sp, #60]\n" /* rows0, o0 */             \
    "    adds r1, r1, #1\n"                                    \
    "    str r0, [sp, #44]\n"                                  \
    "    str r1, [sp, #64]\n"                                  \
    "    str r1, [sp, #24]\n"                                  \
    "    ldr r2, [sp, #68]\n"                                  \
    "    ldr r3, [sp, #80]\n"                                  \
    "    add r2, r2, r3\n"                                     \
    "    str r2, [sp, #68]\n"                                  \
    "    str r2, [sp, #32]\n"                                  \
    "    ldr r3, [sp, #56]\n"                                  \
    "    add r3, r3, #4 * " MT_DW_STR(MT_DW_WLANE) "\n"        \
    "    str r3, [sp, #56]\n"                                  \
    "    b 2b\n"                                               \
    "9:\n"
/* 5x5 window row: plane words X01 X23 X45 X67 (r4..r7), weights W01 W23 W12 W34 (r8..r11,
 * from the frame), 12 multiplies for 20 MACs: the loads, the first tap pair (ROW0: r0 = the
 * bias seeding r1..r3, no MOVs), then the rest, which both share. */
#define MT_DWP5_LOAD(OFF, WOFF)                                \
    "    ldrd r4, r5, [lr, #" #OFF "]\n"                       \
    "    ldrd r6, r7, [lr, #" #OFF " + 8]\n"                   \
    "    ldrd r8, r9, [r12, #" #WOFF "]\n"                     \
    "    ldrd r10, r11, [r12, #" #WOFF " + 8]\n"
#define MT_DWP5_TAIL(OFF, WOFF)                                \
    "    smlad r0, r5, r9, r0\n"                               \
    "    smlad r2, r6, r9, r2\n"                               \
    "    smlad r1, r5, r10, r1\n"                              \
    "    smlad r3, r6, r10, r3\n"                              \
    "    smlabt r0, r6, r11, r0\n"                             \
    "    smlad r1, r6, r11, r1\n"                              \
    "    smlabt r2, r7, r11, r2\n"                             \
    "    smlad r3, r7, r11, r3\n"
#define MT_DWP5_ROW(OFF, WOFF)                                 \
    MT_DWP5_LOAD(OFF, WOFF)                                    \
    "    smlad r0, r4, r8, r0\n"                               \
    "    smlatb r1, r4, r8, r1\n"                              \
    "    smlad r2, r5, r8, r2\n"                               \
    "    smlatb r3, r5, r8, r3\n"                              \
    MT_DWP5_TAIL(OFF, WOFF)
#define MT_DWP5_ROW0(OFF, WOFF)                                \
    MT_DWP5_LOAD(OFF, WOFF)                                    \
    "    smlatb r1, r4, r8, r0\n"                              \
    "    smlad r2, r5, r8, r0\n"                               \
    "    smlatb r3, r5, r8, r0\n"                              \
    "    smlad r0, r4, r8, r0\n"                               \
    MT_DWP5_TAIL(OFF, WOFF)
/* The plane function: copy the job (COPY, FRAME bytes) into the frame, then per 4 outputs
 * bias, WINDOW, requantization, clamp, 4 STRB; RELOAD restores what the window keeps in
 * registers. */
#define MT_DWP_FUNC(NAME, FRAME, COPY, PRE, WINDOW, RELOAD, ADV) \
    __asm__("    .text\n"                                      \
            "    .syntax unified\n"                            \
            "    .thumb\n"                                     \
            "    .align 2\n"                                   \
            "    .global " NAME "\n"                           \
            "    .type " NAME ", %function\n"                  \
            "    .thumb_func\n" NAME ":\n"                     \
            "    push {r4-r11, lr}\n"                          \
            "    sub sp, sp, #" #FRAME "\n"                    \
            "    mov lr, sp\n"                                 \
            COPY "2:\n" PRE                                    \
            "    ldr lr, [sp, #32]\n"                          \
            "1:\n"                                             \
            "    ldr r0, [sp, #52]\n"                          \
            WINDOW                                             \
            "    add lr, lr, #" #ADV "\n"                      \
            "    str lr, [sp, #32]\n"                          \
            MT_DWP_STORE4                                      \
            RELOAD                                             \
            "    ldr lr, [sp, #32]\n"                          \
            "    ldr r12, [sp, #36]\n"                         \
            "    subs r12, r12, #1\n"                          \
            "    str r12, [sp, #36]\n"                         \
            "    bne 1b\n"                                     \
            "    ldrd r11, r12, [sp, #40]\n" /* quads, rows */ \
            "    str r11, [sp, #36]\n"                         \
            "    ldr r11, [sp, #48]\n"                         \
            "    add lr, lr, r11\n"                            \
            "    subs r12, r12, #1\n"                          \
            "    str r12, [sp, #44]\n"                         \
            "    bne 1b\n"                                     \
            MT_DWP_NEXT                                        \
            "    add sp, sp, #" #FRAME "\n"                    \
            "    pop {r4-r11, pc}\n"                           \
            "    .size " NAME ", .-" NAME "\n")
/* The frame is the 21-word job (84 bytes); the 5x5 and 7x7 windows read the weights through
 * r12 (MT_DWP_W), the 3x3 one keeps them in r4..r9 and a copy of r4, r5 (the first row's,
 * which the requantization takes) at 84 (frame 92 bytes). */
#define MT_DWP_COPY                                            \
    "    ldm r0!, {r1-r10}\n    stm lr!, {r1-r10}\n"           \
    "    ldm r0!, {r1-r10}\n    stm lr!, {r1-r10}\n"           \
    "    ldr r1, [r0]\n    str r1, [lr]\n"
#define MT_DWP_W "    ldr r12, [sp, #56]\n"
void mt_depthwise_s8_dsp_plane3(const mt_dw_plane_job_t *job);
void mt_depthwise_s8_dsp_plane5(const mt_dw_plane_job_t *job);
MT_DWP_FUNC("mt_depthwise_s8_dsp_plane3", 92, MT_DWP_COPY,
            "    ldr r0, [sp, #56]\n    ldm r0, {r4-r9}\n    strd r4, r5, [sp, #84]\n",
            MT_DWP_ROW0(0, "r4", "r5") MT_DWP_ROW(160, "r6", "r7") MT_DWP_ROW(320, "r8", "r9"),
            "    ldrd r4, r5, [sp, #84]\n", 8);
MT_DWP_FUNC("mt_depthwise_s8_dsp_plane5", 84, MT_DWP_COPY, "",
            MT_DWP_W MT_DWP5_ROW0(0, 0) MT_DWP5_ROW(160, 16) MT_DWP5_ROW(320, 32)
            MT_DWP5_ROW(480, 48) MT_DWP5_ROW(640, 64),
            "", 8);
/* Stride 2: the 4 outputs are columns 2j, 2j + 2, 2j + 4, 2j + 6, so all four take the same
 * weight word at plane words 0..3 steps apart: per window row 4 SMLAD per weight pair, the
 * plane words loaded once (X01..XCD for 7x7, X01..XAB for 5x5). 7x7: 16 multiplies for 28
 * MACs, 5x5: 12 for 20. */
/* 7x7 s2 window row: the loads, then the first weight pair (accumulating, or seeding r1..r3
 * from the bias in r0 in the first row), then the rest, which both share. */
#define MT_DWP7S2_LOAD(OFF, WOFF)                              \
    "    ldrd r4, r5, [lr, #" #OFF "]\n"                       \
    "    ldrd r6, r7, [lr, #" #OFF " + 8]\n"                   \
    "    ldrd r8, r9, [r12, #" #WOFF "]\n"
#define MT_DWP7S2_TAIL(OFF, WOFF)                              \
    "    ldr r4, [lr, #" #OFF " + 16]\n"                       \
    "    smlad r0, r5, r9, r0\n"                               \
    "    smlad r1, r6, r9, r1\n"                               \
    "    smlad r2, r7, r9, r2\n"                               \
    "    smlad r3, r4, r9, r3\n"                               \
    "    ldrd r10, r11, [lr, #" #OFF " + 20]\n"                \
    "    ldrd r8, r9, [r12, #" #WOFF " + 8]\n"                 \
    "    smlad r0, r6, r8, r0\n"                               \
    "    smlad r1, r7, r8, r1\n"                               \
    "    smlad r2, r4, r8, r2\n"                               \
    "    smlad r3, r10, r8, r3\n"                              \
    "    smlabb r0, r7, r9, r0\n"                              \
    "    smlabb r1, r4, r9, r1\n"                              \
    "    smlabb r2, r10, r9, r2\n"                             \
    "    smlabb r3, r11, r9, r3\n"
#define MT_DWP7S2_ROW(OFF, WOFF)                               \
    MT_DWP7S2_LOAD(OFF, WOFF)                                  \
    "    smlad r0, r4, r8, r0\n"                               \
    "    smlad r1, r5, r8, r1\n"                               \
    "    smlad r2, r6, r8, r2\n"                               \
    "    smlad r3, r7, r8, r3\n"                               \
    MT_DWP7S2_TAIL(OFF, WOFF)
#define MT_DWP7S2_ROW0(OFF, WOFF)                              \
    MT_DWP7S2_LOAD(OFF, WOFF)                                  \
    "    smlad r1, r5, r8, r0\n"                               \
    "    smlad r2, r6, r8, r0\n"                               \
    "    smlad r3, r7, r8, r0\n"                               \
    "    smlad r0, r4, r8, r0\n"                               \
    MT_DWP7S2_TAIL(OFF, WOFF)
#define MT_DWP5S2_LOAD(OFF, WOFF)                              \
    "    ldrd r4, r5, [lr, #" #OFF "]\n"                       \
    "    ldrd r6, r7, [lr, #" #OFF " + 8]\n"                   \
    "    ldrd r8, r9, [r12, #" #WOFF "]\n"
#define MT_DWP5S2_TAIL(OFF, WOFF)                              \
    "    ldrd r10, r11, [lr, #" #OFF " + 16]\n"                \
    "    smlad r0, r5, r9, r0\n"                               \
    "    smlad r1, r6, r9, r1\n"                               \
    "    smlad r2, r7, r9, r2\n"                               \
    "    smlad r3, r10, r9, r3\n"                              \
    "    ldr r8, [r12, #" #WOFF " + 8]\n"                      \
    "    smlabb r0, r6, r8, r0\n"                              \
    "    smlabb r1, r7, r8, r1\n"                              \
    "    smlabb r2, r10, r8, r2\n"                             \
    "    smlabb r3, r11, r8, r3\n"
#define MT_DWP5S2_ROW(OFF, WOFF)                               \
    MT_DWP5S2_LOAD(OFF, WOFF)                                  \
    "    smlad r0, r4, r8, r0\n"                               \
    "    smlad r1, r5, r8, r1\n"                               \
    "    smlad r2, r6, r8, r2\n"                               \
    "    smlad r3, r7, r8, r3\n"                               \
    MT_DWP5S2_TAIL(OFF, WOFF)
#define MT_DWP5S2_ROW0(OFF, WOFF)                              \
    MT_DWP5S2_LOAD(OFF, WOFF)                                  \
    "    smlad r1, r5, r8, r0\n"                               \
    "    smlad r2, r6, r8, r0\n"                               \
    "    smlad r3, r7, r8, r0\n"                               \
    "    smlad r0, r4, r8, r0\n"                               \
    MT_DWP5S2_TAIL(OFF, WOFF)
void mt_depthwise_s8_dsp_plane5s2(const mt_dw_plane_job_t *job);
void mt_depthwise_s8_dsp_plane7s2(const mt_dw_plane_job_t *job);
MT_DWP_FUNC("mt_depthwise_s8_dsp_plane5s2", 84, MT_DWP_COPY, "",
            MT_DWP_W MT_DWP5S2_ROW0(0, 0) MT_DWP5S2_ROW(160, 16) MT_DWP5S2_ROW(320, 32)
            MT_DWP5S2_ROW(480, 48) MT_DWP5S2_ROW(640, 64),
            "", 16);
MT_DWP_FUNC("mt_depthwise_s8_dsp_plane7s2", 84, MT_DWP_COPY, "",
            MT_DWP_W MT_DWP7S2_ROW0(0, 0) MT_DWP7S2_ROW(160, 16) MT_DWP7S2_ROW(320, 32)
            MT_DWP7S2_ROW(480, 48) MT_DWP7S2_ROW(640, 64) MT_DWP7S2_ROW(800, 80)
            MT_DWP7S2_ROW(960, 96),
            "", 16);
#endif

#if MT_DSP_ASM
/* Weight words per lane (MT_DW_WLANE words apart), in the assembly's order: 3x3 P0 S0 P1 S1
 * P2 S2 (P = [w0 w1], S = [w1 w2]); 5x5 stride 1 per row W01 W23 W12 W34; stride 2 per row
 * W01 W23 W45 W6 (5x5: W4, 0). */

/* Word idx of every lane from taps ta, tb of window row wr (tb < 0: 0): the 4 lanes' bytes
 * of a tap are one word, SXTB16 and PKHBT/PKHTB make the 4 pairs. */
static void plane_wpair(const int8_t *wr, int32_t c_n, int32_t n_lanes, int32_t ta, int32_t tb,
                        uint32_t *wg, int32_t idx, int32_t g) {
    uint32_t a = ld_group(wr + ta * c_n, n_lanes, 0), b = tb < 0 ? 0u : ld_group(wr + tb * c_n, n_lanes, 0);
    uint32_t ae = mt_sxtb16(a), ao = mt_sxtb16_odd(a), be = mt_sxtb16(b), bo = mt_sxtb16_odd(b);
    wg[idx] = mt_pack_lo(ae, be);
    if (g < 2) return;
    wg[MT_DW_WLANE + idx] = mt_pack_lo(ao, bo);
    if (g < 4) return;
    wg[2 * MT_DW_WLANE + idx] = mt_pack_hi(ae, be);
    wg[3 * MT_DW_WLANE + idx] = mt_pack_hi(ao, bo);
}

/* Word idx of all 4 lanes from the tap words a, b (4 int8 lanes each): 4 SXTB16, 4 PKH, 4 STR
 * at immediate offsets (plane_wpair's per-pair loads and lane checks cost ~75 cycles). */
static inline void plane_wpair4(uint32_t a, uint32_t b, uint32_t *d) {
    uint32_t ae, ao, be, bo, t;
    __asm__ volatile("sxtb16 %[ae], %[a]\n\t"
                     "sxtb16 %[ao], %[a], ror #8\n\t"
                     "sxtb16 %[be], %[b]\n\t"
                     "sxtb16 %[bo], %[b], ror #8\n\t"
                     "pkhbt %[t], %[ae], %[be], lsl #16\n\t"
                     "str %[t], [%[d]]\n\t"
                     "pkhbt %[t], %[ao], %[bo], lsl #16\n\t"
                     "str %[t], [%[d], #4 * " MT_DW_STR(MT_DW_WLANE) "]\n\t"
                     "pkhtb %[t], %[be], %[ae], asr #16\n\t"
                     "str %[t], [%[d], #8 * " MT_DW_STR(MT_DW_WLANE) "]\n\t"
                     "pkhtb %[t], %[bo], %[ao], asr #16\n\t"
                     "str %[t], [%[d], #12 * " MT_DW_STR(MT_DW_WLANE) "]"
                     : [ae] "=&r"(ae), [ao] "=&r"(ao), [be] "=&r"(be), [bo] "=&r"(bo), [t] "=&r"(t)
                     : [a] "r"(a), [b] "r"(b), [d] "r"(d)
                     : "memory");
}

/* The weight words of channels c0.. (n_lanes) into wg [g][MT_DW_WLANE] (g = 1, 2 or 4 lanes
 * written). Per window row, pair i takes taps ta[i], tb[i] (-1: 0) into word step * ky + i. */
static void plane_weights(const mt_conv_params_t *p, const int8_t *w, int32_t c0, int32_t n_lanes,
                          uint32_t *wg, int32_t g) {
    static const int8_t s2[4][2] = {{0, 1}, {2, 3}, {4, 5}, {6, -1}};
    static const int8_t k3[2][2] = {{0, 1}, {1, 2}};
    static const int8_t k5[4][2] = {{0, 1}, {2, 3}, {1, 2}, {3, 4}};
    const int8_t(*pr)[2] = p->stride_w == 2 ? s2 : p->kh == 3 ? k3 : k5;
    int32_t c_n = p->in_c, ky, i, n = p->stride_w == 2 ? (p->kw + 1) / 2 : p->kh == 3 ? 2 : 4;
    int32_t step = p->kh == 3 && p->stride_w == 1 ? 2 : 4;
    const int8_t *wr = w + c0;
    for (ky = 0; ky < p->kh; ky++, wr += p->kw * c_n) {
        for (i = 0; i < n; i++) {
            int32_t ta = pr[i][0], tb = pr[i][1] < p->kw ? pr[i][1] : -1;
            if (n_lanes == 4 && g == 4) {
                plane_wpair4(mt_ld4(wr + ta * c_n), tb < 0 ? 0u : mt_ld4(wr + tb * c_n),
                             wg + step * ky + i);
            } else {
                plane_wpair(wr, c_n, n_lanes, ta, tb, wg, step * ky + i, g);
            }
        }
    }
}
#endif

#if MT_DSP_ASM
/* A full group's lane table (rsh, mult, k_lo, k_hi, bias per lane, the job's and the
 * assembly's order) straight from rq when all 4 channels are fast (mt_dsp_rq_prepare's
 * condition and constants), without the mt_dsp_rq_t step and its copy; 0 if one is not. */
static int plane_lanes4(mt_requant_t rq, const int32_t *bias, int32_t out_zp, int32_t lt[4][5]) {
    int32_t k;
    for (k = 0; k < 4; k++) {
        int32_t r = -rq.shift[k], m = rq.mult[k];
        if (m <= 0 || r < 1 || r > MT_DSP_RQ_MAX_RIGHT) return 0;
        lt[k][0] = r - 1;
        lt[k][1] = m;
        lt[k][2] = (int32_t)(r == 1 ? 0xc0000000u : 0x40000000u);
        lt[k][3] = (int32_t)((r >= 2 ? (1u << (r - 2)) : 0u) + ((uint32_t)out_zp << (r - 1)));
        lt[k][4] = bias[k];
    }
    return 1;
}

/* plane_weights for a 3x3 stride 1 group of 4 lanes: per window row 3 tap words, 2 pairs. */
static void plane_weights3(const int8_t *wr, int32_t c_n, uint32_t *wg) {
    int32_t ky;
    for (ky = 0; ky < 3; ky++, wr += 3 * c_n, wg += 2) {
        uint32_t a = mt_ld4(wr), b = mt_ld4(wr + c_n);
        plane_wpair4(a, b, wg);
        plane_wpair4(b, mt_ld4(wr + 2 * c_n), wg + 1);
    }
}
#endif

/* The whole layer by planes, working memory at scratch (plane_bytes). */
static void plane_layer(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                        const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t c_n = p->in_c, c0, k;
    uint32_t *wg = (uint32_t *)scratch, *pl = wg + 4 * MT_DW_WLANE;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    mt_dw_plane_job_t job;
    memset(pl, 0, (size_t)plane_rows(p) * MT_DW_ROW4); /* the padding, for every group */
    job.lo4 = mt_dup4(p->act_min);
    job.hi4 = mt_dup4(p->act_max);
    job.c_step = c_n;
    job.quads = p->out_w / 4;
    job.rows = p->out_h;
    job.row_skip = p->stride_h * (MT_DW_ROW4 - 2 * p->out_w); /* the asm: 4 outputs a pass */
#if MT_DSP_ASM
    void (*fn)(const mt_dw_plane_job_t *) =
        p->stride_w == 2 ? (p->kh == 5 ? mt_depthwise_s8_dsp_plane5s2 : mt_depthwise_s8_dsp_plane7s2)
        : p->kh == 3     ? mt_depthwise_s8_dsp_plane3
                         : mt_depthwise_s8_dsp_plane5;
    int32_t lt[4][5];
    /* 3x3 stride 1 with every input row and column in the planes: full groups widen by
     * pixels with no widen_planes set-up */
    int px_rows = p->kh == 3 && p->stride_w == 1 && p->in_w > 0 &&
                  p->pad_top + p->in_h <= plane_rows(p) && p->pad_left + p->in_w <= row_pixels(p);
    job.rows0 = job.rows;
    job.x_step = MT_DW_PITCH;
#endif
    for (c0 = 0; c0 < c_n; c0 += 4) {
        int32_t n_lanes = c_n - c0 < 4 ? c_n - c0 : 4, all_fast;
        mt_dsp_rq_t q[4];
        mt_requant_t rq_g;
        rq_g.mult = rq.mult + c0;
        rq_g.shift = rq.shift + c0;
#if MT_DSP_ASM
        /* 3x3 stride 1, 4 fast lanes (MCUNet's 4x4 maps: the group setup is ~1/3 of the
         * layer): the lane table and the weights without the general steps */
        if (n_lanes == 4 && px_rows && plane_lanes4(rq_g, bias + c0, p->out_zp, lt)) {
            const int8_t *x = in + c0;
            uint16_t *d = (uint16_t *)(pl + p->pad_top * (MT_DW_ROW4 / 4)) + p->pad_left;
            for (k = 0; k < p->in_h; k++, x += p->in_w * c_n, d += MT_DW_ROW4 / 2) {
                widen_px(x, c_n, zz, d, p->in_w); /* widen_planes' per-pixel rows */
            }
            plane_weights3(w + c0, c_n, wg);
            memcpy(&job, lt[0], 4 * sizeof(int32_t)); /* rsh, mult, k_lo, k_hi */
            job.bias = lt[0][4];
            job.o = job.o0 = out + c0;
            job.x = job.x0 = pl;
            job.w = wg;
            job.quads_left = job.quads;
            job.lanes_left = 4;
            job.lq = lt[1];
            fn(&job);
            continue;
        }
#endif
        all_fast = mt_dsp_rq_prepare(q, rq_g, n_lanes, p->out_zp);
        widen_planes(p, in, c0, n_lanes, zz, pl);
#if MT_DSP_ASM
        plane_weights(p, w, c0, n_lanes, wg, 4);
        for (k = 0; k < n_lanes; k++) {
            lt[k][0] = q[k].rsh;
            lt[k][1] = q[k].mult;
            lt[k][2] = (int32_t)q[k].k_lo;
            lt[k][3] = q[k].k_hi;
            lt[k][4] = bias[c0 + k];
        }
#else
        (void)all_fast;
#endif
        for (k = 0; k < n_lanes; k++) {
            int32_t c = c0 + k;
            job.bias = bias[c];
            job.o = out + c;
            job.x = pl + k * (MT_DW_PITCH / 4);
#if MT_DSP_ASM
            if (q[k].rsh >= 0) { /* fast: this lane, and the rest of the group when all are */
                job.o0 = job.o;
                job.x0 = job.x;
                job.w = wg + k * MT_DW_WLANE;
                job.rsh = q[k].rsh;
                job.mult = q[k].mult;
                job.k_lo = q[k].k_lo;
                job.k_hi = q[k].k_hi;
                job.quads_left = job.quads;
                job.lanes_left = all_fast ? n_lanes - k : 1;
                job.lq = lt[k + 1];
                fn(&job);
                if (all_fast) break;
                continue;
            }
#endif
            plane_channel_c(p, &job, &q[k], w + c);
        }
    }
}

/* ---- DW_BAND: 5x5 and 7x7 stride 2 on maps too wide for the whole-map planes (MCUNet-64's
 * 7x7 on 32x32x32). The planes of DW_PLANE, but only a ring of kh plane rows per group of g
 * channels (g = 4 or 2): plane row r (input row r - pad_top) lives in slot r % kh, lane k
 * of a slot at k * pitch bytes, so the window rows of an output row are kh slots in any order
 * and the assembly reads them through a table of row pointers (one LDR, ADD and STR per
 * window row and 4 outputs). The weights are the plane path's (plane_weights). 7x7: 16
 * multiplies per 28 MACs, against 28 SMLABB/SMLATT in the 4-lane ring.
 * On the layers that likely set the arena's peak (DW_BAND_TAIL: input + output >= 32 KB) the
 * working memory lives in output rows not yet written: the last rows with g = 4 and the ring in
 * the first rows, then the rows above them with g = 2 if its ring fits in the rows left, and
 * the first rows direct (a one-lane ring widens 7 rows per output row: slower than direct).
 * MCUNet-64's op 4 (7x7 s2, 32x32x32): rows 6-15 g = 4, 3-5 g = 2, 0-2 direct. */
#define MT_DW_BAND_MAX_K 7
static int32_t band_pitch(const mt_conv_params_t *p) { /* bytes of one lane's plane row */
    return ((row_pixels(p) + 1) & ~1) * 2;
}

static size_t band_bytes(const mt_conv_params_t *p, int32_t g) {
    return (size_t)g * MT_DW_WLANE * 4u + (size_t)p->kh * (size_t)g * (size_t)band_pitch(p);
}

static int band_applies(const mt_conv_params_t *p) {
    return p->stride_h == 2 && p->stride_w == 2 && p->kh == p->kw && (p->kh == 5 || p->kh == 7) &&
           p->out_w % 4 == 0;
}

#if MT_DSP_ASM
/* n >= 1 column pairs of g = 4, 2 or 1 full lanes from x (c_n bytes per pixel) into d (lane k
 * at d + k * pb bytes): per pair 2 loads (LDR, LDRH or LDRB: only the lanes' bytes), SXTAB16
 * (x - in_zp), PKHBT/PKHTB, one STR per lane. */
static void band_widen_run(const int8_t *x, int32_t c_n, uint32_t zz, uint32_t *d, int32_t pb,
                           int32_t n, int32_t g) {
    uint32_t a, b, e, o, t;
    if (g == 4) {
        uint32_t *d2 = (uint32_t *)(void *)((uint8_t *)d + 2 * pb);
        __asm__ volatile("1:\n\t"
                         "ldr %[a], [%[x]]\n\t"
                         "ldr %[b], [%[x], %[cn]]\n\t"
                         "add %[x], %[x], %[cn], lsl #1\n\t"
                         "sxtab16 %[e], %[zz], %[a]\n\t"
                         "sxtab16 %[o], %[zz], %[a], ror #8\n\t"
                         "sxtab16 %[a], %[zz], %[b]\n\t"
                         "sxtab16 %[b], %[zz], %[b], ror #8\n\t"
                         "pkhbt %[t], %[o], %[b], lsl #16\n\t"
                         "str %[t], [%[d], %[pb]]\n\t"
                         "pkhbt %[t], %[e], %[a], lsl #16\n\t"
                         "str %[t], [%[d]], #4\n\t"
                         "pkhtb %[t], %[b], %[o], asr #16\n\t"
                         "str %[t], [%[d2], %[pb]]\n\t"
                         "pkhtb %[t], %[a], %[e], asr #16\n\t"
                         "str %[t], [%[d2]], #4\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b"
                         : [x] "+r"(x), [d] "+r"(d), [d2] "+r"(d2), [n] "+r"(n), [a] "=&r"(a),
                           [b] "=&r"(b), [e] "=&r"(e), [o] "=&r"(o), [t] "=&r"(t)
                         : [cn] "r"(c_n), [zz] "r"(zz), [pb] "r"(pb)
                         : "cc", "memory");
    } else if (g == 2) {
        __asm__ volatile("1:\n\t"
                         "ldrh %[a], [%[x]]\n\t"
                         "ldrh %[b], [%[x], %[cn]]\n\t"
                         "add %[x], %[x], %[cn], lsl #1\n\t"
                         "sxtab16 %[e], %[zz], %[a]\n\t"
                         "sxtab16 %[o], %[zz], %[a], ror #8\n\t"
                         "sxtab16 %[a], %[zz], %[b]\n\t"
                         "sxtab16 %[b], %[zz], %[b], ror #8\n\t"
                         "pkhbt %[t], %[o], %[b], lsl #16\n\t"
                         "str %[t], [%[d], %[pb]]\n\t"
                         "pkhbt %[t], %[e], %[a], lsl #16\n\t"
                         "str %[t], [%[d]], #4\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b"
                         : [x] "+r"(x), [d] "+r"(d), [n] "+r"(n), [a] "=&r"(a), [b] "=&r"(b),
                           [e] "=&r"(e), [o] "=&r"(o), [t] "=&r"(t)
                         : [cn] "r"(c_n), [zz] "r"(zz), [pb] "r"(pb)
                         : "cc", "memory");
    } else {
        __asm__ volatile("1:\n\t"
                         "ldrb %[a], [%[x]]\n\t"
                         "ldrb %[b], [%[x], %[cn]]\n\t"
                         "add %[x], %[x], %[cn], lsl #1\n\t"
                         "sxtab16 %[a], %[zz], %[a]\n\t"
                         "sxtab16 %[b], %[zz], %[b]\n\t"
                         "pkhbt %[t], %[a], %[b], lsl #16\n\t"
                         "str %[t], [%[d]], #4\n\t"
                         "subs %[n], %[n], #1\n\t"
                         "bne 1b"
                         : [x] "+r"(x), [d] "+r"(d), [n] "+r"(n), [a] "=&r"(a), [b] "=&r"(b),
                           [t] "=&r"(t)
                         : [cn] "r"(c_n), [zz] "r"(zz)
                         : "cc", "memory");
        (void)e;
        (void)o;
        (void)pb;
    }
}
#endif

/* The even column pairs of a band row: [j_first, j_lo) and [j_hi, j_end) hold input and
 * padding, [j_lo, j_hi) input only (band_widen_run); the others stay 0. */
typedef struct {
    int32_t j_first, j_lo, j_hi, j_end;
} mt_dw_band_cols_t;

static mt_dw_band_cols_t band_cols(const mt_conv_params_t *p, int32_t cols) {
    mt_dw_band_cols_t bc;
    int32_t pl_ = p->pad_left, last = p->in_w + pl_ - 2; /* a pair (j, j + 1) inside: j <= last */
    bc.j_first = pl_ & ~1;
    bc.j_end = (pl_ + p->in_w + 1) & ~1;
    if (bc.j_end > cols) bc.j_end = cols;
    bc.j_lo = pl_ + (pl_ & 1);
    bc.j_hi = last >= bc.j_lo ? bc.j_lo + 2 * ((last - bc.j_lo) / 2 + 1) : bc.j_lo;
    if (bc.j_hi > bc.j_end) bc.j_hi = bc.j_end & ~1;
    if (bc.j_hi < bc.j_lo) bc.j_hi = bc.j_lo;
    return bc;
}

/* Column pair j (both columns, inside the input or not) of lanes < g. */
static inline void band_widen_pair(const mt_conv_params_t *p, const int8_t *x, int32_t g,
                                   int32_t n_load, int32_t j, uint32_t zz, uint32_t *d,
                                   int32_t pw) {
    int32_t c_n = p->in_c, ix = j - p->pad_left, in_zp = -mt_lo16(zz);
    uint32_t pad = mt_dup4(in_zp); /* widens to 0 */
    uint32_t a = ix >= 0 && ix < p->in_w ? ld_group(x + ix * c_n, n_load, in_zp) : pad;
    uint32_t b = ix + 1 >= 0 && ix + 1 < p->in_w ? ld_group(x + (ix + 1) * c_n, n_load, in_zp) : pad;
    uint32_t ae = mt_sxtab16(zz, a), be = mt_sxtab16(zz, b), ao, bo, *dj = d + j / 2;
    dj[0] = mt_pack_lo(ae, be);
    if (g == 1) return;
    ao = mt_sxtab16_odd(zz, a);
    bo = mt_sxtab16_odd(zz, b);
    dj[pw] = mt_pack_lo(ao, bo);
    if (g == 2) return;
    dj[2 * pw] = mt_pack_hi(ae, be);
    dj[3 * pw] = mt_pack_hi(ao, bo);
}

/* Plane row of input row iy (outside the input: zeros), channels c0.. (g lanes written,
 * n_lanes <= g of them real, n_load bytes read per pixel), into the slot d (lane k at
 * d + k * pw words). */
static void band_widen(const mt_conv_params_t *p, const int8_t *in, int32_t c0, int32_t g,
                       int32_t n_lanes, int32_t n_load, int32_t iy, uint32_t zz, uint32_t *d,
                       int32_t pw, const mt_dw_band_cols_t *bc) {
    int32_t j, c_n = p->in_c;
    const int8_t *x;
    if (iy < 0 || iy >= p->in_h) {
        memset(d, 0, (size_t)g * (size_t)pw * 4u);
        return;
    }
    x = in + iy * p->in_w * c_n + c0;
    for (j = bc->j_first; j < bc->j_lo; j += 2) band_widen_pair(p, x, g, n_load, j, zz, d, pw);
#if MT_DSP_ASM
    if (n_lanes == g && bc->j_lo < bc->j_hi) {
        band_widen_run(x + (bc->j_lo - p->pad_left) * c_n, c_n, zz, d + bc->j_lo / 2, pw * 4,
                       (bc->j_hi - bc->j_lo) / 2, g);
    } else
#else
    (void)n_lanes;
#endif
    {
        for (j = bc->j_lo; j < bc->j_hi; j += 2) band_widen_pair(p, x, g, n_load, j, zz, d, pw);
    }
    for (j = bc->j_hi; j < bc->j_end; j += 2) band_widen_pair(p, x, g, n_load, j, zz, d, pw);
}

/* One lane's output row; also the assembly's job, copied into its stack frame (field order =
 * the offsets in the assembly). */
typedef struct {
    int32_t rsh, mult;           /*  0, 4 fast requantization (dsp_util.h) */
    uint32_t k_lo;               /*  8 */
    int32_t k_hi;                /* 12 */
    uint32_t lo4, hi4;           /* 16, 20 act_min, act_max in every byte */
    int8_t *o;                   /* 24 output (oy, 0) of this channel (advances) */
    int32_t c_step;              /* 28 bytes between output pixels (in_c) */
    const uint32_t *rows[7];     /* 32 the window's plane rows of this lane (advance) */
    int32_t quads_left;          /* 60 out_w / 4 */
    int32_t bias;                /* 64 */
    const uint32_t *w;           /* 68 weight words (plane_weights) */
} mt_dw_band_job_t;

/* The same in C, any requantization: wc = the channel's int8 weights (c_n bytes apart). */
static void band_lane_c(const mt_conv_params_t *p, const mt_dw_band_job_t *j, const mt_dsp_rq_t *q,
                        const int8_t *wc) {
    int32_t ox, ky, kx, c_n = p->in_c, lo = mt_b(j->lo4, 0), hi = mt_b(j->hi4, 0);
    for (ox = 0; ox < p->out_w; ox++) {
        int32_t a = j->bias;
        for (ky = 0; ky < p->kh; ky++) {
            const uint32_t *xr = j->rows[ky];
            for (kx = 0; kx < p->kw; kx++) {
                int32_t col = ox * p->stride_w + kx;
                int32_t x = (col & 1) ? mt_hi16(xr[col / 2]) : mt_lo16(xr[col / 2]);
                a += x * wc[(ky * p->kw + kx) * c_n];
            }
        }
        j->o[ox * c_n] = mt_dsp_clamp(mt_dsp_rq(a, q, p->out_zp), lo, hi);
    }
}

#if MT_DSP_ASM
/* One window row through its row pointer (frame word 8 + KY), which advances 4 outputs. */
#define MT_DWB_ROW(KY, ROW)                                    \
    "    ldr lr, [sp, #32 + 4 * " #KY "]\n"                    \
    ROW                                                        \
    "    add lr, lr, #16\n"                                    \
    "    str lr, [sp, #32 + 4 * " #KY "]\n"
#define MT_DWB_FUNC(NAME, WINDOW)                              \
    __asm__("    .text\n"                                      \
            "    .syntax unified\n"                            \
            "    .thumb\n"                                     \
            "    .align 2\n"                                   \
            "    .global " NAME "\n"                           \
            "    .type " NAME ", %function\n"                  \
            "    .thumb_func\n" NAME ":\n"                     \
            "    push {r4-r11, lr}\n"                          \
            "    sub sp, sp, #72\n"                            \
            "    mov lr, sp\n"                                 \
            "    ldm r0!, {r1-r9}\n    stm lr!, {r1-r9}\n"     \
            "    ldm r0!, {r1-r9}\n    stm lr!, {r1-r9}\n"     \
            "1:\n"                                             \
            "    ldrd r0, r12, [sp, #64]\n"                    \
            "    mov r1, r0\n"                                 \
            "    mov r2, r0\n"                                 \
            "    mov r3, r0\n"                                 \
            WINDOW                                             \
            MT_DWP_STORE4                                      \
            "    ldr r12, [sp, #60]\n"                         \
            "    subs r12, r12, #1\n"                          \
            "    str r12, [sp, #60]\n"                         \
            "    bne 1b\n"                                     \
            "    add sp, sp, #72\n"                            \
            "    pop {r4-r11, pc}\n"                           \
            "    .size " NAME ", .-" NAME "\n")
void mt_depthwise_s8_dsp_band5s2(const mt_dw_band_job_t *job);
void mt_depthwise_s8_dsp_band7s2(const mt_dw_band_job_t *job);
MT_DWB_FUNC("mt_depthwise_s8_dsp_band5s2",
            MT_DWB_ROW(0, MT_DWP5S2_ROW(0, 0)) MT_DWB_ROW(1, MT_DWP5S2_ROW(0, 16))
            MT_DWB_ROW(2, MT_DWP5S2_ROW(0, 32)) MT_DWB_ROW(3, MT_DWP5S2_ROW(0, 48))
            MT_DWB_ROW(4, MT_DWP5S2_ROW(0, 64)));
MT_DWB_FUNC("mt_depthwise_s8_dsp_band7s2",
            MT_DWB_ROW(0, MT_DWP7S2_ROW(0, 0)) MT_DWB_ROW(1, MT_DWP7S2_ROW(0, 16))
            MT_DWB_ROW(2, MT_DWP7S2_ROW(0, 32)) MT_DWB_ROW(3, MT_DWP7S2_ROW(0, 48))
            MT_DWB_ROW(4, MT_DWP7S2_ROW(0, 64)) MT_DWB_ROW(5, MT_DWP7S2_ROW(0, 80))
            MT_DWB_ROW(6, MT_DWP7S2_ROW(0, 96)));
#endif


/* Output rows [oy_begin, oy_end) by the band ring with g lanes per group, working memory at
 * work (band_bytes(p, g), word aligned). */
MT_DW_NOINLINE static void band_rows(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                      const int32_t *bias, mt_requant_t rq, int8_t *out, uint32_t *work, int32_t g,
                      int32_t oy_begin, int32_t oy_end) {
    int32_t c_n = p->in_c, k = p->kh, pw = band_pitch(p) / 4, slot_w = g * pw, c0, oy, ky, l;
    uint32_t *wg = work, *ring = wg + g * MT_DW_WLANE;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    mt_dw_band_job_t job;
    mt_dw_band_cols_t bc = band_cols(p, 2 * pw);
    memset(ring, 0, (size_t)k * (size_t)slot_w * 4u); /* the padding columns, for every row */
    job.lo4 = mt_dup4(p->act_min);
    job.hi4 = mt_dup4(p->act_max);
    job.c_step = c_n;
    for (c0 = 0; c0 < c_n; c0 += g) {
        int32_t n_lanes = c_n - c0 < g ? c_n - c0 : g, n_load = c_n - c0 < 4 ? c_n - c0 : 4;
        int32_t built = oy_begin * p->stride_h - 1; /* plane rows widened so far */
        mt_dsp_rq_t q[4];
        int fast[4];
        for (l = 0; l < n_lanes; l++) {
            mt_requant_t rq_c;
            rq_c.mult = rq.mult + c0 + l;
            rq_c.shift = rq.shift + c0 + l;
            fast[l] = mt_dsp_rq_prepare(&q[l], rq_c, 1, p->out_zp);
        }
#if MT_DSP_ASM
        plane_weights(p, w, c0, n_lanes, wg, g);
#else
        (void)fast;
#endif
        for (oy = oy_begin; oy < oy_end; oy++) {
            uint32_t *slot[MT_DW_BAND_MAX_K];
            for (ky = 0; ky < k; ky++) {
                int32_t r = oy * p->stride_h + ky;
                slot[ky] = ring + (r % k) * slot_w;
                if (r > built) {
                    band_widen(p, in, c0, g, n_lanes, n_load, r - p->pad_top, zz, slot[ky], pw, &bc);
                    built = r;
                }
            }
            for (l = 0; l < n_lanes; l++) {
                for (ky = 0; ky < k; ky++) job.rows[ky] = slot[ky] + l * pw;
                job.o = out + oy * p->out_w * c_n + c0 + l;
                job.bias = bias[c0 + l];
#if MT_DSP_ASM
                if (fast[l]) {
                    job.rsh = q[l].rsh;
                    job.mult = q[l].mult;
                    job.k_lo = q[l].k_lo;
                    job.k_hi = q[l].k_hi;
                    job.w = wg + l * MT_DW_WLANE;
                    job.quads_left = p->out_w / 4;
                    if (k == 7) {
                        mt_depthwise_s8_dsp_band7s2(&job);
                    } else {
                        mt_depthwise_s8_dsp_band5s2(&job);
                    }
                    continue;
                }
#endif
                band_lane_c(p, &job, &q[l], w + c0 + l);
            }
        }
    }
}

/* DW_BAND_TAIL: the whole layer without scratch (see above). */
MT_DW_NOINLINE static void band_tail(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                      const int32_t *bias, mt_requant_t rq, int8_t *out) {
    int32_t row = (int32_t)p->out_w * p->in_c, top = p->out_h; /* rows [top, out_h) done */
    uint32_t *work = (uint32_t *)(((uintptr_t)out + 3u) & ~(uintptr_t)3u);
    /* bottom up, the ring in the first rows: the rows left to direct_rows are the top ones,
     * where more of the window is padding (7x7 s2 pad 3: 17 window rows in rows 0-2, 19 in
     * rows 13-15) */
    while (top > 0) {
        int32_t g, n = 0;
        for (g = 4; g >= 2; g /= 2) { /* one lane: its widening costs more than direct */
            int32_t need = (int32_t)((band_bytes(p, g) + 3u + (size_t)row - 1u) / (size_t)row);
            n = top - need;
            if (n > 0) break;
        }
        if (n <= 0) break;
        band_rows(p, in, w, bias, rq, out, work, g, top - n, top);
        top -= n;
    }
    if (top > 0) direct_rows(p, in, w, bias, rq, out, 0, top);
}

/* ---- DW_PLANEW: 3x3 stride 1 on maps too wide for DW_PLANE (row_pixels 21..34: MCUNet-64's
 * 3x3 on 32x32x16). The plane path's layout and assembly with a 68-byte lane pitch, over bands
 * of MT_DW_WBAND output rows: per group of 4 channels and band the B + 2 plane rows are
 * widened (the first 2 copied from the end of the band before), then each lane runs the
 * band's rows in one call. Scratch: the 4 lanes' weights and (B + 2) x 4 x 68 bytes. */
#define MT_DW_WPITCH 68 /* bytes of one lane's plane row: 34 int16 (row_pixels <= 34) */
#define MT_DW_WROW4 (4 * MT_DW_WPITCH)
#define MT_DW_WBAND 8 /* output rows per band */

static int planew_applies(const mt_conv_params_t *p) {
    return p->stride_h == 1 && p->stride_w == 1 && p->kh == 3 && p->kw == 3 &&
           p->out_w % 4 == 0 && row_pixels(p) <= MT_DW_WPITCH / 2;
}

static int32_t planew_band(const mt_conv_params_t *p) {
    return p->out_h < MT_DW_WBAND ? p->out_h : MT_DW_WBAND;
}

static size_t planew_bytes(const mt_conv_params_t *p) {
    return 4u * 4u * MT_DW_WLANE + (size_t)(planew_band(p) + 2) * MT_DW_WROW4;
}

#if MT_DSP_ASM
void mt_depthwise_s8_dsp_plane3w(const mt_dw_plane_job_t *job);
MT_DWP_FUNC("mt_depthwise_s8_dsp_plane3w", 92, MT_DWP_COPY,
            "    ldr r0, [sp, #56]\n    ldm r0, {r4-r9}\n    strd r4, r5, [sp, #84]\n",
            MT_DWP_ROW0(0, "r4", "r5") MT_DWP_ROW(272, "r6", "r7") MT_DWP_ROW(544, "r8", "r9"),
            "    ldrd r4, r5, [sp, #84]\n", 8);
#endif

MT_DW_NOINLINE static void planew_layer(const mt_conv_params_t *p, const int8_t *in,
                                        const int8_t *w, const int32_t *bias, mt_requant_t rq,
                                        int8_t *out, uint32_t *work) {
    int32_t c_n = p->in_c, pw = MT_DW_WPITCH / 4, nb_max = planew_band(p), c0, oy0, r, k, ky;
    uint32_t *wg = work, *pl = wg + 4 * MT_DW_WLANE;
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp);
    mt_dw_band_cols_t bc = band_cols(p, 2 * pw);
    mt_dw_plane_job_t job;
    mt_dw_band_job_t bj;
    memset(pl, 0, (size_t)(nb_max + 2) * MT_DW_WROW4); /* the padding columns, for every row */
    job.lo4 = bj.lo4 = mt_dup4(p->act_min);
    job.hi4 = bj.hi4 = mt_dup4(p->act_max);
    job.c_step = bj.c_step = c_n;
    job.quads = p->out_w / 4;
    job.row_skip = MT_DW_WROW4 - 2 * p->out_w; /* the asm: 4 outputs (8 bytes) a pass */
    job.x_step = MT_DW_WPITCH;
    for (c0 = 0; c0 < c_n; c0 += 4) {
        int32_t n_lanes = c_n - c0 < 4 ? c_n - c0 : 4;
        mt_dsp_rq_t q[4];
        int fast[4], all_fast = 1;
#if MT_DSP_ASM
        int32_t lt[4][5];
#endif
        for (k = 0; k < n_lanes; k++) {
            mt_requant_t rq_c;
            rq_c.mult = rq.mult + c0 + k;
            rq_c.shift = rq.shift + c0 + k;
            fast[k] = mt_dsp_rq_prepare(&q[k], rq_c, 1, p->out_zp);
            all_fast &= fast[k];
#if MT_DSP_ASM
            lt[k][0] = q[k].rsh;
            lt[k][1] = q[k].mult;
            lt[k][2] = (int32_t)q[k].k_lo;
            lt[k][3] = q[k].k_hi;
            lt[k][4] = bias[c0 + k];
#endif
        }
#if MT_DSP_ASM
        plane_weights(p, w, c0, n_lanes, wg, 4);
#else
        (void)fast;
        (void)job;
        (void)all_fast;
#endif
        for (oy0 = 0; oy0 < p->out_h; oy0 += nb_max) {
            int32_t nb = p->out_h - oy0 < nb_max ? p->out_h - oy0 : nb_max;
            r = 0;
            if (oy0 > 0) { /* plane rows oy0, oy0 + 1 ended the band before */
                memcpy(pl, pl + nb_max * (MT_DW_WROW4 / 4), 2u * MT_DW_WROW4);
                r = 2;
            }
            for (; r < nb + 2; r++) {
                band_widen(p, in, c0, 4, n_lanes, n_lanes, oy0 + r - p->pad_top, zz,
                           pl + r * (MT_DW_WROW4 / 4), pw, &bc);
            }
            for (k = 0; k < n_lanes; k++) {
                int8_t *o = out + oy0 * p->out_w * c_n + c0 + k;
#if MT_DSP_ASM
                if (fast[k]) { /* this lane, and the rest of the group when all are fast */
                    job.rsh = q[k].rsh;
                    job.mult = q[k].mult;
                    job.k_lo = q[k].k_lo;
                    job.k_hi = q[k].k_hi;
                    job.o = job.o0 = o;
                    job.x = job.x0 = pl + k * pw;
                    job.quads_left = job.quads;
                    job.rows = job.rows0 = nb;
                    job.bias = bias[c0 + k];
                    job.w = wg + k * MT_DW_WLANE;
                    job.lanes_left = all_fast ? n_lanes - k : 1;
                    job.lq = lt[k + 1];
                    mt_depthwise_s8_dsp_plane3w(&job);
                    if (all_fast) break;
                    continue;
                }
#endif
                bj.bias = bias[c0 + k];
                for (r = 0; r < nb; r++) {
                    for (ky = 0; ky < 3; ky++) bj.rows[ky] = pl + (r + ky) * (MT_DW_WROW4 / 4) + k * pw;
                    bj.o = o + r * p->out_w * c_n;
                    band_lane_c(p, &bj, &q[k], w + c0 + k);
                }
            }
        }
    }
}

/* ---- DW_DIRECT on maps of at most 4 input and 4 output pixels (MCUNet's 2x2 layers, where
 * every window covers most of the map): per channel group the input pixels are widened once
 * (SXTAB16) and kept; a table made once per layer lists each output's taps inside the input
 * (input pixel, weight offset), so an output costs per tap one weight LDR, 2 SXTB16 and 4
 * SMLAxy, then the requantization: no per-row setup, no bounds checks. */
#define MT_DW_SMALL_PIXELS 4
typedef struct {
    uint8_t n[MT_DW_SMALL_PIXELS];                        /* taps of output o */
    uint8_t x[MT_DW_SMALL_PIXELS][MT_DW_SMALL_PIXELS];    /* their input pixels */
    int32_t w[MT_DW_SMALL_PIXELS][MT_DW_SMALL_PIXELS];    /* their weight offsets, bytes */
} mt_dw_small_taps_t;

#if MT_DSP_ASM
/* One tap of small_group: weight offset at tab + TOFF, widened pixel at xw + XOFF. */
#define MT_DWS_TAP(TOFF, XOFF)                                 \
    "ldr %[t0], [%[tab], #" #TOFF "]\n\t"                     \
    "ldr %[t0], [%[wb], %[t0]]\n\t"                           \
    "ldrd %[xe], %[xo], [%[xw], #" #XOFF "]\n\t"              \
    "sxtb16 %[t1], %[t0]\n\t"                                 \
    "sxtb16 %[t0], %[t0], ror #8\n\t"                         \
    "smlabb %[a0], %[xe], %[t1], %[a0]\n\t"                   \
    "smlatt %[a2], %[xe], %[t1], %[a2]\n\t"                   \
    "smlabb %[a1], %[xo], %[t0], %[a1]\n\t"                   \
    "smlatt %[a3], %[xo], %[t0], %[a3]\n\t"
#endif

/* One channel group; full = 4 lanes, every channel fast (a constant at both call sites). */
static inline void small_group(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                               const int32_t *bias, const mt_dsp_rq_t *q, int8_t *out,
                               int32_t c0, int32_t n_lanes, const mt_dw_small_taps_t *tt,
                               int full) {
    int32_t c_n = p->in_c, n_in = (int32_t)p->in_h * p->in_w, n_out = (int32_t)p->out_h * p->out_w;
    int32_t i, o, t, k, b[4];
    uint32_t zz = mt_pack16(-p->in_zp, -p->in_zp), xw[2 * MT_DW_SMALL_PIXELS];
    uint32_t lo4 = mt_dup4(p->act_min), hi4 = mt_dup4(p->act_max);
    for (i = 0; i < n_in; i++) {
        uint32_t v = full ? mt_ld4(in + i * c_n + c0) : ld_group(in + i * c_n + c0, n_lanes, p->in_zp);
        xw[2 * i] = mt_sxtab16(zz, v);
        xw[2 * i + 1] = mt_sxtab16_odd(zz, v);
    }
    for (k = 0; k < 4; k++) b[k] = full || k < n_lanes ? bias[c0 + k] : 0;
    for (o = 0; o < n_out; o++) {
        int32_t a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3];
        int8_t *op = out + o * c_n + c0;
#if MT_DSP_ASM
        if (full && n_in == 4 && tt->n[o] == 4) {
            /* every input pixel in order (tt lists them ascending): the 4 taps straight, per
             * tap the weight offset, the weight word, the widened pixel (LDRD), 2 SXTB16 and
             * 4 SMLAxy (MCUNet's 2x2 maps with 3x3 and 7x7 windows) */
            uint32_t t0, t1, xe, xo;
            __asm__ volatile(MT_DWS_TAP(0, 0) MT_DWS_TAP(4, 8) MT_DWS_TAP(8, 16) MT_DWS_TAP(12, 24)
                             : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3),
                               [t0] "=&r"(t0), [t1] "=&r"(t1), [xe] "=&r"(xe), [xo] "=&r"(xo)
                             : [tab] "r"(tt->w[o]), [wb] "r"(w + c0), [xw] "r"(xw)
                             : "memory");
            store_group(a0, a1, a2, a3, 1, q, p->out_zp, lo4, hi4, 4, op);
            continue;
        }
#endif
        for (t = 0; t < tt->n[o]; t++) {
            const int8_t *wp = w + tt->w[o][t] + c0;
            uint32_t wv = full ? mt_ld4(wp) : ld_group(wp, n_lanes, 0);
            uint32_t we = mt_sxtb16(wv), wo = mt_sxtb16_odd(wv);
            uint32_t xe = xw[2 * tt->x[o][t]], xo = xw[2 * tt->x[o][t] + 1];
            a0 = mt_smlabb(xe, we, a0);
            a2 = mt_smlatt(xe, we, a2);
            a1 = mt_smlabb(xo, wo, a1);
            a3 = mt_smlatt(xo, wo, a3);
        }
        store_group(a0, a1, a2, a3, full, q, p->out_zp, lo4, hi4, n_lanes, op);
    }
}

#if MT_DSP_ASM
/* One weight row r (taps k0, k1, k2 at r, r + c, r + 2c) against pixels xa, xb (xb one column
 * right of xa) into outputs p, q (q one column right of p): k0 meets (xa, q), k1 (xa, p) and
 * (xb, q), k2 (xb, p). ROT widens the even or the odd lanes. */
#define MT_DWS33_MAC(X, J)                                 \
    "smlabb %[l" #J "], %[" #X "], %[t], %[l" #J "]\n\t" \
    "smlatt %[h" #J "], %[" #X "], %[t], %[h" #J "]\n\t"
#define MT_DWS33_ROW(ROT)                                                    \
    "ldr %[t], [%[r]]\n\t"                                                   \
    "sxtb16 %[t], %[t]" ROT "\n\t" MT_DWS33_MAC(xa, q)                      \
    "ldr %[t], [%[r], %[c]]\n\t"                                             \
    "sxtb16 %[t], %[t]" ROT "\n\t" MT_DWS33_MAC(xa, p) MT_DWS33_MAC(xb, q)  \
    "ldr %[t], [%[r], %[c], lsl #1]\n\t"                                     \
    "sxtb16 %[t], %[t]" ROT "\n\t" MT_DWS33_MAC(xb, p)
#endif

static inline void small33_row(uint32_t xa, uint32_t xb, const int8_t *r, int32_t c_n, int odd,
                               int32_t *lp, int32_t *hp, int32_t *lq, int32_t *hq) {
#if MT_DSP_ASM
    int32_t l_p = *lp, h_p = *hp, l_q = *lq, h_q = *hq;
    uint32_t t;
    if (odd) {
        __asm__(MT_DWS33_ROW(", ror #8")
                : [lp] "+r"(l_p), [hp] "+r"(h_p), [lq] "+r"(l_q), [hq] "+r"(h_q), [t] "=&r"(t)
                : [xa] "r"(xa), [xb] "r"(xb), [r] "r"(r), [c] "r"(c_n));
    } else {
        __asm__(MT_DWS33_ROW("")
                : [lp] "+r"(l_p), [hp] "+r"(h_p), [lq] "+r"(l_q), [hq] "+r"(h_q), [t] "=&r"(t)
                : [xa] "r"(xa), [xb] "r"(xb), [r] "r"(r), [c] "r"(c_n));
    }
    *lp = l_p, *hp = h_p, *lq = l_q, *hq = h_q;
#else
    int32_t k;
    for (k = 0; k < 3; k++) {
        uint32_t v = mt_ld4(r + k * c_n);
        v = odd ? mt_sxtb16_odd(v) : mt_sxtb16(v);
        if (k < 2) { /* xa with tap k0 -> q, k1 -> p */
            int32_t *l = k == 0 ? lq : lp, *h = k == 0 ? hq : hp;
            *l = mt_smlabb(xa, v, *l);
            *h = mt_smlatt(xa, v, *h);
        }
        if (k > 0) { /* xb with k1 -> q, k2 -> p */
            int32_t *l = k == 1 ? lq : lp, *h = k == 1 ? hq : hp;
            *l = mt_smlabb(xb, v, *l);
            *h = mt_smlatt(xb, v, *h);
        }
    }
#endif
}

/* One pass of small33_group: lanes (0, 2) when odd = 0, (1, 3) when 1, their 4 outputs each
 * (lo[o], hi[o]) from the bias. */
static inline void small33_pass(const int8_t *ip, const int8_t *wp, int32_t c_n, uint32_t zz,
                                int odd, int32_t b_lo, int32_t b_hi, int32_t *lo, int32_t *hi) {
    uint32_t x[4];
    int32_t i;
    for (i = 0; i < 4; i++) {
        uint32_t v = mt_ld4(ip + i * c_n);
        x[i] = odd ? mt_sxtab16_odd(zz, v) : mt_sxtab16(zz, v);
    }
    for (i = 0; i < 4; i++) {
        lo[i] = b_lo;
        hi[i] = b_hi;
    }
    /* pixels 0, 1 (top row) meet weight row 0 for outputs 2, 3 and row 1 for outputs 0, 1;
     * pixels 2, 3 row 1 for outputs 2, 3 and row 2 for outputs 0, 1 */
    small33_row(x[0], x[1], wp, c_n, odd, &lo[2], &hi[2], &lo[3], &hi[3]);
    small33_row(x[0], x[1], wp + 3 * c_n, c_n, odd, &lo[0], &hi[0], &lo[1], &hi[1]);
    small33_row(x[2], x[3], wp + 3 * c_n, c_n, odd, &lo[2], &hi[2], &lo[3], &hi[3]);
    small33_row(x[2], x[3], wp + 6 * c_n, c_n, odd, &lo[0], &hi[0], &lo[1], &hi[1]);
}

/* One lane's 4 outputs requantized with its constants read once, saturated to int8. */
static inline void small33_rq(int32_t *a, const mt_dsp_rq_t *q) {
    int32_t mult = q->mult, k_hi = q->k_hi, rsh = q->rsh, o;
    uint32_t k_lo = q->k_lo;
    for (o = 0; o < 4; o++) {
        int32_t v = mt_dsp_rq_fast(a[o], mult, k_lo, k_hi, rsh);
#if MT_DSP_ASM
        __asm__("ssat %0, #8, %0" : "+r"(v));
#else
        v = v < -128 ? -128 : v > 127 ? 127 : v;
#endif
        a[o] = v;
    }
}

/* v clamped bytewise to [lo4, hi4] (act_min, act_max in every byte) */
static inline uint32_t small33_clamp4(uint32_t v, uint32_t lo4, uint32_t hi4) {
#if MT_DSP_ASM
    uint32_t t;
    __asm__("ssub8 %1, %0, %2\n\t"
            "sel %0, %0, %2\n\t"
            "ssub8 %1, %3, %0\n\t"
            "sel %0, %0, %3"
            : "+r"(v), "=&r"(t)
            : "r"(lo4), "r"(hi4)
            : "cc");
    return v;
#else
    uint32_t r = 0;
    int k;
    for (k = 0; k < 4; k++) {
        int32_t b = mt_b(v, k);
        r |= ((uint32_t)mt_dsp_clamp(b, mt_b(lo4, 0), mt_b(hi4, 0)) & 0xffu) << (8 * k);
    }
    return r;
#endif
}

/* The 2x2 map with a 3x3 window, stride 1, pad 1 (every output takes all 4 input pixels; MCUNet's
 * last depthwise layers), one channel group of 4 fast lanes: tap t = ky * 3 + kx meets input
 * pixel i and output o when (ky, kx) = (iy - oy + 1, ix - ox + 1), 16 pairs over the 9 taps.
 * Two passes, lanes (0, 2) from the even bytes and (1, 3) from the odd ones, each in four asm
 * blocks of one weight row and 2 pixels (3 taps, 8 SMLAxy into 4 accumulators); each lane's
 * requantization constants are read once for its 4 outputs, the int8 results are packed
 * (lanes 0, 2 as halfwords, then 1, 3 between them), and an output's 4 lanes take one packed
 * clamp and one store. */
static void small33_group(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, const mt_dsp_rq_t *q, int8_t *out, int32_t c0) {
    int32_t c_n = p->in_c, a[4], b[4], o;
    uint32_t e[4], zz = mt_pack16(-p->in_zp, -p->in_zp);
    uint32_t lo4 = mt_dup4(p->act_min), hi4 = mt_dup4(p->act_max);
    small33_pass(in + c0, w + c0, c_n, zz, 0, bias[c0], bias[c0 + 2], a, b);
    small33_rq(a, &q[0]);
    small33_rq(b, &q[2]);
    for (o = 0; o < 4; o++) e[o] = ((uint32_t)a[o] & 0xffffu) | ((uint32_t)b[o] << 16);
    small33_pass(in + c0, w + c0, c_n, zz, 1, bias[c0 + 1], bias[c0 + 3], a, b);
    small33_rq(a, &q[1]);
    small33_rq(b, &q[3]);
    for (o = 0; o < 4; o++) {
        uint32_t v = (e[o] & 0x00ff00ffu) |
                     ((((uint32_t)a[o] & 0xffu) | ((uint32_t)b[o] << 16)) & 0x00ff00ffu) << 8;
        v = small33_clamp4(v, lo4, hi4);
        memcpy(out + o * c_n + c0, &v, 4);
    }
}

static void small_layer(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                        const int32_t *bias, mt_requant_t rq, int8_t *out) {
    mt_dw_small_taps_t tt;
    int32_t c_n = p->in_c, c0, oy, ox, iy, ix, sq;
    /* output o = oy * out_w + ox takes input pixel (iy, ix) with tap (ky, kx) =
     * (iy - oy * stride_h + pad_top, ix - ox * stride_w + pad_left) when inside the window */
    for (oy = 0; oy < p->out_h; oy++) {
        for (ox = 0; ox < p->out_w; ox++) {
            int32_t o = oy * p->out_w + ox, n = 0;
            for (iy = 0; iy < p->in_h; iy++) {
                int32_t ky = iy - oy * p->stride_h + p->pad_top;
                if (ky < 0 || ky >= p->kh) continue;
                for (ix = 0; ix < p->in_w; ix++) {
                    int32_t kx = ix - ox * p->stride_w + p->pad_left;
                    if (kx < 0 || kx >= p->kw) continue;
                    tt.x[o][n] = (uint8_t)(iy * p->in_w + ix);
                    tt.w[o][n] = (ky * p->kw + kx) * c_n;
                    n++;
                }
            }
            tt.n[o] = (uint8_t)n;
        }
    }
    /* the 2x2 map, 3x3 window, stride 1, pad 1: output o takes pixel i with tap
     * ((i / 2 - o / 2 + 1) * 3 + i % 2 - o % 2 + 1), as small33_pass has them */
    sq = p->in_h == 2 && p->in_w == 2 && p->out_h == 2 && p->out_w == 2 && p->kw == 3;
    for (oy = 0; sq && oy < 4; oy++) {
        sq = tt.n[oy] == 4;
        for (ix = 0; sq && ix < 4; ix++) {
            sq = tt.x[oy][ix] == ix &&
                 tt.w[oy][ix] == ((ix / 2 - oy / 2 + 1) * 3 + ix % 2 - oy % 2 + 1) * c_n;
        }
    }
    for (c0 = 0; c0 < c_n; c0 += 4) {
        int32_t n_lanes = c_n - c0 < 4 ? c_n - c0 : 4;
        mt_dsp_rq_t q[4];
        mt_requant_t rq_g;
        rq_g.mult = rq.mult + c0;
        rq_g.shift = rq.shift + c0;
        if (mt_dsp_rq_prepare(q, rq_g, n_lanes, p->out_zp) && n_lanes == 4) {
            if (sq) {
                small33_group(p, in, w, bias, q, out, c0);
                continue;
            }
            small_group(p, in, w, bias, q, out, c0, 4, &tt, 1);
        } else {
            small_group(p, in, w, bias, q, out, c0, n_lanes, &tt, 0);
        }
    }
}

/* in [in_h][in_w][c] s8, w [kh][kw][c] s8, bias [c] s32, out [out_h][out_w][c] s8. */
void mt_depthwise_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                         const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    int32_t split;
    int mode = dw_mode(p, &split);
    if (mode == DW_PLANE) {
        plane_layer(p, in, w, bias, rq, out, scratch);
    } else if (mode == DW_BAND) {
        band_rows(p, in, w, bias, rq, out, (uint32_t *)scratch, 4, 0, p->out_h);
    } else if (mode == DW_BAND_TAIL) {
        band_tail(p, in, w, bias, rq, out);
    } else if (mode == DW_PLANEW) {
        planew_layer(p, in, w, bias, rq, out, (uint32_t *)scratch);
    } else if (mode == DW_RING) {
        ring_rows(p, in, w, bias, rq, out, scratch, 0, p->out_h);
    } else if (mode == DW_TAIL) {
        /* rows [split, out_h) are free until the direct path writes them; dw_mode left
         * ring_bytes + 3 there, so a word-aligned start fits */
        uintptr_t tail = (uintptr_t)(out + split * p->out_w * p->in_c);
        ring_rows(p, in, w, bias, rq, out, (void *)((tail + 3u) & ~(uintptr_t)3u), 0, split);
        direct_rows(p, in, w, bias, rq, out, split, p->out_h);
    } else {
        if ((int32_t)p->in_h * p->in_w <= MT_DW_SMALL_PIXELS) {
            small_layer(p, in, w, bias, rq, out);
        } else {
            direct_rows(p, in, w, bias, rq, out, 0, p->out_h);
        }
    }
}
