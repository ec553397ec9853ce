/* The feature cache in flash (docs/personalization.md section 4): one two-slot record, written
 * straight from the cache buffer (no copy) and read back into it, so samples and whole classes
 * can be added later without the images. Everything read from flash is hostile: lengths are
 * checked before use, the CRC is recomputed over what landed in RAM, every value validated. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "le_bytes.h"
#include "microt/store.h"

static const uint8_t cache_magic[4] = {'M', 'T', 'F', '1'};
#define CACHE_VERSION 1u
#define HEADER_BYTES 40u


static size_t align4(size_t n) { return (n + 3u) & ~(size_t)3u; }

/* Payload sections after the header, for n samples of k classes. */
typedef struct {
    size_t names, offered, labels, part, full, total;
} layout_t;

static layout_t layout(uint32_t n, uint32_t k, uint32_t dp, uint32_t df, uint8_t format) {
    layout_t l;
    l.names = (size_t)k * MT_NAME_BYTES;
    l.offered = 4u * (size_t)k;
    l.labels = align4(2u * (size_t)n);
    l.part = (size_t)n * MT_FEATURES_VECTOR_BYTES(dp, format);
    l.full = (size_t)n * MT_FEATURES_VECTOR_BYTES(df, format);
    l.total = HEADER_BYTES + l.names + l.offered + l.labels + l.part + l.full;
    return l;
}

/* Where the cache buffer keeps stage s's vectors (as src/features.c lays it out). */
static uint8_t *vectors(const mt_features_t *c, int stage) {
    uint8_t *p = c->buf + align4(2u * (size_t)c->capacity);
    if (stage == MT_STAGE_FULL) p += (size_t)c->capacity * MT_FEATURES_VECTOR_BYTES(c->dim[0], c->format);
    return p;
}

size_t mt_store_features_bytes(const mt_features_t *cache) {
    if (!cache || !cache->buf) return 0;
    layout_t l = layout(cache->n_samples, cache->n_classes, cache->dim[0], cache->dim[1],
                        cache->format);
    return l.total;
}

mt_status_t mt_store_features_save(const mt_flash_t *flash, const mt_features_t *cache,
                                   const char (*names)[MT_NAME_BYTES], uint64_t fingerprint,
                                   uint32_t *seq) {
    if (!flash || !cache || !cache->buf || !names) return MT_E_ARG;
    uint32_t n = cache->n_samples, k = cache->n_classes;
    layout_t l = layout(n, k, cache->dim[0], cache->dim[1], cache->format);
    if (l.total > 0xFFFFFFFFu) return MT_E_STORE_SPACE;
    for (uint32_t c = 0; c < k; c++) {
        if (!memchr(names[c], 0, MT_NAME_BYTES)) return MT_E_ARG;
    }
    uint8_t hdr[HEADER_BYTES];
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, cache_magic, 4);
    mt_wr_u16(hdr + 4, CACHE_VERSION);
    hdr[6] = cache->format;
    mt_wr_u32(hdr + 8, (uint32_t)l.total);
    mt_wr_u32(hdr + 12, n);
    mt_wr_u16(hdr + 16, cache->dim[0]);
    mt_wr_u16(hdr + 18, cache->dim[1]);
    mt_wr_u16(hdr + 20, (uint16_t)k);
    mt_wr_u16(hdr + 22, cache->per_class);
    mt_wr_u32(hdr + 24, cache->rng);
    mt_wr_u32(hdr + 32, (uint32_t)fingerprint);
    mt_wr_u32(hdr + 36, (uint32_t)(fingerprint >> 32));
    /* Straight from the buffers: offered[] and the labels are little-endian in memory on every
     * supported target (as the head blob's floats); the label section's padding is zeros. */
    static const uint8_t zeros[4] = {0, 0, 0, 0};
    const void *parts[7] = {hdr, names, cache->offered, cache->buf, zeros,
                            vectors(cache, MT_STAGE_PART), vectors(cache, MT_STAGE_FULL)};
    size_t lens[7] = {HEADER_BYTES, l.names, l.offered, 2u * (size_t)n, l.labels - 2u * (size_t)n,
                      l.part, l.full};
    return mt_store_write_parts(flash, parts, lens, 7, seq);
}

/* Reads payload bytes [*off, *off + len) into dst and chains them into *crc. */
static mt_status_t take(const mt_flash_t *f, const mt_store_record_t *rec, uint32_t *off,
                        void *dst, size_t len, uint32_t *crc) {
    mt_status_t st = mt_store_read_part(f, rec, *off, dst, (uint32_t)len);
    if (st != MT_OK) return st;
    *crc = mt_crc32(*crc, dst, len);
    *off += (uint32_t)len;
    return MT_OK;
}

static int vector_ok(const uint8_t *v, uint32_t dim, uint8_t format) {
    float a, b;
    if (format == MT_FEATURES_F32) {
        for (uint32_t i = 0; i < dim; i++) {
            memcpy(&a, v + 4u * i, 4);
            if (!isfinite(a)) return 0;
        }
        return 1;
    }
    memcpy(&a, v, 4);
    memcpy(&b, v + 4, 4);
    return isfinite(a) && isfinite(b) && b >= 0.0f;
}

static void reset(mt_features_t *c) {
    c->n_samples = 0;
    c->n_classes = 0;
    c->last_slot = MT_FEATURES_DROPPED;
    memset(c->offered, 0, sizeof c->offered);
}

mt_status_t mt_store_features_load(const mt_flash_t *flash, uint64_t fingerprint,
                                   mt_features_t *cache, char (*names)[MT_NAME_BYTES],
                                   uint32_t max_names, uint32_t *seq) {
    if (!flash || !cache || !cache->buf || !names) return MT_E_ARG;
    mt_store_record_t rec;
    mt_status_t st = mt_store_find(flash, &rec);
    if (st != MT_OK) return st;
    uint8_t hdr[HEADER_BYTES];
    uint32_t off = 0, crc = mt_store_record_crc_init(&rec);
    if (rec.len < HEADER_BYTES) return MT_E_STORE_FORMAT;
    if ((st = take(flash, &rec, &off, hdr, HEADER_BYTES, &crc)) != MT_OK) return st;
    uint32_t n = mt_rd_u32(hdr + 12), k = mt_rd_u16(hdr + 20), per_class = mt_rd_u16(hdr + 22);
    uint32_t dp = mt_rd_u16(hdr + 16), df = mt_rd_u16(hdr + 18);
    uint8_t format = hdr[6];
    /* 1. Layout. 2. The model and cache it was made for. 3. Room. */
    if (memcmp(hdr, cache_magic, 4) != 0 || mt_rd_u16(hdr + 4) != CACHE_VERSION ||
        format > MT_FEATURES_F32 || hdr[7] != 0 || mt_rd_u32(hdr + 28) != 0 ||
        k > MT_FEATURES_MAX_CLASSES || (n > 0 && k == 0) || dp == 0 || df == 0 ||
        mt_rd_u32(hdr + 8) != rec.len || layout(n, k, dp, df, format).total != rec.len) {
        return MT_E_STORE_FORMAT;
    }
    uint64_t fp = (uint64_t)mt_rd_u32(hdr + 32) | ((uint64_t)mt_rd_u32(hdr + 36) << 32);
    if (fp != fingerprint || dp != cache->dim[0] || df != cache->dim[1]) return MT_E_STORE_MODEL;
    if (format != cache->format || n > cache->capacity || k > max_names ||
        (cache->per_class && per_class > cache->per_class)) {
        return MT_E_STORE_SPACE;
    }
    /* 4. The sections, straight into place; the cache is empty unless all of it checks out. */
    reset(cache);
    layout_t l = layout(n, k, dp, df, format);
    uint32_t offered[MT_FEATURES_MAX_CLASSES];
    uint8_t pad[4];
    if ((st = take(flash, &rec, &off, names, l.names, &crc)) != MT_OK ||
        (st = take(flash, &rec, &off, offered, l.offered, &crc)) != MT_OK ||
        (st = take(flash, &rec, &off, cache->buf, 2u * (size_t)n, &crc)) != MT_OK ||
        (st = take(flash, &rec, &off, pad, l.labels - 2u * (size_t)n, &crc)) != MT_OK ||
        (st = take(flash, &rec, &off, vectors(cache, MT_STAGE_PART), l.part, &crc)) != MT_OK ||
        (st = take(flash, &rec, &off, vectors(cache, MT_STAGE_FULL), l.full, &crc)) != MT_OK) {
        return st;
    }
    if (crc != rec.crc) return MT_E_STORE_CRC; /* the flash changed under us */
    uint32_t count[MT_FEATURES_MAX_CLASSES];
    memset(count, 0, sizeof count);
    int ok = 1;
    for (uint32_t c = 0; c < k; c++) ok &= memchr(names[c], 0, MT_NAME_BYTES) != NULL;
    for (uint32_t i = 0; i < n && ok; i++) {
        uint16_t y;
        memcpy(&y, cache->buf + 2u * i, 2);
        if (y >= k) {
            ok = 0;
            break;
        }
        count[y]++;
        ok &= vector_ok(vectors(cache, MT_STAGE_PART) + (size_t)i * MT_FEATURES_VECTOR_BYTES(dp, format), dp, format);
        ok &= vector_ok(vectors(cache, MT_STAGE_FULL) + (size_t)i * MT_FEATURES_VECTOR_BYTES(df, format), df, format);
    }
    for (uint32_t c = 0; c < k && ok; c++) {
        ok &= offered[c] >= count[c] && (!per_class || count[c] <= per_class) &&
              (count[c] > 0 || offered[c] == 0);
    }
    if (!ok) {
        reset(cache);
        return MT_E_STORE_FORMAT;
    }
    cache->n_samples = n;
    cache->n_classes = (uint16_t)k;
    memcpy(cache->offered, offered, 4u * k);
    if (cache->per_class) cache->rng = mt_rd_u32(hdr + 24) ? mt_rd_u32(hdr + 24) : 1u;
    if (seq) *seq = rec.seq;
    return MT_OK;
}

mt_status_t mt_store_features_info(const mt_flash_t *flash, mt_store_features_info_t *info) {
    if (!flash || !info) return MT_E_ARG;
    memset(info, 0, sizeof *info);
    mt_store_record_t rec;
    mt_status_t st = mt_store_find(flash, &rec);
    if (st != MT_OK) return st;
    uint8_t hdr[HEADER_BYTES];
    if (rec.len < HEADER_BYTES) return MT_E_STORE_FORMAT;
    if ((st = mt_store_read_part(flash, &rec, 0, hdr, HEADER_BYTES)) != MT_OK) return st;
    uint32_t n = mt_rd_u32(hdr + 12), k = mt_rd_u16(hdr + 20);
    uint32_t dp = mt_rd_u16(hdr + 16), df = mt_rd_u16(hdr + 18);
    if (memcmp(hdr, cache_magic, 4) != 0 || mt_rd_u16(hdr + 4) != CACHE_VERSION ||
        hdr[6] > MT_FEATURES_F32 || k > MT_FEATURES_MAX_CLASSES || dp == 0 || df == 0 ||
        layout(n, k, dp, df, hdr[6]).total != rec.len) {
        return MT_E_STORE_FORMAT;
    }
    info->n_samples = n;
    info->n_classes = (uint16_t)k;
    info->per_class = mt_rd_u16(hdr + 22);
    info->dim[0] = (uint16_t)dp;
    info->dim[1] = (uint16_t)df;
    info->format = hdr[6];
    info->fingerprint = (uint64_t)mt_rd_u32(hdr + 32) | ((uint64_t)mt_rd_u32(hdr + 36) << 32);
    info->seq = rec.seq;
    return MT_OK;
}
