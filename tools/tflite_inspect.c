/* `microt inspect MODEL.tflite`: what `microt import` needs a user to choose: the ops with
 * their MACs, and the split candidates with the part stage's MAC share (as students.py
 * --splits lists them for the factory's models). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "file_io.h"
#include "model_file.h"
#include "tflite_graph.h"

int mt_tflite_is_file(const char *path) {
    /* only a regular file is peeked at (a FIFO or device would block or never end); anything
     * else goes on to the model loader, which names what it is */
    char err[300];
    uint64_t size = 0;
    FILE *f = mt_file_fopen_regular(path, "rb", MT_FILE_MAX_MODEL_BYTES, "TFLite file", &size, err,
                                    sizeof err);
    unsigned char head[8];
    int yes = f && fread(head, 1, 8, f) == 8 && memcmp(head + 4, "TFL3", 4) == 0;
    if (f) fclose(f);
    return yes;
}

static void shape_str(const mt_tfl_tensor_t *t, char *buf, size_t len) {
    size_t n = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < t->rank && n + 12 < len; i++) {
        n += (size_t)snprintf(buf + n, len - n, "%s%" PRId32, i ? "x" : "", t->shape[i]);
    }
}

int mt_tflite_inspect(const char *path) {
    size_t len = 0;
    char ferr[300];
    uint8_t *buf = mt_file_read_regular(path, MT_FILE_MAX_MODEL_BYTES, "TFLite file", &len, ferr,
                                        sizeof ferr);
    if (!buf) {
        fprintf(stderr, "microt: %s\n", ferr);
        return MT_EXIT_FAILURE;
    }
    mt_tfl_model_t m;
    mt_tfl_graph_t g;
    char err[400];
    if (mt_tfl_parse(&m, buf, len, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s: not a valid TFLite model: %s\n", path, err);
        free(buf);
        return MT_EXIT_FAILURE;
    }
    if (mt_tfl_graph_build(&g, &m, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s: %s\n", path, err);
        mt_tfl_free(&m);
        free(buf);
        return MT_EXIT_FAILURE;
    }
    printf("TFLite model %s: %" PRIu32 " tensors, %" PRIu32 " ops, %" PRIu64 " MACs\n\n", path,
           m.n_tensors, m.n_ops, g.total_macs);
    printf("%4s %-18s %-16s %12s  %s\n", "op", "type", "output shape", "MACs", "output tensor");
    for (uint32_t k = 0; k < m.n_ops; k++) {
        const mt_tfl_op_t *op = &m.ops[k];
        char shape[64] = "-";
        if (op->n_outputs) shape_str(&m.tensors[op->outputs[0]], shape, sizeof shape);
        const char *name = mt_tfl_op_name(op->code);
        printf("%4u %-18s %-16s %12" PRIu64 "  %d %s\n", k, name ? name : "UNKNOWN", shape,
               g.macs[k], op->n_outputs ? op->outputs[0] : -1,
               op->n_outputs ? m.tensors[op->outputs[0]].name : "");
    }
    printf("\n");
    mt_tfl_graph_print_candidates(&g, stdout);
    printf("\nimport: microt import %s -o MODEL.mtm --split op:N\n", path);
    mt_tfl_graph_free(&g);
    mt_tfl_free(&m);
    free(buf);
    return MT_EXIT_OK;
}
