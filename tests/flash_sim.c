/* Simulated two-slot NOR flash for the store tests (flash_sim.h). */
#include "flash_sim.h"

#include <string.h>

static int sim_read(void *ctx, uint32_t addr, void *dst, uint32_t len) {
    flash_sim_t *f = (flash_sim_t *)ctx;
    if (f->dead || f->fail_reads || addr + len > 2u * f->slot) return -1;
    memcpy(dst, f->mem + addr, len);
    f->reads++;
    if (f->flip_from > 0 && f->reads >= f->flip_from && len > 0) ((uint8_t *)dst)[0] ^= 1u;
    return 0;
}

static int spend(flash_sim_t *f) {
    if (f->dead) return 0;
    if (f->budget == 0) {
        f->dead = 1; /* power gone mid-operation */
        return 0;
    }
    if (f->budget > 0) f->budget--;
    f->spent++;
    return 1;
}

static int sim_write(void *ctx, uint32_t addr, const void *src, uint32_t len) {
    flash_sim_t *f = (flash_sim_t *)ctx;
    if (addr + len > 2u * f->slot) return -1;
    const uint8_t *s = (const uint8_t *)src;
    for (uint32_t i = 0; i < len; i++) {
        if (!spend(f)) return -1;
        f->mem[addr + i] &= s[i];
    }
    return 0;
}

static int sim_erase(void *ctx, uint32_t addr, uint32_t len) {
    flash_sim_t *f = (flash_sim_t *)ctx;
    if (addr % f->slot != 0 || len != f->slot || addr + len > 2u * f->slot) return -1;
    for (uint32_t i = 0; i < len; i++) {
        if (!spend(f)) return -1;
        f->mem[addr + i] = 0xFF;
    }
    return 0;
}

void flash_sim_init(flash_sim_t *f, uint8_t *mem, uint32_t slot) {
    memset(f, 0, sizeof *f);
    f->mem = mem;
    f->slot = slot;
    memset(mem, 0xFF, 2u * slot);
    f->budget = -1;
    f->flash.ctx = f;
    f->flash.slot_bytes = slot;
    f->flash.read = sim_read;
    f->flash.write = sim_write;
    f->flash.erase = sim_erase;
}

void flash_sim_revive(flash_sim_t *f) {
    f->dead = 0;
    f->fail_reads = 0;
    f->flip_from = 0;
    f->budget = -1;
}
