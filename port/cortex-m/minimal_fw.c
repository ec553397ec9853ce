/* A minimal firmware: the microt library running one model from flash in a static arena, with
 * no C library I/O, so `arm-none-eabi-size` shows what the runtime costs in flash and RAM.
 * The model is the const array `mt_model_data` from `microt export-c` (placeholder by default). */
#include <stddef.h>
#include <stdint.h>

#include "microt/exec.h"
#include "microt/model.h"

extern const uint8_t mt_model_data[];
extern const unsigned int mt_model_data_len;

/* Sizes a real firmware would take from `microt inspect` of its model. */
#ifndef MT_FW_ARENA_BYTES
#define MT_FW_ARENA_BYTES 65536
#endif
#ifndef MT_FW_INPUT_BYTES
#define MT_FW_INPUT_BYTES (64 * 64 * 3)
#endif

static mt_model_t model;
static mt_exec_t exec;
static uint8_t arena[MT_FW_ARENA_BYTES] __attribute__((aligned(4)));
static uint8_t frame[MT_FW_INPUT_BYTES]; /* stands for a camera frame buffer, [h][w][c] u8 */

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    mt_status_t st = mt_model_open(&model, mt_model_data, mt_model_data_len);
    if (st != MT_OK)
        return 10 - (int)st; /* 10 + the status number: an empty placeholder ends here */
    if (mt_model_arena_bytes(&model) > sizeof(arena))
        return 2;
    st = mt_exec_init(&exec, &model, arena, sizeof(arena));
    if (st == MT_OK)
        st = mt_exec_set_input_u8(&exec, frame, sizeof(frame));
    if (st == MT_OK)
        st = mt_exec_run_part(&exec); /* stage 1: the part model */
    if (st == MT_OK)
        st = mt_exec_resume_full(&exec); /* stage 2, resumed from the arena */
    const int8_t *features = NULL;
    uint32_t len = 0;
    float scale = 0.0f;
    int32_t zero_point = 0;
    if (st == MT_OK)
        st = mt_exec_features_s8(&exec, MT_STAGE_FULL, &features, &len, &scale, &zero_point);
    if (st != MT_OK)
        return 10 - (int)st;
    int32_t sum = 0; /* use the features so nothing is optimised away */
    for (uint32_t i = 0; i < len; i++)
        sum += features[i];
    return sum == INT32_MIN ? 1 : 0;
}
