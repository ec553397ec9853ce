/* Arena planner: gives every activation tensor and every op's kernel scratch an offset in
 * one caller buffer, reusing bytes whose lifetimes do not overlap.
 * Strategy (as TFLite's greedy-by-size planner): place the largest buffers first, each at
 * the lowest offset that collides with no already placed buffer alive at the same time.
 * Residual ADDs run in place when their first input dies at the add, and so do depthwise
 * convolutions whose kernel set can write the output over the input (channel by channel,
 * as TinyEngine's in-place depthwise). Runs once, in mt_model_open, on the stack (a 5.9 KB
 * workspace at the MT_MAX_* limits: 12 bytes per buffer plus 2 per tensor); never allocates. */
#include <stdint.h>
#include <string.h>

#include "microt/model.h"
#include "op_scratch.h"
#include "planner.h"

#define MAX_BUFFERS (MT_MAX_TENSORS + MT_MAX_OPS)
#define ALIGN_BYTES 4u

/* Buffer i < n_tensors is tensor i; buffer n_tensors + k is op k's scratch. Offsets live
 * in the plan itself (tensor_offset / scratch_offset), which keeps the stack small. */
typedef struct {
    uint32_t size;  /* bytes, rounded up to ALIGN_BYTES; 0 = not placed (empty or aliased) */
    uint16_t first; /* first op during which it must hold data */
    uint16_t last;  /* last op during which it must hold data */
} buffer_t;

typedef struct {
    buffer_t buffers[MAX_BUFFERS];
    uint16_t order[MAX_BUFFERS];  /* largest first */
    uint16_t placed[MAX_BUFFERS]; /* placed buffers, by increasing offset */
    uint16_t alias_of[MT_MAX_TENSORS];
} workspace_t;

static uint32_t align_up(uint32_t x) { return (x + ALIGN_BYTES - 1u) & ~(ALIGN_BYTES - 1u); }

static uint32_t *offset_of(mt_plan_t *plan, uint16_t n_tensors, uint16_t buffer) {
    return buffer < n_tensors ? &plan->tensor_offset[buffer]
                              : &plan->scratch_offset[buffer - n_tensors];
}

static int overlaps_in_time(const buffer_t *a, const buffer_t *b) {
    return a->first <= b->last && b->first <= a->last;
}

/* Lowest offset for buffer idx that collides with no placed buffer alive at the same time. */
static uint32_t lowest_fit(const workspace_t *ws, mt_plan_t *plan, uint16_t n_tensors,
                           uint16_t n_placed, uint16_t idx) {
    const buffer_t *b = &ws->buffers[idx];
    uint32_t candidate = 0;
    for (uint16_t k = 0; k < n_placed; k++) {
        const buffer_t *p = &ws->buffers[ws->placed[k]];
        uint32_t p_offset = *offset_of(plan, n_tensors, ws->placed[k]);
        if (!overlaps_in_time(b, p)) continue;
        if (candidate + b->size <= p_offset) break;
        if (p_offset + p->size > candidate) candidate = p_offset + p->size;
    }
    return candidate;
}

/* Tensor lifetimes: [writer op, last reader op]; the model input from op 0; both stage
 * features until the last op, so one full pass leaves both readable. Also the scratch
 * buffers (one op each) and in-place adds: an add's output takes its first input's bytes
 * when that input dies at the add. */
static void collect_buffers(const mt_model_t *m, workspace_t *ws, mt_plan_t *plan,
                            const mt_kernels_t *kernels) {
    buffer_t *buf = ws->buffers;
    for (uint16_t t = 0; t < m->n_tensors; t++) {
        mt_tensor_info_t info;
        mt_tensor_read(m, t, &info);
        buf[t].size = align_up((uint32_t)info.h * info.w * info.c);
        buf[t].first = buf[t].last = 0;
        ws->alias_of[t] = t;
        plan->naive_bytes += buf[t].size;
    }
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(m, i, &op);
        buf[op.output].first = buf[op.output].last = i;
    }
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(m, i, &op);
        buf[op.input0].last = i;
        if (op.input1 != MT_NO_TENSOR) buf[op.input1].last = i;
    }
    buf[m->part_feature_tensor].last = (uint16_t)(m->n_ops - 1);
    buf[m->full_feature_tensor].last = (uint16_t)(m->n_ops - 1);

    uint32_t max_scratch = 0;
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_rec_t op;
        mt_op_read(m, i, &op);
        /* Never over a stage feature: its lifetime reaches the last op by rule, not by a
         * read, so an add there is not its last reader (issue 17: a last-op ADD reading the
         * part feature overwrote it during the full pass). Never over the model input. */
        int feature = op.input0 == m->part_feature_tensor || op.input0 == m->full_feature_tensor;
        int dies_here = buf[op.input0].last == i && op.input0 != m->input_tensor && !feature;
        if (dies_here && (op.type == MT_OP_ADD || mt_op_in_place(m, &op, kernels))) {
            uint16_t root = ws->alias_of[op.input0];
            ws->alias_of[op.output] = root;
            if (buf[op.output].last > buf[root].last) buf[root].last = buf[op.output].last;
            buf[op.output].size = 0;
        }
        buffer_t *scratch = &buf[m->n_tensors + i];
        scratch->size = align_up(mt_op_scratch_bytes(m, &op, kernels));
        scratch->first = scratch->last = i;
        plan->scratch_bytes[i] = scratch->size;
        if (scratch->size > max_scratch) max_scratch = scratch->size;
    }
    plan->naive_bytes += max_scratch;
}

mt_status_t mt_plan_build(mt_model_t *m, mt_kernel_set_t set) {
    workspace_t ws;
    mt_plan_t *plan = &m->plan;
    const mt_kernels_t *kernels = mt_kernels(set);
    uint16_t n = (uint16_t)(m->n_tensors + m->n_ops);
    if (!kernels) return MT_E_ARG;
    memset(plan, 0, sizeof *plan);
    collect_buffers(m, &ws, plan, kernels);
    plan->kernel_set = (uint8_t)set;

    /* Greedy by size: order[] sorts buffers largest first (ties: earlier first). */
    for (uint16_t i = 0; i < n; i++) {
        uint16_t j = i;
        while (j > 0) {
            const buffer_t *a = &ws.buffers[ws.order[j - 1]], *b = &ws.buffers[i];
            if (a->size > b->size || (a->size == b->size && a->first <= b->first)) break;
            ws.order[j] = ws.order[j - 1];
            j--;
        }
        ws.order[j] = i;
    }
    uint16_t n_placed = 0;
    uint32_t peak = 0;
    for (uint16_t k = 0; k < n; k++) {
        uint16_t idx = ws.order[k];
        const buffer_t *b = &ws.buffers[idx];
        if (b->size == 0) continue;
        uint32_t offset = lowest_fit(&ws, plan, m->n_tensors, n_placed, idx);
        *offset_of(plan, m->n_tensors, idx) = offset;
        if (offset + b->size > peak) peak = offset + b->size;
        uint16_t j = n_placed++; /* keep placed[] sorted by offset */
        while (j > 0 && *offset_of(plan, m->n_tensors, ws.placed[j - 1]) > offset) {
            ws.placed[j] = ws.placed[j - 1];
            j--;
        }
        ws.placed[j] = idx;
    }
    plan->arena_bytes = peak;
    /* Aliased tensors share their root's bytes (roots precede them in op order). */
    for (uint16_t t = 0; t < m->n_tensors; t++) plan->tensor_offset[t] = plan->tensor_offset[ws.alias_of[t]];
    for (uint16_t i = 0; i < m->n_ops; i++) {
        uint32_t live = 0;
        for (uint16_t k = 0; k < n; k++) {
            const buffer_t *b = &ws.buffers[k];
            uint32_t end = *offset_of(plan, m->n_tensors, k) + b->size;
            if (b->size && b->first <= i && i <= b->last && end > live) live = end;
        }
        plan->live_bytes[i] = live;
    }
    return MT_OK;
}
