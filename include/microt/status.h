/* microt status codes: every fallible call returns one, and mt_strerror names it.
 * Codes are stable: new ones are appended, none is renumbered. */
#ifndef MICROT_STATUS_H
#define MICROT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MT_OK = 0,
    MT_E_ARG = -1,               /* a NULL pointer or an out-of-range argument */
    MT_E_MODEL_MAGIC = -2,       /* not a .mtm file */
    MT_E_MODEL_VERSION = -3,     /* a .mtm major version this runtime cannot read */
    MT_E_MODEL_TRUNCATED = -4,   /* the buffer is shorter than the file says */
    MT_E_MODEL_CRC = -5,         /* the file's CRC-32 does not match: corrupt bytes */
    MT_E_MODEL_FINGERPRINT = -6, /* the stored fingerprint does not match the contents */
    MT_E_MODEL_LAYOUT = -7,      /* header sizes/offsets do not describe the sections */
    MT_E_MODEL_LIMIT = -8,       /* more tensors or ops than this build supports */
    MT_E_MODEL_ALIGN = -9,       /* the model buffer is not 4-byte aligned */
    MT_E_MODEL_OP = -10,         /* an unknown operator type */
    MT_E_MODEL_GRAPH = -11,      /* tensor indices, data flow or stage split inconsistent */
    MT_E_MODEL_SHAPE = -12,      /* an op's shapes or kernel geometry are inconsistent */
    MT_E_MODEL_RANGE = -13,      /* a data offset or extent lies outside the data section */
    MT_E_MODEL_QUANT = -14,      /* a scale, zero point, multiplier or shift is invalid */
    MT_E_MODEL_INPUT = -15,      /* the input spec (channels, order, mean/std) is invalid */
    MT_E_ARENA_TOO_SMALL = -16,  /* the arena is smaller than mt_model_arena_bytes() */
    MT_E_ARENA_ALIGN = -17,      /* the arena is not 4-byte aligned */
    MT_E_STATE = -18,            /* call order violated, e.g. resume before the part stage */
    MT_E_SHAPE = -19,            /* a caller buffer has the wrong size or shape */
    MT_E_NONFINITE = -20,        /* a NaN or infinity where a finite number is required */
    MT_E_CACHE_FULL = -21,       /* the feature cache holds as many samples as it was sized for */
    MT_E_SCRATCH_TOO_SMALL = -22, /* a scratch buffer is smaller than its _bytes() query said */
    MT_E_STORE_EMPTY = -23,      /* no head record in either flash slot */
    MT_E_STORE_CRC = -24,        /* head records present but corrupt (CRC-32 mismatch) */
    MT_E_STORE_FORMAT = -25,     /* a head blob's magic, version or layout is invalid */
    MT_E_STORE_MODEL = -26,      /* the head was trained for another model (fingerprint) */
    MT_E_STORE_IO = -27,         /* a flash read/write/erase callback reported a failure */
    MT_E_STORE_SPACE = -28,      /* the head blob does not fit a flash slot or the buffer */
    MT_E_CLASSES = -29           /* training needs >= 2 classes and samples of every class */
} mt_status_t;

/* A constant, human-readable name for any code (unknown codes included). Never NULL. */
const char *mt_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
