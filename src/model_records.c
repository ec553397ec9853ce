/* Decoding of .mtm tensor and op records into C structs (model_records.h). Reads only
 * records whose index the loader has bounds-checked; never writes the model. */
#include "model_records.h"

void mt_tensor_read(const mt_model_t *model, uint16_t index, mt_tensor_info_t *t) {
    const uint8_t *r = model->bytes + MT_MODEL_HEADER_BYTES + (size_t)index * MT_TENSOR_RECORD_BYTES;
    t->h = mt_rd_u16(r + MT_TENSOR_REC_H);
    t->w = mt_rd_u16(r + MT_TENSOR_REC_W);
    t->c = mt_rd_u16(r + MT_TENSOR_REC_C);
    t->scale = mt_rd_f32(r + MT_TENSOR_REC_SCALE);
    t->zero_point = mt_rd_i32(r + MT_TENSOR_REC_ZERO_POINT);
}

void mt_op_read(const mt_model_t *model, uint16_t index, mt_op_rec_t *op) {
    const uint8_t *r = model->bytes + MT_MODEL_HEADER_BYTES +
                       (size_t)model->n_tensors * MT_TENSOR_RECORD_BYTES +
                       (size_t)index * MT_OP_RECORD_BYTES;
    op->type = r[MT_OP_REC_TYPE];
    op->kh = r[MT_OP_REC_KH];
    op->kw = r[MT_OP_REC_KW];
    op->stride_h = r[MT_OP_REC_STRIDE_H];
    op->stride_w = r[MT_OP_REC_STRIDE_W];
    op->pad_top = r[MT_OP_REC_PAD_TOP];
    op->pad_left = r[MT_OP_REC_PAD_LEFT];
    op->pad_bottom = r[MT_OP_REC_PAD_BOTTOM];
    op->pad_right = r[MT_OP_REC_PAD_RIGHT];
    op->act_min = (int8_t)r[MT_OP_REC_ACT_MIN];
    op->act_max = (int8_t)r[MT_OP_REC_ACT_MAX];
    op->input0 = mt_rd_u16(r + MT_OP_REC_INPUT0);
    op->input1 = mt_rd_u16(r + MT_OP_REC_INPUT1);
    op->output = mt_rd_u16(r + MT_OP_REC_OUTPUT);
    op->weights_offset = mt_rd_u32(r + MT_OP_REC_WEIGHTS_OFFSET);
    op->bias_offset = mt_rd_u32(r + MT_OP_REC_BIAS_OFFSET);
    op->requant_offset = mt_rd_u32(r + MT_OP_REC_REQUANT_OFFSET);
    op->wscale_offset = mt_rd_u32(r + MT_OP_REC_WSCALE_OFFSET);
    for (int i = 0; i < MT_OP_REC_N_PARAMS; i++) op->params[i] = mt_rd_i32(r + MT_OP_REC_PARAMS + 4 * i);
}

void mt_op_conv_params(const mt_model_t *model, const mt_op_rec_t *op, mt_conv_params_t *p) {
    mt_tensor_info_t in, out;
    mt_tensor_read(model, op->input0, &in);
    mt_tensor_read(model, op->output, &out);
    p->in_h = in.h;
    p->in_w = in.w;
    p->in_c = in.c;
    p->out_h = out.h;
    p->out_w = out.w;
    p->out_c = out.c;
    p->kh = op->kh;
    p->kw = op->kw;
    p->stride_h = op->stride_h;
    p->stride_w = op->stride_w;
    p->pad_top = op->pad_top;
    p->pad_left = op->pad_left;
    p->in_zp = in.zero_point;
    p->out_zp = out.zero_point;
    p->act_min = op->act_min;
    p->act_max = op->act_max;
}

int mt_conv_is_pointwise(const mt_conv_params_t *p) {
    return p->kh == 1 && p->kw == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
           p->pad_left == 0 && p->in_h == p->out_h && p->in_w == p->out_w;
}

void mt_op_add_params(const mt_model_t *model, const mt_op_rec_t *op, mt_add_params_t *ap) {
    mt_tensor_info_t t0, t1, to;
    mt_tensor_read(model, op->input0, &t0);
    mt_tensor_read(model, op->input1, &t1);
    mt_tensor_read(model, op->output, &to);
    memset(ap, 0, sizeof *ap);
    ap->in0_zp = t0.zero_point;
    ap->in1_zp = t1.zero_point;
    ap->out_zp = to.zero_point;
    ap->in0_mult = op->params[MT_ADD_IN0_MULT];
    ap->in0_shift = op->params[MT_ADD_IN0_SHIFT];
    ap->in1_mult = op->params[MT_ADD_IN1_MULT];
    ap->in1_shift = op->params[MT_ADD_IN1_SHIFT];
    ap->out_mult = op->params[MT_ADD_OUT_MULT];
    ap->out_shift = op->params[MT_ADD_OUT_SHIFT];
    ap->left_shift = op->params[MT_ADD_LEFT_SHIFT];
    ap->act_min = op->act_min;
    ap->act_max = op->act_max;
    ap->scratch = NULL;
}
