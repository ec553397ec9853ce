/* End-to-end personalization through the learner (include/microt/learner.h), the same program
 * on the host and on the emulated Cortex-M: the first SHOTS samples of every class but the last
 * from uncompressed IDX files go through the extractor once into the learner's cache, both
 * heads are trained and tau calibrated for RATIO, heads and cache are saved to (simulated)
 * flash; a fresh learner loads them, adds the last class's SHOTS samples (no earlier image
 * needed) and fits again, warm; then N_TEST test images are classified by stage decision. It
 * prints both fits' iterations, the heads' and the flash's hashes, accuracy, exit share, mean
 * MACs and every predicted label, so tests/personalize_e2e.sh can compare host and device.
 * usage: test_personalize_e2e MODEL TRAIN_IMAGES TRAIN_LABELS TEST_IMAGES TEST_LABELS
 *                             SHOTS N_TEST RATIO
 * Only <stdio.h> file reads (semihosting on the device); no zlib, no clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_sim.h"
#include "microt/learner.h"
#include "test_util.h"

#define MAX_SHOTS 1000u
#define MAX_TEST 100000u

/* An IDX file of u8 items opened for sequential reading: header checked, item count = the
 * smaller of the header's count and what the file really holds (a prepared subset may be
 * cut short of the header's count). */
typedef struct {
    FILE *f;
    uint32_t n;          /* items available */
    uint32_t item_bytes; /* product of the dimensions after the first */
    uint32_t dims[4];
    uint32_t ndim;
} idx_t;

static uint32_t be32(const uint8_t *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int idx_open(idx_t *x, const char *path, uint32_t want_ndim) {
    memset(x, 0, sizeof *x);
    x->f = fopen(path, "rb");
    if (!x->f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    uint8_t h[4 + 4 * 4];
    if (fread(h, 1, 4, x->f) != 4 || h[0] != 0 || h[1] != 0 || h[2] != 0x08 || h[3] != want_ndim ||
        fread(h + 4, 4, want_ndim, x->f) != want_ndim) {
        fprintf(stderr, "%s: not an uncompressed u8 IDX file with %u dimension(s)\n", path,
                (unsigned)want_ndim);
        goto fail;
    }
    x->ndim = want_ndim;
    x->item_bytes = 1;
    for (uint32_t d = 0; d < want_ndim; d++) {
        x->dims[d] = be32(h + 4 + 4 * d);
        if (d > 0) {
            if (x->dims[d] == 0 || x->dims[d] > 4096u) goto bad_dims;
            x->item_bytes *= x->dims[d];
        }
    }
    if (x->item_bytes > (1u << 20)) goto bad_dims;
    long header = (long)(4 + 4 * want_ndim);
    if (fseek(x->f, 0, SEEK_END) != 0) goto fail;
    long size = ftell(x->f);
    if (size < header || fseek(x->f, header, SEEK_SET) != 0) goto fail;
    uint32_t held = (uint32_t)((unsigned long)(size - header) / x->item_bytes);
    x->n = held < x->dims[0] ? held : x->dims[0];
    return 0;
bad_dims:
    fprintf(stderr, "%s: unsupported dimensions\n", path);
fail:
    fclose(x->f);
    x->f = NULL;
    return -1;
}

static int idx_next(idx_t *x, uint8_t *item) {
    return fread(item, 1, x->item_bytes, x->f) == x->item_bytes ? 0 : -1;
}

/* Grey src[sh][sw] -> dst[dh][dw][dc] by bilinear interpolation in 8.8 fixed point, pixel
 * centres aligned (the usual half-pixel convention), edges clamped, the grey value copied to
 * every channel. Integer only: the same bytes on every platform. */
static void resize_grey(const uint8_t *src, uint32_t sh, uint32_t sw, uint8_t *dst, uint32_t dh,
                        uint32_t dw, uint32_t dc) {
    for (uint32_t y = 0; y < dh; y++) {
        /* source coordinate * 256 of the centre of row y: ((y + 0.5) * sh / dh - 0.5) * 256 */
        int32_t fy = (int32_t)(((2u * y + 1u) * sh * 128u) / dh) - 128;
        if (fy < 0) fy = 0;
        uint32_t y0 = (uint32_t)fy >> 8, wy = (uint32_t)fy & 255u;
        if (y0 >= sh - 1u) y0 = sh - 1u, wy = 0;
        uint32_t y1 = y0 + (wy ? 1u : 0u);
        for (uint32_t x = 0; x < dw; x++) {
            int32_t fx = (int32_t)(((2u * x + 1u) * sw * 128u) / dw) - 128;
            if (fx < 0) fx = 0;
            uint32_t x0 = (uint32_t)fx >> 8, wx = (uint32_t)fx & 255u;
            if (x0 >= sw - 1u) x0 = sw - 1u, wx = 0;
            uint32_t x1 = x0 + (wx ? 1u : 0u);
            uint32_t top = src[y0 * sw + x0] * (256u - wx) + src[y0 * sw + x1] * wx;
            uint32_t bot = src[y1 * sw + x0] * (256u - wx) + src[y1 * sw + x1] * wx;
            uint8_t v = (uint8_t)((top * (256u - wy) + bot * wy + 32768u) >> 16);
            for (uint32_t c = 0; c < dc; c++) dst[(y * dw + x) * dc + c] = v;
        }
    }
}

static uint64_t hash_head(const mt_head_t *h) {
    /* the rows in use only: the buffer holds max_classes rows */
    uint64_t s = MT_FNV1A64_INIT;
    s = mt_fnv1a64(s, h->weights, (size_t)h->n_classes * h->dim * sizeof(float));
    s = mt_fnv1a64(s, h->bias, (size_t)h->n_classes * sizeof(float));
    s = mt_fnv1a64(s, h->mean, (size_t)h->dim * sizeof(float));
    return mt_fnv1a64(s, h->inv_std, (size_t)h->dim * sizeof(float));
}

static void print_hash(const char *what, uint64_t h) {
    printf("%s %08lx%08lx\n", what, (unsigned long)(h >> 32), (unsigned long)(h & 0xFFFFFFFFu));
}

/* One fit's cost and convergence, the same line on every platform. */
static void print_fit(const char *what, const mt_learner_report_t *r) {
    printf("%s: %u classes, %u samples, head A %u iterations %u evaluations %s loss %.6f, "
           "head B %u iterations %u evaluations %s loss %.6f, calibration %u folds %u iterations "
           "%u sample passes, %s start\n",
           what, (unsigned)r->classes, (unsigned)r->samples, (unsigned)r->head[0].iterations,
           (unsigned)r->head[0].evaluations, mt_train_stop_name((mt_train_stop_t)r->head[0].stop),
           (double)r->head[0].loss, (unsigned)r->head[1].iterations,
           (unsigned)r->head[1].evaluations, mt_train_stop_name((mt_train_stop_t)r->head[1].stop),
           (double)r->head[1].loss, (unsigned)r->calib.folds, (unsigned)r->calib.iterations,
           (unsigned)r->calib.sample_passes, r->warm ? "warm" : "cold");
}

/* Every buffer the run allocates, freed at the end whatever the outcome. */
static void *g_allocs[24];
static size_t g_n_allocs;
static void *keep(void *p) {
    if (p && g_n_allocs < sizeof g_allocs / sizeof g_allocs[0]) return g_allocs[g_n_allocs++] = p;
    free(p);
    return NULL;
}
#define ALLOC(bytes) keep(malloc(bytes))

static int fail_st(const char *what, mt_status_t st) {
    fprintf(stderr, "%s: %s\n", what, mt_strerror(st));
    return 1;
}

static int run(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: %s MODEL TRAIN_IMAGES TRAIN_LABELS TEST_IMAGES TEST_LABELS SHOTS "
                        "N_TEST RATIO\n", argc > 0 ? argv[0] : "test_personalize_e2e");
        return 2;
    }
    long shots = strtol(argv[6], NULL, 10), n_test = strtol(argv[7], NULL, 10);
    float ratio = strtof(argv[8], NULL);
    if (shots < 1 || shots > (long)MAX_SHOTS || n_test < 1 || n_test > (long)MAX_TEST ||
        !(ratio >= 0.0f && ratio <= 1.0f)) {
        fprintf(stderr, "bad SHOTS (1..%u), N_TEST (1..%u) or RATIO ([0, 1])\n",
                (unsigned)MAX_SHOTS, (unsigned)MAX_TEST);
        return 2;
    }

    /* The model, as it would sit in flash. */
    size_t model_len = 0;
    uint8_t *model_bytes = keep(mt_read_file(argv[1], &model_len));
    if (!model_bytes) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }
    static mt_model_t m;
    mt_status_t st = mt_model_open(&m, model_bytes, model_len);
    if (st != MT_OK) return fail_st(argv[1], st);
    mt_tensor_info_t in;
    mt_model_tensor(&m, m.input_tensor, &in);
    const uint32_t dp = mt_model_feature_len(&m, MT_STAGE_PART);
    const uint32_t df = mt_model_feature_len(&m, MT_STAGE_FULL);
    const size_t px_bytes = (size_t)in.h * in.w * in.c;
    uint8_t *px = ALLOC(px_bytes);
    if (!px) return fail_st("model buffers", MT_E_ARG);

    /* 1. Which samples: the first SHOTS of each class, in file order. */
    idx_t tl, ti;
    if (idx_open(&tl, argv[3], 1) != 0 || idx_open(&ti, argv[2], 3) != 0) return 1;
    uint8_t *labels = ALLOC(tl.n ? tl.n : 1u);
    if (!labels) return fail_st("labels", MT_E_ARG);
    if (fread(labels, 1, tl.n, tl.f) != tl.n) {
        fprintf(stderr, "%s: short read\n", argv[3]);
        return 1;
    }
    uint32_t k = 0, counts[256] = {0}, n_used = 0, last = 0;
    for (uint32_t i = 0; i < tl.n; i++) {
        if (labels[i] >= MT_FEATURES_MAX_CLASSES) {
            fprintf(stderr, "%s: label %u >= %u\n", argv[3], labels[i], MT_FEATURES_MAX_CLASSES);
            return 1;
        }
        if (labels[i] + 1u > k) k = labels[i] + 1u;
    }
    for (uint32_t i = 0; i < tl.n; i++) {
        if (counts[labels[i]] < (uint32_t)shots) counts[labels[i]]++, n_used++, last = i;
    }
    for (uint32_t c = 0; c < k; c++) {
        if (counts[c] < (uint32_t)shots) {
            fprintf(stderr, "%s: class %u has %u samples among the %u present, %ld wanted\n",
                    argv[3], (unsigned)c, (unsigned)counts[c], (unsigned)tl.n, shots);
            return 1;
        }
    }
    if (k < 2 || ti.n <= last || ti.dims[1] < 2 || ti.dims[2] < 2) {
        fprintf(stderr, "%s: needs 2+ classes and %u images of at least 2x2, holds %u\n", argv[2],
                (unsigned)last + 1u, (unsigned)ti.n);
        return 1;
    }

    /* 2. The learner, sized for SHOTS per class; every class but the last goes through the
     * extractor once into its cache, then a fit, then heads and cache to (simulated) flash. */
    mt_learner_config_t cfg;
    mt_learner_config_default(&cfg);
    cfg.max_classes = (uint16_t)k;
    cfg.per_class = (uint16_t)shots;
    cfg.ratio = ratio;
    mt_learner_sizes_t sz;
    if ((st = mt_learner_sizes(&m, &cfg, &sz)) != MT_OK) return fail_st("mt_learner_sizes", st);
    void *mem = ALLOC(sz.total);
    uint8_t *img = ALLOC(ti.item_bytes);
    uint32_t head_slot = (uint32_t)((sz.heads + sz.names + 1024u + 4095u) & ~4095u);
    uint32_t cache_slot = (uint32_t)((sz.cache + sz.names + 4u * k + 1024u + 4095u) & ~4095u);
    uint8_t *head_mem = ALLOC(2u * head_slot), *cache_mem = ALLOC(2u * cache_slot);
    if (!mem || !img || !head_mem || !cache_mem) return fail_st("learner buffers", MT_E_ARG);
    static flash_sim_t heads_flash, cache_flash;
    flash_sim_init(&heads_flash, head_mem, head_slot);
    flash_sim_init(&cache_flash, cache_mem, cache_slot);
    static mt_learner_t l;
    if ((st = mt_learner_init(&l, &m, &cfg, mem, sz.total)) != MT_OK)
        return fail_st("mt_learner_init", st);
    uint32_t last_class = k - 1u;
    memset(counts, 0, sizeof counts);
    long img_pos = ftell(ti.f);
    for (uint32_t i = 0; i <= last; i++) {
        if (idx_next(&ti, img) != 0) return fail_st(argv[2], MT_E_ARG);
        if (counts[labels[i]] >= (uint32_t)shots || labels[i] == last_class) continue;
        counts[labels[i]]++;
        resize_grey(img, ti.dims[1], ti.dims[2], px, in.h, in.w, in.c);
        if ((st = mt_learner_add_image(&l, labels[i], px, px_bytes, NULL)) != MT_OK)
            return fail_st("extracting a training sample", st);
    }
    mt_learner_report_t rep;
    if ((st = mt_learner_fit(&l, &rep)) != MT_OK) return fail_st("mt_learner_fit", st);
    print_fit("fit 1", &rep);
    if ((st = mt_learner_save(&l, &heads_flash.flash, &cache_flash.flash)) != MT_OK)
        return fail_st("mt_learner_save", st);

    /* 3. A new learner (as after a reboot): cache and heads from flash, then the last class,
     * with no earlier image at hand, and a warm fit. */
    memset(mem, 0, sz.total);
    if ((st = mt_learner_init(&l, &m, &cfg, mem, sz.total)) != MT_OK ||
        (st = mt_learner_load(&l, &heads_flash.flash, &cache_flash.flash)) != MT_OK)
        return fail_st("mt_learner_load", st);
    if (fseek(ti.f, img_pos, SEEK_SET) != 0) return fail_st(argv[2], MT_E_ARG);
    memset(counts, 0, sizeof counts);
    for (uint32_t i = 0; i <= last; i++) {
        if (idx_next(&ti, img) != 0) return fail_st(argv[2], MT_E_ARG);
        if (labels[i] != last_class || counts[labels[i]] >= (uint32_t)shots) continue;
        counts[labels[i]]++;
        resize_grey(img, ti.dims[1], ti.dims[2], px, in.h, in.w, in.c);
        if ((st = mt_learner_add_image(&l, labels[i], px, px_bytes, NULL)) != MT_OK)
            return fail_st("extracting a training sample", st);
    }
    fclose(ti.f);
    fclose(tl.f);
    if ((st = mt_learner_fit(&l, &rep)) != MT_OK) return fail_st("mt_learner_fit", st);
    print_fit("fit 2", &rep);
    if ((st = mt_learner_save(&l, &heads_flash.flash, &cache_flash.flash)) != MT_OK)
        return fail_st("mt_learner_save", st);
    const mt_task_t *task = mt_learner_task(&l);
    uint64_t part_macs, rest_macs;
    mt_stage_macs(&m, &part_macs, &rest_macs);

    printf("model %s: input %ux%ux%u, features part %u full %u, MACs part %lu full %lu\n", m.name,
           in.h, in.w, in.c, (unsigned)dp, (unsigned)df, (unsigned long)part_macs,
           (unsigned long)(part_macs + rest_macs));
    printf("samples %u (%ld per class, %u classes, the last added after a reload) from the first "
           "%u train images\n", (unsigned)n_used, shots, (unsigned)k, (unsigned)last + 1u);
    printf("sram learner %u bytes: heads %u + names %u + cache %u + work %u (max of arena %u, "
           "training %u, calibration %u)\n", (unsigned)sz.total, (unsigned)sz.heads,
           (unsigned)sz.names, (unsigned)sz.cache, (unsigned)sz.work, (unsigned)sz.arena,
           (unsigned)sz.train_scratch, (unsigned)sz.calib_scratch);
    print_hash("head A fnv64", hash_head(&task->head[0]));
    print_hash("head B fnv64", hash_head(&task->head[1]));
    print_hash("flash fnv64", mt_fnv1a64(mt_fnv1a64(MT_FNV1A64_INIT, head_mem, 2u * head_slot),
                                         cache_mem, 2u * cache_slot));
    uint32_t tau_bits;
    memcpy(&tau_bits, &task->tau, sizeof tau_bits);
    printf("ratio %.4f tau %.9g (bits %08lx)\n", (double)ratio, (double)task->tau,
           (unsigned long)tau_bits);

    /* 4. Stage-decision inference on the first N_TEST test images. */
    idx_t ei, el;
    if (idx_open(&ei, argv[4], 3) != 0 || idx_open(&el, argv[5], 1) != 0) return 1;
    if (ei.n < (uint32_t)n_test || el.n < (uint32_t)n_test) {
        fprintf(stderr, "%s / %s: %ld test samples wanted, %u / %u present\n", argv[4], argv[5],
                n_test, (unsigned)ei.n, (unsigned)el.n);
        return 1;
    }
    if (ei.item_bytes > ti.item_bytes || ei.dims[1] < 2 || ei.dims[2] < 2) {
        fprintf(stderr, "%s: images larger than the training ones\n", argv[4]);
        return 1;
    }
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
    char *pred = ALLOC((size_t)n_test + 1u);
    if (!pred) return fail_st("predictions", MT_E_ARG);
    uint32_t right = 0, exits = 0;
    uint64_t macs = 0;
    for (uint32_t i = 0; i < (uint32_t)n_test; i++) {
        uint8_t y;
        if (idx_next(&ei, img) != 0 || fread(&y, 1, 1, el.f) != 1) return fail_st(argv[4], MT_E_ARG);
        resize_grey(img, ei.dims[1], ei.dims[2], px, in.h, in.w, in.c);
        mt_answer_t a;
        if ((st = mt_learner_infer(&l, px, px_bytes, &a)) != MT_OK)
            return fail_st("mt_learner_infer", st);
        right += a.label == y;
        exits += a.stage == MT_STAGE_PART;
        macs += a.macs;
        pred[i] = digits[a.label & 63u];
    }
    pred[n_test] = '\0';
    fclose(ei.f);
    fclose(el.f);
    printf("accuracy %.2f %% (%u/%ld)\n", 100.0 * right / (double)n_test, (unsigned)right, n_test);
    printf("exit share %.2f %% (%u/%ld)\n", 100.0 * exits / (double)n_test, (unsigned)exits, n_test);
    printf("mean MACs %.1f (full model + head B alone: %lu)\n", (double)macs / (double)n_test,
           (unsigned long)(part_macs + rest_macs + (uint64_t)k * df));
    printf("predictions %s\n", pred);
    print_hash("predictions fnv64", mt_fnv1a64(MT_FNV1A64_INIT, pred, (size_t)n_test));
    return 0;
}

int main(int argc, char **argv) {
    int rc = run(argc, argv);
    while (g_n_allocs > 0) free(g_allocs[--g_n_allocs]);
    return rc;
}
