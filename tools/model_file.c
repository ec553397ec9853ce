/* Reading model files on the host (see model_file.h). */
#include "model_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_io.h"

/* Like errno: the reason of this thread's last failed read, for mt_cli_model_error. */
static _Thread_local char last_error[512];

const char *mt_file_error(void) { return last_error; }

/* Reads path like mt_file_read_regular, keeping the reason (without the path) in last_error
 * and an errno that says roughly the same. */
static uint8_t *read_model_bytes(const char *path, const char *what, size_t *len) {
    char err[512];
    errno = 0;
    uint8_t *bytes = mt_file_read_regular(path, MT_FILE_MAX_MODEL_BYTES, what, len, err, sizeof err);
    if (bytes) return bytes;
    int saved = errno;
    size_t plen = strlen(path); /* err reads "PATH: reason" */
    const char *reason = strncmp(err, path, plen) == 0 && err[plen] == ':' ? err + plen + 2 : err;
    snprintf(last_error, sizeof last_error, "%s", reason);
    errno = strstr(reason, "is a directory") ? EISDIR
            : strstr(reason, "regular file") ? EINVAL
            : strstr(reason, "limit") ? EFBIG
            : saved ? saved : EIO;
    return NULL;
}

uint8_t *mt_file_read_all(const char *path, size_t *len) {
    return read_model_bytes(path, "file", len);
}

int mt_model_file_load(mt_model_file_t *mf, const char *path) {
    memset(mf, 0, sizeof *mf);
    mf->bytes = read_model_bytes(path, "model file", &mf->len);
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
