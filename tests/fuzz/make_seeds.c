/* Writes the fuzz seed corpus: small valid models from the test builder (several seeds).
 * usage: make_seeds DIR */
#include <stdio.h>

#include "../model_builder.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    static uint32_t buf[8192 / 4];
    for (uint32_t seed = 1; seed <= 4; seed++) {
        size_t len = mt_build_small_model((uint8_t *)buf, sizeof buf, seed);
        char path[1024];
        snprintf(path, sizeof path, "%s/small-%u.mtm", argv[1], (unsigned)seed);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            perror(path);
            return 1;
        }
    }
    return 0;
}
