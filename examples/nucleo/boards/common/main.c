/* The NUCLEO example firmware: the model exported by `microt export-c` (model_data.c/.h,
 * generated at build time), every buffer sized by that header's macros, and the
 * board-independent application (app/mt_app.c) fed byte by byte from the ST-LINK virtual
 * COM port (docs/embedding.md has the protocol and a host script). */
#include <stdint.h>

#include "board.h"
#include "model_data.h"
#include "mt_app.h"

#define RX_BYTES (160u * 120u * 2u + 16u) /* a QQVGA RGB565 / YUYV frame and its header */

/* 8-byte alignment for every buffer (the library needs 4). */
static uint64_t arena[MT_EXAMPLE_MODEL_ARENA_BYTES_DSP / 8 + 1];
static uint64_t cache[MT_EXAMPLE_MODEL_FEATURE_CACHE_BYTES / 8 + 1];
static uint64_t head_a[MT_EXAMPLE_MODEL_HEAD_PART_BYTES / 8 + 1];
static uint64_t head_b[MT_EXAMPLE_MODEL_HEAD_FULL_BYTES / 8 + 1];
static uint64_t scratch[MT_EXAMPLE_MODEL_SCRATCH_BYTES / 8 + 1];
static uint64_t blob[MT_EXAMPLE_MODEL_STORE_BLOB_BYTES / 8 + 1];
static uint8_t rx[RX_BYTES];
static mt_app_t app;
static mt_flash_units_t store;
static mt_flash_t flash;

int main(void) {
    static const char hello[] = "microt NUCLEO example: send 'MT' requests (docs/embedding.md)\n";
    mt_app_mem_t mem = {arena, sizeof arena, cache, sizeof cache, MT_EXAMPLE_MODEL_CACHE_SAMPLES,
                        {head_a, head_b}, {sizeof head_a, sizeof head_b}, MT_EXAMPLE_MODEL_MAX_CLASSES,
                        scratch, sizeof scratch, blob, sizeof blob, rx, sizeof rx};
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
