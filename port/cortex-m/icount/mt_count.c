/* Guest side of the instruction counter: each marker jumps to its own 2-byte "bx lr" stub in
 * mt_count_marks, and the plugin, told the table's address, recognises the stub's address.
 * No state, no side effects: a few instructions that behave the same with or without QEMU. */
#include "mt_count.h"

/* mt_count_marks: 256 begin stubs, then 256 end stubs, each one 16-bit "bx lr" (0x4770).
 * The markers tail-jump into the stub, which returns straight to the caller. */
__asm__(".section .text.mt_count,\"ax\",%progbits\n"
        ".syntax unified\n"
        ".thumb\n"
        ".balign 4\n"
        ".global mt_count_marks\n"
        ".type mt_count_marks, %object\n" /* an address without the Thumb bit */
        "mt_count_marks:\n"
        ".rept 512\n"
        "bx lr\n"
        ".endr\n"
        ".size mt_count_marks, . - mt_count_marks\n"
        "\n"
        ".global mt_count_begin\n"
        ".type mt_count_begin, %function\n"
        ".thumb_func\n"
        "mt_count_begin:\n"
        "uxtb r0, r0\n"
        "b 1f\n"
        ".global mt_count_end\n"
        ".type mt_count_end, %function\n"
        ".thumb_func\n"
        "mt_count_end:\n"
        "uxtb r0, r0\n"
        "add r0, r0, #256\n"
        "1:\n"
        "movw r1, #:lower16:mt_count_marks\n"
        "movt r1, #:upper16:mt_count_marks\n"
        "add r1, r1, r0, lsl #1\n"
        "orr r1, r1, #1\n" /* stay in Thumb state */
        "bx r1\n"
        ".text\n");
