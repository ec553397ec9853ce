/* What main.c needs from a board (boards/<board>/board.c): clocks, the ST-LINK virtual COM
 * port, the DWT cycle counter and the head store's flash primitives. */
#ifndef MT_EXAMPLE_BOARD_H
#define MT_EXAMPLE_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "flash_units.h"

void board_init(void);                               /* clocks, UART, DWT, caches */
int board_getc(void);                                /* the next received byte (blocks) */
void board_write(void *ctx, const char *s, size_t n); /* blocking transmit */
uint32_t board_cycles(void);                         /* DWT_CYCCNT */
/* Geometry and erase/program/read of the flash pages reserved for the head store (the
 * STORE region of the board's linker script: two slots of BOARD_STORE_SLOT_BYTES). */
void board_store(mt_flash_units_t *fu);
#define BOARD_STORE_SLOT_BYTES (16u * 1024u) /* a whole number of pages / sectors on both chips */

/* Memory-mapped registers. */
#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* Cortex-M debug/system registers shared by the M4 and the M7. */
#define SCB_CPACR 0xE000ED88u
#define DEMCR 0xE000EDFCu
#define DWT_CTRL 0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define DWT_LAR 0xE0001FB0u

static inline void board_dwt_start(void) {
    REG32(DEMCR) |= 1u << 24; /* TRCENA */
    REG32(DWT_LAR) = 0xC5ACCE55u; /* unlock (M7; ignored where not implemented) */
    REG32(DWT_CYCCNT) = 0;
    REG32(DWT_CTRL) |= 1u; /* CYCCNTENA */
}

#endif
