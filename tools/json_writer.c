/* The --json writer (see json_writer.h). Output is compact, one document per command. */
#include "json_writer.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void mt_json_init(mt_json_t *j, FILE *f) {
    memset(j, 0, sizeof *j);
    j->f = f;
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static int utf8_len(const unsigned char *s) {
    if (s[0] < 0x80) return 1;
    int n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (n == 0) return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
    }
    uint32_t cp = n == 2 ? (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F)
                  : n == 3 ? (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F)
                           : (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
                                 (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        return 0; /* overlong, surrogate or beyond Unicode */
    }
    return n;
}

static void put_string(FILE *f, const char *s) {
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', f);
            fputc(*p++, f);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p++);
        } else {
            int n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, (size_t)n, f);
                p += n;
            }
        }
    }
    fputc('"', f);
}

/* The separator and key before a value at the current level. */
static void prefix(mt_json_t *j, const char *key) {
    if (j->count[j->depth]++ > 0) fputc(',', j->f);
    if (key) {
        put_string(j->f, key);
        fputc(':', j->f);
    }
}

static void open_level(mt_json_t *j, const char *key, char c) {
    prefix(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < MT_JSON_MAX_DEPTH) j->depth++;
    j->count[j->depth] = 0;
}

static void close_level(mt_json_t *j, char c) {
    fputc(c, j->f);
    if (j->depth > 0) j->depth--;
}

void mt_json_object_begin(mt_json_t *j, const char *key) { open_level(j, key, '{'); }
void mt_json_object_end(mt_json_t *j) { close_level(j, '}'); }
void mt_json_array_begin(mt_json_t *j, const char *key) { open_level(j, key, '['); }
void mt_json_array_end(mt_json_t *j) { close_level(j, ']'); }

void mt_json_string(mt_json_t *j, const char *key, const char *value) {
    prefix(j, key);
    if (value) {
        put_string(j->f, value);
    } else {
        fputs("null", j->f);
    }
}

void mt_json_int(mt_json_t *j, const char *key, int64_t value) {
    prefix(j, key);
    fprintf(j->f, "%" PRId64, value);
}

void mt_json_uint(mt_json_t *j, const char *key, uint64_t value) {
    prefix(j, key);
    fprintf(j->f, "%" PRIu64, value);
}

void mt_json_number(mt_json_t *j, const char *key, double value) {
    prefix(j, key);
    if (isfinite(value)) {
        fprintf(j->f, "%.9g", value);
    } else {
        fputs("null", j->f);
    }
}

void mt_json_bool(mt_json_t *j, const char *key, int value) {
    prefix(j, key);
    fputs(value ? "true" : "false", j->f);
}

void mt_json_null(mt_json_t *j, const char *key) {
    prefix(j, key);
    fputs("null", j->f);
}

void mt_json_finish(mt_json_t *j) { fputc('\n', j->f); }
