/* Structurally valid .mtm models from fuzz bytes, for the valid-model fuzzer: random graphs
 * (convolutions of any window, stride and padding, pointwise and depthwise convolutions,
 * residual ADDs, pooling, fully connected layers, rest-stage ops that read part-stage
 * tensors), random shapes and random quantization parameters anywhere inside what
 * docs/model-format.md allows. Written field by field from the format document, like
 * tests/model_builder.c, so a refusal by mt_model_open is a finding. */
#ifndef MT_FUZZ_MODEL_GEN_H
#define MT_FUZZ_MODEL_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

/* Builds a model from the bytes into buf[cap] (4-aligned); returns its length, or 0 if cap
 * is too small (then nothing is promised). The graph stays small (<= 8 channels, <= 8x8
 * maps, <= 12 ops) so that a run takes well under a millisecond. */
size_t mt_fuzz_build_model(mt_fuzz_bytes_t *in, uint8_t *buf, size_t cap);

#endif
