/* Placeholder: the optimized fully connected kernel is the reference for now. */
#include "dsp_util.h"

void mt_fully_connected_s8_dsp(int32_t in_len, int32_t out_len, const int8_t *in,
                               const int8_t *w, const int32_t *bias, int32_t in_zp,
                               int32_t out_zp, int8_t act_min, int8_t act_max, mt_requant_t rq,
                               int8_t *out) {
    mt_fully_connected_s8_ref(in_len, out_len, in, w, bias, in_zp, out_zp, act_min, act_max, rq,
                              out);
}
