/* Internal to `microt import`: lowering one TFLite op to a .mtm op record, with the shared
 * state of a translation. tflite_import.c drives it. Host only. */
#ifndef MICROT_TOOLS_TFLITE_LOWER_H
#define MICROT_TOOLS_TFLITE_LOWER_H

#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"
#include "mtm_writer.h"
#include "tflite_graph.h"
#include "tflite_reader.h"

typedef struct {
    const mt_tfl_model_t *m;
    mt_tfl_graph_t g;
    int32_t *mt_of;              /* [n_tensors] tfl tensor (a source) -> mtm tensor, -1 */
    mt_mtm_tensor_t tensors[MT_MAX_TENSORS];
    uint16_t n_tensors;
    mt_mtm_op_t ops[MT_MAX_OPS];
    uint16_t n_ops;
    void *owned[4 * MT_MAX_OPS]; /* per-op arrays to free */
    unsigned n_owned;
    char *err;
    size_t err_len;
    int failed;
} ctx_t;

/* Records the first fault (printf-style) in c->err; returns -1. */
int mt_lw_fail(ctx_t *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
const char *mt_lw_opname(const mt_tfl_op_t *op);
/* The mtm tensor of tfl tensor t (a view source), created on first use; -1 on a fault. */
int mt_lw_mt_tensor(ctx_t *c, int32_t t, uint32_t k);
/* Each fills *r from op k of the model; -1 on a fault (c->err says which op and why). */
int mt_lw_lower_conv(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r);
int mt_lw_lower_fc(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r);
int mt_lw_lower_add(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r);
int mt_lw_lower_pool(ctx_t *c, const mt_tfl_op_t *op, uint32_t k, mt_mtm_op_t *r);
/* Appends a GLOBAL_AVG_POOL_DIV of mtm tensor `in` (same quantization); its output, or -1. */
int mt_lw_add_pool(ctx_t *c, int in);

#endif
