/* mt_dw_widen(const mt_dw_widen_job_t *job), the PLANES path's row widening
 * (depthwise_s8_dsp_planes.c): rows of pixels of 4 int8 channels -> int16 minus in_zp, one
 * word per lane and pixel pair (dsp_asm.h's plane layout). Per row: a lead pixel alone in
 * the second half of its pair ([0, x]), then pairs (2 loads, 4 SXTAB16 subtracting in_zp,
 * 4 PKHBT/PKHTB, 4 stores), then a last pixel alone in the first half ([x, 0]).
 * Registers: r0 job, r1 source, r2 source pixel step, r3 destination, r4 pixels left,
 * r5 zz, r6-r9 and r12 words, r10 pairs left, r11 rows left. */
#include "dsp_asm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    .syntax unified
    .thumb
    .text
/* one pixel pair: 2 loads, 4 SXTAB16, 4 PKH, 4 stores; r1 and r3 advance */
.macro WIDEN_PAIR
    ldr r6, [r1]                  @ pixel a, lanes 0-3
    ldr r7, [r1, r2]              @ pixel b
    add r1, r1, r2, lsl #1
    sxtab16 r8, r5, r6            @ [a0 a2] - zp
    sxtab16 r6, r5, r6, ror #8    @ [a1 a3] - zp
    sxtab16 r9, r5, r7            @ [b0 b2] - zp
    sxtab16 r7, r5, r7, ror #8    @ [b1 b3] - zp
    pkhbt r12, r8, r9, lsl #16    @ lane 0 [a0 b0]
    pkhtb r8, r9, r8, asr #16     @ lane 2 [a2 b2]
    pkhbt r9, r6, r7, lsl #16     @ lane 1 [a1 b1]
    pkhtb r6, r7, r6, asr #16     @ lane 3 [a3 b3]
    str r12, [r3]
    str r9, [r3, #4]
    str r8, [r3, #8]
    str r6, [r3, #12]
    adds r3, r3, #16
.endm

    .global mt_dw_widen
    .type mt_dw_widen, %function
    .thumb_func
    .align 2
mt_dw_widen:
    push {r4-r11}
    sub sp, sp, #8
    ldr r1, [r0, #MT_DWW_SRC]
    ldr r2, [r0, #MT_DWW_SRC_STEP]
    ldr r3, [r0, #MT_DWW_DST]
    ldr r5, [r0, #MT_DWW_ZZ]
    ldr r11, [r0, #MT_DWW_ROWS]
0:  /* row */
    str r1, [sp]
    str r3, [sp, #4]
    ldr r4, [r0, #MT_DWW_PIXELS]
    ldr r6, [r0, #MT_DWW_LEAD]
    cbz r6, 2f
    ldr r6, [r1]                  @ lead pixel: [0, x]
    add r1, r1, r2
    sxtab16 r7, r5, r6            @ [x0 x2] - zp
    sxtab16 r6, r5, r6, ror #8    @ [x1 x3] - zp
    lsl r8, r7, #16               @ lane 0 [0 x0]
    lsl r9, r6, #16               @ lane 1 [0 x1]
    bfc r7, #0, #16               @ lane 2 [0 x2]
    bfc r6, #0, #16               @ lane 3 [0 x3]
    str r8, [r3]
    str r9, [r3, #4]
    str r7, [r3, #8]
    str r6, [r3, #12]
    adds r3, r3, #16
    subs r4, r4, #1
2:  lsrs r10, r4, #1              @ pairs
    beq 3f
    tst r10, #1
    beq 1f
    WIDEN_PAIR                    @ an odd pair first, then two a pass
    subs r10, r10, #1
    beq 3f
1:  WIDEN_PAIR
    WIDEN_PAIR
    subs r10, r10, #2
    bne 1b
3:  tst r4, #1
    beq 4f
    ldr r6, [r1]                  @ last pixel: [x, 0]
    sxtab16 r7, r5, r6
    sxtab16 r6, r5, r6, ror #8
    uxth r8, r7                   @ lane 0 [x0 0]
    uxth r9, r6                   @ lane 1 [x1 0]
    lsrs r7, r7, #16              @ lane 2 [x2 0]
    lsrs r6, r6, #16              @ lane 3 [x3 0]
    str r8, [r3]
    str r9, [r3, #4]
    str r7, [r3, #8]
    str r6, [r3, #12]
4:  ldr r1, [sp]                  @ next row
    ldr r3, [sp, #4]
    ldr r6, [r0, #MT_DWW_SRC_ROW]
    ldr r7, [r0, #MT_DWW_DST_ROW]
    add r1, r1, r6
    add r3, r3, r7
    subs r11, r11, #1
    bne 0b
    add sp, sp, #8
    pop {r4-r11}
    bx lr
    .size mt_dw_widen, . - mt_dw_widen
#endif
