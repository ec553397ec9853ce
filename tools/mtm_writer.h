/* Writing a .mtm model file from C (host tools: `microt import`). Lays out header, tensor
 * table, op table and the 4-aligned data section exactly as docs/model-format.md says, then
 * fills in the FNV-1a 64 fingerprint and the CRC-32. The caller validates the result with
 * mt_model_open (the writer checks only what it needs to serialise). Host only (malloc). */
#ifndef MICROT_TOOLS_MTM_WRITER_H
#define MICROT_TOOLS_MTM_WRITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint16_t h, w, c;
    float scale;
    int32_t zero_point;
} mt_mtm_tensor_t;

/* One op record plus its constant data (NULL where the type has none). Arrays are borrowed;
 * n_out entries in bias/mult/shift/wscale, n_weights in weights. */
typedef struct {
    uint8_t type; /* mt_op_type_t */
    uint8_t kh, kw, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right;
    int8_t act_min, act_max;
    uint16_t input0, input1, output;
    const int8_t *weights;
    size_t n_weights;
    const int32_t *bias, *mult, *shift;
    const float *wscale;
    uint32_t n_out;
    int32_t params[7];
} mt_mtm_op_t;

typedef struct {
    char name[32];
    const mt_mtm_tensor_t *tensors;
    uint16_t n_tensors;
    const mt_mtm_op_t *ops;
    uint16_t n_ops;
    uint16_t input_tensor, part_feature_tensor, full_feature_tensor, split_op;
    uint8_t channel_order, resize;
    float mean[3], std[3];
    const int8_t *input_lut; /* [c][256] for the input's c channels */
} mt_mtm_model_t;

/* Serialises m into a malloc'ed buffer (*len bytes); NULL when out of memory or the data
 * would not fit the format's 32-bit offsets. */
uint8_t *mt_mtm_write(const mt_mtm_model_t *m, size_t *len);

/* TFLite's QuantizeMultiplier (docs/quantization.md): M >= 0 -> mult in [2^30, 2^31) or 0,
 * shift, with M ~= mult * 2^(shift - 31). Returns -1 when M is negative, not finite or too
 * large for shift <= 30. */
int mt_quantize_multiplier(double m, int32_t *mult, int32_t *shift);

#endif
