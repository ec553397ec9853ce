/* microt tflite-dump MODEL.tflite -o DIR: the model's main graph as DIR/graph.json and its
 * constant tensor data as DIR/buffers.bin, for tools that have no flatbuffer reader (the
 * factory imports float teachers through it). Format "microt-tflite-dump-1": docs/import.md.
 * Both files are written beside their final names and renamed into place, so a failure
 * leaves any previous dump intact. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "file_io.h"
#include "model_file.h"
#include "tflite_reader.h"

static const char USAGE[] =
    "usage: microt tflite-dump MODEL.tflite -o DIR\n"
    "Reads a TensorFlow Lite flatbuffer (every offset checked; a malformed file is refused)\n"
    "and writes DIR/graph.json (tensors with type, shape, quantization and where their\n"
    "constant data lies; operators with builtin code, inputs, outputs and options) and\n"
    "DIR/buffers.bin (the constant data, raw little-endian, each tensor 16-byte aligned).\n"
    "DIR is created if missing. Format: docs/import.md.\n";

/* A JSON string: valid UTF-8 passes through, control characters are escaped, and each byte
 * of an invalid UTF-8 sequence becomes U+FFFD (tensor names are not trusted). */
static void json_string(FILE *f, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc((int)c, f);
            p++;
        } else {
            int n = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
            int ok = n > 0;
            for (int k = 1; ok && k <= n; k++) ok = (p[k] & 0xc0) == 0x80;
            if (ok && n == 2) { /* no overlongs, no surrogates */
                ok = !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] >= 0xa0);
            }
            if (ok && n == 3) ok = !(c == 0xf0 && p[1] < 0x90) && !(c == 0xf4 && p[1] >= 0x90);
            if (ok) {
                fwrite(p, 1, (size_t)n + 1, f);
                p += n + 1;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
    fputc('"', f);
}

/* Shortest form that reads back as the same float32; null for NaN/inf (JSON has neither). */
static void json_float(FILE *f, float x) {
    if (!isfinite(x)) {
        fputs("null", f);
        return;
    }
    fprintf(f, "%.9g", (double)x);
}

static void json_ints(FILE *f, const int32_t *v, uint32_t n) {
    fputc('[', f);
    for (uint32_t i = 0; i < n; i++) fprintf(f, "%s%" PRId32, i ? ", " : "", v[i]);
    fputc(']', f);
}

static void write_options(FILE *f, const mt_tfl_op_t *op) {
    const mt_tfl_options_t *o = &op->opt;
    const char *pad = mt_tfl_padding_name(o->padding), *act = mt_tfl_activation_name(o->activation);
    switch (o->kind) {
    case MT_TFL_OPT_CONV:
    case MT_TFL_OPT_DEPTHWISE:
        fprintf(f, "{\"padding\": \"%s\", \"stride_w\": %" PRId32 ", \"stride_h\": %" PRId32
                   ", \"dilation_w_factor\": %" PRId32 ", \"dilation_h_factor\": %" PRId32,
                pad, o->stride_w, o->stride_h, o->dilation_w, o->dilation_h);
        if (o->kind == MT_TFL_OPT_DEPTHWISE) {
            fprintf(f, ", \"depth_multiplier\": %" PRId32, o->depth_multiplier);
        }
        fprintf(f, ", \"fused_activation_function\": \"%s\"}", act);
        break;
    case MT_TFL_OPT_POOL:
        fprintf(f, "{\"padding\": \"%s\", \"stride_w\": %" PRId32 ", \"stride_h\": %" PRId32
                   ", \"filter_width\": %" PRId32 ", \"filter_height\": %" PRId32
                   ", \"fused_activation_function\": \"%s\"}",
                pad, o->stride_w, o->stride_h, o->filter_w, o->filter_h, act);
        break;
    case MT_TFL_OPT_ACTIVATION:
        fprintf(f, "{\"fused_activation_function\": \"%s\"}", act);
        break;
    case MT_TFL_OPT_FC:
        fprintf(f, "{\"fused_activation_function\": \"%s\", \"keep_num_dims\": %s, "
                   "\"weights_format\": \"%s\"}",
                act, o->keep_num_dims ? "true" : "false",
                o->weights_format ? "SHUFFLED4x16INT8" : "DEFAULT");
        break;
    case MT_TFL_OPT_CONCAT:
        fprintf(f, "{\"axis\": %" PRId32 ", \"fused_activation_function\": \"%s\"}", o->axis, act);
        break;
    case MT_TFL_OPT_RESHAPE:
        if (o->has_new_shape) {
            fputs("{\"new_shape\": ", f);
            json_ints(f, o->new_shape, o->n_new_shape);
            fputc('}', f);
        } else {
            fputs("{}", f);
        }
        break;
    case MT_TFL_OPT_SOFTMAX:
        fputs("{\"beta\": ", f);
        json_float(f, o->beta);
        fputc('}', f);
        break;
    case MT_TFL_OPT_REDUCER:
        fprintf(f, "{\"keep_dims\": %s}", o->keep_dims ? "true" : "false");
        break;
    case MT_TFL_OPT_NONE:
        fputs("{}", f);
        break;
    }
}

/* Writes every tensor's constant data to buffers.bin (one copy per flatbuffer Buffer, at a
 * 16-aligned offset) and records each tensor's offset in off[] (-1: no data). */
static int write_buffers(FILE *f, const mt_tfl_model_t *m, int64_t *off) {
    int64_t *by_buffer = malloc(sizeof *by_buffer * (m->n_buffers ? m->n_buffers : 1));
    if (!by_buffer) return -1;
    for (uint32_t b = 0; b < m->n_buffers; b++) by_buffer[b] = -1;
    static const uint8_t zeros[16];
    int64_t pos = 0;
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        const mt_tfl_tensor_t *t = &m->tensors[i];
        off[i] = -1;
        if (!t->data || t->data_bytes == 0) continue;
        if (by_buffer[t->buffer] < 0) {
            size_t pad = (size_t)((16 - pos % 16) % 16);
            if (fwrite(zeros, 1, pad, f) != pad || fwrite(t->data, 1, t->data_bytes, f) != t->data_bytes) {
                free(by_buffer);
                return -1;
            }
            by_buffer[t->buffer] = pos + (int64_t)pad;
            pos += (int64_t)(pad + t->data_bytes);
        }
        off[i] = by_buffer[t->buffer];
    }
    free(by_buffer);
    return 0;
}

static void write_tensor(FILE *f, const mt_tfl_model_t *m, uint32_t i, int64_t off) {
    const mt_tfl_tensor_t *t = &m->tensors[i];
    fprintf(f, "    {\"index\": %" PRIu32 ", \"name\": ", i);
    json_string(f, t->name);
    fprintf(f, ", \"type\": \"%s\", \"shape\": ", mt_tfl_type_name(t->type));
    json_ints(f, t->shape, t->rank);
    if (off >= 0) {
        fprintf(f, ", \"buffer\": {\"offset\": %" PRId64 ", \"bytes\": %zu}", off, t->data_bytes);
    } else {
        fputs(", \"buffer\": null", f);
    }
    if (t->n_scale) {
        fputs(", \"quant\": {\"scale\": [", f);
        for (uint32_t k = 0; k < t->n_scale; k++) {
            if (k) fputs(", ", f);
            json_float(f, t->scale[k]);
        }
        fputs("], \"zero_point\": [", f);
        for (uint32_t k = 0; k < t->n_scale; k++) {
            fprintf(f, "%s%" PRId64, k ? ", " : "", t->zero_point[k]);
        }
        fprintf(f, "], \"quantized_dimension\": %" PRId32 "}", t->quantized_dimension);
    } else {
        fputs(", \"quant\": null", f);
    }
    if (t->is_variable) fputs(", \"is_variable\": true", f);
    fputc('}', f);
}

static void write_graph(FILE *f, const char *source, const mt_tfl_model_t *m, const int64_t *off) {
    fputs("{\"format\": \"microt-tflite-dump-1\", \"source\": ", f);
    json_string(f, source);
    fprintf(f, ", \"version\": %" PRIu32 ", \"description\": ", m->version);
    json_string(f, m->description ? m->description : "");
    fprintf(f, ", \"subgraph_count\": %" PRIu32 ",\n  \"tensors\": [\n", m->n_subgraphs);
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        write_tensor(f, m, i, off[i]);
        fputs(i + 1 < m->n_tensors ? ",\n" : "\n", f);
    }
    fputs("  ],\n  \"operators\": [\n", f);
    for (uint32_t i = 0; i < m->n_ops; i++) {
        const mt_tfl_op_t *op = &m->ops[i];
        const char *name = mt_tfl_op_name(op->code);
        fprintf(f, "    {\"index\": %" PRIu32 ", \"op\": \"%s\", \"code\": %" PRId32
                   ", \"version\": %" PRId32 ", ",
                i, name ? name : "UNKNOWN", op->code, op->version);
        if (op->custom_code) {
            fputs("\"custom_code\": ", f);
            json_string(f, op->custom_code);
            fputs(", ", f);
        }
        fputs("\"inputs\": ", f);
        json_ints(f, op->inputs, op->n_inputs);
        fputs(", \"outputs\": ", f);
        json_ints(f, op->outputs, op->n_outputs);
        fputs(", \"options\": ", f);
        write_options(f, op);
        fputs(i + 1 < m->n_ops ? "},\n" : "}\n", f);
    }
    fputs("  ],\n  \"inputs\": ", f);
    json_ints(f, m->inputs, m->n_inputs);
    fputs(", \"outputs\": ", f);
    json_ints(f, m->outputs, m->n_outputs);
    fputs("}\n", f);
}

static char *path_join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Writes both files as *.tmp, then renames them into place, buffers.bin first: an error
 * before the renames leaves a previous dump as it was. */
static int write_dump(const char *dir, const char *source, const mt_tfl_model_t *m) {
    char *paths[4] = {path_join(dir, "buffers.bin.tmp"), path_join(dir, "graph.json.tmp"),
                      path_join(dir, "buffers.bin"), path_join(dir, "graph.json")};
    int64_t *off = malloc(sizeof *off * (m->n_tensors ? m->n_tensors : 1));
    int rc = -1;
    FILE *fb = NULL, *fg = NULL;
    if (!paths[0] || !paths[1] || !paths[2] || !paths[3] || !off) {
        fprintf(stderr, "microt: out of memory\n");
        goto done;
    }
    fb = fopen(paths[0], "wb");
    fg = fb ? fopen(paths[1], "w") : NULL;
    if (!fb || !fg) {
        fprintf(stderr, "microt: cannot write %s: %s\n", fb ? paths[1] : paths[0], strerror(errno));
        goto done;
    }
    int failed = write_buffers(fb, m, off) != 0;
    if (!failed) write_graph(fg, source, m, off);
    failed |= ferror(fb) || ferror(fg);
    failed |= fclose(fb) != 0;
    failed |= fclose(fg) != 0;
    fb = fg = NULL;
    if (failed || rename(paths[0], paths[2]) != 0 || rename(paths[1], paths[3]) != 0) {
        fprintf(stderr, "microt: cannot write the dump in %s: %s\n", dir, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (fb) fclose(fb);
    if (fg) fclose(fg);
    if (rc != 0) {
        if (paths[0]) remove(paths[0]);
        if (paths[1]) remove(paths[1]);
    }
    for (int i = 0; i < 4; i++) free(paths[i]);
    free(off);
    return rc;
}

int mt_cmd_tflite_dump(int argc, char **argv) {
    const char *model = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (mt_cli_is_help(argv[i])) {
            fputs(USAGE, stdout);
            return MT_EXIT_OK;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (argv[i][0] != '-' && !model) {
            model = argv[i];
        } else {
            fprintf(stderr, "microt tflite-dump: unexpected argument '%s'\n%s", argv[i], USAGE);
            return MT_EXIT_USAGE;
        }
    }
    if (!model || !dir) {
        fprintf(stderr, "microt tflite-dump: %s\n%s", model ? "-o DIR is required" : "no MODEL given",
                USAGE);
        return MT_EXIT_USAGE;
    }
    size_t len = 0;
    char ferr[300];
    uint8_t *buf = mt_file_read_regular(model, MT_FILE_MAX_MODEL_BYTES, "TFLite file", &len, ferr,
                                        sizeof ferr);
    if (!buf) {
        fprintf(stderr, "microt: %s\n", ferr);
        return MT_EXIT_FAILURE;
    }
    mt_tfl_model_t m;
    char err[400];
    if (mt_tfl_parse(&m, buf, len, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s: not a valid TFLite model: %s\n", model, err);
        free(buf);
        return MT_EXIT_FAILURE;
    }
    int rc = MT_EXIT_OK;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "microt: cannot create %s: %s\n", dir, strerror(errno));
        rc = MT_EXIT_FAILURE;
    } else {
        const char *base = strrchr(model, '/');
        if (write_dump(dir, base ? base + 1 : model, &m) != 0) rc = MT_EXIT_FAILURE;
    }
    if (rc == MT_EXIT_OK) {
        printf("%s: %" PRIu32 " tensors, %" PRIu32 " operators -> %s/graph.json, %s/buffers.bin\n",
               model, m.n_tensors, m.n_ops, dir, dir);
    }
    mt_tfl_free(&m);
    free(buf);
    return rc;
}
