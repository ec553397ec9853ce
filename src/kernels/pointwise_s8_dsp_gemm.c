/* The whole-layer int8 GEMM behind the DSP pointwise and stem kernels: one assembly call runs
 * every pixel pair and every output-channel pair, in tiles of 2 pixels x 2 output channels,
 * bit for bit like mt_pointwise_s8_ref. Reads only its job's pixels, weights and stream, writes
 * only the outputs; never allocates. Cycle counts: docs/performance.md, "Pointwise". */
#include "pointwise_s8_dsp_gemm.h"

int mt_pw_qs_prepare(int32_t *qs, const int32_t *bias, mt_requant_t rq, int32_t out_c,
                     int32_t out_zp) {
    int32_t c, k;
    for (c = 0; c < out_c; c += 2) {
        int32_t *e = qs + 4 * c;
        e[0] = bias[c];
        e[1] = bias[c + 1];
        for (k = 0; k < 2; k++) {
            int32_t r = -rq.shift[c + k], m = rq.mult[c + k];
            if (m <= 0 || r < 2 || r > MT_DSP_RQ_MAX_RIGHT) return 0;
            /* K = 2^30 + 2^(30+r) + zp * 2^(31+r) as in mt_dsp_rq_prepare, k_lo = 2^30 */
            e[2 + 3 * k] = m;
            e[3 + 3 * k] = (int32_t)((1u << (r - 2)) + ((uint32_t)out_zp << (r - 1)));
            e[4 + 3 * k] = r - 1;
        }
    }
    qs[4 * out_c - 1] |= 0x100;
    return 1;
}

void mt_pw_clamp(int8_t *out, int32_t n, int32_t act_min, int32_t act_max) {
    int32_t i = 0;
    if (act_min <= -128 && act_max >= 127) return;
#if MT_DSP_ASM
    {
        uint32_t lo4 = mt_dup4(act_min), hi4 = mt_dup4(act_max), a, b, t;
        /* two words a pass (unaligned LDR/STR are fine on the M4/M7), SSUB8/SEL per bound */
        for (; i + 8 <= n; i += 8) {
            a = mt_ld4(out + i);
            b = mt_ld4(out + i + 4);
            if (act_min > -128) {
                __asm__("ssub8 %2, %0, %3\n\t"
                        "sel %0, %0, %3\n\t"
                        "ssub8 %2, %1, %3\n\t"
                        "sel %1, %1, %3"
                        : "+r"(a), "+r"(b), "=&r"(t)
                        : "r"(lo4)
                        : "cc");
            }
            if (act_max < 127) {
                __asm__("ssub8 %2, %3, %0\n\t"
                        "sel %0, %0, %3\n\t"
                        "ssub8 %2, %3, %1\n\t"
                        "sel %1, %1, %3"
                        : "+r"(a), "+r"(b), "=&r"(t)
                        : "r"(hi4)
                        : "cc");
            }
            memcpy(out + i, &a, 4);
            memcpy(out + i + 4, &b, 4);
        }
    }
#endif
    for (; i < n; i++) out[i] = mt_dsp_clamp(out[i], act_min, act_max);
}

int mt_pw_gemm_supported(int32_t in_c) {
#if MT_DSP_ASM
    return in_c % 4 == 0 && ((in_c >= 8 && in_c <= 28) || (in_c >= 32 && in_c % 8 == 0));
#else
    (void)in_c;
    return 0;
#endif
}

#if MT_DSP_ASM
/* Register use in every tile (2 pixels x output channels oc, oc + 1):
 *   r0..r3  accumulators a00 a01 a10 a11 (pixel, channel), then the requantized outputs
 *   r4..r7  the widened pixel pair of one group of 4 input channels: p0 even, p0 odd, p1 even,
 *           p1 odd (int16 pairs, in_zp subtracted); in the glue the requantization constants
 *   r8, r9  the group's weight words of rows oc and oc + 1, unpacked by SXTB16 (r12 the even
 *           half in the straight-line tiles)
 *   r11     row oc of the weights.
 * Per group: 6 loads in a row (7 M4 cycles: a load after a load pipelines), 4 SXTB16, 8 SMLAD.
 *
 * Requantization of the accumulators of one channel (constants r4 mult, r5 k_hi, r6 r - 1):
 * the 64-bit K - [x<0] * 2^31 of dsp_util.h with k_lo = 2^30 (r >= 2) is
 * lo = 2^30 | (x & 2^31), hi = k_hi + (x >> 31): AND, ORR, ADD (no flags), then SMLAL and the
 * shift of the high word, 5 instructions as before but one constant fewer to load. */
__asm__(
    "    .syntax unified\n"
    "    .thumb\n"
    /* requantize \a and \b in place, temps r8 r9 r12 and \t (r7, or r5 itself: k_hi's
     * last read is the ADD that writes it) */
    "    .macro MT_PW_RQ2 a, b, t=r7\n"
    "    and r8, \\a, #0x80000000\n"
    "    and r12, \\b, #0x80000000\n"
    "    orr r8, r8, #0x40000000\n"
    "    orr r12, r12, #0x40000000\n"
    "    add r9, r5, \\a, asr #31\n"
    "    add \\t, r5, \\b, asr #31\n"
    "    smlal r8, r9, \\a, r4\n"
    "    smlal r12, \\t, \\b, r4\n"
    "    asr \\a, r9, r6\n"
    "    asr \\b, \\t, r6\n"
    "    .endm\n"
    /* one output, temps r8 r9 */
    "    .macro MT_PW_RQ1 a\n"
    "    and r8, \\a, #0x80000000\n"
    "    orr r8, r8, #0x40000000\n"
    "    add r9, r5, \\a, asr #31\n"
    "    smlal r8, r9, \\a, r4\n"
    "    asr \\a, r9, r6\n"
    "    .endm\n"
    /* saturate r0..r3 to int8: pixel 0's two bytes in r0's low halfword, pixel 1's in r2's;
     * r6 = the frame's out_step. No act_min/act_max clamp here (mt_pw_clamp afterwards, only
     * where it is not the int8 range: saves 8 M4 cycles a tile). Leaves NZCV alone (the tile
     * loop's TST). */
    "    .macro MT_PW_PACK\n"
    "    ssat r0, #8, r0\n"
    "    ssat r1, #8, r1\n"
    "    ssat r2, #8, r2\n"
    "    ssat r3, #8, r3\n"
    "    ldr r6, [sp, #8]\n"
    "    bfi r0, r1, #8, #8\n"
    "    bfi r2, r3, #8, #8\n"
    "    .endm\n"
    /* the same without the out_step load (the straight-line tiles have it in r7) */
    "    .macro MT_PW_SAT\n"
    "    ssat r0, #8, r0\n"
    "    ssat r1, #8, r1\n"
    "    ssat r2, #8, r2\n"
    "    ssat r3, #8, r3\n"
    "    bfi r0, r1, #8, #8\n"
    "    bfi r2, r3, #8, #8\n"
    "    .endm\n"

    /* ---- Straight-line tiles, depth ic = 4 g in 8..28, 32, 40, 48, 64, 72, 96 (MCUNet's
     * depths up to 96; 72 bytes of code per group plus ~250 per function, 14.9 KB in all):
     * the widened pair lives in the frame at sp + 12 (16 bytes per group), so no register
     * points at it, and the row offsets are immediates, so no register holds in_c either; r10
     * walks the stream (pointwise_s8_dsp_gemm.h), lr the outputs. Frame: [0] lo4 [4] hi4 (unread)
     * [8] out_step [12, F) widened pair, F = 12 + 16 g:
     * [F] x [F+4] x_step [F+8] pairs [F+12] w [F+16] qs [F+20] zz. */
    /* Group j of both pixels (words at r0 + off, r1 + off) widened into the frame. */
    "    .macro MT_PWS_WIDEN_W j, off\n"
    "    ldr r4, [r0, #\\off]\n"
    "    ldr r5, [r1, #\\off]\n"
    "    sxtab16 r6, r2, r4\n"
    "    sxtab16 r4, r2, r4, ror #8\n"
    "    sxtab16 r7, r2, r5\n"
    "    sxtab16 r5, r2, r5, ror #8\n"
    "    str r6, [sp, #(12 + 16 * \\j)]\n"
    "    str r4, [sp, #(16 + 16 * \\j)]\n"
    "    str r7, [sp, #(20 + 16 * \\j)]\n"
    "    str r5, [sp, #(24 + 16 * \\j)]\n"
    "    .endm\n"
    "    .macro MT_PWS_WIDEN j, g\n"
    "    MT_PWS_WIDEN_W \\j, (4*\\j)\n"
    "    .if (\\j) + 1 < \\g\n"
    "    MT_PWS_WIDEN (\\j + 1), \\g\n"
    "    .endif\n"
    "    .endm\n"
    /* The RGB stem's windows straight from the input (conv_s8_dsp.c, rgb3 order): r0, r1
     * the top-left bytes of both windows, r3 the input row in bytes; per window row two words
     * (groups 2 ky and 2 ky + 1), then group 6 = the rows' last bytes and zp24 (frame word ZP).
     * Leaves r0, r1 where they started. */
    "    .macro MT_PWS_WIDEN_RGB3 zp\n"
    "    MT_PWS_WIDEN_W 0, 0\n"
    "    MT_PWS_WIDEN_W 1, 4\n"
    "    add r0, r0, r3\n"
    "    add r1, r1, r3\n"
    "    MT_PWS_WIDEN_W 2, 0\n"
    "    MT_PWS_WIDEN_W 3, 4\n"
    "    add r0, r0, r3\n"
    "    add r1, r1, r3\n"
    "    MT_PWS_WIDEN_W 4, 0\n"
    "    MT_PWS_WIDEN_W 5, 4\n"
    "    ldrb r4, [r0, #8]\n"
    "    ldrb r5, [r1, #8]\n"
    "    sub r0, r0, r3\n"
    "    sub r1, r1, r3\n"
    "    ldrb r6, [r0, #8]\n"
    "    ldrb r7, [r1, #8]\n"
    "    sub r0, r0, r3\n"
    "    sub r1, r1, r3\n"
    "    ldrb r8, [r0, #8]\n"
    "    ldrb r9, [r1, #8]\n"
    "    ldr r12, [sp, #\\zp]\n"
    "    orr r8, r8, r6, lsl #8\n"
    "    orr r9, r9, r7, lsl #8\n"
    "    orr r8, r8, r4, lsl #16\n"
    "    orr r9, r9, r5, lsl #16\n"
    "    orr r8, r8, r12\n"
    "    orr r9, r9, r12\n"
    "    sxtab16 r4, r2, r8\n"
    "    sxtab16 r5, r2, r8, ror #8\n"
    "    sxtab16 r6, r2, r9\n"
    "    sxtab16 r7, r2, r9, ror #8\n"
    "    str r4, [sp, #108]\n"
    "    str r5, [sp, #112]\n"
    "    str r6, [sp, #116]\n"
    "    str r7, [sp, #120]\n"
    "    .endm\n"
    /* group 0: the accumulators start from the biases in r0, r1 (a10, a11 read them before
     * a00, a01 overwrite them); r11 steps to the next row pair */
    "    .macro MT_PWS_GROUP0 ic\n"
    "    ldr r9, [r11, #\\ic]\n"
    "    ldr r8, [r11], #(2 * \\ic)\n"
    "    ldr r4, [sp, #12]\n"
    "    ldr r5, [sp, #16]\n"
    "    ldr r6, [sp, #20]\n"
    "    ldr r7, [sp, #24]\n"
    "    sxtb16 r12, r8\n"
    "    sxtb16 r8, r8, ror #8\n"
    "    smlad r2, r6, r12, r0\n"
    "    smlad r0, r4, r12, r0\n"
    "    smlad r2, r7, r8, r2\n"
    "    smlad r0, r5, r8, r0\n"
    "    sxtb16 r12, r9\n"
    "    sxtb16 r9, r9, ror #8\n"
    "    smlad r3, r6, r12, r1\n"
    "    smlad r1, r4, r12, r1\n"
    "    smlad r3, r7, r9, r3\n"
    "    smlad r1, r5, r9, r1\n"
    "    .endm\n"
    /* groups j .. g - 1 (r11 already 2 ic ahead) */
    "    .macro MT_PWS_GROUPS j, g\n"
    "    ldr r9, [r11, #(4 * (\\j) - 4 * \\g)]\n"
    "    ldr r8, [r11, #(4 * (\\j) - 8 * \\g)]\n"
    "    ldr r4, [sp, #(12 + 16 * (\\j))]\n"
    "    ldr r5, [sp, #(16 + 16 * (\\j))]\n"
    "    ldr r6, [sp, #(20 + 16 * (\\j))]\n"
    "    ldr r7, [sp, #(24 + 16 * (\\j))]\n"
    "    sxtb16 r12, r8\n"
    "    sxtb16 r8, r8, ror #8\n"
    "    smlad r2, r6, r12, r2\n"
    "    smlad r0, r4, r12, r0\n"
    "    smlad r2, r7, r8, r2\n"
    "    smlad r0, r5, r8, r0\n"
    "    sxtb16 r12, r9\n"
    "    sxtb16 r9, r9, ror #8\n"
    "    smlad r3, r6, r12, r3\n"
    "    smlad r1, r4, r12, r1\n"
    "    smlad r3, r7, r9, r3\n"
    "    smlad r1, r5, r9, r1\n"
    "    .if (\\j) + 1 < \\g\n"
    "    MT_PWS_GROUPS (\\j + 1), \\g\n"
    "    .endif\n"
    "    .endm\n"
    /* one tile (channel pair): the biases by 2 LDR ahead of GROUP0's 6, one run of 8 pipelined
     * loads (9 M4 cycles; LDM + 6 LDR would be 10); ends with Z clear after the last pair */
    "    .macro MT_PWS_TILE g\n"
    "    ldr r1, [r10, #4]\n"
    "    ldr r0, [r10], #8\n"
    "    MT_PWS_GROUP0 (4 * \\g)\n"
    "    .if \\g > 1\n"
    "    MT_PWS_GROUPS 1, \\g\n"
    "    .endif\n"
    "    ldm r10!, {r4, r5, r6}\n"
    "    MT_PW_RQ2 r0, r2\n"
    /* the second channel's constants by 3 LDR and out_step (r7) pipelined behind them: 5 M4
     * cycles where LDM and the LDR in MT_PW_PACK took 6 */
    "    ldr r5, [r10, #4]\n"
    "    ldr r6, [r10, #8]\n"
    "    ldr r4, [r10], #12\n"
    "    ldr r7, [sp, #8]\n"
    "    MT_PW_RQ2 r1, r3, r5\n"
    "    tst r6, #256\n"
    "    MT_PW_SAT\n"
    "    strh r2, [lr, r7]\n"
    "    strh r0, [lr], #2\n"
    "    .endm\n"
    "    .macro MT_PWS_FN name, g, rgb3=0\n"
    "    .text\n"
    "    .align 2\n"
    "    .global \\name\n"
    "    .type \\name, %function\n"
    "    .thumb_func\n"
    "\\name:\n"
    "    push {r4-r11, lr}\n"
    "    sub sp, sp, #(36 + 16 * \\g + 8 * \\rgb3)\n"
    "    .if \\rgb3\n" /* [F+24] x_row [F+28] zp24 */
    "    ldr r11, [r0, #48]\n"
    "    ldr r12, [r0, #52]\n"
    "    str r11, [sp, #(36 + 16 * \\g)]\n"
    "    str r12, [sp, #(40 + 16 * \\g)]\n"
    "    .endif\n"
    "    ldm r0, {r1-r10}\n" /* x x_step pairs out out_step w qs zz lo4 hi4 */
    "    str r9, [sp]\n"
    "    str r10, [sp, #4]\n"
    "    str r5, [sp, #8]\n"
    "    add r0, sp, #(12 + 16 * \\g)\n"
    "    stm r0, {r1, r2, r3, r6, r7, r8}\n"
    "    mov lr, r4\n"
    "1:\n" /* pixel pair: widen into the frame */
    "    ldr r0, [sp, #(12 + 16 * \\g)]\n"
    "    ldr r1, [sp, #(16 + 16 * \\g)]\n"
    "    ldr r2, [sp, #(32 + 16 * \\g)]\n"
    "    .if \\rgb3\n"
    "    ldr r3, [sp, #(36 + 16 * \\g)]\n"
    "    add r1, r1, r0\n"
    "    MT_PWS_WIDEN_RGB3 (40 + 16 * \\g)\n"
    "    .else\n"
    "    add r1, r1, r0\n"
    "    MT_PWS_WIDEN 0, \\g\n"
    "    .endif\n"
    "    sub r3, r1, r0\n"
    "    add r3, r1, r3\n"
    "    str r3, [sp, #(12 + 16 * \\g)]\n"
    "    ldr r11, [sp, #(24 + 16 * \\g)]\n"
    "    ldr r10, [sp, #(28 + 16 * \\g)]\n"
    "2:\n" /* channel pairs; depths up to 28 take two a pass (a taken branch, 2 M4 cycles,
            * fewer per 2 tiles; ~0.5 KB of code each) */
    "    MT_PWS_TILE \\g\n"
    "    .if \\g <= 7\n"
    "    bne 3f\n"
    "    MT_PWS_TILE \\g\n"
    "    .endif\n"
    "    beq 2b\n"
    "3:\n"
    "    add lr, lr, r7\n" /* lr = o0 + out_c: the next pair's o0 when pairs > 1 */
    "    ldr r0, [sp, #(20 + 16 * \\g)]\n"
    "    subs r0, r0, #1\n"
    "    str r0, [sp, #(20 + 16 * \\g)]\n"
    "    bne 1b\n"
    "    add sp, sp, #(36 + 16 * \\g + 8 * \\rgb3)\n"
    "    pop {r4-r11, pc}\n"
    "    .size \\name, . - \\name\n"
    "    .endm\n"

    /* ---- Looped tiles, the other depths ic >= 32, ic % 8 == 0: the widened pair in scratch
     * (job xb), r10 walking it, r12 = ic (row oc + 1 at r11 + r12), lr the pair's end; 4
     * groups a pass, entered in the middle (mid) when ic / 4 = 2 mod 4, or 8 groups a pass
     * (eight) when ic % 32 == 0 (one loop test, 4 M4 cycles, per 128 MACs of a tile). No register is left
     * for a third weight word, so the second weight load waits for the unpacking: 5 loads in
     * a row, then 1 (8 M4 cycles, 18 instructions with the MACs; LDM + 2 LDR would be 9
     * cycles, 15 instructions). Frame: [0] lo4 [4] hi4 (unread) [8] out_step [12] stream [16] out
     * [20] x [24] x_step [28] pairs [32] w [36] qs [40] zz [44] xb. */
    "    .macro MT_PWL_GROUP\n"
    "    ldr r5, [r10, #4]\n"
    "    ldr r6, [r10, #8]\n"
    "    ldr r7, [r10, #12]\n"
    "    ldr r4, [r10], #16\n"
    "    ldr r8, [r11, r12]\n"
    "    sxtb16 r9, r8, ror #8\n"
    "    sxtb16 r8, r8\n"
    "    smlad r1, r4, r8, r1\n"
    "    smlad r3, r6, r8, r3\n"
    "    smlad r1, r5, r9, r1\n"
    "    smlad r3, r7, r9, r3\n"
    "    ldr r8, [r11], #4\n"
    "    sxtb16 r9, r8, ror #8\n"
    "    sxtb16 r8, r8\n"
    "    smlad r0, r4, r8, r0\n"
    "    smlad r2, r6, r8, r2\n"
    "    smlad r0, r5, r9, r0\n"
    "    smlad r2, r7, r9, r2\n"
    "    .endm\n"
    "    .macro MT_PWL_FN name, mid, eight=0\n"
    "    .text\n"
    "    .align 2\n"
    "    .global \\name\n"
    "    .type \\name, %function\n"
    "    .thumb_func\n"
    "\\name:\n"
    "    push {r4-r11, lr}\n"
    "    sub sp, sp, #52\n"
    "    ldm r0, {r1-r12}\n" /* x x_step pairs out out_step w qs zz lo4 hi4 xb in_c */
    "    str r9, [sp]\n"
    "    str r10, [sp, #4]\n"
    "    str r5, [sp, #8]\n"
    "    str r4, [sp, #16]\n"
    "    add r0, sp, #20\n"
    "    stm r0, {r1, r2, r3, r6, r7, r8, r11}\n"
    "1:\n" /* pixel pair: widen into xb */
    "    ldr r0, [sp, #20]\n"
    "    ldr r1, [sp, #24]\n"
    "    ldr r2, [sp, #40]\n"
    "    ldr r10, [sp, #44]\n"
    "    add r1, r1, r0\n"
    "    mov r3, r12\n"
    "4:\n"
    "    ldr r8, [r0], #4\n"
    "    ldr r9, [r1], #4\n"
    "    sxtab16 r4, r2, r8\n"
    "    sxtab16 r5, r2, r8, ror #8\n"
    "    sxtab16 r6, r2, r9\n"
    "    sxtab16 r7, r2, r9, ror #8\n"
    "    stm r10!, {r4-r7}\n"
    "    subs r3, r3, #4\n"
    "    bne 4b\n"
    "    str r1, [sp, #20]\n" /* x1 + ic: the next pair's x when pairs > 1 */
    "    mov lr, r10\n"
    "    sub r10, r10, r12, lsl #2\n"
    "    ldr r11, [sp, #32]\n"
    "    ldr r0, [sp, #36]\n"
    "    str r0, [sp, #12]\n"
    "2:\n" /* channel pair */
    "    ldr r8, [sp, #12]\n"
    "    ldm r8!, {r0, r1}\n"
    "    str r8, [sp, #12]\n"
    "    mov r2, r0\n"
    "    mov r3, r1\n"
    "    .if \\mid\n"
    "    b 3f\n"
    "    .endif\n"
    "5:\n"
    "    .if \\eight\n"
    "    MT_PWL_GROUP\n"
    "    MT_PWL_GROUP\n"
    "    MT_PWL_GROUP\n"
    "    MT_PWL_GROUP\n"
    "    .endif\n"
    "    MT_PWL_GROUP\n"
    "    MT_PWL_GROUP\n"
    "3:\n"
    "    MT_PWL_GROUP\n"
    "    MT_PWL_GROUP\n"
    "    cmp r10, lr\n"
    "    bne 5b\n"
    "    ldr r10, [sp, #12]\n"
    "    add r11, r11, r12\n"
    "    ldm r10!, {r4, r5, r6}\n"
    "    MT_PW_RQ1 r0\n"
    "    MT_PW_RQ1 r2\n"
    "    ldm r10!, {r4, r5, r6}\n"
    "    str r10, [sp, #12]\n"
    "    MT_PW_RQ1 r1\n"
    "    MT_PW_RQ1 r3\n"
    "    tst r6, #256\n"
    "    MT_PW_PACK\n"
    "    ldr r7, [sp, #16]\n"
    "    strh r2, [r7, r6]\n"
    "    strh r0, [r7], #2\n"
    "    str r7, [sp, #16]\n"
    "    sub r10, lr, r12, lsl #2\n"
    "    beq 2b\n"
    "    add r7, r7, r6\n"
    "    str r7, [sp, #16]\n"
    "    ldr r0, [sp, #28]\n"
    "    subs r0, r0, #1\n"
    "    str r0, [sp, #28]\n"
    "    bne 1b\n"
    "    add sp, sp, #52\n"
    "    pop {r4-r11, pc}\n"
    "    .size \\name, . - \\name\n"
    "    .endm\n"

    "    MT_PWS_FN mt_pw_gemm_k8, 2\n"
    "    MT_PWS_FN mt_pw_gemm_k12, 3\n"
    "    MT_PWS_FN mt_pw_gemm_k16, 4\n"
    "    MT_PWS_FN mt_pw_gemm_k20, 5\n"
    "    MT_PWS_FN mt_pw_gemm_k24, 6\n"
    "    MT_PWS_FN mt_pw_gemm_k28, 7\n"
    "    MT_PWS_FN mt_pw_gemm_k32, 8\n"
    "    MT_PWS_FN mt_pw_gemm_k40, 10\n"
    "    MT_PWS_FN mt_pw_gemm_k48, 12\n"
    "    MT_PWS_FN mt_pw_gemm_k64, 16\n"
    "    MT_PWS_FN mt_pw_gemm_k72, 18\n"
    "    MT_PWS_FN mt_pw_gemm_k96, 24\n"
    "    MT_PWS_FN mt_pw_gemm_rgb3, 7, 1\n"
    "    MT_PWL_FN mt_pw_gemm_loop, 0\n"
    "    MT_PWL_FN mt_pw_gemm_loop_mid, 1\n"
    "    MT_PWL_FN mt_pw_gemm_loop8, 0, 1\n");

void mt_pw_gemm_k8(const mt_pw_gemm_t *job);
void mt_pw_gemm_k12(const mt_pw_gemm_t *job);
void mt_pw_gemm_k16(const mt_pw_gemm_t *job);
void mt_pw_gemm_k20(const mt_pw_gemm_t *job);
void mt_pw_gemm_k24(const mt_pw_gemm_t *job);
void mt_pw_gemm_k28(const mt_pw_gemm_t *job);
void mt_pw_gemm_k32(const mt_pw_gemm_t *job);
void mt_pw_gemm_k40(const mt_pw_gemm_t *job);
void mt_pw_gemm_k48(const mt_pw_gemm_t *job);
void mt_pw_gemm_k64(const mt_pw_gemm_t *job);
void mt_pw_gemm_k72(const mt_pw_gemm_t *job);
void mt_pw_gemm_k96(const mt_pw_gemm_t *job);
void mt_pw_gemm_loop(const mt_pw_gemm_t *job);
void mt_pw_gemm_loop_mid(const mt_pw_gemm_t *job);
void mt_pw_gemm_loop8(const mt_pw_gemm_t *job);

void mt_pw_gemm_run(const mt_pw_gemm_t *job) {
    switch (job->in_c) {
    case 8: mt_pw_gemm_k8(job); break;
    case 12: mt_pw_gemm_k12(job); break;
    case 16: mt_pw_gemm_k16(job); break;
    case 20: mt_pw_gemm_k20(job); break;
    case 24: mt_pw_gemm_k24(job); break;
    case 28: mt_pw_gemm_k28(job); break;
    case 32: mt_pw_gemm_k32(job); break;
    case 40: mt_pw_gemm_k40(job); break;
    case 48: mt_pw_gemm_k48(job); break;
    case 64: mt_pw_gemm_k64(job); break;
    case 72: mt_pw_gemm_k72(job); break;
    case 96: mt_pw_gemm_k96(job); break;
    default:
        if (job->in_c % 32 == 0) {
            mt_pw_gemm_loop8(job);
        } else if (job->in_c % 16 == 0) {
            mt_pw_gemm_loop(job);
        } else {
            mt_pw_gemm_loop_mid(job);
        }
        break;
    }
}
#endif
