/* The NUCLEO example firmware: the model exported by `microt export-c` (model_data.c/.h,
 * generated at build time), every buffer sized by that header's macros, and the
 * board-independent application (app/mt_app.c) fed byte by byte from the ST-LINK virtual
 * COM port (docs/embedding.md has the protocol and a host script). */
#include <stdint.h>

#include "board.h"
#include "model_data.h"
#include "mt_app.h"

#define RX_BYTES (160u * 120u * 2u + 16u) /* a QQVGA RGB565 / YUYV frame and its header */

/* The learner's one buffer: heads, class names, the int8 feature cache of MAX_SHOTS per class
 * and one work region (the extractor's arena, the training and calibration scratch, the head
 * store's encoding buffer), for the DSP kernels this build runs, default training options
 * (L-BFGS history 3) and head B on part + full features (the learner's default). 8-byte
 * aligned (the library needs 4). */
#define LEARNER_BYTES                                                                            \
    MT_LEARNER_BYTES(MT_EXAMPLE_MODEL_ARENA_BYTES_DSP, MT_EXAMPLE_MODEL_MAX_CLASSES,             \
                     MT_EXAMPLE_MODEL_MAX_SHOTS, MT_EXAMPLE_MODEL_PART_FEATURES,                 \
                     MT_EXAMPLE_MODEL_FULL_FEATURES, MT_TRAIN_DEFAULT_HISTORY, 1)
static uint64_t learner[LEARNER_BYTES / 8 + 1];
/* A task of MAX_CLASSES must fit one store slot: export-c's STORE_SLOT_MIN_BYTES is for head
 * B on the full features; on part + full it holds PART_FEATURES x (classes + 2) floats more
 * (weights, mean, inverse std). Compile-time check, C99 style. */
#define STORE_SLOT_NEEDED                                                                        \
    (MT_EXAMPLE_MODEL_STORE_SLOT_MIN_BYTES +                                                     \
     4u * MT_EXAMPLE_MODEL_PART_FEATURES * (MT_EXAMPLE_MODEL_MAX_CLASSES + 2u))
typedef char store_slot_fits_the_task[STORE_SLOT_NEEDED <= BOARD_STORE_SLOT_BYTES ? 1 : -1];
static uint8_t pixels[MT_EXAMPLE_MODEL_INPUT_BYTES]; /* a frame resized to the model input */
static uint8_t rx[RX_BYTES];
static mt_app_t app;
static mt_flash_units_t store;
static mt_flash_t flash;

int main(void) {
    static const char hello[] = "microt NUCLEO example: send 'MT' requests (docs/embedding.md)\n";
    mt_app_mem_t mem = {learner, sizeof learner, MT_EXAMPLE_MODEL_MAX_CLASSES, MT_EXAMPLE_MODEL_MAX_SHOTS,
                        pixels, sizeof pixels, rx, sizeof rx};
    board_store(&store);
    const mt_flash_t *fl = mt_flash_units_bind(&store, &flash) == 0 ? &flash : 0;
    mt_app_io_t io = {fl, board_cycles, board_write, 0};
    board_write(0, hello, sizeof hello - 1);
    mt_status_t st = mt_app_init(&app, mt_example_model, mt_example_model_len, &mem, &io);
    if (st != MT_OK) {
        const char *e = mt_strerror(st);
        board_write(0, "ERR model: ", 11);
        while (*e) board_write(0, e++, 1);
        board_write(0, "\n", 1);
        for (;;) {
        }
    }
    for (;;) {
        uint8_t b = (uint8_t)board_getc();
        mt_app_feed(&app, &b, 1);
    }
}
