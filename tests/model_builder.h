/* A tiny .mtm writer for C tests and the fuzz seed corpus: builds small valid models
 * field by field from docs/model-format.md (independently of the factory's Python writer),
 * and re-seals a mutated file (CRC, fingerprint) so tests reach the deeper checks. */
#ifndef MT_TEST_MODEL_BUILDER_H
#define MT_TEST_MODEL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* Field offsets: the format's one list (src/model_format.h: MT_HDR_*, MT_TENSOR_REC_*,
 * MT_OP_REC_*), checked against docs/model-format.md by tests/test_model_format.c. */
#include "../src/model_format.h"

/* Byte offset of tensor record i / op record i in a model with n_tensors tensors. */
size_t mt_tensor_record(size_t i);
size_t mt_op_record(size_t n_tensors, size_t i);

/* Builds a small valid model into buf (capacity cap) and returns its length (0 if cap is
 * too small). Graph, 8x8x3 RGB input, seeded random weights:
 *   op0 conv 3x3/2 pad 1,0,1,0 (Keras same) t0 8x8x3 -> t1 4x4x8, ReLU6
 *   op1 depthwise 3x3/1 pad 1    t1 -> t2 4x4x8
 *   op2 add t1 + t2              -> t3 4x4x8
 *   op3 avgpool t3               -> t4 1x1x8   (part feature; split_op = 4)
 *   op4 conv 1x1                 t3 -> t5 4x4x16, ReLU6
 *   op5 avgpool t5               -> t6 1x1x16
 *   op6 fully connected t6       -> t7 1x1x12  (full feature) */
#define MT_SMALL_MODEL_TENSORS 8
#define MT_SMALL_MODEL_OPS 7
size_t mt_build_small_model(uint8_t *buf, size_t cap, uint32_t seed);

/* Recomputes the fingerprint and CRC of a (mutated) model in place. */
void mt_reseal(uint8_t *buf, size_t len);

void mt_put_u16(uint8_t *p, uint16_t v);
void mt_put_u32(uint8_t *p, uint32_t v);
void mt_put_f32(uint8_t *p, float v);
uint32_t mt_get_u32(const uint8_t *p);

#endif
