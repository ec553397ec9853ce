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

#include "../src/model_records.h"
#include "microt/exec.h"
#include "microt/kernels.h"
#include "bench_util.h"

enum { SET_REF, SET_HOST, SET_DSP, N_SETS };
static const char *const k_set_name[N_SETS] = {"ref", "host", "dsp-portable"};
enum { T_STEM, T_PW, T_DW, T_FC, T_ADD, T_POOL, N_TYPES };
static const char *const k_type_name[N_TYPES] = {"conv (stem)", "pointwise", "depthwise",
                                                 "fully conn.", "add", "avg pool"};

/* The library's kernel-set tables (include/microt/kernels.h), in the order of k_set_name. */
static const mt_kernel_set_t k_set_id[N_SETS] = {MT_KERNELS_REF, MT_KERNELS_HOST, MT_KERNELS_DSP};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Op `index` with kernel set `ks`, scratch from `scratch`; returns its type (T_*). */
static int run_op(const mt_model_t *m, uint8_t *arena, uint16_t index, const mt_kernels_t *ks,
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
        if (mt_conv_is_pointwise(&p)) {
            ks->pointwise(&p, in0, weights, bias, rq, out, scratch);
            return T_PW;
        }
        ks->conv(&p, in0, weights, bias, rq, out, scratch);
        return T_STEM;
    case MT_OP_DEPTHWISE_CONV2D:
        mt_op_conv_params(m, &op, &p);
        ks->depthwise(&p, in0, weights, bias, rq, out, scratch);
        return T_DW;
    case MT_OP_FULLY_CONNECTED:
        ks->fully_connected((int32_t)tin.h * tin.w * tin.c, tout.c, in0, weights, bias,
                            tin.zero_point, tout.zero_point, op.act_min, op.act_max, rq, out);
        return T_FC;
    case MT_OP_ADD: {
        mt_add_params_t ap;
        mt_op_add_params(m, &op, &ap);
        ap.scratch = scratch;
        ks->add(&ap, (int32_t)tin.h * tin.w * tin.c, in0,
                (const int8_t *)(arena + m->plan.tensor_offset[op.input1]), out);
        return T_ADD;
    }
    case MT_OP_GLOBAL_AVG_POOL:
        mt_avgpool_s8(tin.h, tin.w, tin.c, in0, tin.zero_point, tout.zero_point,
                      op.params[MT_POOL_MULT], op.params[MT_POOL_SHIFT], op.act_min, op.act_max,
                      out);
        return T_POOL;
    case MT_OP_GLOBAL_AVG_POOL_DIV: {
        int32_t pm = op.params[MT_POOL_MULT];
        mt_avgpool_div_s8(tin.h, tin.w, tin.c, in0, pm ? tin.zero_point : 0,
                          pm ? tout.zero_point : 0, pm, op.params[MT_POOL_SHIFT], op.act_min,
                          op.act_max, out);
        return T_POOL;
    }
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
            mt_tensor_info_t t0;
            mt_add_params_t ap;
            mt_op_add_params(m, &op, &ap);
            mt_tensor_read(m, op.input0, &t0);
            for (int s = 0; s < N_SETS; s++) {
                size_t b = mt_kernels(k_set_id[s])->add_scratch_bytes(&ap, (int32_t)t0.h * t0.w * t0.c);
                if (b > best) best = b;
            }
            continue;
        }
        if (op.type != MT_OP_CONV2D && op.type != MT_OP_DEPTHWISE_CONV2D) continue;
        mt_op_conv_params(m, &op, &p);
        for (int s = 0; s < N_SETS; s++) {
            const mt_kernels_t *ks = mt_kernels(k_set_id[s]);
            size_t b = op.type == MT_OP_DEPTHWISE_CONV2D ? ks->depthwise_scratch_bytes(&p)
                       : mt_conv_is_pointwise(&p)        ? ks->pointwise_scratch_bytes(&p)
                                                         : ks->conv_scratch_bytes(&p);
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
            for (uint16_t i = 0; i < m.n_ops; i++) run_op(&m, arena, i, mt_kernels(k_set_id[s]), scratch);
            t_set[s] += now_s() - t0;
            mt_exec_set_input_u8(&x, pixels, in_len);
            for (uint16_t i = 0; i < m.n_ops; i++) {
                double a = now_s();
                int type = run_op(&m, arena, i, mt_kernels(k_set_id[s]), scratch);
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
