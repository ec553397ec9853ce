/* The model-file offsets the code uses (src/model_format.h) against the format's document
 * (docs/model-format.md): every header, tensor-record and op-record field named in the
 * header has a table row in the document with the same offset, type and name, and the
 * document has no row the header lacks. Also the record sizes (model.h) against the last
 * field of each table.
 * usage: test_model_format docs/model-format.md */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/model_format.h"
#include "microt/model.h"
#include "test_util.h"

typedef struct {
    const char *name;
    int offset;
    const char *type, *doc;
} field_t;

#define ROW(name, off, type, doc) {#name, off, type, doc},
static const field_t k_header[] = {MT_HDR_FIELDS(ROW)};
static const field_t k_tensor[] = {MT_TENSOR_REC_FIELDS(ROW)};
static const field_t k_op[] = {MT_OP_REC_FIELDS(ROW)};
#undef ROW

#define MAX_ROWS 64
typedef struct {
    int offset;
    char type[64], name[64];
} doc_row_t;

/* The cells of a table row "| a | b | c | ..." (first three), trimmed. */
static int split_row(const char *line, char cells[3][64]) {
    int n = 0;
    const char *p = strchr(line, '|');
    while (p && n < 3) {
        const char *q = strchr(p + 1, '|');
        if (!q) break;
        while (p + 1 < q && isspace((unsigned char)p[1])) p++;
        size_t len = (size_t)(q - p - 1);
        while (len > 0 && isspace((unsigned char)p[len])) len--;
        if (len >= 64) len = 63;
        memcpy(cells[n], p + 1, len);
        cells[n][len] = '\0';
        n++;
        p = q;
    }
    return n;
}

/* Rows with a numeric first cell in the section that starts with `heading`. */
static int doc_rows(const char *text, const char *heading, doc_row_t *rows) {
    const char *s = strstr(text, heading);
    int n = 0;
    if (!s) return -1;
    s = strchr(s, '\n');
    while (s && *s) {
        const char *line = s + 1, *end = strchr(line, '\n');
        if (strncmp(line, "## ", 3) == 0) break;
        char cells[3][64];
        if (line[0] == '|' && split_row(line, cells) == 3 && isdigit((unsigned char)cells[0][0]) &&
            n < MAX_ROWS) {
            rows[n].offset = atoi(cells[0]);
            snprintf(rows[n].type, sizeof rows[n].type, "%s", cells[1]);
            /* the field name is the third cell's first word, without backticks or a colon */
            size_t k = 0;
            for (const char *c = cells[2]; *c && !isspace((unsigned char)*c) && *c != ':' &&
                                           *c != '=' && k + 1 < sizeof rows[n].name; c++) {
                if (*c != '`') rows[n].name[k++] = *c;
            }
            rows[n].name[k] = '\0';
            n++;
        }
        s = end;
    }
    return n;
}

static void check_table(const char *text, const char *heading, const field_t *f, int n_f,
                        int record_bytes) {
    doc_row_t rows[MAX_ROWS];
    int n = doc_rows(text, heading, rows);
    if (!CHECK(n >= 0)) {
        printf("  no section \"%s\" in the document\n", heading);
        return;
    }
    CHECK_EQ(n, n_f);
    for (int i = 0; i < n_f; i++) {
        int found = 0;
        for (int r = 0; r < n; r++) {
            if (rows[r].offset == f[i].offset) {
                found = 1;
                if (!CHECK(strcmp(rows[r].type, f[i].type) == 0 && strcmp(rows[r].name, f[i].doc) == 0)) {
                    printf("  %s at %d: document says %s %s, header says %s %s\n", f[i].name,
                           f[i].offset, rows[r].type, rows[r].name, f[i].type, f[i].doc);
                }
            }
        }
        if (!CHECK(found)) printf("  %s (offset %d) has no row in \"%s\"\n", f[i].name, f[i].offset, heading);
    }
    /* offsets increase and the last field ends at the record size */
    for (int i = 1; i < n_f; i++) CHECK(f[i].offset > f[i - 1].offset);
    int elem = 1, count = 1;
    const char *t = f[n_f - 1].type;
    if (strstr(t, "16")) elem = 2;
    if (strstr(t, "32")) elem = 4;
    if (strstr(t, "64")) elem = 8;
    const char *br = strchr(t, '[');
    if (br) count = atoi(br + 1);
    CHECK_EQ(f[n_f - 1].offset + elem * count, record_bytes);
}

int main(int argc, char **argv) {
    size_t len;
    uint8_t *text;
    if (!CHECK(argc == 2) || !CHECK((text = mt_read_file(argv[1], &len)) != NULL)) {
        return mt_test_summary("test_model_format");
    }
    char *doc = malloc(len + 1);
    if (!CHECK(doc != NULL)) return mt_test_summary("test_model_format");
    memcpy(doc, text, len);
    doc[len] = '\0';
    check_table(doc, "## Header", k_header, (int)(sizeof k_header / sizeof k_header[0]),
                MT_MODEL_HEADER_BYTES);
    check_table(doc, "## Tensor record", k_tensor, (int)(sizeof k_tensor / sizeof k_tensor[0]),
                MT_TENSOR_RECORD_BYTES);
    check_table(doc, "## Op record", k_op, (int)(sizeof k_op / sizeof k_op[0]), MT_OP_RECORD_BYTES);
    printf("model format: %d header, %d tensor-record, %d op-record fields match the document\n",
           (int)(sizeof k_header / sizeof k_header[0]), (int)(sizeof k_tensor / sizeof k_tensor[0]),
           (int)(sizeof k_op / sizeof k_op[0]));
    free(doc);
    free(text);
    return mt_test_summary("test_model_format");
}
