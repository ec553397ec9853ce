/* Host helper: read a .mtm file into an aligned heap buffer and open it, with one-line
 * errors that name the file and the fault. Host only (uses stdio and malloc). */
#ifndef MICROT_TOOLS_MODEL_FILE_H
#define MICROT_TOOLS_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"

typedef struct {
    uint8_t *bytes; /* owned; 4-byte aligned */
    size_t len;
    mt_model_t model;
} mt_model_file_t;

/* Reads and opens path. Returns MT_OK, MT_E_ARG for an unreadable file (errno says why),
 * or the loader's code. Prints nothing; mt_model_file_error formats a message. */
int mt_model_file_load(mt_model_file_t *mf, const char *path);
void mt_model_file_free(mt_model_file_t *mf);

/* Reads a whole file into a malloc'ed, 4-byte aligned buffer. NULL on failure (errno set). */
uint8_t *mt_file_read_all(const char *path, size_t *len);

#endif
