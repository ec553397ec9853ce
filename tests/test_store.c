/* Head store: blob round trip (several tasks), a write cut at every byte offset (erase and
 * program, NOR-flash semantics) leaves the previous head loadable bit for bit, a head for
 * another model / a corrupt slot / NaN weights / a malformed blob / a short buffer / a failing
 * flash each refused with its own code, sequence-number wrap, and a decoder fuzz loop. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "microt/model.h"
#include "microt/stage.h"
#include "microt/store.h"
#include "flash_sim.h"
#include "model_builder.h"
#include "test_util.h"

#define SLOT 1024u
static uint8_t g_mem[2 * SLOT];
static flash_sim_t g_sim;
#define g_flash (g_sim.flash)

static void sim_reset(void) { flash_sim_init(&g_sim, g_mem, SLOT); }

/* ---- Tasks with seeded weights ---- */
static uint32_t g_weights[4][2048 / 4];
static char g_names[2][4][MT_NAME_BYTES];

static void make_task(mt_task_t *t, int which, uint16_t k, uint32_t seed) {
    memset(t, 0, sizeof *t);
    snprintf(t->name, MT_NAME_BYTES, "task%d", which);
    mt_rng_t r;
    mt_rng_seed(&r, seed);
    for (int s = 0; s < 2; s++) {
        mt_head_t *h = &t->head[s];
        uint32_t dim = s ? 12 : 8;
        CHECK_EQ(mt_head_init(h, g_weights[2 * which + s], sizeof g_weights[0], k, dim), MT_OK);
        h->n_classes = k;
        h->standardize = (uint8_t)s;
        for (uint32_t i = 0; i < (uint32_t)k * dim; i++) h->weights[i] = mt_rng_unit(&r) - 0.5f;
        for (uint32_t i = 0; i < k; i++) h->bias[i] = mt_rng_unit(&r);
        for (uint32_t i = 0; i < dim; i++) h->mean[i] = mt_rng_unit(&r);
        for (uint32_t i = 0; i < dim; i++) h->inv_std[i] = 1.0f + mt_rng_unit(&r);
    }
    for (uint16_t c = 0; c < k; c++) snprintf(g_names[which][c], MT_NAME_BYTES, "class-%d-%u", which, c);
    t->class_names = g_names[which];
    t->ratio = 0.25f * (float)(which + 1);
    t->tau = mt_rng_unit(&r);
    t->confidence = (uint8_t)which;
}

static int heads_equal(const mt_head_t *a, const mt_head_t *b) {
    return a->n_classes == b->n_classes && a->dim == b->dim && a->standardize == b->standardize &&
           memcmp(a->weights, b->weights, 4u * a->n_classes * a->dim) == 0 &&
           memcmp(a->bias, b->bias, 4u * a->n_classes) == 0 &&
           memcmp(a->mean, b->mean, 4u * a->dim) == 0 &&
           memcmp(a->inv_std, b->inv_std, 4u * a->dim) == 0;
}

static uint32_t g_model[8192 / 4], g_other[8192 / 4];
static mt_model_t g_m, g_m_other;
static uint32_t g_blob_a[SLOT / 4], g_blob_b[SLOT / 4], g_blob_c[SLOT / 4], g_buf[SLOT / 4];
static size_t g_len_a, g_len_b, g_len_c;

static void test_round_trip(mt_task_t tasks[2]) {
    size_t need = mt_store_blob_bytes(tasks, 2);
    /* header + per task: 32 + 16 k + 4 (k*8 + k + 16 + k*12 + k + 24) */
    CHECK_EQ(need, 24 + (32 + 16 * 3 + 4 * (3 * 22 + 40)) + (32 + 16 * 2 + 4 * (2 * 22 + 40)));
    CHECK_EQ(mt_store_encode(tasks, 2, g_m.fingerprint, g_blob_a, need - 1, &g_len_a), MT_E_STORE_SPACE);
    CHECK_EQ(mt_store_encode(tasks, 2, g_m.fingerprint, g_blob_a, sizeof g_blob_a, &g_len_a), MT_OK);
    CHECK_EQ(g_len_a, need);
    mt_task_t out[2];
    uint32_t n = 0;
    memcpy(g_buf, g_blob_a, g_len_a);
    CHECK_EQ(mt_store_decode(g_buf, g_len_a, &g_m, out, 2, &n), MT_OK);
    CHECK_EQ(n, 2);
    for (uint32_t t = 0; t < n; t++) {
        CHECK(strcmp(out[t].name, tasks[t].name) == 0);
        CHECK(heads_equal(&out[t].head[0], &tasks[t].head[0]));
        CHECK(heads_equal(&out[t].head[1], &tasks[t].head[1]));
        CHECK(out[t].ratio == tasks[t].ratio && out[t].tau == tasks[t].tau);
        CHECK_EQ(out[t].confidence, tasks[t].confidence);
        for (uint16_t c = 0; c < tasks[t].head[0].n_classes; c++) {
            CHECK(strcmp(out[t].class_names[c], tasks[t].class_names[c]) == 0);
        }
    }
    /* Re-encoding what was decoded gives the same bytes. */
    CHECK_EQ(mt_store_encode(out, 2, g_m.fingerprint, g_blob_b, sizeof g_blob_b, &g_len_b), MT_OK);
    CHECK(g_len_b == g_len_a && memcmp(g_blob_a, g_blob_b, g_len_a) == 0);
    CHECK_EQ(mt_store_decode(g_buf, g_len_a, &g_m, out, 1, &n), MT_E_STORE_SPACE);
    /* A head for another model (same shapes, other weights: another fingerprint). */
    CHECK(g_m.fingerprint != g_m_other.fingerprint);
    CHECK_EQ(mt_store_decode(g_buf, g_len_a, &g_m_other, out, 2, &n), MT_E_STORE_MODEL);
    /* Another feature length (the fingerprint matches but the dims do not). */
    mt_model_t shrunk = g_m;
    shrunk.split_op = 0; /* mt_model_feature_len reads through the tensors: force a mismatch */
    shrunk.part_feature_tensor = shrunk.full_feature_tensor;
    CHECK_EQ(mt_store_decode(g_buf, g_len_a, &shrunk, out, 2, &n), MT_E_STORE_MODEL);
}

static void test_refusals(mt_task_t tasks[2]) {
    mt_task_t out[2];
    uint32_t n;
    size_t got_len;
    /* NaN weights: refused when saving and when loading a blob that has them. */
    float keep = tasks[1].head[1].weights[3];
    tasks[1].head[1].weights[3] = NAN;
    CHECK_EQ(mt_store_encode(tasks, 2, g_m.fingerprint, g_blob_b, sizeof g_blob_b, &got_len), MT_E_NONFINITE);
    tasks[1].head[1].weights[3] = keep;
    tasks[0].tau = INFINITY;
    CHECK_EQ(mt_store_encode(tasks, 2, g_m.fingerprint, g_blob_b, sizeof g_blob_b, &got_len), MT_E_NONFINITE);
    tasks[0].tau = 0.5f;
    memcpy(g_buf, g_blob_a, g_len_a);
    float nan = NAN;
    memcpy((uint8_t *)g_buf + g_len_a - 4, &nan, 4); /* the last inv_std */
    CHECK_EQ(mt_store_decode(g_buf, g_len_a, &g_m, out, 2, &n), MT_E_NONFINITE);
    sim_reset();
    CHECK_EQ(mt_store_write(&g_flash, g_buf, g_len_a, NULL), MT_OK); /* the CRC is fine ... */
    CHECK_EQ(mt_store_load(&g_flash, &g_m, g_blob_c, sizeof g_blob_c, out, 2, &n), MT_E_NONFINITE);
    /* Malformed blobs. */
    static const size_t offsets[] = {0, 4, 6, 8, 12, 24 + 16, 24 + 18, 24 + 22, 24 + 23, 24 + 15};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        memcpy(g_buf, g_blob_a, g_len_a);
        ((uint8_t *)g_buf)[offsets[i]] ^= 0xA5;
        if (offsets[i] == 24 + 15) memset((uint8_t *)g_buf + 24, 'x', MT_NAME_BYTES); /* no NUL */
        CHECK_EQ(mt_store_decode(g_buf, g_len_a, &g_m, out, 2, &n), MT_E_STORE_FORMAT);
    }
    memcpy(g_buf, g_blob_a, g_len_a);
    CHECK_EQ(mt_store_decode(g_buf, g_len_a - 4, &g_m, out, 2, &n), MT_E_STORE_FORMAT);
    CHECK_EQ(mt_store_decode(g_buf, 10, &g_m, out, 2, &n), MT_E_STORE_FORMAT);
    CHECK_EQ(mt_store_decode((uint8_t *)g_buf + 1, g_len_a, &g_m, out, 2, &n), MT_E_ARG);

    /* Flash-level refusals. */
    sim_reset();
    CHECK_EQ(mt_store_read(&g_flash, g_buf, sizeof g_buf, &got_len, NULL), MT_E_STORE_EMPTY);
    CHECK_EQ(mt_store_write(&g_flash, g_blob_a, SLOT - 15, NULL), MT_E_STORE_SPACE);
    CHECK_EQ(mt_store_write(&g_flash, g_blob_a, g_len_a, NULL), MT_OK);
    CHECK_EQ(mt_store_read(&g_flash, g_buf, g_len_a - 1, &got_len, NULL), MT_E_STORE_SPACE);
    g_sim.fail_reads = 1;
    CHECK_EQ(mt_store_read(&g_flash, g_buf, sizeof g_buf, &got_len, NULL), MT_E_STORE_IO);
    CHECK_EQ(mt_store_write(&g_flash, g_blob_a, g_len_a, NULL), MT_E_STORE_IO);
    g_sim.fail_reads = 0;
    CHECK_EQ(mt_store_write(&g_flash, g_blob_a, g_len_a, NULL), MT_OK); /* both slots: A */
    /* One slot rotten: the other still loads; both rotten: MT_E_STORE_CRC. */
    g_sim.mem[MT_STORE_SLOT_HEADER_BYTES + 40] ^= 1;
    uint32_t seq;
    CHECK_EQ(mt_store_read(&g_flash, g_buf, sizeof g_buf, &got_len, &seq), MT_OK);
    CHECK_EQ(seq, 2);
    CHECK(got_len == g_len_a && memcmp(g_buf, g_blob_a, g_len_a) == 0);
    g_sim.mem[SLOT + MT_STORE_SLOT_HEADER_BYTES + 40] ^= 1;
    CHECK_EQ(mt_store_read(&g_flash, g_buf, sizeof g_buf, &got_len, NULL), MT_E_STORE_CRC);
    CHECK_EQ(mt_store_load(&g_flash, &g_m, g_buf, sizeof g_buf, out, 2, &n), MT_E_STORE_CRC);
    /* A stored head for another model is refused at load. */
    sim_reset();
    CHECK_EQ(mt_store_save(&g_flash, tasks, 2, &g_m_other, g_buf, sizeof g_buf), MT_OK);
    CHECK_EQ(mt_store_load(&g_flash, &g_m, g_buf, sizeof g_buf, out, 2, &n), MT_E_STORE_MODEL);
    CHECK_EQ(mt_store_load(&g_flash, &g_m_other, g_buf, sizeof g_buf, out, 2, &n), MT_OK);
}

/* Sequence numbers compare modulo 2^32: 0 is newer than 0xFFFFFFFF. */
static void put_record(uint32_t slot, uint32_t seq, const void *blob, size_t len) {
    uint8_t *p = g_sim.mem + slot * SLOT;
    memcpy(p, "MTS1", 4);
    mt_put_u32(p + 4, seq);
    mt_put_u32(p + 8, (uint32_t)len);
    memcpy(p + 16, blob, len);
    mt_put_u32(p + 12, mt_crc32(mt_crc32(0, p + 4, 8), blob, len));
}

static void test_sequence_wrap(void) {
    sim_reset();
    put_record(0, 0xFFFFFFFFu, g_blob_a, g_len_a);
    put_record(1, 0u, g_blob_b, g_len_b);
    uint32_t seq;
    size_t len;
    CHECK_EQ(mt_store_read(&g_flash, g_buf, sizeof g_buf, &len, &seq), MT_OK);
    CHECK_EQ(seq, 0);
    CHECK(len == g_len_b && memcmp(g_buf, g_blob_b, len) == 0);
    CHECK_EQ(mt_store_write(&g_flash, g_blob_c, g_len_c, &seq), MT_OK);
    CHECK_EQ(seq, 1);
    CHECK(memcmp(g_sim.mem + 16, g_blob_c, g_len_c) == 0); /* went into slot 0, the older */
}

/* The test the issue asks for: cut the write of blob C at every byte, reboot, load. */
static void test_power_cut(void) {
    static uint8_t snapshot[2 * SLOT];
    sim_reset();
    CHECK_EQ(mt_store_write(&g_flash, g_blob_a, g_len_a, NULL), MT_OK);
    CHECK_EQ(mt_store_write(&g_flash, g_blob_b, g_len_b, NULL), MT_OK);
    memcpy(snapshot, g_mem, sizeof g_mem);
    g_sim.spent = 0;
    CHECK_EQ(mt_store_write(&g_flash, g_blob_c, g_len_c, NULL), MT_OK);
    long total = g_sim.spent; /* erase of the older slot + every programmed byte */
    CHECK_EQ(total, (long)(SLOT + MT_STORE_SLOT_HEADER_BYTES + g_len_c));
    uint32_t survived = 0, newer = 0;
    for (long cut = 0; cut <= total; cut++) {
        memcpy(g_mem, snapshot, sizeof g_mem);
        flash_sim_revive(&g_sim);
        g_sim.budget = cut;
        mt_status_t st = mt_store_write(&g_flash, g_blob_c, g_len_c, NULL);
        CHECK_EQ(st, cut < total ? MT_E_STORE_IO : MT_OK);
        flash_sim_revive(&g_sim); /* reboot */
        size_t len = 0;
        uint32_t seq = 0;
        if (!CHECK_EQ(mt_store_read(&g_flash, g_buf, sizeof g_buf, &len, &seq), MT_OK)) continue;
        if (cut < total) {
            /* The previous head, bit for bit. */
            survived += CHECK(seq == 2 && len == g_len_b && memcmp(g_buf, g_blob_b, len) == 0);
            mt_task_t out[2];
            uint32_t n;
            CHECK_EQ(mt_store_decode(g_buf, len, &g_m, out, 2, &n), MT_OK);
        } else {
            newer += CHECK(seq == 3 && len == g_len_c && memcmp(g_buf, g_blob_c, len) == 0);
        }
        /* After the cut the next save succeeds and wins. */
        if (cut % 97 == 0) {
            CHECK_EQ(mt_store_write(&g_flash, g_blob_c, g_len_c, &seq), MT_OK);
            CHECK_EQ(mt_store_read(&g_flash, g_buf, sizeof g_buf, &len, NULL), MT_OK);
            CHECK(len == g_len_c && memcmp(g_buf, g_blob_c, len) == 0);
        }
    }
    printf("power cut at every one of %ld byte operations: previous head loaded bit-identical "
           "%u times, new head %u\n", total, (unsigned)survived, (unsigned)newer);
    CHECK_EQ(survived, (uint32_t)total);
    CHECK_EQ(newer, 1);
}

/* Random mutations of a valid blob: the decoder answers with a status, never reads outside,
 * and what it accepts points inside the blob. */
static void test_fuzz_decode(void) {
    mt_rng_t r;
    mt_rng_seed(&r, 77);
    uint32_t ok = 0, refused = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(g_buf, g_blob_a, g_len_a);
        uint8_t *b = (uint8_t *)g_buf;
        int flips = 1 + (int)(mt_rng_u32(&r) % 4);
        for (int f = 0; f < flips; f++) {
            /* Mostly the header and the first task's fields, where the structure lives. */
            size_t at = mt_rng_u32(&r) % 2 ? mt_rng_u32(&r) % 64 : mt_rng_u32(&r) % g_len_a;
            b[at] = (uint8_t)mt_rng_u32(&r);
        }
        size_t len = mt_rng_u32(&r) % 8 == 0 ? mt_rng_u32(&r) % g_len_a : g_len_a;
        mt_task_t out[2];
        uint32_t n = 0;
        mt_status_t st = mt_store_decode(g_buf, len, &g_m, out, 2, &n);
        if (st == MT_OK) {
            ok++;
            for (uint32_t t = 0; t < n; t++) {
                const mt_head_t *h = &out[t].head[1];
                const uint8_t *end = (const uint8_t *)(h->inv_std + h->dim);
                CHECK(end <= b + len);
            }
        } else {
            refused++;
            CHECK(st == MT_E_STORE_FORMAT || st == MT_E_STORE_MODEL || st == MT_E_NONFINITE ||
                  st == MT_E_STORE_SPACE);
        }
    }
    printf("decoder fuzz: %u accepted (weights/tau/name bytes changed), %u refused\n", (unsigned)ok, (unsigned)refused);
}

/* A head B on part (+) full features: the flag and the head's length round-trip, and the
 * decoder checks that length against the model's two features. */
static void test_concat_flag(void) {
    static uint32_t wa[2048 / 4], wb[2048 / 4], blob[SLOT / 4];
    mt_task_t t;
    memset(&t, 0, sizeof t);
    memcpy(t.name, "cat", 4);
    CHECK_EQ(mt_head_init(&t.head[0], wa, sizeof wa, 2, 8), MT_OK);
    CHECK_EQ(mt_head_init(&t.head[1], wb, sizeof wb, 2, 20), MT_OK);
    t.head[0].n_classes = t.head[1].n_classes = 2;
    t.full_concat = 1;
    t.tau = 0.5f;
    size_t len;
    CHECK_EQ(mt_store_encode(&t, 1, g_m.fingerprint, blob, sizeof blob, &len), MT_OK);
    mt_task_t out[1];
    uint32_t n;
    memcpy(g_buf, blob, len);
    CHECK_EQ(mt_store_decode(g_buf, len, &g_m, out, 1, &n), MT_OK);
    CHECK(out[0].full_concat == 1 && out[0].head[1].dim == 20);
    /* The same head without the flag does not fit the model's 12-d full feature. */
    memcpy(g_buf, blob, len);
    ((uint8_t *)g_buf)[MT_STORE_BLOB_HEADER_BYTES + 23] &= (uint8_t)~4u;
    CHECK_EQ(mt_store_decode(g_buf, len, &g_m, out, 1, &n), MT_E_STORE_MODEL);
    memcpy(g_buf, blob, len);
    ((uint8_t *)g_buf)[MT_STORE_BLOB_HEADER_BYTES + 23] |= 8u; /* an unknown flag */
    CHECK_EQ(mt_store_decode(g_buf, len, &g_m, out, 1, &n), MT_E_STORE_FORMAT);
    t.full_concat = 2;
    CHECK_EQ(mt_store_encode(&t, 1, g_m.fingerprint, blob, sizeof blob, &len), MT_E_ARG);
}

/* A record written from several buffers reads back as their concatenation; it can be found
 * and read in pieces whose chained CRC is the record's. */
static void test_parts(void) {
    sim_reset();
    static const uint8_t a[5] = {1, 2, 3, 4, 5}, b[3] = {6, 7, 8};
    const void *parts[3] = {a, NULL, b};
    size_t lens[3] = {5, 0, 3};
    uint32_t seq;
    CHECK_EQ(mt_store_write_parts(&g_flash, parts, lens, 3, &seq), MT_OK);
    uint8_t got[8];
    size_t len;
    CHECK_EQ(mt_store_read(&g_flash, got, sizeof got, &len, NULL), MT_OK);
    CHECK(len == 8 && got[0] == 1 && got[5] == 6 && got[7] == 8);
    mt_store_record_t rec;
    CHECK_EQ(mt_store_find(&g_flash, &rec), MT_OK);
    CHECK(rec.len == 8 && rec.seq == seq && rec.slot == 0);
    uint8_t p1[3], p2[5];
    CHECK_EQ(mt_store_read_part(&g_flash, &rec, 0, p1, 3), MT_OK);
    CHECK_EQ(mt_store_read_part(&g_flash, &rec, 3, p2, 5), MT_OK);
    CHECK(p1[2] == 3 && p2[0] == 4 && p2[4] == 8);
    uint32_t crc = mt_crc32(mt_crc32(mt_store_record_crc_init(&rec), p1, 3), p2, 5);
    CHECK_EQ(crc, rec.crc);
    CHECK_EQ(mt_store_read_part(&g_flash, &rec, 6, p2, 3), MT_E_STORE_FORMAT);
    CHECK_EQ(mt_store_read_part(&g_flash, &rec, 9, p2, 0), MT_E_STORE_FORMAT);
    CHECK_EQ(mt_store_read_part(&g_flash, &rec, 8, p2, 0), MT_OK);
    lens[1] = 2; /* a NULL part with bytes */
    CHECK_EQ(mt_store_write_parts(&g_flash, parts, lens, 3, NULL), MT_E_ARG);
    lens[0] = lens[1] = lens[2] = 0;
    CHECK_EQ(mt_store_write_parts(&g_flash, parts, lens, 3, NULL), MT_E_ARG);
    CHECK_EQ(mt_store_write_parts(&g_flash, parts, lens, 0, NULL), MT_E_ARG);
    lens[0] = SLOT;
    CHECK_EQ(mt_store_write_parts(&g_flash, parts, lens, 1, NULL), MT_E_STORE_SPACE);
    g_sim.fail_reads = 1;
    CHECK_EQ(mt_store_read_part(&g_flash, &rec, 0, p1, 3), MT_E_STORE_IO);
    CHECK_EQ(mt_store_find(&g_flash, &rec), MT_E_STORE_IO);
    g_sim.fail_reads = 0;
    sim_reset();
    CHECK_EQ(mt_store_find(&g_flash, &rec), MT_E_STORE_EMPTY);
    CHECK_EQ(mt_store_find(NULL, &rec), MT_E_ARG);
}

int main(void) {
    size_t len = mt_build_small_model((uint8_t *)g_model, sizeof g_model, 5);
    size_t len2 = mt_build_small_model((uint8_t *)g_other, sizeof g_other, 6);
    if (!CHECK_EQ(mt_model_open(&g_m, g_model, len), MT_OK) ||
        !CHECK_EQ(mt_model_open(&g_m_other, g_other, len2), MT_OK)) {
        return mt_test_summary("test_store");
    }
    mt_task_t tasks[2];
    make_task(&tasks[0], 0, 3, 1);
    make_task(&tasks[1], 1, 2, 2);
    test_round_trip(tasks);
    test_concat_flag();
    test_parts();
    /* Three different blobs: A (two tasks), B (task 1 alone), C (task 0 with a new tau). */
    CHECK_EQ(mt_store_encode(&tasks[1], 1, g_m.fingerprint, g_blob_b, sizeof g_blob_b, &g_len_b), MT_OK);
    {
        mt_task_t out[2];
        uint32_t n;
        memcpy(g_buf, g_blob_b, g_len_b);
        CHECK_EQ(mt_store_decode(g_buf, g_len_b, &g_m, out, 2, &n), MT_OK);
    }
    tasks[0].tau = 0.125f;
    CHECK_EQ(mt_store_encode(&tasks[0], 1, g_m.fingerprint, g_blob_c, sizeof g_blob_c, &g_len_c), MT_OK);
    test_refusals(tasks);
    test_sequence_wrap();
    test_power_cut();
    test_fuzz_decode();
    return mt_test_summary("test_store");
}
