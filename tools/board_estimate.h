/* Host side of the energy estimates (docs/energy.md): reads the per-model cycle file that
 * bench/energy.sh writes, and prints latency and energy per stage and per personalization
 * for one board of include/microt/board.h. Estimates, never measurements. */
#ifndef MICROT_TOOLS_BOARD_ESTIMATE_H
#define MICROT_TOOLS_BOARD_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "microt/board.h"
#include "microt/model.h"

/* Estimated cycles of one model on one core, marker overhead already subtracted. */
typedef struct {
    char cpu[16];          /* "cortex-m4" / "cortex-m7" */
    char model[32];        /* the model's name */
    uint64_t fingerprint;  /* the model's fingerprint, checked against the model */
    uint64_t input;        /* pixels -> int8 input through the LUT */
    uint64_t part;         /* ops [0, split_op) */
    uint64_t rest;         /* ops [split_op, n_ops), resumed */
    uint64_t full;         /* all ops in one call */
    uint64_t extract;      /* one personalization sample: input + full pass + cache add */
    uint64_t train_a;      /* head A training on classes x per_class cached features */
    uint64_t train_b;      /* head B training, likewise */
    uint64_t calibrate;    /* tau for r = 0.5 by k-fold cross-validation */
    uint64_t head_a;       /* head A inference (logits + decision) */
    uint64_t head_b;       /* head B inference */
    uint32_t classes, per_class;
} mt_cycles_file_t;

/* Parses a cycle file ("key value" lines, '#' comments). 0 on success; otherwise -1 with a
 * one-line reason in err. Every key above is required. */
int mt_cycles_file_read(const char *path, mt_cycles_file_t *out, char *err, size_t err_len);

/* The default cycles-per-MAC figure for a core, used when there is no cycle file
 * (docs/energy.md says where it comes from); 0 for an unknown core. */
double mt_board_default_cycles_per_mac(const char *core);

/* Prints the board's estimate table for model m: per stage (part, full, stage decision at
 * exit_share) latency and energy, and, with a cycle file, one personalization. Without a
 * cycle file (cyc NULL) the extractor cycles are MACs x cycles_per_mac and heads are left out. */
void mt_board_estimate_print(FILE *f, const mt_model_t *m, const mt_board_t *board,
                             const mt_cycles_file_t *cyc, double cycles_per_mac,
                             double exit_share);

#endif
