/* libFuzzer target for the CLI's argument handling (tools/cli.c, tools/class_names.c): an
 * option table and a command line, both from the input, go through mt_cli_parse (glibc
 * getopt_long underneath) and the value parsers; whatever the bytes, no crash or undefined
 * behaviour, and when the parser accepts a line its result keeps the table's promises
 * (required options present, values non-empty, the positional count the synopsis allows,
 * positionals in their order); when it refuses, the exit code is 0 (help), 1 or 2. Run with
 * -close_fd_mask=3: the parser's messages are not wanted here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/class_names.h"
#include "../../tools/cli.h"
#include "fuzz_common.h"

static const char *const NAMES[] = {"stage", "standardize", "quiet", "train", "test", "labels",
                                    "names", "output", "ratio", "shots", "seed", "task",
                                    "max-pixels", "strict", "symbol", "board", "a", "ab", "abc",
                                    "s", "st", "sta"};
enum { N_NAMES = sizeof NAMES / sizeof NAMES[0] };
static const char *const SYNOPSES[] = {"MODEL", "MODEL IMAGE...", "MODEL HEAD", "MODEL HEAD IMAGE...",
                                       "", "[X]", "A [B...]"};
enum { N_SYN = sizeof SYNOPSES / sizeof SYNOPSES[0] };
/* min/max positionals of each synopsis, written out independently of the parser's reading */
static const int SYN_MIN[N_SYN] = {1, 2, 2, 3, 0, 0, 1};
static const int SYN_MAX[N_SYN] = {1, -1, 2, -1, 0, 1, -1};

#define MAX_ARGS 48
#define MAX_CLASSES 64

static void check_values(const mt_cli_spec_t *spec, const char *s) {
    uint32_t u32;
    uint64_t u64;
    double d;
    float f;
    int k;
    if (mt_cli_u32(spec, 0, s, 1, 1000, &u32) == 0 && (u32 < 1 || u32 > 1000)) mt_fuzz_fail("u32 %u", u32);
    if (mt_cli_u64(spec, 0, s, 0, UINT64_MAX, &u64) == 0 && (s[0] < '0' || s[0] > '9')) mt_fuzz_fail("u64 of '%s'", s);
    if (mt_cli_double(spec, 0, s, -1.0, 1.0, &d) == 0 && !(isfinite(d) && d >= -1.0 && d <= 1.0)) mt_fuzz_fail("double %g", d);
    if (mt_cli_float(spec, 0, s, 0.0f, 2.0f, &f) == 0 && !(isfinite(f) && f >= 0.0f && f <= 2.0f)) mt_fuzz_fail("float %g", (double)f);
    static const char *const CHOICES[] = {"part", "full", "both", NULL};
    if (mt_cli_choice(spec, 0, s, CHOICES, &k) == 0 && strcmp(s, CHOICES[k]) != 0) mt_fuzz_fail("choice");
}

static void check_names(const char *s, const char *t) {
    char a[MAX_CLASSES][MT_NAME_BYTES], b[MAX_CLASSES][MT_NAME_BYTES];
    char err[512];
    int na = mt_class_names_parse(s, a, MAX_CLASSES, err, sizeof err);
    int nb = mt_class_names_parse(t, b, MAX_CLASSES, err, sizeof err);
    if (na < 0 || nb < 0) return;
    for (int i = 0; i < na; i++) {
        if (!a[i][0] || strlen(a[i]) >= MT_NAME_BYTES || strchr(a[i], ',')) mt_fuzz_fail("name");
    }
    uint16_t map[MAX_CLASSES];
    for (int by_pos = 0; by_pos < 2; by_pos++) {
        if (mt_class_names_match((const char (*)[MT_NAME_BYTES])a, (uint16_t)na,
                                 (const char (*)[MT_NAME_BYTES])b, (uint16_t)nb, by_pos, map, err,
                                 sizeof err) != 0) {
            continue;
        }
        for (int c = 0; c < na; c++) {
            if (map[c] >= nb || (!by_pos && strcmp(a[c], b[map[c]]) != 0)) mt_fuzz_fail("map");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mt_fuzz_bytes_t in = {data, size};
    mt_cli_option_t opts[14];
    int n_opt = mt_fuzz_range(&in, 0, 12), used[N_NAMES] = {0}, k = 0;
    for (int i = 0; i < n_opt; i++) {
        int name = mt_fuzz_range(&in, 0, N_NAMES - 1);
        uint8_t fl = mt_fuzz_u8(&in);
        if (used[name]) continue; /* a table never repeats a name */
        used[name] = 1;
        char sh = (fl & 0x80) ? NAMES[name][0] : 0; /* short forms may clash: so do tables' bugs */
        for (int j = 0; j < k; j++) {
            if (sh && opts[j].short_name == sh) sh = 0;
        }
        opts[k++] = (mt_cli_option_t){NAMES[name], sh, fl & 7u, (fl & 8) ? "VALUE" : NULL};
    }
    opts[k] = (mt_cli_option_t){NULL, 0, 0, NULL};
    int syn = mt_fuzz_range(&in, 0, N_SYN - 1);
    mt_cli_spec_t spec = {"fuzz", SYNOPSES[syn], "usage: microt fuzz\n", opts};

    /* The rest: NUL-separated arguments (argv[0] is the command). */
    char *text = malloc(in.n + 1);
    if (!text) return 0;
    memcpy(text, in.p, in.n);
    text[in.n] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "fuzz";
    for (size_t pos = 0; pos <= in.n && argc < MAX_ARGS + 1;) {
        argv[argc++] = text + pos;
        pos += strlen(text + pos) + 1;
    }
    argv[argc] = NULL;
    char *orig[MAX_ARGS + 2];
    memcpy(orig, argv, sizeof argv);

    mt_cli_args_t args;
    int code = -1;
    if (mt_cli_parse(&spec, argc, argv, &args, &code)) {
        if (code != MT_EXIT_OK) mt_fuzz_fail("accepted with code %d", code);
        for (int i = 0; i < k; i++) {
            if ((opts[i].flags & MT_OPT_REQUIRED) && args.count[i] == 0) mt_fuzz_fail("required");
            if (args.count[i] > 0 && !args.value[i]) mt_fuzz_fail("no value");
            if (args.count[i] > 0 && (opts[i].flags & MT_OPT_VALUE) && !args.value[i][0]) mt_fuzz_fail("empty value");
            if (args.count[i] > 1 && (opts[i].flags & MT_OPT_VALUE) && !(opts[i].flags & MT_OPT_REPEAT)) mt_fuzz_fail("twice");
        }
        if (args.n_pos < SYN_MIN[syn] || (SYN_MAX[syn] >= 0 && args.n_pos > SYN_MAX[syn])) {
            mt_fuzz_fail("%d positionals for '%s'", args.n_pos, SYNOPSES[syn]);
        }
        int next = 1; /* positionals keep their order among the arguments */
        for (int p = 0; p < args.n_pos; p++) {
            while (next < argc && orig[next] != args.pos[p]) next++;
            if (next == argc) mt_fuzz_fail("positional %d out of order", p);
            next++;
        }
        for (int p = 0; p < args.n_pos; p++) check_values(&spec, args.pos[p]);
        if (args.n_pos >= 2) check_names(args.pos[0], args.pos[1]);
        for (int i = 0; i < k; i++) {
            if (args.value[i] && args.value[i][0]) check_values(&spec, args.value[i]);
        }
    } else if (code != MT_EXIT_OK && code != MT_EXIT_FAILURE && code != MT_EXIT_USAGE) {
        mt_fuzz_fail("exit code %d", code);
    }
    mt_cli_args_free(&args);
    if (argc > 2) {
        unsigned d1 = mt_cli_edit_distance(argv[1], argv[2]), d2 = mt_cli_edit_distance(argv[2], argv[1]);
        if (d1 != d2 || mt_cli_edit_distance(argv[1], argv[1]) != 0) mt_fuzz_fail("distance");
    }
    free(text);
    return 0;
}

static int seed(const char *dir, const char *name, const uint8_t *head, size_t hl, const char *args,
                size_t al) {
    uint8_t buf[512];
    memcpy(buf, head, hl);
    memcpy(buf + hl, args, al);
    return mt_fuzz_write(dir, name, buf, hl + al);
}

/* Seeds: personalize- and run-like tables with typical lines (NUL-separated). */
int mt_fuzz_seeds(const char *dir) {
    /* n_opt, then (name, flags) pairs, then the synopsis index */
    static const uint8_t personalize[] = {5, 3, 0x0B, 7, 0x8B, 8, 0x09, 9, 0x09, 2, 0x00, 0};
    static const uint8_t run[] = {2, 0, 0x09, 2, 0x00, 1};
    static const char a1[] = "m.mtm\0--train\0dir\0-o\0h\0--ratio\0" "0.5\0--shots=10\0--quiet";
    static const char a2[] = "m.mtm\0--trian\0dir\0-oh\0--ratio\0" "2\0--shots\0" "0";
    static const char a3[] = "m.mtm\0a.png\0--stage\0part\0b.png\0--\0--quiet";
    static const char a4[] = "m.mtm\0a.png\0--sta\0--stage=full\0--quiet=1\0-x";
    static const char a5[] = "A,B,C\0C,A,B\0--help";
    return seed(dir, "personalize-ok", personalize, sizeof personalize, a1, sizeof a1 - 1) ||
           seed(dir, "personalize-bad", personalize, sizeof personalize, a2, sizeof a2 - 1) ||
           seed(dir, "run-ok", run, sizeof run, a3, sizeof a3 - 1) ||
           seed(dir, "run-bad", run, sizeof run, a4, sizeof a4 - 1) ||
           seed(dir, "names", run, sizeof run, a5, sizeof a5 - 1);
}
