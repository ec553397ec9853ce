/* Reset and fault handling for microt programs on QEMU's MPS2 Cortex-M4F/M7 boards:
 * enable the FPU, set up .data/.bss, fetch argv over semihosting, run main, and hand its
 * return value to the host as QEMU's exit status. Test/bench harness only: never in src/.
 * With MT_PORT_BARE (the minimal firmware) it uses no C library I/O: main(0, {NULL}). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int main(int argc, char **argv);
void initialise_monitor_handles(void);
void mt_reset_handler(void);
void mt_startup(void);
void mt_fault_handler(void);
void mt_fault_report(const uint32_t *frame, uint32_t exc_return);
void *_sbrk(ptrdiff_t incr);
void _init(void);
void _fini(void);
void __libc_init_array(void);

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern char __heap_start__[], __heap_end__[];
extern uint32_t __stack_top__[], __stack_limit__[];

#define SEMI_SYS_WRITE0 0x04
#define SEMI_SYS_GET_CMDLINE 0x15
#define SEMI_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUN_TIME_ERROR 0x20023

/* Exit status for a fault, so CTest reports it as a failure distinct from a test's own. */
#define MT_FAULT_EXIT_STATUS 70

/* Arm semihosting call: on v7-M the trap is BKPT 0xAB (operation in r0, argument in r1). */
static int semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Exception handlers run on their own small stack (MSP), main on the big one (PSP), so a
 * main-stack overflow caught by the MPU guard can still be reported. */
static uint64_t handler_stack[128];

/* The vector table: initial SP, reset, then every exception into one fault reporter
 * (nothing here enables interrupts, so any exception is a fault). */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(handler_stack + 128), mt_reset_handler, mt_fault_handler, mt_fault_handler,
    mt_fault_handler, mt_fault_handler, mt_fault_handler, 0, 0, 0, 0,
    mt_fault_handler, mt_fault_handler, 0, mt_fault_handler, mt_fault_handler,
};

/* Runs before anything that could touch an FP register: grant CP10/CP11 full access
 * (CPACR, ARMv7-M ARM B3.2.20), move thread mode to the main stack on PSP, continue in C. */
__attribute__((naked, noreturn)) void mt_reset_handler(void)
{
    __asm__ volatile("ldr r0, =0xE000ED88\n"
                     "ldr r1, [r0]\n"
                     "orr r1, r1, #(0xF << 20)\n"
                     "str r1, [r0]\n"
                     "dsb\n"
                     "isb\n"
                     "ldr r0, =__stack_top__\n"
                     "msr psp, r0\n"
                     "movs r0, #2\n" /* CONTROL.SPSEL: thread mode uses PSP */
                     "msr control, r0\n"
                     "isb\n"
                     "b mt_startup\n");
}

#if !defined(MT_PORT_BARE)
/* Splits the host command line in place (QEMU joins the arg= items with single spaces,
 * so arguments cannot contain spaces). */
#define MT_MAX_ARGS 32
static char cmdline[4096];
static char *argv_buf[MT_MAX_ARGS + 1];

static int parse_cmdline(void)
{
    struct {
        char *buf;
        int len;
    } block = {cmdline, (int)sizeof(cmdline) - 1};
    int argc = 0;
    if (semihost(SEMI_SYS_GET_CMDLINE, &block) != 0 || block.len < 0)
        block.len = 0;
    cmdline[block.len] = '\0';
    char *p = cmdline;
    while (*p != '\0' && argc < MT_MAX_ARGS) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0')
            break;
        argv_buf[argc++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
    }
    if (argc == 0)
        argv_buf[argc++] = (char *)"prog";
    argv_buf[argc] = NULL;
    return argc;
}
#endif

static void put_hex(char *out, uint32_t v);

#if defined(MT_PORT_BARE)
#define STACK_PAINT 0x5AA5C33Cu

/* Prints "stack used: 0x... of 0x... bytes" (the deepest painted word overwritten). */
static void report_stack(void)
{
    static char msg[] = "stack used: 0xxxxxxxxx of 0xxxxxxxxx bytes\n";
    const uint32_t *p = __stack_limit__ + 256;
    while (p < __stack_top__ && *p == STACK_PAINT)
        p++;
    put_hex(msg + 14, (uint32_t)((const char *)__stack_top__ - (const char *)p));
    put_hex(msg + 28, (uint32_t)((const char *)__stack_top__ - (const char *)__stack_limit__));
    semihost(SEMI_SYS_WRITE0, msg);
}
#endif

__attribute__((noreturn, used)) void mt_startup(void)
{
    size_t data_words = (size_t)(__data_end__ - __data_start__);
    for (size_t i = 0; i < data_words; i++)
        __data_start__[i] = __data_load__[i];
    for (uint32_t *p = __bss_start__; p < __bss_end__; p++)
        *p = 0;
    /* Integer division by zero is undefined behaviour in C: trap it instead of returning 0.
     * Unaligned LDR/STR stay allowed, as on the real chips. */
    *(volatile uint32_t *)0xE000ED14 |= 1u << 4; /* CCR.DIV_0_TRP */
    /* Report usage, bus and memory faults as themselves rather than as HardFault. */
    *(volatile uint32_t *)0xE000ED24 |= 7u << 16; /* SHCSR.{MEM,BUS,USG}FAULTENA */
    /* Stack guard: MPU region 0 = the lowest 1 KB of the main stack, no access, so an
     * overflow faults instead of silently running into the heap (ARMv7-M ARM B3.5). It
     * catches any frame under 1 KB; a bigger frame can jump it (then check the map file). */
    *(volatile uint32_t *)0xE000ED98 = 0;                        /* MPU_RNR */
    *(volatile uint32_t *)0xE000ED9C = (uint32_t)__stack_limit__; /* MPU_RBAR, 1 KB aligned */
    *(volatile uint32_t *)0xE000EDA0 = (1u << 28) | (9u << 1) | 1u; /* XN, AP=none, 2^10 B, on */
    *(volatile uint32_t *)0xE000ED94 = 5u; /* MPU_CTRL: ENABLE | PRIVDEFENA */
    __asm__ volatile("dsb\nisb" ::: "memory");

#if defined(MT_PORT_BARE)
    /* Paint the unused stack so its high-water mark can be reported after main. */
    uint32_t *sp_now;
    __asm__ volatile("mov %0, sp" : "=r"(sp_now));
    for (uint32_t *p = __stack_limit__ + 256; p < sp_now - 16; p++) /* above the guard */
        *p = STACK_PAINT;
    static char *no_args[1] = {NULL};
    __libc_init_array();
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)main(0, no_args)};
    report_stack();
    semihost(SEMI_SYS_EXIT_EXTENDED, block); /* a real board would sleep here instead */
    for (;;) {
    }
#else
    initialise_monitor_handles();
    int argc = parse_cmdline();
    __libc_init_array(); /* constructors (.preinit_array, .init_array) */
    exit(main(argc, argv_buf)); /* newlib's exit -> librdimon _exit -> SYS_EXIT_EXTENDED */
#endif
}

/* -nostartfiles drops crti/crtn; newlib's init/fini arrays still call these. */
void _init(void) {}
void _fini(void) {}

/* The heap is the RAM between .bss and the stack (see mps2.ld); fail cleanly when full. */
void *_sbrk(ptrdiff_t incr)
{
    static char *brk = __heap_start__;
    if (incr < 0 || (size_t)incr > (size_t)(__heap_end__ - brk))
        return (void *)-1;
    char *prev = brk;
    brk += incr;
    return prev;
}

static void put_hex(char *out, uint32_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xF];
}

/* Prints the exception number, stacked PC and fault status, then stops QEMU with
 * MT_FAULT_EXIT_STATUS. Plain semihosting writes: the C library state may be broken. */
void mt_fault_report(const uint32_t *frame, uint32_t exc_return)
{
    static char msg[] = "\nFAULT exc=xxxxxxxx pc=xxxxxxxx cfsr=xxxxxxxx hfsr=xxxxxxxx lr=xxxxxxxx\n";
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    put_hex(msg + 11, ipsr & 0x1FF);
    uint32_t cfsr = *(volatile uint32_t *)0xE000ED28;
    /* MSTKERR/STKERR: the frame could not be pushed (stack overflow into the guard). */
    int no_frame = (cfsr & ((1u << 4) | (1u << 12))) != 0;
    put_hex(msg + 23, no_frame ? 0xFFFFFFFFu : frame[6]);
    put_hex(msg + 37, cfsr);
    if (no_frame)
        semihost(SEMI_SYS_WRITE0, (void *)"\nFAULT: main stack overflow (see __stack_size in mps2.ld)");
    put_hex(msg + 51, *(volatile uint32_t *)0xE000ED2C);
    put_hex(msg + 63, exc_return);
    semihost(SEMI_SYS_WRITE0, msg);
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, MT_FAULT_EXIT_STATUS};
    semihost(SEMI_SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}

__attribute__((naked)) void mt_fault_handler(void)
{
    __asm__ volatile("tst lr, #4\n"
                     "ite eq\n"
                     "mrseq r0, msp\n"
                     "mrsne r0, psp\n"
                     "mov r1, lr\n"
                     "b mt_fault_report\n");
}
