/* Shared harness of the kernel-set tests (test_kernels_dsp.c, test_kernels_host.c): random
 * data and quantization, guard bytes around the output and the scratch, and the random-shape
 * comparisons of an optimized kernel set against the *_ref kernels, bit for bit. */
#ifndef MT_TESTS_KERNEL_COMPARE_H
#define MT_TESTS_KERNEL_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "microt/kernels.h"
#include "test_util.h"

#define KC_MAX_IN 32768
#define KC_MAX_W 81920
#define KC_MAX_OUT 32768
#define KC_MAX_CH 512
#define KC_MAX_SCRATCH 65536
#define KC_GUARD 16
#define KC_GUARD_BYTE 0x5a

typedef void (*kc_conv_fn)(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                           const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch);
typedef size_t (*kc_scratch_fn)(const mt_conv_params_t *p);

/* The kernel set under test, and the limits its test keeps to (max_ch <= KC_MAX_CH,
 * max_scratch <= KC_MAX_SCRATCH). */
typedef struct {
    kc_conv_fn pointwise, depthwise, conv;
    kc_scratch_fn pointwise_scratch, depthwise_scratch, conv_scratch;
    int32_t max_ch;
    size_t max_scratch;
} kc_set_t;

extern int8_t kc_in[KC_MAX_IN], kc_w[KC_MAX_W];
extern int8_t kc_ref[KC_MAX_OUT + KC_GUARD], kc_out[KC_MAX_OUT + KC_GUARD];
extern uint32_t kc_scratch[(KC_MAX_SCRATCH + KC_GUARD) / 4];
extern int32_t kc_bias[KC_MAX_CH], kc_mult[KC_MAX_CH], kc_shift[KC_MAX_CH];

/* A multiplier as the factory makes them (mult in [2^30, 2^31)), mostly M < 0.5 (the fast
 * path), sometimes M >= 0.5, tiny M (right shift > 24) or M = 0 (the general path). */
void kc_rand_requant(mt_rng_t *rng, int32_t n);
void kc_rand_bias(mt_rng_t *rng, int32_t n, int32_t spread);
void kc_fill_s8(mt_rng_t *rng, int8_t *p, int32_t n, int lo, int hi);
void kc_rand_act(mt_rng_t *rng, mt_conv_params_t *p);
/* Poisons kc_ref/kc_out and puts guard bytes after n outputs and scratch_bytes of scratch. */
void kc_prepare_outputs(size_t n, size_t scratch_bytes);
/* kc_out == kc_ref over n bytes and every guard byte intact; CHECK failures otherwise. */
int kc_compare(size_t n, size_t scratch_bytes, const char *what);

/* The layer of a fixed-shape table row {kind, in_h, in_w, in_c, out_c, k, stride, pad}:
 * square kernel and stride, Keras "same" (pad > 0) or "valid" output size. */
void kc_params_from_row(const int16_t *row, mt_conv_params_t *p);

/* Pointwise on random shapes (1..9 x 1..9, 1..96 input and 1..max_ch output channels). */
void kc_test_pointwise(const kc_set_t *set, uint32_t seed, int cases);
/* Depthwise (depthwise = 1) or generic convolution with random geometry: kernel 1/3/5/7,
 * stride 1/2, top/left padding 0..k-1 and an independent bottom/right padding. */
void kc_test_windowed(const kc_set_t *set, int depthwise, uint32_t seed, int cases);

#endif
