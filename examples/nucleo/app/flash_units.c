/* Program-unit write combining for the head store (see flash_units.h). */
#include "flash_units.h"

#include <string.h>

static int flush(mt_flash_units_t *fu) {
    if (!fu->pending) return 0;
    fu->pending = 0;
    return fu->program(fu->hw, fu->pend_addr, fu->pend);
}

static uint32_t full_mask(uint32_t u) { return u >= 32u ? 0xFFFFFFFFu : (1u << u) - 1u; }

static int fu_write(void *ctx, uint32_t addr, const void *src, uint32_t len) {
    mt_flash_units_t *fu = ctx;
    const uint8_t *s = src;
    uint32_t u = fu->unit_bytes, a = fu->base + addr;
    while (len > 0) {
        uint32_t unit = a & ~(u - 1u), off = a - unit, n = u - off < len ? u - off : len;
        int same = fu->pending && fu->pend_addr == unit;
        if (off == 0 && n == u && !same) { /* a whole unit: straight to the flash */
            if (fu->program(fu->hw, unit, s) != 0) return -1;
        } else {
            /* a second partly written unit: the first will not be completed (the store
             * writes each byte once), so it is programmed as it is, the rest erased */
            if (fu->pending && !same && flush(fu) != 0) return -1;
            if (!fu->pending) {
                memset(fu->pend, 0xFF, u);
                fu->pend_addr = unit;
                fu->pend_mask = 0;
                fu->pending = 1;
            }
            uint32_t bits = full_mask(n) << off;
            if (fu->pend_mask & bits) return -1; /* a byte written twice: not a NOR-style write */
            memcpy(fu->pend + off, s, n);
            fu->pend_mask |= bits;
            if (fu->pend_mask == full_mask(u) && flush(fu) != 0) return -1;
        }
        a += n, s += n, len -= n;
    }
    return 0;
}

static int fu_read(void *ctx, uint32_t addr, void *dst, uint32_t len) {
    mt_flash_units_t *fu = ctx;
    uint32_t a = fu->base + addr;
    if (fu->read(fu->hw, a, dst, len) != 0) return -1;
    for (uint32_t i = 0; fu->pending && i < fu->unit_bytes; i++) { /* what is still in RAM */
        uint32_t at = fu->pend_addr + i;
        if ((fu->pend_mask >> i & 1u) && at >= a && at - a < len) ((uint8_t *)dst)[at - a] = fu->pend[i];
    }
    return 0;
}

static int fu_erase(void *ctx, uint32_t addr, uint32_t len) {
    mt_flash_units_t *fu = ctx;
    uint32_t a = fu->base + addr;
    if (fu->pending && fu->pend_addr >= a && fu->pend_addr < a + len) fu->pending = 0;
    if (a % fu->erase_bytes != 0 || len % fu->erase_bytes != 0) return -1;
    for (uint32_t off = 0; off < len; off += fu->erase_bytes) {
        if (fu->erase(fu->hw, a + off) != 0) return -1;
    }
    return 0;
}

int mt_flash_units_bind(mt_flash_units_t *fu, mt_flash_t *flash) {
    uint32_t u = fu ? fu->unit_bytes : 0;
    if (!fu || !flash || !fu->erase || !fu->program || !fu->read || u < 4 || u > MT_FLASH_MAX_UNIT ||
        (u & (u - 1u)) != 0 || fu->base % u != 0 || fu->erase_bytes == 0 ||
        fu->erase_bytes % u != 0 || fu->slot_bytes == 0 || fu->slot_bytes % fu->erase_bytes != 0 ||
        fu->base % fu->erase_bytes != 0) {
        return -1;
    }
    fu->pending = 0;
    flash->ctx = fu;
    flash->slot_bytes = fu->slot_bytes;
    flash->read = fu_read;
    flash->write = fu_write;
    flash->erase = fu_erase;
    return 0;
}
