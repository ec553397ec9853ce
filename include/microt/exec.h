/* Running a model: ops in file order inside one caller arena, stoppable after the part
 * stage and resumable from the activations it left there (what stage-decision needs). */
#ifndef MICROT_EXEC_H
#define MICROT_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"
#include "microt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const mt_model_t *model;
    uint8_t *arena;
    size_t arena_bytes;
    uint16_t next_op; /* ops [0, next_op) have run on the current input */
    uint8_t has_input;
} mt_exec_t;

/* Binds a model to an arena of at least mt_model_arena_bytes(model) bytes, 4-byte aligned. */
mt_status_t mt_exec_init(mt_exec_t *exec, const mt_model_t *model, void *arena,
                         size_t arena_bytes);

/* Sets the input from raw 8-bit pixels [h][w][c] in the model's channel order and size,
 * through the model's input LUT. Resets the stage progress. */
mt_status_t mt_exec_set_input_u8(mt_exec_t *exec, const uint8_t *pixels, size_t len);

/* Sets the already quantized int8 input tensor directly. Resets the stage progress. */
mt_status_t mt_exec_set_input_s8(mt_exec_t *exec, const int8_t *input, size_t len);

/* Runs ops [0, split_op): the part stage. */
mt_status_t mt_exec_run_part(mt_exec_t *exec);

/* Resumes ops [split_op, n_ops) from the part stage's activations (MT_E_STATE if the part
 * stage has not run on this input). */
mt_status_t mt_exec_resume_full(mt_exec_t *exec);

/* Runs the next single op (debugging, golden tests, per-layer benchmarks). MT_E_STATE
 * without an input or after the last op. */
mt_status_t mt_exec_step(mt_exec_t *exec);

/* Both stages in one call. */
mt_status_t mt_exec_run_full(mt_exec_t *exec);

/* A stage's pooled int8 feature, in place in the arena, and its quantization. */
mt_status_t mt_exec_features_s8(const mt_exec_t *exec, mt_stage_t stage, const int8_t **features,
                                uint32_t *len, float *scale, int32_t *zero_point);

/* A stage's pooled feature dequantized into out[len] (len must equal the feature length). */
mt_status_t mt_exec_features_f32(const mt_exec_t *exec, mt_stage_t stage, float *out,
                                 size_t len);

#ifdef __cplusplus
}
#endif
#endif
