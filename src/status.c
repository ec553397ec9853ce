/* mt_strerror: one constant sentence per status code, saying what to fix. */
#include "microt/status.h"

const char *mt_strerror(int code) {
    switch (code) {
    case MT_OK: return "ok";
    case MT_E_ARG: return "invalid argument (NULL pointer or value out of range)";
    case MT_E_MODEL_MAGIC: return "not a microt model file (bad magic)";
    case MT_E_MODEL_VERSION: return "model file version not supported by this runtime";
    case MT_E_MODEL_TRUNCATED: return "model file truncated (shorter than its header says)";
    case MT_E_MODEL_CRC: return "model file corrupt (CRC-32 mismatch)";
    case MT_E_MODEL_FINGERPRINT: return "model fingerprint does not match its contents";
    case MT_E_MODEL_LAYOUT: return "model header does not describe its sections";
    case MT_E_MODEL_LIMIT: return "model has more tensors or ops than this build supports";
    case MT_E_MODEL_ALIGN: return "model buffer is not 4-byte aligned";
    case MT_E_MODEL_OP: return "model uses an unknown operator";
    case MT_E_MODEL_GRAPH: return "model graph inconsistent (tensor indices, data flow or split)";
    case MT_E_MODEL_SHAPE: return "model op shapes or kernel geometry inconsistent";
    case MT_E_MODEL_RANGE: return "model data offset or size outside the data section";
    case MT_E_MODEL_QUANT: return "model quantization parameter invalid";
    case MT_E_MODEL_INPUT: return "model input specification invalid";
    case MT_E_ARENA_TOO_SMALL: return "arena smaller than mt_model_arena_bytes()";
    case MT_E_ARENA_ALIGN: return "arena is not 4-byte aligned";
    case MT_E_STATE: return "call out of order (e.g. resume before the part stage ran)";
    case MT_E_SHAPE: return "buffer size or shape does not match the model";
    case MT_E_NONFINITE: return "NaN or infinity where a finite number is required";
    case MT_E_CACHE_FULL: return "feature cache full (size it with mt_features_bytes())";
    case MT_E_SCRATCH_TOO_SMALL: return "scratch buffer smaller than its _bytes() query";
    case MT_E_STORE_EMPTY: return "no stored record (heads or feature cache) in either flash slot";
    case MT_E_STORE_CRC: return "stored record corrupt (CRC-32 mismatch in every slot)";
    case MT_E_STORE_FORMAT: return "stored heads or feature cache malformed (magic, version or layout)";
    case MT_E_STORE_MODEL: return "stored heads or features belong to another model (fingerprint or feature lengths)";
    case MT_E_STORE_IO: return "flash callback reported a read/write/erase failure";
    case MT_E_STORE_SPACE: return "stored record larger than a flash slot or the buffer";
    case MT_E_CLASSES: return "training needs at least two classes and samples of every class";
    default: return "unknown status code";
    }
}
