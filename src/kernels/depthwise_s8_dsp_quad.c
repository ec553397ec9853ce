/* The QUAD path of the DSP depthwise kernel (depthwise_s8_dsp.h): 2x2 maps under a 3x3
 * window with pad 1, MCUNet's last blocks (their 5x5 and 7x7 windows trim to it). Per group
 * of 4 channels the 4 pixels are widened to two words per lane and the weights prepared as
 * for the stride-1 plane rows; depthwise_s8_dsp_quad.S then needs 8 SMLAD per lane. A group's
 * inputs are all read before its outputs are written, so the layer can run in place. */
#include "depthwise_s8_dsp.h"

#define GROUP_BYTES (MT_DW_GRP_W + 16 * 3 * 2) /* 3 rows of E_0, O_0 */
#define PLANE_BYTES 32

int mt_dw_quad_applies(const mt_dw_layer_t *l) {
    const mt_conv_params_t *p = &l->p;
    return p->in_h == 2 && p->in_w == 2 && p->out_h == 2 && p->out_w == 2 && p->kh == 3 &&
           p->kw == 3 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 1 && p->pad_left == 1;
}

size_t mt_dw_quad_scratch_bytes(void) { return 12u + GROUP_BYTES + PLANE_BYTES; }

#if !MT_DSP_ASM
/* C twin of depthwise_s8_dsp_quad.S: the same integers. */
void mt_dw_quad_group(const mt_dw_quad_job_t *job) {
    for (int32_t lane = 0; lane < 4; lane++) {
        const int32_t *g = job->group;
        uint32_t x0 = job->plane[lane], x1 = job->plane[4 + lane];
#define WD(i) ((uint32_t)g[MT_DW_GRP_W / 4 + 4 * (i) + lane]) /* word i: E0, O0, E1, O1, E2, O2 */
        int32_t b = g[MT_DW_GRP_BIAS2 / 4 + lane], acc[4];
        acc[0] = mt_smlad(x1, WD(5), mt_smlad(x0, WD(3), b)); /* out00 */
        acc[1] = mt_smlad(x1, WD(4), mt_smlad(x0, WD(2), b)); /* out01 */
        acc[2] = mt_smlad(x1, WD(3), mt_smlad(x0, WD(1), b)); /* out10 */
        acc[3] = mt_smlad(x1, WD(2), mt_smlad(x0, WD(0), b)); /* out11 */
#undef WD
        int32_t mult = g[MT_DW_GRP_MULT / 4 + lane], k1 = g[MT_DW_GRP_K1 / 4 + lane];
        int32_t r = g[MT_DW_GRP_RSH / 4 + lane];
        for (int32_t px = 0; px < 4; px++) {
            int64_t y = ((int64_t)acc[px] * mult + ((int64_t)1 << 31)) >> 32;
            int32_t v = ((int32_t)(y + k1) - (acc[px] < 0 ? 1 : 0)) >> r;
            job->out[px * job->out_c + lane] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }
    }
}
#endif

void mt_dw_quad_run(const mt_dw_layer_t *l, const int8_t *in, const int8_t *w,
                    const int32_t *bias, mt_requant_t rq, int8_t *out, void *scratch) {
    const mt_conv_params_t *p = &l->p;
    int32_t c_n = p->in_c;
    int32_t *g = (int32_t *)(void *)(((uintptr_t)scratch + 12u) & ~(uintptr_t)15);
    uint32_t *plane = (uint32_t *)(void *)((uint8_t *)g + GROUP_BYTES);
    for (int32_t c0 = 0; c0 < c_n; c0 += 4) {
        int32_t n_lanes = c_n - c0 < 4 ? c_n - c0 : 4;
        if (n_lanes < 4 || mt_dw_prep_group(l, w, bias, rq, c0, n_lanes, g)) {
            mt_dw_direct_group_c(l, in, w, bias, rq, out, c0, n_lanes);
            continue;
        }
        /* rows [x00 x01], [x10 x11] of the 4 lanes */
        mt_dw_widen_job_t wj = {in + c0, c_n, plane, 2, 0, mt_pack16(-p->in_zp, -p->in_zp), 2,
                                2 * c_n, 16};
        mt_dw_widen(&wj);
        mt_dw_quad_job_t job = {plane, g, out + c0, c_n};
        mt_dw_quad_group(&job);
    }
    if (p->act_min > -128 || p->act_max < 127) {
        for (int32_t i = 0; i < 4 * c_n; i++) out[i] = mt_dsp_clamp(out[i], p->act_min, p->act_max);
    }
}
