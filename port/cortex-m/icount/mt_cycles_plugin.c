/* QEMU TCG plugin (host C, shared object): a cycle-approximate cost model of Cortex-M4 and
 * Cortex-M7 on top of exact instruction counting, in total and per mt_count_begin/end region.
 * It decodes every Thumb/Thumb-2 instruction once, at translation, into a timing class, gives
 * it a static weight (neighbour rules within the translated block: M4 load pipelining and
 * address-generation stalls, M7 dual-issue pairing and result latencies), and adds the weight
 * with an inline counter each time the instruction executes. Branch outcomes are runtime
 * facts: a per-block callback compares where execution went with the previous block's
 * fall-through address (taken/not taken; M7 predictor). Constants and sources: docs/cycles.md.
 * It never touches guest state. Declares the plugin-API v1 entry points of QEMU 7.2 itself.
 * Arguments (-plugin mt_cycles.so,ARG=VAL,...):
 *   cpu=cortex-m4|cortex-m7  timing model (default cortex-m4)
 *   marks=0xADDR   address of the guest's mt_count_marks table (arm-none-eabi-nm finds it)
 *   out=FILE       write the report to FILE instead of QEMU's log (stderr)
 *   trace=on       also report every region as it ends
 *   classes=on     also report instructions and cycles per timing class (whole run)
 *   dump=on        print every translated block's classes and static weights
 *   p_dir=N p_ind=N mispredict=N   override the branch constants (see docs/cycles.md)
 *   mem=none|l4r5|h7a3  memory system (docs/cycles.md, "Memory system"): none = zero-wait
 *                  memory everywhere (the default, a bound); l4r5 = STM32L4R5 at 120 MHz, flash
 *                  with 5 wait states behind the ART accelerator (prefetch, 1 KB instruction
 *                  and 256 B data cache); h7a3 = STM32H7A3 at 280 MHz, flash with 6 wait
 *                  states behind the Cortex-M7's 16 KB L1 caches, SRAM as tightly coupled
 *   flash=LO-HI    the guest addresses that are flash (default 0x0-0x400000: mps2's code
 *                  region, where the linker script puts code, constants and the model) */
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
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);
typedef uint32_t qemu_plugin_meminfo_t;
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                                          uint64_t vaddr, void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw,
                                      void *userdata);
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv);
/* ---- end of the API declarations ---- */

/* The guest's mark table (mt_count.c): 256 begin stubs then 256 end stubs, 2 bytes each. */
#define MT_COUNT_IDS 256u
#define STUB_BYTES 2u

/* ---- Timing classes ---- */
enum {
    C_ALU,    /* data processing, 1 */
    C_ALUSH,  /* data processing with a shifted register operand (M7: one shifter) */
    C_SIMD,   /* DSP SIMD, extend, saturate, bit-field, REV (M7: one SIMD unit, slot 0) */
    C_MUL,    /* 32-bit result multiply / multiply-accumulate, incl. SMLAD, SMLABB */
    C_MULL,   /* 64-bit result: SMULL, UMULL, SMLAL, UMLAL, SMLALD */
    C_DIV,    /* SDIV, UDIV */
    C_LDR,    /* single load, incl. LDREX; with F_PCW: load to PC */
    C_STR,    /* single store, incl. STREX */
    C_LDRD,
    C_STRD,
    C_LDM,    /* LDM, POP (n registers) */
    C_STM,    /* STM, PUSH */
    C_B,      /* B, BL: direct, unconditional */
    C_BCOND,  /* B<cond>, CBZ, CBNZ */
    C_BIND,   /* BX, BLX reg, MOV/ADD to PC */
    C_TBB,    /* TBB, TBH */
    C_IT,
    C_NOP,    /* NOP and other hints, PLD */
    C_SYS,    /* MSR, MRS, barriers, CPS, SVC, BKPT, UDF */
    C_FP,     /* VADD, VSUB, VMUL, VNMUL, VABS, VNEG, VCMP, VCVT, VMOV */
    C_FPMAC,  /* VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS */
    C_FPDIV,  /* VDIV, VSQRT */
    C_VLDR,
    C_VSTR,
    C_VLDM,   /* VLDM, VPOP (n = 32-bit words) */
    C_VSTM,   /* VSTM, VPUSH */
    C_VMOV2,  /* VMOV between two core registers and two S / one D register */
    C_FPXFER, /* VMOV core <-> S, VMRS, VMSR */
    C_N
};
static const char *const class_name[C_N + 1] = {
    "alu", "alu_shift", "simd", "mul", "mull", "div", "ldr", "str", "ldrd", "strd",
    "ldm", "stm", "b", "bcond", "bind", "tbb", "it", "nop", "sys", "fp", "fpmac", "fpdiv",
    "vldr", "vstr", "vldm", "vstm", "vmov2", "fpxfer", "penalty"};

#define F_PCW 1u     /* writes the PC (a branch) */
#define F_COND 2u    /* conditional: in an IT block */
#define F_REGOFF 4u  /* register-offset addressing */
#define F_SUB 8u     /* byte or halfword load (M7: slower result) */
#define F_DBL 16u    /* double-precision FP */
#define F_SLOT0 32u  /* M7: issues only as the first of a pair (CLZ, BFI, BFC) */
#define F_MULFP 64u  /* VMUL/VNMUL (M7 double latency differs from VADD) */

/* Registers as bits: r0..r15 = 0..15, s0..s31 = 16..47. */
#define NREG 48
#define RB(n) (1ull << (n))
#define SB(n) (1ull << (16 + (n)))

typedef struct {
    uint8_t cls, flags;
    uint16_t n;      /* registers (LDM/STM) or words (VLDM/VSTM) moved */
    uint64_t wr;     /* registers written */
    uint64_t rd;     /* registers read (all, incl. addr and late) */
    uint64_t addr;   /* address registers: needed early (AGU) */
    uint64_t late;   /* operands read late: store data, accumulators */
    uint64_t wb;     /* base register written back by a load/store */
} dec_t;

static unsigned popcount16(unsigned v)
{
    unsigned c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

static uint64_t dreg(unsigned d) { return d < 16 ? 3ull << (16 + 2 * d) : 0; }

static uint64_t fpreg(unsigned v4, unsigned bit, int dbl)
{
    return dbl ? dreg((bit << 4) | v4) : SB((v4 << 1) | bit);
}

static void set_load(dec_t *d, unsigned rt, uint64_t addr, int sub)
{
    d->cls = C_LDR;
    d->wr |= RB(rt);
    d->addr |= addr;
    d->rd |= addr;
    if (sub)
        d->flags |= F_SUB;
    if (rt == 15)
        d->flags |= F_PCW;
}

static void set_store(dec_t *d, unsigned rt, uint64_t addr)
{
    d->cls = C_STR;
    d->late |= RB(rt);
    d->addr |= addr;
    d->rd |= addr | RB(rt);
}

static void dec16(unsigned h, dec_t *d)
{
    unsigned r0 = h & 7, r3 = (h >> 3) & 7, r6 = (h >> 6) & 7, r8 = (h >> 8) & 7;
    d->cls = C_ALU;
    if ((h >> 11) == 3) { /* ADD/SUB register or imm3 */
        d->wr = RB(r0);
        d->rd = RB(r3) | ((h & 0x400) ? 0 : RB(r6));
    } else if ((h >> 13) == 0) { /* LSL/LSR/ASR immediate */
        d->wr = RB(r0);
        d->rd = RB(r3);
    } else if ((h >> 13) == 1) { /* MOV/CMP/ADD/SUB imm8 */
        unsigned op = (h >> 11) & 3;
        if (op != 1)
            d->wr = RB(r8);
        if (op >= 1)
            d->rd = RB(r8);
    } else if ((h >> 10) == 0x10) { /* data processing, register */
        unsigned op = (h >> 6) & 15;
        d->rd = RB(r0) | RB(r3);
        if (op != 8 && op != 10 && op != 11)
            d->wr = RB(r0);
        if (op == 9 || op == 15)
            d->rd = RB(r3); /* RSB #0, MVN */
        if (op == 13)
            d->cls = C_MUL;
        else if (op == 2 || op == 3 || op == 4 || op == 7)
            d->cls = C_ALUSH; /* shift by register */
    } else if ((h >> 10) == 0x11) { /* hi-register ADD/CMP/MOV, BX/BLX */
        unsigned op = (h >> 8) & 3, rdn = ((h >> 4) & 8) | r0, rm = (h >> 3) & 15;
        if (op == 3) {
            d->cls = C_BIND;
            d->flags |= F_PCW;
            d->rd = RB(rm);
            if (h & 0x80)
                d->wr = RB(14);
        } else {
            d->rd = RB(rm) | (op == 2 ? 0 : RB(rdn));
            if (op != 1)
                d->wr = RB(rdn);
            if (op != 1 && rdn == 15) {
                d->cls = C_BIND;
                d->flags |= F_PCW;
            }
        }
    } else if ((h >> 11) == 9) { /* LDR literal */
        set_load(d, r8, RB(15), 0);
    } else if ((h >> 12) == 5) { /* load/store register offset */
        unsigned op = (h >> 9) & 7;
        d->flags |= F_REGOFF;
        if (op < 3)
            set_store(d, r0, RB(r3) | RB(r6));
        else
            set_load(d, r0, RB(r3) | RB(r6), op != 4);
    } else if ((h >> 13) == 3) { /* LDR/STR/LDRB/STRB imm5 */
        if (h & 0x800)
            set_load(d, r0, RB(r3), (h >> 12) & 1);
        else
            set_store(d, r0, RB(r3));
    } else if ((h >> 12) == 8) { /* LDRH/STRH imm5 */
        if (h & 0x800)
            set_load(d, r0, RB(r3), 1);
        else
            set_store(d, r0, RB(r3));
    } else if ((h >> 12) == 9) { /* SP-relative */
        if (h & 0x800)
            set_load(d, r8, RB(13), 0);
        else
            set_store(d, r8, RB(13));
    } else if ((h >> 12) == 10) { /* ADR, ADD Rd, SP, #imm */
        d->wr = RB(r8);
        d->rd = RB((h & 0x800) ? 13 : 15);
    } else if ((h >> 12) == 11) { /* miscellaneous */
        if ((h & 0xFF00) == 0xB000) {
            d->wr = d->rd = RB(13);
        } else if ((h & 0xF500) == 0xB100) {
            d->cls = C_BCOND;
            d->rd = RB(r0);
        } else if ((h & 0xFF00) == 0xB200 || (h & 0xFF00) == 0xBA00) { /* extend, REV */
            d->cls = C_SIMD;
            d->wr = RB(r0);
            d->rd = RB(r3);
        } else if ((h & 0xFE00) == 0xB400) { /* PUSH */
            d->cls = C_STM;
            d->n = (uint16_t)(popcount16(h & 0xFF) + ((h >> 8) & 1));
            d->rd = (h & 0xFF) | ((h & 0x100) ? RB(14) : 0) | RB(13);
            d->late = d->rd & ~RB(13);
            d->addr = RB(13);
            d->wr = d->wb = RB(13);
        } else if ((h & 0xFE00) == 0xBC00) { /* POP */
            d->cls = C_LDM;
            d->n = (uint16_t)(popcount16(h & 0xFF) + ((h >> 8) & 1));
            d->wr = (h & 0xFF) | RB(13) | ((h & 0x100) ? RB(15) : 0);
            d->rd = d->addr = d->wb = RB(13);
            if (h & 0x100)
                d->flags |= F_PCW;
        } else if ((h & 0xFF00) == 0xBF00) {
            d->cls = (h & 15) ? C_IT : C_NOP;
        } else {
            d->cls = C_SYS; /* CPS, BKPT */
        }
    } else if ((h >> 12) == 12) { /* STM/LDM (IA, writeback unless loaded) */
        unsigned list = h & 0xFF;
        d->n = (uint16_t)popcount16(list);
        d->addr = RB(r8);
        if (h & 0x800) {
            d->cls = C_LDM;
            d->wb = list & (1u << r8) ? 0 : RB(r8);
            d->wr = list | d->wb;
            d->rd = RB(r8);
        } else {
            d->cls = C_STM;
            d->rd = list | RB(r8);
            d->late = list;
            d->wr = d->wb = RB(r8);
        }
    } else if ((h >> 12) == 13) {
        d->cls = ((h >> 9) & 7) == 7 ? C_SYS : C_BCOND; /* cond 1110/1111: UDF, SVC */
    } else if ((h >> 11) == 28) {
        d->cls = C_B;
    } else {
        d->cls = C_SYS;
    }
}

/* Coprocessor space: the FPU (coprocessors 10 and 11). */
static void dec_fp(unsigned h1, unsigned h2, dec_t *d)
{
    int dbl = (h2 >> 8) & 1;
    unsigned vd = h2 >> 12, D = (h1 >> 6) & 1, rn = h1 & 15;
    d->cls = C_FP;
    if (((h2 >> 9) & 7) != 5) {
        d->cls = C_SYS; /* not the FPU */
        return;
    }
    if (dbl)
        d->flags |= F_DBL;
    if ((h1 & 0xEE00) == 0xEC00) { /* extension register load/store, 64-bit transfers */
        unsigned op = (h1 >> 4) & 0x1F;
        if ((op & 0x1E) == 0x04) { /* VMOV two core registers */
            unsigned rt = h2 >> 12, rt2 = h1 & 15, m = h2 & 15, M = (h2 >> 5) & 1;
            uint64_t f = dbl ? dreg((M << 4) | m) : (SB((m << 1) | M) | SB(((m << 1) | M) + 1));
            d->cls = C_VMOV2;
            if (op & 1) {
                d->wr = RB(rt) | RB(rt2);
                d->rd = f;
            } else {
                d->rd = RB(rt) | RB(rt2);
                d->wr = f;
            }
        } else if ((op & 0x12) == 0x10) { /* VSTR, VLDR */
            uint64_t f = fpreg(vd, D, dbl);
            d->addr = RB(rn);
            d->rd = RB(rn);
            if (op & 1) {
                d->cls = C_VLDR;
                d->wr = f;
            } else {
                d->cls = C_VSTR;
                d->rd |= f;
                d->late = f;
            }
        } else { /* VLDM, VSTM, VPUSH, VPOP */
            unsigned words = h2 & 0xFF, first = dbl ? 2 * ((D << 4) | vd) : ((vd << 1) | D);
            uint64_t f = 0;
            for (unsigned i = 0; i < words && first + i < 32; i++)
                f |= SB(first + i);
            d->n = (uint16_t)words;
            d->addr = RB(rn);
            d->rd = RB(rn);
            if (h1 & 0x20)
                d->wr = d->wb = RB(rn);
            if (op & 1) {
                d->cls = C_VLDM;
                d->wr |= f;
            } else {
                d->cls = C_VSTM;
                d->rd |= f;
                d->late = f;
            }
        }
        return;
    }
    if ((h1 & 0xEF00) != 0xEE00) {
        d->cls = C_SYS; /* MCR/MRC-like forms the FPU does not use */
        return;
    }
    if (h2 & 0x10) { /* VMOV core <-> S, VMRS, VMSR */
        unsigned rt = h2 >> 12, n = ((h1 & 15) << 1) | ((h2 >> 7) & 1);
        d->cls = C_FPXFER;
        if ((h1 & 0xE0) == 0xE0) {
            if (h1 & 0x10)
                d->wr = rt == 15 ? 0 : RB(rt); /* VMRS */
            else
                d->rd = RB(rt);
        } else if (h1 & 0x10) {
            d->wr = RB(rt);
            d->rd = SB(n);
        } else {
            d->rd = RB(rt);
            d->wr = SB(n);
        }
        return;
    }
    /* VFP data processing */
    unsigned opc1 = ((h1 >> 4) & 0xB), N = (h2 >> 7) & 1, M = (h2 >> 5) & 1;
    uint64_t fd = fpreg(vd, D, dbl), fn = fpreg(h1 & 15, N, dbl), fm = fpreg(h2 & 15, M, dbl);
    d->wr = fd;
    d->rd = fn | fm;
    if ((h1 & 0xF000) == 0xF000) { /* VSEL, VMAXNM, VRINT, VCVTA...: FPv5 */
        d->cls = C_FP;
        return;
    }
    switch (opc1) {
    case 0: case 1: case 9: case 10: /* (N)MLA/MLS, FNMA/FNMS, FMA/FMS */
        d->cls = C_FPMAC;
        d->rd |= fd;
        d->late = fd;
        break;
    case 2:
        d->flags |= F_MULFP;
        break;
    case 8:
        d->cls = C_FPDIV;
        break;
    case 11: {
        unsigned opc2 = h1 & 15, opc3 = (h2 >> 6) & 3;
        d->rd = (opc3 & 1) ? fm : 0; /* VMOV immediate reads nothing */
        if (opc2 == 1 && opc3 == 3)
            d->cls = C_FPDIV; /* VSQRT */
        if (opc2 == 4 || opc2 == 5)
            d->wr = 0; /* VCMP writes FPSCR only */
        if (opc2 == 4)
            d->rd |= fd;
        break;
    }
    default:
        break;
    }
}

static void dec32(unsigned h1, unsigned h2, dec_t *d)
{
    unsigned rn = h1 & 15, rd = (h2 >> 8) & 15, rt = h2 >> 12, rm = h2 & 15;
    d->cls = C_ALU;
    if ((h1 & 0xFE40) == 0xE800) { /* LDM/STM (IA/DB), PUSH.W/POP.W */
        unsigned list = h2 & 0xDFFF, w = (h1 >> 5) & 1;
        d->n = (uint16_t)popcount16(list);
        d->addr = RB(rn);
        d->wb = w ? RB(rn) : 0;
        if (h1 & 0x10) {
            d->cls = C_LDM;
            d->wr = list | (w ? RB(rn) : 0);
            d->rd = RB(rn);
            if (list & 0x8000)
                d->flags |= F_PCW;
        } else {
            d->cls = C_STM;
            d->rd = list | RB(rn);
            d->late = list;
            d->wr = w ? RB(rn) : 0;
        }
    } else if ((h1 & 0xFE40) == 0xE840) { /* dual, exclusive, table branch */
        unsigned op1 = (h1 >> 7) & 3, op2 = (h1 >> 4) & 3, op3 = (h2 >> 4) & 15;
        if (op1 == 0 && op2 == 0) {
            set_store(d, rt, RB(rn)); /* STREX: status to Rd */
            d->wr = RB(rd);
        } else if (op1 == 0 && op2 == 1) {
            set_load(d, rt, RB(rn), 0);
        } else if (op1 == 1 && op2 == 0) {
            set_store(d, rt, RB(rn));
            d->wr = RB(rm);
        } else if (op1 == 1 && op2 == 1) {
            if (op3 <= 1) {
                d->cls = C_TBB;
                d->flags |= F_PCW | F_REGOFF;
                d->addr = d->rd = RB(rn) | RB(rm);
            } else {
                set_load(d, rt, RB(rn), 1);
            }
        } else { /* LDRD / STRD */
            unsigned w = (h1 >> 5) & 1;
            d->addr = RB(rn);
            d->wb = w ? RB(rn) : 0;
            if (op2 & 1) {
                d->cls = C_LDRD;
                d->wr = RB(rt) | RB(rd) | (w ? RB(rn) : 0);
                d->rd = RB(rn);
            } else {
                d->cls = C_STRD;
                d->rd = RB(rt) | RB(rd) | RB(rn);
                d->late = RB(rt) | RB(rd);
                d->wr = w ? RB(rn) : 0;
            }
        }
    } else if ((h1 & 0xFE00) == 0xEA00) { /* data processing, shifted register */
        unsigned op = (h1 >> 5) & 15, s = (h1 >> 4) & 1;
        unsigned imm = ((h2 >> 10) & 0x1C) | ((h2 >> 6) & 3), type = (h2 >> 4) & 3;
        int shifted = imm != 0 || type == 3;
        d->rd = RB(rm) | RB(rn);
        d->wr = RB(rd);
        if (op == 6) {
            d->cls = C_SIMD; /* PKHBT/PKHTB */
        } else if ((op == 2 || op == 3) && rn == 15) { /* MOV/MVN incl. immediate shifts */
            d->rd = RB(rm);
        } else {
            if (rd == 15 && s && (op == 0 || op == 4 || op == 8 || op == 13))
                d->wr = 0; /* TST, TEQ, CMN, CMP */
            if (shifted)
                d->cls = C_ALUSH;
        }
    } else if ((h1 & 0xEC00) == 0xEC00) {
        dec_fp(h1, h2, d);
    } else if ((h1 & 0xF800) == 0xF000 && !(h2 & 0x8000)) { /* data processing, immediate */
        d->wr = RB(rd);
        d->rd = RB(rn);
        if (!(h1 & 0x200)) { /* modified immediate */
            unsigned op = (h1 >> 5) & 15;
            if (rd == 15 && (h1 & 0x10) && (op == 0 || op == 4 || op == 8 || op == 13))
                d->wr = 0;
            if ((op == 2 || op == 3) && rn == 15)
                d->rd = 0;
        } else { /* plain binary immediate */
            unsigned op = (h1 >> 4) & 0x1F;
            if (op == 4)
                d->rd = 0; /* MOVW */
            else if (op == 12)
                d->rd = RB(rd); /* MOVT keeps the low half */
            else if (op == 22) {
                d->flags |= F_SLOT0; /* BFI, BFC */
                d->rd = (rn == 15 ? 0 : RB(rn)) | RB(rd);
            } else if (op >= 16)
                d->cls = C_SIMD; /* SSAT, SSAT16, SBFX, USAT, USAT16, UBFX */
        }
    } else if ((h1 & 0xF800) == 0xF000) { /* branches, miscellaneous control */
        unsigned op1 = (h2 >> 12) & 7;
        if ((op1 & 5) == 0) {
            if (((h1 >> 7) & 7) != 7)
                d->cls = C_BCOND;
            else if ((h1 & 0x7F0) == 0x3A0)
                d->cls = C_NOP; /* NOP.W and other hints */
            else
                d->cls = C_SYS; /* MSR, MRS, barriers */
        } else if ((op1 & 5) == 1) {
            d->cls = C_B;
        } else if ((op1 & 5) == 5) {
            d->cls = C_B; /* BL */
            d->wr = RB(14);
        } else {
            d->cls = C_SYS;
        }
    } else if ((h1 & 0xFE00) == 0xF800) { /* load/store single */
        uint64_t addr = RB(rn);
        unsigned size = (h1 >> 5) & 3;
        int wb = 0;
        if (!(h1 & 0x80) && rn != 15) {
            if (h2 & 0x800)
                wb = (h2 >> 8) & 1;
            else if (((h2 >> 6) & 0x3F) == 0) {
                addr |= RB(rm);
                d->flags |= F_REGOFF;
            }
        }
        if (h1 & 0x10) {
            if (rt == 15 && size != 2) {
                d->cls = C_NOP; /* PLD, PLI */
                d->rd = addr;
            } else {
                set_load(d, rt, addr, size != 2);
            }
        } else {
            set_store(d, rt, addr);
        }
        if (wb)
            d->wr |= d->wb = RB(rn);
    } else if ((h1 & 0xFF00) == 0xFA00) { /* data processing, register */
        unsigned op1 = (h1 >> 4) & 15, op2 = (h2 >> 4) & 15;
        d->wr = RB(rd);
        d->rd = RB(rn) | RB(rm);
        if (!(op1 & 8) && op2 == 0) {
            d->cls = C_ALUSH; /* LSL/LSR/ASR/ROR by register */
        } else if (!(op1 & 8) && (op2 & 8)) {
            d->cls = C_SIMD; /* SXTAB16, UXTB16, SXTAH, ... */
            if (rn == 15)
                d->rd = RB(rm);
        } else if ((op1 & 0xC) == 8 && (op2 & 0xC) == 8 && op1 == 11) {
            d->flags |= F_SLOT0; /* CLZ */
            d->rd = RB(rm);
        } else {
            d->cls = C_SIMD; /* parallel add/sub, QADD, REV, RBIT, SEL */
        }
    } else if ((h1 & 0xFF80) == 0xFB00) { /* multiply, multiply-accumulate, USAD8 */
        unsigned op1 = (h1 >> 4) & 7, op2 = (h2 >> 4) & 3;
        d->wr = RB(rd);
        d->rd = RB(rn) | RB(rm);
        if (op1 == 7 && op2 == 0) {
            d->cls = C_SIMD;
            if (rt != 15)
                d->rd |= RB(rt);
        } else {
            d->cls = C_MUL;
            if (rt != 15) {
                d->rd |= RB(rt);
                d->late = RB(rt);
            }
        }
    } else if ((h1 & 0xFF80) == 0xFB80) { /* long multiply, divide */
        unsigned op1 = (h1 >> 4) & 7;
        d->rd = RB(rn) | RB(rm);
        if (op1 == 1 || op1 == 3) {
            d->cls = C_DIV;
            d->wr = RB(rd);
        } else {
            d->cls = C_MULL;
            d->wr = RB(rt) | RB(rd);
            if (op1 >= 4) {
                d->rd |= RB(rt) | RB(rd);
                d->late = RB(rt) | RB(rd);
            }
        }
    } else {
        d->cls = C_SYS;
    }
}

/* ---- Models ---- */
enum { CPU_M4, CPU_M7 };
static int cpu = CPU_M4;
static unsigned p_dir = 2;      /* M4 pipeline refill after a taken direct branch */
static unsigned p_ind = 3;      /* M4 refill after BX, POP {pc}, LDR pc, TBB (TRM notes) */
static unsigned mispredict = 6; /* M7 branch mispredict penalty */

static int is_ctrl(const dec_t *d) { return d->cls == C_B || d->cls == C_BCOND || (d->flags & F_PCW); }
static int is_dataproc(unsigned c)
{
    return c == C_ALU || c == C_ALUSH || c == C_SIMD || c == C_MUL || c == C_MULL;
}

/* Cortex-M4: TRM r0p1 table 3-1 and table 7-1, with the load/store pipelining notes. */
static uint32_t m4_weight(const dec_t *d, const dec_t *prev)
{
    uint32_t w = 1;
    int cond_ctrl = (d->cls == C_BCOND) || (d->flags & F_COND);
    switch (d->cls) {
    case C_DIV: w = 12; break; /* 2-12 by operands; the plugin cannot see them: worst case */
    case C_LDR:
        w = 2;
        /* "LDR [any] are pipelined when possible": after a single LDR whose destination
         * does not feed this address, one cycle less. */
        if (prev && prev->cls == C_LDR && !(prev->flags & F_PCW) && !(prev->wr & d->addr))
            w = 1;
        break;
    case C_STR:
        w = (d->flags & F_REGOFF) ? 2 : 1; /* STR imm is always 1; reg offset blocks */
        if (w == 2 && prev && prev->cls == C_LDR && !(prev->flags & F_PCW) &&
            !(prev->wr & d->addr))
            w = 1;
        break;
    case C_LDRD: case C_STRD: w = 3; break; /* 1 + N, N = 2 */
    case C_LDM: case C_STM: case C_VLDM: case C_VSTM: w = 1u + d->n; break;
    case C_TBB: w = 3; break; /* 2 load + 1 add, then the refill */
    case C_FPMAC: w = 3; break;
    case C_FPDIV: w = 14; break;
    case C_VLDR: case C_VSTR: case C_VMOV2: w = 2; break;
    default: w = 1; break;
    }
    /* "Any load or store that generates an address dependent on the result of a preceding
     * data processing operation stalls the pipeline for an additional cycle." */
    if (prev && (d->addr & ~RB(15)) && is_dataproc(prev->cls) && (prev->wr & d->addr))
        w += 1;
    if (is_ctrl(d) && !cond_ctrl)
        w += (d->cls == C_B) ? p_dir : p_ind; /* unconditional: always taken */
    return w;
}

/* Cortex-M7: in-order dual issue over the block, scoreboarded result latencies. */
enum { U_ALU, U_SHIFT, U_MAC, U_LOAD, U_STORE, U_BRANCH, U_VFP, U_SIMD, U_N };
static const unsigned unit_limit[U_N] = {2, 1, 1, 2, 1, 1, 1, 1};

typedef struct {
    unsigned units[U_N];
    int single, slot0;
    int occ;       /* cycles the issue stage is held (>= 1) */
    int lat;       /* result latency */
    int late_adv;  /* how much later the late operands are read */
    int vfp_busy;  /* cycles the VFP stays busy (non-pipelined divide) */
} m7_attr_t;

static void m7_attrs(const dec_t *d, m7_attr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->occ = 1;
    a->lat = 1;
    int dbl = (d->flags & F_DBL) != 0;
    switch (d->cls) {
    case C_ALU: case C_IT: case C_NOP: a->units[U_ALU] = 1; break;
    case C_ALUSH: a->units[U_ALU] = a->units[U_SHIFT] = 1; break;
    case C_SIMD: a->units[U_ALU] = a->units[U_SIMD] = 1; a->slot0 = 1; break;
    case C_MUL: case C_MULL: a->units[U_MAC] = 1; a->lat = 2; a->late_adv = 1; break;
    case C_DIV: a->units[U_ALU] = 1; a->single = 1; a->occ = 7; break;
    case C_LDR: a->units[U_LOAD] = 1; a->lat = (d->flags & F_SUB) ? 2 : 1; break;
    case C_STR: a->units[U_STORE] = 1; a->late_adv = 1; break;
    case C_LDRD: a->units[U_LOAD] = 2; a->single = 1; break;
    case C_STRD: a->units[U_STORE] = 1; a->single = 1; a->late_adv = 1; break;
    case C_LDM: case C_VLDM:
        a->units[U_LOAD] = 2;
        a->single = 1;
        a->occ = d->n > 2 ? (d->n + 1) / 2 : 1; /* 64-bit data path: two words a cycle */
        break;
    case C_STM: case C_VSTM:
        a->units[U_STORE] = 1;
        a->single = 1;
        a->occ = d->n > 2 ? (d->n + 1) / 2 : 1;
        a->late_adv = 1;
        break;
    case C_B: case C_BCOND: case C_BIND: a->units[U_BRANCH] = 1; break;
    case C_TBB: a->units[U_LOAD] = 1; a->single = 1; a->occ = 2; break;
    case C_SYS: a->single = 1; break;
    case C_FP:
        a->units[U_VFP] = 1;
        a->lat = dbl ? ((d->flags & F_MULFP) ? 7 : 4) : 3;
        a->slot0 = dbl;
        break;
    case C_FPMAC:
        a->units[U_VFP] = 1;
        a->lat = dbl ? 11 : 6;
        a->late_adv = 3;
        a->slot0 = dbl;
        break;
    case C_FPDIV:
        a->units[U_VFP] = 1;
        a->lat = dbl ? 30 : 16;
        a->vfp_busy = dbl ? 28 : 14;
        a->slot0 = dbl;
        break;
    case C_VLDR: a->units[U_LOAD] = 1; a->single = dbl; break;
    case C_VSTR: a->units[U_STORE] = 1; a->single = dbl; a->late_adv = 1; break;
    case C_VMOV2: case C_FPXFER: a->units[U_VFP] = 1; a->lat = 3; break;
    default: a->units[U_ALU] = 1; break;
    }
    if (d->flags & F_SLOT0)
        a->slot0 = 1;
}

/* What a block needs from and leaves to the next one, so that latencies carry across block
 * boundaries (a loop-carried load-use or a VDIV chain): registers read before being written
 * in the block with their slack (the latest ready time, relative to the block's start, that
 * causes no stall), and every register written with its ready time. */
typedef struct {
    int16_t total;           /* cycles of the block's static schedule */
    int16_t vfp_slack, vfp_free;
    uint8_t n_in, n_out;
    uint8_t in_reg[NREG], out_reg[NREG];
    int16_t in_slack[NREG], out_ready[NREG];
} carry_t;

static void m7_schedule(const dec_t *d, size_t n, uint32_t *w, carry_t *c)
{
    int ready[NREG], slack[NREG];
    unsigned used[U_N];
    int t = 0, cnt = 0, closed = 0, vfp_free = 0, done = 0, vfp_slack = -1;
    uint64_t written = 0, read_in = 0;
    memset(ready, 0, sizeof(ready));
    memset(used, 0, sizeof(used));
    for (size_t i = 0; i < n; i++) {
        m7_attr_t a;
        m7_attrs(&d[i], &a);
        int need = 0;
        for (int r = 0; r < NREG; r++) {
            uint64_t b = 1ull << r;
            if (!(d[i].rd & b) || r == 15 || !(written & b))
                continue; /* produced before the block: handled by the carry */
            int req = ready[r];
            if (d[i].addr & b)
                req += 1; /* address operands are needed in EX1 */
            else if (d[i].late & b)
                req -= a.late_adv;
            if (req > need)
                need = req;
        }
        if (a.units[U_VFP] && vfp_free > need)
            need = vfp_free;
        int fits = 1;
        for (int u = 0; u < U_N; u++)
            if (used[u] + a.units[u] > unit_limit[u])
                fits = 0;
        if (cnt == 1 && !closed && !a.single && !a.slot0 && fits && need <= t) {
            cnt = 2;
        } else {
            int start = cnt ? t + 1 : 0;
            t = need > start ? need : start;
            cnt = 1;
            closed = a.single;
            memset(used, 0, sizeof(used));
        }
        int issue = t;
        for (int r = 0; r < NREG; r++) {
            uint64_t b = 1ull << r;
            if (!(d[i].rd & b) || r == 15 || (written & b) || (read_in & b))
                continue;
            read_in |= b;
            slack[r] = issue - ((d[i].addr & b) ? 1 : 0) + ((d[i].late & b) ? a.late_adv : 0);
        }
        if (a.units[U_VFP] && vfp_slack < 0)
            vfp_slack = issue;
        for (int u = 0; u < U_N; u++)
            used[u] += a.units[u];
        if (a.occ > 1) {
            t += a.occ - 1;
            closed = 1;
        }
        for (int r = 0; r < NREG; r++)
            if (d[i].wr & (1ull << r))
                ready[r] = t + a.lat;
        for (int r = 0; r < 16; r++) /* base writeback is bypassed out of EX1 */
            if (d[i].wb & (1ull << r))
                ready[r] = issue;
        written |= d[i].wr;
        if (a.vfp_busy)
            vfp_free = issue + a.vfp_busy;
        w[i] = (uint32_t)(t + 1 - done);
        done = t + 1;
    }
    c->total = (int16_t)done;
    c->vfp_slack = (int16_t)(vfp_slack < 0 ? 30000 : vfp_slack);
    c->vfp_free = (int16_t)vfp_free;
    c->n_in = c->n_out = 0;
    for (int r = 0; r < NREG; r++) {
        if (r == 15)
            continue;
        if (read_in & (1ull << r)) {
            c->in_reg[c->n_in] = (uint8_t)r;
            c->in_slack[c->n_in++] = (int16_t)slack[r];
        }
        if (written & (1ull << r)) {
            c->out_reg[c->n_out] = (uint8_t)r;
            c->out_ready[c->n_out++] = (int16_t)(ready[r] > 30000 ? 30000 : ready[r]);
        }
    }
}

/* ---- Runtime state ---- */
enum { END_NONE, END_COND, END_IND, END_COND_IND };
typedef struct {
    uint64_t start, last_pc, fall;
    uint32_t p_taken; /* M4: cycles a taken conditional branch adds */
    uint8_t kind, backward;
    carry_t carry;    /* M7 only */
    uint32_t n_fetch;       /* mem model: the flash lines the block's code spans, in order, */
    uint64_t *fetch_line;   /* and the block's static cycles before each is first needed */
    uint32_t *fetch_at;
} tbinfo_t;

typedef struct {
    uint64_t calls, insns, cycles, cmin, cmax, start_i, start_c;
    int open;
} region_t;

#define PRED_SIZE 4096u
typedef struct {
    uint64_t tag, target;
    uint8_t ctr; /* 2-bit saturating counter, >= 2 predicts taken */
} pred_t;

static uint64_t insns, cycles;
static uint64_t class_insns[C_N + 1], class_cycles[C_N + 1];
static uint64_t n_taken, n_not_taken, n_indirect, n_mispredict, penalty, carry_stall;
static uint64_t abs_ready[NREG], abs_vfp_free; /* M7: in `cycles` units */
static tbinfo_t pend;
static pred_t pred[PRED_SIZE];
static uint64_t marks_addr;
static int have_marks, trace, classes, dump;
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

static void add_penalty(uint64_t c)
{
    cycles += c;
    penalty += c;
}

/* The previous block ended in a conditional or indirect branch; execution went to `next`. */
static void resolve(uint64_t next)
{
    int taken = next != pend.fall;
    if (pend.kind == END_COND || pend.kind == END_COND_IND) {
        if (taken)
            n_taken++;
        else
            n_not_taken++;
    } else {
        n_indirect++;
    }
    if (cpu == CPU_M4) {
        if (taken && pend.kind != END_IND)
            add_penalty(pend.p_taken);
        return;
    }
    pred_t *p = &pred[(pend.last_pc >> 1) % PRED_SIZE];
    if (p->tag != pend.last_pc) { /* first sight: backward taken, forward not taken */
        p->tag = pend.last_pc;
        p->ctr = pend.backward ? 2 : 1;
        p->target = pend.kind == END_COND ? 0 : 1; /* indirect targets start unknown */
    }
    int miss = 0;
    if (pend.kind != END_IND) {
        int guess = p->ctr >= 2;
        miss = guess != taken;
        if (taken && p->ctr < 3)
            p->ctr++;
        if (!taken && p->ctr > 0)
            p->ctr--;
    }
    if (taken && pend.kind != END_COND) {
        miss |= p->target != next;
        p->target = next;
    }
    if (miss) {
        n_mispredict++;
        add_penalty(mispredict);
    }
}

/* M7: stall this block until the values it reads early are ready, then record when its own
 * results will be. */
static void carry(const carry_t *c)
{
    uint64_t now = cycles, stall = 0;
    for (unsigned k = 0; k < c->n_in; k++) {
        uint64_t ok = now + (uint64_t)(int64_t)c->in_slack[k];
        uint64_t r = abs_ready[c->in_reg[k]];
        if (r > ok && r - ok > stall)
            stall = r - ok;
    }
    if (abs_vfp_free > now + (uint64_t)c->vfp_slack && abs_vfp_free - now - c->vfp_slack > stall)
        stall = abs_vfp_free - now - (uint64_t)c->vfp_slack;
    cycles += stall;
    carry_stall += stall;
    uint64_t s = now + stall;
    for (unsigned k = 0; k < c->n_out; k++)
        abs_ready[c->out_reg[k]] = s + (uint64_t)(int64_t)c->out_ready[k];
    if (c->vfp_free > 0)
        abs_vfp_free = s + (uint64_t)c->vfp_free;
}


/* ---- Memory system (mem=...; docs/cycles.md) ----
 * A first-order model: every access to flash that its cache does not hold stalls the core
 * for the flash's wait states; SRAM (the arena, the stack) is zero-wait on both boards (L4R5:
 * SRAM1-3 on the AHB matrix; H7A3: the firmware's data in DTCM). Caches are LRU at the
 * granularity of their line. Instruction fetch is checked once per flash line a translated
 * block crosses (at block entry, in order), data loads through a memory callback. */
enum { MEM_NONE, MEM_L4R5, MEM_H7A3 };
static int mem_model = MEM_NONE;
static uint64_t flash_lo = 0, flash_hi = 0x400000;
typedef struct {
    unsigned n_lines, line_bytes, ways; /* n_lines / ways sets */
    uint64_t *tag;                      /* line address + 1, 0 = empty */
    uint32_t *age;
    uint32_t clock;
    uint64_t hits, misses;
} cache_t;
static cache_t icache, dcache;
static unsigned miss_cycles;   /* stall of one line fill from flash */
static unsigned prefetch_on;   /* L4R5: the next flash word is prefetched on the I-bus */
static uint64_t mem_stall, ifetch_stall, dflash_stall;
static uint64_t last_fetch_line = UINT64_MAX, last_fetch_done;

static void cache_init(cache_t *c, unsigned bytes, unsigned line, unsigned ways)
{
    c->n_lines = bytes / line;
    c->line_bytes = line;
    c->ways = ways;
    c->tag = calloc(c->n_lines, sizeof(*c->tag));
    c->age = calloc(c->n_lines, sizeof(*c->age));
    if (c->tag == NULL || c->age == NULL)
        abort();
}

/* 1 on a hit; on a miss the line is filled (LRU way of its set replaced). */
static int cache_access(cache_t *c, uint64_t addr)
{
    uint64_t line = addr / c->line_bytes;
    unsigned sets = c->n_lines / c->ways, set = (unsigned)(line % sets);
    uint64_t *tag = c->tag + set * c->ways;
    uint32_t *age = c->age + set * c->ways;
    unsigned victim = 0;
    c->clock++;
    for (unsigned w = 0; w < c->ways; w++) {
        if (tag[w] == line + 1) {
            age[w] = c->clock;
            c->hits++;
            return 1;
        }
        if (age[w] < age[victim])
            victim = w;
    }
    tag[victim] = line + 1;
    age[victim] = c->clock;
    c->misses++;
    return 0;
}

static int in_flash(uint64_t a) { return a >= flash_lo && a < flash_hi; }

static void mem_stall_add(uint64_t c, uint64_t *kind)
{
    cycles += c;
    mem_stall += c;
    *kind += c;
}

/* An instruction fetch from flash line `line` at static cycle offset `at` within the block.
 * L4R5: a sequential miss was being prefetched since the previous line's fetch completed, so
 * only the part of the fill that execution did not cover stalls. */
static void fetch_line(uint64_t line_addr, uint64_t now)
{
    uint64_t line = line_addr / icache.line_bytes;
    int hit = cache_access(&icache, line_addr);
    if (!hit) {
        uint64_t stall = miss_cycles;
        if (prefetch_on && line == last_fetch_line + 1) {
            uint64_t covered = now > last_fetch_done ? now - last_fetch_done : 0;
            stall = covered >= stall ? 0 : stall - covered;
        }
        mem_stall_add(stall, &ifetch_stall);
        now += stall;
    }
    last_fetch_line = line;
    last_fetch_done = now;
}

/* QEMU 7.2 reports loads to callbacks registered for reads only inconsistently, so the
 * callback takes every access and skips stores: meminfo bits 16-17 are the access's
 * qemu_plugin_mem_rw (1 load, 2 store), as the 7.2 runtime passes them. */
#define MEMINFO_STORE 0x20000u
static void on_dload(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    (void)udata;
    if (info & MEMINFO_STORE)
        return;
    if (in_flash(vaddr) && !cache_access(&dcache, vaddr))
        mem_stall_add(miss_cycles, &dflash_stall);
}

static int mem_setup(const char *name)
{
    if (strcmp(name, "none") == 0) {
        mem_model = MEM_NONE;
    } else if (strcmp(name, "l4r5") == 0) {
        /* RM0432: 5 wait states at 120 MHz (Range 1 boost), flash read 64 bits at a time;
         * ART accelerator: instruction cache 1 KB, data cache 256 B, prefetch on the I-bus.
         * Modelled at the flash word (8 bytes): a miss costs 1 + 5 cycles. */
        mem_model = MEM_L4R5;
        cache_init(&icache, 1024, 8, 128 / 4);
        cache_init(&dcache, 256, 8, 32 / 4);
        miss_cycles = 6;
        prefetch_on = 1;
    } else if (strcmp(name, "h7a3") == 0) {
        /* RM0455: 6 wait states at 280 MHz (VOS0), flash word 128 bits; Cortex-M7 L1
         * caches (TRM DDI 0489): 16 KB instruction (2-way) and data (4-way), 32-byte lines.
         * A line fill from flash reads 2 flash words: 2 x (1 + 6) cycles. */
        mem_model = MEM_H7A3;
        cache_init(&icache, 16384, 32, 2);
        cache_init(&dcache, 16384, 32, 4);
        miss_cycles = 14;
        prefetch_on = 0;
    } else {
        return -1;
    }
    return 0;
}

static void on_tb_exec(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    const tbinfo_t *tb = udata;
    if (tb->n_fetch) {
        uint64_t entry = cycles, stall0 = mem_stall;
        for (uint32_t k = 0; k < tb->n_fetch; k++)
            fetch_line(tb->fetch_line[k], entry + tb->fetch_at[k] + (mem_stall - stall0));
    }
    if (pend.kind != END_NONE)
        resolve(tb->start);
    pend.start = tb->start;
    pend.last_pc = tb->last_pc;
    pend.fall = tb->fall;
    pend.p_taken = tb->p_taken;
    pend.kind = tb->kind;
    pend.backward = tb->backward;
    if (cpu == CPU_M7)
        carry(&tb->carry);
}

static void on_mark(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    unsigned idx = (unsigned)(uintptr_t)udata;
    region_t *r = &regions[idx % MT_COUNT_IDS];
    if (idx < MT_COUNT_IDS) {
        r->start_i = insns;
        r->start_c = cycles;
        r->open = 1;
        return;
    }
    if (!r->open) {
        unmatched_ends++;
        return;
    }
    uint64_t di = insns - r->start_i, dc = cycles - r->start_c;
    r->open = 0;
    r->insns += di;
    r->cycles += dc;
    if (r->calls == 0 || dc < r->cmin)
        r->cmin = dc;
    if (dc > r->cmax)
        r->cmax = dc;
    r->calls++;
    if (trace) {
        char line[128];
        snprintf(line, sizeof(line), "mt_cycles event region=%u insns=%" PRIu64 " cycles=%" PRIu64 "\n",
                 idx % MT_COUNT_IDS, di, dc);
        emit(line);
    }
}

#define MAX_TB 512 /* TCG_MAX_INSNS */

static int thumb32(unsigned h1) { return (h1 >> 11) >= 0x1D; }

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (n == 0)
        return;
    if (n > MAX_TB)
        n = MAX_TB;
    dec_t d[MAX_TB];
    uint32_t w[MAX_TB];
    unsigned it_left = 0;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint8_t *b = qemu_plugin_insn_data(insn);
        size_t sz = qemu_plugin_insn_size(insn);
        memset(&d[i], 0, sizeof(d[i]));
        unsigned h1 = (unsigned)b[0] | (unsigned)b[1] << 8;
        /* The length comes from the first halfword: at the end of a page QEMU may have
         * read (and reported) the next halfword to check whether the insn is 32-bit. */
        if (sz >= 4 && thumb32(h1))
            dec32(h1, (unsigned)b[2] | (unsigned)b[3] << 8, &d[i]);
        else
            dec16(h1, &d[i]);
        if (it_left) {
            d[i].flags |= F_COND;
            it_left--;
        }
        if (d[i].cls == C_IT) {
            unsigned mask = h1 & 15;
            it_left = mask & 1 ? 4 : mask & 2 ? 3 : mask & 4 ? 2 : 1;
        }
    }
    if (cpu == CPU_M4)
        for (size_t i = 0; i < n; i++)
            w[i] = m4_weight(&d[i], i ? &d[i - 1] : NULL);
    tbinfo_t *info = calloc(1, sizeof(*info));
    if (info == NULL)
        abort();
    if (cpu == CPU_M7)
        m7_schedule(d, n, w, &info->carry);
    if (mem_model != MEM_NONE) { /* the flash lines this block's code spans */
        uint32_t at = 0;
        uint64_t prev = UINT64_MAX;
        info->fetch_line = calloc(2 * n + 1, sizeof(*info->fetch_line));
        info->fetch_at = calloc(2 * n + 1, sizeof(*info->fetch_at));
        if (info->fetch_line == NULL || info->fetch_at == NULL)
            abort();
        for (size_t i = 0; i < n; i++) {
            struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
            uint64_t pc = qemu_plugin_insn_vaddr(insn);
            const uint8_t *b = qemu_plugin_insn_data(insn);
            uint64_t end = pc + (thumb32((unsigned)b[0] | (unsigned)b[1] << 8) ? 4 : 2);
            for (uint64_t a = pc; in_flash(pc) && a < end; a += 2) {
                uint64_t line = a / icache.line_bytes * icache.line_bytes;
                if (line != prev) {
                    info->fetch_line[info->n_fetch] = line;
                    info->fetch_at[info->n_fetch++] = at;
                    prev = line;
                }
            }
            at += w[i];
        }
    }
    const dec_t *last = &d[n - 1];
    struct qemu_plugin_insn *last_insn = qemu_plugin_tb_get_insn(tb, n - 1);
    info->start = qemu_plugin_tb_vaddr(tb);
    info->last_pc = qemu_plugin_insn_vaddr(last_insn);
    {
        const uint8_t *b = qemu_plugin_insn_data(last_insn);
        info->fall = info->last_pc + (thumb32((unsigned)b[0] | (unsigned)b[1] << 8) ? 4 : 2);
    }
    int cond = last->cls == C_BCOND || (last->flags & F_COND);
    if (is_ctrl(last)) {
        int ind = (last->flags & F_PCW) != 0;
        info->kind = cond ? (ind ? END_COND_IND : END_COND) : (ind ? END_IND : END_NONE);
        if (cpu == CPU_M4 && info->kind == END_IND)
            info->kind = END_NONE; /* M4: nothing to learn at runtime */
        info->p_taken = ind ? p_ind : p_dir;
        if (last->cls == C_BCOND) { /* backward: the offset's sign bit */
            const uint8_t *b = qemu_plugin_insn_data(last_insn);
            unsigned h1 = (unsigned)b[0] | (unsigned)b[1] << 8;
            info->backward = !thumb32(h1) ? ((h1 & 0xF000) == 0xD000 && (h1 & 0x80)) : ((h1 >> 10) & 1);
        }
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, info);
    if (dump) { /* the static schedule, one line per translated instruction */
        char line[128];
        for (size_t i = 0; i < n; i++) {
            snprintf(line, sizeof(line), "mt_cycles insn pc=0x%" PRIx64 " class=%s%s w=%u\n",
                     qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i)), class_name[d[i].cls],
                     (d[i].flags & F_COND) ? ",cond" : "", (unsigned)w[i]);
            emit(line);
        }
        snprintf(line, sizeof(line), "mt_cycles tb end kind=%u\n", (unsigned)info->kind);
        emit(line);
    }

    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &insns, 1);
        if (w[i])
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &cycles, w[i]);
        if (classes) {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &class_insns[d[i].cls], 1);
            if (w[i])
                qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                           &class_cycles[d[i].cls], w[i]);
        }
        unsigned c = d[i].cls;
        if (mem_model != MEM_NONE && (c == C_LDR || c == C_LDRD || c == C_LDM || c == C_VLDR || c == C_VLDM))
            qemu_plugin_register_vcpu_mem_cb(insn, on_dload, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
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
    char line[200];
    const char *cpu_name = cpu == CPU_M4 ? "cortex-m4" : "cortex-m7";
    for (unsigned i = 0; i < MT_COUNT_IDS; i++) {
        const region_t *r = &regions[i];
        if (r->calls == 0)
            continue;
        snprintf(line, sizeof(line),
                 "mt_cycles region=%u calls=%" PRIu64 " insns=%" PRIu64 " cycles=%" PRIu64
                 " min=%" PRIu64 " max=%" PRIu64 "\n",
                 i, r->calls, r->insns, r->cycles, r->cmin, r->cmax);
        emit(line);
    }
    if (unmatched_ends != 0) {
        snprintf(line, sizeof(line), "mt_cycles unmatched_ends=%" PRIu64 "\n", unmatched_ends);
        emit(line);
    }
    if (classes) {
        class_cycles[C_N] = penalty + carry_stall;
        for (unsigned c = 0; c <= C_N; c++) {
            if (class_insns[c] == 0 && class_cycles[c] == 0)
                continue;
            snprintf(line, sizeof(line), "mt_cycles class=%s insns=%" PRIu64 " cycles=%" PRIu64 "\n",
                     class_name[c], class_insns[c], class_cycles[c]);
            emit(line);
        }
    }
    static const char *const mem_name[] = {"none", "l4r5", "h7a3"};
    if (mem_model != MEM_NONE) {
        snprintf(line, sizeof(line),
                 "mt_cycles memory mem=%s stall=%" PRIu64 " ifetch_stall=%" PRIu64
                 " dflash_stall=%" PRIu64 " icache_hits=%" PRIu64 " icache_misses=%" PRIu64
                 " dcache_hits=%" PRIu64 " dcache_misses=%" PRIu64 "\n",
                 mem_name[mem_model], mem_stall, ifetch_stall, dflash_stall, icache.hits,
                 icache.misses, dcache.hits, dcache.misses);
        emit(line);
    }
    snprintf(line, sizeof(line),
             "mt_cycles total insns=%" PRIu64 " cycles=%" PRIu64 " cpu=%s mem=%s taken=%" PRIu64
             " not_taken=%" PRIu64 " indirect=%" PRIu64 " mispredicts=%" PRIu64
             " carried_stalls=%" PRIu64 "\n",
             insns, cycles, cpu_name, mem_name[mem_model], n_taken, n_not_taken, n_indirect,
             n_mispredict, carry_stall);
    emit(line);
    if (out_file != NULL)
        fclose(out_file);
    out_file = NULL;
}

static int parse_uint(const char *a, const char *key, unsigned *v)
{
    size_t k = strlen(key);
    if (strncmp(a, key, k) != 0)
        return 0;
    char *end;
    unsigned long x = strtoul(a + k, &end, 0);
    if (*end != '\0' || end == a + k || x > 1000)
        return -1;
    *v = (unsigned)x;
    return 1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (strncmp(a, "marks=", 6) == 0) {
            char *end;
            marks_addr = strtoull(a + 6, &end, 0);
            if (*end != '\0' || end == a + 6) {
                fprintf(stderr, "mt_cycles: bad address in '%s'\n", a);
                return -1;
            }
            marks_addr &= ~(uint64_t)1;
            have_marks = 1;
        } else if (strcmp(a, "cpu=cortex-m4") == 0 || strcmp(a, "cpu=m4") == 0) {
            cpu = CPU_M4;
        } else if (strcmp(a, "cpu=cortex-m7") == 0 || strcmp(a, "cpu=m7") == 0) {
            cpu = CPU_M7;
        } else if (strncmp(a, "mem=", 4) == 0) {
            if (mem_setup(a + 4) != 0) {
                fprintf(stderr, "mt_cycles: unknown memory model in '%s' (none, l4r5, h7a3)\n", a);
                return -1;
            }
        } else if (strncmp(a, "flash=", 6) == 0) {
            char *mid, *end;
            flash_lo = strtoull(a + 6, &mid, 0);
            if (*mid != '-' || (flash_hi = strtoull(mid + 1, &end, 0), *end != '\0') || flash_hi <= flash_lo) {
                fprintf(stderr, "mt_cycles: bad range in '%s' (flash=LO-HI)\n", a);
                return -1;
            }
        } else if (strcmp(a, "trace=on") == 0) {
            trace = 1;
        } else if (strcmp(a, "dump=on") == 0) {
            dump = 1;
        } else if (strcmp(a, "classes=on") == 0) {
            classes = 1;
        } else if ((r = parse_uint(a, "p_dir=", &p_dir)) != 0 ||
                   (r = parse_uint(a, "p_ind=", &p_ind)) != 0 ||
                   (r = parse_uint(a, "mispredict=", &mispredict)) != 0) {
            if (r < 0) {
                fprintf(stderr, "mt_cycles: bad number in '%s'\n", a);
                return -1;
            }
        } else if (strncmp(a, "out=", 4) == 0) {
            out_file = fopen(a + 4, "w");
            if (out_file == NULL) {
                fprintf(stderr, "mt_cycles: cannot write '%s'\n", a + 4);
                return -1;
            }
        } else {
            fprintf(stderr, "mt_cycles: unknown argument '%s'\n", a);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
