/* `microt export-c` header (tools/export_header.c): a firmware that sizes every buffer from the
 * generated macros alone (test-model.mtm, 5 classes x 20 shots, generated at build time) can
 * open the model, run it in an arena of _ARENA_BYTES_<its kernel set>, fill a feature cache of
 * _CACHE_SAMPLES, train both heads and calibrate in _SCRATCH_BYTES and encode the task into
 * _STORE_BLOB_BYTES; one byte less of any of them is refused. */
#include <stdio.h>
#include <string.h>

#include "microt/exec.h"
#include "microt/features.h"
#include "microt/head.h"
#include "microt/stage.h"
#include "microt/store.h"
#include "test_model_mtm.h"
#include "test_util.h"

#define P TEST_MODEL_MTM
static uint32_t arena[TEST_MODEL_MTM_ARENA_BYTES / 4 + 1];
static uint32_t cache_buf[TEST_MODEL_MTM_FEATURE_CACHE_BYTES / 4 + 1];
static uint32_t head_a[TEST_MODEL_MTM_HEAD_PART_BYTES / 4 + 1];
static uint32_t head_b[TEST_MODEL_MTM_HEAD_FULL_BYTES / 4 + 1];
static uint32_t scratch[TEST_MODEL_MTM_SCRATCH_BYTES / 4 + 1];
static uint32_t blob[TEST_MODEL_MTM_STORE_BLOB_BYTES / 4 + 1];

int main(void) {
    mt_model_t m;
    CHECK_EQ(mt_model_open(&m, test_model_mtm, test_model_mtm_len), MT_OK);
    CHECK_EQ(test_model_mtm_len, TEST_MODEL_MTM_BYTES);
    CHECK(m.fingerprint == TEST_MODEL_MTM_FINGERPRINT);
    mt_tensor_info_t in;
    mt_model_tensor(&m, m.input_tensor, &in);
    CHECK_EQ(in.h, TEST_MODEL_MTM_INPUT_H);
    CHECK_EQ(in.w, TEST_MODEL_MTM_INPUT_W);
    CHECK_EQ(in.c, TEST_MODEL_MTM_INPUT_C);
    CHECK_EQ(m.channel_order, TEST_MODEL_MTM_CHANNEL_ORDER);
    CHECK_EQ(mt_model_feature_len(&m, MT_STAGE_PART), TEST_MODEL_MTM_PART_FEATURES);
    CHECK_EQ(mt_model_feature_len(&m, MT_STAGE_FULL), TEST_MODEL_MTM_FULL_FEATURES);
    CHECK_EQ(m.split_op, TEST_MODEL_MTM_SPLIT_OP);
    static const size_t per_set[3] = {TEST_MODEL_MTM_ARENA_BYTES_REF, TEST_MODEL_MTM_ARENA_BYTES_DSP,
                                      TEST_MODEL_MTM_ARENA_BYTES_HOST};
    CHECK_EQ(mt_model_arena_bytes(&m), per_set[mt_kernels_built()]);

    /* the arena of this build's kernel set, exactly */
    mt_exec_t x;
    size_t arena_bytes = per_set[mt_kernels_built()];
    CHECK_EQ(mt_exec_init(&x, &m, arena, arena_bytes - 1), MT_E_ARENA_TOO_SMALL);
    CHECK_EQ(mt_exec_init(&x, &m, arena, arena_bytes), MT_OK);

    /* the feature cache: CACHE_SAMPLES samples of synthetic features, then full */
    mt_features_t cache;
    CHECK_EQ(mt_features_init(&cache, cache_buf, TEST_MODEL_MTM_FEATURE_CACHE_BYTES - 1,
                              TEST_MODEL_MTM_CACHE_SAMPLES, TEST_MODEL_MTM_PART_FEATURES,
                              TEST_MODEL_MTM_FULL_FEATURES, MT_FEATURES_S8), MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_features_init(&cache, cache_buf, TEST_MODEL_MTM_FEATURE_CACHE_BYTES,
                              TEST_MODEL_MTM_CACHE_SAMPLES, TEST_MODEL_MTM_PART_FEATURES,
                              TEST_MODEL_MTM_FULL_FEATURES, MT_FEATURES_S8), MT_OK);
    mt_rng_t rng;
    mt_rng_seed(&rng, 77);
    float fa[TEST_MODEL_MTM_PART_FEATURES], fb[TEST_MODEL_MTM_FULL_FEATURES];
    for (uint32_t i = 0; i < TEST_MODEL_MTM_CACHE_SAMPLES; i++) {
        uint16_t label = (uint16_t)(i % TEST_MODEL_MTM_MAX_CLASSES);
        for (int d = 0; d < TEST_MODEL_MTM_PART_FEATURES; d++) fa[d] = mt_rng_unit(&rng) + (d % 5 == label);
        for (int d = 0; d < TEST_MODEL_MTM_FULL_FEATURES; d++) fb[d] = mt_rng_unit(&rng) + (d % 5 == label);
        CHECK_EQ(mt_features_add(&cache, label, fa, fb), MT_OK);
    }
    CHECK_EQ(mt_features_add(&cache, 0, fa, fb), MT_E_CACHE_FULL);

    /* both heads and the calibration in SCRATCH_BYTES */
    mt_task_t task;
    memset(&task, 0, sizeof task);
    CHECK_EQ(mt_head_init(&task.head[0], head_a, TEST_MODEL_MTM_HEAD_PART_BYTES,
                          TEST_MODEL_MTM_MAX_CLASSES, TEST_MODEL_MTM_PART_FEATURES), MT_OK);
    CHECK_EQ(mt_head_init(&task.head[1], head_b, TEST_MODEL_MTM_HEAD_FULL_BYTES - 1,
                          TEST_MODEL_MTM_MAX_CLASSES, TEST_MODEL_MTM_FULL_FEATURES), MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_head_init(&task.head[1], head_b, TEST_MODEL_MTM_HEAD_FULL_BYTES,
                          TEST_MODEL_MTM_MAX_CLASSES, TEST_MODEL_MTM_FULL_FEATURES), MT_OK);
    mt_train_opts_t to;
    mt_train_opts_default(&to);
    CHECK_EQ(mt_head_train(&task.head[1], &cache, MT_STAGE_FULL, &to, scratch,
                           TEST_MODEL_MTM_TRAIN_SCRATCH_BYTES - 1, NULL), MT_E_SCRATCH_TOO_SMALL);
    for (int s = 0; s < 2; s++) {
        CHECK_EQ(mt_head_train(&task.head[s], &cache, (mt_stage_t)s, &to, scratch,
                               TEST_MODEL_MTM_SCRATCH_BYTES, NULL), MT_OK);
    }
    mt_calib_opts_t co;
    mt_calib_opts_default(&co);
    const mt_head_t *part_head = &task.head[MT_STAGE_PART]; /* the fold heads' warm start */
    CHECK_EQ(mt_stage_calibrate(&cache, 0.5f, &co, part_head, scratch,
                                TEST_MODEL_MTM_CALIB_SCRATCH_BYTES - 1, &task.tau, NULL),
             MT_E_SCRATCH_TOO_SMALL);
    CHECK_EQ(mt_stage_calibrate(&cache, 0.5f, &co, part_head, scratch, TEST_MODEL_MTM_SCRATCH_BYTES,
                                &task.tau, NULL),
             MT_OK);
    task.ratio = 0.5f;

    /* the task's blob, exactly */
    size_t len = 0;
    CHECK_EQ(mt_store_encode(&task, 1, m.fingerprint, blob, TEST_MODEL_MTM_STORE_BLOB_BYTES - 1, &len),
             MT_E_STORE_SPACE);
    CHECK_EQ(mt_store_encode(&task, 1, m.fingerprint, blob, TEST_MODEL_MTM_STORE_BLOB_BYTES, &len), MT_OK);
    CHECK_EQ(len, TEST_MODEL_MTM_STORE_BLOB_BYTES);
    CHECK_EQ(TEST_MODEL_MTM_STORE_SLOT_MIN_BYTES, TEST_MODEL_MTM_STORE_BLOB_BYTES + MT_STORE_SLOT_HEADER_BYTES);
    return mt_test_summary("test_export_header");
}
