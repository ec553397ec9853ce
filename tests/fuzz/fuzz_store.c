/* libFuzzer target for the head store: a blob (mt_store_decode) and a two-slot flash image
 * (mt_store_read, then decode) from any bytes must give a status, never a crash or undefined
 * behaviour; a blob that decodes must be usable: every task answers a stage-decision
 * inference on the model it is bound to. Each blob is tried as it is and with the model's
 * fingerprint written into it, so mutations reach the checks behind that one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model_builder.h"
#include "fuzz_common.h"
#include "microt/exec.h"
#include "microt/head.h"
#include "microt/stage.h"
#include "microt/store.h"

static uint32_t g_model_buf[8192 / 4];
static mt_model_t g_model;
static uint32_t g_arena[16384 / 4];

static const mt_model_t *model(void) {
    if (!g_model.bytes) {
        size_t len = mt_build_small_model((uint8_t *)g_model_buf, sizeof g_model_buf, 1);
        if (mt_model_open(&g_model, g_model_buf, len) != MT_OK) mt_fuzz_fail("small model");
    }
    return &g_model;
}

/* Decoded tasks must run: one inference each on a fixed input. */
static void use_tasks(const mt_task_t *tasks, uint32_t n) {
    const mt_model_t *m = model();
    if (mt_model_arena_bytes(m) > sizeof g_arena) mt_fuzz_fail("arena");
    mt_exec_t x;
    static const uint8_t pixels[8 * 8 * 3] = {1, 2, 3};
    mt_answer_t answers[MT_STORE_MAX_TASKS];
    if (mt_exec_init(&x, m, g_arena, sizeof g_arena) != MT_OK ||
        mt_exec_set_input_u8(&x, pixels, sizeof pixels) != MT_OK) {
        mt_fuzz_fail("executor");
    }
    mt_status_t st = mt_stage_infer_tasks(&x, tasks, n, answers, NULL);
    if (st != MT_OK) return; /* a status is fine; a crash is not */
    for (uint32_t t = 0; t < n; t++) {
        if (answers[t].label >= tasks[t].head[0].n_classes) mt_fuzz_fail("label out of range");
    }
}

static void decode_blob(const uint8_t *data, size_t size, int with_fingerprint) {
    void *blob = malloc(size ? size : 1); /* malloc'ed: aligned, and ASan sees its end */
    if (!blob) return;
    memcpy(blob, data, size);
    if (with_fingerprint && size >= MT_STORE_BLOB_HEADER_BYTES) {
        uint64_t fp = model()->fingerprint;
        for (int i = 0; i < 8; i++) ((uint8_t *)blob)[16 + i] = (uint8_t)(fp >> (8 * i));
    }
    mt_task_t tasks[MT_STORE_MAX_TASKS];
    uint32_t n = 0;
    if (mt_store_decode(blob, size, model(), tasks, MT_STORE_MAX_TASKS, &n) == MT_OK) {
        if (n > MT_STORE_MAX_TASKS) mt_fuzz_fail("%u tasks", n);
        use_tasks(tasks, n);
    }
    free(blob);
}

/* Flash as a memory image. */
typedef struct {
    uint8_t *bytes;
    uint32_t len;
} mem_flash_t;

static int mem_read(void *ctx, uint32_t addr, void *dst, uint32_t len) {
    mem_flash_t *f = (mem_flash_t *)ctx;
    if (addr > f->len || len > f->len - addr) mt_fuzz_fail("read outside the flash");
    memcpy(dst, f->bytes + addr, len);
    return 0;
}

static int mem_write(void *ctx, uint32_t addr, const void *src, uint32_t len) {
    (void)ctx, (void)addr, (void)src, (void)len;
    return -1;
}

static int mem_erase(void *ctx, uint32_t addr, uint32_t len) {
    (void)ctx, (void)addr, (void)len;
    return -1;
}

static void read_flash(const uint8_t *data, size_t size) {
    uint32_t slot = (uint32_t)(size / 2) & ~3u;
    if (slot < MT_STORE_SLOT_HEADER_BYTES || slot > (1u << 20)) return;
    mem_flash_t mem = {malloc(2 * (size_t)slot), 2 * slot};
    uint32_t *buf = malloc(slot);
    if (mem.bytes && buf) {
        memcpy(mem.bytes, data, 2 * (size_t)slot);
        mt_flash_t flash = {&mem, slot, mem_read, mem_write, mem_erase};
        size_t len = 0;
        uint32_t seq = 0;
        if (mt_store_read(&flash, buf, slot, &len, &seq) == MT_OK) {
            if (len > slot) mt_fuzz_fail("blob of %zu bytes in a %u-byte slot", len, slot);
            decode_blob((const uint8_t *)buf, len, 1);
        }
    }
    free(buf);
    free(mem.bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    decode_blob(data, size, 0);
    decode_blob(data, size, 1);
    read_flash(data, size);
    return 0;
}

/* Seeds: blobs of 1, 2 and 3 tasks with seeded heads for the small model, and a flash image
 * holding one of them (written through mt_store_write). */
int mt_fuzz_seeds(const char *dir) {
    const mt_model_t *m = model();
    static float heads[MT_STORE_MAX_TASKS][2][2048];
    static char names[8][MT_NAME_BYTES] = {"zero", "one", "two", "three", "four", "five", "six", "seven"};
    mt_task_t tasks[3];
    uint32_t dims[2] = {mt_model_feature_len(m, MT_STAGE_PART), mt_model_feature_len(m, MT_STAGE_FULL)};
    for (int t = 0; t < 3; t++) {
        memset(&tasks[t], 0, sizeof tasks[t]);
        snprintf(tasks[t].name, MT_NAME_BYTES, "task%d", t);
        uint16_t k = (uint16_t)(2 + 3 * t);
        for (int s = 0; s < 2; s++) {
            if (mt_head_init(&tasks[t].head[s], heads[t][s], sizeof heads[t][s], k, dims[s]) != MT_OK) return -1;
            tasks[t].head[s].n_classes = k;
            for (uint32_t i = 0; i < (uint32_t)k * dims[s]; i++) {
                tasks[t].head[s].weights[i] = (float)((int)((i * 2654435761u) >> 24) - 128) / 64.0f;
            }
            for (uint16_t c = 0; c < k; c++) tasks[t].head[s].bias[c] = 0.1f * c;
        }
        tasks[t].ratio = 0.5f;
        tasks[t].tau = 0.3f * (float)t;
        tasks[t].class_names = names;
    }
    static uint32_t blob[16384 / 4];
    for (uint32_t n = 1; n <= 3; n++) {
        size_t len = 0;
        if (mt_store_encode(tasks, n, m->fingerprint, blob, sizeof blob, &len) != MT_OK) return -1;
        char name[32];
        snprintf(name, sizeof name, "blob-%u-tasks", n);
        if (mt_fuzz_write(dir, name, blob, len) != 0) return -1;
    }
    /* a flash image of two 4 KiB slots, the newer one holding 2 tasks */
    static uint8_t flash_bytes[8192];
    memset(flash_bytes, 0xFF, sizeof flash_bytes);
    size_t len = 0;
    if (mt_store_encode(tasks, 2, m->fingerprint, blob, sizeof blob, &len) != MT_OK) return -1;
    memcpy(flash_bytes, "MTS1", 4); /* slot 0 header, by hand: magic, seq 1, length, CRC */
    for (int i = 0; i < 4; i++) {
        flash_bytes[4 + i] = (uint8_t)(1u >> (8 * i));
        flash_bytes[8 + i] = (uint8_t)((uint32_t)len >> (8 * i));
    }
    uint32_t crc = mt_crc32(mt_crc32(0, flash_bytes + 4, 8), blob, len);
    for (int i = 0; i < 4; i++) flash_bytes[12 + i] = (uint8_t)(crc >> (8 * i));
    memcpy(flash_bytes + MT_STORE_SLOT_HEADER_BYTES, blob, len);
    return mt_fuzz_write(dir, "flash-2-tasks", flash_bytes, sizeof flash_bytes);
}
