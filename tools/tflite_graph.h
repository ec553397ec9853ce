/* Graph facts of a parsed TFLite model that `microt import` and `microt inspect` share:
 * which op writes each tensor, which tensors are views of others (RESHAPE, and PAD that a
 * following convolution absorbs as padding), MACs per op, and the split candidates (points
 * where a single activation tensor carries everything the rest of the graph needs).
 * Host only. */
#ifndef MICROT_TOOLS_TFLITE_GRAPH_H
#define MICROT_TOOLS_TFLITE_GRAPH_H

#include <stdint.h>
#include <stdio.h>

#include "tflite_reader.h"

typedef struct {
    const mt_tfl_model_t *m;
    int32_t *writer;   /* [n_tensors] op writing the tensor, -1 for none (input, constant) */
    int32_t *source;   /* [n_tensors] the tensor whose bytes this one is (itself, or the input
                        * of a RESHAPE / PAD chain) */
    uint8_t (*pad)[4]; /* [n_tensors] top, bottom, left, right zero-point padding a PAD chain
                        * added on the way from source (absorbed by the consuming conv) */
    uint64_t *macs;    /* [n_ops] multiply-accumulates (elementwise ops: one per output) */
    uint64_t total_macs;
} mt_tfl_graph_t;

/* Builds the facts; -1 with a reason in err on an inconsistent graph or out of memory. */
int mt_tfl_graph_build(mt_tfl_graph_t *g, const mt_tfl_model_t *m, char *err, size_t err_len);
void mt_tfl_graph_free(mt_tfl_graph_t *g);

/* Resolves a user's tensor reference: "op:N" (the output of op N), a decimal tensor index,
 * or a tensor name. -1 when nothing matches. */
int32_t mt_tfl_graph_find(const mt_tfl_graph_t *g, const char *ref);

/* Elements of a tensor (product of its dims; 0 for a dynamic or empty shape). */
uint64_t mt_tfl_tensor_elems(const mt_tfl_tensor_t *t);

/* True when op k's output alone carries every activation ops after k read (besides tensors
 * written after k): a clean place to stop the part stage. */
int mt_tfl_graph_is_cut(const mt_tfl_graph_t *g, uint32_t k);

/* Prints the split candidates (op, tensor, shape, cumulative MAC share) to f. */
void mt_tfl_graph_print_candidates(const mt_tfl_graph_t *g, FILE *f);

#endif
