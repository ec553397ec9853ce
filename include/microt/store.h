/* Head store: personalised tasks (heads, tau, r, class names) bound to one model's
 * fingerprint, serialised to a blob and kept in two flash slots with a sequence number and a
 * CRC-32, so a write cut at any byte leaves the previous good blob loadable. Flash access goes
 * through caller callbacks; the library never touches hardware and never allocates. */
#ifndef MICROT_STORE_H
#define MICROT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"
#include "microt/stage.h"
#include "microt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MT_STORE_MAX_TASKS 16u
#define MT_STORE_BLOB_HEADER_BYTES 24u
#define MT_STORE_SLOT_HEADER_BYTES 16u

/* Flash callbacks: return 0 on success, anything else on failure (-> MT_E_STORE_IO).
 * Slot s (0 or 1) spans [s * slot_bytes, (s + 1) * slot_bytes); erase is called for one whole
 * slot, so slot_bytes must be a multiple of the device's erase unit. Writes after an erase
 * may only program erased bytes (NOR-flash rules are enough). */
typedef struct {
    void *ctx;
    uint32_t slot_bytes;
    int (*read)(void *ctx, uint32_t addr, void *dst, uint32_t len);
    int (*write)(void *ctx, uint32_t addr, const void *src, uint32_t len);
    int (*erase)(void *ctx, uint32_t addr, uint32_t len);
} mt_flash_t;

/* Bytes of the blob mt_store_encode writes for these tasks (0 on a bad argument). */
size_t mt_store_blob_bytes(const mt_task_t *tasks, uint32_t n_tasks);

/* Serialises tasks for the model with this fingerprint into out[cap] (4-aligned).
 * MT_E_NONFINITE if any weight, tau or ratio is NaN/Inf; MT_E_STORE_SPACE if cap is short. */
mt_status_t mt_store_encode(const mt_task_t *tasks, uint32_t n_tasks, uint64_t fingerprint,
                            void *out, size_t cap, size_t *len);

/* Parses a blob in place (4-aligned, stays owned by the caller: the tasks' heads and class
 * names point into it). Refuses, in this order: a malformed blob (MT_E_STORE_FORMAT), a blob
 * for another model or feature lengths (MT_E_STORE_MODEL), NaN/Inf values (MT_E_NONFINITE),
 * more tasks than max_tasks (MT_E_STORE_SPACE). */
mt_status_t mt_store_decode(void *blob, size_t len, const mt_model_t *model, mt_task_t *tasks,
                            uint32_t max_tasks, uint32_t *n_tasks);

/* Writes blob[len] into the slot that does not hold the newest good record, with sequence
 * number newest + 1 (written payload first, header next, magic last), then reads it back.
 * seq (may be NULL) gets the new sequence number. */
mt_status_t mt_store_write(const mt_flash_t *flash, const void *blob, size_t len, uint32_t *seq);

/* The same with the payload given as the concatenation of n_parts buffers, so a large record
 * (a feature cache) is written straight from where it lives, with no copy. */
mt_status_t mt_store_write_parts(const mt_flash_t *flash, const void *const *parts,
                                 const size_t *lens, uint32_t n_parts, uint32_t *seq);

/* The newest good record, located without copying it: its slot, payload length, sequence
 * number and CRC. Errors as mt_store_read. */
typedef struct {
    uint32_t slot, len, seq, crc;
} mt_store_record_t;
mt_status_t mt_store_find(const mt_flash_t *flash, mt_store_record_t *rec);

/* Payload bytes [offset, offset + len) of a found record into dst (MT_E_STORE_FORMAT if the
 * range lies outside the payload). A reader that copies the payload in pieces checks them with
 * mt_crc32 chained from mt_store_record_crc_init(rec): the result must equal rec->crc once
 * every byte went through, in order (the flash may have changed since mt_store_find). */
mt_status_t mt_store_read_part(const mt_flash_t *flash, const mt_store_record_t *rec,
                               uint32_t offset, void *dst, uint32_t len);
uint32_t mt_store_record_crc_init(const mt_store_record_t *rec);

/* Reads the newest good record's blob into buf[cap] (4-aligned). MT_E_STORE_EMPTY if neither
 * slot holds a record, MT_E_STORE_CRC if records exist but none is intact. */
mt_status_t mt_store_read(const mt_flash_t *flash, void *buf, size_t cap, size_t *len,
                          uint32_t *seq);

/* ---- The feature cache in flash (its own two slots, beside the heads) ----
 * Payload ("MTF1", little-endian): header 40 B (magic, u16 version 1, u8 format, u8 0,
 * u32 payload bytes, u32 n_samples, u16 part_dim, u16 full_dim, u16 n_classes, u16 per_class,
 * u32 reservoir state, u32 0, u64 model fingerprint), class names char[16] x K, samples offered
 * per class u32 x K, labels u16 x n (padded to 4), then the part and the full vectors of the
 * n samples exactly as the cache holds them (include/microt/features.h). */

/* Payload bytes of the cache's record (0 on a bad argument). */
size_t mt_store_features_bytes(const mt_features_t *cache);

/* Writes the cache (its n_samples samples, names[n_classes] class names, its reservoir state)
 * for the model with this fingerprint through the two-slot protocol of mt_store_write, straight
 * from the cache buffer. */
mt_status_t mt_store_features_save(const mt_flash_t *flash, const mt_features_t *cache,
                                   const char (*names)[MT_NAME_BYTES], uint64_t fingerprint,
                                   uint32_t *seq);

/* Reads the newest good cache record into `cache` (initialised by mt_features_init with its
 * buffer, capacity, feature lengths and format, and mt_features_set_reservoir if it keeps one)
 * and its class names into names[max_names]. Refuses, in this order: layout
 * (MT_E_STORE_FORMAT), another model or feature lengths (MT_E_STORE_MODEL), a format, sample
 * count, class count or per-class count this cache cannot hold (MT_E_STORE_SPACE), a CRC that
 * no longer matches what was read (MT_E_STORE_CRC), invalid values (MT_E_STORE_FORMAT). On any
 * failure after the checks of the header the cache is left empty. */
mt_status_t mt_store_features_load(const mt_flash_t *flash, uint64_t fingerprint,
                                   mt_features_t *cache, char (*names)[MT_NAME_BYTES],
                                   uint32_t max_names, uint32_t *seq);

/* What the newest good cache record holds, without loading it (to size a cache for it). */
typedef struct {
    uint32_t n_samples;
    uint16_t n_classes, per_class;
    uint16_t dim[2];
    uint8_t format;
    uint64_t fingerprint;
    uint32_t seq;
} mt_store_features_info_t;
mt_status_t mt_store_features_info(const mt_flash_t *flash, mt_store_features_info_t *info);

/* encode + write, and read + decode, through one caller buffer. */
mt_status_t mt_store_save(const mt_flash_t *flash, const mt_task_t *tasks, uint32_t n_tasks,
                          const mt_model_t *model, void *buf, size_t cap);
mt_status_t mt_store_load(const mt_flash_t *flash, const mt_model_t *model, void *buf,
                          size_t cap, mt_task_t *tasks, uint32_t max_tasks, uint32_t *n_tasks);

#ifdef __cplusplus
}
#endif
#endif
