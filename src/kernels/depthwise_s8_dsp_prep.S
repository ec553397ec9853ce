/* mt_dw_prep_s1 / mt_dw_prep_s2(const mt_dw_prep_job_t *job): the doubled int16 weight
 * pairs of a channel group's 4 lanes for the plane-rows kernels (dsp_asm.h's group block).
 * Per tap: one word of the 4 lanes' int8 weights, SXTB16 into lanes [0 2] / [1 3], SADD16
 * to double; then per weight word (taps a, b) PKHBT/PKHTB give lanes 0..3's [a, b] and four
 * stores. Stride 1 walks the taps once (pairs (t, t + 1) alternate between E and O words);
 * stride 2 pairs (2i, 2i + 1) and ends with (2m, 0).
 * Registers: r0 job, r1 tap pointer, r2 tap step (channels), r3 destination, r4-r9 lanes,
 * r10-r12 and lr scratch. */
#include "dsp_asm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    .syntax unified
    .thumb
    .text

/* tap word at [r1] -> doubled lanes [0 2] in \e, [1 3] in \o; r1 advances one tap */
.macro TAP e, o
    ldr \o, [r1]
    add r1, r1, r2
    sxtb16 \e, \o
    sxtb16 \o, \o, ror #8
    sadd16 \e, \e, \e
    sadd16 \o, \o, \o
.endm

/* the 4 lanes' [a, b] words of taps (ea, oa), (eb, ob) to [\d], \d advances 16 */
.macro PAIR ea, oa, eb, ob, d
    pkhbt r12, \ea, \eb, lsl #16
    pkhbt lr, \oa, \ob, lsl #16
    str r12, [\d]
    str lr, [\d, #4]
    pkhtb r12, \eb, \ea, asr #16
    pkhtb lr, \ob, \oa, asr #16
    str r12, [\d, #8]
    str lr, [\d, #12]
    adds \d, \d, #16
.endm

/* stride 1: per row E_0..E_{m-1} (r3) then O_0..O_{m-1} (r11 = r3 + 16 m) */
    .global mt_dw_prep_s1
    .type mt_dw_prep_s1, %function
    .thumb_func
    .align 2
mt_dw_prep_s1:
    push {r4-r11, lr}
    ldr r2, [r0, #MT_DWP_C]
    ldr r3, [r0, #MT_DWP_DST]
    ldr r10, [r0, #MT_DWP_K]      @ rows left
    ldr r1, [r0, #MT_DWP_W]
1:  push {r1}                     @ the row's first tap
    ldr r9, [r0, #MT_DWP_K]
    lsrs r9, r9, #1               @ m
    add r11, r3, r9, lsl #4       @ O words
    TAP r4, r5                    @ tap 0
2:  TAP r6, r7                    @ tap 2i + 1
    PAIR r4, r5, r6, r7, r3       @ E_i
    TAP r4, r5                    @ tap 2i + 2
    PAIR r6, r7, r4, r5, r11      @ O_i
    subs r9, r9, #1
    bne 2b
    mov r3, r11                   @ next row's words follow
    pop {r1}
    ldr r6, [r0, #MT_DWP_W_ROW]
    add r1, r1, r6
    subs r10, r10, #1
    bne 1b
    pop {r4-r11, pc}
    .size mt_dw_prep_s1, . - mt_dw_prep_s1

/* stride 2: per row E_0..E_m */
    .global mt_dw_prep_s2
    .type mt_dw_prep_s2, %function
    .thumb_func
    .align 2
mt_dw_prep_s2:
    push {r4-r11, lr}
    ldr r2, [r0, #MT_DWP_C]
    ldr r3, [r0, #MT_DWP_DST]
    ldr r10, [r0, #MT_DWP_K]      @ rows left
    ldr r1, [r0, #MT_DWP_W]
    movs r8, #0
1:  push {r1}
    ldr r9, [r0, #MT_DWP_K]
    lsrs r9, r9, #1               @ m
2:  TAP r4, r5                    @ tap 2i
    TAP r6, r7                    @ tap 2i + 1
    PAIR r4, r5, r6, r7, r3       @ E_i
    subs r9, r9, #1
    bne 2b
    TAP r4, r5                    @ tap 2m
    PAIR r4, r5, r8, r8, r3       @ E_m = [w_2m, 0]
    pop {r1}
    ldr r6, [r0, #MT_DWP_W_ROW]
    add r1, r1, r6
    subs r10, r10, #1
    bne 1b
    pop {r4-r11, pc}
    .size mt_dw_prep_s2, . - mt_dw_prep_s2
#endif
