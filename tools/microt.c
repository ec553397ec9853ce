/* microt: the host command line. Dispatches to one file per sub-command. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "microt/status.h"

static const char USAGE[] =
    "usage: microt COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "  inspect MODEL        print the model: per-layer op, shapes, MACs, weights, arena\n"
    "  run MODEL IMAGE...   extract pooled features of images, with timing\n"
    "  export-c MODEL       write the model as a const C array for firmware\n"
    "  extract MODEL        raw frames on stdin -> float32 features on stdout (batch)\n"
    "  personalize MODEL --train DIR|IDX -o HEAD\n"
    "                       train a task's two heads on labelled samples, save them\n"
    "  infer MODEL HEAD IMAGE...\n"
    "                       stage-decision answers: label, confidence, stage, MACs\n"
    "  eval MODEL HEAD --test DIR|IDX\n"
    "                       accuracy, early-exit share, MACs, confusion matrix\n"
    "  tflite-dump MODEL.tflite -o DIR\n"
    "                       a TFLite model's graph as JSON and its constant data\n"
    "\n"
    "`microt COMMAND --help` describes a command.\n"
    "exit codes: 0 success, 1 bad input (model, image, file), 2 usage error\n";

int mt_cli_is_help(const char *arg) {
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int mt_cli_model_error(const char *path, int status) {
    if (status == MT_E_ARG) {
        fprintf(stderr, "microt: %s: cannot read file: %s\n", path, strerror(errno));
    } else {
        fprintf(stderr, "microt: %s: %s\n", path, mt_strerror(status));
    }
    return MT_EXIT_FAILURE;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(USAGE, stderr);
        return MT_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (mt_cli_is_help(cmd)) {
        fputs(USAGE, stdout);
        return MT_EXIT_OK;
    }
    if (strcmp(cmd, "inspect") == 0) return mt_cmd_inspect(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0) return mt_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "export-c") == 0) return mt_cmd_export_c(argc - 1, argv + 1);
    if (strcmp(cmd, "extract") == 0) return mt_cmd_extract(argc - 1, argv + 1);
    if (strcmp(cmd, "personalize") == 0) return mt_cmd_personalize(argc - 1, argv + 1);
    if (strcmp(cmd, "infer") == 0) return mt_cmd_infer(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0) return mt_cmd_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "tflite-dump") == 0) return mt_cmd_tflite_dump(argc - 1, argv + 1);
    fprintf(stderr, "microt: unknown command '%s' (see microt --help)\n", cmd);
    return MT_EXIT_USAGE;
}
