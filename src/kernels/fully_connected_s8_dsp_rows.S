/* mt_fully_connected_s8_dsp_rows5(const mt_fc_job_t *job), the DSP fully connected layer's
 * inner loop (fully_connected_s8_dsp.c): five output rows a pass over groups of 4 inputs.
 * Per group the 4 inputs are widened once by SXTAB16 (subtracting in_zp), then per row one
 * load, 2 SXTB16 and 2 SMLAD: 28 instructions per 20 MACs. Rows are addressed as w0, w0 +
 * stride, w0 + 2 stride (LSL #1), w3 = w0 + 3 stride, w3 + stride.
 * Registers: r0-r4 accumulators, r9 input, r10 row 0, r11 row 3, r12 stride, lr zz. */
#include "dsp_asm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    .syntax unified
    .thumb
    .text

/* row acc: LDR + 2 SXTB16 + 2 SMLAD against the widened input r5 (even) / r6 (odd) */
.macro ROW acc, addr:vararg
    ldr r7, \addr
    sxtb16 r8, r7
    sxtb16 r7, r7, ror #8
    smlad \acc, r5, r8, \acc
    smlad \acc, r6, r7, \acc
.endm

.macro GROUP
    ldr r5, [r9], #4
    sxtab16 r6, lr, r5, ror #8
    sxtab16 r5, lr, r5
    ROW r1, [r10, r12]
    ROW r2, [r10, r12, lsl #1]
    ROW r0, [r10], #4
    ROW r4, [r11, r12]
    ROW r3, [r11], #4
.endm

    .align 2
    .global mt_fully_connected_s8_dsp_rows5
    .type mt_fully_connected_s8_dsp_rows5, %function
    .thumb_func
mt_fully_connected_s8_dsp_rows5:
    push {r4-r11, lr}
    sub sp, sp, #12
    ldr r1, [r0, #MT_FCJ_XMID]
    ldr r2, [r0, #MT_FCJ_XEND]
    ldr r3, [r0, #MT_FCJ_A]
    stm sp, {r1-r3}             @ [sp] xmid, [sp, #4] xend, [sp, #8] a
    ldr r9, [r0, #MT_FCJ_X]
    ldr r10, [r0, #MT_FCJ_W0]
    ldr r12, [r0, #MT_FCJ_STRIDE]
    ldr lr, [r0, #MT_FCJ_ZZ]
    add r11, r12, r12, lsl #1
    add r11, r10, r11
    ldm r3, {r0-r4}
    ldr r8, [sp]
    cmp r9, r8
    beq 2f
1:  GROUP
    ldr r8, [sp]
    cmp r9, r8
    bne 1b
2:  ldr r8, [sp, #4]
    cmp r9, r8
    beq 4f
3:  GROUP
    GROUP
    GROUP
    GROUP
    GROUP
    GROUP
    GROUP
    GROUP
    ldr r8, [sp, #4]
    cmp r9, r8
    bne 3b
4:  ldr r8, [sp, #8]
    stm r8, {r0-r4}
    add sp, sp, #12
    pop {r4-r11, pc}
    .size mt_fully_connected_s8_dsp_rows5, . - mt_fully_connected_s8_dsp_rows5
#endif
