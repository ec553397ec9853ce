/* Bounds-checked access to a FlatBuffers binary (the container format of .tflite files), for
 * the host tools. Every read checks that its bytes lie inside the buffer; every table's vtable,
 * every field, vector and string is validated before it is used. Nothing here trusts the file.
 *
 * Why a reader of our own: Debian's libflatbuffers-dev is C++ only (generated C++ accessors)
 * and flatcc, the C implementation, is not packaged; the CLI is C11. The part of the format a
 * .tflite reader needs (tables, vtables, scalars, vectors, strings, unions) is small, and
 * writing it as a sticky-error checker keeps every access safe on hostile input.
 *
 * Errors are sticky: the first fault is recorded in the context (with the caller's "where"
 * prefix) and every later call returns a harmless default, so a caller checks fb->failed once
 * per object instead of after every field. */
#ifndef MICROT_TOOLS_TFLITE_FLATBUFFER_H
#define MICROT_TOOLS_TFLITE_FLATBUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *buf;
    size_t len;
    int failed;
    char where[96]; /* what the caller is reading, e.g. "subgraph 0 tensor 17" */
    char err[320];  /* the first fault: where (< 96) + what (< 192) */
} mt_fb_t;

/* A table: its position and its validated vtable. pos == 0 means "absent" (no table). */
typedef struct {
    uint32_t pos;
    uint32_t vt;
    uint16_t vt_len;
    uint16_t tab_len;
} mt_fb_table_t;

/* A vector (or string): the position of its first element and its element count. */
typedef struct {
    uint32_t data;
    uint32_t n;
    uint32_t elem_bytes;
} mt_fb_vec_t;

void mt_fb_init(mt_fb_t *fb, const void *buf, size_t len);

/* Records a fault (printf-style) if none is recorded yet; returns 0. */
int mt_fb_fail(mt_fb_t *fb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The root table; checks the 4-byte file identifier at bytes 4..7 when ident is not NULL. */
mt_fb_table_t mt_fb_root(mt_fb_t *fb, const char *ident);

/* Scalar field `id` of a table, or dflt when the field is absent (or after a fault). */
uint8_t mt_fb_u8(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, uint8_t dflt);
int8_t mt_fb_i8(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, int8_t dflt);
int32_t mt_fb_i32(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, int32_t dflt);
uint32_t mt_fb_u32(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, uint32_t dflt);
uint64_t mt_fb_u64(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, uint64_t dflt);
float mt_fb_f32(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, float dflt);

/* Sub-table field `id` (absent: pos == 0). */
mt_fb_table_t mt_fb_table(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id);

/* Vector field `id` whose elements are elem_bytes wide (absent: n == 0). The whole extent is
 * checked against the buffer. */
mt_fb_vec_t mt_fb_vector(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, unsigned elem_bytes);

/* String field `id`: its bytes (n of them, NUL-terminated in the buffer, checked). Absent:
 * n == 0 and data == 0. */
mt_fb_vec_t mt_fb_string(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id);

/* Element i of a vector of tables (validated). */
mt_fb_table_t mt_fb_vector_table(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i);

/* Little-endian element reads from a checked vector (i < v.n is the caller's loop bound;
 * checked again here). */
int32_t mt_fb_vec_i32(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i);
int64_t mt_fb_vec_i64(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i);
float mt_fb_vec_f32(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i);
uint8_t mt_fb_vec_u8(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i);

#endif
