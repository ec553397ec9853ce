/* Latency and energy tables of `microt inspect --board` (docs/energy.md). Host only: the
 * arithmetic itself is the device library's (src/board.c), so device and host agree. */
#include "board_estimate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "microt/stage.h"

/* Whole-network cycles/MAC of the VWW MobileNetV1-0.25 at 96x96 (factory/make_vww_model.py)
 * under the cycle model, DSP kernels, Release build (docs/energy.md, bench/energy.sh). */
#define MT_DEFAULT_CPM_M4 2.6
#define MT_DEFAULT_CPM_M7 1.7

/* From docs/energy.md: the whole-network cycles/MAC of the VWW MobileNetV1-0.25 (96x96)
 * under the cycle model with the DSP kernels, a realistic network; a tiny model is worse. */
double mt_board_default_cycles_per_mac(const char *core) {
    if (core && strcmp(core, "cortex-m4") == 0) return MT_DEFAULT_CPM_M4;
    if (core && strcmp(core, "cortex-m7") == 0) return MT_DEFAULT_CPM_M7;
    return 0.0;
}

static void row(FILE *f, const char *what, const mt_board_t *b, double cycles) {
    uint64_t c = (uint64_t)(cycles + 0.5);
    double us = mt_board_latency_us(b, c), uj = mt_board_energy_uj(b, c);
    fprintf(f, "%-26s %14" PRIu64 " %12.3f %12.1f\n", what, c, us / 1000.0, uj);
}

void mt_board_estimate_print(FILE *f, const mt_model_t *m, const mt_board_t *b,
                             const mt_cycles_file_t *cyc, double cycles_per_mac,
                             double exit_share) {
    uint64_t part_macs = 0, rest_macs = 0;
    mt_stage_macs(m, &part_macs, &rest_macs);
    fprintf(f, "\nboard      %s (%s, %.0f MHz, %.2f mA typ. at %.1f V = %.1f mW run mode; "
               "estimates, docs/energy.md)\n",
            b->name, b->core, b->clock_hz / 1e6, (double)b->run_current_ma, (double)b->supply_v,
            mt_board_power_mw(b));
    if (cyc) {
        fprintf(f, "cycles     from the cycle file (%s model, bench/energy.sh)\n", cyc->cpu);
    } else {
        fprintf(f, "cycles     MACs x %.2f cycles/MAC (no --cycles file: extractor only, "
                   "no input conversion or heads)\n", cycles_per_mac);
    }
    double in = cyc ? (double)cyc->input : 0.0;
    double part = cyc ? (double)cyc->part : (double)part_macs * cycles_per_mac;
    double rest = cyc ? (double)cyc->rest : (double)rest_macs * cycles_per_mac;
    double ha = cyc ? (double)cyc->head_a : 0.0, hb = cyc ? (double)cyc->head_b : 0.0;
    fprintf(f, "%-26s %14s %12s %12s\n", "per inference", "cycles", "latency ms", "energy uJ");
    row(f, cyc ? "part stage + head A" : "part stage", b, in + part + ha);
    row(f, "rest, resumed", b, rest);
    row(f, cyc ? "full model + head B" : "full model", b, in + part + rest + hb);
    char what[48];
    snprintf(what, sizeof what, "stage decision, exit %.2f", exit_share);
    row(f, what, b, in + mt_board_stage_cycles((uint64_t)(part + 0.5), (uint64_t)ha,
                                               (uint64_t)(rest + 0.5), (uint64_t)hb, exit_share));
    if (cyc) {
        uint64_t n = (uint64_t)cyc->classes * cyc->per_class; /* <= 65535 x 1e6 */
        fprintf(f, "%-26s %14s %12s %12s\n", "per personalization", "cycles", "latency ms",
                "energy uJ");
        snprintf(what, sizeof what, "features, %" PRIu64 " samples", n);
        double features = (double)n * (double)cyc->extract; /* no u64 overflow */
        row(f, what, b, features);
        row(f, "train head A", b, (double)cyc->train_a);
        row(f, "train head B", b, (double)cyc->train_b);
        row(f, "calibrate tau (r = 0.5)", b, (double)cyc->calibrate);
        snprintf(what, sizeof what, "total (%u classes x %u)", cyc->classes, cyc->per_class);
        row(f, what, b, features + (double)cyc->train_a + (double)cyc->train_b +
                            (double)cyc->calibrate);
    }
    fprintf(f, "memory     arena %" PRIu32 " B of %" PRIu32 " B SRAM (%.1f%%), model %" PRIu32
               " B of %" PRIu32 " B flash (%.1f%%)\n",
            m->plan.arena_bytes, b->sram_bytes, 100.0 * m->plan.arena_bytes / b->sram_bytes,
            m->file_bytes, b->flash_bytes, 100.0 * m->file_bytes / b->flash_bytes);
}
