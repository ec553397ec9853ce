/* Translating an int8 TFLite model into a microt .mtm (`microt import`): the runtime's ops
 * with TFLite's own quantization arithmetic (docs/quantization.md is the TFLite int8 scheme),
 * a user-chosen split into part and full stage, and pooled feature tensors for heads A and B.
 * The ops after the full feature (the model's own classifier) are dropped: microt's heads
 * replace them. Refuses, naming the op and its index, anything the runtime cannot compute.
 * Host only; docs/import.md describes the mapping op by op. */
#ifndef MICROT_TOOLS_TFLITE_IMPORT_H
#define MICROT_TOOLS_TFLITE_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tflite_reader.h"

typedef struct {
    const char *split;       /* tensor reference (mt_tfl_graph_find); NULL: the candidate
                              * nearest half the MACs */
    const char *features[2]; /* n_features = 1: full feature; 2: part then full */
    int n_features;
    const char *name;        /* model name (<= 31 chars); NULL: "imported" */
    int has_range;           /* input range given: pixel 0 -> in_lo, 255 -> in_hi */
    double in_lo, in_hi;
    int bgr;                 /* the model expects BGR (3-channel inputs) */
    int32_t *source_of;      /* optional out [MT_MAX_TENSORS]: the TFLite tensor each .mtm
                              * tensor holds (-1: a pool the import added), for tests that
                              * compare the two runtimes tensor by tensor */
} mt_import_opts_t;

/* Builds the .mtm (malloc'ed, *len bytes, validated with mt_model_open) or returns -1 with
 * one line in err. Progress facts (what was chosen, what was dropped) go to info if not NULL. */
int mt_tfl_import(const mt_tfl_model_t *m, const mt_import_opts_t *o, uint8_t **out,
                  size_t *len, FILE *info, char *err, size_t err_len);

#endif
