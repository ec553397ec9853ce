/* Opening a .mtm model (docs/model-format.md): validate every byte, then plan the arena.
 * The model bytes are used in place (flash is fine) and never written; mt_model_t keeps
 * only parsed header fields and the arena plan, so it needs no heap. */
#ifndef MICROT_MODEL_H
#define MICROT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "microt/kernels.h"
#include "microt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MT_MAX_TENSORS 256
#define MT_MAX_OPS 192
#define MT_MODEL_HEADER_BYTES 128u
#define MT_TENSOR_RECORD_BYTES 16u
#define MT_OP_RECORD_BYTES 64u
#define MT_NO_TENSOR 0xFFFFu

typedef enum {
    MT_OP_CONV2D = 1,
    MT_OP_DEPTHWISE_CONV2D = 2,
    MT_OP_ADD = 3,
    MT_OP_GLOBAL_AVG_POOL = 4,
    MT_OP_FULLY_CONNECTED = 5,
    MT_OP_GLOBAL_AVG_POOL_DIV = 6 /* TFLite's AVERAGE_POOL_2D rounding (imported models) */
} mt_op_type_t;

typedef enum { MT_STAGE_PART = 0, MT_STAGE_FULL = 1 } mt_stage_t;

typedef enum { MT_ORDER_RGB = 0, MT_ORDER_BGR = 1, MT_ORDER_GRAY = 2 } mt_channel_order_t;

/* One activation tensor: int8 [h][w][c], real = scale * (q - zero_point). */
typedef struct {
    uint16_t h, w, c;
    float scale;
    int32_t zero_point;
} mt_tensor_info_t;

/* One op, decoded, with what `microt inspect` prints. */
typedef struct {
    mt_op_type_t type;
    uint8_t kh, kw, stride_h, stride_w;
    uint8_t pad_top, pad_left, pad_bottom, pad_right;
    int8_t act_min, act_max;
    uint16_t input0, input1, output; /* input1 is MT_NO_TENSOR except for ADD */
    uint64_t macs;                   /* multiply-accumulates (ADD/POOL: one per element) */
    uint32_t weight_bytes;           /* constant bytes: weights + bias + requant + scales */
    uint32_t live_arena_bytes;       /* arena bytes spanned by tensors live during this op */
} mt_op_info_t;

/* The arena plan, computed by mt_model_open (src/planner.c). */
typedef struct {
    uint32_t tensor_offset[MT_MAX_TENSORS]; /* byte offset of each tensor in the arena */
    uint32_t scratch_offset[MT_MAX_OPS];    /* byte offset of each op's kernel scratch */
    uint32_t scratch_bytes[MT_MAX_OPS];
    uint32_t live_bytes[MT_MAX_OPS];        /* arena bytes spanned while each op runs */
    uint32_t arena_bytes;                   /* peak: the arena size the model needs */
    uint32_t naive_bytes;                   /* every tensor in its own buffer, for comparison */
    uint8_t kernel_set;                     /* the mt_kernel_set_t whose scratch was planned */
} mt_plan_t;

typedef struct {
    const uint8_t *bytes;  /* the whole file, in place */
    uint32_t file_bytes;
    uint16_t version_minor;
    uint16_t n_tensors, n_ops;
    uint16_t input_tensor, part_feature_tensor, full_feature_tensor, split_op;
    uint8_t channel_order;
    float mean[3], std[3];
    const int8_t *input_lut; /* [c][256] */
    uint64_t fingerprint;
    char name[32];
    mt_plan_t plan;
} mt_model_t;

/* Validates `bytes` (len bytes, 4-byte aligned) completely and plans the arena.
 * On any error *model is left zeroed and the code names the first fault found. */
mt_status_t mt_model_open(mt_model_t *model, const void *bytes, size_t len);

/* Re-plans the arena as another kernel set (include/microt/kernels.h) needs it, e.g. so a
 * host tool reports the Cortex-M figure. MT_E_ARG for a set this build does not contain.
 * A model planned for a set other than mt_kernels_built() cannot run: mt_exec_init refuses
 * it with MT_E_STATE. */
mt_status_t mt_model_plan_for(mt_model_t *model, mt_kernel_set_t set);

/* Arena bytes the executor needs for this model (the planned peak). */
size_t mt_model_arena_bytes(const mt_model_t *model);

mt_status_t mt_model_tensor(const mt_model_t *model, uint16_t index, mt_tensor_info_t *out);
mt_status_t mt_model_op(const mt_model_t *model, uint16_t index, mt_op_info_t *out);

/* A short constant name for an op type ("conv2d", "depthwise", ...; "?" if unknown). */
const char *mt_op_type_name(mt_op_type_t type);

/* Length of the pooled feature vector of a stage (0 on a bad argument). */
uint32_t mt_model_feature_len(const mt_model_t *model, mt_stage_t stage);

/* zlib CRC-32 and FNV-1a 64, as the format uses them (also used by the head store). */
uint32_t mt_crc32(uint32_t crc, const void *data, size_t len);
uint64_t mt_fnv1a64(uint64_t hash, const void *data, size_t len);
#define MT_FNV1A64_INIT 0xcbf29ce484222325ull

#ifdef __cplusplus
}
#endif
#endif
