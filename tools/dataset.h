/* Host data-set readers for personalize/eval: a folder with one sub-folder per class (any
 * image stb_image decodes), or an IDX image file plus its labels file (gzip or plain).
 * Host only (malloc, stdio, zlib); every error is one line naming the file. */
#ifndef MICROT_TOOLS_DATASET_H
#define MICROT_TOOLS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "microt/stage.h"

#define MT_DATASET_MAX_CLASSES 64u

typedef struct {
    uint32_t n;                                     /* samples */
    uint16_t n_classes;
    char class_names[MT_DATASET_MAX_CLASSES][MT_NAME_BYTES]; /* NUL-terminated, <= 15 chars */
    uint16_t *labels;                               /* [n] */
    /* folder data set: one path per sample */
    char **paths;                                   /* [n], or NULL for IDX */
    /* IDX data set: all images decoded in memory */
    uint8_t *pixels;                                /* [n][h][w][c] */
    uint32_t h, w, c;
    uint64_t max_pixels;                            /* pixel budget of each decoded image */
    uint32_t n_skipped;                             /* folder files not named like images */
    char skipped_example[256];                      /* the first of them */
} mt_dataset_t;

/* How a data set is opened. */
typedef struct {
    uint64_t max_pixels; /* per image (width x height), checked before decoding */
    int strict;          /* a file in a class folder that is not named like an image is an
                            error (default: skipped, counted in a note on stderr) */
    int for_training;    /* at least 2 classes, each with samples */
} mt_dataset_opts_t;

/* Defaults: MT_IMAGE_DEFAULT_MAX_PIXELS, not strict, not for training. */
void mt_dataset_opts_default(mt_dataset_opts_t *o);

/* Opens a folder (class sub-folders, sorted by name; their image files, sorted, are the
 * samples; class names are the folder names cut to 15 characters and must stay distinct)
 * or an IDX image file. For IDX, labels_path names the labels file; NULL derives it from the
 * image path ("...-images-idx3-ubyte..." -> "...-labels-idx1-ubyte..."). names (may be
 * NULL; IDX only) is a comma-separated list of distinct class names for labels 0, 1, ...
 * (default "0", "1", ...), at least one per label used. Files skipped in class folders are
 * counted in a note on stderr. Returns 0, or -1 with a one-line message in err (ds empty).
 * opts NULL means mt_dataset_opts_default. */
int mt_dataset_open_opts(mt_dataset_t *ds, const char *path, const char *labels_path,
                         const char *names, const mt_dataset_opts_t *opts, char *err,
                         size_t err_len);
/* The same with the default options. */
int mt_dataset_open(mt_dataset_t *ds, const char *path, const char *labels_path,
                    const char *names, char *err, size_t err_len);
void mt_dataset_free(mt_dataset_t *ds);

/* Sample i's pixels, converted and resized to the model input, into out[h*w*c_model].
 * Returns 0, or -1 with a message naming the file in err. */
int mt_dataset_image(const mt_dataset_t *ds, uint32_t i, uint16_t h, uint16_t w,
                     uint8_t channel_order, uint8_t *out, char *err, size_t err_len);

/* A printable name of sample i (its path, or "IDX[i]") into buf. */
const char *mt_dataset_sample_name(const mt_dataset_t *ds, uint32_t i, char *buf, size_t len);

/* Picks up to `shots` samples per class (all of a smaller class), chosen by a seeded
 * shuffle of each class's samples; shots 0 means all. Writes the chosen indices, ascending,
 * into idx[ds->n] and returns how many. */
uint32_t mt_dataset_select_shots(const mt_dataset_t *ds, uint32_t shots, uint64_t seed,
                                 uint32_t *idx);

/* Picks `limit` samples spread evenly over the data set (index floor(j * n / limit)), so a
 * folder data set sorted by class keeps every class; limit 0 or >= n means all. Writes into
 * idx[ds->n] and returns how many. */
uint32_t mt_dataset_select_spread(const mt_dataset_t *ds, uint32_t limit, uint32_t *idx);

/* Progress of long work on stderr: at most one line per second, plus the last one, with
 * the rate and the time left. */
typedef struct {
    const char *what;
    double start_s, last_s;
    int quiet;
} mt_progress_t;

void mt_progress_start(mt_progress_t *p, const char *what, int quiet);
void mt_progress_tick(mt_progress_t *p, uint32_t done, uint32_t total);
double mt_progress_now_s(void);

#endif
