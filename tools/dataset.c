/* Data-set readers for the personalization commands (see dataset.h). Treats every file as
 * hostile: IDX dimensions are checked against the bytes actually present before use. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "class_names.h"
#include "idx_file.h"
#include "image_io.h"


static void set_name(char dst[MT_NAME_BYTES], const char *src, size_t len) {
    if (len > MT_NAME_BYTES - 1u) len = MT_NAME_BYTES - 1u; /* the store keeps 15 chars */
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

/* Sorted entries of dir (hidden ones skipped): sub-folders if want_dirs, else other files.
 * Returns a malloc'ed array of malloc'ed full paths, count in *n; NULL on failure. */
static char **list_dir(const char *dir, int want_dirs, uint32_t *n, char *err, size_t err_len) {
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "%s: cannot open folder: %s", dir, strerror(errno));
        return NULL;
    }
    size_t cap = 16, count = 0;
    char **out = malloc(cap * sizeof *out);
    struct dirent *e;
    while (out && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *p = join(dir, e->d_name);
        if (!p) break;
        if (is_dir(p) != want_dirs) {
            free(p);
            continue;
        }
        if (count == cap) {
            char **bigger = realloc(out, 2 * cap * sizeof *out);
            if (!bigger) {
                free(p);
                break;
            }
            out = bigger;
            cap *= 2;
        }
        out[count++] = p;
    }
    closedir(d);
    if (!out || e != NULL) { /* stopped early: out of memory */
        for (size_t i = 0; out && i < count; i++) free(out[i]);
        free(out);
        snprintf(err, err_len, "%s: out of memory", dir);
        return NULL;
    }
    qsort(out, count, sizeof *out, cmp_str);
    *n = (uint32_t)count;
    return out;
}

static void free_list(char **list, uint32_t n) {
    for (uint32_t i = 0; list && i < n; i++) free(list[i]);
    free(list);
}

/* A sample of a class folder: a file named like an image microt decodes. Anything else
 * (notes, metadata, other formats) is skipped and counted, or refused with --strict. */
static int has_image_extension(const char *path) {
    static const char *const EXT[] = {"png", "jpg", "jpeg", "jpe", "jfif", "bmp", "dib",
                                      "pgm", "ppm", "pnm", NULL};
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base : path, '.');
    if (!dot) return 0;
    for (int i = 0; EXT[i]; i++) {
        if (strlen(dot + 1) != strlen(EXT[i])) continue;
        int same = 1;
        for (size_t k = 0; EXT[i][k]; k++) {
            char c = dot[1 + k];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            same &= c == EXT[i][k];
        }
        if (same) return 1;
    }
    return 0;
}

/* Keeps the image files of files[n] in place; returns how many, frees the others (the first
 * one's path goes to *example for the note, or with strict the call fails). */
static int keep_images(char **files, uint32_t n, uint32_t *kept, const mt_dataset_opts_t *o,
                       mt_dataset_t *ds, char *err, size_t err_len) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (has_image_extension(files[i])) {
            files[k++] = files[i];
            continue;
        }
        if (o->strict) {
            snprintf(err, err_len, "%s: not an image file (PNG, JPEG, BMP, PGM or PPM by its "
                                   "extension); --strict refuses it", files[i]);
            for (uint32_t j = i; j < n; j++) free(files[j]);
            *kept = k;
            return -1;
        }
        if (ds->n_skipped++ == 0) snprintf(ds->skipped_example, sizeof ds->skipped_example, "%s", files[i]);
        free(files[i]);
    }
    *kept = k;
    return 0;
}

static int open_folder(mt_dataset_t *ds, const char *root, const mt_dataset_opts_t *o, char *err,
                       size_t err_len) {
    uint32_t n_classes = 0;
    char **classes = list_dir(root, 1, &n_classes, err, err_len);
    if (!classes) return -1;
    int rc = 0;
    if (n_classes == 0) {
        snprintf(err, err_len, "%s: no class sub-folders", root);
        rc = -1;
    } else if (n_classes > MT_DATASET_MAX_CLASSES) {
        snprintf(err, err_len, "%s: %u class sub-folders, at most %u supported", root, n_classes,
                 MT_DATASET_MAX_CLASSES);
        rc = -1;
    }
    for (uint32_t k = 0; rc == 0 && k < n_classes; k++) {
        uint32_t n_files = 0, n_images = 0, skipped_before = ds->n_skipped;
        char **files = list_dir(classes[k], 0, &n_files, err, err_len);
        if (!files || keep_images(files, n_files, &n_images, o, ds, err, err_len) != 0) {
            free_list(files, n_images);
            rc = -1;
            break;
        }
        if (n_images == 0) {
            if (ds->n_skipped > skipped_before) {
                snprintf(err, err_len, "%s: no images in the class folder (%u other file%s)",
                         classes[k], ds->n_skipped - skipped_before,
                         ds->n_skipped - skipped_before == 1 ? "" : "s");
            } else {
                snprintf(err, err_len, "%s: empty class folder", classes[k]);
            }
            free(files);
            rc = -1;
            break;
        }
        char **paths = realloc(ds->paths, (ds->n + n_images) * sizeof *paths);
        uint16_t *labels = paths ? realloc(ds->labels, (ds->n + n_images) * sizeof *labels) : NULL;
        if (paths) ds->paths = paths;
        if (labels) ds->labels = labels;
        if (!paths || !labels) {
            free_list(files, n_images);
            snprintf(err, err_len, "%s: out of memory", root);
            rc = -1;
            break;
        }
        for (uint32_t i = 0; i < n_images; i++) {
            ds->paths[ds->n] = files[i];
            ds->labels[ds->n++] = (uint16_t)k;
        }
        free(files);
        const char *base = strrchr(classes[k], '/') + 1;
        set_name(ds->class_names[k], base, strlen(base));
        ds->n_classes = (uint16_t)(k + 1);
    }
    if (rc == 0) { /* the names the head will store must tell the classes apart */
        const char *full[MT_DATASET_MAX_CLASSES];
        for (uint32_t k = 0; k < n_classes; k++) full[k] = strrchr(classes[k], '/') + 1;
        char why[512];
        if (mt_class_names_unique((const char (*)[MT_NAME_BYTES])ds->class_names, full,
                                  ds->n_classes, why, sizeof why) != 0) {
            snprintf(err, err_len, "%s: %s", root, why);
            rc = -1;
        }
    }
    free_list(classes, n_classes);
    return rc;
}

/* Default labels path: "train-images-idx3-ubyte.gz" -> "train-labels-idx1-ubyte.gz". */
static char *derive_labels_path(const char *images) {
    const char *at = strstr(images, "images-idx3");
    if (!at) return NULL;
    char *p = strdup(images);
    if (p) memcpy(p + (at - images), "labels-idx1", 11);
    return p;
}

static int open_idx(mt_dataset_t *ds, const char *path, const char *labels_path,
                    const char *names, char *err, size_t err_len) {
    char list[MT_DATASET_MAX_CLASSES][MT_NAME_BYTES];
    int n_names = 0;
    if (names) {
        char why[256];
        n_names = mt_class_names_parse(names, list, MT_DATASET_MAX_CLASSES, why, sizeof why);
        if (n_names < 0) {
            snprintf(err, err_len, "%s: %s", path, why);
            return -1;
        }
    }
    char *derived = NULL;
    if (!labels_path) {
        derived = derive_labels_path(path);
        if (!derived) {
            snprintf(err, err_len, "%s: IDX images need --labels FILE (no labels path to derive)",
                     path);
            return -1;
        }
        labels_path = derived;
    }
    mt_idx_t img, lab;
    memset(&lab, 0, sizeof lab);
    int rc = -1;
    if (mt_idx_read(path, &img, err, err_len) != 0) goto done;
    if (mt_idx_read(labels_path, &lab, err, err_len) != 0) goto done;
    const uint32_t *dims = img.dims;
    if ((img.ndim != 3 && img.ndim != 4) || dims[0] == 0 || dims[1] == 0 || dims[2] == 0 ||
        (img.ndim == 4 && (dims[3] < 1 || dims[3] > 4))) {
        snprintf(err, err_len, "%s: not an IDX u8 image file [n][h][w] or [n][h][w][c] (c 1..4)",
                 path);
        goto done;
    }
    uint32_t n = dims[0];
    ds->h = dims[1];
    ds->w = dims[2];
    ds->c = img.ndim == 4 ? dims[3] : 1;
    if (lab.ndim != 1) {
        snprintf(err, err_len, "%s: not an IDX u8 label file [n]", labels_path);
        goto done;
    }
    if (lab.dims[0] != n) {
        snprintf(err, err_len, "%s: %u labels for %u images in %s", labels_path, lab.dims[0], n,
                 path);
        goto done;
    }
    ds->labels = malloc((size_t)n * sizeof *ds->labels);
    if (!ds->labels) {
        snprintf(err, err_len, "%s: out of memory", path);
        goto done;
    }
    ds->pixels = img.data; /* the dataset owns the pixels now */
    img.data = NULL;
    uint32_t max_label = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t l = lab.data[i];
        if (l >= MT_DATASET_MAX_CLASSES) {
            snprintf(err, err_len, "%s: label %u of sample %u is >= %u", labels_path, l, i,
                     MT_DATASET_MAX_CLASSES);
            goto done;
        }
        ds->labels[i] = l;
        if (l > max_label) max_label = l;
    }
    ds->n = n;
    if (n_names > 0 && (uint32_t)n_names < max_label + 1) {
        snprintf(err, err_len, "%s: --names lists %d name%s, but the labels go up to %u", path,
                 n_names, n_names == 1 ? "" : "s", max_label);
        goto done;
    }
    /* --names may name classes beyond the largest label (a test set without them) */
    ds->n_classes = (uint16_t)(n_names > 0 ? (uint32_t)n_names : max_label + 1);
    for (uint32_t k = 0; k < ds->n_classes; k++) {
        if (n_names > 0) {
            memcpy(ds->class_names[k], list[k], MT_NAME_BYTES);
        } else {
            snprintf(ds->class_names[k], MT_NAME_BYTES, "%u", k);
        }
    }
    rc = 0;
done:
    free(img.data);
    free(lab.data);
    free(derived);
    return rc;
}

void mt_dataset_opts_default(mt_dataset_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->max_pixels = MT_IMAGE_DEFAULT_MAX_PIXELS;
}

/* What training needs beyond reading: two classes or more, each with samples. */
static int check_training(const mt_dataset_t *ds, const char *path, char *err, size_t err_len) {
    if (ds->n_classes < 2) {
        snprintf(err, err_len, "%s: %u class; a head needs at least 2 to choose between",
                 path, ds->n_classes);
        return -1;
    }
    uint32_t counts[MT_DATASET_MAX_CLASSES] = {0};
    for (uint32_t i = 0; i < ds->n; i++) counts[ds->labels[i]]++;
    for (uint16_t k = 0; k < ds->n_classes; k++) {
        if (counts[k] == 0) {
            snprintf(err, err_len, "%s: class %s (label %u) has no samples", path,
                     ds->class_names[k], k);
            return -1;
        }
    }
    return 0;
}

int mt_dataset_open_opts(mt_dataset_t *ds, const char *path, const char *labels_path,
                         const char *names, const mt_dataset_opts_t *opts, char *err,
                         size_t err_len) {
    memset(ds, 0, sizeof *ds);
    mt_dataset_opts_t defaults;
    mt_dataset_opts_default(&defaults);
    if (!opts) opts = &defaults;
    ds->max_pixels = opts->max_pixels;
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "%s: cannot read file: %s", path, strerror(errno));
        return -1;
    }
    int folder = S_ISDIR(st.st_mode);
    if (folder && names) {
        snprintf(err, err_len, "%s: --names is for IDX files; a folder's classes are its "
                               "sub-folders", path);
        return -1;
    }
    int rc = folder ? open_folder(ds, path, opts, err, err_len)
                    : open_idx(ds, path, labels_path, names, err, err_len);
    if (rc == 0 && opts->for_training) rc = check_training(ds, path, err, err_len);
    if (rc == 0 && ds->n_skipped > 0) {
        fprintf(stderr, "microt: note: %s: skipped %u file%s not named like an image (e.g. %s); "
                        "--strict refuses them\n", path, ds->n_skipped,
                ds->n_skipped == 1 ? "" : "s", ds->skipped_example);
    }
    if (rc != 0) mt_dataset_free(ds);
    return rc;
}

int mt_dataset_open(mt_dataset_t *ds, const char *path, const char *labels_path,
                    const char *names, char *err, size_t err_len) {
    return mt_dataset_open_opts(ds, path, labels_path, names, NULL, err, err_len);
}

void mt_dataset_free(mt_dataset_t *ds) {
    if (ds->paths) free_list(ds->paths, ds->n);
    free(ds->labels);
    free(ds->pixels);
    memset(ds, 0, sizeof *ds);
}

int mt_dataset_image(const mt_dataset_t *ds, uint32_t i, uint16_t h, uint16_t w,
                     uint8_t channel_order, uint8_t *out, char *err, size_t err_len) {
    if (i >= ds->n) {
        snprintf(err, err_len, "sample %u out of range", i);
        return -1;
    }
    if (ds->paths) {
        return mt_image_load_max(ds->paths[i], ds->max_pixels, h, w, channel_order, out, err,
                                 err_len);
    }
    size_t bytes = (size_t)ds->h * ds->w * ds->c;
    if (mt_image_convert(ds->pixels + bytes * i, (int)ds->w, (int)ds->h, (int)ds->c, h, w,
                         channel_order, out) != 0) {
        snprintf(err, err_len, "IDX sample %u: cannot resize image to %ux%u", i, w, h);
        return -1;
    }
    return 0;
}

const char *mt_dataset_sample_name(const mt_dataset_t *ds, uint32_t i, char *buf, size_t len) {
    if (ds->paths && i < ds->n) return ds->paths[i];
    snprintf(buf, len, "IDX[%u]", i);
    return buf;
}

/* splitmix64: small, seedable, the same sequence on every platform. */
static uint64_t next_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

uint32_t mt_dataset_select_shots(const mt_dataset_t *ds, uint32_t shots, uint64_t seed,
                                 uint32_t *idx) {
    if (shots == 0) {
        for (uint32_t i = 0; i < ds->n; i++) idx[i] = i;
        return ds->n;
    }
    uint32_t *members = malloc((size_t)ds->n * sizeof *members + 1);
    if (!members) return 0;
    uint32_t total = 0;
    for (uint16_t k = 0; k < ds->n_classes; k++) {
        uint32_t m = 0;
        for (uint32_t i = 0; i < ds->n; i++) {
            if (ds->labels[i] == k) members[m++] = i;
        }
        /* Per-class stream: the choice for class k does not depend on the other classes. */
        uint64_t s = seed * 0x100000001b3ull + k;
        uint32_t take = m < shots ? m : shots;
        for (uint32_t j = 0; j < take; j++) { /* partial Fisher-Yates: the first `take` */
            uint32_t r = j + (uint32_t)(next_rand(&s) % (m - j));
            uint32_t t = members[j];
            members[j] = members[r];
            members[r] = t;
            idx[total++] = members[j];
        }
    }
    free(members);
    qsort(idx, total, sizeof *idx, cmp_u32);
    return total;
}

uint32_t mt_dataset_select_spread(const mt_dataset_t *ds, uint32_t limit, uint32_t *idx) {
    if (limit == 0 || limit >= ds->n) limit = ds->n;
    for (uint32_t j = 0; j < limit; j++) idx[j] = (uint32_t)((uint64_t)j * ds->n / limit);
    return limit;
}

double mt_progress_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void mt_progress_start(mt_progress_t *p, const char *what, int quiet) {
    p->what = what;
    p->start_s = p->last_s = mt_progress_now_s();
    p->quiet = quiet;
}

void mt_progress_tick(mt_progress_t *p, uint32_t done, uint32_t total) {
    if (p->quiet) return;
    double now = mt_progress_now_s();
    if (done < total && now - p->last_s < 1.0) return;
    p->last_s = now;
    double elapsed = now - p->start_s, rate = elapsed > 0 ? done / elapsed : 0.0;
    if (done < total) {
        fprintf(stderr, "microt: %s %u/%u (%.0f %%), %.0f images/s, ETA %.0f s\n", p->what, done,
                total, 100.0 * done / total, rate, rate > 0 ? (total - done) / rate : 0.0);
    } else {
        fprintf(stderr, "microt: %s %u/%u done in %.1f s (%.0f images/s)\n", p->what, done, total,
                elapsed, rate);
    }
}
