/* microt export-c MODEL: the model as a const, 4-byte aligned C array, for firmware that
 * has no file system, and a header with the sizes its buffers need (export_header.c).
 * The bytes are unchanged: the array goes straight to mt_model_open.
 * The generated file is data, never code from the input: identifiers come only from a
 * validated symbol, and names shown in its comment are escaped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export_header.h"
#include "file_io.h"
#include "microt/model.h"
#include "model_file.h"

#define MAX_SYMBOL_CHARS 59 /* SYMBOL_len stays within C99's 63 significant characters */

static const char USAGE[] =
    "usage: microt export-c MODEL [--symbol NAME] [-o FILE.c] [--header FILE.h]\n"
    "                       [--classes N] [--shots K]\n"
    "Validates MODEL and writes it as C source: `const uint8_t NAME[]` (4-byte aligned,\n"
    "placed in flash by any toolchain) and `const unsigned int NAME_len`, to pass to\n"
    "mt_model_open unchanged, and a header of compile-time sizes (NAME in capitals as the\n"
    "prefix): input shape and channel order, arena bytes per kernel set, feature lengths,\n"
    "MACs, and the personalization buffers for N classes x K shots (feature cache, heads,\n"
    "training/calibration scratch, head-store blob and slot), computed by the library.\n"
    "  --symbol NAME  the array's name: a C identifier (letters, digits, _), not a keyword\n"
    "                 or a reserved name, at most 59 characters. Default: the model's file\n"
    "                 name with every other character replaced by _, as `xxd -i` names it\n"
    "                 (models/mcunet-microt-64.mtm -> mcunet_microt_64_mtm)\n"
    "  -o FILE        write FILE (replaced atomically; never the model itself). Default:\n"
    "                 standard output\n"
    "  --header FILE  write the header there (default: FILE.c's name with .h; none when the\n"
    "                 array goes to standard output)\n"
    "  --classes N    classes of the personalization budget, 2..64 (default 10)\n"
    "  --shots K      samples per class the feature cache holds, 1..10000 (default 10)\n";

/* C89..C23 keywords and alternative spellings, plus main: a symbol must be none of these. */
static const char *const RESERVED[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "alignas", "alignof", "bool", "constexpr",
    "false", "nullptr", "static_assert", "thread_local", "true", "typeof", "typeof_unqual",
    "asm", "fortran", "main", NULL};

/* NULL when s may name the array, else why not. */
static const char *symbol_problem(const char *s) {
    size_t len = strlen(s);
    if (len == 0) return "empty";
    if (len > MAX_SYMBOL_CHARS) return "longer than 59 characters";
    if (s[0] >= '0' && s[0] <= '9') return "starting with a digit";
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_';
        if (!ok) return "not a C identifier (letters, digits and _ only)";
    }
    if (s[0] == '_' && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z'))) {
        return "reserved for the implementation (__ or _ and a capital letter first)";
    }
    for (int i = 0; RESERVED[i]; i++) {
        if (strcmp(s, RESERVED[i]) == 0) return "a C keyword";
    }
    return NULL;
}

/* The default symbol: the file's base name, every non-identifier character replaced by _,
 * and "mt_" in front when it would start with a digit or an underscore. */
static void default_symbol(const char *path, char *out, size_t cap) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t k = 0;
    if ((base[0] >= '0' && base[0] <= '9') || base[0] == '_') {
        memcpy(out, "mt_", 3);
        k = 3;
    }
    for (const char *p = base; *p && k + 1 < cap; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        out[k++] = ok ? c : '_';
    }
    out[k] = '\0';
}

/* Text from the input (a file name, the model's name) shown inside the generated comment:
 * only characters that cannot end or nest a comment, splice a line or form a trigraph are
 * kept; any other byte is written as \xNN. */
static void put_escaped(FILE *f, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 strchr(" ._-+,:=()[]#@%", *p) != NULL;
        if (ok) {
            fputc(*p, f);
        } else {
            fprintf(f, "\\x%02x", *p);
        }
    }
}

static void write_array(FILE *f, const char *sym, const char *path, const mt_model_file_t *mf) {
    const char *base = strrchr(path, '/');
    fprintf(f, "/* Generated by microt export-c from ");
    put_escaped(f, base ? base + 1 : path);
    fprintf(f, ": model \"");
    put_escaped(f, mf->model.name);
    fprintf(f, "\", fingerprint %016llx, %lu bytes.\n",
            (unsigned long long)mf->model.fingerprint, (unsigned long)mf->len);
    fprintf(f, " * Pass %s and %s_len to mt_model_open unchanged. */\n", sym, sym);
    fprintf(f, "#include <stdint.h>\n\n");
    fprintf(f, "extern const unsigned int %s_len;\n", sym);
    fprintf(f, "extern const uint8_t %s[];\n\n", sym);
    fprintf(f, "const unsigned int %s_len = %luu;\n", sym, (unsigned long)mf->len);
    fprintf(f, "const uint8_t %s[] __attribute__((aligned(4))) = {\n", sym);
    for (size_t i = 0; i < mf->len; i++) {
        fprintf(f, "%s0x%02x,%s", i % 16 == 0 ? "    " : "", mf->bytes[i],
                i % 16 == 15 || i + 1 == mf->len ? "\n" : " ");
    }
    fprintf(f, "};\n");
}

enum { OPT_SYMBOL, OPT_OUT, OPT_HEADER, OPT_CLASSES, OPT_SHOTS };
static const mt_cli_option_t OPTIONS[] = {
    {"symbol", 0, MT_OPT_VALUE, "NAME"},
    {"output", 'o', MT_OPT_VALUE, "FILE"},
    {"header", 0, MT_OPT_VALUE, "FILE"},
    {"classes", 0, MT_OPT_VALUE, "N"},
    {"shots", 0, MT_OPT_VALUE, "K"},
    {NULL, 0, 0, NULL},
};

static int write_atomic(const char *path, void (*fill)(FILE *, const void *), const void *ctx) {
    mt_file_writer_t w;
    char err[512];
    if (mt_file_writer_open(&w, path, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s\n", err);
        return MT_EXIT_FAILURE;
    }
    fill(w.f, ctx);
    if (mt_file_writer_commit(&w, err, sizeof err) != 0) {
        fprintf(stderr, "microt: %s\n", err);
        return MT_EXIT_FAILURE;
    }
    return MT_EXIT_OK;
}

typedef struct {
    const char *sym, *path;
    const mt_model_file_t *mf;
    uint32_t classes, shots;
    const mt_export_budget_t *budget;
} export_t;

static void fill_array(FILE *f, const void *ctx) {
    const export_t *e = ctx;
    write_array(f, e->sym, e->path, e->mf);
}

static void fill_header(FILE *f, const void *ctx) {
    const export_t *e = ctx;
    mt_export_header(f, e->sym, &e->mf->model, e->mf->len, e->classes, e->shots, e->budget);
}
static const mt_cli_spec_t SPEC = {"export-c", "MODEL", USAGE, OPTIONS};

static int export_model(const char *model, const char *sym, const char *out_path,
                        const char *header_path, uint32_t classes, uint32_t shots) {
    mt_model_file_t mf;
    int st = mt_model_file_load(&mf, model);
    if (st != MT_OK) return mt_cli_model_error(model, st);
    mt_export_budget_t budget;
    export_t e = {sym, model, &mf, classes, shots, &budget};
    int rc = MT_EXIT_OK;
    if (header_path && mt_export_budget(&mf.model, classes, shots, &budget) != 0) {
        fprintf(stderr, "microt: %s: cannot size the personalization buffers for %u classes x %u "
                        "shots\n", model, (unsigned)classes, (unsigned)shots);
        rc = MT_EXIT_FAILURE;
    } else if (!out_path) {
        write_array(stdout, sym, model, &mf);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "microt: cannot write standard output: %s\n", strerror(errno));
            rc = MT_EXIT_FAILURE;
        }
    } else {
        rc = write_atomic(out_path, fill_array, &e);
    }
    if (rc == MT_EXIT_OK && header_path) rc = write_atomic(header_path, fill_header, &e);
    mt_model_file_free(&mf);
    return rc;
}

/* FILE.c -> FILE.h; NULL when FILE does not end in .c (then only --header asks for one). */
static char *header_name(const char *out_path) {
    size_t n = strlen(out_path);
    if (n < 3 || strcmp(out_path + n - 2, ".c") != 0) return NULL;
    char *h = malloc(n + 1);
    if (h) {
        memcpy(h, out_path, n + 1);
        h[n - 1] = 'h';
    }
    return h;
}

static int same_file(const char *a, const char *b) { return strcmp(a, b) == 0 || mt_file_same(a, b); }

int mt_cmd_export_c(int argc, char **argv) {
    mt_cli_args_t args;
    int rc = MT_EXIT_OK;
    if (!mt_cli_parse(&SPEC, argc, argv, &args, &rc)) {
        mt_cli_args_free(&args);
        return rc;
    }
    const char *model = args.pos[0], *out_path = args.value[OPT_OUT];
    uint32_t classes = 10, shots = 10;
    if ((mt_cli_has(&args, OPT_CLASSES) &&
         mt_cli_u32(&SPEC, OPT_CLASSES, args.value[OPT_CLASSES], 2, 64, &classes) != 0) ||
        (mt_cli_has(&args, OPT_SHOTS) &&
         mt_cli_u32(&SPEC, OPT_SHOTS, args.value[OPT_SHOTS], 1, 10000, &shots) != 0)) {
        mt_cli_args_free(&args);
        return MT_EXIT_USAGE;
    }
    char *auto_header = NULL;
    const char *header = args.value[OPT_HEADER];
    if (!header && out_path) header = auto_header = header_name(out_path);
    char sym[256];
    if (mt_cli_has(&args, OPT_SYMBOL)) {
        snprintf(sym, sizeof sym, "%s", args.value[OPT_SYMBOL]);
    } else {
        default_symbol(model, sym, sizeof sym);
    }
    const char *why = strlen(sym) >= sizeof sym - 1 ? "longer than 59 characters" : symbol_problem(sym);
    if (why) {
        if (mt_cli_has(&args, OPT_SYMBOL)) {
            rc = mt_cli_usage_error(&SPEC, "--symbol '%s': %s", sym, why);
        } else {
            rc = mt_cli_usage_error(&SPEC, "the symbol '%s' from the file name: %s; name the "
                                           "array with --symbol", sym, why);
        }
    } else if (out_path && same_file(out_path, model)) {
        rc = mt_cli_usage_error(&SPEC, "-o '%s' is the model itself; choose another file",
                                out_path);
    } else if (header && same_file(header, model)) {
        rc = mt_cli_usage_error(&SPEC, "--header '%s' is the model itself; choose another file",
                                header);
    } else if (header && out_path && same_file(header, out_path)) {
        rc = mt_cli_usage_error(&SPEC, "--header '%s' is also the -o file", header);
    } else {
        rc = export_model(model, sym, out_path, header, classes, shots);
    }
    free(auto_header);
    mt_cli_args_free(&args);
    return rc;
}
