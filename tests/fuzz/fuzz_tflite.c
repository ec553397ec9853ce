/* libFuzzer target: the TFLite reader and `microt import`'s translation on hostile bytes.
 * Every input must be refused with a message or parse into a model whose import either
 * fails with a message or yields a .mtm the runtime's loader accepts; nothing may read
 * outside its buffer (ASan) or hit undefined behaviour (UBSan). Seeds: the committed test models
 * (the .tflite files of tests/data/tflite, from tests/make_tflite_models.py) and, where present, the MLPerf
 * Tiny ResNet-8 (tests/fuzz/run.sh copies both). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "microt/model.h"
#include "tflite_import.h"
#include "tflite_reader.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees any overread */
    if (!copy) return 0;
    memcpy(copy, data, size);
    mt_tfl_model_t m;
    char err[400];
    if (mt_tfl_parse(&m, copy, size, err, sizeof err) == 0) {
        mt_import_opts_t o;
        memset(&o, 0, sizeof o);
        uint8_t *mtm = NULL;
        size_t len = 0;
        if (mt_tfl_import(&m, &o, &mtm, &len, NULL, err, sizeof err) == 0) {
            mt_model_t check;
            if (mt_model_open(&check, mtm, len) != MT_OK) abort(); /* import validated it */
            free(mtm);
        } else if (!err[0]) {
            abort(); /* a refusal must say why */
        }
        mt_tfl_free(&m);
    } else if (!err[0]) {
        abort();
    }
    free(copy);
    return 0;
}

/* The seeds are files (run.sh's seed globs), not generated here. */
int mt_fuzz_seeds(const char *dir) {
    (void)dir;
    return 0;
}
