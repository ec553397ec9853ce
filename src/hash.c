/* Checksums of the model format: zlib's CRC-32 (integrity) and FNV-1a 64 (fingerprint).
 * Bitwise CRC, no table: it runs once per model open and costs no flash or RAM. */
#include <stddef.h>
#include <stdint.h>

#include "microt/model.h"

uint32_t mt_crc32(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

uint64_t mt_fnv1a64(uint64_t hash, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}
