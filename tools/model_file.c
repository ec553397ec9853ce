/* Reading model files on the host (see model_file.h). */
#include "model_file.h"

#include <stdlib.h>
#include <string.h>

#include "file_io.h"

/* Like errno: the reason of this thread's last failed read, for mt_cli_model_error. */
static _Thread_local char last_error[512];

const char *mt_file_error(void) { return last_error; }

int mt_model_file_load(mt_model_file_t *mf, const char *path) {
    memset(mf, 0, sizeof *mf);
    char err[512];
    mf->bytes = mt_file_read_regular(path, MT_FILE_MAX_MODEL_BYTES, "model file", &mf->len, err,
                                     sizeof err);
    if (!mf->bytes) {
        /* err reads "PATH: reason"; keep the reason, the caller prints the path. */
        size_t plen = strlen(path);
        const char *reason = strncmp(err, path, plen) == 0 && err[plen] == ':' ? err + plen + 2 : err;
        snprintf(last_error, sizeof last_error, "%s", reason);
        return MT_E_ARG;
    }
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
