/* mt_dw_quad_group(const mt_dw_quad_job_t *job): the QUAD path of the DSP depthwise kernel
 * (depthwise_s8_dsp_quad.c): a 2x2 map under a 3x3 window with pad 1 (and any window that
 * trims to it: 5x5 pad 2, 7x7 pad 3), where every output reads all 4 pixels. Per lane, with
 * X0 = [x00 x01], X1 = [x10 x11] and the stride-1 weight words E_r = [w_r0 w_r1],
 * O_r = [w_r1 w_r2] (doubled):
 *   out00 = X0.O1 + X1.O2   out01 = X0.E1 + X1.E2   out10 = X0.O0 + X1.O1   out11 = X0.E0 + X1.E1
 * 8 SMLAD for the 16 multiply-accumulates, then the plane rows' requantization (dsp_asm.h).
 * Registers: r1 plane + 4 lane, r2 weights + 4 lane, r3 output + lane, lr channels, r0 and
 * r10-r12 accumulators, r4-r9 operands. */
#include "dsp_asm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    .syntax unified
    .thumb
    .text

#define W_BIAS2 (MT_DW_GRP_BIAS2 - MT_DW_GRP_W)
#define W_MULT (MT_DW_GRP_MULT - MT_DW_GRP_W)
#define W_K1 (MT_DW_GRP_K1 - MT_DW_GRP_W)
#define W_RSH (MT_DW_GRP_RSH - MT_DW_GRP_W)
/* weight words of row r: E at 32 r, O at 32 r + 16 (2 words a row, 4 lanes each) */
#define E(r) (32 * (r))
#define O(r) (32 * (r) + 16)

.macro RQ acc
    smmlar r4, \acc, r6, r7
    sub r4, r4, \acc, lsr #31
    asr \acc, r4, r8
    ssat \acc, #8, \acc
.endm

    .global mt_dw_quad_group
    .type mt_dw_quad_group, %function
    .thumb_func
    .align 2
mt_dw_quad_group:
    push {r4-r11, lr}
    ldr r1, [r0, #MT_DWQ_PLANE]
    ldr r2, [r0, #MT_DWQ_GROUP]
    ldr r3, [r0, #MT_DWQ_OUT]
    ldr lr, [r0, #MT_DWQ_OUT_C]
    adds r2, r2, #MT_DW_GRP_W
1:  ldr r4, [r1]                  @ X0
    ldr r5, [r1, #16]             @ X1
    ldr r6, [r2, #O(0)]
    ldr r7, [r2, #O(1)]
    ldr r8, [r2, #O(2)]
    ldr r9, [r2, #W_BIAS2]
    smlad r10, r4, r7, r9         @ out00 = bias + X0.O1
    smlad r10, r5, r8, r10        @       + X1.O2
    smlad r11, r4, r6, r9         @ out10 = bias + X0.O0
    smlad r11, r5, r7, r11        @       + X1.O1
    ldr r6, [r2, #E(0)]
    ldr r7, [r2, #E(1)]
    ldr r8, [r2, #E(2)]
    smlad r0, r4, r7, r9          @ out01 = bias + X0.E1
    smlad r0, r5, r8, r0          @       + X1.E2
    smlad r12, r4, r6, r9         @ out11 = bias + X0.E0
    smlad r12, r5, r7, r12        @       + X1.E1
    ldr r6, [r2, #W_MULT]
    ldr r7, [r2, #W_K1]
    ldr r8, [r2, #W_RSH]
    RQ r10
    RQ r0
    strb r10, [r3]
    RQ r11
    strb r0, [r3, lr]
    RQ r12
    strb r11, [r3, lr, lsl #1]
    add r5, r3, lr, lsl #1
    strb r12, [r5, lr]
    adds r1, r1, #4
    adds r2, r2, #4
    adds r3, r3, #1
    tst r2, #15                   @ the block is 16-byte aligned: 4 lanes done
    bne 1b
    pop {r4-r11, pc}
    .size mt_dw_quad_group, . - mt_dw_quad_group
#endif
