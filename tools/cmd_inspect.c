/* microt inspect MODEL: what a firmware engineer needs to budget a model: per layer the op,
 * shapes, MACs, constant bytes and live arena; per stage the totals; the arena peak. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board_estimate.h"
#include "cli.h"
#include "inspect_json.h"
#include "microt/board.h"
#include "microt/model.h"
#include "model_file.h"

static const char USAGE[] =
    "usage: microt inspect MODEL [--board NAME|all [--cycles FILE] [--exit-share R]\n"
    "                             [--cycles-per-mac X]] [--json]\n"
    "Validates MODEL (.mtm) and prints its input, stage split, one row per op (type, input\n"
    "and output shape, kernel/stride, MACs, constant bytes, arena bytes live during the op),\n"
    "per-stage totals, the planned arena peak against naive allocation, and the flash size.\n"
    "Arena figures are planned for the Cortex-M DSP kernels (the device's); the peaks with\n"
    "the reference and the x86-64 host kernels follow.\n"
    "--board NAME (stm32l4r5zi, stm32h7a3zi, or all) adds ESTIMATED latency and energy per\n"
    "inference (part stage, full model, stage decision with an early-exit share R, default\n"
    "0.5) at the board's clock and run-mode current (docs/energy.md). Cycles come from\n"
    "--cycles FILE, a cycle file bench/energy.sh wrote for this model and the board's core\n"
    "(then personalization is estimated too), else from MODEL's own cycle file beside it\n"
    "(MODEL without .mtm + .CORE.cycles, as models/ ships them) when it matches the model,\n"
    "else from MACs x a cycles/MAC figure.\n"
    "--json prints the same figures as one JSON object (model, input, stages, ops, totals,\n"
    "arena_bytes, flash_bytes, boards) for scripts.\n";

static const char *order_name(uint8_t order) {
    return order == MT_ORDER_RGB ? "RGB" : order == MT_ORDER_BGR ? "BGR" : "grey";
}

static void shape_str(const mt_model_t *m, uint16_t t, char *buf, size_t len) {
    mt_tensor_info_t info;
    mt_model_tensor(m, t, &info);
    snprintf(buf, len, "%ux%ux%u", info.h, info.w, info.c);
}

static void print_model(const char *path, const mt_model_t *m) {
    mt_tensor_info_t in;
    mt_model_tensor(m, m->input_tensor, &in);
    printf("model      %s (%s), format 1.%u, %" PRIu32 " bytes\n", m->name, path,
           m->version_minor, m->file_bytes);
    printf("fingerprint %016" PRIx64 "\n", m->fingerprint);
    printf("input      %ux%ux%u %s, x = (pixel/255 - mean)/std, mean", in.h, in.w, in.c,
           order_name(m->channel_order));
    for (int c = 0; c < in.c; c++) printf(" %.4f", (double)m->mean[c]);
    printf(", std");
    for (int c = 0; c < in.c; c++) printf(" %.4f", (double)m->std[c]);
    printf("; int8 scale %.6g zero point %" PRId32 "\n", (double)in.scale, in.zero_point);
    printf("stages     part = ops 0..%u -> %" PRIu32 "-d feature; full = all %u ops -> %" PRIu32
           "-d feature\n\n",
           m->split_op - 1, mt_model_feature_len(m, MT_STAGE_PART), m->n_ops,
           mt_model_feature_len(m, MT_STAGE_FULL));

    printf("%4s %-5s %-10s %-13s %-13s %-8s %12s %10s %10s\n", "op", "stage", "type", "input",
           "output", "k/s", "MACs", "weights B", "arena B");
    uint64_t macs[2] = {0, 0};
    uint64_t weights[2] = {0, 0};
    uint32_t peak[2] = {0, 0};
    for (uint16_t i = 0; i < m->n_ops; i++) {
        mt_op_info_t op;
        mt_model_op(m, i, &op);
        int stage = i < m->split_op ? 0 : 1;
        char sin[24], sout[24], ks[16] = "-";
        shape_str(m, op.input0, sin, sizeof sin);
        shape_str(m, op.output, sout, sizeof sout);
        if (op.type == MT_OP_CONV2D || op.type == MT_OP_DEPTHWISE_CONV2D) {
            snprintf(ks, sizeof ks, "%ux%u/%u", op.kh, op.kw, op.stride_h);
        }
        printf("%4u %-5s %-10s %-13s %-13s %-8s %12" PRIu64 " %10" PRIu32 " %10" PRIu32 "\n", i,
               stage ? "rest" : "part", mt_op_type_name(op.type), sin, sout, ks, op.macs, op.weight_bytes,
               op.live_arena_bytes);
        macs[stage] += op.macs;
        weights[stage] += op.weight_bytes;
        if (op.live_arena_bytes > peak[stage]) peak[stage] = op.live_arena_bytes;
    }
    uint64_t total = macs[0] + macs[1];
    printf("\n%-10s %14s %8s %14s %14s\n", "stage", "MACs", "share", "weights B", "arena peak B");
    printf("%-10s %14" PRIu64 " %7.1f%% %14" PRIu64 " %14" PRIu32 "\n", "part", macs[0],
           total ? 100.0 * (double)macs[0] / (double)total : 0.0, weights[0], peak[0]);
    printf("%-10s %14" PRIu64 " %7.1f%% %14" PRIu64 " %14" PRIu32 "\n", "rest", macs[1],
           total ? 100.0 * (double)macs[1] / (double)total : 0.0, weights[1], peak[1]);
    printf("%-10s %14" PRIu64 " %7.1f%% %14" PRIu64 " %14" PRIu32 "\n", "full", total, 100.0,
           weights[0] + weights[1], peak[0] > peak[1] ? peak[0] : peak[1]);
    printf("\narena peak %" PRIu32 " bytes with the Cortex-M DSP kernels (naive, one buffer per tensor: %" PRIu32
           " bytes, %.1fx)\n",
           m->plan.arena_bytes, m->plan.naive_bytes,
           m->plan.arena_bytes ? (double)m->plan.naive_bytes / m->plan.arena_bytes : 0.0);
    mt_model_t other = *m; /* the same model planned for the other kernel sets' scratch */
    uint32_t ref_bytes = mt_model_plan_for(&other, MT_KERNELS_REF) == MT_OK ? other.plan.arena_bytes : 0;
    uint32_t host_bytes = mt_model_plan_for(&other, MT_KERNELS_HOST) == MT_OK ? other.plan.arena_bytes : 0;
    printf("           %" PRIu32 " bytes with the reference kernels, %" PRIu32
           " with the x86-64 host kernels\n", ref_bytes, host_bytes);
    printf("flash      %" PRIu32 " bytes (the model file, used in place)\n", m->file_bytes);
}

/* --board: one board's estimate, with the cycle file checked against model and core. */
static int print_board(mt_json_t *j, const mt_model_t *m, const mt_board_t *b,
                       const char *cycles_path, double exit_share, double cpm) {
    mt_cycles_file_t cyc;
    if (cycles_path) {
        char err[96];
        if (mt_cycles_file_read(cycles_path, &cyc, err, sizeof err) != 0) {
            fprintf(stderr, "microt: %s: %s\n", cycles_path, err);
            return MT_EXIT_FAILURE;
        }
        if (cyc.fingerprint != m->fingerprint) {
            fprintf(stderr, "microt: %s: cycles of another model (fingerprint %016llx, the model "
                            "has %016llx)\n", cycles_path, (unsigned long long)cyc.fingerprint,
                    (unsigned long long)m->fingerprint);
            return MT_EXIT_FAILURE;
        }
        if (strcmp(cyc.cpu, b->core) != 0) {
            fprintf(stderr, "microt: %s: cycles of %s, but %s is a %s\n", cycles_path, cyc.cpu,
                    b->name, b->core);
            return MT_EXIT_FAILURE;
        }
    }
    if (cpm <= 0.0) cpm = mt_board_default_cycles_per_mac(b->core);
    if (j) {
        mt_json_object_begin(j, NULL);
        mt_json_string(j, "cycle_file", cycles_path);
        mt_board_estimate_json(j, m, b, cycles_path ? &cyc : NULL, cpm, exit_share);
        mt_json_object_end(j);
    } else {
        mt_board_estimate_print(stdout, m, b, cycles_path ? &cyc : NULL, cpm, exit_share);
    }
    return MT_EXIT_OK;
}

enum { OPT_BOARD, OPT_CYCLES, OPT_EXIT_SHARE, OPT_CPM, OPT_JSON };
static const mt_cli_option_t OPTIONS[] = {
    {"board", 0, MT_OPT_VALUE, "NAME|all"},
    {"cycles", 0, MT_OPT_VALUE, "FILE"},
    {"exit-share", 0, MT_OPT_VALUE, "R"},
    {"cycles-per-mac", 0, MT_OPT_VALUE, "X"},
    {"json", 0, 0, NULL},
    {NULL, 0, 0, NULL},
};
static const mt_cli_spec_t SPEC = {"inspect", "MODEL", USAGE, OPTIONS};

/* The cycle file shipped beside a model (models/NAME.cortex-m4.cycles) when it exists and was
 * made for this very model; NULL otherwise (a stale one is named on stderr and ignored). */
static const char *beside_cycles(const char *model_path, const mt_model_t *m, const char *core,
                                 char *buf, size_t len) {
    size_t n = strlen(model_path);
    if (n > 4 && strcmp(model_path + n - 4, ".mtm") == 0) n -= 4;
    if ((size_t)snprintf(buf, len, "%.*s.%s.cycles", (int)n, model_path, core) >= len) return NULL;
    if (access(buf, F_OK) != 0) return NULL; /* reading checks it is a regular file (no FIFO) */
    mt_cycles_file_t cyc;
    char err[96];
    if (mt_cycles_file_read(buf, &cyc, err, sizeof err) != 0 || cyc.fingerprint != m->fingerprint ||
        strcmp(cyc.cpu, core) != 0) {
        fprintf(stderr, "microt: ignoring %s: not this model's %s cycle file (make bench remakes it)\n",
                buf, core);
        return NULL;
    }
    return buf;
}

int mt_cmd_inspect(int argc, char **argv) {
    mt_cli_args_t args;
    int rc = MT_EXIT_OK;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &rc)) {
        mt_cli_args_free(&args);
        return rc;
    }
    const char *path = args.pos[0], *board = args.value[OPT_BOARD], *cycles = args.value[OPT_CYCLES];
    double exit_share = 0.5, cpm = 0.0;
    rc = MT_EXIT_USAGE;
    if (mt_cli_has(&args, OPT_EXIT_SHARE) &&
        mt_cli_double(&SPEC, OPT_EXIT_SHARE, args.value[OPT_EXIT_SHARE], 0.0, 1.0, &exit_share) != 0) {
        goto done;
    }
    if (mt_cli_has(&args, OPT_CPM) &&
        mt_cli_double(&SPEC, OPT_CPM, args.value[OPT_CPM], 1e-3, 1e6, &cpm) != 0) {
        goto done;
    }
    if (!board && (cycles || mt_cli_has(&args, OPT_CPM) || mt_cli_has(&args, OPT_EXIT_SHARE))) {
        mt_cli_usage_error(&SPEC, "%s needs --board", cycles ? "--cycles"
                                   : mt_cli_has(&args, OPT_CPM) ? "--cycles-per-mac" : "--exit-share");
        goto done;
    }
    const mt_board_t *b = NULL;
    if (board && strcmp(board, "all") != 0 && !(b = mt_board_find(board))) {
        char known[256] = "";
        for (uint32_t i = 0; i < mt_board_count(); i++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s, ", mt_board_get(i)->name);
        }
        mt_cli_usage_error(&SPEC, "--board '%s': unknown board (known: %sall)", board, known);
        goto done;
    }
    int json = mt_cli_has(&args, OPT_JSON);
    if (mt_tflite_is_file(path) && json) {
        mt_cli_usage_error(&SPEC, "--json is for .mtm models (a .tflite is listed as text)");
        goto done;
    }
    if (mt_tflite_is_file(path) && !board) { /* docs/import.md */
        rc = mt_tflite_inspect(path);
        goto done;
    }
    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, path);
    if (st != MT_OK) {
        rc = mt_cli_model_error(path, st);
        goto done;
    }
    /* Figures are the device's: plan the arena for the Cortex-M DSP kernels' scratch. */
    mt_model_plan_for(&mf.model, MT_KERNELS_DSP);
    mt_json_t jw, *j = json ? &jw : NULL;
    if (j) {
        mt_json_init(j, stdout);
        mt_json_object_begin(j, NULL);
        mt_inspect_model_json(j, path, &mf.model);
        mt_json_array_begin(j, "boards");
    } else {
        print_model(path, &mf.model);
    }
    rc = MT_EXIT_OK;
    char beside[4096];
    if (b) {
        const char *c = cycles ? cycles : cpm > 0.0 ? NULL
                                                   : beside_cycles(path, &mf.model, b->core, beside, sizeof beside);
        rc = print_board(j, &mf.model, b, c, exit_share, cpm);
        if (c && !cycles && !j) printf("cycle file %s (beside the model)\n", c);
    } else if (board) { /* all: a cycle file belongs to one core, so it is used where it fits */
        mt_cycles_file_t probe;
        char err[96];
        int have = cycles && mt_cycles_file_read(cycles, &probe, err, sizeof err) == 0;
        if (cycles && !have) {
            fprintf(stderr, "microt: %s: %s\n", cycles, err);
            rc = MT_EXIT_FAILURE;
        }
        for (uint32_t i = 0; i < mt_board_count() && rc == MT_EXIT_OK; i++) {
            const mt_board_t *bi = mt_board_get(i);
            int fits = have && strcmp(probe.cpu, bi->core) == 0;
            const char *c = fits ? cycles : (cycles || cpm > 0.0) ? NULL
                                : beside_cycles(path, &mf.model, bi->core, beside, sizeof beside);
            rc = print_board(j, &mf.model, bi, c, exit_share, cpm);
            if (c && c != cycles && !j) printf("cycle file %s (beside the model)\n", c);
        }
    }
    if (j && rc == MT_EXIT_OK) {
        mt_json_array_end(j);
        mt_json_object_end(j);
        mt_json_finish(j);
    }
    mt_model_file_free(&mf);
done:
    mt_cli_args_free(&args);
    return rc;
}
