/* Per-layer benchmark body: runs a model once, op by op, each op bracketed as an
 * instruction-count region (region id = op index; id 255 = an empty region, the marker
 * overhead to subtract). Prints one line per op: "op INDEX TYPE MACS". The counts come from
 * the QEMU plugin (bench/layers.sh joins both). On the host it only prints the MACs.
 * usage: bench_layers MODEL [REPEATS] */
#include <stdio.h>
#include <stdlib.h>

#include "microt/exec.h"
#include "mt_count.h"
#include "bench_util.h"

#define EMPTY_REGION 255u

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_layers MODEL [REPEATS]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    size_t len;
    const uint8_t *bytes = bench_load_model(argv[1], &len); /* in flash on Cortex-M */
    mt_model_t m;
    int st = bytes ? mt_model_open(&m, bytes, len) : MT_E_ARG;
    if (st != MT_OK) {
        fprintf(stderr, "bench_layers: %s: %s\n", argv[1], mt_strerror(st));
        return 1;
    }
    void *arena = malloc(mt_model_arena_bytes(&m));
    mt_tensor_info_t in;
    mt_model_tensor(&m, m.input_tensor, &in);
    size_t in_len = (size_t)in.h * in.w * in.c;
    uint8_t *pixels = malloc(in_len);
    mt_exec_t x;
    if (!arena || !pixels || mt_exec_init(&x, &m, arena, mt_model_arena_bytes(&m)) != MT_OK) return 1;
    for (size_t i = 0; i < in_len; i++) pixels[i] = (uint8_t)(i * 37u + 11u);

    for (int r = 0; r < repeats; r++) {
        mt_count_begin(EMPTY_REGION);
        mt_count_end(EMPTY_REGION);
        mt_exec_set_input_u8(&x, pixels, in_len);
        for (uint16_t i = 0; i < m.n_ops; i++) {
            mt_count_begin(i);
            mt_exec_step(&x);
            mt_count_end(i);
        }
    }
    printf("model %s ops %u split %u repeats %d\n", m.name, m.n_ops, m.split_op, repeats);
    for (uint16_t i = 0; i < m.n_ops; i++) {
        mt_op_info_t op;
        mt_model_op(&m, i, &op);
        printf("op %u %s %llu\n", i, mt_op_type_name(op.type), (unsigned long long)op.macs);
    }
    free(arena);
    free(pixels);

    return 0;
}
