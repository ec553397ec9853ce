/* Little-endian byte access for every format the library reads or writes (the model file,
 * the head store, the feature cache in flash): byte by byte, so alignment and the host's
 * byte order never matter. */
#ifndef MICROT_LE_BYTES_H
#define MICROT_LE_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t mt_rd_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static inline uint32_t mt_rd_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t mt_rd_u64(const uint8_t *p) {
    return (uint64_t)mt_rd_u32(p) | ((uint64_t)mt_rd_u32(p + 4) << 32);
}

static inline int32_t mt_rd_i32(const uint8_t *p) {
    uint32_t u = mt_rd_u32(p);
    int32_t v;
    memcpy(&v, &u, sizeof v); /* two's complement reinterpretation without overflow */
    return v;
}

static inline float mt_rd_f32(const uint8_t *p) {
    uint32_t u = mt_rd_u32(p);
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static inline void mt_wr_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void mt_wr_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

#endif
