/* Graph facts of a TFLite model for import and inspect (see tflite_graph.h). */
#include "tflite_graph.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

uint64_t mt_tfl_tensor_elems(const mt_tfl_tensor_t *t) {
    uint64_t n = 1;
    for (uint32_t i = 0; i < t->rank; i++) {
        if (t->shape[i] <= 0) return 0;
        n *= (uint64_t)t->shape[i];
        if (n > ((uint64_t)1 << 40)) return 0; /* nonsense sizes: treated as unknown */
    }
    return n;
}

static uint64_t op_macs(const mt_tfl_model_t *m, const mt_tfl_op_t *op) {
    if (op->n_outputs < 1) return 0;
    uint64_t out = mt_tfl_tensor_elems(&m->tensors[op->outputs[0]]);
    const mt_tfl_tensor_t *w = op->n_inputs > 1 && op->inputs[1] >= 0 ? &m->tensors[op->inputs[1]] : NULL;
    switch (op->code) {
    case MT_TFL_CONV_2D: /* filter [Cout][KH][KW][Cin]: KH*KW*Cin per output */
        return w && w->rank == 4 ? out * (uint64_t)w->shape[1] * (uint64_t)w->shape[2] *
                                         (uint64_t)w->shape[3] : 0;
    case MT_TFL_DEPTHWISE_CONV_2D: /* filter [1][KH][KW][C] */
        return w && w->rank == 4 ? out * (uint64_t)w->shape[1] * (uint64_t)w->shape[2] : 0;
    case MT_TFL_FULLY_CONNECTED: /* filter [Cout][N] */
        return w && w->rank == 2 ? out * (uint64_t)w->shape[1] : 0;
    case MT_TFL_RESHAPE:
        return 0;
    default:
        if (op->code != MT_TFL_AVERAGE_POOL_2D && op->code != MT_TFL_MEAN) return out;
        /* a pool without (or with an absent) input is refused later; it has no MACs here */
        return op->n_inputs > 0 && op->inputs[0] >= 0 ? mt_tfl_tensor_elems(&m->tensors[op->inputs[0]]) : 0;
    }
}

/* PAD's paddings input: a constant [rank][2] INT32 or INT64 tensor. Only H and W of a 4-D
 * tensor may be padded, each side by at most 255; else 0 (not absorbable). */
static int pad_amounts(const mt_tfl_model_t *m, const mt_tfl_op_t *op, uint8_t out[4]) {
    if (op->n_inputs < 2 || op->inputs[1] < 0) return 0;
    const mt_tfl_tensor_t *p = &m->tensors[op->inputs[1]];
    unsigned eb = p->type == MT_TFL_INT32 ? 4 : p->type == MT_TFL_INT64 ? 8 : 0;
    if (!eb || !p->data || p->data_bytes != 8 * eb) return 0;
    int64_t v[8];
    for (int i = 0; i < 8; i++) {
        uint64_t u = 0;
        for (unsigned b = 0; b < eb; b++) u |= (uint64_t)p->data[i * eb + b] << (8 * b);
        v[i] = eb == 4 ? (int64_t)(int32_t)u : (int64_t)u;
    }
    if (v[0] || v[1] || v[6] || v[7]) return 0; /* batch and channel pads */
    for (int i = 2; i < 6; i++) {
        if (v[i] < 0 || v[i] > 255) return 0;
    }
    out[0] = (uint8_t)v[2];
    out[1] = (uint8_t)v[3];
    out[2] = (uint8_t)v[4];
    out[3] = (uint8_t)v[5];
    return 1;
}

int mt_tfl_graph_build(mt_tfl_graph_t *g, const mt_tfl_model_t *m, char *err, size_t err_len) {
    memset(g, 0, sizeof *g);
    g->m = m;
    size_t nt = m->n_tensors ? m->n_tensors : 1, no = m->n_ops ? m->n_ops : 1;
    g->writer = malloc(nt * sizeof *g->writer);
    g->source = malloc(nt * sizeof *g->source);
    g->pad = calloc(nt, sizeof *g->pad);
    g->macs = calloc(no, sizeof *g->macs);
    if (!g->writer || !g->source || !g->pad || !g->macs) {
        snprintf(err, err_len, "out of memory");
        mt_tfl_graph_free(g);
        return -1;
    }
    for (uint32_t t = 0; t < m->n_tensors; t++) {
        g->writer[t] = -1;
        g->source[t] = (int32_t)t;
    }
    for (uint32_t k = 0; k < m->n_ops; k++) {
        const mt_tfl_op_t *op = &m->ops[k];
        for (uint32_t o = 0; o < op->n_outputs; o++) {
            int32_t t = op->outputs[o];
            if (g->writer[t] >= 0 || m->tensors[t].data) {
                snprintf(err, err_len, "operator %u writes tensor %d, which %s", k, t,
                         g->writer[t] >= 0 ? "another operator writes" : "is a constant");
                mt_tfl_graph_free(g);
                return -1;
            }
            g->writer[t] = (int32_t)k;
        }
        g->macs[k] = op_macs(m, op);
        g->total_macs += g->macs[k];
        if (op->n_inputs < 1 || op->inputs[0] < 0 || op->n_outputs != 1) continue;
        int32_t in = op->inputs[0], out = op->outputs[0];
        uint8_t p[4];
        if (op->code == MT_TFL_RESHAPE) {
            g->source[out] = g->source[in];
            memcpy(g->pad[out], g->pad[in], 4);
        } else if (op->code == MT_TFL_PAD && pad_amounts(m, op, p)) {
            g->source[out] = g->source[in];
            for (int i = 0; i < 4; i++) {
                unsigned s = g->pad[in][i] + p[i];
                g->pad[out][i] = (uint8_t)(s > 255 ? 255 : s);
            }
        }
    }
    return 0;
}

void mt_tfl_graph_free(mt_tfl_graph_t *g) {
    free(g->writer);
    free(g->source);
    free(g->pad);
    free(g->macs);
    memset(g, 0, sizeof *g);
}

int32_t mt_tfl_graph_find(const mt_tfl_graph_t *g, const char *ref) {
    const mt_tfl_model_t *m = g->m;
    char *end;
    if (strncmp(ref, "op:", 3) == 0) {
        long k = strtol(ref + 3, &end, 10);
        if (*end || end == ref + 3 || k < 0 || k >= (long)m->n_ops) return -1;
        return m->ops[k].n_outputs ? m->ops[k].outputs[0] : -1;
    }
    for (uint32_t t = 0; t < m->n_tensors; t++) {
        if (strcmp(m->tensors[t].name, ref) == 0) return (int32_t)t;
    }
    long t = strtol(ref, &end, 10);
    if (*end || end == ref || t < 0 || t >= (long)m->n_tensors) return -1;
    return (int32_t)t;
}

/* An activation: a tensor without constant data. */
static int is_activation(const mt_tfl_model_t *m, int32_t t) {
    return t >= 0 && !m->tensors[t].data;
}

int mt_tfl_graph_is_cut(const mt_tfl_graph_t *g, uint32_t k) {
    const mt_tfl_model_t *m = g->m;
    const mt_tfl_op_t *op = &m->ops[k];
    if (op->n_outputs != 1 || op->code == MT_TFL_RESHAPE || k + 1 >= m->n_ops) return 0;
    int32_t cut = g->source[op->outputs[0]];
    int used = 0;
    for (uint32_t j = k + 1; j < m->n_ops; j++) {
        const mt_tfl_op_t *later = &m->ops[j];
        for (uint32_t i = 0; i < later->n_inputs; i++) {
            int32_t t = later->inputs[i];
            if (!is_activation(m, t)) continue;
            int32_t s = g->source[t];
            if (g->writer[s] > (int32_t)k) continue; /* written after the cut */
            if (s != cut) return 0;
            used = 1;
        }
    }
    return used;
}

void mt_tfl_graph_print_candidates(const mt_tfl_graph_t *g, FILE *f) {
    const mt_tfl_model_t *m = g->m;
    fprintf(f, "split candidates (--split op:N or a tensor name): the part stage ends after op N;\n"
               "its output alone feeds the rest. MAC share = part stage / whole graph.\n");
    fprintf(f, "%5s %-18s %-16s %12s %7s  %s\n", "op", "type", "output shape", "part MACs",
            "share", "tensor");
    uint64_t cum = 0;
    for (uint32_t k = 0; k < m->n_ops; k++) {
        cum += g->macs[k];
        if (!mt_tfl_graph_is_cut(g, k)) continue;
        const mt_tfl_tensor_t *t = &m->tensors[m->ops[k].outputs[0]];
        char shape[64] = "";
        size_t n = 0;
        for (uint32_t i = 0; i < t->rank && n < sizeof shape - 12; i++) {
            n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%" PRId32, i ? "x" : "", t->shape[i]);
        }
        const char *name = mt_tfl_op_name(m->ops[k].code);
        fprintf(f, "%5u %-18s %-16s %12" PRIu64 " %6.1f%%  %d %s\n", k, name ? name : "UNKNOWN",
                shape, cum, g->total_macs ? 100.0 * (double)cum / (double)g->total_macs : 0.0,
                m->ops[k].outputs[0], t->name);
    }
}
