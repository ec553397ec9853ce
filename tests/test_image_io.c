/* Host image conversion: every source size resizes without aborting (Debian's libstb
 * asserts in its triangle filter for some shrink factors), channels convert and alpha
 * composites as documented, and a flat image stays flat after resizing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_io.h"
#include "test_util.h"

static void test_every_size(void) {
    static uint8_t src[300 * 300 * 4], out[128 * 128 * 3];
    memset(src, 77, sizeof src);
    size_t bad = 0;
    for (int w = 1; w <= 300; w += 1) {
        int h = 1 + (w * 7) % 300;
        static const uint16_t targets[] = {20, 28, 32, 64, 96, 128};
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            uint16_t n = targets[t];
            if (mt_image_convert(src, w, h, 3, n, n, MT_ORDER_RGB, out) != 0) bad++;
            for (size_t i = 0; i < (size_t)n * n * 3; i++) {
                if (out[i] != 77) {
                    bad++;
                    break;
                }
            }
        }
    }
    CHECK_EQ(bad, 0);
}

static void test_channels_and_alpha(void) {
    /* One RGBA pixel, half transparent red over the white background. */
    const uint8_t rgba[4] = {255, 0, 0, 128};
    uint8_t out[3];
    CHECK_EQ(mt_image_convert(rgba, 1, 1, 4, 1, 1, MT_ORDER_RGB, out), 0);
    CHECK_EQ(out[0], 255);
    CHECK_EQ(out[1], (127 * 255 + 127) / 255);
    CHECK_EQ(out[2], out[1]);
    CHECK_EQ(mt_image_convert(rgba, 1, 1, 4, 1, 1, MT_ORDER_BGR, out), 0);
    CHECK_EQ(out[2], 255);
    const uint8_t rgb[3] = {200, 100, 50};
    CHECK_EQ(mt_image_convert(rgb, 1, 1, 3, 1, 1, MT_ORDER_GRAY, out), 0);
    CHECK_EQ(out[0], (200 * 299 + 100 * 587 + 50 * 114 + 500) / 1000);
    const uint8_t grey = 9;
    CHECK_EQ(mt_image_convert(&grey, 1, 1, 1, 1, 1, MT_ORDER_RGB, out), 0);
    CHECK(out[0] == 9 && out[1] == 9 && out[2] == 9);
    CHECK(mt_image_convert(rgb, 0, 1, 3, 1, 1, MT_ORDER_RGB, out) != 0);
    CHECK(mt_image_convert(rgb, 1, 1, 5, 1, 1, MT_ORDER_RGB, out) != 0);
}

int main(void) {
    test_every_size();
    test_channels_and_alpha();
    return mt_test_summary("test_image_io");
}
