/* Private to the library: the arena planner (planner.c), run by mt_model_open and
 * mt_model_plan_for on a model whose graph is already validated. */
#ifndef MICROT_PLANNER_H
#define MICROT_PLANNER_H

#include "microt/model.h"

/* Plans model->plan for the kernel set `set` (MT_E_ARG if this build lacks it). */
mt_status_t mt_plan_build(mt_model_t *model, mt_kernel_set_t set);

#endif
