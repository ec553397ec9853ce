/* Board models for estimating latency and energy from cycle counts (docs/energy.md):
 * a small constant table (clock, typical run-mode current at that clock, supply voltage,
 * SRAM, flash) and the arithmetic on it. Estimates only: energy = V * I * cycles / f. */
#ifndef MICROT_BOARD_H
#define MICROT_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *name;       /* lower case, e.g. "stm32l4r5zi" */
    const char *core;       /* the cycle model that prices it: "cortex-m4" or "cortex-m7" */
    uint32_t clock_hz;      /* core clock the current figure belongs to */
    float run_current_ma;   /* typical run-mode supply current at clock_hz (docs/energy.md) */
    float supply_v;         /* VDD the current was specified at */
    uint32_t sram_bytes;    /* all on-chip SRAM, TCM included */
    uint32_t flash_bytes;   /* on-chip flash */
} mt_board_t;

/* Boards in the table, and board i (NULL when i >= mt_board_count()). */
uint32_t mt_board_count(void);
const mt_board_t *mt_board_get(uint32_t i);

/* The board whose name matches (ASCII case-insensitive), or NULL. */
const mt_board_t *mt_board_find(const char *name);

/* Power drawn while running: V * I, in milliwatts. */
double mt_board_power_mw(const mt_board_t *board);

/* Time for `cycles` core cycles at the board clock, in microseconds. */
double mt_board_latency_us(const mt_board_t *board, uint64_t cycles);

/* Energy of `cycles` core cycles in run mode: V * I * cycles / f, in microjoules. */
double mt_board_energy_uj(const mt_board_t *board, uint64_t cycles);

/* Expected cycles of one stage-decision inference: the part stage and its head always run;
 * the rest of the model and the full head run for the (1 - exit_share) of inputs that do
 * not exit early. exit_share is clamped to [0, 1]. */
double mt_board_stage_cycles(uint64_t part_cycles, uint64_t part_head_cycles,
                             uint64_t rest_cycles, uint64_t full_head_cycles, double exit_share);

#ifdef __cplusplus
}
#endif
#endif
