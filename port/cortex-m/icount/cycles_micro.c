/* Micro-benchmarks for the cycle model (mt_cycles plugin, docs/cycles.md): inline-asm loops
 * whose cost per iteration is worked out by hand from the Cortex-M4 TRM rules and from the
 * documented Cortex-M7 issue rules. Each loop runs twice, N1 and N2 iterations, in regions
 * 2k and 2k+1; cycles-check.sh takes the difference, so the per-iteration cost is isolated
 * from the bracketing overhead and compared exactly. Prints one line per loop:
 * "micro k=K name=NAME n1=N1 n2=N2 insns=I m4=C4 m7=C7" (per iteration, by hand). */
#include <stdint.h>
#include <stdio.h>

#include "mt_count.h"

#define N1 100u
#define N2 1100u

static uint32_t words[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static uint32_t chase;   /* holds its own address: a chain of dependent loads */
static uint32_t out[8];

#define LOOP_HEAD "mov r2, %[n]\n1:\n"
#define LOOP_TAIL "subs r2, r2, #1\nbne 1b\n"
#define CLOBBER "r2", "r3", "r4", "r5", "r6", "cc", "memory"

/* Hand costs per iteration, M4 (TRM r0p1 table 3-1 notes; P = 2 after a taken direct
 * branch): "subs; bne" = 1 + (1 + P) = 4. M7: subs and bne dual-issue = 1. */
static void alu(uint32_t n)
{ /* M4: 8 ALU + 4 = 12. M7: 4 independent pairs + 1 = 5 */
    __asm__ volatile(LOOP_HEAD
                     "add r3, r3, #1\nadd r4, r4, #1\nadd r5, r5, #1\nadd r6, r6, #1\n"
                     "add r3, r3, #1\nadd r4, r4, #1\nadd r5, r5, #1\nadd r6, r6, #1\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER);
}

static void ldr_indep(uint32_t n)
{ /* M4: 2 + 1 + 1 + 1 (neighbouring LDRs pipeline) + 4 = 9. M7: two loads a cycle: 2 + 1 = 3 */
    __asm__ volatile(LOOP_HEAD
                     "ldr r3, [%[p]]\nldr r4, [%[p], #4]\nldr r5, [%[p], #8]\nldr r6, [%[p], #12]\n"
                     LOOP_TAIL :: [n] "r"(n), [p] "r"(words) : CLOBBER);
}

static void ldr_dep(uint32_t n)
{ /* each address is the previous load's result: no pipelining.
   * M4: 4 x 2 + 4 = 12. M7: load result 1 + address needed 1 early = 2 per load; the last
   * load pairs with subs: 2 + 2 + 2 + 1 + 1 = 8 */
    chase = (uint32_t)(uintptr_t)&chase;
    __asm__ volatile("mov r3, %[p]\n" LOOP_HEAD
                     "ldr r3, [r3]\nldr r3, [r3]\nldr r3, [r3]\nldr r3, [r3]\n"
                     LOOP_TAIL :: [n] "r"(n), [p] "r"(&chase) : CLOBBER);
}

static void ldm4(uint32_t n)
{ /* M4: LDM 1 + N = 5, + 4 = 9. M7: 64-bit path, 2 cycles single-issue, + 1 = 3 */
    __asm__ volatile(LOOP_HEAD "ldm %[p], {r3, r4, r5, r6}\n"
                     LOOP_TAIL :: [n] "r"(n), [p] "r"(words) : CLOBBER);
}

static void branch_taken(uint32_t n)
{ /* M4: b = 1 + P = 3, + 4 = 7. M7: predicted branches, b alone 1, subs/bne 1 = 2 */
    __asm__ volatile(LOOP_HEAD "b 2f\n2:\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER);
}

static void branch_not_taken(uint32_t n)
{ /* M4: cmp 1, beq not taken 1, + 4 = 6. M7: [cmp beq] 1 + [subs bne] 1 = 2 */
    __asm__ volatile(LOOP_HEAD "cmp r2, #0\nbeq 3f\n"
                     LOOP_TAIL "3:\n" :: [n] "r"(n) : CLOBBER);
}

static void smlad8(uint32_t n)
{ /* M4: 8 x 1 + 4 = 12. M7: one MAC pipe, the accumulator forwarded: 8 + 1 = 9 */
    __asm__ volatile(LOOP_HEAD
                     "smlad r3, r4, r5, r3\nsmlad r3, r4, r5, r3\nsmlad r3, r4, r5, r3\n"
                     "smlad r3, r4, r5, r3\nsmlad r3, r4, r5, r3\nsmlad r3, r4, r5, r3\n"
                     "smlad r3, r4, r5, r3\nsmlad r3, r4, r5, r3\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER);
}

static void smlal4(uint32_t n)
{ /* M4: 4 x 1 + 4 = 8. M7: 4 + 1 = 5 */
    __asm__ volatile(LOOP_HEAD
                     "smlal r3, r4, r5, r6\nsmlal r3, r4, r5, r6\n"
                     "smlal r3, r4, r5, r6\nsmlal r3, r4, r5, r6\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER);
}

static void agu(uint32_t n)
{ /* address from the ALU op just before. M4: add 1, ldr 2 + 1 stall, twice, + 4 = 12.
   * M7: [add] [ -- ] [ldr add] [ -- ] [ldr subs] [bne] = 6 */
    __asm__ volatile(LOOP_HEAD "add r3, %[p], #4\nldr r4, [r3]\nadd r3, %[p], #8\nldr r4, [r3]\n"
                     LOOP_TAIL :: [n] "r"(n), [p] "r"(words) : CLOBBER);
}

static void ldr_str(uint32_t n)
{ /* M4: ldr 2, str imm 1, ldr 2 (nothing pipelines after a store), str 1, + 4 = 10.
   * M7: [ldr str] [ldr str] [subs bne] = 3 (store data is read late) */
    __asm__ volatile(LOOP_HEAD "ldr r3, [%[p]]\nstr r3, [%[q]]\nldr r4, [%[p], #4]\nstr r4, [%[q], #4]\n"
                     LOOP_TAIL :: [n] "r"(n), [p] "r"(words), [q] "r"(out) : CLOBBER);
}

static void push_pop(uint32_t n)
{ /* M4: 1 + 4, 1 + 4, + 4 = 14. M7: 2 + 2 + 1 = 5 */
    __asm__ volatile(LOOP_HEAD "push {r3, r4, r5, r6}\npop {r3, r4, r5, r6}\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER);
}

static void udiv2(uint32_t n)
{ /* M4: 2 x 12 (worst case) + 4 = 28. M7: 2 x 7 (single issue) + 1 = 15 */
    __asm__ volatile("mov r5, #3\nmov r4, #1000\n" LOOP_HEAD "udiv r3, r4, r5\nudiv r6, r4, r5\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER);
}

static void vdiv4(uint32_t n)
{ /* s0 = s0 / s1, a dependent chain. M4: 4 x 14 + 4 = 60. M7: latency 16 each, the chain
   * carried into the next iteration: 4 x 16 = 64 (subs/bne hide under the last divide) */
    __asm__ volatile("vmov.f32 s0, #1.0\nvmov.f32 s1, #1.0\n" LOOP_HEAD
                     "vdiv.f32 s0, s0, s1\nvdiv.f32 s0, s0, s1\n"
                     "vdiv.f32 s0, s0, s1\nvdiv.f32 s0, s0, s1\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER, "s0", "s1");
}

static void vmla4(uint32_t n)
{ /* s0 += s1 * s2, a dependent chain. M4: 4 x 3 + 4 = 16. M7: the accumulator is read 3
   * cycles late, result latency 6: one every 3 cycles, 4 x 3 = 12 */
    __asm__ volatile("vmov.f32 s0, #1.0\nvmov.f32 s1, #1.0\nvmov.f32 s2, #1.0\n" LOOP_HEAD
                     "vmla.f32 s0, s1, s2\nvmla.f32 s0, s1, s2\n"
                     "vmla.f32 s0, s1, s2\nvmla.f32 s0, s1, s2\n"
                     LOOP_TAIL :: [n] "r"(n) : CLOBBER, "s0", "s1", "s2");
}

typedef struct {
    const char *name;
    void (*run)(uint32_t n);
    unsigned insns, m4, m7; /* per iteration, by hand */
} micro_t;

int main(void)
{
    static const micro_t m[] = {
        {"alu", alu, 10, 12, 5},
        {"ldr_indep", ldr_indep, 6, 9, 3},
        {"ldr_dep", ldr_dep, 6, 12, 8},
        {"ldm4", ldm4, 3, 9, 3},
        {"branch_taken", branch_taken, 3, 7, 2},
        {"branch_not_taken", branch_not_taken, 4, 6, 2},
        {"smlad8", smlad8, 10, 12, 9},
        {"smlal4", smlal4, 6, 8, 5},
        {"agu_stall", agu, 6, 12, 6},
        {"ldr_str", ldr_str, 6, 10, 3},
        {"push_pop", push_pop, 4, 14, 5},
        {"udiv2", udiv2, 4, 28, 15},
        {"vdiv4", vdiv4, 6, 60, 64},
        {"vmla4", vmla4, 6, 16, 12},
    };
    mt_count_begin(0); /* an empty region: the bracketing overhead */
    mt_count_end(0);
    for (unsigned k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
        unsigned id = 2 * (k + 1);
        mt_count_begin(id);
        m[k].run(N1);
        mt_count_end(id);
        mt_count_begin(id + 1);
        m[k].run(N2);
        mt_count_end(id + 1);
        printf("micro k=%u name=%s n1=%u n2=%u insns=%u m4=%u m7=%u\n", k + 1, m[k].name, N1, N2,
               m[k].insns, m[k].m4, m[k].m7);
    }
    return 0;
}
