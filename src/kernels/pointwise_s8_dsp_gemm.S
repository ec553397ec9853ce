/* The whole-layer int8 GEMM behind the DSP pointwise and stem kernels (pointwise_s8_dsp.c,
 * conv_s8_dsp.c): mt_pw_gemm_k{8,16,24,28,32,40,48}, mt_pw_gemm_rgb3, mt_pw_gemm_loop
 * (const mt_pw_gemm_t *job; pointwise_s8_dsp_gemm.h). One call runs every
 * pixel pair of the job and every output-channel pair, in tiles of 2 pixels x 2 channels.
 *
 * Per group of 4 input channels and tile: 4 widened pixel words (pixel 0 even, odd, pixel 1
 * even, odd: int16 pairs of x - in_zp), one weight word per channel unpacked by SXTB16,
 * 8 SMLAD. The requantization is the plane rows' (dsp_asm.h) on acc2 = 2 acc (one LSL):
 *   out = ssat8((SMMLAR(acc2, mult) + k1 - [acc2 < 0]) >> r),  k1 = 2^(r-1) + zp 2^r.
 * The stream (mt_pw_qs_prepare): per channel pair bias[c], bias[c+1], then per channel
 * mult, k1, r; the last word also carries 0x100 (ASR by register reads the bottom byte only;
 * the tile loop tests it as the end). Outputs are saturated, not clamped (mt_pw_clamp after).
 *
 * Straight-line tiles (the depths listed above, up to 48): the widened pair lives in the stack frame,
 * so no register points at it, and the second row is an immediate offset from the first, so
 * no register holds in_c either. Per group 6 loads in one run (7 M4 cycles), 4 SXTB16,
 * 8 SMLAD: 19 cycles. Looped tiles (any in_c % 4 == 0): the widened pair in the job's scratch
 * (xb), 4 or 8 groups a pass. */
#include "dsp_asm.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
    .syntax unified
    .thumb
    .text

/* requantize \a and \b of one channel in place (r4 mult, r5 k1, r6 r; temps r8, r9) */
.macro RQ2 a, b
    lsl \a, \a, #1
    lsl \b, \b, #1
    smmlar r8, \a, r4, r5
    smmlar r9, \b, r4, r5
    sub r8, r8, \a, lsr #31
    sub r9, r9, \b, lsr #31
    asr \a, r8, r6
    asr \b, r9, r6
.endm

/* saturate r0..r3 to int8: pixel 0's two bytes in r0's low halfword, pixel 1's in r2's.
 * Leaves NZCV alone (the tile loop's TST). */
.macro SAT
    ssat r0, #8, r0
    ssat r1, #8, r1
    ssat r2, #8, r2
    ssat r3, #8, r3
    bfi r0, r1, #8, #8
    bfi r2, r3, #8, #8
.endm

/* 4 packed int8 -> 2 widened words (r2 = zz): \e, \o for word \w */
.macro WIDEN2 w, e, o
    sxtab16 \e, r2, \w
    sxtab16 \o, r2, \w, ror #8
.endm

/* ---- straight-line tiles: frame [0] (unused) [4] (unused) [8] out_step [12, F) the widened
 * pair (16 bytes a group), F = 12 + 16 g: [F] x [F+4] x_step [F+8] pairs [F+12] w [F+16] qs
 * [F+20] zz, rgb3: [F+24] x_row [F+28] zp24; then pair_adv ---- */

/* group j of both pixels (words at r0 + off, r1 + off) widened into the frame */
.macro WIDEN_W j, off
    ldr r4, [r0, #\off]
    ldr r5, [r1, #\off]
    WIDEN2 r4, r6, r4
    WIDEN2 r5, r7, r5
    str r6, [sp, #(12 + 16 * \j)]
    str r4, [sp, #(16 + 16 * \j)]
    str r7, [sp, #(20 + 16 * \j)]
    str r5, [sp, #(24 + 16 * \j)]
.endm
.macro WIDEN j, g
    WIDEN_W \j, (4 * \j)
.if (\j) + 1 < \g
    WIDEN (\j + 1), \g
.endif
.endm

/* The RGB stem's windows straight from the input (conv_s8_dsp.c, rgb3 order): r0, r1 the
 * top-left bytes of both windows, r3 the input row in bytes; per window row two words
 * (groups 2 ky and 2 ky + 1), then group 6 = the rows' last bytes and zp24 (frame word zp).
 * Leaves r0, r1 where they started. */
.macro WIDEN_RGB3 zp
    WIDEN_W 0, 0
    WIDEN_W 1, 4
    add r0, r0, r3
    add r1, r1, r3
    WIDEN_W 2, 0
    WIDEN_W 3, 4
    add r0, r0, r3
    add r1, r1, r3
    WIDEN_W 4, 0
    WIDEN_W 5, 4
    ldrb r4, [r0, #8]
    ldrb r5, [r1, #8]
    sub r0, r0, r3
    sub r1, r1, r3
    ldrb r6, [r0, #8]
    ldrb r7, [r1, #8]
    sub r0, r0, r3
    sub r1, r1, r3
    ldrb r8, [r0, #8]
    ldrb r9, [r1, #8]
    ldr r12, [sp, #\zp]
    orr r8, r8, r6, lsl #8
    orr r9, r9, r7, lsl #8
    orr r8, r8, r4, lsl #16
    orr r9, r9, r5, lsl #16
    orr r8, r8, r12
    orr r9, r9, r12
    WIDEN2 r8, r4, r5
    WIDEN2 r9, r6, r7
    str r4, [sp, #108]
    str r5, [sp, #112]
    str r6, [sp, #116]
    str r7, [sp, #120]
.endm

/* group 0: the accumulators start from the biases in r0, r1 (a10, a11 read them before
 * a00, a01 overwrite them); r11 steps to the next row pair */
.macro GROUP0 ic
    ldr r9, [r11, #\ic]
    ldr r8, [r11], #(2 * \ic)
    ldr r4, [sp, #12]
    ldr r5, [sp, #16]
    ldr r6, [sp, #20]
    ldr r7, [sp, #24]
    sxtb16 r12, r8
    sxtb16 r8, r8, ror #8
    smlad r2, r6, r12, r0
    smlad r0, r4, r12, r0
    smlad r2, r7, r8, r2
    smlad r0, r5, r8, r0
    sxtb16 r12, r9
    sxtb16 r9, r9, ror #8
    smlad r3, r6, r12, r1
    smlad r1, r4, r12, r1
    smlad r3, r7, r9, r3
    smlad r1, r5, r9, r1
.endm

/* groups j .. g - 1 (r11 already 2 ic ahead) */
.macro GROUPS j, g
    ldr r9, [r11, #(4 * (\j) - 4 * \g)]
    ldr r8, [r11, #(4 * (\j) - 8 * \g)]
    ldr r4, [sp, #(12 + 16 * (\j))]
    ldr r5, [sp, #(16 + 16 * (\j))]
    ldr r6, [sp, #(20 + 16 * (\j))]
    ldr r7, [sp, #(24 + 16 * (\j))]
    sxtb16 r12, r8
    sxtb16 r8, r8, ror #8
    smlad r2, r6, r12, r2
    smlad r0, r4, r12, r0
    smlad r2, r7, r8, r2
    smlad r0, r5, r8, r0
    sxtb16 r12, r9
    sxtb16 r9, r9, ror #8
    smlad r3, r6, r12, r3
    smlad r1, r4, r12, r1
    smlad r3, r7, r9, r3
    smlad r1, r5, r9, r1
.if (\j) + 1 < \g
    GROUPS (\j + 1), \g
.endif
.endm

/* one tile (channel pair): the biases by 2 LDR ahead of GROUP0's 6 (one run of 8 pipelined
 * loads); ends with Z clear after the last pair. r10 the stream, lr pixel 0's output. */
.macro TILE g
    ldr r1, [r10, #4]
    ldr r0, [r10], #8
    GROUP0 (4 * \g)
.if \g > 1
    GROUPS 1, \g
.endif
    ldm r10!, {r4, r5, r6}
    RQ2 r0, r2
    ldr r5, [r10, #4]
    ldr r6, [r10, #8]
    ldr r4, [r10], #12
    ldr r7, [sp, #8]
    RQ2 r1, r3
    tst r6, #256
    SAT
    strh r2, [lr, r7]
    strh r0, [lr], #2
.endm

.macro SHORT_FN name, g, rgb3=0
    .align 2
    .global \name
    .type \name, %function
    .thumb_func
\name:
    push {r4-r11, lr}
    sub sp, sp, #(40 + 16 * \g + 8 * \rgb3)
    ldr r11, [r0, #MT_PWG_PAIR_ADV]
    str r11, [sp, #(36 + 16 * \g + 8 * \rgb3)]
.if \rgb3
    ldr r11, [r0, #MT_PWG_X_ROW]
    ldr r12, [r0, #MT_PWG_ZP24]
    str r11, [sp, #(36 + 16 * \g)]
    str r12, [sp, #(40 + 16 * \g)]
.endif
    ldm r0, {r1-r8}             @ x x_step pairs out out_step w qs zz
    str r5, [sp, #8]
    add r0, sp, #(12 + 16 * \g)
    stm r0, {r1, r2, r3, r6, r7, r8}
    mov lr, r4
1:  /* pixel pair: widen into the frame */
    ldr r0, [sp, #(12 + 16 * \g)]
    ldr r1, [sp, #(16 + 16 * \g)]
    ldr r2, [sp, #(32 + 16 * \g)]
.if \rgb3
    ldr r3, [sp, #(36 + 16 * \g)]
    add r1, r1, r0
    WIDEN_RGB3 (40 + 16 * \g)
    sub r3, r1, r0
    add r3, r1, r3
.else
    add r1, r1, r0
    WIDEN 0, \g
    sub r3, r1, r0
    add r3, r1, r3
.endif
    str r3, [sp, #(12 + 16 * \g)]
    ldr r11, [sp, #(24 + 16 * \g)]
    ldr r10, [sp, #(28 + 16 * \g)]
2:  /* channel pairs; depths up to 28 take two a pass (one taken branch fewer per 2 tiles) */
    TILE \g
.if \g <= 7
    bne 3f
    TILE \g
.endif
    beq 2b
3:  ldr r0, [sp, #(36 + 16 * \g + 8 * \rgb3)]
    add lr, lr, r0              @ the next pair's o0 when pairs > 1
    ldr r0, [sp, #(20 + 16 * \g)]
    subs r0, r0, #1
    str r0, [sp, #(20 + 16 * \g)]
    bne 1b
    add sp, sp, #(40 + 16 * \g + 8 * \rgb3)
    pop {r4-r11, pc}
    .size \name, . - \name
.endm

/* ---- looped tiles, any in_c % 4 == 0: the widened pair in scratch (job xb), r10 walking
 * it, r12 = in_c (row oc + 1 at r11 + r12), lr the pair's end; 8 groups a pass, the first
 * pass entered by TBH past (8 - g % 8) % 8 of them.
 * Per group 5 loads in a row, then 1 (8 M4 cycles). Frame: [8] out_step [12] stream
 * [16] out [20] x [24] x_step [28] pairs [32] w [36] qs [40] zz [44] xb [48] entry
 * [52] pair_adv ---- */
.macro LGROUP
    ldr r5, [r10, #4]
    ldr r6, [r10, #8]
    ldr r7, [r10, #12]
    ldr r4, [r10], #16
    ldr r8, [r11, r12]
    sxtb16 r9, r8, ror #8
    sxtb16 r8, r8
    smlad r1, r4, r8, r1
    smlad r3, r6, r8, r3
    smlad r1, r5, r9, r1
    smlad r3, r7, r9, r3
    ldr r8, [r11], #4
    sxtb16 r9, r8, ror #8
    sxtb16 r8, r8
    smlad r0, r4, r8, r0
    smlad r2, r6, r8, r2
    smlad r0, r5, r9, r0
    smlad r2, r7, r9, r2
.endm

.macro LOOP_FN name
    .align 2
    .global \name
    .type \name, %function
    .thumb_func
\name:
    push {r4-r11, lr}
    sub sp, sp, #56
    ldr r11, [r0, #MT_PWG_PAIR_ADV]
    str r11, [sp, #52]
    ldm r0, {r1-r8}             @ x x_step pairs out out_step w qs zz
    ldr r11, [r0, #MT_PWG_XB]
    ldr r12, [r0, #MT_PWG_IN_C]
    str r5, [sp, #8]
    str r4, [sp, #16]
    add r0, sp, #20
    stm r0, {r1, r2, r3, r6, r7, r8, r11}
    lsrs r0, r12, #2            @ groups to skip in the first pass: (8 - g % 8) % 8
    rsbs r0, r0, #0
    and r0, r0, #7
    str r0, [sp, #48]
1:  /* pixel pair: widen into xb */
    ldr r0, [sp, #20]
    ldr r1, [sp, #24]
    ldr r2, [sp, #40]
    ldr r10, [sp, #44]
    add r1, r1, r0
    mov r3, r12
4:  ldr r8, [r0], #4
    ldr r9, [r1], #4
    WIDEN2 r8, r4, r5
    WIDEN2 r9, r6, r7
    stm r10!, {r4-r7}
    subs r3, r3, #4
    bne 4b
    str r1, [sp, #20]           @ x1 + in_c: the next pair's x when pairs > 1
    mov lr, r10
    sub r10, r10, r12, lsl #2
    ldr r11, [sp, #32]
    ldr r0, [sp, #36]
    str r0, [sp, #12]
2:  /* channel pair */
    ldr r8, [sp, #12]
    ldm r8!, {r0, r1}
    str r8, [sp, #12]
    mov r2, r0
    mov r3, r1
    ldr r4, [sp, #48]
    tbh [pc, r4, lsl #1]
6:  .hword (5f - 6b) / 2, (21f - 6b) / 2, (22f - 6b) / 2, (23f - 6b) / 2
    .hword (24f - 6b) / 2, (25f - 6b) / 2, (26f - 6b) / 2, (27f - 6b) / 2
5:  LGROUP
21: LGROUP
22: LGROUP
23: LGROUP
24: LGROUP
25: LGROUP
26: LGROUP
27: LGROUP
    cmp r10, lr
    bne 5b
    ldr r10, [sp, #12]
    add r11, r11, r12
    ldm r10!, {r4, r5, r6}
    RQ2 r0, r2
    ldm r10!, {r4, r5, r6}
    str r10, [sp, #12]
    RQ2 r1, r3
    tst r6, #256
    ldr r7, [sp, #16]
    SAT
    ldr r6, [sp, #8]
    strh r2, [r7, r6]
    strh r0, [r7], #2
    str r7, [sp, #16]
    sub r10, lr, r12, lsl #2
    beq 2b
    ldr r6, [sp, #52]
    add r7, r7, r6
    str r7, [sp, #16]
    ldr r0, [sp, #28]
    subs r0, r0, #1
    str r0, [sp, #28]
    bne 1b
    add sp, sp, #56
    pop {r4-r11, pc}
    .size \name, . - \name
.endm

    SHORT_FN mt_pw_gemm_k8, 2
    SHORT_FN mt_pw_gemm_k16, 4
    SHORT_FN mt_pw_gemm_k24, 6
    SHORT_FN mt_pw_gemm_k28, 7
    SHORT_FN mt_pw_gemm_k32, 8
    SHORT_FN mt_pw_gemm_k40, 10
    SHORT_FN mt_pw_gemm_k48, 12
    SHORT_FN mt_pw_gemm_rgb3, 7, 1
    LOOP_FN mt_pw_gemm_loop
#endif
