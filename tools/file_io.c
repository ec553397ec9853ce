/* Host file helpers (see file_io.h). */
#define _POSIX_C_SOURCE 200809L
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mt_file_same(const char *a, const char *b) {
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int mt_file_writer_open(mt_file_writer_t *w, const char *path, char *err, size_t err_len) {
    memset(w, 0, sizeof *w);
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s: not a regular file, not overwritten", path);
        return -1;
    }
    size_t len = strlen(path);
    w->tmp_path = malloc(len + 16);
    if (!w->tmp_path) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    memcpy(w->tmp_path, path, len);
    memcpy(w->tmp_path + len, ".tmp-XXXXXX", 12);
    int fd = mkstemp(w->tmp_path);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot write file: %s", path, strerror(errno));
        free(w->tmp_path);
        w->tmp_path = NULL;
        return -1;
    }
    w->f = fdopen(fd, "wb");
    if (!w->f) {
        snprintf(err, err_len, "%s: cannot write file: %s", path, strerror(errno));
        close(fd);
        unlink(w->tmp_path);
        free(w->tmp_path);
        w->tmp_path = NULL;
        return -1;
    }
    w->path = path;
    return 0;
}

int mt_file_writer_commit(mt_file_writer_t *w, char *err, size_t err_len) {
    errno = 0;
    int failed = ferror(w->f) || fflush(w->f) != 0 || fsync(fileno(w->f)) != 0;
    int saved = errno;
    failed |= fclose(w->f) != 0;
    w->f = NULL;
    /* mkstemp creates 0600; a replaced file should look like one the user created. */
    mode_t mask = umask(0);
    umask(mask);
    if (!failed) failed = chmod(w->tmp_path, 0666 & ~mask) != 0;
    if (!failed) failed = rename(w->tmp_path, w->path) != 0;
    if (failed) {
        if (!saved) saved = errno;
        snprintf(err, err_len, "%s: cannot write file: %s (the previous file is unchanged)",
                 w->path, strerror(saved ? saved : EIO));
        unlink(w->tmp_path);
    }
    free(w->tmp_path);
    w->tmp_path = NULL;
    return failed ? -1 : 0;
}

void mt_file_writer_abort(mt_file_writer_t *w) {
    if (w->f) fclose(w->f);
    if (w->tmp_path) {
        unlink(w->tmp_path);
        free(w->tmp_path);
    }
    memset(w, 0, sizeof *w);
}
