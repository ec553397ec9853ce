/* microt: the host command line. Dispatches to one file per sub-command; the shared helpers
 * (option parsing, messages) are in cli.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

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
    "  import MODEL.tflite -o MODEL.mtm [--split TENSOR] [--features [PART] FULL]\n"
    "                       an int8 TFLite model as a microt extractor\n"
    "  tflite-dump MODEL.tflite -o DIR\n"
    "                       a TFLite model's graph as JSON and its constant data\n"
    "\n"
    "`microt COMMAND --help` describes a command; `microt --version` prints the version.\n"
    "exit codes: 0 success, 1 bad input (model, image, file), 2 usage error\n";

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
} command_t;

static const command_t COMMANDS[] = {
    {"inspect", mt_cmd_inspect},         {"run", mt_cmd_run},   {"export-c", mt_cmd_export_c},
    {"extract", mt_cmd_extract},         {"personalize", mt_cmd_personalize},
    {"infer", mt_cmd_infer},             {"eval", mt_cmd_eval},
    {"tflite-dump", mt_cmd_tflite_dump}, {"import", mt_cmd_import},
};
enum { N_COMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "microt: missing COMMAND; see 'microt --help'\n");
        return MT_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (mt_cli_is_help(cmd)) {
        fputs(USAGE, stdout);
        return MT_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        mt_cli_print_version();
        return MT_EXIT_OK;
    }
    for (int i = 0; i < N_COMMANDS; i++) {
        if (strcmp(cmd, COMMANDS[i].name) == 0) return COMMANDS[i].run(argc - 1, argv + 1);
    }
    const char *suggest = NULL;
    unsigned best = 3;
    for (int i = 0; i < N_COMMANDS; i++) {
        unsigned d = mt_cli_edit_distance(cmd, COMMANDS[i].name);
        if (d < best) {
            best = d;
            suggest = COMMANDS[i].name;
        }
    }
    if (suggest) {
        fprintf(stderr, "microt: unknown command '%s' (did you mean '%s'?); see 'microt --help'\n",
                cmd, suggest);
    } else {
        fprintf(stderr, "microt: unknown command '%s'; see 'microt --help'\n", cmd);
    }
    return MT_EXIT_USAGE;
}
