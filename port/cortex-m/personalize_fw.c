/* A firmware example of on-device personalization with the learner (include/microt/learner.h),
 * the code a firmware author copies: one static buffer sized at compile time by
 * MT_LEARNER_BYTES, the model as a const array in flash, two flash regions (heads, feature
 * cache) behind NOR-flash callbacks, and "camera frames" (here synthetic: a fixed pattern per
 * class plus noise). It learns classes 0..K-2, saves, "reboots" (a fresh learner from flash),
 * learns class K-1 with no earlier frame at hand, saves, then answers held-out frames by stage
 * decision. Prints through semihosting and exits 0 when every step worked and the answers are
 * right (CTest runs it under QEMU: port_personalize_fw). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "microt/learner.h"

extern const uint8_t mt_model_data[];
extern const unsigned int mt_model_data_len;

/* From the model card (`microt inspect MODEL`): arena with the Cortex-M kernels, feature
 * lengths, input frame. Defaults: tests/data/test-model.mtm. */
#ifndef FW_ARENA_BYTES
#define FW_ARENA_BYTES 9772
#endif
#ifndef FW_PART_DIM
#define FW_PART_DIM 24
#endif
#ifndef FW_FULL_DIM
#define FW_FULL_DIM 32
#endif
#ifndef FW_FRAME_BYTES
#define FW_FRAME_BYTES (32 * 32 * 3)
#endif
#define FW_CLASSES 4
#define FW_PER_CLASS 8
#define FW_HISTORY MT_TRAIN_DEFAULT_HISTORY

/* Everything personalization needs, fixed at build time whatever the number of samples. */
static uint32_t learner_mem[(MT_LEARNER_BYTES(FW_ARENA_BYTES, FW_CLASSES, FW_PER_CLASS, FW_PART_DIM,
                                              FW_FULL_DIM, FW_HISTORY, 1) + 3) / 4];
static mt_model_t model;
static mt_learner_t learner;
static uint8_t frame[FW_FRAME_BYTES];

/* ---- Flash: two regions of two slots each, as on a part with 4 KiB pages. On a real board
 * the callbacks call the HAL (erase page, program double-words); here the regions are RAM
 * that behaves like NOR flash: erase sets 0xFF, programming only clears bits. ---- */
#define PAGE 4096u
#define HEAD_SLOT (2u * PAGE)
#define CACHE_SLOT (4u * PAGE)
static uint8_t head_region[2 * HEAD_SLOT], cache_region[2 * CACHE_SLOT];

typedef struct {
    uint8_t *mem;
    uint32_t bytes;
} region_t;

static int flash_read(void *ctx, uint32_t addr, void *dst, uint32_t len) {
    const region_t *r = (const region_t *)ctx;
    if (addr > r->bytes || len > r->bytes - addr) return -1;
    memcpy(dst, r->mem + addr, len);
    return 0;
}

static int flash_write(void *ctx, uint32_t addr, const void *src, uint32_t len) {
    const region_t *r = (const region_t *)ctx;
    if (addr > r->bytes || len > r->bytes - addr) return -1;
    const uint8_t *s = (const uint8_t *)src;
    for (uint32_t i = 0; i < len; i++) r->mem[addr + i] &= s[i];
    return 0;
}

static int flash_erase(void *ctx, uint32_t addr, uint32_t len) {
    const region_t *r = (const region_t *)ctx;
    if (addr % PAGE != 0 || len % PAGE != 0 || addr > r->bytes || len > r->bytes - addr) return -1;
    memset(r->mem + addr, 0xFF, len);
    return 0;
}

static region_t head_ctx = {head_region, sizeof head_region};
static region_t cache_ctx = {cache_region, sizeof cache_region};
static const mt_flash_t head_flash = {&head_ctx, HEAD_SLOT, flash_read, flash_write, flash_erase};
static const mt_flash_t cache_flash = {&cache_ctx, CACHE_SLOT, flash_read, flash_write, flash_erase};

/* ---- The "camera": class y's frame is a fixed pattern plus +-50 noise. ---- */
static uint32_t rng_state = 12345u;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void capture(uint16_t y) {
    uint32_t pattern = 0x9E3779B9u * (y + 1u);
    for (uint32_t i = 0; i < FW_FRAME_BYTES; i++) {
        pattern ^= pattern << 13;
        pattern ^= pattern >> 17;
        pattern ^= pattern << 5;
        int v = (int)(pattern & 255u) + (int)(rng() % 101u) - 50;
        frame[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

static int check(const char *what, mt_status_t st) {
    if (st != MT_OK) printf("personalize_fw: %s: %s\n", what, mt_strerror(st));
    return st == MT_OK;
}

/* Boot: the learner from its flash regions (nothing there on the first boot). */
static int boot(void) {
    mt_learner_config_t cfg;
    mt_learner_config_default(&cfg);
    cfg.max_classes = FW_CLASSES;
    cfg.per_class = FW_PER_CLASS;
    cfg.ratio = 0.5f;
    if (!check("learner", mt_learner_init(&learner, &model, &cfg, learner_mem, sizeof learner_mem))) {
        return 0;
    }
    mt_status_t st = mt_learner_load(&learner, &head_flash, &cache_flash);
    if (st == MT_E_STORE_EMPTY) {
        printf("boot: nothing in flash yet\n");
        return 1;
    }
    if (!check("load", st)) return 0;
    printf("boot: %u cached samples of %u classes, heads %s\n", (unsigned)learner.cache.n_samples,
           (unsigned)learner.cache.n_classes, mt_learner_task(&learner) ? "loaded" : "none");
    return 1;
}

/* The user shows `shots` frames of each class in [first, last] (twice as many are captured:
 * the cache keeps FW_PER_CLASS a class, a uniform sample of them). */
static int learn(uint16_t first, uint16_t last, uint32_t shots) {
    for (uint32_t i = 0; i < shots; i++) {
        for (uint16_t y = first; y <= last; y++) {
            capture(y);
            if (!check("add", mt_learner_add_image(&learner, y, frame, sizeof frame, NULL))) return 0;
        }
    }
    mt_learner_report_t rep;
    if (!check("fit", mt_learner_fit(&learner, &rep))) return 0;
    printf("fit: %u classes, %u of %u samples kept, heads A/B %u/%u iterations (%s/%s), tau %.4f "
           "from %u fold iterations, %s start\n", (unsigned)rep.classes, (unsigned)rep.samples,
           (unsigned)rep.offered, (unsigned)rep.head[0].iterations, (unsigned)rep.head[1].iterations,
           rep.head[0].converged ? "converged" : "not converged",
           rep.head[1].converged ? "converged" : "not converged", (double)rep.tau,
           (unsigned)rep.calib.iterations, rep.warm ? "warm" : "cold");
    return rep.head[0].converged && rep.head[1].converged &&
           check("save", mt_learner_save(&learner, &head_flash, &cache_flash));
}

int main(void) {
    if (!check("model", mt_model_open(&model, mt_model_data, mt_model_data_len))) return 1;
    printf("learner memory %u bytes (arena included), fixed at build time\n",
           (unsigned)sizeof learner_mem);
    /* First boot: learn classes 0..K-2 and save. */
    if (!boot() || !learn(0, FW_CLASSES - 2, 2 * FW_PER_CLASS)) return 1;
    /* Reboot: everything comes back from flash; the last class is added on its own. */
    memset(learner_mem, 0xA5, sizeof learner_mem);
    if (!boot() || !mt_learner_task(&learner)) return 1;
    if (!learn(FW_CLASSES - 1, FW_CLASSES - 1, FW_PER_CLASS)) return 1;
    /* Answer new frames by stage decision. */
    uint32_t right = 0, exits = 0, n = 0;
    uint64_t macs = 0;
    for (uint32_t i = 0; i < 25; i++) {
        for (uint16_t y = 0; y < FW_CLASSES; y++, n++) {
            capture(y);
            mt_answer_t a;
            if (!check("infer", mt_learner_infer(&learner, frame, sizeof frame, &a))) return 1;
            right += a.label == y;
            exits += a.stage == MT_STAGE_PART;
            macs += a.macs;
        }
    }
    printf("answers: %u/%u right, %u at the part stage, %lu MACs on average\n", (unsigned)right,
           (unsigned)n, (unsigned)exits, (unsigned long)(macs / n));
    return right * 10u >= n * 9u && exits > 0 && exits < n ? 0 : 2;
}
