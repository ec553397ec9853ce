/* Host throughput of a model's extractor with each kernel set, in one process: the reference
 * kernels (*_ref), the fast host kernels (*_host, SSE2) and, for comparison, the Cortex-M DSP
 * kernels' portable twins (*_dsp without the DSP instructions). All three are always compiled
 * into the library, so this benchmark has its own op loop (the executor's run_op, src/exec.c,
 * with the kernel chosen per call instead of at build time) over the same planned arena.
 * Every image's part and full features must match the reference bit for bit (exit 1 if not).
 * Images alternate between the sets, so a machine whose load drifts biases none of them.
 * Times are the process's CPU time (CLOCK_PROCESS_CPUTIME_ID), so other processes on a busy
 * machine shift them less than wall-clock time would.
 * Prints images/s per set, the host/ref ratio and the time per op type.
 * usage: bench_host MODEL [IMAGES] */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/model_internal.h"
#include "microt/exec.h"
#include "microt/kernels.h"
#include "bench_util.h"

enum { SET_REF, SET_HOST, SET_DSP, N_SETS };
static const char *const k_set_name[N_SETS] = {"ref", "host", "dsp-portable"};
enum { T_STEM, T_PW, T_DW, T_FC, T_ADD, T_POOL, N_TYPES };
static const char *const k_type_name[N_TYPES] = {"conv (stem)", "pointwise", "depthwise",
                                                 "fully conn.", "add", "avg pool"};

typedef void (*conv_fn)(const mt_conv_params_t *, const int8_t *, const int8_t *,
                        const int32_t *, mt_requant_t, int8_t *, void *);
typedef size_t (*scratch_fn)(const mt_conv_params_t *);
typedef void (*fc_fn)(int32_t, int32_t, const int8_t *, const int8_t *, const int32_t *, int32_t,
                      int32_t, int8_t, int8_t, mt_requant_t, int8_t *);
typedef void (*add_fn)(const mt_add_params_t *, int32_t, const int8_t *, const int8_t *,
                       int8_t *);
typedef size_t (*add_scratch_fn)(const mt_add_params_t *, int32_t);
typedef struct {
    conv_fn conv, pw, dw;
    scratch_fn conv_sb, pw_sb, dw_sb;
    fc_fn fc;
    add_fn add;
    add_scratch_fn add_sb;
} kernel_set_t;

static const kernel_set_t k_sets[N_SETS] = {
    {mt_conv_s8_ref, mt_pointwise_s8_ref, mt_depthwise_s8_ref, mt_conv_s8_scratch_bytes_ref,
     mt_pointwise_s8_scratch_bytes_ref, mt_depthwise_s8_scratch_bytes_ref,
     mt_fully_connected_s8_ref, mt_add_s8_ref, mt_add_s8_scratch_bytes_ref},
    {mt_conv_s8_host, mt_pointwise_s8_host, mt_depthwise_s8_host, mt_conv_s8_scratch_bytes_host,
     mt_pointwise_s8_scratch_bytes_host, mt_depthwise_s8_scratch_bytes_host,
     mt_fully_connected_s8_ref, mt_add_s8_host, mt_add_s8_scratch_bytes_host},
    {mt_conv_s8_dsp, mt_pointwise_s8_dsp, mt_depthwise_s8_dsp, mt_conv_s8_scratch_bytes_dsp,
     mt_pointwise_s8_scratch_bytes_dsp, mt_depthwise_s8_scratch_bytes_dsp,
     mt_fully_connected_s8_dsp, mt_add_s8_dsp, mt_add_s8_scratch_bytes_dsp},
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int is_pointwise(const mt_conv_params_t *p) {
    return p->kh == 1 && p->kw == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
           p->pad_left == 0 && p->in_h == p->out_h && p->in_w == p->out_w;
}

/* Op `index` with kernel set `ks`, scratch from `scratch`; returns its type (T_*). */
static int run_op(const mt_model_t *m, uint8_t *arena, uint16_t index, const kernel_set_t *ks,
                  void *scratch) {
    mt_op_rec_t op;
    mt_op_read(m, index, &op);
    const int8_t *in0 = (const int8_t *)(arena + m->plan.tensor_offset[op.input0]);
    int8_t *out = (int8_t *)(arena + m->plan.tensor_offset[op.output]);
    const int8_t *weights = (const int8_t *)(const void *)(m->bytes + op.weights_offset);
    const int32_t *bias = (const int32_t *)(const void *)(m->bytes + op.bias_offset);
    const int32_t *mult = (const int32_t *)(const void *)(m->bytes + op.requant_offset);
    mt_tensor_info_t tin, tout;
    mt_tensor_read(m, op.input0, &tin);
    mt_tensor_read(m, op.output, &tout);
    mt_requant_t rq = {mult, mult + tout.c};
    mt_conv_params_t p;
    switch (op.type) {
    case MT_OP_CONV2D:
        mt_op_conv_params(m, &op, &p);
        if (is_pointwise(&p)) {
            ks->pw(&p, in0, weights, bias, rq, out, scratch);
            return T_PW;
        }
        ks->conv(&p, in0, weights, bias, rq, out, scratch);
        return T_STEM;
    case MT_OP_DEPTHWISE_CONV2D:
        mt_op_conv_params(m, &op, &p);
        ks->dw(&p, in0, weights, bias, rq, out, scratch);
        return T_DW;
    case MT_OP_FULLY_CONNECTED:
        ks->fc((int32_t)tin.h * tin.w * tin.c, tout.c, in0, weights, bias, tin.zero_point,
               tout.zero_point, op.act_min, op.act_max, rq, out);
        return T_FC;
    case MT_OP_ADD: {
        mt_tensor_info_t tin1;
        mt_tensor_read(m, op.input1, &tin1);
        mt_add_params_t ap = {
            tin.zero_point, tin1.zero_point, tout.zero_point,
            op.params[MT_ADD_IN0_MULT], op.params[MT_ADD_IN0_SHIFT],
            op.params[MT_ADD_IN1_MULT], op.params[MT_ADD_IN1_SHIFT],
            op.params[MT_ADD_OUT_MULT], op.params[MT_ADD_OUT_SHIFT],
            op.params[MT_ADD_LEFT_SHIFT], op.act_min, op.act_max, scratch};
        ks->add(&ap, (int32_t)tin.h * tin.w * tin.c, in0,
                (const int8_t *)(arena + m->plan.tensor_offset[op.input1]), out);
        return T_ADD;
    }
    case MT_OP_GLOBAL_AVG_POOL:
        mt_avgpool_s8(tin.h, tin.w, tin.c, in0, tin.zero_point, tout.zero_point,
                      op.params[MT_POOL_MULT], op.params[MT_POOL_SHIFT], op.act_min, op.act_max,
                      out);
        return T_POOL;
    default:
        return T_POOL; /* unreachable: the loader refused unknown ops */
    }
}

/* The largest scratch any set needs for any op. */
static size_t max_scratch(const mt_model_t *m) {
    size_t best = 0;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_conv_params_t p;
        mt_op_read(m, i, &op);
        if (op.type == MT_OP_ADD) {
            mt_tensor_info_t t0, t1;
            mt_add_params_t ap;
            memset(&ap, 0, sizeof ap);
            mt_tensor_read(m, op.input0, &t0);
            mt_tensor_read(m, op.input1, &t1);
            ap.in0_zp = t0.zero_point;
            ap.in1_zp = t1.zero_point;
            ap.in0_mult = op.params[MT_ADD_IN0_MULT];
            ap.in0_shift = op.params[MT_ADD_IN0_SHIFT];
            ap.in1_mult = op.params[MT_ADD_IN1_MULT];
            ap.in1_shift = op.params[MT_ADD_IN1_SHIFT];
            for (int s = 0; s < N_SETS; s++) {
                size_t b = k_sets[s].add_sb(&ap, (int32_t)t0.h * t0.w * t0.c);
                if (b > best) best = b;
            }
            continue;
        }
        if (op.type != MT_OP_CONV2D && op.type != MT_OP_DEPTHWISE_CONV2D) continue;
        mt_op_conv_params(m, &op, &p);
        for (int s = 0; s < N_SETS; s++) {
            const kernel_set_t *ks = &k_sets[s];
            size_t b = op.type == MT_OP_DEPTHWISE_CONV2D ? ks->dw_sb(&p)
                       : is_pointwise(&p)                ? ks->pw_sb(&p)
                                                         : ks->conv_sb(&p);
            if (b > best) best = b;
        }
    }
    return best;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_host MODEL [IMAGES]\n");
        return 2;
    }
    int images = argc > 2 ? atoi(argv[2]) : 200;
    if (images < 1) images = 1;
    size_t len;
    uint8_t *bytes = bench_read_file(argv[1], &len);
    mt_model_t m;
    int st = bytes ? mt_model_open(&m, bytes, len) : MT_E_ARG;
    if (st != MT_OK) {
        fprintf(stderr, "bench_host: %s: %s\n", argv[1], mt_strerror(st));
        return 1;
    }
    size_t arena_bytes = mt_model_arena_bytes(&m), sb = max_scratch(&m);
    uint8_t *arena = malloc(arena_bytes);
    void *scratch = malloc(sb + 16);
    mt_tensor_info_t in, tpart, tfull;
    mt_model_tensor(&m, m.input_tensor, &in);
    mt_model_tensor(&m, m.part_feature_tensor, &tpart);
    mt_model_tensor(&m, m.full_feature_tensor, &tfull);
    size_t in_len = (size_t)in.h * in.w * in.c;
    uint8_t *pixels = malloc(in_len);
    size_t n_feat = (size_t)tpart.c + tfull.c;
    uint8_t *feat = malloc(N_SETS * n_feat); /* [set][part | full] of the current image */
    mt_exec_t x;
    if (!arena || !scratch || !pixels || !feat ||
        mt_exec_init(&x, &m, arena, arena_bytes) != MT_OK) {
        return 1;
    }
    uint64_t macs = 0;
    for (uint16_t i = 0; i < m.n_ops; i++) {
        mt_op_info_t op;
        mt_model_op(&m, i, &op);
        macs += op.macs;
    }

    double t_set[N_SETS] = {0}, t_type[N_SETS][N_TYPES] = {{0}};
    int mismatches = 0;
    uint32_t seed = 12345u;
    for (int img = 0; img < images; img++) {
        /* a smooth random image: a gradient plus noise, different per image */
        for (size_t i = 0; i < in_len; i++) {
            seed = seed * 1664525u + 1013904223u;
            pixels[i] = (uint8_t)((i / in.c) % in.w * 3u + (uint32_t)img * 7u + (seed >> 28));
        }
        for (int k = 0; k < N_SETS; k++) {
            int s = (img + k) % N_SETS; /* rotate which set goes first */
            /* once timed as a whole (the headline figure), once op by op (the breakdown;
             * its clock reads cost the same for every set, so they stay out of the former) */
            mt_exec_set_input_u8(&x, pixels, in_len);
            double t0 = now_s();
            for (uint16_t i = 0; i < m.n_ops; i++) run_op(&m, arena, i, &k_sets[s], scratch);
            t_set[s] += now_s() - t0;
            mt_exec_set_input_u8(&x, pixels, in_len);
            for (uint16_t i = 0; i < m.n_ops; i++) {
                double a = now_s();
                int type = run_op(&m, arena, i, &k_sets[s], scratch);
                t_type[s][type] += now_s() - a;
            }
            /* the part features stay readable after a full pass (src/planner.c) */
            memcpy(feat + (size_t)s * n_feat, arena + m.plan.tensor_offset[m.part_feature_tensor], tpart.c);
            memcpy(feat + (size_t)s * n_feat + tpart.c, arena + m.plan.tensor_offset[m.full_feature_tensor],
                   tfull.c);
        }
        for (int s = SET_HOST; s < N_SETS; s++) {
            if (memcmp(feat + (size_t)s * n_feat, feat, n_feat) != 0 && mismatches++ < 5) {
                printf("image %d: %s features differ from ref\n", img, k_set_name[s]);
            }
        }
    }

    printf("model %s: %u ops, %.2f M MACs, input %ux%ux%u, %d images, scratch %zu B\n", m.name,
           m.n_ops, (double)macs / 1e6, in.h, in.w, in.c, images, sb);
    printf("%-14s %12s %10s %10s\n", "kernels", "images/s", "ms/image", "vs ref");
    for (int s = 0; s < N_SETS; s++) {
        printf("%-14s %12.1f %10.3f %9.2fx\n", k_set_name[s], images / t_set[s],
               1e3 * t_set[s] / images, t_set[SET_REF] / t_set[s]);
    }
    printf("host / ref speed-up: %.2fx\n", t_set[SET_REF] / t_set[SET_HOST]);
    printf("\nms/image by op type    %10s %10s %12s\n", "ref", "host", "dsp-portable");
    for (int t = 0; t < N_TYPES; t++) {
        if (t_type[SET_REF][t] == 0.0) continue;
        printf("%-22s %10.3f %10.3f %12.3f\n", k_type_name[t], 1e3 * t_type[SET_REF][t] / images,
               1e3 * t_type[SET_HOST][t] / images, 1e3 * t_type[SET_DSP][t] / images);
    }
    printf("features: %s\n", mismatches ? "MISMATCH" : "bit-identical to ref on every image");
    free(feat);
    free(pixels);
    free(scratch);
    free(arena);
    free(bytes);
    return mismatches ? 1 : 0;
}
