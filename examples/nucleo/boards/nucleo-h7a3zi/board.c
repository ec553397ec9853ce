/* NUCLEO-H7A3ZI-Q (STM32H7A3ZIT6Q, RM0455): direct SMPS supply (the -Q board's default),
 * VOS0, 280 MHz from HSI 64 MHz through PLL1 (6 flash wait states), I- and D-cache on,
 * USART3 on PD8/PD9 = the ST-LINK virtual COM port (115200 8N1, 140 MHz APB1), DWT cycle
 * counter, and the head store on the last four 8 KB sectors of bank 2, written in 128-bit
 * flash words, each once between erases (ECC). Register addresses and bits are from RM0455;
 * compiled and size-checked in CI, not run there (no STM32H7 emulator). */
#include "board.h"

#include <string.h>

#define PWR 0x58024800u
#define PWR_CSR1 (PWR + 0x04u)
#define PWR_CR3 (PWR + 0x0Cu)
#define PWR_SRDCR (PWR + 0x18u)
#define RCC 0x58024400u
#define RCC_CR (RCC + 0x00u)
#define RCC_CFGR (RCC + 0x10u)
#define RCC_CDCFGR1 (RCC + 0x18u)
#define RCC_CDCFGR2 (RCC + 0x1Cu)
#define RCC_SRDCFGR (RCC + 0x20u)
#define RCC_PLLCKSELR (RCC + 0x28u)
#define RCC_PLLCFGR (RCC + 0x2Cu)
#define RCC_PLL1DIVR (RCC + 0x30u)
#define RCC_AHB4ENR (RCC + 0xE0u)
#define RCC_APB1LENR (RCC + 0xE8u)
#define FLASH 0x52002000u
#define FLASH_ACR (FLASH + 0x00u)
#define FLASH_KEYR2 (FLASH + 0x104u)
#define FLASH_CR2 (FLASH + 0x10Cu)
#define FLASH_SR2 (FLASH + 0x110u)
#define FLASH_CCR2 (FLASH + 0x114u)
#define GPIOD 0x58020C00u
#define USART3 0x40004800u
#define SCB_CCR 0xE000ED14u
#define SCB_CCSIDR 0xE000ED80u
#define SCB_CSSELR 0xE000ED84u
#define SCB_ICIALLU 0xE000EF50u
#define SCB_DCIMVAC 0xE000EF5Cu
#define SCB_DCISW 0xE000EF60u

#define APB1_HZ 140000000u
#define BAUD 115200u
#define STORE_BASE 0x081F8000u /* the linker script's STORE region: bank 2 sectors 124..127 */
#define STORE_BYTES (2u * BOARD_STORE_SLOT_BYTES)
#define BANK2 0x08100000u
#define SECTOR_BYTES 8192u

#define FLASH_CR_LOCK (1u << 0)
#define FLASH_CR_PG (1u << 1)
#define FLASH_CR_SER (1u << 2)
#define FLASH_CR_START (1u << 5)
#define FLASH_SR_BUSY 0x7u          /* BSY, WBNE, QW */
#define FLASH_SR_ERRORS 0x07EE0000u /* WRPERR PGSERR STRBERR INCERR RDPERR RDSERR SNECCERR DBECCERR */

static inline void barrier(void) { __asm__ volatile("dsb\n isb" ::: "memory"); }

static void power_and_clock_280mhz(void) {
    /* supply: direct SMPS, LDO off (RM0455 6.8.4), once after reset, then wait ACTVOSRDY */
    REG32(PWR_CR3) = (REG32(PWR_CR3) & ~0x3Fu) | (1u << 2);
    while (!(REG32(PWR_CSR1) & (1u << 13))) {
    }
    REG32(PWR_SRDCR) |= 3u << 14;                      /* VOS0 */
    while (!(REG32(PWR_SRDCR) & (1u << 13))) {         /* VOSRDY */
    }
    REG32(FLASH_ACR) = 6u | (3u << 4);                 /* 6 WS, WRHIGHFREQ 3: 280 MHz at VOS0 */
    while ((REG32(FLASH_ACR) & 0x3Fu) != (6u | (3u << 4))) {
    }
    /* PLL1: HSI 64 MHz / M 4 = 16 MHz (range 8..16), * N 35 = 560 MHz wide VCO, / P 2 = 280 */
    REG32(RCC_PLLCKSELR) = (REG32(RCC_PLLCKSELR) & ~((0x3Fu << 4) | 3u)) | (4u << 4);
    REG32(RCC_PLLCFGR) = (REG32(RCC_PLLCFGR) & ~0xFu) | (3u << 2) | (1u << 16); /* RGE, DIVP1EN */
    REG32(RCC_PLL1DIVR) = (35u - 1u) | ((2u - 1u) << 9) | ((4u - 1u) << 16) | ((2u - 1u) << 24);
    REG32(RCC_CR) |= 1u << 24;                         /* PLL1ON */
    while (!(REG32(RCC_CR) & (1u << 25))) {            /* PLL1RDY */
    }
    /* CPU and AXI/AHB 280 MHz, every APB 140 MHz (their maximum) */
    REG32(RCC_CDCFGR1) = (0u << 8) | (4u << 4) | 0u;   /* CDCPRE /1, CDPPRE /2, HPRE /1 */
    REG32(RCC_CDCFGR2) = (4u << 4) | (4u << 8);        /* CDPPRE1 /2, CDPPRE2 /2 */
    REG32(RCC_SRDCFGR) = 4u << 4;                      /* SRDPPRE /2 */
    REG32(RCC_CFGR) = (REG32(RCC_CFGR) & ~7u) | 3u;    /* SW = PLL1 */
    while (((REG32(RCC_CFGR) >> 3) & 7u) != 3u) {
    }
}

static void caches_on(void) {
    barrier();
    REG32(SCB_ICIALLU) = 0;
    barrier();
    REG32(SCB_CCR) |= 1u << 17; /* IC */
    REG32(SCB_CSSELR) = 0;      /* L1 data cache: invalidate every set and way, then enable */
    barrier();
    uint32_t ccsidr = REG32(SCB_CCSIDR);
    uint32_t sets = ((ccsidr >> 13) & 0x7FFFu) + 1u, ways = ((ccsidr >> 3) & 0x3FFu) + 1u;
    for (uint32_t s = 0; s < sets; s++) {
        for (uint32_t w = 0; w < ways; w++) REG32(SCB_DCISW) = (s << 5) | (w << 30);
    }
    barrier();
    REG32(SCB_CCR) |= 1u << 16; /* DC */
    barrier();
}

static void usart3_init(void) {
    REG32(RCC_AHB4ENR) |= 1u << 3;   /* GPIODEN */
    REG32(RCC_APB1LENR) |= 1u << 18; /* USART3EN (kernel clock: PCLK1) */
    (void)REG32(RCC_APB1LENR);
    REG32(GPIOD + 0x00u) = (REG32(GPIOD + 0x00u) & ~(0xFu << 16)) | (0xAu << 16); /* PD8, PD9 AF */
    REG32(GPIOD + 0x24u) = (REG32(GPIOD + 0x24u) & ~0xFFu) | 0x77u;               /* AF7 */
    REG32(USART3 + 0x0Cu) = (APB1_HZ + BAUD / 2) / BAUD;                          /* BRR, x16 */
    REG32(USART3 + 0x00u) = (1u << 3) | (1u << 2) | 1u;                           /* TE RE UE */
}

void board_init(void) {
    board_dwt_start();
    power_and_clock_280mhz();
    caches_on();
    usart3_init();
}

int board_getc(void) {
    while (!(REG32(USART3 + 0x1Cu) & (1u << 5))) { /* RXFNE */
    }
    return (int)(REG32(USART3 + 0x24u) & 0xFFu);
}

void board_write(void *ctx, const char *s, size_t n) {
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        while (!(REG32(USART3 + 0x1Cu) & (1u << 7))) { /* TXFNF */
        }
        REG32(USART3 + 0x28u) = (uint8_t)s[i];
    }
}

uint32_t board_cycles(void) { return REG32(DWT_CYCCNT); }

/* ---- the head store (bank 2 registers) ---- */
static int flash_wait(void) {
    while (REG32(FLASH_SR2) & FLASH_SR_BUSY) {
    }
    uint32_t err = REG32(FLASH_SR2) & FLASH_SR_ERRORS;
    REG32(FLASH_CCR2) = err | (1u << 16); /* clear the errors and EOP */
    return err ? -1 : 0;
}

static void flash_unlock(void) {
    if (REG32(FLASH_CR2) & FLASH_CR_LOCK) {
        REG32(FLASH_KEYR2) = 0x45670123u;
        REG32(FLASH_KEYR2) = 0xCDEF89ABu;
    }
}

/* The D-cache may hold the old contents of what was just erased or programmed. */
static void dcache_invalidate(uint32_t addr, uint32_t len) {
    barrier();
    for (uint32_t a = addr & ~31u; a < addr + len; a += 32u) REG32(SCB_DCIMVAC) = a;
    barrier();
}

static int h7_erase(void *hw, uint32_t addr) {
    (void)hw;
    flash_unlock();
    if (flash_wait() != 0) return -1;
    uint32_t cr = FLASH_CR_SER | (((addr - BANK2) / SECTOR_BYTES) << 6); /* SSN */
    REG32(FLASH_CR2) = cr;
    REG32(FLASH_CR2) = cr | FLASH_CR_START;
    int rc = flash_wait();
    REG32(FLASH_CR2) = FLASH_CR_LOCK;
    dcache_invalidate(addr, SECTOR_BYTES);
    return rc;
}

static int h7_program(void *hw, uint32_t addr, const uint8_t *unit) {
    (void)hw;
    uint32_t w[4];
    memcpy(w, unit, 16);
    flash_unlock();
    if (flash_wait() != 0) return -1;
    REG32(FLASH_CR2) = FLASH_CR_PG;
    barrier();
    for (int i = 0; i < 4; i++) REG32(addr + 4u * (uint32_t)i) = w[i]; /* one 128-bit flash word */
    barrier();
    int rc = flash_wait();
    REG32(FLASH_CR2) = FLASH_CR_LOCK;
    dcache_invalidate(addr, 16);
    return rc;
}

static int h7_read(void *hw, uint32_t addr, void *dst, uint32_t len) {
    (void)hw;
    memcpy(dst, (const void *)(uintptr_t)addr, len);
    return 0;
}

void board_store(mt_flash_units_t *fu) {
    memset(fu, 0, sizeof *fu);
    fu->base = STORE_BASE;
    fu->slot_bytes = BOARD_STORE_SLOT_BYTES; /* two sectors per slot */
    fu->erase_bytes = SECTOR_BYTES;
    fu->unit_bytes = 16;           /* a 128-bit flash word */
    fu->erase = h7_erase;
    fu->program = h7_program;
    fu->read = h7_read;
}
