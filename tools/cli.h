/* Shared pieces of the microt CLI's sub-commands: the exit codes, one option parser for every
 * command (glibc getopt_long underneath, with microt's own one-line messages), number and
 * choice parsers that name the option and the mistake, and the model-load error message.
 * Host only; prints to stdout/stderr. */
#ifndef MICROT_TOOLS_CLI_H
#define MICROT_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>

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
int mt_cmd_import(int argc, char **argv);

/* True when path starts like a TFLite flatbuffer ("TFL3" at bytes 4..7). */
int mt_tflite_is_file(const char *path);
/* `microt inspect MODEL.tflite`: ops, MACs and the split candidates (tflite_inspect.c). */
int mt_tflite_inspect(const char *path);

/* "microt 0.1.0" and what it reads; `microt --version` and `microt CMD --version`. */
void mt_cli_print_version(void);

/* Prints "microt: <path>: <what went wrong>" for a mt_model_file_load failure (an unreadable
 * file is described by mt_file_error()); returns MT_EXIT_FAILURE. */
int mt_cli_model_error(const char *path, int status);

/* True when arg is -h or --help. */
int mt_cli_is_help(const char *arg);

/* ---- Option parsing ----
 * A command lists its options in a table (ended by a zero entry) and its positional
 * arguments in a synopsis such as "MODEL IMAGE..." ("X..." = one or more, "[X]" = optional,
 * "[X...]" = any number). mt_cli_parse accepts options and positionals in any order, "--"
 * ends the options, and --help/-h and --version are understood by every command. Each
 * mistake is one line on stderr that names the option or argument and the problem, and
 * points to `microt CMD --help`:
 *   microt run: unknown option '--trian' (did you mean '--train'?); see 'microt run --help'
 * Option values are never empty; a value option given twice is an error unless MT_OPT_REPEAT
 * (a flag may repeat). */
enum {
    MT_OPT_VALUE = 1u,    /* takes a value: --name VALUE or --name=VALUE (-o VALUE, -oVALUE) */
    MT_OPT_REQUIRED = 2u, /* must be given */
    MT_OPT_REPEAT = 4u    /* may be given more than once (the last value wins) */
};

typedef struct {
    const char *name;       /* long name without the dashes ("stage"); NULL ends the table */
    char short_name;        /* 'o', or 0 */
    unsigned flags;         /* MT_OPT_* */
    const char *value_name; /* "PATH" in messages such as "missing -o PATH", or NULL */
} mt_cli_option_t;

typedef struct {
    const char *command;             /* "run": messages read "microt run: ..." */
    const char *synopsis;            /* positionals: "MODEL IMAGE..." */
    const char *usage;               /* the --help text, printed to stdout */
    const mt_cli_option_t *options;  /* the table; an option's index is its id */
} mt_cli_spec_t;

#define MT_CLI_MAX_OPTIONS 32

typedef struct {
    const char *value[MT_CLI_MAX_OPTIONS]; /* by option index: its value, "" for a flag, or NULL */
    unsigned count[MT_CLI_MAX_OPTIONS];    /* how many times it was given */
    char **pos;                            /* positionals, in order (malloc'ed array) */
    int n_pos;
} mt_cli_args_t;

/* Parses argv[1..argc) (argv[0] is the command's name) into args. Returns 1 when the command
 * should go on; otherwise 0 with *exit_code set: MT_EXIT_OK after --help or --version (the
 * text went to stdout), MT_EXIT_USAGE after a usage error (one line on stderr), or
 * MT_EXIT_FAILURE when out of memory. args must be released with mt_cli_args_free either way.
 * Not reentrant (getopt_long's state is global). */
int mt_cli_parse(const mt_cli_spec_t *spec, int argc, char **argv, mt_cli_args_t *args,
                 int *exit_code);
void mt_cli_args_free(mt_cli_args_t *args);

/* True when option `opt` (its index in the table) was given. */
int mt_cli_has(const mt_cli_args_t *args, int opt);

/* Prints "microt CMD: <message>; see 'microt CMD --help'" on stderr and returns
 * MT_EXIT_USAGE, for mistakes only the command can see (two options that exclude each
 * other, a value outside a set that depends on the model, ...). */
int mt_cli_usage_error(const mt_cli_spec_t *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Value parsers: return 0 and set *out, or print a usage error naming the option (by its
 * table index) and the value, and return -1. Whole numbers are decimal, with no sign, space
 * or suffix; numbers must be finite. */
int mt_cli_u32(const mt_cli_spec_t *spec, int opt, const char *s, uint32_t lo, uint32_t hi,
               uint32_t *out);
int mt_cli_u64(const mt_cli_spec_t *spec, int opt, const char *s, uint64_t lo, uint64_t hi,
               uint64_t *out);
int mt_cli_double(const mt_cli_spec_t *spec, int opt, const char *s, double lo, double hi,
                  double *out);
/* The same for a float, rounded once from the decimal text (strtof). */
int mt_cli_float(const mt_cli_spec_t *spec, int opt, const char *s, float lo, float hi, float *out);
/* choices: a NULL-terminated list; *out is the index of the value. */
int mt_cli_choice(const mt_cli_spec_t *spec, int opt, const char *s, const char *const *choices,
                  int *out);

/* Damerau-Levenshtein distance of two short strings (used for "did you mean"); capped. */
unsigned mt_cli_edit_distance(const char *a, const char *b);

#endif
