/* A small streaming JSON writer for the CLI's --json output (RFC 8259): objects, arrays,
 * strings escaped (control characters, quotes, backslashes; invalid UTF-8 replaced by
 * U+FFFD), integers, and finite numbers (NaN/Inf become null). Keys are given with each
 * value inside objects and NULL inside arrays. Host only. */
#ifndef MICROT_TOOLS_JSON_WRITER_H
#define MICROT_TOOLS_JSON_WRITER_H

#include <stdint.h>
#include <stdio.h>

#define MT_JSON_MAX_DEPTH 16

typedef struct {
    FILE *f;
    int depth;
    int count[MT_JSON_MAX_DEPTH]; /* values written at each level */
} mt_json_t;

void mt_json_init(mt_json_t *j, FILE *f);
void mt_json_object_begin(mt_json_t *j, const char *key);
void mt_json_object_end(mt_json_t *j);
void mt_json_array_begin(mt_json_t *j, const char *key);
void mt_json_array_end(mt_json_t *j);
void mt_json_string(mt_json_t *j, const char *key, const char *value); /* NULL -> null */
void mt_json_int(mt_json_t *j, const char *key, int64_t value);
void mt_json_uint(mt_json_t *j, const char *key, uint64_t value);
void mt_json_number(mt_json_t *j, const char *key, double value);
void mt_json_bool(mt_json_t *j, const char *key, int value);
void mt_json_null(mt_json_t *j, const char *key);
/* Ends the document with a newline (after the top-level value). */
void mt_json_finish(mt_json_t *j);

#endif
