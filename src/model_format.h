/* The byte offsets of every field of the .mtm format (docs/model-format.md), named once.
 * The loader (model.c, model_records.c), the tests' model builder and the fuzzer use these
 * names; tests/test_model_format.c checks each table against the document's tables.
 * Plain data: no code, no state. */
#ifndef MICROT_MODEL_FORMAT_H
#define MICROT_MODEL_FORMAT_H

/* X(NAME, OFFSET, "type as the document writes it", "field name in the document").
 * Header: 128 bytes at offset 0. */
#define MT_HDR_FIELDS(X)                                     \
    X(MT_HDR_MAGIC, 0, "u8[4]", "magic")                     \
    X(MT_HDR_VERSION, 4, "u16", "version_major")             \
    X(MT_HDR_VERSION_MINOR, 6, "u16", "version_minor")       \
    X(MT_HDR_FILE_BYTES, 8, "u32", "file_bytes")             \
    X(MT_HDR_CRC, 12, "u32", "crc32")                        \
    X(MT_HDR_FINGERPRINT, 16, "u64", "fingerprint")          \
    X(MT_HDR_HEADER_BYTES, 24, "u32", "header_bytes")        \
    X(MT_HDR_N_TENSORS, 28, "u16", "n_tensors")              \
    X(MT_HDR_N_OPS, 30, "u16", "n_ops")                      \
    X(MT_HDR_TENSORS_OFFSET, 32, "u32", "tensors_offset")    \
    X(MT_HDR_OPS_OFFSET, 36, "u32", "ops_offset")            \
    X(MT_HDR_DATA_OFFSET, 40, "u32", "data_offset")          \
    X(MT_HDR_DATA_BYTES, 44, "u32", "data_bytes")            \
    X(MT_HDR_INPUT, 48, "u16", "input_tensor")               \
    X(MT_HDR_PART_FEATURE, 50, "u16", "part_feature_tensor") \
    X(MT_HDR_FULL_FEATURE, 52, "u16", "full_feature_tensor") \
    X(MT_HDR_SPLIT, 54, "u16", "split_op")                   \
    X(MT_HDR_ORDER, 56, "u8", "channel_order")               \
    X(MT_HDR_RESIZE, 57, "u8", "resize")                     \
    X(MT_HDR_RESERVED0, 58, "u16", "reserved")               \
    X(MT_HDR_MEAN, 60, "f32[3]", "mean")                     \
    X(MT_HDR_STD, 72, "f32[3]", "std")                       \
    X(MT_HDR_LUT, 84, "u32", "input_lut_offset")             \
    X(MT_HDR_NAME, 88, "char[32]", "name")                   \
    X(MT_HDR_RESERVED1, 120, "u8[8]", "reserved")

/* Tensor record: 16 bytes each, n_tensors of them from tensors_offset. */
#define MT_TENSOR_REC_FIELDS(X)                   \
    X(MT_TENSOR_REC_H, 0, "u16", "h")             \
    X(MT_TENSOR_REC_W, 2, "u16", "w")             \
    X(MT_TENSOR_REC_C, 4, "u16", "c")             \
    X(MT_TENSOR_REC_FLAGS, 6, "u16", "flags")     \
    X(MT_TENSOR_REC_SCALE, 8, "f32", "scale")     \
    X(MT_TENSOR_REC_ZERO_POINT, 12, "i32", "zero_point")

/* Op record: 64 bytes each, n_ops of them from ops_offset. */
#define MT_OP_REC_FIELDS(X)                                   \
    X(MT_OP_REC_TYPE, 0, "u8", "type")                        \
    X(MT_OP_REC_KH, 1, "u8", "kh")                            \
    X(MT_OP_REC_KW, 2, "u8", "kw")                            \
    X(MT_OP_REC_STRIDE_H, 3, "u8", "stride_h")                \
    X(MT_OP_REC_STRIDE_W, 4, "u8", "stride_w")                \
    X(MT_OP_REC_PAD_TOP, 5, "u8", "pad_top")                  \
    X(MT_OP_REC_PAD_LEFT, 6, "u8", "pad_left")                \
    X(MT_OP_REC_PAD_BOTTOM, 7, "u8", "pad_bottom")            \
    X(MT_OP_REC_PAD_RIGHT, 8, "u8", "pad_right")              \
    X(MT_OP_REC_ACT_MIN, 9, "i8", "act_min")                  \
    X(MT_OP_REC_ACT_MAX, 10, "i8", "act_max")                 \
    X(MT_OP_REC_RESERVED0, 11, "u8", "reserved")              \
    X(MT_OP_REC_INPUT0, 12, "u16", "input0")                  \
    X(MT_OP_REC_INPUT1, 14, "u16", "input1")                  \
    X(MT_OP_REC_OUTPUT, 16, "u16", "output")                  \
    X(MT_OP_REC_RESERVED1, 18, "u16", "reserved")             \
    X(MT_OP_REC_WEIGHTS_OFFSET, 20, "u32", "weights_offset")  \
    X(MT_OP_REC_BIAS_OFFSET, 24, "u32", "bias_offset")        \
    X(MT_OP_REC_REQUANT_OFFSET, 28, "u32", "requant_offset")  \
    X(MT_OP_REC_WSCALE_OFFSET, 32, "u32", "wscale_offset")    \
    X(MT_OP_REC_PARAMS, 36, "i32[7]", "params")

#define MT_FORMAT_ENUM_(name, off, type, doc) name = off,
enum { MT_HDR_FIELDS(MT_FORMAT_ENUM_) MT_HDR_FIELDS_END_ };
enum { MT_TENSOR_REC_FIELDS(MT_FORMAT_ENUM_) MT_TENSOR_REC_FIELDS_END_ };
enum { MT_OP_REC_FIELDS(MT_FORMAT_ENUM_) MT_OP_REC_FIELDS_END_ };
#undef MT_FORMAT_ENUM_

/* The magic, the supported major version and the number of op params. */
#define MT_FORMAT_MAGIC "MTM1"
#define MT_FORMAT_VERSION_MAJOR 1
#define MT_OP_REC_N_PARAMS 7

#endif
