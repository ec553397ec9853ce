/* Host file helpers (see file_io.h). */
#define _POSIX_C_SOURCE 200809L
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "is a directory";
    if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
    if (S_ISSOCK(mode)) return "is a socket, not a regular file";
    return "is not a regular file";
}

int mt_file_open_regular(const char *path, uint64_t max_bytes, const char *what, uint64_t *size,
                         char *err, size_t err_len) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot read file: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, err_len, "%s: cannot read file: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s: %s", path, kind_of(st.st_mode));
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > max_bytes) {
        snprintf(err, err_len, "%s: %llu bytes, more than the %llu-byte limit for a %s", path,
                 (unsigned long long)st.st_size, (unsigned long long)max_bytes, what);
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        snprintf(err, err_len, "%s: cannot read file: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

FILE *mt_file_fopen_regular(const char *path, const char *mode, uint64_t max_bytes,
                            const char *what, uint64_t *size, char *err, size_t err_len) {
    int writable = strchr(mode, '+') != NULL;
    int fd;
    if (writable) { /* the same checks, on a descriptor opened for update */
        fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            snprintf(err, err_len, "%s: cannot read file: %s", path, strerror(errno));
            if (fd >= 0) close(fd);
            return NULL;
        }
        int flags = fcntl(fd, F_GETFL);
        const char *why = !S_ISREG(st.st_mode) ? kind_of(st.st_mode) : NULL;
        if (!why && (uint64_t)st.st_size > max_bytes) why = "too large";
        if (why || flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
            snprintf(err, err_len, "%s: %s", path, why ? why : strerror(errno));
            close(fd);
            return NULL;
        }
        *size = (uint64_t)st.st_size;
    } else {
        fd = mt_file_open_regular(path, max_bytes, what, size, err, err_len);
        if (fd < 0) return NULL;
    }
    FILE *f = fdopen(fd, mode);
    if (!f) {
        snprintf(err, err_len, "%s: cannot read file: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

uint8_t *mt_file_read_regular(const char *path, uint64_t max_bytes, const char *what, size_t *len,
                              char *err, size_t err_len) {
    uint64_t size;
    int fd = mt_file_open_regular(path, max_bytes, what, &size, err, err_len);
    if (fd < 0) return NULL;
    uint8_t *buf = malloc((size_t)size + 1);
    if (!buf) {
        snprintf(err, err_len, "%s: out of memory (%llu bytes)", path, (unsigned long long)size);
        close(fd);
        return NULL;
    }
    size_t got = 0;
    for (;;) { /* up to one byte more than fstat said, to notice a file that grew */
        ssize_t n = read(fd, buf + got, (size_t)size + 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(err, err_len, "%s: cannot read file: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (n == 0 || got + (size_t)n > size) {
            got += (size_t)n;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (got != size) {
        snprintf(err, err_len, "%s: the file changed while it was read", path);
        free(buf);
        return NULL;
    }
    buf[size] = 0;
    *len = (size_t)size;
    return buf;
}

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
