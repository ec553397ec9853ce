/* The head store's flash callbacks (mt_flash_t) on flash with ECC words: STM32L4 programs
 * 64-bit double words, STM32H7A3 128-bit flash words, each once between erases, and erases
 * whole pages or sectors. mt_store_write writes byte ranges (payload, header fields, magic
 * last); this layer keeps one partly written program unit in RAM until it is complete, or
 * until another partly written unit comes (then it is programmed with its unwritten bytes
 * left erased, 0xFF); whole units are programmed at once. So no unit is programmed twice and
 * the unit holding the magic, completed by the last write, still lands last.
 * Board independent: the chip's erase/program primitives come in as callbacks. */
#ifndef MT_EXAMPLE_FLASH_UNITS_H
#define MT_EXAMPLE_FLASH_UNITS_H

#include <stdint.h>

#include "microt/store.h"

#define MT_FLASH_MAX_UNIT 32u

typedef struct {
    uint32_t base;         /* device address of slot 0 (the store's address 0) */
    uint32_t slot_bytes;   /* per slot: a multiple of erase_bytes */
    uint32_t erase_bytes;  /* page / sector */
    uint32_t unit_bytes;   /* program unit: 8 (L4), 16 (H7A3); a power of two <= 32 */
    void *hw;
    int (*erase)(void *hw, uint32_t addr);                      /* one erase unit at addr */
    int (*program)(void *hw, uint32_t addr, const uint8_t *unit); /* one unit, addr aligned */
    int (*read)(void *hw, uint32_t addr, void *dst, uint32_t len);
    /* state */
    uint32_t pend_addr;                 /* device address of the pending unit */
    uint8_t pend[MT_FLASH_MAX_UNIT];    /* its bytes; unwritten ones 0xFF */
    uint32_t pend_mask;                 /* bit i: byte i was written */
    uint8_t pending;
} mt_flash_units_t;

/* Checks the geometry and fills *flash with callbacks on fu (ctx = fu). 0 or -1. */
int mt_flash_units_bind(mt_flash_units_t *fu, mt_flash_t *flash);

#endif
