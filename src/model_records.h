/* Private to the library: decoding of the .mtm tensor and op records (docs/model-format.md),
 * shared by validation (model.c), planning (planner.c, op_scratch.c) and execution (exec.c).
 * Records are read field by field (little-endian), never cast, so an unaligned or hostile
 * buffer cannot cause undefined behaviour. Depends on nothing but the public headers. */
#ifndef MICROT_MODEL_RECORDS_H
#define MICROT_MODEL_RECORDS_H

#include <stdint.h>
#include <string.h>

#include "microt/kernels.h"
#include "microt/model.h"
#include "le_bytes.h"
#include "model_format.h"

/* One op record, decoded (docs/model-format.md, "Op record"). */
typedef struct {
    uint8_t type;
    uint8_t kh, kw, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right;
    int8_t act_min, act_max;
    uint16_t input0, input1, output;
    uint32_t weights_offset, bias_offset, requant_offset, wscale_offset;
    int32_t params[MT_OP_REC_N_PARAMS];
} mt_op_rec_t;

/* ADD's params, in record order. */
enum { MT_ADD_IN0_MULT, MT_ADD_IN0_SHIFT, MT_ADD_IN1_MULT, MT_ADD_IN1_SHIFT,
       MT_ADD_OUT_MULT, MT_ADD_OUT_SHIFT, MT_ADD_LEFT_SHIFT };
/* GLOBAL_AVG_POOL's params. */
enum { MT_POOL_MULT, MT_POOL_SHIFT };

/* Decoders for validated indices (the loader checked the table bounds). */
void mt_op_read(const mt_model_t *model, uint16_t index, mt_op_rec_t *op);
void mt_tensor_read(const mt_model_t *model, uint16_t index, mt_tensor_info_t *t);

/* Kernel geometry of a CONV2D/DEPTHWISE_CONV2D op. */
void mt_op_conv_params(const mt_model_t *model, const mt_op_rec_t *op, mt_conv_params_t *p);

/* A CONV2D that is a 1x1, stride 1, unpadded convolution (the pointwise kernel runs it). */
int mt_conv_is_pointwise(const mt_conv_params_t *p);

/* The ADD kernels' parameters of an ADD op (scratch pointer NULL). */
void mt_op_add_params(const mt_model_t *model, const mt_op_rec_t *op, mt_add_params_t *ap);

#endif
