/* Micro-benchmark for the cycle model's memory system (mt_cycles mem=..., docs/cycles.md):
 * loads from a 4 KB table in flash (.rodata) and from an equal table in SRAM (.data), one
 * word every 8 bytes, in regions 1 and 2 (region 0 empty). mem-check.sh runs it with mem=none
 * and with a board's model and compares the difference with the hand figure: every flash
 * load misses the data cache (the table is 16 x the L4R5 ART's 256 B; on the H7A3 each 32-byte
 * line serves 4 loads), the SRAM loads cost nothing extra, and the loop's own code fits the
 * instruction cache after its first pass. */
#include <stdint.h>
#include <stdio.h>

#include "mt_count.h"

#define WORDS 1024u
#define STRIDE_WORDS 2u /* 8 bytes */

static const uint32_t flash_table[WORDS] = {1u, 2u, 3u}; /* .rodata: flash */
static uint32_t sram_table[WORDS] = {1u, 2u, 3u};        /* .data: SRAM (copied by startup
                                                          * from its own image, not the table) */

static uint32_t sum(const uint32_t *t)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < WORDS; i += STRIDE_WORDS) s += ((const volatile uint32_t *)t)[i];
    return s;
}

int main(void)
{
    mt_count_begin(0);
    mt_count_end(0);
    mt_count_begin(1);
    uint32_t a = sum(flash_table);
    mt_count_end(1);
    mt_count_begin(2);
    uint32_t b = sum(sram_table);
    mt_count_end(2);
    printf("mem_micro loads=%u sums=%u,%u\n", WORDS / STRIDE_WORDS, (unsigned)a, (unsigned)b);
    return a == b ? 0 : 1;
}
