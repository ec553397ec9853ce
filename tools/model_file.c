/* Reading model files on the host (see model_file.h). */
#include "model_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *mt_file_read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap); /* malloc's alignment (>= 8) satisfies the loader's 4 */
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
        errno = EIO;
    }
    fclose(f);
    if (buf) *len = n;
    return buf;
}

int mt_model_file_load(mt_model_file_t *mf, const char *path) {
    memset(mf, 0, sizeof *mf);
    mf->bytes = mt_file_read_all(path, &mf->len);
    if (!mf->bytes) return MT_E_ARG;
    int st = mt_model_open(&mf->model, mf->bytes, mf->len);
    if (st != MT_OK) {
        free(mf->bytes);
        mf->bytes = NULL;
    }
    return st;
}

void mt_model_file_free(mt_model_file_t *mf) {
    free(mf->bytes);
    memset(mf, 0, sizeof *mf);
}
