/* microt import MODEL.tflite -o MODEL.mtm: an int8 TFLite image model as a microt extractor
 * (tools/tflite_import.c; docs/import.md). The output is written beside its name and renamed
 * into place, so a refused model never replaces an existing file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "file_io.h"
#include "model_file.h"
#include "tflite_import.h"

static const char USAGE[] =
    "usage: microt import MODEL.tflite -o MODEL.mtm [--split TENSOR] [--features [PART] FULL]\n"
    "                     [--name NAME] [--input-range LO,HI] [--bgr]\n"
    "Translates an int8 TFLite image model into a validated .mtm for the microt runtime:\n"
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, global AVERAGE_POOL_2D / MEAN,\n"
    "RESHAPE, and PAD absorbed by a convolution; per-channel or per-tensor weights, fused\n"
    "ReLU/ReLU6, SAME/VALID padding. Any other op the features need is refused by name.\n"
    "  --split TENSOR   the part stage ends where TENSOR is computed; head A reads its\n"
    "                   global average (default: the split candidate nearest half the\n"
    "                   MACs; `microt inspect MODEL.tflite` lists the candidates)\n"
    "  --features [PART] FULL  the tensors whose global averages feed head A (PART, instead\n"
    "                   of --split) and head B (FULL; default: the last global pool). The\n"
    "                   ops after FULL (the model's classifier) are dropped.\n"
    "  --input-range LO,HI  the model's input value for pixel 0 and 255 (default: read\n"
    "                   from the input quantization: 0,1 / -1,1 / 0,255 / -128,127)\n"
    "TENSOR is a tensor name, a tensor index, or op:N (the output of op N).\n";

static int parse_range(const char *s, mt_import_opts_t *o) {
    char *end;
    o->in_lo = strtod(s, &end);
    if (*end != ',') return -1;
    o->in_hi = strtod(end + 1, &end);
    if (*end || !(o->in_hi > o->in_lo)) return -1;
    o->has_range = 1;
    return 0;
}

static int write_file(const char *path, const uint8_t *bytes, size_t len) {
    mt_file_writer_t w;
    char err[400];
    if (mt_file_writer_open(&w, path, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s\n", err);
        return -1;
    }
    if (fwrite(bytes, 1, len, w.f) != len) {
        mt_file_writer_abort(&w);
        fprintf(stderr, "microt: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (mt_file_writer_commit(&w, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s\n", err);
        return -1;
    }
    return 0;
}

int mt_cmd_import(int argc, char **argv) {
    const char *model = NULL, *out = NULL;
    mt_import_opts_t o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (mt_cli_is_help(a)) {
            fputs(USAGE, stdout);
            return MT_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(a, "--split") == 0 && i + 1 < argc) {
            o.split = argv[++i];
        } else if (strcmp(a, "--name") == 0 && i + 1 < argc) {
            o.name = argv[++i];
        } else if (strcmp(a, "--bgr") == 0) {
            o.bgr = 1;
        } else if (strcmp(a, "--input-range") == 0 && i + 1 < argc) {
            if (parse_range(argv[++i], &o) != 0) {
                fprintf(stderr, "microt import: --input-range wants LO,HI with LO < HI, not '%s'\n", argv[i]);
                return MT_EXIT_USAGE;
            }
        } else if (strcmp(a, "--features") == 0) {
            while (i + 1 < argc && argv[i + 1][0] != '-' && o.n_features < 2) {
                o.features[o.n_features++] = argv[++i];
            }
            if (o.n_features == 0) {
                fprintf(stderr, "microt import: --features takes one (FULL) or two (PART FULL) tensors\n");
                return MT_EXIT_USAGE;
            }
        } else if (a[0] != '-' && !model) {
            model = a;
        } else {
            fprintf(stderr, "microt import: unexpected argument '%s'\n%s", a, USAGE);
            return MT_EXIT_USAGE;
        }
    }
    if (!model || !out) {
        fprintf(stderr, "microt import: %s\n%s", model ? "-o MODEL.mtm is required" : "no MODEL.tflite given", USAGE);
        return MT_EXIT_USAGE;
    }
    if (o.split && o.n_features == 2) {
        fprintf(stderr, "microt import: give --split or a PART feature, not both\n");
        return MT_EXIT_USAGE;
    }
    if (o.name && strlen(o.name) > 31) {
        fprintf(stderr, "microt import: --name is longer than 31 characters\n");
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
    char name[32];
    if (!o.name) { /* the file's base name, without .tflite */
        const char *base = strrchr(model, '/');
        snprintf(name, sizeof name, "%s", base ? base + 1 : model);
        char *dot = strrchr(name, '.');
        if (dot && dot != name) *dot = 0;
        o.name = name;
    }
    uint8_t *mtm = NULL;
    size_t mtm_len = 0;
    int rc = MT_EXIT_OK;
    if (mt_tfl_import(&m, &o, &mtm, &mtm_len, stdout, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s: cannot import: %s\n", model, err);
        rc = MT_EXIT_FAILURE;
    } else if (write_file(out, mtm, mtm_len) != 0) {
        rc = MT_EXIT_FAILURE;
    } else {
        printf("wrote %s: %zu bytes (`microt inspect %s` prints it)\n", out, mtm_len, out);
    }
    free(mtm);
    mt_tfl_free(&m);
    free(buf);
    return rc;
}
