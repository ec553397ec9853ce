/* The per-model cycle file that bench/energy.sh writes and `microt inspect --cycles` reads
 * (docs/energy.md): "key value" lines and '#' comments. Parsed strictly: every key once,
 * whole numbers without sign and within bounds, so a hostile or damaged file is refused
 * with the line and the reason, never read as garbage. Host only. */
#ifndef MICROT_TOOLS_CYCLES_FILE_H
#define MICROT_TOOLS_CYCLES_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Bounds that keep every derived figure (samples x cycles per sample, sums) inside u64. */
#define MT_CYCLES_MAX 1000000000000ull   /* 1e12 cycles a call: hours at any MCU clock */
#define MT_CYCLES_MAX_CLASSES 65535u
#define MT_CYCLES_MAX_SAMPLES 1000000u   /* classes x per_class */

/* Estimated cycles of one model on one core, marker overhead already subtracted. */
typedef struct {
    char cpu[16];          /* "cortex-m4" / "cortex-m7" */
    char model[32];        /* the model's name */
    char memory[16];       /* the cycle model's memory system (docs/cycles.md): "none" (zero
                            * wait, a bound), "l4r5", "h7a3"; "" when the file does not say */
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

/* Parses the text[len] of a cycle file (it need not be NUL-terminated). 0 on success;
 * otherwise -1 with a one-line reason ("line 3: part '-5' is not a whole number ...") in err.
 * Every key is required exactly once; unknown keys are skipped (room to grow). */
int mt_cycles_parse(const char *text, size_t len, mt_cycles_file_t *out, char *err,
                    size_t err_len);

/* Reads path (a regular file of at most MT_FILE_MAX_TEXT_BYTES) and parses it. 0 on
 * success; otherwise -1 with a one-line reason in err (without the path). */
int mt_cycles_file_read(const char *path, mt_cycles_file_t *out, char *err, size_t err_len);

#endif
