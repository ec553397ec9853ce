/* libFuzzer target for the cycle-file parser (tools/cycles_file.c): any text gives a parsed
 * file or a one-line reason, never a crash or undefined behaviour; what parses respects the
 * documented bounds (so the board tables cannot overflow). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/cycles_file.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1); /* not NUL-terminated: the parser must not need it */
    if (!text) return 0;
    memcpy(text, data, size);
    mt_cycles_file_t c;
    char err[128];
    err[0] = '\0';
    if (mt_cycles_parse(text, size, &c, err, sizeof err) == 0) {
        const uint64_t v[] = {c.input, c.part, c.rest, c.full, c.extract, c.train_a, c.train_b,
                              c.calibrate, c.head_a, c.head_b};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            if (v[i] > MT_CYCLES_MAX) mt_fuzz_fail("cycles %llu", (unsigned long long)v[i]);
        }
        if (c.classes == 0 || c.per_class == 0 ||
            (uint64_t)c.classes * c.per_class > MT_CYCLES_MAX_SAMPLES ||
            !memchr(c.cpu, 0, sizeof c.cpu) || !memchr(c.model, 0, sizeof c.model)) {
            mt_fuzz_fail("bounds");
        }
    } else if (!err[0] || strchr(err, '\n')) {
        mt_fuzz_fail("reason '%s'", err);
    }
    free(text);
    return 0;
}

int mt_fuzz_seeds(const char *dir) {
    static const char good[] =
        "# microt cycle file: test-model.mtm on the mt_cycles cortex-m4 model, ESTIMATED\n"
        "model microt-test-32\nfingerprint 315ed55f09145836\ncpu cortex-m4\nclasses 10\n"
        "per_class 10\npart 1234567\nrest 2345678\nfull 3456789\nextract 3500000\n"
        "head_train_a 99999\nhead_train_b 88888\ncalibrate 7777777\nhead_a 1200\nhead_b 1500\n"
        "input 45678\n";
    static const char crlf[] = "model m\r\nfingerprint 0000000000000000\r\ncpu cortex-m7\r\n";
    return mt_fuzz_write(dir, "good.cycles", good, sizeof good - 1) ||
           mt_fuzz_write(dir, "crlf.cycles", crlf, sizeof crlf - 1);
}
