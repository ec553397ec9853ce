/* Port self-test: what every microt test relies on under QEMU, checked on the emulated core
 * itself: argv, printf, host files over semihosting, the heap, the FPU and the exit status.
 * Usage: selftest FILE FILE_BYTES TMPFILE (or --exit N | --fault | --abort | --overflow) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int cond, const char *what)
{
    if (!cond) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

/* Reads FILE through semihosting and checks its size both by reading and by fseek/ftell. */
static void check_read(const char *path, long want_bytes)
{
    FILE *f = fopen(path, "rb");
    check(f != NULL, "fopen of the host file");
    if (f == NULL)
        return;
    long total = 0;
    char buf[300]; /* an odd size, so reads cross the host's buffering */
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        total += (long)n;
    check(total == want_bytes, "bytes read == size given by CMake");
    check(fseek(f, 0, SEEK_END) == 0 && ftell(f) == want_bytes, "fseek/ftell size");
    check(fseek(f, 0, SEEK_SET) == 0 && fread(buf, 1, 2, f) == 2 && memcmp(buf, "/*", 2) == 0,
          "rewind and re-read the first bytes");
    fclose(f);
    printf("read %ld bytes from %s\n", total, path);
}

/* Writes a pseudo-random pattern to a host file and reads it back. */
static void check_write(const char *path)
{
    uint8_t out[1000], in[1000];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(out); i++) {
        x = x * 1103515245u + 12345u;
        out[i] = (uint8_t)(x >> 24);
    }
    FILE *f = fopen(path, "wb");
    check(f != NULL && fwrite(out, 1, sizeof(out), f) == sizeof(out), "write a host file");
    if (f != NULL)
        fclose(f);
    f = fopen(path, "rb");
    check(f != NULL && fread(in, 1, sizeof(in), f) == sizeof(in), "read it back");
    if (f != NULL)
        fclose(f);
    check(memcmp(in, out, sizeof(in)) == 0, "round-trip bytes equal");
    remove(path);
}

/* Float checks that a missing or misconfigured FPU, a wrong float ABI or flush-to-zero
 * would break. volatile keeps the compiler from folding them at compile time. */
static void check_float(void)
{
    volatile float a = 0.7f, tiny = 1e-39f, two = 2.0f;
    volatile double d = 1.0 / 3.0;
    float s = sinf(a), c = cosf(a);
    check(fabsf(s * s + c * c - 1.0f) < 1e-6f, "sin^2 + cos^2 == 1");
    check(fabsf(expf(logf(a)) - a) < 1e-6f, "exp(log(x)) == x");
    check(fabsf(sqrtf(two) * sqrtf(two) - 2.0f) < 1e-6f, "sqrt(2)^2 == 2");
    check(tiny * two > 0.0f && tiny * two < 1e-38f, "subnormals kept (no flush-to-zero)");
    check(fabs(d * 3.0 - 1.0) < 1e-15, "double precision arithmetic");
    float acc = 0.0f;
    double accd = 0.0;
    for (int i = 1; i <= 1000; i++) {
        acc += 1.0f / (float)i;
        accd += 1.0 / (double)i;
    }
    check(fabs((double)acc - accd) < 1e-4, "float harmonic sum matches double");
    char buf[32];
    snprintf(buf, sizeof(buf), "%.3f", (double)(a * two));
    check(strcmp(buf, "1.400") == 0, "printf of a float");
#if !defined(__ARM_FP)
    check(0, "built without an FPU (__ARM_FP undefined)");
#endif
}

static void check_heap(void)
{
    void *big = malloc(1u << 20);
    check(big != NULL, "malloc 1 MB");
    if (big != NULL)
        memset(big, 0xA5, 1u << 20);
    void *huge = malloc(8u << 20);
    check(huge == NULL, "malloc 8 MB fails cleanly (RAM is 4 MB)");
    free(huge);
    free(big);
}

/* Deep recursion whose frames the compiler cannot fold away. */
static unsigned recurse(unsigned n)
{
    volatile char frame[256];
    frame[0] = (char)n;
    return n == 0 ? 0 : recurse(n - 1) + (unsigned)frame[0];
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--exit") == 0)
        return atoi(argv[2]);
    if (argc == 2 && strcmp(argv[1], "--fault") == 0) {
        volatile int zero = 0;
        printf("dividing by zero\n");
        return 10 / zero; /* traps: CCR.DIV_0_TRP is set in startup */
    }
    if (argc == 2 && strcmp(argv[1], "--abort") == 0)
        abort();
    if (argc == 2 && strcmp(argv[1], "--overflow") == 0)
        return recurse(1u << 30) == 0; /* runs past the stack guard: a fault, status 70 */
    if (argc != 4) {
        printf("usage: %s FILE FILE_BYTES TMPFILE | --exit N | --fault | --abort | --overflow\n", argv[0]);
        return 2;
    }
    printf("selftest: argc=%d argv[0]=%s\n", argc, argv[0]);
    check_read(argv[1], atol(argv[2]));
    check_write(argv[3]);
    check_float();
    check_heap();
    printf("selftest: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
