/* Host head store and feature cache store: files that are the image of the device's two flash
 * slots (src/store.c, src/features_store.c),
 * so the host writes heads exactly as firmware would: erase the older slot, program the new
 * record, magic last. A save cut at any point leaves the previous head loadable. Host only. */
#ifndef MICROT_TOOLS_HEAD_FILE_H
#define MICROT_TOOLS_HEAD_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "microt/store.h"

#define MT_HEAD_FILE_ERASE_BYTES 4096u   /* emulated erase unit: slots are multiples of it */
#define MT_HEAD_FILE_MIN_SLOT_BYTES 16384u

typedef struct {
    FILE *f;
    mt_flash_t flash; /* ctx = this struct's FILE; slot_bytes = file size / 2 */
} mt_head_file_t;

/* Opens an existing head file (writable or not). Returns 0, or -1 with a one-line message in
 * err: missing/unreadable file, or a size that is not two whole slots. */
int mt_head_file_open(mt_head_file_t *hf, const char *path, int writable, char *err,
                      size_t err_len);
void mt_head_file_close(mt_head_file_t *hf);

/* Loads the newest good head of path for model: tasks[] point into *blob (malloc'ed, the
 * caller frees it). seq (may be NULL) gets its sequence number. Returns MT_OK, or a status
 * (MT_E_STORE_*, MT_E_NONFINITE) with a message in err; -1 for a file that cannot be opened. */
int mt_head_file_load(const char *path, const mt_model_t *model, mt_task_t *tasks,
                      uint32_t max_tasks, uint32_t *n_tasks, void **blob, uint32_t *seq,
                      char *err, size_t err_len);

/* Saves tasks into path through the two-slot protocol. A missing file is created (erased
 * flash, slots sized for the blob); an existing one must look like a head file (each slot
 * erased or holding a record), so a wrong -o never overwrites a model or an image. If the
 * existing slots are too small, a larger head file is written beside it and renamed over it
 * (atomic), so the previous head also survives a cut then. Returns 0 or -1 with err. */
int mt_head_file_save(const char *path, const mt_task_t *tasks, uint32_t n_tasks,
                      const mt_model_t *model, uint32_t *seq, char *err, size_t err_len);

/* The general form: writes one record (need payload bytes) into the two-slot file at path
 * through write(flash, ctx, seq) (e.g. mt_store_features_save for a feature cache file), with
 * the same creation, growth and refusal rules as mt_head_file_save. Returns 0 or -1 with err. */
typedef int (*mt_slot_writer_t)(const mt_flash_t *flash, void *ctx, uint32_t *seq);
int mt_slot_file_write(const char *path, size_t need, mt_slot_writer_t write, void *ctx,
                       uint32_t *seq, char *err, size_t err_len);

#endif
