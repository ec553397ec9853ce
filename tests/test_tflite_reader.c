/* The TFLite reader (tools/tflite_reader.c) on the two real MLPerf Tiny int8 models: their
 * graphs must come out as the models' documentation describes them (MobileNetV1-0.25 VWW at
 * 96x96, ResNet-8 on CIFAR-10), and no prefix or corruption of a real file may be read
 * outside its buffer (run under ASan) or accepted with inconsistent contents.
 * usage: test_tflite_reader VWW.tflite RESNET8.tflite */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tflite_reader.h"

static int shape_is(const mt_tfl_tensor_t *t, int rank, const int *want) {
    if ((int)t->rank != rank) return 0;
    for (int i = 0; i < rank; i++) {
        if (t->shape[i] != want[i]) return 0;
    }
    return 1;
}

/* Howard et al. 2017, table 1 at width 0.25 (MLPerf Tiny's VWW reference): a 3x3/2 conv to 8,
 * then 13 depthwise-separable blocks with these strides and output widths. */
static void check_vww(const uint8_t *buf, size_t len) {
    static const int stride[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
    static const int width[13] = {16, 32, 32, 64, 64, 128, 128, 128, 128, 128, 128, 256, 256};
    mt_tfl_model_t m;
    char err[400];
    if (!CHECK(mt_tfl_parse(&m, buf, len, err, sizeof err) == 0)) {
        printf("  %s\n", err);
        return;
    }
    CHECK_EQ(m.n_ops, 31);
    CHECK_EQ(m.n_inputs, 1);
    CHECK_EQ(m.n_outputs, 1);
    if (m.n_ops != 31 || m.n_inputs != 1 || m.n_outputs != 1) goto done;
    const mt_tfl_tensor_t *in = &m.tensors[m.inputs[0]], *out = &m.tensors[m.outputs[0]];
    CHECK(shape_is(in, 4, (const int[]){1, 96, 96, 3}));
    CHECK_EQ(in->type, MT_TFL_INT8);
    CHECK(shape_is(out, 2, (const int[]){1, 2}));
    CHECK_EQ(out->type, MT_TFL_INT8);
    CHECK(in->n_scale == 1 && in->zero_point[0] == -128); /* pixels / 255 - 0 as int8 */
    CHECK_EQ(m.ops[0].code, MT_TFL_CONV_2D);
    CHECK_EQ(m.ops[0].opt.stride_w, 2);
    CHECK_EQ(m.ops[0].opt.padding, MT_TFL_PAD_SAME);
    const mt_tfl_tensor_t *w0 = &m.tensors[m.ops[0].inputs[1]];
    CHECK(shape_is(w0, 4, (const int[]){8, 3, 3, 3}));  /* [Cout][KH][KW][Cin] */
    CHECK_EQ(w0->n_scale, 8);                            /* per-channel weights */
    CHECK_EQ(w0->data_bytes, 8 * 3 * 3 * 3);
    for (int b = 0; b < 13; b++) {
        const mt_tfl_op_t *dw = &m.ops[1 + 2 * b], *pw = &m.ops[2 + 2 * b];
        CHECK_EQ(dw->code, MT_TFL_DEPTHWISE_CONV_2D);
        CHECK_EQ(dw->opt.stride_h, stride[b]);
        CHECK_EQ(dw->opt.depth_multiplier, 1);
        CHECK_EQ(pw->code, MT_TFL_CONV_2D);
        CHECK_EQ(pw->opt.stride_h, 1);
        const mt_tfl_tensor_t *w = &m.tensors[pw->inputs[1]];
        CHECK(w->rank == 4 && w->shape[0] == width[b] && w->shape[1] == 1 && w->shape[2] == 1);
        CHECK(m.tensors[pw->inputs[2]].type == MT_TFL_INT32); /* int32 bias */
    }
    CHECK_EQ(m.ops[27].code, MT_TFL_AVERAGE_POOL_2D);
    CHECK_EQ(m.ops[27].opt.filter_w, 3); /* 96 / 32 = 3x3 final map, pooled whole */
    CHECK_EQ(m.ops[28].code, MT_TFL_RESHAPE);
    CHECK_EQ(m.ops[29].code, MT_TFL_FULLY_CONNECTED);
    CHECK_EQ(m.ops[30].code, MT_TFL_SOFTMAX);
    CHECK(m.ops[30].opt.beta == 1.0f);
    CHECK(strcmp(mt_tfl_op_name(m.ops[30].code), "SOFTMAX") == 0);
done:
    mt_tfl_free(&m);
}

/* ResNet-8 (MLPerf Tiny IC): conv, 3 residual stages (two with a 1x1/2 shortcut conv), pool,
 * dense to 10 classes, softmax. */
static void check_resnet8(const uint8_t *buf, size_t len) {
    static const int code[16] = {3, 3, 3, 0, 3, 3, 3, 0, 3, 3, 3, 0, 1, 22, 9, 25};
    mt_tfl_model_t m;
    char err[400];
    if (!CHECK(mt_tfl_parse(&m, buf, len, err, sizeof err) == 0)) {
        printf("  %s\n", err);
        return;
    }
    CHECK_EQ(m.n_ops, 16);
    for (uint32_t i = 0; i < 16 && i < m.n_ops; i++) CHECK_EQ(m.ops[i].code, code[i]);
    if (m.n_inputs == 1 && m.n_outputs == 1) {
        CHECK(shape_is(&m.tensors[m.inputs[0]], 4, (const int[]){1, 32, 32, 3}));
        CHECK(shape_is(&m.tensors[m.outputs[0]], 2, (const int[]){1, 10}));
    } else {
        CHECK(0);
    }
    CHECK_EQ(m.ops[3].opt.activation, MT_TFL_ACT_RELU); /* the residual add is followed by ReLU */
    CHECK_EQ(m.ops[3].n_inputs, 2);
    mt_tfl_free(&m);
}

/* Every prefix must be refused: a .tflite's root table, vectors and buffers span the file. */
static void check_prefixes(const uint8_t *buf, size_t len) {
    size_t accepted = 0, tried = 0;
    for (size_t n = 0; n < len; n += n < 256 ? 1 : 997) {
        uint8_t *cut = malloc(n ? n : 1); /* exact-size copies: ASan sees any overread */
        memcpy(cut, buf, n);
        mt_tfl_model_t m;
        char err[400];
        if (mt_tfl_parse(&m, cut, n, err, sizeof err) == 0) {
            accepted++;
            mt_tfl_free(&m);
        }
        tried++;
        free(cut);
    }
    CHECK_EQ(accepted, 0);
    printf("  %zu prefixes refused\n", tried);
}

/* Random corruption: 1..8 bytes changed. A parse either fails with a message or yields a
 * model whose indices are all in range (checked here); never reads outside (ASan). */
static void check_mutations(const uint8_t *buf, size_t len, uint32_t seed, int rounds) {
    mt_rng_t rng;
    mt_rng_seed(&rng, seed);
    uint8_t *mut = malloc(len);
    int refused = 0, bad = 0;
    for (int r = 0; r < rounds; r++) {
        memcpy(mut, buf, len);
        int k = mt_rng_range(&rng, 1, 8);
        /* half the edits hit the first 4 KB, where the tables and vtables of the graph lie */
        for (int i = 0; i < k; i++) {
            size_t at = (r & 1) ? (size_t)mt_rng_u32(&rng) % len : (size_t)mt_rng_u32(&rng) % 4096;
            mut[at] = (uint8_t)mt_rng_u32(&rng);
        }
        mt_tfl_model_t m;
        char err[400] = "";
        if (mt_tfl_parse(&m, mut, len, err, sizeof err) != 0) {
            refused++;
            bad += err[0] == 0; /* a refusal must say why */
            continue;
        }
        for (uint32_t o = 0; o < m.n_ops; o++) {
            for (uint32_t i = 0; i < m.ops[o].n_inputs; i++) {
                int32_t t = m.ops[o].inputs[i];
                bad += t < -1 || t >= (int32_t)m.n_tensors;
            }
        }
        for (uint32_t t = 0; t < m.n_tensors; t++) {
            const mt_tfl_tensor_t *ten = &m.tensors[t];
            bad += ten->data && (ten->data < mut || ten->data + ten->data_bytes > mut + len);
        }
        mt_tfl_free(&m);
    }
    CHECK_EQ(bad, 0);
    printf("  %d of %d corrupted files refused, the rest consistent\n", refused, rounds);
    free(mut);
}

static void check_names(void) {
    CHECK(strcmp(mt_tfl_op_name(40), "MEAN") == 0);
    CHECK(strcmp(mt_tfl_op_name(114), "QUANTIZE") == 0);
    CHECK(strcmp(mt_tfl_op_name(117), "HARD_SWISH") == 0);
    CHECK(strcmp(mt_tfl_op_name(161), "RIGHT_SHIFT") == 0);
    CHECK(mt_tfl_op_name(-1) == NULL && mt_tfl_op_name(999) == NULL);
    CHECK(strcmp(mt_tfl_type_name(MT_TFL_INT8), "INT8") == 0);
    CHECK_EQ(mt_tfl_type_bytes(MT_TFL_FLOAT16), 2);
    CHECK_EQ(mt_tfl_type_bytes(MT_TFL_STRING), 0);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s VWW.tflite RESNET8.tflite\n", argv[0]);
        return 2;
    }
    check_names();
    for (int i = 1; i <= 2; i++) {
        size_t len = 0;
        uint8_t *buf = mt_read_file(argv[i], &len);
        if (!CHECK(buf != NULL)) {
            printf("  cannot read %s\n", argv[i]);
            continue;
        }
        if (i == 1) check_vww(buf, len);
        else check_resnet8(buf, len);
        check_prefixes(buf, len);
        check_mutations(buf, len, 1000u + (uint32_t)i, 3000);
        free(buf);
    }
    return mt_test_summary("test_tflite_reader");
}
