/* Deterministic float exp/log (see mathf.h). Only +, -, *, /, comparisons and exact
 * bit manipulation, each rounded by IEEE-754 binary32 the same way on every target
 * (the library builds as ISO C, so no fused multiply-adds are contracted). */
#include "mathf.h"

#include <stdint.h>
#include <string.h>

/* ln 2 split so that n * LN2_HI is exact for |n| < 2^9 (Cody and Waite). */
#define LN2_HI 0.693145751953125f
#define LN2_LO 1.42860682030941723212e-6f
#define LOG2E 1.44269504088896341f

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float mt_expf(float x) {
    if (x != x) return x;                       /* NaN */
    if (x > 88.72283f) return from_bits(0x7f800000u); /* overflow: +inf */
    if (x < -103.97208f) return 0.0f;           /* below the smallest subnormal */
    /* x = n ln2 + r, |r| <= ln2 / 2; e^x = 2^n e^r. */
    float t = x * LOG2E;
    int32_t n = (int32_t)(t + (t >= 0.0f ? 0.5f : -0.5f));
    float r = (x - (float)n * LN2_HI) - (float)n * LN2_LO;
    /* e^r by its Taylor series to r^7 (|r| <= 0.347: truncation < 2e-8 relative). */
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    /* Multiply by 2^n in two steps so that subnormal results and n = 128 stay exact. */
    int32_t n1 = n / 2, n2 = n - n1;
    return p * from_bits((uint32_t)(n1 + 127) << 23) * from_bits((uint32_t)(n2 + 127) << 23);
}

float mt_logf(float x) {
    if (x != x || x < 0.0f) return from_bits(0x7fc00000u); /* NaN */
    if (x == 0.0f) return from_bits(0xff800000u);           /* -inf */
    if (x > 3.4028235e38f) return x;                        /* +inf */
    int32_t e = 0;
    if (x < 1.17549435e-38f) { /* subnormal: scale into the normal range first */
        x *= 16777216.0f;
        e = -24;
    }
    uint32_t u = to_bits(x);
    e += (int32_t)((u >> 23) & 0xffu) - 127;
    float m = from_bits((u & 0x007fffffu) | 0x3f800000u); /* [1, 2) */
    if (m > 1.41421356f) {
        m *= 0.5f;
        e += 1;
    }
    /* log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: series to s^11. */
    float f = m - 1.0f;
    float s = f / (2.0f + f);
    float s2 = s * s;
    float q = 2.0f / 11.0f;
    q = q * s2 + 2.0f / 9.0f;
    q = q * s2 + 2.0f / 7.0f;
    q = q * s2 + 2.0f / 5.0f;
    q = q * s2 + 2.0f / 3.0f;
    float log_m = 2.0f * s + s * s2 * q;
    return (float)e * LN2_HI + ((float)e * LN2_LO + log_m);
}
