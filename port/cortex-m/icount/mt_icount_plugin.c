/* QEMU TCG plugin (host C, shared object) counting executed guest instructions exactly,
 * in total and per bracketed region (mt_count_begin/mt_count_end, see mt_count.h).
 * Declares the few plugin-API v1 entry points of QEMU 7.2 itself: no QEMU or glib headers.
 * Arguments (-plugin mt_icount.so,ARG=VAL,...):
 *   marks=0xADDR   address of the guest's mt_count_marks table (arm-none-eabi-nm finds it)
 *   mode=tb|insn   add counts once per translated block (default, fast) or per instruction
 *   out=FILE       write the report to FILE instead of QEMU's log (stderr)
 *   trace=on       also report every region as it ends */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin API, version 1 (include/qemu/qemu-plugin.h of QEMU 7.2) ---- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t; /* not used: treated as opaque */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv);
/* ---- end of the API declarations ---- */

/* The guest's mark table: MT_COUNT_IDS "bx lr" stubs (2 bytes each) for begin, then as many
 * for end. Keep in sync with mt_count.c. */
#define MT_COUNT_IDS 256u
#define STUB_BYTES 2u

typedef struct {
    uint64_t calls, total, min, max, start;
    int open;
} region_t;

/* QEMU runs the single Cortex-M vCPU on one thread; the inline counter is updated by
 * generated code, the rest only in callbacks. */
static uint64_t insns;
static uint64_t marks_addr;
static int have_marks, per_insn, trace;
static uint64_t unmatched_ends;
static region_t regions[MT_COUNT_IDS];
static FILE *out_file;

static void emit(const char *line)
{
    if (out_file != NULL) {
        fputs(line, out_file);
        fflush(out_file);
    } else {
        qemu_plugin_outs(line);
    }
}

static void on_mark(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    unsigned idx = (unsigned)(uintptr_t)udata;
    region_t *r = &regions[idx % MT_COUNT_IDS];
    if (idx < MT_COUNT_IDS) {
        r->start = insns;
        r->open = 1;
        return;
    }
    if (!r->open) {
        unmatched_ends++;
        return;
    }
    uint64_t d = insns - r->start;
    r->open = 0;
    r->total += d;
    if (r->calls == 0 || d < r->min)
        r->min = d;
    if (d > r->max)
        r->max = d;
    r->calls++;
    if (trace) {
        char line[96];
        snprintf(line, sizeof(line), "mt_icount event region=%u insns=%" PRIu64 "\n",
                 idx % MT_COUNT_IDS, d);
        emit(line);
    }
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (!per_insn)
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns, n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        if (per_insn)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &insns, 1);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (have_marks && pc >= marks_addr && pc < marks_addr + 2 * MT_COUNT_IDS * STUB_BYTES &&
            (pc - marks_addr) % STUB_BYTES == 0) {
            uintptr_t idx = (uintptr_t)((pc - marks_addr) / STUB_BYTES);
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)idx);
        }
    }
}

static void on_plugin_exit(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    char line[160];
    for (unsigned i = 0; i < MT_COUNT_IDS; i++) {
        const region_t *r = &regions[i];
        if (r->calls == 0)
            continue;
        snprintf(line, sizeof(line),
                 "mt_icount region=%u calls=%" PRIu64 " insns=%" PRIu64 " min=%" PRIu64
                 " max=%" PRIu64 "\n",
                 i, r->calls, r->total, r->min, r->max);
        emit(line);
    }
    if (unmatched_ends != 0) {
        snprintf(line, sizeof(line), "mt_icount unmatched_ends=%" PRIu64 "\n", unmatched_ends);
        emit(line);
    }
    snprintf(line, sizeof(line), "mt_icount total=%" PRIu64 " mode=%s\n", insns,
             per_insn ? "insn" : "tb");
    emit(line);
    if (out_file != NULL)
        fclose(out_file);
    out_file = NULL;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "marks=", 6) == 0) {
            char *end;
            marks_addr = strtoull(a + 6, &end, 0);
            if (*end != '\0' || end == a + 6) {
                fprintf(stderr, "mt_icount: bad address in '%s'\n", a);
                return -1;
            }
            marks_addr &= ~(uint64_t)1; /* a Thumb symbol may carry the interworking bit */
            have_marks = 1;
        } else if (strcmp(a, "mode=tb") == 0) {
            per_insn = 0;
        } else if (strcmp(a, "mode=insn") == 0) {
            per_insn = 1;
        } else if (strcmp(a, "trace=on") == 0) {
            trace = 1;
        } else if (strncmp(a, "out=", 4) == 0) {
            out_file = fopen(a + 4, "w");
            if (out_file == NULL) {
                fprintf(stderr, "mt_icount: cannot write '%s'\n", a + 4);
                return -1;
            }
        } else {
            fprintf(stderr, "mt_icount: unknown argument '%s'\n", a);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
