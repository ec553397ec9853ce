/* The head store on the host, as a file emulating two NOR-flash slots (see head_file.h).
 * Every callback flushes and fsyncs, so the on-disk order of the bytes is the protocol's
 * order (payload, header, magic last) even across a power cut of the host. */
#define _POSIX_C_SOURCE 200809L
#include "head_file.h"

#include "file_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int seek_to(FILE *f, uint32_t addr) { return fseek(f, (long)addr, SEEK_SET); }

static int sync_file(FILE *f) { return fflush(f) != 0 || fsync(fileno(f)) != 0 ? -1 : 0; }

static int file_read(void *ctx, uint32_t addr, void *dst, uint32_t len) {
    FILE *f = (FILE *)ctx;
    if (seek_to(f, addr) != 0) return -1;
    return fread(dst, 1, len, f) == len ? 0 : -1;
}

/* NOR programming can only clear bits: new = old & src. */
static int file_write(void *ctx, uint32_t addr, const void *src, uint32_t len) {
    FILE *f = (FILE *)ctx;
    const uint8_t *s = (const uint8_t *)src;
    uint8_t chunk[4096];
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < sizeof chunk ? len - done : (uint32_t)sizeof chunk;
        if (seek_to(f, addr + done) != 0 || fread(chunk, 1, n, f) != n) return -1;
        for (uint32_t i = 0; i < n; i++) chunk[i] &= s[done + i];
        if (seek_to(f, addr + done) != 0 || fwrite(chunk, 1, n, f) != n) return -1;
        done += n;
    }
    return sync_file(f);
}

static int file_erase(void *ctx, uint32_t addr, uint32_t len) {
    FILE *f = (FILE *)ctx;
    uint8_t ones[4096];
    memset(ones, 0xFF, sizeof ones);
    if (seek_to(f, addr) != 0) return -1;
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < sizeof ones ? len - done : (uint32_t)sizeof ones;
        if (fwrite(ones, 1, n, f) != n) return -1;
        done += n;
    }
    return sync_file(f);
}

static void bind_flash(mt_head_file_t *hf, FILE *f, uint32_t slot_bytes) {
    hf->f = f;
    hf->flash.ctx = f;
    hf->flash.slot_bytes = slot_bytes;
    hf->flash.read = file_read;
    hf->flash.write = file_write;
    hf->flash.erase = file_erase;
}

/* A head file: two whole slots, each starting with a record magic or erased bytes. */
static int looks_like_head_file(FILE *f, long size) {
    if (size <= 0 || size % (2 * (long)MT_HEAD_FILE_ERASE_BYTES) != 0 || size > 0x40000000L) {
        return 0;
    }
    for (int s = 0; s < 2; s++) {
        uint8_t m[4];
        if (fseek(f, s * (size / 2), SEEK_SET) != 0 || fread(m, 1, 4, f) != 4) return 0;
        if (memcmp(m, "MTS1", 4) != 0 && memcmp(m, "\xff\xff\xff\xff", 4) != 0) return 0;
    }
    return 1;
}

int mt_head_file_open(mt_head_file_t *hf, const char *path, int writable, char *err,
                      size_t err_len) {
    memset(hf, 0, sizeof *hf);
    uint64_t file_bytes; /* a regular file only: a FIFO or device is refused, never waited on */
    FILE *f = mt_file_fopen_regular(path, writable ? "r+b" : "rb", 0x40000000u, "head file",
                                    &file_bytes, err, err_len);
    if (!f) return -1;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (!looks_like_head_file(f, size)) {
        snprintf(err, err_len, "%s: not a microt head file (two flash slots)", path);
        fclose(f);
        return -1;
    }
    bind_flash(hf, f, (uint32_t)(size / 2));
    return 0;
}

void mt_head_file_close(mt_head_file_t *hf) {
    if (hf->f) fclose(hf->f);
    memset(hf, 0, sizeof *hf);
}

int mt_head_file_load(const char *path, const mt_model_t *model, mt_task_t *tasks,
                      uint32_t max_tasks, uint32_t *n_tasks, void **blob, uint32_t *seq,
                      char *err, size_t err_len) {
    *blob = NULL;
    mt_head_file_t hf;
    if (mt_head_file_open(&hf, path, 0, err, err_len) != 0) return -1;
    void *buf = malloc(hf.flash.slot_bytes); /* malloc alignment >= 8: the decoder needs 4 */
    if (!buf) {
        mt_head_file_close(&hf);
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    size_t len;
    int st = mt_store_read(&hf.flash, buf, hf.flash.slot_bytes, &len, seq);
    if (st == MT_OK) st = mt_store_decode(buf, len, model, tasks, max_tasks, n_tasks);
    mt_head_file_close(&hf);
    if (st != MT_OK) {
        snprintf(err, err_len, "%s: %s", path, mt_strerror(st));
        free(buf);
        return st;
    }
    *blob = buf;
    return MT_OK;
}

static uint32_t slot_bytes_for(size_t blob_bytes) {
    size_t need = blob_bytes + MT_STORE_SLOT_HEADER_BYTES;
    if (need < MT_HEAD_FILE_MIN_SLOT_BYTES) need = MT_HEAD_FILE_MIN_SLOT_BYTES;
    return (uint32_t)((need + MT_HEAD_FILE_ERASE_BYTES - 1) / MT_HEAD_FILE_ERASE_BYTES *
                      MT_HEAD_FILE_ERASE_BYTES);
}

/* A new, fully erased head file of two slots. */
static FILE *create_erased(const char *path, uint32_t slot_bytes) {
    FILE *f = fopen(path, "w+b");
    if (!f) return NULL;
    if (file_erase(f, 0, 2 * slot_bytes) != 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

int mt_slot_file_write(const char *path, size_t need, mt_slot_writer_t write, void *ctx,
                       uint32_t *seq, char *err, size_t err_len) {
    if (need == 0 || need > 0x10000000u) {
        snprintf(err, err_len, "%s: invalid record, nothing written", path);
        return -1;
    }
    mt_head_file_t hf;
    memset(&hf, 0, sizeof hf);
    char *tmp = NULL;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    int rc = -1;
    if (exists) {
        if (mt_head_file_open(&hf, path, 1, err, err_len) != 0) {
            if (strstr(err, "not a microt head file")) {
                snprintf(err, err_len, "%s: exists and is not a microt head or cache file: not "
                         "overwritten", path);
            }
            goto done;
        }
        if (hf.flash.slot_bytes < need + MT_STORE_SLOT_HEADER_BYTES) {
            /* Slots too small: a bigger file beside it, renamed over it once complete. */
            mt_head_file_close(&hf);
            size_t plen = strlen(path);
            tmp = malloc(plen + 5);
            if (!tmp) {
                snprintf(err, err_len, "%s: out of memory", path);
                goto done;
            }
            memcpy(tmp, path, plen);
            memcpy(tmp + plen, ".new", 5);
        }
    }
    if (!exists || tmp) {
        uint32_t slot = slot_bytes_for(need);
        FILE *f = create_erased(tmp ? tmp : path, slot);
        if (!f) {
            snprintf(err, err_len, "%s: cannot write file: %s", tmp ? tmp : path, strerror(errno));
            goto done;
        }
        bind_flash(&hf, f, slot);
    }
    int st = write(&hf.flash, ctx, seq);
    if (st != MT_OK) {
        snprintf(err, err_len, "%s: %s", tmp ? tmp : path, mt_strerror(st));
        goto done;
    }
    if (tmp) {
        mt_head_file_close(&hf);
        if (rename(tmp, path) != 0) {
            snprintf(err, err_len, "%s: cannot replace file: %s", path, strerror(errno));
            goto done;
        }
    }
    rc = 0;
done:
    mt_head_file_close(&hf);
    if (rc != 0 && tmp) remove(tmp);
    free(tmp);
    return rc;
}

typedef struct {
    const void *blob;
    size_t len;
} blob_ctx_t;

static int write_blob(const mt_flash_t *flash, void *ctx, uint32_t *seq) {
    const blob_ctx_t *b = (const blob_ctx_t *)ctx;
    return mt_store_write(flash, b->blob, b->len, seq);
}

int mt_head_file_save(const char *path, const mt_task_t *tasks, uint32_t n_tasks,
                      const mt_model_t *model, uint32_t *seq, char *err, size_t err_len) {
    size_t blob_bytes = mt_store_blob_bytes(tasks, n_tasks);
    if (blob_bytes == 0 || blob_bytes > 0x10000000u) {
        snprintf(err, err_len, "%s: invalid heads, nothing written", path);
        return -1;
    }
    void *buf = malloc(blob_bytes);
    if (!buf) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    size_t len;
    int st = mt_store_encode(tasks, n_tasks, model->fingerprint, buf, blob_bytes, &len);
    if (st != MT_OK) {
        snprintf(err, err_len, "%s: %s", path, mt_strerror(st));
        free(buf);
        return -1;
    }
    blob_ctx_t ctx = {buf, len};
    int rc = mt_slot_file_write(path, len, write_blob, &ctx, seq, err, err_len);
    free(buf);
    return rc;
}
