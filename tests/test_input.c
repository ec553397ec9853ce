/* Device input helpers (include/microt/input.h): every golden case of factory/input_reference.py
 * (formats, orders, shrink/enlarge, crops, a padded stride) byte for byte, the refusals, and
 * mt_input_set_frame against mt_input_resize + mt_exec_set_input_u8 on the test model.
 * usage: test_input input-golden.bin test-model.mtm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/input.h"
#include "test_util.h"

static uint32_t rd(const uint8_t *p, int n) {
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void test_golden(const char *path) {
    size_t len = 0;
    uint8_t *g = mt_read_file(path, &len);
    if (!CHECK(g != NULL && len >= 8 && memcmp(g, "MTIG", 4) == 0)) return;
    uint32_t n = rd(g + 4, 4);
    size_t pos = 8;
    uint32_t done = 0;
    for (uint32_t k = 0; k < n && pos + 20 <= len; k++) {
        const uint8_t *h = g + pos;
        mt_frame_t f = {h + 20, (uint16_t)rd(h + 2, 2), (uint16_t)rd(h + 4, 2), rd(h + 12, 4), h[0]};
        uint16_t oh = (uint16_t)rd(h + 6, 2), ow = (uint16_t)rd(h + 8, 2);
        uint32_t fb = rd(h + 16, 4);
        const uint8_t *want = h + 20 + fb + 4;
        uint32_t ob = rd(h + 20 + fb, 4);
        pos += 20 + fb + 4 + ob;
        if (!CHECK(pos <= len)) break;
        uint8_t *out = malloc(ob + 1);
        out[ob] = 0xa5; /* guard */
        char what[80];
        snprintf(what, sizeof what, "case %lu: format %u %ux%u -> %ux%u order %u", (unsigned long)k, h[0], f.width,
                 f.height, oh, ow, h[1]);
        CHECK_EQ(mt_input_resize(&f, oh, ow, (mt_channel_order_t)h[1], out, ob), MT_OK);
        CHECK_EQ(mt_check_s8((const int8_t *)out, (const int8_t *)want, ob, 0, what), 0);
        CHECK_EQ(out[ob], 0xa5);
        free(out);
        done++;
    }
    CHECK_EQ(done, n);
    CHECK_EQ(pos, len);
    free(g);
}

static void test_refusals(void) {
    static uint8_t px[64 * 4], out[8 * 8 * 3];
    mt_frame_t f = {px, 8, 8, 0, MT_PIXEL_RGB565};
    CHECK_EQ(mt_input_resize(NULL, 8, 8, MT_ORDER_RGB, out, sizeof out), MT_E_ARG);
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_RGB, NULL, sizeof out), MT_E_ARG);
    CHECK_EQ(mt_input_resize(&f, 8, 8, (mt_channel_order_t)3, out, sizeof out), MT_E_ARG);
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_RGB, out, sizeof out - 1), MT_E_SHAPE);
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_GRAY, out, sizeof out), MT_E_SHAPE);
    CHECK_EQ(mt_input_resize(&f, 0, 8, MT_ORDER_RGB, out, 0), MT_E_SHAPE);
    f.stride_bytes = 15; /* shorter than 8 RGB565 pixels */
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_RGB, out, sizeof out), MT_E_SHAPE);
    f.stride_bytes = 0;
    f.format = 9;
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_RGB, out, sizeof out), MT_E_ARG);
    f.format = MT_PIXEL_YUYV;
    f.width = 7; /* 4:2:2 pairs */
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_RGB, out, sizeof out), MT_E_SHAPE);
    f.width = 0;
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_RGB, out, sizeof out), MT_E_SHAPE);
    f.data = NULL;
    CHECK_EQ(mt_input_resize(&f, 8, 8, MT_ORDER_RGB, out, sizeof out), MT_E_ARG);
    uint16_t x0, y0, cw, ch;
    CHECK_EQ(mt_input_crop(320, 240, 96, 96, &x0, &y0, &cw, &ch), MT_OK);
    CHECK(x0 == 40 && y0 == 0 && cw == 240 && ch == 240);
    CHECK_EQ(mt_input_crop(240, 320, 96, 128, &x0, &y0, &cw, &ch), MT_OK);
    CHECK(x0 == 0 && y0 == 70 && cw == 240 && ch == 180);
    CHECK_EQ(mt_input_crop(320, 240, 0, 96, &x0, &y0, &cw, &ch), MT_E_SHAPE);
    CHECK_EQ(mt_input_crop(320, 240, 96, 96, NULL, &y0, &cw, &ch), MT_E_ARG);
}

/* Straight into the arena: the same int8 input as resize + mt_exec_set_input_u8. */
static void test_set_frame(const char *model_path) {
    size_t len = 0;
    uint8_t *bytes = mt_read_file(model_path, &len);
    mt_model_t m;
    if (!CHECK(bytes && mt_model_open(&m, bytes, len) == MT_OK)) return;
    mt_tensor_info_t in;
    mt_model_tensor(&m, m.input_tensor, &in);
    size_t arena_bytes = mt_model_arena_bytes(&m), n = (size_t)in.h * in.w * in.c;
    uint8_t *arena = malloc(arena_bytes + 4), *pixels = malloc(n);
    int8_t *want = malloc(n);
    static uint8_t frame[60 * 80 * 2];
    for (size_t i = 0; i < sizeof frame; i++) frame[i] = (uint8_t)(i * 131u + (i >> 7));
    mt_frame_t f = {frame, 80, 60, 0, MT_PIXEL_YUYV};
    mt_exec_t x;
    CHECK_EQ(mt_exec_init(&x, &m, arena, arena_bytes), MT_OK);
    CHECK_EQ(mt_input_resize(&f, in.h, in.w, (mt_channel_order_t)m.channel_order, pixels, n), MT_OK);
    CHECK_EQ(mt_exec_set_input_u8(&x, pixels, n), MT_OK);
    memcpy(want, arena + m.plan.tensor_offset[m.input_tensor], n);
    CHECK_EQ(mt_exec_run_part(&x), MT_OK);
    memset(arena, 0x55, arena_bytes);
    CHECK_EQ(mt_input_set_frame(&x, &f), MT_OK);
    CHECK_EQ(mt_check_s8((const int8_t *)(arena + m.plan.tensor_offset[m.input_tensor]), want, n, 0,
                         "mt_input_set_frame"), 0);
    CHECK_EQ(mt_exec_run_part(&x), MT_OK); /* the stage progress was reset */
    f.width = 79;
    CHECK_EQ(mt_input_set_frame(&x, &f), MT_E_SHAPE);
    CHECK_EQ(mt_input_set_frame(NULL, &f), MT_E_ARG);
    free(arena);
    free(pixels);
    free(want);
    free(bytes);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_input input-golden.bin test-model.mtm\n");
        return 2;
    }
    test_golden(argv[1]);
    test_refusals();
    test_set_frame(argv[2]);
    return mt_test_summary("test_input");
}
