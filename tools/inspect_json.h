/* The model part of `microt inspect --json`: members model, input, stages, ops, totals,
 * arena_bytes (dsp, ref, host, naive) and flash_bytes of the current object. The model must
 * be planned for the DSP kernels (as the text report's figures are). Host only. */
#ifndef MICROT_TOOLS_INSPECT_JSON_H
#define MICROT_TOOLS_INSPECT_JSON_H

#include "json_writer.h"
#include "microt/model.h"

void mt_inspect_model_json(mt_json_t *j, const char *path, const mt_model_t *m);

#endif
