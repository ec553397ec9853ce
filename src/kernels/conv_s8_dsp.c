/* Placeholder: the optimized conv kernel is the reference for now. */
#include "dsp_util.h"

size_t mt_conv_s8_scratch_bytes_dsp(const mt_conv_params_t *p) {
    return mt_conv_s8_scratch_bytes_ref(p);
}

void mt_conv_s8_dsp(const mt_conv_params_t *p, const int8_t *in, const int8_t *w,
                    const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    mt_conv_s8_ref(p, in, w, bias, rq, out, scratch);
}
