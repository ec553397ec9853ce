/* The NUCLEO examples' application (see mt_app.h): a request parser and five commands, each
 * one call of the learner (include/microt/learner.h) on a frame converted to the model input.
 * No heap, no printf (replies are formatted here), no hardware access. */
#include "mt_app.h"

#include <string.h>

#include "microt/input.h"

enum { SEEK_M, SEEK_T, HEADER, PAYLOAD, CRC };

/* ---- reply formatting ---- */
typedef struct {
    char buf[160];
    size_t n;
} line_t;

static void put(line_t *l, const char *s) {
    while (*s && l->n + 1 < sizeof l->buf) l->buf[l->n++] = *s++;
}

static void put_u(line_t *l, uint32_t v) {
    char d[11];
    int i = 0;
    do {
        d[i++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (i > 0 && l->n + 1 < sizeof l->buf) l->buf[l->n++] = d[--i];
}

static void put_hex64(line_t *l, uint64_t v) {
    for (int s = 60; s >= 0 && l->n + 1 < sizeof l->buf; s -= 4) {
        l->buf[l->n++] = "0123456789abcdef"[(v >> s) & 15u];
    }
}

/* v with 3 decimals (|v| < 4e6; confidences, tau). */
static void put_f3(line_t *l, float v) {
    if (v < 0.0f) {
        put(l, "-");
        v = -v;
    }
    uint32_t m = (uint32_t)(v * 1000.0f + 0.5f);
    put_u(l, m / 1000u);
    put(l, ".");
    char frac[4] = {(char)('0' + m / 100u % 10u), (char)('0' + m / 10u % 10u), (char)('0' + m % 10u), 0};
    put(l, frac);
}

static void reply(mt_app_t *a, line_t *l) {
    put(l, "\n");
    a->io.write(a->io.write_ctx, l->buf, l->n);
}

static void reply_err(mt_app_t *a, const char *what, mt_status_t st) {
    line_t l = {{0}, 0};
    put(&l, "ERR ");
    put(&l, what);
    if (st != MT_OK) {
        put(&l, ": ");
        put(&l, mt_strerror(st));
    }
    reply(a, &l);
}

/* ---- commands ---- */
static uint32_t bytes_per_pixel(uint8_t format) {
    static const uint8_t bpp[] = {2, 2, 1, 2, 3}; /* mt_pixel_format_t order */
    return format < sizeof bpp ? bpp[format] : 0u;
}

/* FRAME at p[0..n): the frame, or MT_E_SHAPE / MT_E_ARG. */
static mt_status_t parse_frame(const uint8_t *p, size_t n, mt_frame_t *f) {
    if (n < 5) return MT_E_SHAPE;
    f->format = p[0];
    f->width = (uint16_t)(p[1] | (p[2] << 8));
    f->height = (uint16_t)(p[3] | (p[4] << 8));
    f->stride_bytes = 0;
    f->data = p + 5;
    uint32_t bpp = bytes_per_pixel(f->format);
    if (bpp == 0) return MT_E_ARG;
    return (uint64_t)f->width * f->height * bpp == n - 5 ? MT_OK : MT_E_SHAPE;
}

/* FRAME at p[0..n) cropped, resized and converted into the model input's raw pixels (what
 * mt_learner_add_image and mt_learner_infer take). */
static mt_status_t frame_pixels(mt_app_t *a, const uint8_t *p, size_t n, size_t *len) {
    mt_frame_t f;
    mt_status_t st = parse_frame(p, n, &f);
    if (st != MT_OK) return st;
    mt_tensor_info_t in;
    mt_model_tensor(&a->model, a->model.input_tensor, &in);
    *len = (size_t)in.h * in.w * in.c;
    if (*len > a->mem.pixels_bytes) return MT_E_SCRATCH_TOO_SMALL;
    return mt_input_resize(&f, (uint16_t)in.h, (uint16_t)in.w, (mt_channel_order_t)a->model.channel_order,
                           a->mem.pixels, *len);
}

static void cmd_ping(mt_app_t *a) {
    mt_tensor_info_t in;
    mt_model_tensor(&a->model, a->model.input_tensor, &in);
    line_t l = {{0}, 0};
    put(&l, "OK microt ");
    put(&l, a->model.name);
    put(&l, " fingerprint ");
    put_hex64(&l, a->model.fingerprint);
    put(&l, " input ");
    put_u(&l, in.h);
    put(&l, "x");
    put_u(&l, in.w);
    put(&l, "x");
    put_u(&l, in.c);
    put(&l, " tasks ");
    put_u(&l, mt_learner_task(&a->learner) != NULL);
    put(&l, " samples ");
    put_u(&l, a->learner.cache.n_samples);
    reply(a, &l);
}

static void cmd_infer(mt_app_t *a, const uint8_t *p, size_t n) {
    uint32_t t0 = a->io.cycles ? a->io.cycles() : 0u; /* the frame's preprocessing included */
    size_t len = 0;
    mt_status_t st = frame_pixels(a, p, n, &len);
    if (st != MT_OK) {
        reply_err(a, "frame", st);
        return;
    }
    if (!mt_learner_task(&a->learner)) {
        reply_err(a, "no task yet: send shots (A), then train (T)", MT_OK);
        return;
    }
    mt_answer_t ans;
    if ((st = mt_learner_infer(&a->learner, a->mem.pixels, len, &ans)) != MT_OK) {
        reply_err(a, "infer", st);
        return;
    }
    uint32_t t1 = a->io.cycles ? a->io.cycles() : 0u;
    line_t l = {{0}, 0};
    put(&l, "OK label ");
    put_u(&l, ans.label);
    put(&l, " conf ");
    put_f3(&l, ans.confidence);
    put(&l, ans.stage == MT_STAGE_PART ? " stage part cycles " : " stage full cycles ");
    put_u(&l, t1 - t0); /* unsigned difference: right across one counter wrap */
    reply(a, &l);
}

static void cmd_add(mt_app_t *a, const uint8_t *p, size_t n) {
    size_t len = 0;
    mt_status_t st = n < 1 ? MT_E_SHAPE : frame_pixels(a, p + 1, n - 1, &len);
    if (st != MT_OK) {
        reply_err(a, "frame", st);
        return;
    }
    if (p[0] >= a->cfg.max_classes) {
        reply_err(a, "label above the class budget", MT_E_ARG);
        return;
    }
    int kept = 0;
    if ((st = mt_learner_add_image(&a->learner, p[0], a->mem.pixels, len, &kept)) != MT_OK) {
        reply_err(a, "add", st);
        return;
    }
    line_t l = {{0}, 0};
    put(&l, "OK samples ");
    put_u(&l, a->learner.cache.n_samples);
    if (!kept) put(&l, " not kept"); /* its class is full: the reservoir kept the others */
    reply(a, &l);
}

static void cmd_train(mt_app_t *a, const uint8_t *p, size_t n) {
    if (n != 1 || p[0] > 100) {
        reply_err(a, "train wants one byte: the ratio in percent", MT_E_ARG);
        return;
    }
    if (a->learner.cache.n_classes < 2) {
        reply_err(a, "train needs shots of two classes", MT_OK);
        return;
    }
    a->learner.cfg.ratio = (float)p[0] / 100.0f; /* the share mt_learner_fit calibrates for */
    mt_learner_report_t rep;
    mt_status_t st = mt_learner_fit(&a->learner, &rep);
    if (st != MT_OK) {
        /* a fit that failed while training leaves the learner untrained: the saved task again */
        if (a->io.flash) (void)mt_learner_load(&a->learner, a->io.flash, NULL);
        reply_err(a, "train", st);
        return;
    }
    line_t l = {{0}, 0};
    put(&l, "OK classes ");
    put_u(&l, rep.classes);
    put(&l, " tau ");
    put_f3(&l, rep.tau);
    if (a->io.flash) {
        st = mt_learner_save(&a->learner, a->io.flash, NULL); /* heads only: one flash region */
        put(&l, st == MT_OK ? " saved" : " not saved: ");
        if (st != MT_OK) put(&l, mt_strerror(st));
    }
    reply(a, &l);
}

/* A fresh learner (empty cache) with the saved task, if any. */
static mt_status_t learner_start(mt_app_t *a) {
    mt_status_t st = mt_learner_init(&a->learner, &a->model, &a->cfg, a->mem.learner, a->mem.learner_bytes);
    if (st == MT_OK && a->io.flash) {
        (void)mt_learner_load(&a->learner, a->io.flash, NULL); /* none or unreadable: untrained */
    }
    return st;
}

static void run_request(mt_app_t *a, uint8_t cmd, const uint8_t *p, size_t n) {
    line_t ok = {{0}, 0};
    switch (cmd) {
    case 'P': cmd_ping(a); break;
    case 'I': cmd_infer(a, p, n); break;
    case 'A': cmd_add(a, p, n); break;
    case 'T': cmd_train(a, p, n); break;
    case 'C': {
        mt_status_t st = learner_start(a);
        if (st != MT_OK) {
            reply_err(a, "clear", st);
            break;
        }
        put(&ok, "OK");
        reply(a, &ok);
        break;
    }
    default: reply_err(a, "unknown command", MT_OK);
    }
}

/* ---- parser ---- */
void mt_app_feed(mt_app_t *a, const uint8_t *bytes, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint8_t b = bytes[i];
        switch (a->state) {
        case SEEK_M: a->state = b == 'M' ? SEEK_T : SEEK_M; break;
        case SEEK_T: a->state = b == 'T' ? HEADER : b == 'M' ? SEEK_T : SEEK_M; a->got = 0; break;
        case HEADER:
            a->hdr[a->got++] = b;
            if (a->got == 3) {
                a->need = (uint32_t)a->hdr[1] | ((uint32_t)a->hdr[2] << 8);
                a->got = 0;
                if (a->need > a->mem.rx_bytes) {
                    reply_err(a, "request larger than the receive buffer", MT_OK);
                    a->state = SEEK_M;
                } else {
                    a->state = a->need ? PAYLOAD : CRC;
                }
            }
            break;
        case PAYLOAD:
            a->mem.rx[a->got++] = b;
            if (a->got == a->need) a->state = CRC, a->got = 0;
            break;
        default: { /* CRC */
            a->hdr[1 + a->got++] = b; /* hdr[1..4]: the CRC, the length is in need */
            if (a->got < 4) break;
            uint8_t head[3] = {a->hdr[0], (uint8_t)a->need, (uint8_t)(a->need >> 8)};
            uint32_t want = (uint32_t)a->hdr[1] | ((uint32_t)a->hdr[2] << 8) |
                            ((uint32_t)a->hdr[3] << 16) | ((uint32_t)a->hdr[4] << 24);
            uint32_t crc = mt_crc32(mt_crc32(0, head, 3), a->mem.rx, a->need);
            a->state = SEEK_M;
            if (crc != want) {
                reply_err(a, "request CRC mismatch", MT_OK);
            } else {
                run_request(a, head[0], a->mem.rx, a->need);
            }
        }
        }
    }
}

mt_status_t mt_app_init(mt_app_t *a, const void *model, size_t model_len, const mt_app_mem_t *mem,
                        const mt_app_io_t *io) {
    if (!a || !mem || !io || !io->write) return MT_E_ARG;
    memset(a, 0, sizeof *a);
    a->mem = *mem;
    a->io = *io;
    mt_learner_config_default(&a->cfg);
    a->cfg.max_classes = mem->max_classes;
    a->cfg.per_class = mem->per_class;
    mt_status_t st = mt_model_open(&a->model, model, model_len);
    return st == MT_OK ? learner_start(a) : st;
}
