/* Private to the library: the kernel scratch an op needs with a given kernel set, from the
 * op's records alone (the planner sizes the arena with it). Below validation, planning and
 * execution; depends only on record decoding and the kernel-set tables. */
#ifndef MICROT_OP_SCRATCH_H
#define MICROT_OP_SCRATCH_H

#include <stdint.h>

#include "microt/kernels.h"
#include "model_records.h"

/* Scratch bytes op needs when kernels runs it (0 for most reference kernels). */
uint32_t mt_op_scratch_bytes(const mt_model_t *model, const mt_op_rec_t *op,
                             const mt_kernels_t *kernels);

/* 1 if kernels may run op (a DEPTHWISE_CONV2D) with its output over its input. */
int mt_op_in_place(const mt_model_t *model, const mt_op_rec_t *op, const mt_kernels_t *kernels);

#endif
