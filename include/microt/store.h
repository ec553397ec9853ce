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

/* Reads the newest good record's blob into buf[cap] (4-aligned). MT_E_STORE_EMPTY if neither
 * slot holds a record, MT_E_STORE_CRC if records exist but none is intact. */
mt_status_t mt_store_read(const mt_flash_t *flash, void *buf, size_t cap, size_t *len,
                          uint32_t *seq);

/* encode + write, and read + decode, through one caller buffer. */
mt_status_t mt_store_save(const mt_flash_t *flash, const mt_task_t *tasks, uint32_t n_tasks,
                          const mt_model_t *model, void *buf, size_t cap);
mt_status_t mt_store_load(const mt_flash_t *flash, const mt_model_t *model, void *buf,
                          size_t cap, mt_task_t *tasks, uint32_t max_tasks, uint32_t *n_tasks);

#ifdef __cplusplus
}
#endif
#endif
