/* Reading a TensorFlow Lite model (.tflite flatbuffer) into plain C structs, for the host tools
 * (`microt tflite-dump`, `microt import`). Host only: the device library never parses TFLite.
 *
 * Built on tflite_flatbuffer.c (bounds-checked; why not Debian's flatbuffers: see its header).
 * What is read: the model's version and description, the main subgraph (subgraph 0): tensors
 * (name, type, shape, constant data, affine quantization), operators (builtin code, version,
 * inputs, outputs and the builtin options of the ops listed in mt_tfl_options_t), and the
 * subgraph's inputs and outputs. Field numbers follow TensorFlow's tensorflow/lite/schema/
 * schema.fbs (checked against it; quoted at each use in tflite_reader.c).
 *
 * Anything inconsistent is refused with a message naming the object: an index out of range,
 * constant data whose size disagrees with the shape, quantization vectors of different
 * lengths, an unknown enum value, options of the wrong type for the op. */
#ifndef MICROT_TOOLS_TFLITE_READER_H
#define MICROT_TOOLS_TFLITE_READER_H

#include <stddef.h>
#include <stdint.h>

/* TensorType values of the schema. */
enum {
    MT_TFL_FLOAT32 = 0, MT_TFL_FLOAT16 = 1, MT_TFL_INT32 = 2, MT_TFL_UINT8 = 3, MT_TFL_INT64 = 4,
    MT_TFL_STRING = 5, MT_TFL_BOOL = 6, MT_TFL_INT16 = 7, MT_TFL_COMPLEX64 = 8, MT_TFL_INT8 = 9,
    MT_TFL_FLOAT64 = 10, MT_TFL_COMPLEX128 = 11, MT_TFL_UINT64 = 12, MT_TFL_RESOURCE = 13,
    MT_TFL_VARIANT = 14, MT_TFL_UINT32 = 15, MT_TFL_UINT16 = 16, MT_TFL_INT4 = 17,
    MT_TFL_BFLOAT16 = 18
};

/* BuiltinOperator codes the tools treat specially (the name table covers all of them). */
enum {
    MT_TFL_ADD = 0, MT_TFL_AVERAGE_POOL_2D = 1, MT_TFL_CONCATENATION = 2, MT_TFL_CONV_2D = 3,
    MT_TFL_DEPTHWISE_CONV_2D = 4, MT_TFL_DEQUANTIZE = 6, MT_TFL_FULLY_CONNECTED = 9,
    MT_TFL_LOGISTIC = 14, MT_TFL_MAX_POOL_2D = 17, MT_TFL_MUL = 18, MT_TFL_RELU = 19,
    MT_TFL_RELU6 = 21, MT_TFL_RESHAPE = 22, MT_TFL_SOFTMAX = 25, MT_TFL_CUSTOM = 32,
    MT_TFL_PAD = 34, MT_TFL_MEAN = 40, MT_TFL_SUB = 41, MT_TFL_QUANTIZE = 114,
    MT_TFL_HARD_SWISH = 117
};

enum { MT_TFL_PAD_SAME = 0, MT_TFL_PAD_VALID = 1 };
enum {
    MT_TFL_ACT_NONE = 0, MT_TFL_ACT_RELU = 1, MT_TFL_ACT_RELU_N1_TO_1 = 2, MT_TFL_ACT_RELU6 = 3,
    MT_TFL_ACT_TANH = 4, MT_TFL_ACT_SIGN_BIT = 5
};

/* Which options an op carries (by its builtin code), i.e. which fields below are meaningful. */
typedef enum {
    MT_TFL_OPT_NONE = 0,   /* no options read (op without options, or not in the list) */
    MT_TFL_OPT_CONV,       /* padding, stride_w/h, dilation_w/h, activation */
    MT_TFL_OPT_DEPTHWISE,  /* the same + depth_multiplier */
    MT_TFL_OPT_POOL,       /* padding, stride_w/h, filter_w/h, activation */
    MT_TFL_OPT_ACTIVATION, /* activation only (ADD, SUB, MUL) */
    MT_TFL_OPT_FC,         /* activation, keep_num_dims, weights_format */
    MT_TFL_OPT_CONCAT,     /* axis, activation */
    MT_TFL_OPT_RESHAPE,    /* new_shape (has_new_shape says whether the op gave one) */
    MT_TFL_OPT_SOFTMAX,    /* beta */
    MT_TFL_OPT_REDUCER     /* keep_dims */
} mt_tfl_options_kind_t;

typedef struct {
    mt_tfl_options_kind_t kind;
    int padding;                 /* MT_TFL_PAD_* */
    int32_t stride_w, stride_h;
    int32_t dilation_w, dilation_h;
    int32_t depth_multiplier;
    int32_t filter_w, filter_h;
    int activation;              /* MT_TFL_ACT_* */
    int keep_num_dims;           /* FULLY_CONNECTED */
    int weights_format;          /* FULLY_CONNECTED: 0 DEFAULT, 1 SHUFFLED4x16INT8 */
    int32_t axis;                /* CONCATENATION */
    float beta;                  /* SOFTMAX */
    int keep_dims;               /* MEAN (ReducerOptions) */
    int has_new_shape;           /* RESHAPE: new_shape was given (in the options) */
    int32_t *new_shape;          /* RESHAPE, malloc'ed, n_new_shape entries */
    uint32_t n_new_shape;
} mt_tfl_options_t;

typedef struct {
    char *name;            /* malloc'ed, NUL-terminated ("" when the file gives none) */
    int type;              /* MT_TFL_* TensorType */
    int32_t *shape;        /* malloc'ed, rank entries (NULL when rank 0) */
    uint32_t rank;
    uint32_t buffer;       /* index into the model's buffers (0 = none) */
    const uint8_t *data;   /* constant data inside the file, or NULL */
    size_t data_bytes;
    int is_variable;
    /* Affine quantization (n_scale == 0: none). real = scale[i] * (q - zero_point[i]) along
     * quantized_dimension when n_scale > 1. */
    float *scale;          /* malloc'ed */
    int64_t *zero_point;   /* malloc'ed, n_scale entries */
    uint32_t n_scale;
    int32_t quantized_dimension;
} mt_tfl_tensor_t;

typedef struct {
    int32_t code;          /* BuiltinOperator (max of the deprecated and the new field) */
    int32_t version;       /* OperatorCode.version (default 1) */
    char *custom_code;     /* malloc'ed, for CUSTOM ops; NULL otherwise */
    int32_t *inputs;       /* malloc'ed tensor indices, -1 = optional input absent */
    uint32_t n_inputs;
    int32_t *outputs;      /* malloc'ed */
    uint32_t n_outputs;
    mt_tfl_options_t opt;
} mt_tfl_op_t;

typedef struct {
    uint32_t version;      /* Model.version (the schema version, 3 today) */
    char *description;     /* malloc'ed */
    uint32_t n_subgraphs;  /* only subgraph 0 is read */
    uint32_t n_buffers;
    mt_tfl_tensor_t *tensors;
    uint32_t n_tensors;
    mt_tfl_op_t *ops;
    uint32_t n_ops;
    int32_t *inputs;       /* subgraph inputs (tensor indices) */
    uint32_t n_inputs;
    int32_t *outputs;
    uint32_t n_outputs;
} mt_tfl_model_t;

/* Parses buf (len bytes; it must stay alive while the model's data pointers are used).
 * Returns 0, or -1 with a one-line reason in err (malformed or inconsistent file, or out of
 * memory); *m is then empty. */
int mt_tfl_parse(mt_tfl_model_t *m, const uint8_t *buf, size_t len, char *err, size_t err_len);
void mt_tfl_free(mt_tfl_model_t *m);

/* "CONV_2D", ... for a builtin code; NULL when the code is not in the schema's enum. */
const char *mt_tfl_op_name(int32_t code);
/* "FLOAT32", ... for a TensorType; NULL when unknown. */
const char *mt_tfl_type_name(int type);
/* Bytes per element (FLOAT16 = 2, ...); 0 when not fixed (STRING, INT4, unknown). */
unsigned mt_tfl_type_bytes(int type);
/* "SAME"/"VALID" and "NONE"/"RELU"/... (NULL for values outside the enums). */
const char *mt_tfl_padding_name(int padding);
const char *mt_tfl_activation_name(int act);

#endif
