/* Cycle-file parsing (see cycles_file.h). Treats the file as hostile: bounded lines, no
 * sign or overflow in numbers, fixed-size names checked for length, duplicates refused. */
#include "cycles_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_io.h"

enum { K_INPUT, K_PART, K_REST, K_FULL, K_EXTRACT, K_TRAIN_A, K_TRAIN_B, K_CALIBRATE, K_HEAD_A,
       K_HEAD_B, K_CLASSES, K_PER_CLASS, K_FINGERPRINT, K_CPU, K_MODEL, N_REQUIRED,
       K_MEMORY = N_REQUIRED, N_KEYS }; /* memory: optional (older files: not stated) */
static const char *const KEYS[N_KEYS] = {
    "input",  "part",   "rest",    "full",      "extract",     "head_train_a", "head_train_b",
    "calibrate", "head_a", "head_b", "classes", "per_class", "fingerprint", "cpu", "model",
    "memory"};

#define MAX_LINE 256

/* A whole decimal number: digits only, at most max. */
static int parse_count(const char *s, uint64_t max, uint64_t *out) {
    if (!*s) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10) return -1; /* v * 10 + d > max, without overflow */
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Exactly 16 hexadecimal digits. */
static int parse_fingerprint(const char *s, uint64_t *out) {
    if (strlen(s) != 16) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        char c = *s;
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (d > 15) return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* A printable name without spaces, shorter than cap. */
static int parse_name(const char *s, char *dst, size_t cap) {
    size_t len = strlen(s);
    if (len == 0 || len >= cap) return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x21 || s[i] > 0x7e) return -1;
    }
    memcpy(dst, s, len + 1);
    return 0;
}

/* Splits line (NUL-terminated, modified) into at most two fields; returns the count (3 = more). */
static int split(char *line, char **f) {
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (!*p) return n;
        if (n == 2) return 3;
        f[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r') p++;
        if (*p) *p++ = '\0';
    }
}

static int store(mt_cycles_file_t *out, int k, const char *val) {
    uint64_t *slots[] = {&out->input,   &out->part,    &out->rest,      &out->full,
                         &out->extract, &out->train_a, &out->train_b,   &out->calibrate,
                         &out->head_a,  &out->head_b};
    uint64_t v;
    switch (k) {
    case K_CLASSES:
        if (parse_count(val, MT_CYCLES_MAX_CLASSES, &v) != 0 || v == 0) return -1;
        out->classes = (uint32_t)v;
        return 0;
    case K_PER_CLASS:
        if (parse_count(val, MT_CYCLES_MAX_SAMPLES, &v) != 0 || v == 0) return -1;
        out->per_class = (uint32_t)v;
        return 0;
    case K_FINGERPRINT: return parse_fingerprint(val, &out->fingerprint);
    case K_CPU: return parse_name(val, out->cpu, sizeof out->cpu);
    case K_MODEL: return parse_name(val, out->model, sizeof out->model);
    case K_MEMORY: return parse_name(val, out->memory, sizeof out->memory);
    default: return parse_count(val, MT_CYCLES_MAX, slots[k]);
    }
}

static const char *what_is_wanted(int k) {
    switch (k) {
    case K_CLASSES: return "a whole number from 1 to 65535";
    case K_PER_CLASS: return "a whole number from 1 to 1000000";
    case K_FINGERPRINT: return "16 hexadecimal digits";
    case K_CPU: return "a name of at most 15 printable characters";
    case K_MODEL: return "a name of at most 31 printable characters";
    case K_MEMORY: return "a name of at most 15 printable characters";
    default: return "a whole number of cycles from 0 to 1e12, without sign";
    }
}

int mt_cycles_parse(const char *text, size_t len, mt_cycles_file_t *out, char *err,
                    size_t err_len) {
    memset(out, 0, sizeof *out);
    int seen[N_KEYS] = {0};
    size_t pos = 0;
    for (int lineno = 1; pos < len; lineno++) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        char line[MAX_LINE + 1];
        if (end - pos > MAX_LINE) {
            snprintf(err, err_len, "line %d: longer than %d characters", lineno, MAX_LINE);
            return -1;
        }
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        if (memchr(line, '\0', end - pos)) {
            snprintf(err, err_len, "line %d: a NUL byte (not a text file)", lineno);
            return -1;
        }
        pos = end + 1;
        char *f[2];
        int n = line[0] == '#' ? 0 : split(line, f);
        if (n == 0) continue;
        if (n != 2) {
            snprintf(err, err_len, "line %d: want 'KEY VALUE'", lineno);
            return -1;
        }
        int k = 0;
        while (k < N_KEYS && strcmp(f[0], KEYS[k]) != 0) k++;
        if (k == N_KEYS) continue; /* unknown keys: room to grow */
        if (seen[k]) {
            snprintf(err, err_len, "line %d: %s given twice", lineno, KEYS[k]);
            return -1;
        }
        if (store(out, k, f[1]) != 0) {
            snprintf(err, err_len, "line %d: %s '%.40s' is not %s", lineno, KEYS[k], f[1],
                     what_is_wanted(k));
            return -1;
        }
        seen[k] = 1;
    }
    for (int k = 0; k < N_REQUIRED; k++) {
        if (!seen[k]) {
            snprintf(err, err_len, "missing key '%s'", KEYS[k]);
            return -1;
        }
    }
    if ((uint64_t)out->classes * out->per_class > MT_CYCLES_MAX_SAMPLES) {
        snprintf(err, err_len, "classes x per_class = %llu samples, more than %u",
                 (unsigned long long)out->classes * out->per_class, MT_CYCLES_MAX_SAMPLES);
        return -1;
    }
    return 0;
}

int mt_cycles_file_read(const char *path, mt_cycles_file_t *out, char *err, size_t err_len) {
    char msg[512];
    size_t len;
    uint8_t *text = mt_file_read_regular(path, MT_FILE_MAX_TEXT_BYTES, "cycle file", &len, msg,
                                         sizeof msg);
    if (!text) {
        size_t plen = strlen(path); /* msg reads "PATH: reason"; the caller prints the path */
        snprintf(err, err_len, "%s",
                 strncmp(msg, path, plen) == 0 && msg[plen] == ':' ? msg + plen + 2 : msg);
        return -1;
    }
    int rc = mt_cycles_parse((const char *)text, len, out, err, err_len);
    free(text);
    return rc;
}
