/* Arena planner: gives every activation tensor and every op's kernel scratch an offset in
 * one caller buffer, reusing bytes whose lifetimes do not overlap.
 * Strategy (as TFLite's greedy-by-size planner): place the largest buffers first, each at
 * the lowest offset that collides with no already placed buffer alive at the same time.
 * Residual ADDs run in place when their first input dies at the add. Runs once, in
 * mt_model_open, on the stack (about 8 KB at the MT_MAX_* limits); never allocates. */
#include <stdint.h>
#include <string.h>

#include "microt/model.h"
#include "model_internal.h"

#define MAX_BUFFERS (MT_MAX_TENSORS + MT_MAX_OPS)
#define ALIGN_BYTES 4u

typedef struct {
    uint32_t size;   /* bytes, rounded up to ALIGN_BYTES */
    uint32_t offset; /* result */
    uint16_t first;  /* first op during which it must hold data */
    uint16_t last;   /* last op during which it must hold data */
} buffer_t;

static uint32_t align_up(uint32_t x) { return (x + ALIGN_BYTES - 1u) & ~(ALIGN_BYTES - 1u); }

static int overlaps_in_time(const buffer_t *a, const buffer_t *b) {
    return a->first <= b->last && b->first <= a->last;
}

/* Lowest offset for buffers[idx] among the placed ones (placed[] sorted by offset). */
static uint32_t lowest_fit(const buffer_t *buffers, const uint16_t *placed, uint16_t n_placed,
                           uint16_t idx) {
    const buffer_t *b = &buffers[idx];
    uint32_t candidate = 0;
    for (uint16_t k = 0; k < n_placed; k++) {
        const buffer_t *p = &buffers[placed[k]];
        if (!overlaps_in_time(b, p)) continue;
        if (candidate + b->size <= p->offset) break;
        if (p->offset + p->size > candidate) candidate = p->offset + p->size;
    }
    return candidate;
}

/* Tensor lifetimes: [writer op, last reader op]; the model input from op 0; both stage
 * features until the last op, so one full pass leaves both readable. */
static void tensor_lifetimes(const mt_model_t *m, uint16_t *first, uint16_t *last) {
    for (uint16_t t = 0; t < m->n_tensors; t++) first[t] = last[t] = 0;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(m, i, &op);
        first[op.output] = last[op.output] = i;
    }
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(m, i, &op);
        last[op.input0] = i;
        if (op.input1 != MT_NO_TENSOR) last[op.input1] = i;
    }
    last[m->part_feature_tensor] = (uint16_t)(m->n_ops - 1);
    last[m->full_feature_tensor] = (uint16_t)(m->n_ops - 1);
}

mt_status_t mt_plan_build(mt_model_t *m) {
    buffer_t buffers[MAX_BUFFERS];
    uint16_t tensor_buffer[MT_MAX_TENSORS];
    uint16_t scratch_buffer[MT_MAX_OPS];
    uint16_t first[MT_MAX_TENSORS], last[MT_MAX_TENSORS];
    uint16_t n = 0;
    mt_plan_t *plan = &m->plan;
    memset(plan, 0, sizeof *plan);

    tensor_lifetimes(m, first, last);
    for (uint16_t t = 0; t < m->n_tensors; t++) {
        mt_tensor_info_t info;
        mt_tensor_read(m, t, &info);
        uint32_t bytes = align_up((uint32_t)info.h * info.w * info.c);
        plan->naive_bytes += bytes;
        tensor_buffer[t] = n;
        buffers[n].size = bytes;
        buffers[n].first = first[t];
        buffers[n].last = last[t];
        n++;
    }
    uint32_t max_scratch = 0;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(m, i, &op);
        /* In place: the add's output takes its first input's bytes when that input dies here. */
        if (op.type == MT_OP_ADD && last[op.input0] == i && op.input0 != m->input_tensor) {
            buffer_t *shared = &buffers[tensor_buffer[op.input0]];
            buffers[tensor_buffer[op.output]].size = 0; /* unused */
            tensor_buffer[op.output] = tensor_buffer[op.input0];
            if (last[op.output] > shared->last) shared->last = last[op.output];
        }
        uint32_t scratch = align_up(mt_op_scratch_bytes(m, &op));
        plan->scratch_bytes[i] = scratch;
        if (scratch > max_scratch) max_scratch = scratch;
        scratch_buffer[i] = n;
        buffers[n].size = scratch;
        buffers[n].first = buffers[n].last = i;
        n++;
    }
    plan->naive_bytes += max_scratch;

    /* Greedy by size: order[] sorts buffers largest first (ties: earlier first). */
    uint16_t order[MAX_BUFFERS], placed[MAX_BUFFERS];
    for (uint16_t i = 0; i < n; i++) {
        uint16_t j = i;
        while (j > 0) {
            const buffer_t *a = &buffers[order[j - 1]], *b = &buffers[i];
            if (a->size > b->size || (a->size == b->size && a->first <= b->first)) break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    uint16_t n_placed = 0;
    uint32_t peak = 0;
    for (uint16_t k = 0; k < n; k++) {
        uint16_t idx = order[k];
        buffer_t *b = &buffers[idx];
        if (b->size == 0) {
            b->offset = 0;
            continue;
        }
        b->offset = lowest_fit(buffers, placed, n_placed, idx);
        if (b->offset + b->size > peak) peak = b->offset + b->size;
        uint16_t j = n_placed++; /* keep placed[] sorted by offset */
        while (j > 0 && buffers[placed[j - 1]].offset > b->offset) {
            placed[j] = placed[j - 1];
            j--;
        }
        placed[j] = idx;
    }

    plan->arena_bytes = peak;
    for (uint16_t t = 0; t < m->n_tensors; t++) plan->tensor_offset[t] = buffers[tensor_buffer[t]].offset;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        plan->scratch_offset[i] = buffers[scratch_buffer[i]].offset;
        uint32_t live = 0;
        for (uint16_t k = 0; k < n; k++) {
            const buffer_t *b = &buffers[k];
            if (b->size && b->first <= i && i <= b->last && b->offset + b->size > live) {
                live = b->offset + b->size;
            }
        }
        plan->live_bytes[i] = live;
    }
    return MT_OK;
}
