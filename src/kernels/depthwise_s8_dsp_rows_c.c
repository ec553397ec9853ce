/* The plane-rows kernel of depthwise_s8_dsp_rows.S in C: the same job, the same planes and
 * lane blocks (dsp_asm.h), the same integers. It runs every lane where the assembly does not
 * exist (host builds, so the sanitizers check the path's C side), and on Cortex-M the lanes
 * whose requantization the assembly's formula does not cover (MT_DW_LANE_RSH < 0: the
 * reference mt_requant on a 64-bit accumulator). Never allocates. */
#include "depthwise_s8_dsp.h"

/* Doubled weight of tap (ky, kx) of lane `lane` in a group block (dsp_asm.h). */
static int32_t weight2(const int32_t *g, int32_t lane, int32_t k, int32_t stride, int32_t ky, int32_t kx) {
    int32_t m = k / 2, words = stride == 1 ? k - 1 : m + 1, i = kx / 2, hi = kx & 1;
    if (stride == 1 && kx == k - 1) i = 2 * m - 1, hi = 1; /* O_{m-1} = [w_2m-1, w_2m] */
    uint32_t v = (uint32_t)g[MT_DW_GRP_W / 4 + (ky * words + i) * 4 + lane];
    return hi ? mt_hi16(v) : mt_lo16(v);
}

/* Plane value of lane `lane` at byte row `row` and column col. */
static int32_t plane_at(const uint8_t *row, int32_t lane, int32_t col) {
    const uint32_t *w = (const uint32_t *)(const void *)(row + (col / 2) * 16 + lane * 4);
    return col & 1 ? mt_hi16(*w) : mt_lo16(*w);
}

/* The assembly's requantization: (k1 + SMMLAR(acc2, mult) - [acc2 < 0]) >> r, saturated. */
static int32_t rq_fast(int32_t acc2, int32_t mult, int32_t k1, int32_t r) {
    int64_t y = ((int64_t)acc2 * mult + ((int64_t)1 << 31)) >> 32;
    int32_t t = (int32_t)(y + k1) - (acc2 < 0 ? 1 : 0);
    t >>= r;
    return t < -128 ? -128 : t > 127 ? 127 : t;
}

void mt_dw_rows_c(const mt_dw_rows_job_t *job, int32_t k, int32_t stride, int slow_only) {
    int32_t n_out = job->n_full * 4 + job->tail;
    const int32_t *g = job->group;
    for (int32_t lane = 0; lane < job->n_lanes; lane++) {
        int32_t bias = g[MT_DW_GRP_BIAS2 / 4 + lane], mult = g[MT_DW_GRP_MULT / 4 + lane];
        int32_t k1 = g[MT_DW_GRP_K1 / 4 + lane], rsh = g[MT_DW_GRP_RSH / 4 + lane];
        int slow = rsh < 0;
        if (slow_only && !slow) continue;
        for (int32_t oy = 0; oy < job->n_rows; oy++) {
            const uint8_t *row0 = job->plane + oy * job->row_step;
            int8_t *o = job->out + oy * job->out_row + lane;
            for (int32_t ox = 0; ox < n_out; ox++) {
                int64_t dot2 = 0; /* sum of (x - zp) * 2w */
                for (int32_t ky = 0; ky < k; ky++) {
                    for (int32_t kx = 0; kx < k; kx++) {
                        dot2 += (int64_t)plane_at(row0 + ky * job->pitch, lane, ox * stride + kx) *
                                weight2(g, lane, k, stride, ky, kx);
                    }
                }
                int32_t v;
                if (slow) {
                    /* bias and k1 hold the raw bias and the shift */
                    int32_t acc = (int32_t)(bias + dot2 / 2); /* fits: the loader's bound */
                    v = mt_requant(acc, mult, k1);
                    v = (v < -256 ? -256 : v > 256 ? 256 : v) + job->out_zp;
                    v = v < -128 ? -128 : v > 127 ? 127 : v;
                } else {
                    v = rq_fast((int32_t)(bias + dot2), mult, k1, rsh);
                }
                o[ox * job->out_c] = (int8_t)v;
            }
        }
    }
}
