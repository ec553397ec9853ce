/* The board table and the latency/energy arithmetic of include/microt/board.h. Pure data and
 * arithmetic: no I/O, no state. Every constant's source and conditions are in docs/energy.md;
 * change a number there and here together. */
#include "microt/board.h"

#include <stddef.h>

static const mt_board_t BOARDS[] = {
    /* STM32L4R5ZI (NUCLEO-L4R5ZI): Cortex-M4F at its 120 MHz maximum (Range 1 boost),
     * ~110 uA/MHz typical from flash with ART on, peripherals off, VDD 3.3 V (assumed
     * figure, see docs/energy.md). 640 KB SRAM (192 + 64 + 384), 2 MB flash. */
    {"stm32l4r5zi", "cortex-m4", 120000000u, 13.2f, 3.3f, 655360u, 2097152u},
    /* STM32H7A3ZI (NUCLEO-H7A3ZI-Q): Cortex-M7 at its 280 MHz maximum (VOS0), caches on,
     * peripherals off, VDD 3.3 V, ~40 mA typical (assumed figure, see docs/energy.md).
     * 1,380 KB SRAM (1,184 KB system SRAM + 128 KB DTCM + 64 KB ITCM + 4 KB backup), 2 MB flash. */
    {"stm32h7a3zi", "cortex-m7", 280000000u, 40.0f, 3.3f, 1413120u, 2097152u},
};

#define N_BOARDS (sizeof BOARDS / sizeof BOARDS[0])

uint32_t mt_board_count(void) { return (uint32_t)N_BOARDS; }

const mt_board_t *mt_board_get(uint32_t i) { return i < N_BOARDS ? &BOARDS[i] : NULL; }

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

const mt_board_t *mt_board_find(const char *name) {
    if (!name) return NULL;
    for (uint32_t i = 0; i < N_BOARDS; i++) {
        const char *a = BOARDS[i].name;
        const char *b = name;
        while (*a && lower((unsigned char)*b) == *a) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0') return &BOARDS[i];
    }
    return NULL;
}

double mt_board_power_mw(const mt_board_t *board) {
    return board ? (double)board->supply_v * (double)board->run_current_ma : 0.0;
}

double mt_board_latency_us(const mt_board_t *board, uint64_t cycles) {
    if (!board || board->clock_hz == 0) return 0.0;
    return (double)cycles * 1e6 / (double)board->clock_hz;
}

/* V [V] * I [mA] = P [mW]; P [mW] * t [us] = E [nJ]; / 1000 -> uJ. */
double mt_board_energy_uj(const mt_board_t *board, uint64_t cycles) {
    return mt_board_power_mw(board) * mt_board_latency_us(board, cycles) * 1e-3;
}

double mt_board_stage_cycles(uint64_t part_cycles, uint64_t part_head_cycles,
                             uint64_t rest_cycles, uint64_t full_head_cycles, double exit_share) {
    double r = exit_share < 0.0 ? 0.0 : exit_share > 1.0 ? 1.0 : exit_share;
    if (r != r) r = 0.0; /* NaN: assume nothing exits */
    return (double)part_cycles + (double)part_head_cycles +
           (1.0 - r) * ((double)rest_cycles + (double)full_head_cycles);
}
