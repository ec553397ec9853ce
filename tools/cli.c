/* The CLI's shared helpers (see cli.h): option parsing through glibc getopt_long with
 * microt's own one-line messages, value parsers, the version and model-error lines.
 * Never exits: every outcome is returned to the command. */
#define _GNU_SOURCE /* getopt_long */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microt/status.h"
#include "model_file.h"

#ifndef MT_VERSION_STRING
#define MT_VERSION_STRING "unknown"
#endif

/* Option values handed out by getopt_long: long options get 256 + their index (short ones
 * come back as their character); --help and --version follow the table's options. */
#define VAL_BASE 256
#define VAL_HELP (VAL_BASE + MT_CLI_MAX_OPTIONS)
#define VAL_VERSION (VAL_HELP + 1)

void mt_cli_print_version(void) {
    printf("microt %s (reads .mtm model format 1)\n", MT_VERSION_STRING);
}

int mt_cli_is_help(const char *arg) {
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int mt_cli_model_error(const char *path, int status) {
    if (status == MT_E_ARG) {
        fprintf(stderr, "microt: %s: %s\n", path, mt_file_error());
    } else {
        fprintf(stderr, "microt: %s: %s\n", path, mt_strerror(status));
    }
    return MT_EXIT_FAILURE;
}

static void vreport(const mt_cli_spec_t *spec, const char *fmt, va_list ap) {
    fprintf(stderr, "microt %s: ", spec->command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "; see 'microt %s --help'\n", spec->command);
}

int mt_cli_usage_error(const mt_cli_spec_t *spec, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(spec, fmt, ap);
    va_end(ap);
    return MT_EXIT_USAGE;
}

/* "-o" for options with a short form (as users type them), else "--name". */
static const char *display_name(const mt_cli_option_t *o, char *buf, size_t len) {
    if (o->short_name) {
        snprintf(buf, len, "-%c", o->short_name);
    } else {
        snprintf(buf, len, "--%s", o->name);
    }
    return buf;
}

static int n_options(const mt_cli_option_t *opts) {
    int n = 0;
    while (opts[n].name) n++;
    return n;
}

unsigned mt_cli_edit_distance(const char *a, const char *b) {
    enum { MAX = 40 };
    size_t la = strlen(a), lb = strlen(b);
    if (strcmp(a, b) == 0) return 0;
    if (la >= MAX || lb >= MAX) return MAX; /* "far": no suggestion is made for such names */
    unsigned d[MAX + 1][MAX + 1];
    for (size_t i = 0; i <= la; i++) d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1; /* a transposition: "trian" -> "train" */
            }
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* A long option the user wrote that getopt_long refused: ambiguous, unknown, or a value
 * given to a flag. `arg` is the whole argument ("--trian", "--quiet=1"). */
static void report_long(const mt_cli_spec_t *spec, const char *arg, int takes_no_value_val) {
    int n = n_options(spec->options);
    char name[64];
    const char *body = strncmp(arg, "--", 2) == 0 ? arg + 2 : arg;
    size_t len = strcspn(body, "=");
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, body, len);
    name[len] = '\0';
    if (takes_no_value_val >= VAL_BASE) {
        int i = takes_no_value_val - VAL_BASE;
        const char *what = i < n ? spec->options[i].name
                           : takes_no_value_val == VAL_HELP ? "help" : "version";
        mt_cli_usage_error(spec, "option '--%s' takes no value", what);
        return;
    }
    /* Ambiguous abbreviation: two or more options start with what was written. */
    char cands[256] = "";
    int n_match = 0;
    for (int i = 0; i < n; i++) {
        if (len > 0 && strncmp(spec->options[i].name, name, len) == 0) {
            size_t used = strlen(cands);
            snprintf(cands + used, sizeof cands - used, "%s--%s", n_match ? ", " : "",
                     spec->options[i].name);
            n_match++;
        }
    }
    if (n_match >= 2) {
        mt_cli_usage_error(spec, "ambiguous option '--%s' (could be %s)", name, cands);
        return;
    }
    /* Unknown: suggest the closest option name when it is close enough to be a typo. */
    unsigned best = 3;
    const char *suggest = NULL;
    for (int i = 0; i < n; i++) {
        unsigned dist = mt_cli_edit_distance(name, spec->options[i].name);
        if (dist < best && dist * 3 <= strlen(spec->options[i].name) + 1) {
            best = dist;
            suggest = spec->options[i].name;
        }
    }
    if (suggest) {
        mt_cli_usage_error(spec, "unknown option '--%s' (did you mean '--%s'?)", name, suggest);
    } else {
        mt_cli_usage_error(spec, "unknown option '--%s'", name);
    }
}

/* One token of the synopsis, without brackets and dots: "[IMAGE...]" -> "IMAGE". */
typedef struct {
    char name[32];
    int optional, repeat;
} pos_token_t;

static int parse_synopsis(const char *syn, pos_token_t *tok, int max) {
    int n = 0;
    while (syn && *syn && n < max) {
        while (*syn == ' ') syn++;
        size_t len = strcspn(syn, " ");
        if (len == 0) break;
        pos_token_t *t = &tok[n++];
        t->optional = syn[0] == '[';
        t->repeat = len >= 3 && strstr(syn, "...") && (size_t)(strstr(syn, "...") - syn) < len;
        size_t k = 0;
        for (size_t i = 0; i < len && k + 1 < sizeof t->name; i++) {
            if (syn[i] != '[' && syn[i] != ']' && syn[i] != '.') t->name[k++] = syn[i];
        }
        t->name[k] = '\0';
        syn += len;
    }
    return n;
}

/* Checks the number of positionals against the synopsis. */
static int check_positionals(const mt_cli_spec_t *spec, const mt_cli_args_t *args) {
    pos_token_t tok[8];
    int n_tok = parse_synopsis(spec->synopsis, tok, 8);
    int required = 0, unbounded = 0;
    for (int i = 0; i < n_tok; i++) {
        if (!tok[i].optional) required++;
        if (tok[i].repeat) unbounded = 1;
    }
    if (args->n_pos < required) {
        int seen = 0;
        for (int i = 0; i < n_tok; i++) {
            if (tok[i].optional) continue;
            if (seen++ == args->n_pos) {
                mt_cli_usage_error(spec, "missing %s (usage: microt %s %s)", tok[i].name,
                                   spec->command, spec->synopsis);
                return -1;
            }
        }
    }
    if (!unbounded && args->n_pos > n_tok) {
        mt_cli_usage_error(spec, "unexpected argument '%s' (usage: microt %s %s)",
                           args->pos[n_tok], spec->command, spec->synopsis);
        return -1;
    }
    return 0;
}

static int index_of_short(const mt_cli_option_t *opts, int c) {
    for (int i = 0; opts[i].name; i++) {
        if (opts[i].short_name && opts[i].short_name == c) return i;
    }
    return -1;
}

int mt_cli_parse(const mt_cli_spec_t *spec, int argc, char **argv, mt_cli_args_t *args,
                 int *exit_code) {
    memset(args, 0, sizeof *args);
    *exit_code = MT_EXIT_USAGE;
    int n = n_options(spec->options);
    if (n > MT_CLI_MAX_OPTIONS) { /* a programming error, caught by the CLI tests */
        fprintf(stderr, "microt %s: too many options in the table\n", spec->command);
        *exit_code = MT_EXIT_FAILURE;
        return 0;
    }
    struct option longopts[MT_CLI_MAX_OPTIONS + 3];
    /* "-": positionals come back in order as 1 (no permutation, whatever POSIXLY_CORRECT
     * says); ":": a missing value is reported as ':' and nothing is printed. */
    char shortopts[4 + 3 * MT_CLI_MAX_OPTIONS + 2] = "-:";
    size_t sl = 2;
    for (int i = 0; i < n; i++) {
        const mt_cli_option_t *o = &spec->options[i];
        longopts[i].name = o->name;
        longopts[i].has_arg = (o->flags & MT_OPT_VALUE) ? required_argument : no_argument;
        longopts[i].flag = NULL;
        longopts[i].val = VAL_BASE + i;
        if (o->short_name) {
            shortopts[sl++] = o->short_name;
            if (o->flags & MT_OPT_VALUE) shortopts[sl++] = ':';
        }
    }
    shortopts[sl++] = 'h';
    shortopts[sl] = '\0';
    longopts[n] = (struct option){"help", no_argument, NULL, VAL_HELP};
    longopts[n + 1] = (struct option){"version", no_argument, NULL, VAL_VERSION};
    longopts[n + 2] = (struct option){NULL, 0, NULL, 0};

    args->pos = malloc(((size_t)(argc > 0 ? argc : 0) + 1) * sizeof *args->pos);
    if (!args->pos) {
        fprintf(stderr, "microt %s: out of memory\n", spec->command);
        *exit_code = MT_EXIT_FAILURE;
        return 0;
    }
    opterr = 0;
    optind = 0; /* glibc: 0 re-initializes the scanner completely */
    char buf[64];
    for (;;) {
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c == -1) break;
        if (c == 1) {
            args->pos[args->n_pos++] = optarg;
            continue;
        }
        if (c == 'h' || c == VAL_HELP) {
            fputs(spec->usage, stdout);
            *exit_code = MT_EXIT_OK;
            return 0;
        }
        if (c == VAL_VERSION) {
            mt_cli_print_version();
            *exit_code = MT_EXIT_OK;
            return 0;
        }
        if (c == ':') { /* a value option at the end of the line */
            int i = optopt >= VAL_BASE ? optopt - VAL_BASE : index_of_short(spec->options, optopt);
            if (i >= 0 && i < n) {
                const mt_cli_option_t *o = &spec->options[i];
                mt_cli_usage_error(spec, "option '%s' needs a value%s%s%s",
                                   display_name(o, buf, sizeof buf), o->value_name ? " (" : "",
                                   o->value_name ? o->value_name : "", o->value_name ? ")" : "");
            } else {
                mt_cli_usage_error(spec, "an option needs a value");
            }
            return 0;
        }
        if (c == '?') {
            const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
            if (optopt >= VAL_BASE || (optopt == 0 && strncmp(arg, "--", 2) == 0)) {
                report_long(spec, arg, optopt);
            } else if (optopt > 0 && optopt < 128 && isprint(optopt)) {
                mt_cli_usage_error(spec, "unknown option '-%c'", optopt);
            } else {
                mt_cli_usage_error(spec, "unknown option '%s'", arg);
            }
            return 0;
        }
        int i = c >= VAL_BASE ? c - VAL_BASE : index_of_short(spec->options, c);
        if (i < 0 || i >= n) {
            mt_cli_usage_error(spec, "unknown option");
            return 0;
        }
        const mt_cli_option_t *o = &spec->options[i];
        if (args->count[i] > 0 && (o->flags & MT_OPT_VALUE) && !(o->flags & MT_OPT_REPEAT)) {
            mt_cli_usage_error(spec, "option '%s' given twice", display_name(o, buf, sizeof buf));
            return 0;
        }
        if ((o->flags & MT_OPT_VALUE) && (!optarg || optarg[0] == '\0')) {
            mt_cli_usage_error(spec, "option '%s' needs a non-empty value",
                               display_name(o, buf, sizeof buf));
            return 0;
        }
        args->count[i]++;
        args->value[i] = (o->flags & MT_OPT_VALUE) ? optarg : "";
    }
    for (int k = optind; k < argc; k++) args->pos[args->n_pos++] = argv[k]; /* after "--" */
    for (int i = 0; i < n; i++) {
        const mt_cli_option_t *o = &spec->options[i];
        if ((o->flags & MT_OPT_REQUIRED) && args->count[i] == 0) {
            mt_cli_usage_error(spec, "missing %s%s%s", display_name(o, buf, sizeof buf),
                               o->value_name ? " " : "", o->value_name ? o->value_name : "");
            return 0;
        }
    }
    if (check_positionals(spec, args) != 0) return 0;
    *exit_code = MT_EXIT_OK;
    return 1;
}

void mt_cli_args_free(mt_cli_args_t *args) {
    free(args->pos);
    memset(args, 0, sizeof *args);
}

int mt_cli_has(const mt_cli_args_t *args, int opt) {
    return opt >= 0 && opt < MT_CLI_MAX_OPTIONS && args->count[opt] > 0;
}

static const char *opt_name(const mt_cli_spec_t *spec, int opt, char *buf, size_t len) {
    return display_name(&spec->options[opt], buf, len);
}

static int parse_whole(const char *s, unsigned long long *v) {
    if (!s || !isdigit((unsigned char)s[0])) return -1; /* no sign, no space, no empty */
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno || *end ? -1 : 0;
}

int mt_cli_u64(const mt_cli_spec_t *spec, int opt, const char *s, uint64_t lo, uint64_t hi,
               uint64_t *out) {
    unsigned long long v;
    char buf[64];
    if (parse_whole(s, &v) != 0 || v < lo || v > hi) {
        if (hi == UINT64_MAX || hi == UINT32_MAX) {
            mt_cli_usage_error(spec, "%s '%s': must be a whole number of at least %llu",
                               opt_name(spec, opt, buf, sizeof buf), s ? s : "",
                               (unsigned long long)lo);
        } else {
            mt_cli_usage_error(spec, "%s '%s': must be a whole number from %llu to %llu",
                               opt_name(spec, opt, buf, sizeof buf), s ? s : "",
                               (unsigned long long)lo, (unsigned long long)hi);
        }
        return -1;
    }
    *out = v;
    return 0;
}

int mt_cli_u32(const mt_cli_spec_t *spec, int opt, const char *s, uint32_t lo, uint32_t hi,
               uint32_t *out) {
    uint64_t v;
    if (mt_cli_u64(spec, opt, s, lo, hi, &v) != 0) return -1;
    *out = (uint32_t)v;
    return 0;
}

int mt_cli_double(const mt_cli_spec_t *spec, int opt, const char *s, double lo, double hi,
                  double *out) {
    char *end = NULL;
    double v = 0.0;
    int ok = s && s[0] && !isspace((unsigned char)s[0]);
    if (ok) {
        v = strtod(s, &end);
        ok = end != s && *end == '\0' && isfinite(v) && v >= lo && v <= hi;
    }
    if (!ok) {
        char buf[64];
        mt_cli_usage_error(spec, "%s '%s': must be a number from %g to %g",
                           opt_name(spec, opt, buf, sizeof buf), s ? s : "", lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int mt_cli_float(const mt_cli_spec_t *spec, int opt, const char *s, float lo, float hi, float *out) {
    char *end = NULL;
    float v = 0.0f;
    int ok = s && s[0] && !isspace((unsigned char)s[0]);
    if (ok) {
        v = strtof(s, &end);
        ok = end != s && *end == '\0' && isfinite(v) && v >= lo && v <= hi;
    }
    if (!ok) {
        char buf[64];
        mt_cli_usage_error(spec, "%s '%s': must be a number from %g to %g",
                           opt_name(spec, opt, buf, sizeof buf), s ? s : "", (double)lo, (double)hi);
        return -1;
    }
    *out = v;
    return 0;
}

int mt_cli_choice(const mt_cli_spec_t *spec, int opt, const char *s, const char *const *choices,
                  int *out) {
    for (int i = 0; choices[i]; i++) {
        if (s && strcmp(s, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char list[256] = "", buf[64];
    for (int i = 0; choices[i]; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? (choices[i + 1] ? ", " : " or ") : "",
                 choices[i]);
    }
    mt_cli_usage_error(spec, "%s '%s': must be %s", opt_name(spec, opt, buf, sizeof buf),
                       s ? s : "", list);
    return -1;
}
