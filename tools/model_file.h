/* Host helper: read a .mtm file into an aligned heap buffer and open it, with one-line
 * errors that name the file and the fault. Host only (uses stdio and malloc). */
#ifndef MICROT_TOOLS_MODEL_FILE_H
#define MICROT_TOOLS_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"

typedef struct {
    uint8_t *bytes; /* owned; malloc'ed, so aligned for the loader */
    size_t len;
    mt_model_t model;
} mt_model_file_t;

/* Reads and opens path: a regular file (a directory, FIFO or device is refused without
 * blocking) of at most MT_FILE_MAX_MODEL_BYTES. Returns MT_OK, MT_E_ARG for a file that
 * cannot be read (mt_file_error() says why), or the loader's code. Prints nothing;
 * mt_cli_model_error formats a message. */
int mt_model_file_load(mt_model_file_t *mf, const char *path);
void mt_model_file_free(mt_model_file_t *mf);

/* Reads a whole regular file of at most MT_FILE_MAX_MODEL_BYTES (file_io.h) into a
 * malloc'ed buffer. NULL on failure, with errno set (EISDIR for a directory, EINVAL for a
 * FIFO, socket or device, EFBIG above the limit) and mt_file_error() saying why in words.
 * New code: mt_file_read_regular (file_io.h) gives the message directly. */
uint8_t *mt_file_read_all(const char *path, size_t *len);

/* Why the last mt_model_file_load or mt_file_read_all of this thread failed ("is a directory",
 * "cannot read file: No such file or directory", ...), without the path. */
const char *mt_file_error(void);

#endif
