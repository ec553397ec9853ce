/* IDX decoding (see idx_file.h). The header is inflated first, the data size checked, then
 * exactly that many bytes are inflated into one allocation, and the stream must end there:
 * zlib checks the gzip trailer (CRC-32, length) when it reports Z_STREAM_END. */
#include "idx_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "file_io.h"

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A source of decoded bytes: the plain file, or its gzip stream through zlib. */
typedef struct {
    const uint8_t *file;
    size_t len, pos; /* plain: read position */
    int gz;
    z_stream zs;
    int ended; /* gzip: Z_STREAM_END seen */
} source_t;

/* Fills dst[n] completely; -1 with err when the data ends early or is corrupt. */
static int take(source_t *s, uint8_t *dst, size_t n, char *err, size_t err_len) {
    if (!s->gz) {
        if (s->len - s->pos < n) {
            snprintf(err, err_len, "truncated IDX file: %zu bytes missing", n - (s->len - s->pos));
            return -1;
        }
        memcpy(dst, s->file + s->pos, n);
        s->pos += n;
        return 0;
    }
    while (n > 0) {
        if (s->ended) {
            snprintf(err, err_len, "the gzip data ends %zu bytes before the IDX data does", n);
            return -1;
        }
        uInt chunk = n > (1u << 30) ? 1u << 30 : (uInt)n;
        s->zs.next_out = dst;
        s->zs.avail_out = chunk;
        int rc = inflate(&s->zs, Z_NO_FLUSH);
        size_t got = chunk - s->zs.avail_out;
        dst += got;
        n -= got;
        if (rc == Z_STREAM_END) {
            s->ended = 1;
        } else if (rc == Z_BUF_ERROR && s->zs.avail_in == 0) {
            snprintf(err, err_len, "truncated gzip file (the stream or its trailer is cut)");
            return -1;
        } else if (rc != Z_OK) {
            snprintf(err, err_len, "corrupt gzip data (%s)", s->zs.msg ? s->zs.msg : zError(rc));
            return -1;
        }
    }
    return 0;
}

/* After the data: the source must be exhausted (gzip: stream end, trailer checked). */
static int finish(source_t *s, char *err, size_t err_len) {
    if (!s->gz) {
        if (s->pos != s->len) {
            snprintf(err, err_len, "%zu bytes after the IDX data", s->len - s->pos);
            return -1;
        }
        return 0;
    }
    if (!s->ended) { /* inflate on: it must end without producing a byte */
        uint8_t extra;
        s->zs.next_out = &extra;
        s->zs.avail_out = 1;
        int rc = inflate(&s->zs, Z_FINISH);
        if (rc == Z_STREAM_END && s->zs.avail_out == 1) {
            s->ended = 1;
        } else if (s->zs.avail_out == 0) {
            snprintf(err, err_len, "more gzip data after the IDX data");
            return -1;
        } else if (rc == Z_BUF_ERROR || (rc == Z_OK && s->zs.avail_in == 0)) {
            snprintf(err, err_len, "truncated gzip file (the stream or its trailer is cut)");
            return -1;
        } else {
            snprintf(err, err_len, "corrupt gzip data (%s)", s->zs.msg ? s->zs.msg : zError(rc));
            return -1;
        }
    }
    if (s->zs.avail_in != 0) {
        snprintf(err, err_len, "%u bytes after the gzip stream", s->zs.avail_in);
        return -1;
    }
    return 0;
}

int mt_idx_decode(const uint8_t *file, size_t len, uint64_t max_bytes, mt_idx_t *out, char *err,
                  size_t err_len) {
    memset(out, 0, sizeof *out);
    source_t s;
    memset(&s, 0, sizeof s);
    s.file = file;
    s.len = len;
    s.gz = len >= 2 && file[0] == 0x1f && file[1] == 0x8b;
    if (s.gz) {
        if (len > 0xFFFFFFFFu) {
            snprintf(err, err_len, "gzip file too large");
            return -1;
        }
        s.zs.next_in = (Bytef *)(uintptr_t)file; /* zlib does not write through next_in */
        s.zs.avail_in = (uInt)len;
        if (inflateInit2(&s.zs, 16 + MAX_WBITS) != Z_OK) { /* 16: gzip wrapper only */
            snprintf(err, err_len, "out of memory");
            return -1;
        }
    }
    int rc = -1;
    uint8_t head[4 + 4 * MT_IDX_MAX_DIMS];
    if (take(&s, head, 4, err, err_len) != 0) goto done;
    if (head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] < 1 || head[3] > MT_IDX_MAX_DIMS) {
        snprintf(err, err_len, "not an IDX file of u8 data (magic %02x %02x %02x %02x; want 00 00 08 "
                               "and 1..4 dimensions)", head[0], head[1], head[2], head[3]);
        goto done;
    }
    out->ndim = head[3];
    if (take(&s, head + 4, 4u * out->ndim, err, err_len) != 0) goto done;
    uint64_t count = 1;
    for (uint32_t i = 0; i < out->ndim; i++) {
        out->dims[i] = be32(head + 4 + 4 * i);
        count *= out->dims[i];
        if (count > max_bytes) { /* checked as the product grows: no overflow */
            snprintf(err, err_len, "IDX data of more than %llu bytes (dimensions too large)",
                     (unsigned long long)max_bytes);
            goto done;
        }
    }
    out->n_bytes = (size_t)count;
    out->data = malloc(out->n_bytes ? out->n_bytes : 1);
    if (!out->data) {
        snprintf(err, err_len, "out of memory (%zu bytes)", out->n_bytes);
        goto done;
    }
    if (take(&s, out->data, out->n_bytes, err, err_len) != 0) goto done;
    if (finish(&s, err, err_len) != 0) goto done;
    rc = 0;
done:
    if (s.gz) inflateEnd(&s.zs);
    if (rc != 0) {
        free(out->data);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

int mt_idx_read(const char *path, mt_idx_t *out, char *err, size_t err_len) {
    memset(out, 0, sizeof *out);
    size_t len;
    uint8_t *file = mt_file_read_regular(path, MT_FILE_MAX_IDX_BYTES, "IDX file", &len, err,
                                         err_len);
    if (!file) return -1;
    char why[256];
    int rc = mt_idx_decode(file, len, MT_IDX_MAX_DATA_BYTES, out, why, sizeof why);
    free(file);
    if (rc != 0) snprintf(err, err_len, "%s: %s", path, why);
    return rc;
}
