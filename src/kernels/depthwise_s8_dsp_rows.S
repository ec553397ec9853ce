/* The PLANES path's kernels (depthwise_s8_dsp_planes.c): whole rows of int16 planes, the 4
 * lanes of a channel group, one call. mt_dw_rows_k{3,5,7}s{1,2}_{n,w}(const mt_dw_rows_job_t *)
 * for window size K, stride and the narrow or wide plane pitch (dsp_asm.h).
 *
 * A pass computes 4 outputs of one lane and one row with SMLAD on pairs of adjacent taps.
 * Plane words of the lane: P_i = pixels [2i, 2i + 1] from the pass's first column, at
 * plane + 16 i (4 lanes interleaved); rows a fixed pitch apart (one function per pitch), so
 * every load of a window is an immediate offset from one pointer. Weights are doubled int16
 * pairs from the group block (K = 2m + 1):
 *   stride 1, outputs A B C D at columns x .. x + 3 (x even): with E_i = [w_2i, w_2i+1] and
 *     O_i = [w_2i+1, w_2i+2],  A = sum P_i E_i + P_m.lo w_2m (SMLABT with O_{m-1}),
 *     B = P_0.hi w_0 (SMLATB) + sum P_i+1 O_i, C and D the same one word further:
 *     4 (m + 1) multiplies per 4 K MACs a window row (K = 3: 8 per 12).
 *   stride 2, outputs at columns x, x + 2, x + 4, x + 6: output j = sum_i P_j+i E_i with
 *     E_m = [w_2m, 0]: 4 (m + 1) multiplies a window row.
 * Loads run in groups of 3 to 6 (pipelined, 1 cycle each after the first). Requantization
 * (bit-exact): acc2 = 2 acc (doubled weights and bias), then
 *   out = ssat8((SMMLAR(acc2, mult) + k1 - [acc2 < 0]) >> r),  k1 = 2^(r-1) + zp 2^r,
 * since SMMLAR(2a, m) = floor((a m + 2^30) / 2^31) is gemmlowp's rounding doubling high
 * multiply, and (y + 2^(r-1) - [y < 0]) >> r its rounding divide ([y < 0] may read [a < 0]:
 * they differ only where y = 0, which gives the same result). A slow lane (RSH < 0) computes
 * garbage that the C kernel then overwrites from the same planes. A row's last partial pass
 * stores into a stack buffer that is then copied, so no pass writes outside the row.
 * Registers: r0-r3 accumulators A-D, r4 the lane's weights, r5 the pass's plane word,
 * r6-r10 loads, r11 passes left, r12 output, lr bytes between output pixels. */
#include "dsp_asm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    .syntax unified
    .thumb
    .text

/* stack frame */
#define F_ROW_PLANE 0
#define F_ROW_OUT 4
#define F_ROWS_LEFT 8
#define F_ROW_STEP 12
#define F_OUT_ROW 16
#define F_N_FULL 20
#define F_TAIL 24
#define F_IN_TAIL 28
#define F_OP_SAVE 32
#define F_TAILBUF 36     /* 16 bytes: [output][lane] of a partial pass */
#define F_OC_SAVE 52
#define F_SIZE 60        /* + 36 pushed = 96, 8-byte aligned */

/* constants relative to r4 = the group block's weights + 4 * lane */
#define W_BIAS2 (MT_DW_GRP_BIAS2 - MT_DW_GRP_W)
#define W_MULT (MT_DW_GRP_MULT - MT_DW_GRP_W)
#define W_K1 (MT_DW_GRP_K1 - MT_DW_GRP_W)
#define W_RSH (MT_DW_GRP_RSH - MT_DW_GRP_W)

/* ---- window rows: plane row offset ro, weight row offset wo ---- */
/* The first E0 products of a pass: with first, every accumulator starts from the bias in r0
 * (B, C, D take it before A overwrites r0); P0, P1 in r6, r7, E0 in r9 (stride 1). */
.macro FIRST_E0_S1 first
.if \first
    smlatb r1, r6, r9, r0       @ B = bias + x1 w0
    smlad r2, r7, r9, r0        @ C = bias + P1 E0
    smlatb r3, r7, r9, r0       @ D = bias + x3 w0
    smlad r0, r6, r9, r0        @ A = bias + P0 E0
.else
    smlad r0, r6, r9, r0        @ A += P0 E0
    smlatb r1, r6, r9, r1       @ B += x1 w0
    smlad r2, r7, r9, r2        @ C += P1 E0
    smlatb r3, r7, r9, r3       @ D += x3 w0
.endif
.endm

.macro BIAS first
.if \first
    ldr r0, [r4, #W_BIAS2]      @ (in the row's load run)
.endif
.endm

.macro ROW_K3S1 ro, wo, first
    ldr r6, [r5, #\ro]          @ P0
    ldr r7, [r5, #\ro + 16]     @ P1
    ldr r8, [r5, #\ro + 32]     @ P2
    ldr r9, [r4, #\wo]          @ E0
    ldr r10, [r4, #\wo + 16]     @ O0
    BIAS \first
    FIRST_E0_S1 \first
    smlabt r0, r7, r10, r0      @ A += x2 w2
    smlad r1, r7, r10, r1       @ B += P1 O0
    smlabt r2, r8, r10, r2      @ C += x4 w2
    smlad r3, r8, r10, r3       @ D += P2 O0
.endm

.macro ROW_K5S1 ro, wo, first
    ldr r6, [r5, #\ro]          @ P0
    ldr r7, [r5, #\ro + 16]     @ P1
    ldr r8, [r5, #\ro + 32]     @ P2
    ldr r9, [r4, #\wo]          @ E0
    ldr r10, [r4, #\wo + 32]    @ O0
    BIAS \first
    FIRST_E0_S1 \first
    smlad r1, r7, r10, r1       @ B += P1 O0
    smlad r3, r8, r10, r3       @ D += P2 O0
    ldr r6, [r4, #\wo + 16]      @ E1
    ldr r9, [r4, #\wo + 48]     @ O1
    ldr r10, [r5, #\ro + 48]    @ P3
    smlad r0, r7, r6, r0        @ A += P1 E1
    smlad r2, r8, r6, r2        @ C += P2 E1
    smlabt r0, r8, r9, r0       @ A += x4 w4
    smlad r1, r8, r9, r1        @ B += P2 O1
    smlabt r2, r10, r9, r2      @ C += x6 w4
    smlad r3, r10, r9, r3       @ D += P3 O1
.endm

.macro ROW_K7S1 ro, wo, first
    ldr r6, [r5, #\ro]          @ P0
    ldr r7, [r5, #\ro + 16]     @ P1
    ldr r8, [r5, #\ro + 32]     @ P2
    ldr r9, [r4, #\wo]          @ E0
    ldr r10, [r4, #\wo + 48]    @ O0
    BIAS \first
    FIRST_E0_S1 \first
    smlad r1, r7, r10, r1       @ B += P1 O0
    smlad r3, r8, r10, r3       @ D += P2 O0
    ldr r6, [r4, #\wo + 16]      @ E1
    ldr r9, [r4, #\wo + 64]     @ O1
    ldr r10, [r5, #\ro + 48]    @ P3
    smlad r0, r7, r6, r0        @ A += P1 E1
    smlad r2, r8, r6, r2        @ C += P2 E1
    smlad r1, r8, r9, r1        @ B += P2 O1
    smlad r3, r10, r9, r3       @ D += P3 O1
    ldr r7, [r4, #\wo + 32]      @ E2
    ldr r6, [r4, #\wo + 80]     @ O2
    ldr r9, [r5, #\ro + 64]     @ P4
    smlad r0, r8, r7, r0        @ A += P2 E2
    smlad r2, r10, r7, r2       @ C += P3 E2
    smlabt r0, r10, r6, r0      @ A += x6 w6
    smlad r1, r10, r6, r1       @ B += P3 O2
    smlabt r2, r9, r6, r2       @ C += x8 w6
    smlad r3, r9, r6, r3        @ D += P4 O2
.endm

/* stride 2: output j = sum_i P_{j+i} E_i; P_k in r6-r9 by k mod 4 (P4 reuses P0's) */
.macro ROW_S2 k, ro, wo, first
    ldr r6, [r5, #\ro]          @ P0
    ldr r7, [r5, #\ro + 16]     @ P1
    ldr r8, [r5, #\ro + 32]     @ P2
    ldr r9, [r5, #\ro + 48]     @ P3
    ldr r10, [r4, #\wo]         @ E0
    BIAS \first
.if \first
    smlad r1, r7, r10, r0       @ (from the bias: A last)
    smlad r2, r8, r10, r0
    smlad r3, r9, r10, r0
    smlad r0, r6, r10, r0
.else
    smlad r0, r6, r10, r0
    smlad r1, r7, r10, r1
    smlad r2, r8, r10, r2
    smlad r3, r9, r10, r3
.endif
    ldr r10, [r4, #\wo + 16]     @ E1
    ldr r6, [r5, #\ro + 64]     @ P4
    smlad r0, r7, r10, r0
    smlad r1, r8, r10, r1
    smlad r2, r9, r10, r2
    smlad r3, r6, r10, r3
.if \k >= 5
    ldr r10, [r4, #\wo + 32]     @ E2
    ldr r7, [r5, #\ro + 80]     @ P5
    smlad r0, r8, r10, r0
    smlad r1, r9, r10, r1
    smlad r2, r6, r10, r2
    smlad r3, r7, r10, r3
.endif
.if \k >= 7
    ldr r10, [r4, #\wo + 48]    @ E3
    ldr r8, [r5, #\ro + 96]     @ P6
    smlad r0, r9, r10, r0
    smlad r1, r6, r10, r1
    smlad r2, r7, r10, r2
    smlad r3, r8, r10, r3
.endif
.endm

.macro ROW k, s, pitch, ky
.if \s == 1
    ROW_K\k\()S1 (\ky * \pitch), (\ky * 16 * (\k - 1)), (\ky == 0)
.else
    ROW_S2 \k, (\ky * \pitch), (\ky * 16 * ((\k + 1) / 2)), (\ky == 0)
.endif
.endm

/* acc -> requantized, saturated int8 (r6 mult, r7 k1, r8 r; r9 scratch) */
.macro RQ acc
    smmlar r9, \acc, r6, r7
    sub r9, r9, \acc, lsr #31
    asr \acc, r9, r8
    ssat \acc, #8, \acc
.endm

/* One pass: 4 outputs of one lane, stored at r12, r12 + lr, r12 + 2 lr, r12 + 3 lr */
.macro PASS k, s, pitch
    ROW \k, \s, \pitch, 0
    ROW \k, \s, \pitch, 1
    ROW \k, \s, \pitch, 2
.if \k >= 5
    ROW \k, \s, \pitch, 3
    ROW \k, \s, \pitch, 4
.endif
.if \k >= 7
    ROW \k, \s, \pitch, 5
    ROW \k, \s, \pitch, 6
.endif
    ldr r6, [r4, #W_MULT]
    ldr r7, [r4, #W_K1]
    ldr r8, [r4, #W_RSH]
    RQ r0
    RQ r1
    strb r0, [r12]
    RQ r2
    strb r1, [r12, lr]
    RQ r3
    strb r2, [r12, lr, lsl #1]
    add r9, r12, lr, lsl #1
    strb r3, [r9, lr]
.endm

/* Rows outer, passes, the 4 lanes inner (r4, r5, r12 step by 4, 4, 1; the group block is
 * 16-byte aligned, so r4's low bits count the lanes). */
.macro ROWS_FUNC name, k, s, pitch
    .global \name
    .type \name, %function
    .thumb_func
    .align 2
\name:
    push {r4-r11, lr}
    sub sp, sp, #F_SIZE
    ldr r1, [r0, #MT_DWR_PLANE]
    ldr r2, [r0, #MT_DWR_OUT]
    ldr r3, [r0, #MT_DWR_N_ROWS]
    ldr r4, [r0, #MT_DWR_ROW_STEP]
    ldr r5, [r0, #MT_DWR_OUT_ROW]
    ldr r6, [r0, #MT_DWR_N_FULL]
    ldr r7, [r0, #MT_DWR_TAIL]
    str r1, [sp, #F_ROW_PLANE]
    str r2, [sp, #F_ROW_OUT]
    str r3, [sp, #F_ROWS_LEFT]
    str r4, [sp, #F_ROW_STEP]
    str r5, [sp, #F_OUT_ROW]
    str r6, [sp, #F_N_FULL]
    str r7, [sp, #F_TAIL]
    movs r1, #0
    str r1, [sp, #F_IN_TAIL]
    ldr r4, [r0, #MT_DWR_GROUP]
    ldr lr, [r0, #MT_DWR_OUT_C]
    adds r4, r4, #MT_DW_GRP_W
2:  /* row */
    ldr r5, [sp, #F_ROW_PLANE]
    ldr r12, [sp, #F_ROW_OUT]
    ldr r11, [sp, #F_N_FULL]
    cmp r11, #0
    beq 4f
3:  /* pass: 4 lanes */
    PASS \k, \s, \pitch
    adds r4, r4, #4
    adds r5, r5, #4
    add r12, r12, #1
    tst r4, #15
    bne 3b
    subs r4, r4, #16
    add r5, r5, #(32 * \s - 16)
    add r12, r12, lr, lsl #2
    subs r12, r12, #4
    subs r11, r11, #1
    bne 3b
4:  /* after the passes: a partial one into the stack buffer ([output][lane], 4 bytes per
     * output), then its copy */
    ldr r7, [sp, #F_IN_TAIL]
    cbnz r7, 5f
    ldr r7, [sp, #F_TAIL]
    cbz r7, 7f
    movs r7, #1
    str r7, [sp, #F_IN_TAIL]
    str r12, [sp, #F_OP_SAVE]
    add r12, sp, #F_TAILBUF
    str lr, [sp, #F_OC_SAVE]
    movs r11, #1
    mov lr, #4
    b 3b
5:  movs r7, #0
    str r7, [sp, #F_IN_TAIL]
    ldr lr, [sp, #F_OC_SAVE]
    ldr r12, [sp, #F_OP_SAVE]
    ldr r7, [sp, #F_TAIL]
    add r6, sp, #F_TAILBUF
6:  ldr r8, [r6], #4
    str r8, [r12]
    add r12, r12, lr
    subs r7, r7, #1
    bne 6b
7:  /* next row */
    ldr r1, [sp, #F_ROW_PLANE]
    ldr r2, [sp, #F_ROW_STEP]
    ldr r3, [sp, #F_ROW_OUT]
    ldr r6, [sp, #F_OUT_ROW]
    ldr r7, [sp, #F_ROWS_LEFT]
    add r1, r1, r2
    add r3, r3, r6
    str r1, [sp, #F_ROW_PLANE]
    str r3, [sp, #F_ROW_OUT]
    subs r7, r7, #1
    str r7, [sp, #F_ROWS_LEFT]
    bne 2b
    add sp, sp, #F_SIZE
    pop {r4-r11, pc}
    .size \name, . - \name
.endm

    ROWS_FUNC mt_dw_rows_k3s1_n, 3, 1, MT_DW_PITCH_NARROW
    ROWS_FUNC mt_dw_rows_k5s1_n, 5, 1, MT_DW_PITCH_NARROW
    ROWS_FUNC mt_dw_rows_k7s1_n, 7, 1, MT_DW_PITCH_NARROW
    ROWS_FUNC mt_dw_rows_k3s2_n, 3, 2, MT_DW_PITCH_NARROW
    ROWS_FUNC mt_dw_rows_k5s2_n, 5, 2, MT_DW_PITCH_NARROW
    ROWS_FUNC mt_dw_rows_k7s2_n, 7, 2, MT_DW_PITCH_NARROW
    ROWS_FUNC mt_dw_rows_k3s1_w, 3, 1, MT_DW_PITCH_WIDE
    ROWS_FUNC mt_dw_rows_k5s1_w, 5, 1, MT_DW_PITCH_WIDE
    ROWS_FUNC mt_dw_rows_k7s1_w, 7, 1, MT_DW_PITCH_WIDE
    ROWS_FUNC mt_dw_rows_k3s2_w, 3, 2, MT_DW_PITCH_WIDE
    ROWS_FUNC mt_dw_rows_k5s2_w, 5, 2, MT_DW_PITCH_WIDE
    ROWS_FUNC mt_dw_rows_k7s2_w, 7, 2, MT_DW_PITCH_WIDE
#endif
