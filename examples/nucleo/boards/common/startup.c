/* Reset and vectors for the NUCLEO examples (Cortex-M4 and M7): copy .data, clear .bss,
 * enable the FPU, then board_init() and main(). The firmware uses no interrupts; faults stop
 * in a loop a debugger can see. Symbols come from the board's linker script. */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void Reset_Handler(void);
void Fault_Handler(void);

void Fault_Handler(void) {
    for (;;) {
    }
}

void Reset_Handler(void) {
    memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
    memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
    REG32(SCB_CPACR) |= 0xFu << 20; /* CP10, CP11: full access to the FPU */
    __asm__ volatile("dsb\n isb" ::: "memory");
    board_init();
    main();
    for (;;) {
    }
}

/* The 16 system vectors; external interrupts stay disabled (no NVIC enables). */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&_estack, Reset_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0,
    Fault_Handler, Fault_Handler};
