/* Shared pieces of the microt CLI's sub-commands. */
#ifndef MICROT_TOOLS_CLI_H
#define MICROT_TOOLS_CLI_H

/* Exit codes, documented in `microt --help`. */
enum { MT_EXIT_OK = 0, MT_EXIT_FAILURE = 1, MT_EXIT_USAGE = 2 };

int mt_cmd_inspect(int argc, char **argv);
int mt_cmd_run(int argc, char **argv);
int mt_cmd_export_c(int argc, char **argv);
int mt_cmd_extract(int argc, char **argv);
int mt_cmd_personalize(int argc, char **argv);
int mt_cmd_infer(int argc, char **argv);
int mt_cmd_eval(int argc, char **argv);
int mt_cmd_tflite_dump(int argc, char **argv);

/* Prints "microt: <path>: <what went wrong>" for a model load failure; returns MT_EXIT_FAILURE. */
int mt_cli_model_error(const char *path, int status);

/* True when arg is -h or --help. */
int mt_cli_is_help(const char *arg);

#endif
