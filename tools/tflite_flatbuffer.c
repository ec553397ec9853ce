/* Bounds-checked FlatBuffers access (see tflite_flatbuffer.h). Layout facts used here, from the
 * FlatBuffers binary format: a buffer starts with a u32 offset to the root table; a table
 * starts with an i32 whose value, subtracted from the table's position, gives its vtable; a
 * vtable is u16 vtable_bytes, u16 table_bytes, then one u16 per field (the field's offset
 * inside the table, 0 = absent); references (tables, vectors, strings) are u32 offsets
 * relative to where they are stored; a vector is a u32 count then its elements; a string is
 * a vector of bytes followed by a NUL. All little-endian. Positions are computed in 64 bits so
 * no sum wraps. */
#include "tflite_flatbuffer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mt_fb_init(mt_fb_t *fb, const void *buf, size_t len) {
    memset(fb, 0, sizeof *fb);
    fb->buf = buf;
    fb->len = len;
}

int mt_fb_fail(mt_fb_t *fb, const char *fmt, ...) {
    if (fb->failed) return 0;
    fb->failed = 1;
    char what[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (fb->where[0]) {
        snprintf(fb->err, sizeof fb->err, "%s: %s", fb->where, what);
    } else {
        snprintf(fb->err, sizeof fb->err, "%s", what);
    }
    return 0;
}

/* True when [pos, pos + n) lies inside the buffer. */
static int in_buf(const mt_fb_t *fb, uint64_t pos, uint64_t n) {
    return pos <= fb->len && n <= fb->len - pos;
}

static uint16_t rd16(const mt_fb_t *fb, uint64_t p) {
    return (uint16_t)(fb->buf[p] | (unsigned)fb->buf[p + 1] << 8);
}

static uint32_t rd32(const mt_fb_t *fb, uint64_t p) {
    return (uint32_t)fb->buf[p] | (uint32_t)fb->buf[p + 1] << 8 | (uint32_t)fb->buf[p + 2] << 16 |
           (uint32_t)fb->buf[p + 3] << 24;
}

static uint64_t rd64(const mt_fb_t *fb, uint64_t p) {
    return (uint64_t)rd32(fb, p) | (uint64_t)rd32(fb, p + 4) << 32;
}

/* Validates the table at pos: its vtable and both extents inside the buffer. */
static mt_fb_table_t table_at(mt_fb_t *fb, uint64_t pos) {
    mt_fb_table_t t = {0, 0, 0, 0};
    if (fb->failed) return t;
    if (pos == 0 || !in_buf(fb, pos, 4)) {
        mt_fb_fail(fb, "table at offset %llu is outside the file (%zu bytes)",
                   (unsigned long long)pos, fb->len);
        return t;
    }
    int64_t vt = (int64_t)pos - (int32_t)rd32(fb, pos);
    if (vt < 0 || !in_buf(fb, (uint64_t)vt, 4)) {
        mt_fb_fail(fb, "vtable of the table at offset %llu is outside the file",
                   (unsigned long long)pos);
        return t;
    }
    uint16_t vt_len = rd16(fb, (uint64_t)vt), tab_len = rd16(fb, (uint64_t)vt + 2);
    if (vt_len < 4 || vt_len % 2 != 0 || !in_buf(fb, (uint64_t)vt, vt_len)) {
        mt_fb_fail(fb, "vtable at offset %lld has a bad size (%u bytes)", (long long)vt, vt_len);
        return t;
    }
    if (tab_len < 4 || !in_buf(fb, pos, tab_len)) {
        mt_fb_fail(fb, "table at offset %llu (%u bytes) extends past the end of the file",
                   (unsigned long long)pos, tab_len);
        return t;
    }
    t.pos = (uint32_t)pos;
    t.vt = (uint32_t)vt;
    t.vt_len = vt_len;
    t.tab_len = tab_len;
    return t;
}

mt_fb_table_t mt_fb_root(mt_fb_t *fb, const char *ident) {
    mt_fb_table_t none = {0, 0, 0, 0};
    if (fb->len < 8 || fb->len > UINT32_MAX) {
        mt_fb_fail(fb, "%zu bytes is not a flatbuffer size", fb->len);
        return none;
    }
    if (ident && memcmp(fb->buf + 4, ident, 4) != 0) {
        mt_fb_fail(fb, "no \"%.4s\" file identifier at bytes 4..7: not this kind of file", ident);
        return none;
    }
    return table_at(fb, rd32(fb, 0));
}

/* Position of field `id` of t when present and `size` bytes fit inside the table; else 0. */
static uint64_t field(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, unsigned size) {
    if (fb->failed || t->pos == 0) return 0;
    uint32_t slot = 4 + 2 * id;
    if (slot + 2 > t->vt_len) return 0; /* the table predates this field: absent */
    uint16_t off = rd16(fb, (uint64_t)t->vt + slot);
    if (off == 0) return 0;
    if (off < 4 || (uint32_t)off + size > t->tab_len) {
        mt_fb_fail(fb, "field %u at offset %u of the table at %u lies outside its %u bytes", id,
                   off, t->pos, t->tab_len);
        return 0;
    }
    return (uint64_t)t->pos + off;
}

uint8_t mt_fb_u8(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, uint8_t dflt) {
    uint64_t p = field(fb, t, id, 1);
    return p ? fb->buf[p] : dflt;
}

int8_t mt_fb_i8(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, int8_t dflt) {
    uint64_t p = field(fb, t, id, 1);
    return p ? (int8_t)fb->buf[p] : dflt;
}

int32_t mt_fb_i32(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, int32_t dflt) {
    uint64_t p = field(fb, t, id, 4);
    return p ? (int32_t)rd32(fb, p) : dflt;
}

uint32_t mt_fb_u32(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, uint32_t dflt) {
    uint64_t p = field(fb, t, id, 4);
    return p ? rd32(fb, p) : dflt;
}

uint64_t mt_fb_u64(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, uint64_t dflt) {
    uint64_t p = field(fb, t, id, 8);
    return p ? rd64(fb, p) : dflt;
}

float mt_fb_f32(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, float dflt) {
    uint64_t p = field(fb, t, id, 4);
    if (!p) return dflt;
    uint32_t u = rd32(fb, p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Follows the u32 reference stored in field `id`; 0 when absent or on a fault. */
static uint64_t deref(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id) {
    uint64_t p = field(fb, t, id, 4);
    if (!p) return 0;
    uint32_t rel = rd32(fb, p);
    if (rel == 0 || !in_buf(fb, p + rel, 4)) {
        mt_fb_fail(fb, "field %u of the table at %u refers outside the file (+%u)", id, t->pos,
                   rel);
        return 0;
    }
    return p + rel;
}

mt_fb_table_t mt_fb_table(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id) {
    mt_fb_table_t none = {0, 0, 0, 0};
    uint64_t p = deref(fb, t, id);
    return p ? table_at(fb, p) : none;
}

static mt_fb_vec_t vector_at(mt_fb_t *fb, uint64_t p, unsigned elem_bytes, int nul) {
    mt_fb_vec_t v = {0, 0, elem_bytes};
    uint32_t n = rd32(fb, p); /* p + 4 <= len was checked by deref */
    if (!in_buf(fb, p + 4, (uint64_t)n * elem_bytes + (nul ? 1 : 0))) {
        mt_fb_fail(fb, "vector at offset %llu (%u elements of %u bytes) extends past the end of "
                   "the file", (unsigned long long)p, n, elem_bytes);
        return v;
    }
    if (nul && fb->buf[p + 4 + n] != 0) {
        mt_fb_fail(fb, "string at offset %llu is not NUL-terminated", (unsigned long long)p);
        return v;
    }
    v.data = (uint32_t)(p + 4);
    v.n = n;
    return v;
}

mt_fb_vec_t mt_fb_vector(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id, unsigned elem_bytes) {
    mt_fb_vec_t none = {0, 0, elem_bytes};
    uint64_t p = deref(fb, t, id);
    return p ? vector_at(fb, p, elem_bytes, 0) : none;
}

mt_fb_vec_t mt_fb_string(mt_fb_t *fb, const mt_fb_table_t *t, unsigned id) {
    mt_fb_vec_t none = {0, 0, 1};
    uint64_t p = deref(fb, t, id);
    return p ? vector_at(fb, p, 1, 1) : none;
}

/* Checks i against the vector and its element width; the element's position, or 0. */
static uint64_t element(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i, unsigned bytes) {
    if (fb->failed) return 0;
    if (v.data == 0 || i >= v.n || v.elem_bytes != bytes) {
        mt_fb_fail(fb, "internal: element %u of a %u-element vector read as %u bytes", i, v.n,
                   bytes);
        return 0;
    }
    return (uint64_t)v.data + (uint64_t)i * bytes;
}

mt_fb_table_t mt_fb_vector_table(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i) {
    mt_fb_table_t none = {0, 0, 0, 0};
    uint64_t e = element(fb, v, i, 4);
    if (!e) return none;
    uint32_t rel = rd32(fb, e);
    if (rel == 0) {
        mt_fb_fail(fb, "element %u of the table vector at %u is a null reference", i, v.data);
        return none;
    }
    return table_at(fb, e + rel);
}

int32_t mt_fb_vec_i32(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i) {
    uint64_t e = element(fb, v, i, 4);
    return e ? (int32_t)rd32(fb, e) : 0;
}

int64_t mt_fb_vec_i64(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i) {
    uint64_t e = element(fb, v, i, 8);
    return e ? (int64_t)rd64(fb, e) : 0;
}

float mt_fb_vec_f32(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i) {
    uint64_t e = element(fb, v, i, 4);
    if (!e) return 0.0f;
    uint32_t u = rd32(fb, e);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

uint8_t mt_fb_vec_u8(mt_fb_t *fb, mt_fb_vec_t v, uint32_t i) {
    uint64_t e = element(fb, v, i, 1);
    return e ? fb->buf[e] : 0;
}
