/* Private to the library: what stage calibration needs from head training (training on a
 * subset of the cache, for k-fold cross-validation) without widening the public API. */
#ifndef MICROT_PERSONALIZE_INTERNAL_H
#define MICROT_PERSONALIZE_INTERNAL_H

#include "microt/head.h"

/* mt_head_train on the cached samples i with fold[i] != skip_fold (fold NULL: all samples). */
mt_status_t mt_head_train_subset(mt_head_t *head, const mt_features_t *cache, mt_stage_t stage,
                                 const mt_train_opts_t *opts, const uint8_t *fold,
                                 uint8_t skip_fold, void *scratch, size_t scratch_bytes,
                                 mt_train_report_t *report);

#endif
