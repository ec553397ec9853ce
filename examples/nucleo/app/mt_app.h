/* The NUCLEO examples' application, board independent (the boards supply bytes, a cycle
 * counter and flash primitives; tests/test_nucleo_app.c runs it on the emulated core).
 *
 * Serial protocol (docs/embedding.md). Requests, binary:
 *   'M' 'T' CMD LEN(u16 LE) PAYLOAD[LEN] CRC32(u32 LE, zlib CRC-32 of CMD, LEN and PAYLOAD)
 *   'P'  ping                          -> OK microt MODEL fingerprint FP input HxWxC tasks N
 *   'I'  FRAME                         -> OK label L conf C stage part|full cycles N
 *   'A'  LABEL(u8) FRAME               -> OK samples N        (a labelled shot into the cache;
 *                                                              "not kept" when the reservoir
 *                                                              of its class dropped it)
 *   'T'  RATIO(u8, percent)            -> OK classes K tau T  (mt_learner_fit: both heads and
 *                                                              tau, then mt_learner_save to
 *                                                              the flash head store)
 *   'C'  (none)                        -> OK                  (empty the feature cache; the
 *                                                              saved task stays)
 *   FRAME = FORMAT(u8, mt_pixel_format_t) WIDTH(u16 LE) HEIGHT(u16 LE) PIXELS
 * Replies are one text line each; a failure is "ERR <reason>". Bytes outside a request are
 * skipped until the next "MT".
 * The personalization is the library's learner (include/microt/learner.h): one buffer, one
 * call per step; this file only parses requests and formats replies. */
#ifndef MT_EXAMPLE_APP_H
#define MT_EXAMPLE_APP_H

#include <stddef.h>
#include <stdint.h>

#include "microt/learner.h"
#include "microt/store.h"

/* Memory the firmware gives the app (sized with the export-c header's macros). */
typedef struct {
    void *learner;        /* MT_LEARNER_BYTES(arena, max_classes, per_class, part, full, 3, 1) */
    size_t learner_bytes;
    uint16_t max_classes; /* classes the learner can take */
    uint16_t per_class;   /* shots kept per class (a reservoir beyond) */
    uint8_t *pixels;      /* one frame resized to the model input: INPUT_BYTES */
    size_t pixels_bytes;
    uint8_t *rx;          /* one request's payload */
    size_t rx_bytes;
} mt_app_mem_t;

typedef struct {
    const mt_flash_t *flash;                      /* the head store; NULL: none */
    uint32_t (*cycles)(void);                     /* free-running core cycle counter */
    void (*write)(void *ctx, const char *s, size_t n); /* reply bytes */
    void *write_ctx;
} mt_app_io_t;

typedef struct {
    mt_model_t model;
    mt_learner_config_t cfg;
    mt_learner_t learner;
    mt_app_mem_t mem;
    mt_app_io_t io;
    /* request parser */
    uint8_t hdr[5];
    uint32_t got, need;
    uint8_t state;
} mt_app_t;

/* Opens the model, binds the learner to its memory and loads the saved task, if any, from
 * the flash. */
mt_status_t mt_app_init(mt_app_t *app, const void *model, size_t model_len, const mt_app_mem_t *mem,
                        const mt_app_io_t *io);

/* Feeds received bytes; complete requests run and reply at once. */
void mt_app_feed(mt_app_t *app, const uint8_t *bytes, size_t n);

#endif
