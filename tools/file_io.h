/* Host file helpers shared by the CLI's readers and writers: regular files only (a FIFO or a
 * device is refused without blocking), a size limit checked before reading, and writes that
 * replace a file atomically (a failed write leaves the previous file intact). Host only. */
#ifndef MICROT_TOOLS_FILE_IO_H
#define MICROT_TOOLS_FILE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
