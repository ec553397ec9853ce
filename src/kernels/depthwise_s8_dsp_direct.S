/* mt_dw_direct_group(const mt_dw_direct_job_t *job): the DIRECT path of the DSP depthwise
 * kernel (depthwise_s8_dsp_direct.c), one group of 4 channels of a map of at most 4 output
 * pixels. Per pixel, over its taps inside the input (a rectangle), per tap: one word of 4
 * input channels and one of 4 weights, SXTAB16 (subtracting in_zp) / SXTB16 into lanes
 * [0 2] and [1 3], then SMLABB/SMLATT into 4 accumulators. Requantization as the plane
 * rows (dsp_asm.h): acc2 = 2 (acc + bias), (SMMLAR(acc2, mult) + k1 - [acc2 < 0]) >> r,
 * saturated; the 4 lanes packed into one word per pixel, kept on the stack and stored after
 * every pixel is computed (so out may equal in).
 * Registers in the tap loop: r0-r3 lanes 0-3, r4 input, r5 weights, r6 offset in the row,
 * r7-r10 words and lanes, r11 columns left, r12 zz, lr channels (bytes per tap). */
#include "dsp_asm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    .syntax unified
    .thumb
    .text

#if MT_DWD_TAP_WORDS != 5
#error "the pixel loop multiplies by 5 (add r1, r1, r1, lsl #2)"
#endif

#define F_JOB 0
#define F_PXI 4     /* pixel index */
#define F_TAP 8     /* this pixel's tap rectangle */
#define F_ROWS 12   /* rows left */
#define F_BUF 16    /* MT_DWD_MAX_PX words: packed results */
#define F_SIZE 36   /* + 36 pushed = 72 */

/* lane k of acc: requantize and saturate (r4 the constants; r5-r8 scratch) */
.macro RQ acc, k
    ldr r5, [r4, #(MT_DWD_K_BIAS + 4 * \k)]
    ldr r6, [r4, #(MT_DWD_K_MULT + 4 * \k)]
    ldr r7, [r4, #(MT_DWD_K_K1 + 4 * \k)]
    ldr r8, [r4, #(MT_DWD_K_RSH + 4 * \k)]
    add \acc, \acc, r5
    lsl \acc, \acc, #1
    smmlar r5, \acc, r6, r7
    sub r5, r5, \acc, lsr #31
    asr \acc, r5, r8
    ssat \acc, #8, \acc
.endm

    .global mt_dw_direct_group
    .type mt_dw_direct_group, %function
    .thumb_func
    .align 2
mt_dw_direct_group:
    push {r4-r11, lr}
    sub sp, sp, #F_SIZE
    str r0, [sp, #F_JOB]
    ldr r12, [r0, #MT_DWD_ZZ]
    ldr lr, [r0, #MT_DWD_C]
    movs r1, #0
    str r1, [sp, #F_PXI]
1:  /* pixel */
    ldr r8, [sp, #F_JOB]
    ldr r1, [sp, #F_PXI]
    ldr r7, [r8, #MT_DWD_TAPS]
    add r1, r1, r1, lsl #2
    add r7, r7, r1, lsl #2        @ taps + 4 * MT_DWD_TAP_WORDS * px
    ldr r4, [r8, #MT_DWD_IN]
    ldr r5, [r8, #MT_DWD_W]
    ldr r9, [r7, #MT_DWD_TAP_X]
    ldr r10, [r7, #MT_DWD_TAP_W]
    ldr r11, [r7, #MT_DWD_TAP_ROWS]
    add r4, r4, r9
    add r5, r5, r10
    str r11, [sp, #F_ROWS]
    str r7, [sp, #F_TAP]
    movs r0, #0
    movs r1, #0
    movs r2, #0
    movs r3, #0
    cmp r11, #0
    beq 4f
2:  /* row */
    ldr r7, [sp, #F_TAP]
    ldr r11, [r7, #MT_DWD_TAP_COLS]
    movs r6, #0
3:  /* tap */
    ldr r8, [r4, r6]              @ 4 input channels
    ldr r10, [r5, r6]             @ 4 weights
    add r6, r6, lr
    sxtab16 r9, r12, r8           @ [x0 x2] - zp
    sxtab16 r8, r12, r8, ror #8   @ [x1 x3] - zp
    sxtb16 r7, r10                @ [w0 w2]
    sxtb16 r10, r10, ror #8       @ [w1 w3]
    smlabb r0, r9, r7, r0
    smlatt r2, r9, r7, r2
    smlabb r1, r8, r10, r1
    smlatt r3, r8, r10, r3
    subs r11, r11, #1
    bne 3b
    ldr r8, [sp, #F_JOB]          @ next row
    ldr r11, [sp, #F_ROWS]
    ldr r9, [r8, #MT_DWD_IN_ROW]
    ldr r10, [r8, #MT_DWD_W_ROW]
    add r4, r4, r9
    add r5, r5, r10
    subs r11, r11, #1
    str r11, [sp, #F_ROWS]
    bne 2b
4:  /* requantize the 4 lanes, pack, keep */
    ldr r8, [sp, #F_JOB]
    ldr r4, [r8, #MT_DWD_CONSTS]
    RQ r0, 0
    RQ r1, 1
    RQ r2, 2
    RQ r3, 3
    bfi r0, r1, #8, #8
    bfi r0, r2, #16, #8
    bfi r0, r3, #24, #8
    ldr r1, [sp, #F_PXI]
    add r2, sp, #F_BUF
    ldr r8, [sp, #F_JOB]
    str r0, [r2, r1, lsl #2]
    ldr r3, [r8, #MT_DWD_N_PX]
    adds r1, r1, #1
    str r1, [sp, #F_PXI]
    cmp r1, r3
    bne 1b
    /* every read done: store the pixels */
    ldr r2, [r8, #MT_DWD_OUT]
    ldr r7, [r8, #MT_DWD_TAPS]
    add r4, sp, #F_BUF
5:  ldr r0, [r4], #4
    ldr r5, [r7, #MT_DWD_TAP_OUT]
    adds r7, r7, #(4 * MT_DWD_TAP_WORDS)
    str r0, [r2, r5]
    subs r3, r3, #1
    bne 5b
    add sp, sp, #F_SIZE
    pop {r4-r11, pc}
    .size mt_dw_direct_group, . - mt_dw_direct_group
#endif
