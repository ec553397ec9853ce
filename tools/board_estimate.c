/* Latency and energy tables of `microt inspect --board` (docs/energy.md). Host only: the
 * arithmetic itself is the device library's (src/board.c), so device and host agree. */
#include "board_estimate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "microt/stage.h"

/* Whole-network cycles/MAC of MLPerf Tiny's VWW MobileNetV1-0.25 at 96x96 (the imported
 * TFLite) under the cycle model with each board's memory system, DSP kernels, Release build
 * (docs/energy.md, bench/mlperf.sh). */
#define MT_DEFAULT_CPM_M4 2.45
#define MT_DEFAULT_CPM_M7 1.34

/* From docs/energy.md: the whole-network cycles/MAC of the VWW MobileNetV1-0.25 (96x96)
 * under the cycle model and the board's memory, DSP kernels: a realistic network; a tiny
 * model is worse. */
double mt_board_default_cycles_per_mac(const char *core) {
    if (core && strcmp(core, "cortex-m4") == 0) return MT_DEFAULT_CPM_M4;
    if (core && strcmp(core, "cortex-m7") == 0) return MT_DEFAULT_CPM_M7;
    return 0.0;
}

/* The cycle model's memory system behind an estimate (docs/cycles.md): the cycle file's, else
 * the board's own, which the default figures above were measured with. */
static const char *memory_model(const mt_board_t *b, const mt_cycles_file_t *cyc) {
    if (cyc) return cyc->memory[0] ? cyc->memory : "not stated (zero-wait before it was recorded)";
    return strcmp(b->core, "cortex-m7") == 0 ? "h7a3" : "l4r5";
}

/* Where the estimate goes: text rows on f, or JSON values through j. */
typedef struct {
    FILE *f;
    mt_json_t *j;
} sink_t;

static void row(const sink_t *o, const char *what, const mt_board_t *b, double cycles) {
    uint64_t c = (uint64_t)(cycles + 0.5);
    double us = mt_board_latency_us(b, c), uj = mt_board_energy_uj(b, c);
    if (o->j) {
        mt_json_object_begin(o->j, NULL);
        mt_json_string(o->j, "what", what);
        mt_json_uint(o->j, "cycles", c);
        mt_json_number(o->j, "latency_ms", us / 1000.0);
        mt_json_number(o->j, "energy_uj", uj);
        mt_json_object_end(o->j);
    } else {
        fprintf(o->f, "%-26s %14" PRIu64 " %12.3f %12.1f\n", what, c, us / 1000.0, uj);
    }
}

/* A table's heading: text, or the start of a JSON array (ended by table_end). */
static void table(const sink_t *o, const char *title, const char *key) {
    if (o->j) {
        mt_json_array_begin(o->j, key);
    } else {
        fprintf(o->f, "%-26s %14s %12s %12s\n", title, "cycles", "latency ms", "energy uJ");
    }
}

static void table_end(const sink_t *o) {
    if (o->j) mt_json_array_end(o->j);
}

static void estimate(const sink_t *o, const mt_model_t *m, const mt_board_t *b,
                     const mt_cycles_file_t *cyc, double cycles_per_mac, double exit_share) {
    uint64_t part_macs = 0, rest_macs = 0;
    mt_stage_macs(m, &part_macs, &rest_macs);
    if (o->j) {
        mt_json_string(o->j, "board", b->name);
        mt_json_string(o->j, "core", b->core);
        mt_json_number(o->j, "clock_hz", b->clock_hz);
        mt_json_number(o->j, "run_current_ma", (double)b->run_current_ma);
        mt_json_number(o->j, "supply_v", (double)b->supply_v);
        mt_json_number(o->j, "power_mw", mt_board_power_mw(b));
        mt_json_string(o->j, "cycles_from", cyc ? "cycle file" : "macs");
        mt_json_string(o->j, "memory_model", memory_model(b, cyc));
        if (cyc) {
            mt_json_null(o->j, "cycles_per_mac");
        } else {
            mt_json_number(o->j, "cycles_per_mac", cycles_per_mac);
        }
    } else {
        fprintf(o->f, "\nboard      %s (%s, %.0f MHz, %.2f mA typ. at %.1f V = %.1f mW run mode; "
                      "estimates, docs/energy.md)\n",
                b->name, b->core, b->clock_hz / 1e6, (double)b->run_current_ma,
                (double)b->supply_v, mt_board_power_mw(b));
        if (cyc) {
            fprintf(o->f, "cycles     from the cycle file (%s model, memory %s, bench/energy.sh)\n",
                    cyc->cpu, memory_model(b, cyc));
        } else {
            fprintf(o->f, "cycles     MACs x %.2f cycles/MAC (memory %s; no --cycles file: extractor "
                          "only, no input conversion or heads)\n", cycles_per_mac,
                    memory_model(b, cyc));
        }
    }
    double in = cyc ? (double)cyc->input : 0.0;
    double part = cyc ? (double)cyc->part : (double)part_macs * cycles_per_mac;
    double rest = cyc ? (double)cyc->rest : (double)rest_macs * cycles_per_mac;
    double ha = cyc ? (double)cyc->head_a : 0.0, hb = cyc ? (double)cyc->head_b : 0.0;
    table(o, "per inference", "inference");
    row(o, cyc ? "part stage + head A" : "part stage", b, in + part + ha);
    row(o, "rest, resumed", b, rest);
    row(o, cyc ? "full model + head B" : "full model", b, in + part + rest + hb);
    char what[48];
    snprintf(what, sizeof what, "stage decision, exit %.2f", exit_share);
    row(o, what, b, in + mt_board_stage_cycles((uint64_t)(part + 0.5), (uint64_t)ha,
                                               (uint64_t)(rest + 0.5), (uint64_t)hb, exit_share));
    table_end(o);
    if (cyc) {
        uint64_t n = (uint64_t)cyc->classes * cyc->per_class; /* <= 65535 x 1e6 */
        table(o, "per personalization", "personalization");
        snprintf(what, sizeof what, "features, %" PRIu64 " samples", n);
        double features = (double)n * (double)cyc->extract; /* no u64 overflow */
        row(o, what, b, features);
        row(o, "train head A", b, (double)cyc->train_a);
        row(o, "train head B", b, (double)cyc->train_b);
        row(o, "calibrate tau (r = 0.5)", b, (double)cyc->calibrate);
        snprintf(what, sizeof what, "total (%u classes x %u)", cyc->classes, cyc->per_class);
        row(o, what, b, features + (double)cyc->train_a + (double)cyc->train_b +
                            (double)cyc->calibrate);
        table_end(o);
    }
    if (o->j) {
        mt_json_object_begin(o->j, "memory");
        mt_json_uint(o->j, "arena_bytes", m->plan.arena_bytes);
        mt_json_uint(o->j, "sram_bytes", b->sram_bytes);
        mt_json_uint(o->j, "model_bytes", m->file_bytes);
        mt_json_uint(o->j, "flash_bytes", b->flash_bytes);
        mt_json_object_end(o->j);
        return;
    }
    fprintf(o->f, "memory     arena %" PRIu32 " B of %" PRIu32 " B SRAM (%.1f%%), model %" PRIu32
                  " B of %" PRIu32 " B flash (%.1f%%)\n",
            m->plan.arena_bytes, b->sram_bytes, 100.0 * m->plan.arena_bytes / b->sram_bytes,
            m->file_bytes, b->flash_bytes, 100.0 * m->file_bytes / b->flash_bytes);
}

void mt_board_estimate_print(FILE *f, const mt_model_t *m, const mt_board_t *b,
                             const mt_cycles_file_t *cyc, double cycles_per_mac,
                             double exit_share) {
    sink_t o = {f, NULL};
    estimate(&o, m, b, cyc, cycles_per_mac, exit_share);
}

void mt_board_estimate_json(mt_json_t *j, const mt_model_t *m, const mt_board_t *b,
                            const mt_cycles_file_t *cyc, double cycles_per_mac,
                            double exit_share) {
    sink_t o = {NULL, j};
    estimate(&o, m, b, cyc, cycles_per_mac, exit_share);
}
