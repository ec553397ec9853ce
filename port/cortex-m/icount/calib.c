/* Calibration guest for the instruction counter: regions whose instruction counts are known
 * by construction, plus SysTick (1 tick per 40 instructions under -icount shift=0 on MPS2)
 * as an independent clock. calibrate.sh compares what the plugin reports with both.
 * Prints one line per region: "calib region=ID loop_insns=N systick_ticks=T". */
#include <stdint.h>
#include <stdio.h>

#include "mt_count.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)

/* Executes exactly 1 + 2 * iterations instructions (iterations >= 1): a mov, then a
 * subs/bne pair per iteration. */
static inline __attribute__((always_inline)) void loop2(uint32_t iterations)
{
    __asm__ volatile("mov r2, %0\n"
                     "1: subs r2, r2, #1\n"
                     "bne 1b\n"
                     :
                     : "r"(iterations)
                     : "r2", "cc");
}

/* 1 + 5 * iterations instructions, mixing ALU, load and store (the loaded word is the
 * stack slot just written, so nothing outside the frame is touched). */
static inline __attribute__((always_inline)) void loop5(uint32_t iterations)
{
    uint32_t slot = 0;
    __asm__ volatile("mov r2, %1\n"
                     "1: str r2, [%0]\n"
                     "ldr r3, [%0]\n"
                     "eor r3, r3, r2, lsl #3\n"
                     "subs r2, r2, #1\n"
                     "bne 1b\n"
                     :
                     : "r"(&slot), "r"(iterations)
                     : "r2", "r3", "cc", "memory");
}

/* 1 + 3 * iterations instructions, each iteration reading a device register (SysTick's
 * current value): QEMU re-translates blocks around I/O under -icount, which a per-block
 * counter would count twice. */
static inline __attribute__((always_inline)) void loop_io(uint32_t iterations)
{
    __asm__ volatile("mov r2, %1\n"
                     "1: ldr r3, [%0]\n"
                     "subs r2, r2, #1\n"
                     "bne 1b\n"
                     :
                     : "r"(&SYST_CVR), "r"(iterations)
                     : "r2", "r3", "cc", "memory");
}

static uint32_t ticks_since(uint32_t start)
{
    return (start - SYST_CVR) & 0xFFFFFFu; /* the counter counts down, 24 bits */
}

int main(void)
{
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5; /* enable, clock source = processor clock, no interrupt */
    static const uint32_t n2[] = {1, 1000, 1000000};
    static const uint32_t n5[] = {1000, 400000};
    uint32_t t;

    mt_count_begin(0); /* an empty region: the bracketing overhead */
    mt_count_end(0);

    for (unsigned i = 0; i < 3; i++) {
        t = SYST_CVR;
        mt_count_begin(1 + i);
        loop2(n2[i]);
        mt_count_end(1 + i);
        printf("calib region=%u loop_insns=%lu systick_ticks=%lu\n", 1 + i,
               (unsigned long)(1 + 2 * n2[i]), (unsigned long)ticks_since(t));
    }
    for (unsigned i = 0; i < 2; i++) {
        t = SYST_CVR;
        mt_count_begin(10 + i);
        loop5(n5[i]);
        mt_count_end(10 + i);
        printf("calib region=%u loop_insns=%lu systick_ticks=%lu\n", 10 + i,
               (unsigned long)(1 + 5 * n5[i]), (unsigned long)ticks_since(t));
    }
    t = SYST_CVR;
    mt_count_begin(20);
    loop_io(1000);
    mt_count_end(20);
    printf("calib region=%u loop_insns=%lu systick_ticks=%lu\n", 20u, 1ul + 3 * 1000,
           (unsigned long)ticks_since(t));
    /* The same region id used repeatedly accumulates: 10 calls of 1 + 2*100. */
    for (unsigned i = 0; i < 10; i++) {
        mt_count_begin(255);
        loop2(100);
        mt_count_end(255);
    }
    printf("calib region=255 loop_insns=%lu systick_ticks=0\n", 10ul * (1 + 2 * 100));
    return 0;
}
