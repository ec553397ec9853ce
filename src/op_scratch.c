/* Kernel scratch per op and kernel set (op_scratch.h): the same query the executor's kernels
 * answer, made from the validated records before anything runs. */
#include "op_scratch.h"

uint32_t mt_op_scratch_bytes(const mt_model_t *model, const mt_op_rec_t *op,
                             const mt_kernels_t *kernels) {
    mt_conv_params_t p;
    mt_add_params_t ap;
    mt_tensor_info_t t;
    switch (op->type) {
    case MT_OP_CONV2D:
        mt_op_conv_params(model, op, &p);
        return (uint32_t)(mt_conv_is_pointwise(&p) ? kernels->pointwise_scratch_bytes(&p)
                                                   : kernels->conv_scratch_bytes(&p));
    case MT_OP_DEPTHWISE_CONV2D:
        mt_op_conv_params(model, op, &p);
        return (uint32_t)kernels->depthwise_scratch_bytes(&p);
    case MT_OP_ADD:
        mt_op_add_params(model, op, &ap);
        mt_tensor_read(model, op->input0, &t);
        return (uint32_t)kernels->add_scratch_bytes(&ap, (int32_t)t.h * t.w * t.c);
    default:
        return 0;
    }
}

int mt_op_in_place(const mt_model_t *model, const mt_op_rec_t *op, const mt_kernels_t *kernels) {
    mt_conv_params_t p;
    if (op->type != MT_OP_DEPTHWISE_CONV2D) return 0;
    mt_op_conv_params(model, op, &p);
    return kernels->depthwise_in_place(&p);
}
