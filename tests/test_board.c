/* Board table and latency/energy arithmetic (src/board.c) against hand computation from the
 * constants docs/energy.md documents, and against the formula worked from each entry's fields. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "microt/board.h"
#include "test_util.h"

static int near(double got, double want, double rel) {
    int ok = fabs(got - want) <= rel * fabs(want) + 1e-12;
    if (!ok) printf("  got %.9g want %.9g\n", got, want);
    return ok;
}

int main(void) {
    /* The table: both of the paper's boards, found by name in any case. */
    CHECK(mt_board_count() >= 2);
    const mt_board_t *l4 = mt_board_find("stm32l4r5zi");
    const mt_board_t *h7 = mt_board_find("STM32H7A3ZI");
    CHECK(l4 != NULL);
    CHECK(h7 != NULL);
    if (!l4 || !h7) return mt_test_summary("test_board");
    CHECK(mt_board_find("stm32l4r5z") == NULL);   /* a prefix is not a match */
    CHECK(mt_board_find("stm32l4r5zix") == NULL); /* nor a longer name */
    CHECK(mt_board_find("") == NULL);
    CHECK(mt_board_find(NULL) == NULL);
    CHECK(mt_board_get(mt_board_count()) == NULL);
    CHECK(strcmp(l4->core, "cortex-m4") == 0);
    CHECK(strcmp(h7->core, "cortex-m7") == 0);
    CHECK_EQ(l4->sram_bytes, 640u * 1024u);
    CHECK_EQ(l4->flash_bytes, 2u * 1024u * 1024u);
    CHECK_EQ(h7->sram_bytes, (1184u + 128u + 64u + 4u) * 1024u);
    CHECK_EQ(h7->flash_bytes, 2u * 1024u * 1024u);

    /* Hand computation with docs/energy.md's constants.
     * L4R5: 120 MHz, 13.2 mA, 3.3 V. 6,000,000 cycles = 50 ms; P = 43.56 mW;
     * E = 43.56 mW * 0.05 s = 2.178 mJ = 2178 uJ. */
    CHECK_EQ(l4->clock_hz, 120000000u);
    CHECK(near(mt_board_power_mw(l4), 43.56, 1e-6));
    CHECK(near(mt_board_latency_us(l4, 6000000u), 50000.0, 1e-12));
    CHECK(near(mt_board_energy_uj(l4, 6000000u), 2178.0, 1e-6));
    /* H7A3: 280 MHz, 40 mA, 3.3 V. 7,000,000 cycles = 25 ms; P = 132 mW; E = 3.3 mJ. */
    CHECK_EQ(h7->clock_hz, 280000000u);
    CHECK(near(mt_board_power_mw(h7), 132.0, 1e-6));
    CHECK(near(mt_board_latency_us(h7, 7000000u), 25000.0, 1e-12));
    CHECK(near(mt_board_energy_uj(h7, 7000000u), 3300.0, 1e-6));

    /* Every entry: E = V * I * cycles / f, worked in joules from the fields; linear in cycles. */
    for (uint32_t i = 0; i < mt_board_count(); i++) {
        const mt_board_t *b = mt_board_get(i);
        CHECK(b != NULL && b->clock_hz > 0 && b->run_current_ma > 0.0f && b->supply_v > 0.0f);
        if (!b) continue;
        CHECK(mt_board_find(b->name) == b);
        uint64_t cycles = 123456789u;
        double joules = (double)b->supply_v * ((double)b->run_current_ma / 1000.0) *
                        ((double)cycles / (double)b->clock_hz);
        CHECK(near(mt_board_energy_uj(b, cycles), joules * 1e6, 1e-9));
        CHECK(near(mt_board_energy_uj(b, 2 * cycles), 2.0 * mt_board_energy_uj(b, cycles), 1e-12));
        CHECK(mt_board_energy_uj(b, 0) == 0.0);
    }
    CHECK(mt_board_energy_uj(NULL, 1000) == 0.0);

    /* Stage decision: part 100 + head A 10 always; rest 300 + head B 20 for the 1 - r that
     * stay. r = 0.5: 110 + 160 = 270. r = 0: 430 (the full model); r = 1: 110. */
    CHECK(near(mt_board_stage_cycles(100, 10, 300, 20, 0.5), 270.0, 1e-12));
    CHECK(near(mt_board_stage_cycles(100, 10, 300, 20, 0.0), 430.0, 1e-12));
    CHECK(near(mt_board_stage_cycles(100, 10, 300, 20, 1.0), 110.0, 1e-12));
    CHECK(near(mt_board_stage_cycles(100, 10, 300, 20, 1.7), 110.0, 1e-12));  /* clamped */
    CHECK(near(mt_board_stage_cycles(100, 10, 300, 20, -0.2), 430.0, 1e-12)); /* clamped */
    CHECK(near(mt_board_stage_cycles(100, 10, 300, 20, NAN), 430.0, 1e-12));
    return mt_test_summary("test_board");
}
