/* A simulated NOR flash of two slots for the store tests: erase sets 0xFF, programming can only
 * clear bits, and a power budget (bytes that may still change) kills the device mid-operation
 * once spent, until it is revived: what a power cut does to a real part. */
#ifndef MICROT_TESTS_FLASH_SIM_H
#define MICROT_TESTS_FLASH_SIM_H

#include <stdint.h>

#include "microt/store.h"

typedef struct {
    uint8_t *mem;    /* [2 * slot] */
    uint32_t slot;   /* slot bytes (erase unit) */
    long budget;     /* bytes that may still change; < 0 = unlimited */
    int dead;        /* the power went: every call fails until flash_sim_revive */
    int fail_reads;  /* make every read fail */
    long spent;      /* bytes changed so far */
    long reads;      /* read calls so far */
    long flip_from;  /* > 0: read calls from this one on return their first byte flipped */
    mt_flash_t flash;
} flash_sim_t;

/* Binds the simulator to mem[2 * slot] and erases it. */
void flash_sim_init(flash_sim_t *f, uint8_t *mem, uint32_t slot);
/* Power back on, unlimited budget. */
void flash_sim_revive(flash_sim_t *f);

#endif
