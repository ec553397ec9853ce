/* Host file helpers shared by the CLI's readers and writers: regular files only (a FIFO or a
 * device is refused without blocking), a size limit checked before reading, and writes that
 * replace a file atomically (a failed write leaves the previous file intact). Host only. */
#ifndef MICROT_TOOLS_FILE_IO_H
#define MICROT_TOOLS_FILE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Size limits of the files the CLI reads, checked before reading (docs/robustness.md). */
#define MT_FILE_MAX_MODEL_BYTES (64u << 20)   /* a .mtm: MCU flash is a few MiB at most */
#define MT_FILE_MAX_TEXT_BYTES (1u << 20)     /* a cycle file and other small text files */
#define MT_FILE_MAX_IDX_BYTES (1u << 30)      /* an IDX file, or its gzip-compressed form */

/* Opens path for reading when it is a regular file of at most max_bytes; what (e.g. "model
 * file") names it in the limit message. A FIFO, socket or device is refused without
 * blocking (opened O_NONBLOCK, checked with fstat before any read). Returns a descriptor
 * (blocking again) and its size in *size, or -1 with "PATH: reason" in err. */
int mt_file_open_regular(const char *path, uint64_t max_bytes, const char *what, uint64_t *size,
                         char *err, size_t err_len);

/* The same through stdio, mode "rb" or "r+b". NULL with err on failure. */
FILE *mt_file_fopen_regular(const char *path, const char *mode, uint64_t max_bytes,
                            const char *what, uint64_t *size, char *err, size_t err_len);

/* Reads a whole regular file of at most max_bytes into a malloc'ed buffer (8-byte aligned,
 * one extra NUL byte after the data, so text parsers may rely on it). NULL with err on
 * failure, including a file that changed size while it was read. */
uint8_t *mt_file_read_regular(const char *path, uint64_t max_bytes, const char *what, size_t *len,
                              char *err, size_t err_len);

/* 1 when a and b name the same existing file (same device and inode: links included). */
int mt_file_same(const char *a, const char *b);

/* Atomic replacement of `path`: write into a temporary file beside it, then commit (flush,
 * fsync, rename over path) or abort (remove the temporary). An existing path that is not a
 * regular file (a directory, FIFO or device) is refused. */
typedef struct {
    FILE *f;
    char *tmp_path; /* malloc'ed */
    const char *path;
} mt_file_writer_t;

/* Returns 0, or -1 with "PATH: reason" in err. */
int mt_file_writer_open(mt_file_writer_t *w, const char *path, char *err, size_t err_len);
/* Returns 0 when every byte reached the disk and path now holds them; -1 with err otherwise
 * (the temporary is removed and path is untouched). */
int mt_file_writer_commit(mt_file_writer_t *w, char *err, size_t err_len);
void mt_file_writer_abort(mt_file_writer_t *w);

#endif
