/* NUCLEO-L4R5ZI (STM32L4R5ZIT6, RM0432): 120 MHz from HSI16 through PLL (Range 1 boost, 5
 * flash wait states), LPUART1 on PG7/PG8 = the ST-LINK virtual COM port (115200 8N1; port G
 * needs VDDIO2, PWR_CR2.IOSV), DWT cycle counter, and the head store on the last 32 KB of
 * flash (bank 2 in the default dual-bank mode: 4 KB pages; single-bank: 8 KB pages), written
 * in 64-bit double words, each once between erases (ECC). Register addresses and bits are from
 * RM0432; compiled and size-checked in CI, not run there (no STM32L4 emulator). */
#include "board.h"

#include <string.h>

#define RCC 0x40021000u
#define RCC_CR (RCC + 0x00u)
#define RCC_CFGR (RCC + 0x08u)
#define RCC_PLLCFGR (RCC + 0x0Cu)
#define RCC_AHB2ENR (RCC + 0x4Cu)
#define RCC_APB1ENR1 (RCC + 0x58u)
#define RCC_APB1ENR2 (RCC + 0x5Cu)
#define PWR 0x40007000u
#define PWR_CR2 (PWR + 0x04u)
#define PWR_CR5 (PWR + 0x80u)
#define FLASH 0x40022000u
#define FLASH_ACR (FLASH + 0x00u)
#define FLASH_KEYR (FLASH + 0x08u)
#define FLASH_SR (FLASH + 0x10u)
#define FLASH_CR (FLASH + 0x14u)
#define FLASH_OPTR (FLASH + 0x20u)
#define GPIOG 0x48001800u
#define LPUART1 0x40008000u

#define CPU_HZ 120000000u
#define BAUD 115200u
#define STORE_BASE 0x081F8000u /* the linker script's STORE region */
#define STORE_BYTES (2u * BOARD_STORE_SLOT_BYTES)
#define BANK2 0x08100000u

/* SR error flags: OPERR PROGERR WRPERR PGAERR SIZERR PGSERR MISERR FASTERR RDERR OPTVERR */
#define FLASH_SR_ERRORS 0xC3FAu
#define FLASH_SR_EOP (1u << 0)
#define FLASH_SR_BSY (1u << 16)
#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_PER (1u << 1)
#define FLASH_CR_BKER (1u << 11)
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_LOCK (1u << 31)
#define FLASH_OPTR_DBANK (1u << 22)

static void delay_cycles(uint32_t n) {
    uint32_t t0 = REG32(DWT_CYCCNT);
    while (REG32(DWT_CYCCNT) - t0 < n) {
    }
}

static void clock_120mhz(void) {
    REG32(RCC_APB1ENR1) |= 1u << 28;                  /* PWREN */
    REG32(PWR_CR5) &= ~(1u << 8);                     /* R1MODE = 0: Range 1 boost */
    REG32(FLASH_ACR) = (REG32(FLASH_ACR) & ~0xFu) | 5u | (1u << 8) | (1u << 9) | (1u << 10);
    while ((REG32(FLASH_ACR) & 0xFu) != 5u) {         /* 5 WS, prefetch, I- and D-cache */
    }
    REG32(RCC_CR) |= 1u << 8;                         /* HSION */
    while (!(REG32(RCC_CR) & (1u << 10))) {           /* HSIRDY */
    }
    /* PLL: HSI16 / M 1 * N 15 = 240 MHz VCO, / R 2 = 120 MHz */
    REG32(RCC_PLLCFGR) = 2u /* PLLSRC = HSI16 */ | (0u << 4) /* PLLM - 1 */ | (15u << 8) /* PLLN */ |
                         (1u << 24) /* PLLREN */ | (0u << 25) /* PLLR = 2 */;
    REG32(RCC_CR) |= 1u << 24;                        /* PLLON */
    while (!(REG32(RCC_CR) & (1u << 25))) {           /* PLLRDY */
    }
    /* above 80 MHz: switch with AHB / 2 for at least 1 us, then / 1 (RM0432 5.1.8) */
    REG32(RCC_CFGR) = (REG32(RCC_CFGR) & ~0xF3u) | (8u << 4) | 3u; /* HPRE /2, SW = PLL */
    while (((REG32(RCC_CFGR) >> 2) & 3u) != 3u) {
    }
    delay_cycles(CPU_HZ / 2 / 1000000u * 2u);
    REG32(RCC_CFGR) &= ~(0xFu << 4);                  /* HPRE /1: 120 MHz AHB, APB1, APB2 */
}

static void lpuart1_init(void) {
    REG32(PWR_CR2) |= 1u << 9;                        /* IOSV: VDDIO2 powers PG2..PG15 */
    REG32(RCC_AHB2ENR) |= 1u << 6;                    /* GPIOGEN */
    REG32(RCC_APB1ENR2) |= 1u << 0;                   /* LPUART1EN (kernel clock PCLK1) */
    REG32(GPIOG + 0x00u) = (REG32(GPIOG + 0x00u) & ~(0xFu << 14)) | (0xAu << 14); /* PG7, PG8 AF */
    REG32(GPIOG + 0x20u) = (REG32(GPIOG + 0x20u) & ~(0xFu << 28)) | (8u << 28);   /* PG7 AF8 TX */
    REG32(GPIOG + 0x24u) = (REG32(GPIOG + 0x24u) & ~0xFu) | 8u;                   /* PG8 AF8 RX */
    REG32(LPUART1 + 0x0Cu) = (uint32_t)((256ull * CPU_HZ + BAUD / 2) / BAUD);     /* BRR */
    REG32(LPUART1 + 0x00u) = (1u << 3) | (1u << 2) | 1u;                          /* TE RE UE */
}

void board_init(void) {
    board_dwt_start();
    clock_120mhz();
    lpuart1_init();
}

int board_getc(void) {
    while (!(REG32(LPUART1 + 0x1Cu) & (1u << 5))) { /* RXNE */
    }
    return (int)(REG32(LPUART1 + 0x24u) & 0xFFu);
}

void board_write(void *ctx, const char *s, size_t n) {
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        while (!(REG32(LPUART1 + 0x1Cu) & (1u << 7))) { /* TXE */
        }
        REG32(LPUART1 + 0x28u) = (uint8_t)s[i];
    }
}

uint32_t board_cycles(void) { return REG32(DWT_CYCCNT); }

/* ---- the head store ---- */
static int flash_wait(void) {
    while (REG32(FLASH_SR) & FLASH_SR_BSY) {
    }
    uint32_t err = REG32(FLASH_SR) & FLASH_SR_ERRORS;
    REG32(FLASH_SR) = err | FLASH_SR_EOP; /* write 1 to clear */
    return err ? -1 : 0;
}

static void flash_unlock(void) {
    if (REG32(FLASH_CR) & FLASH_CR_LOCK) {
        REG32(FLASH_KEYR) = 0x45670123u;
        REG32(FLASH_KEYR) = 0xCDEF89ABu;
    }
}

static int dual_bank(void) { return (REG32(FLASH_OPTR) & FLASH_OPTR_DBANK) != 0; }

static int l4_erase(void *hw, uint32_t addr) {
    (void)hw;
    flash_unlock();
    if (flash_wait() != 0) return -1;
    uint32_t cr;
    if (dual_bank()) { /* 2 x 256 pages of 4 KB */
        int b2 = addr >= BANK2;
        cr = FLASH_CR_PER | (((addr - (b2 ? BANK2 : 0x08000000u)) / 4096u) << 3) | (b2 ? FLASH_CR_BKER : 0u);
    } else { /* 256 pages of 8 KB */
        cr = FLASH_CR_PER | (((addr - 0x08000000u) / 8192u) << 3);
    }
    REG32(FLASH_CR) = cr;
    REG32(FLASH_CR) = cr | FLASH_CR_STRT;
    int rc = flash_wait();
    REG32(FLASH_CR) = FLASH_CR_LOCK;
    /* the flash data cache may still hold the erased words: reset it (RM0432 3.3.6) */
    REG32(FLASH_ACR) &= ~(1u << 10);
    REG32(FLASH_ACR) |= 1u << 12;
    REG32(FLASH_ACR) &= ~(1u << 12);
    REG32(FLASH_ACR) |= 1u << 10;
    return rc;
}

static int l4_program(void *hw, uint32_t addr, const uint8_t *unit) {
    (void)hw;
    uint32_t w[2];
    memcpy(w, unit, 8);
    flash_unlock();
    if (flash_wait() != 0) return -1;
    REG32(FLASH_CR) = FLASH_CR_PG;
    REG32(addr) = w[0]; /* one double word: both halves, in order */
    REG32(addr + 4u) = w[1];
    int rc = flash_wait();
    REG32(FLASH_CR) = FLASH_CR_LOCK;
    return rc;
}

static int l4_read(void *hw, uint32_t addr, void *dst, uint32_t len) {
    (void)hw;
    memcpy(dst, (const void *)(uintptr_t)addr, len);
    return 0;
}

void board_store(mt_flash_units_t *fu) {
    memset(fu, 0, sizeof *fu);
    fu->base = STORE_BASE;
    fu->slot_bytes = BOARD_STORE_SLOT_BYTES;          /* 16 KB: 4 pages or 2 pages */
    fu->erase_bytes = dual_bank() ? 4096u : 8192u;
    fu->unit_bytes = 8;                               /* a double word */
    fu->erase = l4_erase;
    fu->program = l4_program;
    fu->read = l4_read;
}
