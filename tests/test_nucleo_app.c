/* The NUCLEO examples' board-independent logic (examples/nucleo/app) on the host and the
 * emulated Cortex-M4/M7: the serial protocol end to end (ping, shots, training, stage-decision
 * answers equal to direct library calls), the head store through flash_units.c on a simulated
 * flash that enforces each chip's rules (STM32L4R5: 8-byte double words programmed once, 4 KB
 * pages; STM32H7A3: 16-byte flash words, 8 KB sectors), a reboot that finds the task again,
 * and a power cut after every flash operation of a save: the board always boots with a task.
 * usage: test_nucleo_app test-model.mtm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_units.h"
#include "microt/head.h"
#include "microt/input.h"
#include "microt/learner.h"
#include "mt_app.h"
#include "test_util.h"

#define STORE_BASE 0x081F8000u /* the boards' STORE region: two 16 KB slots */
#define STORE_BYTES (32u * 1024u)

typedef struct {
    uint8_t mem[STORE_BYTES];
    uint32_t unit, erase_bytes;
    uint32_t programs, erases, violations;
    int32_t ops_left; /* < 0: no power cut planned */
} sim_flash_t;

static int sim_program(void *hw, uint32_t addr, const uint8_t *unit) {
    sim_flash_t *s = hw;
    if (s->ops_left == 0) return -1; /* the power is gone */
    if (s->ops_left > 0) s->ops_left--;
    uint32_t off = addr - STORE_BASE;
    if (addr < STORE_BASE || off + s->unit > STORE_BYTES || off % s->unit != 0) {
        s->violations++;
        return -1;
    }
    for (uint32_t i = 0; i < s->unit; i++) {
        if (s->mem[off + i] != 0xFF) { /* ECC word programmed twice: PROGERR on the chip */
            s->violations++;
            return -1;
        }
    }
    memcpy(s->mem + off, unit, s->unit);
    s->programs++;
    return 0;
}

static int sim_erase(void *hw, uint32_t addr) {
    sim_flash_t *s = hw;
    if (s->ops_left == 0) return -1;
    if (s->ops_left > 0) s->ops_left--;
    uint32_t off = addr - STORE_BASE;
    if (addr < STORE_BASE || off % s->erase_bytes != 0 || off + s->erase_bytes > STORE_BYTES) {
        s->violations++;
        return -1;
    }
    memset(s->mem + off, 0xFF, s->erase_bytes);
    s->erases++;
    return 0;
}

static int sim_read(void *hw, uint32_t addr, void *dst, uint32_t len) {
    sim_flash_t *s = hw;
    if (addr < STORE_BASE || addr - STORE_BASE + len > STORE_BYTES) return -1;
    memcpy(dst, s->mem + (addr - STORE_BASE), len);
    return 0;
}

static char g_out[4096];
static size_t g_out_len;

static void capture(void *ctx, const char *s, size_t n) {
    (void)ctx;
    if (g_out_len + n < sizeof g_out) {
        memcpy(g_out + g_out_len, s, n);
        g_out_len += n;
        g_out[g_out_len] = 0;
    }
}

static uint32_t fake_cycles(void) {
    static uint32_t t = 0xFFFFFF00u; /* wraps during the run: the difference must not care */
    return t += 1000u;
}

/* One request through the parser; returns the reply line (without the newline). */
static const char *request(mt_app_t *a, uint8_t cmd, const uint8_t *p, uint16_t n) {
    static uint8_t buf[8 + 6000];
    uint8_t head[3] = {cmd, (uint8_t)n, (uint8_t)(n >> 8)};
    uint32_t crc = n ? mt_crc32(mt_crc32(0, head, 3), p, n) : mt_crc32(0, head, 3);
    size_t k = 0;
    buf[k++] = 'x'; /* noise before the request is skipped */
    buf[k++] = 'M';
    buf[k++] = 'T';
    memcpy(buf + k, head, 3), k += 3;
    if (n) memcpy(buf + k, p, n), k += n;
    for (int i = 0; i < 4; i++) buf[k++] = (uint8_t)(crc >> (8 * i));
    g_out_len = 0;
    g_out[0] = 0;
    mt_app_feed(a, buf, k / 2);            /* in two pieces, as a UART delivers them */
    mt_app_feed(a, buf + k / 2, k - k / 2);
    if (g_out_len && g_out[g_out_len - 1] == '\n') g_out[g_out_len - 1] = 0;
    return g_out;
}

#define FW 40
#define FH 30
/* FRAME payload: RGB565 40x30 with a class-dependent colour and texture. */
static size_t make_frame(uint8_t *p, int cls, int shot, int with_label) {
    size_t k = 0;
    if (with_label) p[k++] = (uint8_t)cls;
    p[k++] = MT_PIXEL_RGB565;
    p[k++] = FW, p[k++] = 0, p[k++] = FH, p[k++] = 0;
    for (int y = 0; y < FH; y++) {
        for (int x = 0; x < FW; x++) {
            unsigned r = (unsigned)(cls == 0 ? 28 : (x + shot) % 8), g = (unsigned)(cls == 1 ? 60 : (y * 2 + shot) % 16),
                     b = (unsigned)(cls == 2 ? 30 : ((x ^ y) + shot) % 8);
            uint16_t v = (uint16_t)(r << 11 | g << 5 | b);
            p[k++] = (uint8_t)v, p[k++] = (uint8_t)(v >> 8);
        }
    }
    return k;
}

typedef struct {
    mt_app_mem_t mem;
    const uint8_t *model;
    size_t model_len;
} fixture_t;

static int boot(mt_app_t *a, const fixture_t *fx, sim_flash_t *sim, mt_flash_units_t *fu, mt_flash_t *fl) {
    memset(fu, 0, sizeof *fu);
    fu->base = STORE_BASE;
    fu->slot_bytes = STORE_BYTES / 2;
    fu->erase_bytes = sim->erase_bytes;
    fu->unit_bytes = sim->unit;
    fu->hw = sim;
    fu->erase = sim_erase, fu->program = sim_program, fu->read = sim_read;
    if (!CHECK(mt_flash_units_bind(fu, fl) == 0)) return -1;
    mt_app_io_t io = {fl, fake_cycles, capture, NULL};
    return CHECK_EQ(mt_app_init(a, fx->model, fx->model_len, &fx->mem, &io), MT_OK) ? 0 : -1;
}

static void run_board(const fixture_t *fx, const fixture_t *fx2, uint32_t unit, uint32_t erase_bytes, const char *name) {
    static sim_flash_t sim;
    static mt_app_t app;
    static uint8_t frame[6000];
    mt_flash_units_t fu;
    mt_flash_t fl;
    memset(&sim, 0, sizeof sim);
    memset(sim.mem, 0xFF, sizeof sim.mem);
    sim.unit = unit, sim.erase_bytes = erase_bytes, sim.ops_left = -1;
    printf("%s: %lu-byte program units, %lu-byte erase units\n", name, (unsigned long)unit, (unsigned long)erase_bytes);
    if (boot(&app, fx, &sim, &fu, &fl) != 0) return;
    CHECK(strstr(request(&app, 'P', NULL, 0), "OK microt microt-test-32 fingerprint 315ed55f09145836 input 32x32x3 tasks 0") != NULL);
    size_t n = make_frame(frame, 1, 0, 0);
    CHECK(strncmp(request(&app, 'I', frame, (uint16_t)n), "ERR no task", 11) == 0);
    for (int shot = 0; shot < 4; shot++) {
        for (int c = 0; c < 3; c++) {
            n = make_frame(frame, c, shot, 1);
            CHECK(strncmp(request(&app, 'A', frame, (uint16_t)n), "OK samples", 10) == 0);
        }
    }
    CHECK(strstr(g_out, "OK samples 12") != NULL);
    uint8_t ratio = 50;
    CHECK(strstr(request(&app, 'T', &ratio, 1), "OK classes 3 tau ") == g_out && strstr(g_out, " saved") != NULL);
    printf("  train: %s\n", g_out);
    CHECK(sim.violations == 0 && sim.programs > 0 && sim.erases > 0);
    /* the learner's default: head B reads part (+) full features */
    uint32_t dp = mt_model_feature_len(&app.model, MT_STAGE_PART);
    CHECK_EQ(app.learner.task.head[1].dim, dp + mt_model_feature_len(&app.model, MT_STAGE_FULL));
    CHECK(app.learner.task.full_concat == 1 && app.learner.task.ratio == 0.5f);

    /* answers equal the library's own stage decision on the same task and frame */
    char first[160];
    for (int c = 0; c < 3; c++) {
        n = make_frame(frame, c, 9, 0);
        request(&app, 'I', frame, (uint16_t)n);
        mt_frame_t f = {frame + 5, FW, FH, 0, MT_PIXEL_RGB565};
        mt_answer_t ans;
        CHECK_EQ(mt_input_set_frame(&app.learner.exec, &f), MT_OK); /* no pixel buffer */
        CHECK_EQ(mt_stage_infer(&app.learner.exec, &app.learner.task, &ans), MT_OK);
        char want[64];
        snprintf(want, sizeof want, "OK label %u conf ", (unsigned)ans.label);
        CHECK(strncmp(g_out, want, strlen(want)) == 0);
        CHECK(strstr(g_out, ans.stage == MT_STAGE_PART ? "stage part cycles 1000" : "stage full cycles 1000") != NULL);
        if (c == 2) snprintf(first, sizeof first, "%.150s", g_out);
    }
    printf("  infer: %s\n", first);

    /* protocol errors */
    uint8_t bad[16] = {'M', 'T', 'P', 0, 0, 1, 2, 3, 4};
    g_out_len = 0;
    mt_app_feed(&app, bad, 9);
    CHECK(strncmp(g_out, "ERR request CRC mismatch", 24) == 0);
    CHECK(strncmp(request(&app, 'Z', NULL, 0), "ERR unknown command", 19) == 0);
    CHECK(strncmp(request(&app, 'I', frame, 7), "ERR frame", 9) == 0);
    uint8_t big[6] = {'M', 'T', 'I', 0xff, 0xff};
    g_out_len = 0;
    mt_app_feed(&app, big, 5);
    CHECK(strncmp(g_out, "ERR request larger", 18) == 0);

    /* a reboot finds the task in flash and answers the same */
    if (boot(&app, fx, &sim, &fu, &fl) != 0) return;
    CHECK(strstr(request(&app, 'P', NULL, 0), " tasks 1 samples 0") != NULL);
    n = make_frame(frame, 2, 9, 0);
    CHECK(strcmp(request(&app, 'I', frame, (uint16_t)n), first) == 0);

    /* 'C' empties the cache and keeps the saved task */
    n = make_frame(frame, 0, 5, 1);
    CHECK(strcmp(request(&app, 'A', frame, (uint16_t)n), "OK samples 1") == 0);
    CHECK(strcmp(request(&app, 'C', NULL, 0), "OK") == 0);
    CHECK(strstr(request(&app, 'P', NULL, 0), " tasks 1 samples 0") != NULL);
    n = make_frame(frame, 2, 9, 0);
    CHECK(strcmp(request(&app, 'I', frame, (uint16_t)n), first) == 0);
    uint8_t half = 50;
    CHECK(strcmp(request(&app, 'T', &half, 1), "ERR train needs shots of two classes") == 0);
    n = make_frame(frame, 0, 5, 1);
    CHECK(strcmp(request(&app, 'A', frame, (uint16_t)n), "OK samples 1") == 0);
    n = make_frame(frame, 5, 0, 1);
    CHECK(strncmp(request(&app, 'A', frame, (uint16_t)n), "ERR label above the class budget", 32) == 0);
    /* a class without shots: the fit is refused and the task still answers */
    n = make_frame(frame, 2, 5, 1);
    CHECK(strcmp(request(&app, 'A', frame, (uint16_t)n), "OK samples 2") == 0);
    CHECK(strncmp(request(&app, 'T', &half, 1), "ERR train: ", 11) == 0);
    n = make_frame(frame, 2, 9, 0);
    CHECK(strcmp(request(&app, 'I', frame, (uint16_t)n), first) == 0);

    /* power cuts: after k flash operations of a new save, for every k; the board always
     * boots with a task, the old one or the new one (the trainer keeps its shots; each boot
     * is a second app with its own memory on the same flash) */
    static uint8_t saved[STORE_BYTES];
    static mt_app_t booted;
    memcpy(saved, sim.mem, sizeof saved);
    for (int c = 0; c < 3; c++) {
        n = make_frame(frame, c, 1, 1);
        request(&app, 'A', frame, (uint16_t)n);
    }
    uint32_t ops_per_save = 0, cuts = 0, old = 0, fresh = 0;
    for (int32_t k = 0;; k++) {
        memcpy(sim.mem, saved, sizeof saved);
        CHECK(mt_flash_units_bind(&fu, &fl) == 0); /* a reset forgets the pending unit */
        uint32_t before = sim.programs + sim.erases;
        sim.ops_left = k;
        ratio = 25;
        request(&app, 'T', &ratio, 1);
        sim.ops_left = -1;
        int done = strstr(g_out, " saved") != NULL && strstr(g_out, "not saved") == NULL;
        if (done) ops_per_save = sim.programs + sim.erases - before;
        mt_flash_units_t fu2;
        mt_flash_t fl2;
        if (!boot(&booted, fx2, &sim, &fu2, &fl2) &&
            CHECK(strstr(request(&booted, 'P', NULL, 0), " tasks 1") != NULL)) {
            if (booted.learner.task.ratio == 0.25f) fresh++;
            else old++;
        }
        CHECK_EQ(sim.violations, 0);
        cuts++;
        if (done) break;
    }
    printf("  power cuts: %lu (a save is %lu flash operations): %lu boots with the old task, %lu "
           "with the new\n", (unsigned long)(cuts - 1), (unsigned long)ops_per_save, (unsigned long)old,
           (unsigned long)fresh);
    CHECK(cuts > 3 && fresh >= 1 && old >= 1);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_nucleo_app test-model.mtm\n");
        return 2;
    }
    size_t len = 0;
    uint8_t *model = mt_read_file(argv[1], &len);
    mt_model_t m;
    if (!CHECK(model && mt_model_open(&m, model, len) == MT_OK)) return mt_test_summary("test_nucleo_app");
    /* what main.c gives the app from export-c's header (5 classes x 20 shots): the learner's
     * buffer by the compile-time macro, equal to the library's own count */
    uint32_t dp = mt_model_feature_len(&m, MT_STAGE_PART), df = mt_model_feature_len(&m, MT_STAGE_FULL);
    mt_learner_config_t cfg;
    mt_learner_config_default(&cfg);
    cfg.max_classes = 5, cfg.per_class = 20;
    size_t learner_bytes = MT_LEARNER_BYTES(mt_model_arena_bytes(&m), 5, 20, dp, df, MT_TRAIN_DEFAULT_HISTORY, 1);
    CHECK_EQ(learner_bytes, mt_learner_bytes(&m, &cfg));
    mt_tensor_info_t in;
    mt_model_tensor(&m, m.input_tensor, &in);
    fixture_t fx;
    memset(&fx, 0, sizeof fx);
    fx.model = model, fx.model_len = len;
    fx.mem.learner_bytes = learner_bytes;
    fx.mem.max_classes = 5;
    fx.mem.per_class = 20;
    fx.mem.pixels_bytes = (size_t)in.h * in.w * in.c;
    fx.mem.rx_bytes = 6000;
    fx.mem.learner = malloc(fx.mem.learner_bytes);
    fx.mem.pixels = malloc(fx.mem.pixels_bytes);
    fx.mem.rx = malloc(fx.mem.rx_bytes);
    fixture_t fx2 = fx; /* a second board's memory for the reboots after a power cut */
    fx2.mem.learner = malloc(fx.mem.learner_bytes);
    fx2.mem.pixels = malloc(fx.mem.pixels_bytes);
    fx2.mem.rx = malloc(fx.mem.rx_bytes);
    run_board(&fx, &fx2, 8, 4096, "STM32L4R5 (dual-bank pages)");
    run_board(&fx, &fx2, 16, 8192, "STM32H7A3 (sectors)");
    return mt_test_summary("test_nucleo_app");
}
