/* The kernel-set tables (include/microt/kernels.h): which function runs each op type in each
 * set, and which set this build runs by default. The only place that names a *_ref, *_dsp
 * or *_host kernel outside its own file and the tests. Const data, no state. */
#include "microt/kernels.h"

static int never_in_place(const mt_conv_params_t *p) {
    (void)p;
    return 0;
}

static const mt_kernels_t k_ref = {
    "ref",
    mt_conv_s8_ref, mt_conv_s8_scratch_bytes_ref,
    mt_pointwise_s8_ref, mt_pointwise_s8_scratch_bytes_ref,
    mt_depthwise_s8_ref, mt_depthwise_s8_scratch_bytes_ref, never_in_place,
    mt_fully_connected_s8_ref,
    mt_add_s8_ref, mt_add_s8_scratch_bytes_ref,
};

static const mt_kernels_t k_dsp = {
    "dsp",
    mt_conv_s8_dsp, mt_conv_s8_scratch_bytes_dsp,
    mt_pointwise_s8_dsp, mt_pointwise_s8_scratch_bytes_dsp,
    mt_depthwise_s8_dsp, mt_depthwise_s8_scratch_bytes_dsp, mt_depthwise_s8_in_place_dsp,
    mt_fully_connected_s8_dsp,
    mt_add_s8_dsp, mt_add_s8_scratch_bytes_dsp,
};

/* Cortex-M firmware (an M-profile target) does not carry the x86-64 host set. */
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define MT_HAVE_HOST_SET 0
#else
#define MT_HAVE_HOST_SET 1
static const mt_kernels_t k_host = {
    "host",
    mt_conv_s8_host, mt_conv_s8_scratch_bytes_host,
    mt_pointwise_s8_host, mt_pointwise_s8_scratch_bytes_host,
    mt_depthwise_s8_host, mt_depthwise_s8_scratch_bytes_host, never_in_place,
    mt_fully_connected_s8_ref, /* the head's layer: no host variant */
    mt_add_s8_host, mt_add_s8_scratch_bytes_host,
};
#endif

const mt_kernels_t *mt_kernels(mt_kernel_set_t set) {
    switch (set) {
    case MT_KERNELS_REF: return &k_ref;
    case MT_KERNELS_DSP: return &k_dsp;
#if MT_HAVE_HOST_SET
    case MT_KERNELS_HOST: return &k_host;
#endif
    default: return 0;
    }
}

mt_kernel_set_t mt_kernels_built(void) {
#if defined(MT_USE_DSP) && MT_USE_DSP
    return MT_KERNELS_DSP;
#elif defined(MT_USE_HOST_SIMD) && MT_USE_HOST_SIMD && MT_HAVE_HOST_SET
    return MT_KERNELS_HOST;
#else
    return MT_KERNELS_REF;
#endif
}
