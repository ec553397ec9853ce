/* Host side of the energy estimates (docs/energy.md): reads the per-model cycle file that
 * bench/energy.sh writes (cycles_file.h), and prints latency and energy per stage and per personalization
 * for one board of include/microt/board.h. Estimates, never measurements. */
#ifndef MICROT_TOOLS_BOARD_ESTIMATE_H
#define MICROT_TOOLS_BOARD_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cycles_file.h"
#include "json_writer.h"
#include "microt/board.h"
#include "microt/model.h"

/* The default cycles-per-MAC figure for a core, used when there is no cycle file
 * (docs/energy.md says where it comes from); 0 for an unknown core. */
double mt_board_default_cycles_per_mac(const char *core);

/* Prints the board's estimate table for model m: per stage (part, full, stage decision at
 * exit_share) latency and energy, and, with a cycle file, one personalization. Without a
 * cycle file (cyc NULL) the extractor cycles are MACs x cycles_per_mac and heads are left out. */
void mt_board_estimate_print(FILE *f, const mt_model_t *m, const mt_board_t *board,
                             const mt_cycles_file_t *cyc, double cycles_per_mac,
                             double exit_share);

/* The same figures as JSON members of the current object (board, core, clock_hz, ...,
 * inference: [{what, cycles, latency_ms, energy_uj}], personalization: [...], memory). */
void mt_board_estimate_json(mt_json_t *j, const mt_model_t *m, const mt_board_t *board,
                            const mt_cycles_file_t *cyc, double cycles_per_mac,
                            double exit_share);

#endif
