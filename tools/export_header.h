/* `microt export-c`'s header: input shape and channel order, arena bytes per kernel set,
 * feature lengths, and the personalization buffer sizes for a class/shot budget, as
 * compile-time macros named after the array's symbol (docs/embedding.md). Host only. */
#ifndef MICROT_TOOLS_EXPORT_HEADER_H
#define MICROT_TOOLS_EXPORT_HEADER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "microt/model.h"

typedef struct {
    uint32_t samples;      /* classes x shots: the feature cache's capacity */
    size_t cache;          /* mt_features_bytes (s8 cache) */
    size_t head[2];        /* mt_head_bytes of head A and head B */
    size_t train_scratch;  /* mt_head_train_scratch_bytes, the larger head */
    size_t calib_scratch;  /* mt_stage_calibrate_scratch_bytes on a full cache */
    size_t scratch;        /* the larger of the two */
    size_t blob;           /* mt_store_blob_bytes of one task */
    size_t slot_min;       /* the smallest flash slot that holds it */
    size_t arena[3];       /* mt_model_arena_bytes per mt_kernel_set_t */
} mt_export_budget_t;

/* Fills b for classes (2..MT_HEAD_MAX_CLASSES) x shots (>= 1); -1 on a bad budget. */
int mt_export_budget(const mt_model_t *model, uint32_t classes, uint32_t shots,
                     mt_export_budget_t *b);

/* Writes the header for the array `sym` (a validated C identifier) of len bytes. */
void mt_export_header(FILE *f, const char *sym, const mt_model_t *model, size_t len,
                      uint32_t classes, uint32_t shots, const mt_export_budget_t *b);

#endif
