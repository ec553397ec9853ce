/* Six MCUNet-typical layer shapes (issue 6), each run through the reference kernel and the
 * optimized one in the same process, each call an instruction-count region: shape k is region
 * 2k (reference) and 2k+1 (optimized); region 255 is empty, the marker overhead.
 * Prints "shape K NAME MACS SAME" lines (SAME = 1 when both outputs match bit for bit);
 * bench/shapes.sh joins them with the plugin's counts. On the host it only checks and prints.
 * usage: bench_shapes */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/kernels.h"
#include "mt_count.h"

#define EMPTY_REGION 255u

typedef enum { K_POINTWISE, K_DEPTHWISE, K_CONV, K_FC } kind_t;

typedef struct {
    const char *name;
    kind_t kind;
    int in_h, in_w, in_c, out_c, k, stride, pad;
} shape_t;

static const shape_t k_shapes[] = {
    {"a_pointwise_16to48_56x56", K_POINTWISE, 56, 56, 16, 48, 1, 1, 0},
    {"b_pointwise_96to24_28x28", K_POINTWISE, 28, 28, 96, 24, 1, 1, 0},
    {"c_depthwise_3x3s1_48ch_56x56", K_DEPTHWISE, 56, 56, 48, 48, 3, 1, 1},
    {"d_depthwise_5x5s1_120ch_28x28", K_DEPTHWISE, 28, 28, 120, 120, 5, 1, 2},
    {"e_conv_3x3s2_3to16_64x64", K_CONV, 64, 64, 3, 16, 3, 2, 1},
    {"f_fc_160to10", K_FC, 1, 1, 160, 10, 1, 1, 0},
};

static uint32_t g_rng = 12345u;
static uint32_t rnd(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}
static int32_t rnd_range(int32_t lo, int32_t hi) { return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1)); }

int main(void) {
    int n_shapes = (int)(sizeof k_shapes / sizeof k_shapes[0]);
    int all_same = 1;
    mt_count_begin(EMPTY_REGION);
    mt_count_end(EMPTY_REGION);
    for (int s = 0; s < n_shapes; s++) {
        const shape_t *sh = &k_shapes[s];
        mt_conv_params_t p;
        memset(&p, 0, sizeof p);
        p.in_h = (uint16_t)sh->in_h;
        p.in_w = (uint16_t)sh->in_w;
        p.in_c = (uint16_t)sh->in_c;
        p.out_c = (uint16_t)sh->out_c;
        p.kh = p.kw = (uint8_t)sh->k;
        p.stride_h = p.stride_w = (uint8_t)sh->stride;
        p.pad_top = p.pad_left = (uint8_t)sh->pad;
        /* Keras "same": out = ceil(in / stride) */
        p.out_h = (uint16_t)((sh->in_h + sh->stride - 1) / sh->stride);
        p.out_w = (uint16_t)((sh->in_w + sh->stride - 1) / sh->stride);
        p.in_zp = rnd_range(-128, 127);
        p.out_zp = rnd_range(-20, 20);
        p.act_min = (int8_t)p.out_zp; /* ReLU: the usual case */
        p.act_max = 127;
        size_t in_len = (size_t)sh->in_h * sh->in_w * sh->in_c;
        size_t out_len = (size_t)p.out_h * p.out_w * sh->out_c;
        size_t w_len = sh->kind == K_DEPTHWISE ? (size_t)sh->k * sh->k * sh->in_c
                                               : (size_t)sh->out_c * sh->k * sh->k * sh->in_c;
        int8_t *in = malloc(in_len), *w = malloc(w_len);
        int8_t *out_ref = malloc(out_len), *out_dsp = malloc(out_len);
        int32_t *bias = malloc(sizeof(int32_t) * (size_t)sh->out_c);
        int32_t *mult = malloc(sizeof(int32_t) * (size_t)sh->out_c);
        int32_t *shift = malloc(sizeof(int32_t) * (size_t)sh->out_c);
        if (!in || !w || !out_ref || !out_dsp || !bias || !mult || !shift) return 1;
        for (size_t i = 0; i < in_len; i++) in[i] = (int8_t)rnd_range(-128, 127);
        for (size_t i = 0; i < w_len; i++) w[i] = (int8_t)rnd_range(-127, 127);
        int taps = sh->kind == K_DEPTHWISE ? sh->k * sh->k : sh->k * sh->k * sh->in_c;
        for (int c = 0; c < sh->out_c; c++) {
            bias[c] = rnd_range(-2000, 2000);
            mult[c] = rnd_range(1 << 30, 0x7fffffff);
            /* about 1/sqrt(taps)/128 of the accumulator range reaches the output */
            shift[c] = -(taps > 64 ? 10 : 8) - rnd_range(0, 1);
        }
        mt_requant_t rq = {mult, shift};
        size_t scratch_bytes = 0;
        uint64_t macs = 0;
        switch (sh->kind) {
        case K_POINTWISE:
            scratch_bytes = mt_pointwise_s8_scratch_bytes_dsp(&p);
            macs = (uint64_t)out_len * sh->in_c;
            break;
        case K_DEPTHWISE:
            scratch_bytes = mt_depthwise_s8_scratch_bytes_dsp(&p);
            macs = (uint64_t)out_len * sh->k * sh->k;
            break;
        case K_CONV:
            scratch_bytes = mt_conv_s8_scratch_bytes_dsp(&p);
            macs = (uint64_t)out_len * sh->k * sh->k * sh->in_c;
            break;
        case K_FC:
            macs = (uint64_t)sh->out_c * sh->in_c;
            break;
        }
        void *scratch = malloc(scratch_bytes + 4);
        if (!scratch) return 1;
        memset(out_ref, 0, out_len);
        memset(out_dsp, 0x55, out_len);
        for (int variant = 0; variant < 2; variant++) {
            int8_t *out = variant ? out_dsp : out_ref;
            unsigned id = (unsigned)(2 * s + variant);
            mt_count_begin(id);
            switch (sh->kind) {
            case K_POINTWISE:
                (variant ? mt_pointwise_s8_dsp : mt_pointwise_s8_ref)(&p, in, w, bias, rq, out, scratch);
                break;
            case K_DEPTHWISE:
                (variant ? mt_depthwise_s8_dsp : mt_depthwise_s8_ref)(&p, in, w, bias, rq, out, scratch);
                break;
            case K_CONV:
                (variant ? mt_conv_s8_dsp : mt_conv_s8_ref)(&p, in, w, bias, rq, out, scratch);
                break;
            case K_FC:
                (variant ? mt_fully_connected_s8_dsp : mt_fully_connected_s8_ref)(
                    sh->in_c, sh->out_c, in, w, bias, p.in_zp, p.out_zp, p.act_min, p.act_max, rq,
                    out);
                break;
            }
            mt_count_end(id);
        }
        int same = memcmp(out_ref, out_dsp, out_len) == 0;
        all_same &= same;
        printf("shape %d %s %llu %d %lu\n", s, sh->name, (unsigned long long)macs, same,
               (unsigned long)scratch_bytes);
        free(in);
        free(w);
        free(out_ref);
        free(out_dsp);
        free(bias);
        free(mult);
        free(shift);
        free(scratch);
    }
    return all_same ? 0 : 1;
}
