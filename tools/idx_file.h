/* IDX files (the MNIST/Fashion-MNIST format: u8 data, big-endian dimensions), plain or
 * gzip-compressed, decoded from memory with zlib. Bounded and strict: the data size comes
 * from the header and is checked against a limit before anything is allocated; the gzip
 * stream must end exactly there, with a good CRC-32 and length trailer and nothing after it;
 * a plain file must be exactly header + data. Host only. */
#ifndef MICROT_TOOLS_IDX_FILE_H
#define MICROT_TOOLS_IDX_FILE_H

#include <stddef.h>
#include <stdint.h>

#define MT_IDX_MAX_DATA_BYTES (1ull << 30) /* the largest data part read (1 GiB) */
#define MT_IDX_MAX_DIMS 4u

typedef struct {
    uint32_t ndim;
    uint32_t dims[MT_IDX_MAX_DIMS];
    uint8_t *data;   /* [dims[0]]...[dims[ndim-1]] u8, malloc'ed; free() it */
    size_t n_bytes;  /* the product of dims */
} mt_idx_t;

/* Decodes file[len] (gzip when it starts with 1f 8b) whose data part is at most max_bytes.
 * Returns 0, or -1 with a reason (without a path) in err; out is then empty. */
int mt_idx_decode(const uint8_t *file, size_t len, uint64_t max_bytes, mt_idx_t *out, char *err,
                  size_t err_len);

/* Reads path (a regular file, at most MT_FILE_MAX_IDX_BYTES) and decodes it with
 * MT_IDX_MAX_DATA_BYTES. Returns 0, or -1 with "PATH: reason" in err. */
int mt_idx_read(const char *path, mt_idx_t *out, char *err, size_t err_len);

#endif
