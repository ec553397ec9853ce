/* Head store: the head blob format and the two-slot, power-cut-safe flash record
 * (docs/personalization.md). Everything read back from flash is hostile: every length and
 * offset is bounds-checked before use, every float checked finite. No heap, no globals. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "le_bytes.h"
#include "microt/store.h"

static const uint8_t blob_magic[4] = {'M', 'T', 'H', '1'};
static const uint8_t slot_magic[4] = {'M', 'T', 'S', '1'};
#define BLOB_VERSION 1u
#define TASK_FIXED_BYTES 32u


/* One head's floats: W [k][dim], bias [k], mean [dim], inv_std [dim]. */
static uint64_t head_floats(uint64_t k, uint64_t dim) { return k * dim + k + 2u * dim; }

static uint64_t task_bytes(uint64_t k, uint64_t dim_part, uint64_t dim_full) {
    return TASK_FIXED_BYTES + k * MT_NAME_BYTES +
           4u * (head_floats(k, dim_part) + head_floats(k, dim_full));
}

static int task_valid(const mt_task_t *t) {
    const mt_head_t *a = &t->head[MT_STAGE_PART], *b = &t->head[MT_STAGE_FULL];
    return a->weights && b->weights && a->n_classes > 0 && a->n_classes <= MT_HEAD_MAX_CLASSES &&
           a->n_classes == b->n_classes && a->dim > 0 && b->dim > 0 &&
           t->confidence <= MT_CONF_ENTROPY && t->full_concat <= 1 &&
           (!t->full_concat || b->dim > a->dim);
}

size_t mt_store_blob_bytes(const mt_task_t *tasks, uint32_t n_tasks) {
    if (!tasks || n_tasks == 0 || n_tasks > MT_STORE_MAX_TASKS) return 0;
    uint64_t total = MT_STORE_BLOB_HEADER_BYTES;
    for (uint32_t i = 0; i < n_tasks; i++) {
        if (!task_valid(&tasks[i])) return 0;
        total += task_bytes(tasks[i].head[0].n_classes, tasks[i].head[0].dim,
                            tasks[i].head[1].dim);
    }
    return total <= 0xFFFFFFFFu ? (size_t)total : 0;
}

static int all_finite(const float *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(f[i])) return 0;
    }
    return 1;
}

static int head_finite(const mt_head_t *h) {
    return all_finite(h->weights, (size_t)h->n_classes * h->dim) &&
           all_finite(h->bias, h->n_classes) && all_finite(h->mean, h->dim) &&
           all_finite(h->inv_std, h->dim);
}

static uint8_t *put_floats(uint8_t *p, const float *f, size_t n) {
    memcpy(p, f, n * 4u); /* host order: little-endian on every supported target */
    return p + n * 4u;
}

mt_status_t mt_store_encode(const mt_task_t *tasks, uint32_t n_tasks, uint64_t fingerprint,
                            void *out, size_t cap, size_t *len) {
    if (!out || !len) return MT_E_ARG;
    if (((uintptr_t)out & 3u) != 0) return MT_E_ARG;
    size_t need = mt_store_blob_bytes(tasks, n_tasks);
    if (need == 0) return MT_E_ARG;
    if (cap < need) return MT_E_STORE_SPACE;
    for (uint32_t t = 0; t < n_tasks; t++) {
        const mt_task_t *k = &tasks[t];
        if (!isfinite(k->ratio) || !isfinite(k->tau) || !head_finite(&k->head[0]) ||
            !head_finite(&k->head[1])) {
            return MT_E_NONFINITE;
        }
        if (!(k->ratio >= 0.0f && k->ratio <= 1.0f)) return MT_E_ARG;
    }
    uint8_t *p = (uint8_t *)out;
    memset(p, 0, need);
    memcpy(p, blob_magic, 4);
    mt_wr_u16(p + 4, BLOB_VERSION);
    mt_wr_u16(p + 6, (uint16_t)n_tasks);
    mt_wr_u32(p + 8, (uint32_t)need);
    mt_wr_u32(p + 16, (uint32_t)fingerprint);
    mt_wr_u32(p + 20, (uint32_t)(fingerprint >> 32));
    uint8_t *q = p + MT_STORE_BLOB_HEADER_BYTES;
    for (uint32_t t = 0; t < n_tasks; t++) {
        const mt_task_t *k = &tasks[t];
        uint16_t n_classes = k->head[0].n_classes;
        memcpy(q, k->name, MT_NAME_BYTES - 1u); /* the 16th byte stays 0: NUL-terminated */
        mt_wr_u16(q + 16, n_classes);
        mt_wr_u16(q + 18, k->head[0].dim);
        mt_wr_u16(q + 20, k->head[1].dim);
        q[22] = k->confidence;
        q[23] = (uint8_t)((k->head[0].standardize ? 1u : 0u) | (k->head[1].standardize ? 2u : 0u) |
                          (k->full_concat ? 4u : 0u));
        memcpy(q + 24, &k->ratio, 4);
        memcpy(q + 28, &k->tau, 4);
        q += TASK_FIXED_BYTES;
        for (uint16_t c = 0; c < n_classes; c++, q += MT_NAME_BYTES) {
            if (k->class_names) memcpy(q, k->class_names[c], MT_NAME_BYTES - 1u);
        }
        for (int s = 0; s < 2; s++) {
            const mt_head_t *h = &k->head[s];
            q = put_floats(q, h->weights, (size_t)n_classes * h->dim);
            q = put_floats(q, h->bias, n_classes);
            q = put_floats(q, h->mean, h->dim);
            q = put_floats(q, h->inv_std, h->dim);
        }
    }
    *len = need;
    return MT_OK;
}

static int name_ok(const uint8_t *p) { return memchr(p, 0, MT_NAME_BYTES) != NULL; }

mt_status_t mt_store_decode(void *blob, size_t len, const mt_model_t *model, mt_task_t *tasks,
                            uint32_t max_tasks, uint32_t *n_tasks) {
    if (!blob || !model || !tasks || !n_tasks) return MT_E_ARG;
    if (((uintptr_t)blob & 3u) != 0) return MT_E_ARG;
    *n_tasks = 0;
    uint8_t *p = (uint8_t *)blob;
    /* 1. Layout: every field inside the blob, the tasks exactly filling it. */
    if (len < MT_STORE_BLOB_HEADER_BYTES || memcmp(p, blob_magic, 4) != 0 ||
        mt_rd_u16(p + 4) != BLOB_VERSION || mt_rd_u32(p + 8) != len || mt_rd_u32(p + 12) != 0) {
        return MT_E_STORE_FORMAT;
    }
    uint32_t n = mt_rd_u16(p + 6);
    if (n == 0 || n > MT_STORE_MAX_TASKS) return MT_E_STORE_FORMAT;
    uint64_t off = MT_STORE_BLOB_HEADER_BYTES;
    int dims_match = 1, finite = 1;
    uint32_t dim_part = mt_model_feature_len(model, MT_STAGE_PART);
    uint32_t dim_full = mt_model_feature_len(model, MT_STAGE_FULL);
    for (uint32_t t = 0; t < n; t++) {
        if (off + TASK_FIXED_BYTES > len) return MT_E_STORE_FORMAT;
        const uint8_t *q = p + off;
        uint32_t k = mt_rd_u16(q + 16), dp = mt_rd_u16(q + 18), df = mt_rd_u16(q + 20);
        float ratio, tau;
        memcpy(&ratio, q + 24, 4);
        memcpy(&tau, q + 28, 4);
        if (k == 0 || k > MT_HEAD_MAX_CLASSES || dp == 0 || df == 0 || q[22] > MT_CONF_ENTROPY ||
            q[23] > 7u || !name_ok(q) || ((q[23] & 4u) && df <= dp) || (isfinite(ratio) && !(ratio >= 0.0f && ratio <= 1.0f))) {
            return MT_E_STORE_FORMAT;
        }
        uint64_t size = task_bytes(k, dp, df);
        if (off + size > len) return MT_E_STORE_FORMAT;
        for (uint32_t c = 0; c < k; c++) {
            if (!name_ok(q + TASK_FIXED_BYTES + (size_t)c * MT_NAME_BYTES)) return MT_E_STORE_FORMAT;
        }
        const float *f = (const float *)(const void *)(q + TASK_FIXED_BYTES + (size_t)k * MT_NAME_BYTES);
        if (!isfinite(ratio) || !isfinite(tau) ||
            !all_finite(f, (size_t)(head_floats(k, dp) + head_floats(k, df)))) {
            finite = 0;
        }
        if (dp != dim_part || df != ((q[23] & 4u) ? dim_part + dim_full : dim_full)) dims_match = 0;
        off += size;
    }
    if (off != len) return MT_E_STORE_FORMAT;
    /* 2. The model it was trained for. 3. Values. 4. Room for the result. */
    if (mt_rd_u64(p + 16) != model->fingerprint || !dims_match) return MT_E_STORE_MODEL;
    if (!finite) return MT_E_NONFINITE;
    if (n > max_tasks) return MT_E_STORE_SPACE;

    off = MT_STORE_BLOB_HEADER_BYTES;
    for (uint32_t t = 0; t < n; t++) {
        uint8_t *q = p + off;
        mt_task_t *k = &tasks[t];
        memset(k, 0, sizeof *k);
        memcpy(k->name, q, MT_NAME_BYTES);
        uint16_t n_classes = mt_rd_u16(q + 16);
        k->confidence = q[22];
        k->full_concat = (uint8_t)((q[23] >> 2) & 1u);
        memcpy(&k->ratio, q + 24, 4);
        memcpy(&k->tau, q + 28, 4);
        k->class_names = (char(*)[MT_NAME_BYTES])(void *)(q + TASK_FIXED_BYTES);
        float *f = (float *)(void *)(q + TASK_FIXED_BYTES + (size_t)n_classes * MT_NAME_BYTES);
        for (int s = 0; s < 2; s++) {
            mt_head_t *h = &k->head[s];
            h->n_classes = h->max_classes = n_classes;
            h->dim = mt_rd_u16(q + 18 + 2 * s);
            h->standardize = (uint8_t)((q[23] >> s) & 1u);
            h->weights = f;
            h->bias = f + (size_t)n_classes * h->dim;
            h->mean = h->bias + n_classes;
            h->inv_std = h->mean + h->dim;
            f = h->inv_std + h->dim;
        }
        off += task_bytes(n_classes, k->head[0].dim, k->head[1].dim);
    }
    *n_tasks = n;
    return MT_OK;
}

/* ---- Two-slot flash records ----
 * slot: [0,4) "MTS1" | [4,8) seq | [8,12) len | [12,16) crc32([4,12) then payload) | payload */

typedef struct {
    int present; /* the magic is there */
    int valid;   /* ... and the length and CRC check out */
    uint32_t seq, len;
} slot_state_t;

static int flash_ok(const mt_flash_t *f) {
    return f && f->read && f->write && f->erase && f->slot_bytes > MT_STORE_SLOT_HEADER_BYTES;
}

/* Checks slot s by streaming its payload through the CRC in small chunks (no buffer needed). */
static mt_status_t scan_slot(const mt_flash_t *f, uint32_t s, slot_state_t *st) {
    uint8_t hdr[MT_STORE_SLOT_HEADER_BYTES];
    uint32_t base = s * f->slot_bytes;
    memset(st, 0, sizeof *st);
    if (f->read(f->ctx, base, hdr, sizeof hdr) != 0) return MT_E_STORE_IO;
    if (memcmp(hdr, slot_magic, 4) != 0) return MT_OK;
    st->present = 1;
    st->seq = mt_rd_u32(hdr + 4);
    st->len = mt_rd_u32(hdr + 8);
    if (st->len == 0 || st->len > f->slot_bytes - MT_STORE_SLOT_HEADER_BYTES) return MT_OK;
    uint32_t crc = mt_crc32(0, hdr + 4, 8);
    uint8_t chunk[64];
    for (uint32_t done = 0; done < st->len;) {
        uint32_t n = st->len - done < sizeof chunk ? st->len - done : (uint32_t)sizeof chunk;
        if (f->read(f->ctx, base + MT_STORE_SLOT_HEADER_BYTES + done, chunk, n) != 0) {
            return MT_E_STORE_IO;
        }
        crc = mt_crc32(crc, chunk, n);
        done += n;
    }
    st->valid = crc == mt_rd_u32(hdr + 12);
    return MT_OK;
}

/* Index of the newest valid slot (sequence numbers compared modulo 2^32), or -1. */
static int newest_slot(const slot_state_t st[2]) {
    if (st[0].valid && st[1].valid) return (int32_t)(st[1].seq - st[0].seq) > 0 ? 1 : 0;
    if (st[0].valid) return 0;
    if (st[1].valid) return 1;
    return -1;
}

mt_status_t mt_store_write_parts(const mt_flash_t *flash, const void *const *parts,
                                 const size_t *lens, uint32_t n_parts, uint32_t *seq) {
    if (!flash_ok(flash) || !parts || !lens || n_parts == 0) return MT_E_ARG;
    uint64_t len = 0;
    for (uint32_t i = 0; i < n_parts; i++) {
        if (!parts[i] && lens[i] > 0) return MT_E_ARG;
        len += lens[i];
    }
    if (len == 0) return MT_E_ARG;
    if (len > flash->slot_bytes - MT_STORE_SLOT_HEADER_BYTES) return MT_E_STORE_SPACE;
    slot_state_t st[2];
    for (uint32_t s = 0; s < 2; s++) {
        mt_status_t r = scan_slot(flash, s, &st[s]);
        if (r != MT_OK) return r;
    }
    int newest = newest_slot(st);
    uint32_t target = newest < 0 ? 0u : (uint32_t)(1 - newest);
    uint32_t new_seq = newest < 0 ? 1u : st[newest].seq + 1u;
    uint32_t base = target * flash->slot_bytes;
    uint8_t hdr[MT_STORE_SLOT_HEADER_BYTES];
    memcpy(hdr, slot_magic, 4);
    mt_wr_u32(hdr + 4, new_seq);
    mt_wr_u32(hdr + 8, (uint32_t)len);
    uint32_t crc = mt_crc32(0, hdr + 4, 8);
    for (uint32_t i = 0; i < n_parts; i++) crc = mt_crc32(crc, parts[i], lens[i]);
    mt_wr_u32(hdr + 12, crc);
    /* Order matters for power cuts: the slot only counts once its magic is there, and the
     * magic goes last, so a cut anywhere before leaves this slot invisible and the other,
     * never touched, slot still the newest good record. */
    if (flash->erase(flash->ctx, base, flash->slot_bytes) != 0) return MT_E_STORE_IO;
    uint32_t at = base + MT_STORE_SLOT_HEADER_BYTES;
    for (uint32_t i = 0; i < n_parts; i++) {
        if (lens[i] > 0 && flash->write(flash->ctx, at, parts[i], (uint32_t)lens[i]) != 0) {
            return MT_E_STORE_IO;
        }
        at += (uint32_t)lens[i];
    }
    if (flash->write(flash->ctx, base + 4, hdr + 4, MT_STORE_SLOT_HEADER_BYTES - 4) != 0 ||
        flash->write(flash->ctx, base, hdr, 4) != 0) {
        return MT_E_STORE_IO;
    }
    slot_state_t check;
    mt_status_t r = scan_slot(flash, target, &check);
    if (r != MT_OK) return r;
    if (!check.valid || check.seq != new_seq || check.len != len) return MT_E_STORE_IO;
    if (seq) *seq = new_seq;
    return MT_OK;
}

mt_status_t mt_store_write(const mt_flash_t *flash, const void *blob, size_t len, uint32_t *seq) {
    if (!blob || len == 0) return MT_E_ARG;
    const void *parts[1] = {blob};
    size_t lens[1] = {len};
    return mt_store_write_parts(flash, parts, lens, 1, seq);
}

mt_status_t mt_store_find(const mt_flash_t *flash, mt_store_record_t *rec) {
    if (!flash_ok(flash) || !rec) return MT_E_ARG;
    memset(rec, 0, sizeof *rec);
    slot_state_t st[2];
    for (uint32_t s = 0; s < 2; s++) {
        mt_status_t r = scan_slot(flash, s, &st[s]);
        if (r != MT_OK) return r;
    }
    int newest = newest_slot(st);
    if (newest < 0) return st[0].present || st[1].present ? MT_E_STORE_CRC : MT_E_STORE_EMPTY;
    uint8_t hdr[MT_STORE_SLOT_HEADER_BYTES];
    if (flash->read(flash->ctx, (uint32_t)newest * flash->slot_bytes, hdr, sizeof hdr) != 0) {
        return MT_E_STORE_IO;
    }
    rec->slot = (uint32_t)newest;
    rec->seq = st[newest].seq;
    rec->len = st[newest].len;
    rec->crc = mt_rd_u32(hdr + 12);
    return MT_OK;
}

uint32_t mt_store_record_crc_init(const mt_store_record_t *rec) {
    uint8_t b[8];
    mt_wr_u32(b, rec->seq);
    mt_wr_u32(b + 4, rec->len);
    return mt_crc32(0, b, 8);
}

mt_status_t mt_store_read_part(const mt_flash_t *flash, const mt_store_record_t *rec,
                               uint32_t offset, void *dst, uint32_t len) {
    if (!flash_ok(flash) || !rec || (!dst && len > 0) || rec->slot > 1) return MT_E_ARG;
    if (offset > rec->len || len > rec->len - offset) return MT_E_STORE_FORMAT;
    if (len == 0) return MT_OK;
    uint32_t at = rec->slot * flash->slot_bytes + MT_STORE_SLOT_HEADER_BYTES + offset;
    return flash->read(flash->ctx, at, dst, len) == 0 ? MT_OK : MT_E_STORE_IO;
}

mt_status_t mt_store_read(const mt_flash_t *flash, void *buf, size_t cap, size_t *len,
                          uint32_t *seq) {
    if (!flash_ok(flash) || !buf || !len) return MT_E_ARG;
    slot_state_t st[2];
    for (uint32_t s = 0; s < 2; s++) {
        mt_status_t r = scan_slot(flash, s, &st[s]);
        if (r != MT_OK) return r;
    }
    int newest = newest_slot(st);
    if (newest < 0) return st[0].present || st[1].present ? MT_E_STORE_CRC : MT_E_STORE_EMPTY;
    const slot_state_t *s = &st[newest];
    if (s->len > cap) return MT_E_STORE_SPACE;
    uint32_t base = (uint32_t)newest * flash->slot_bytes;
    if (flash->read(flash->ctx, base + MT_STORE_SLOT_HEADER_BYTES, buf, s->len) != 0) {
        return MT_E_STORE_IO;
    }
    /* Check again what landed in RAM: the flash could have changed since the scan. */
    uint8_t hdr[MT_STORE_SLOT_HEADER_BYTES];
    if (flash->read(flash->ctx, base, hdr, sizeof hdr) != 0) return MT_E_STORE_IO;
    if (mt_crc32(mt_crc32(0, hdr + 4, 8), buf, s->len) != mt_rd_u32(hdr + 12) ||
        mt_rd_u32(hdr + 8) != s->len) {
        return MT_E_STORE_CRC;
    }
    *len = s->len;
    if (seq) *seq = s->seq;
    return MT_OK;
}

mt_status_t mt_store_save(const mt_flash_t *flash, const mt_task_t *tasks, uint32_t n_tasks,
                          const mt_model_t *model, void *buf, size_t cap) {
    if (!model) return MT_E_ARG;
    size_t len;
    mt_status_t st = mt_store_encode(tasks, n_tasks, model->fingerprint, buf, cap, &len);
    return st == MT_OK ? mt_store_write(flash, buf, len, NULL) : st;
}

mt_status_t mt_store_load(const mt_flash_t *flash, const mt_model_t *model, void *buf,
                          size_t cap, mt_task_t *tasks, uint32_t max_tasks, uint32_t *n_tasks) {
    size_t len;
    mt_status_t st = mt_store_read(flash, buf, cap, &len, NULL);
    return st == MT_OK ? mt_store_decode(buf, len, model, tasks, max_tasks, n_tasks) : st;
}
