/* Class-name checks and matching (see class_names.h). */
#include "class_names.h"

#include <stdio.h>
#include <string.h>

int mt_class_names_unique(const char (*names)[MT_NAME_BYTES], const char *const *full, uint16_t n,
                          char *err, size_t err_len) {
    for (uint16_t i = 0; i < n; i++) {
        for (uint16_t j = (uint16_t)(i + 1); j < n; j++) {
            if (strcmp(names[i], names[j]) != 0) continue;
            if (full && strcmp(full[i], full[j]) != 0) {
                snprintf(err, err_len, "classes '%s' and '%s' are both '%s' after the cut to %u "
                                       "characters (the head stores %u); rename one",
                         full[i], full[j], names[i], MT_NAME_BYTES - 1u, MT_NAME_BYTES - 1u);
            } else {
                snprintf(err, err_len, "class '%s' appears twice", names[i]);
            }
            return -1;
        }
    }
    return 0;
}

int mt_class_names_parse(const char *list, char (*out)[MT_NAME_BYTES], uint16_t max, char *err,
                         size_t err_len) {
    int n = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            snprintf(err, err_len, "--names: name %d is empty", n + 1);
            return -1;
        }
        if (len >= MT_NAME_BYTES) {
            snprintf(err, err_len, "--names: '%.*s' is longer than %u characters", (int)len, p,
                     MT_NAME_BYTES - 1u);
            return -1;
        }
        if (n == max) {
            snprintf(err, err_len, "--names: more than %u names", max);
            return -1;
        }
        memset(out[n], 0, MT_NAME_BYTES); /* stored whole in the head: no stray bytes */
        memcpy(out[n], p, len);
        n++;
        if (p[len] == '\0') break;
        p += len + 1;
    }
    return mt_class_names_unique((const char (*)[MT_NAME_BYTES])out, NULL, (uint16_t)n, err,
                                 err_len) == 0 ? n : -1;
}

/* Appends "a, b, c" (at most a few) to buf. */
static void append_list(char *buf, size_t cap, const char *name, int *count) {
    size_t used = strlen(buf);
    if (*count < 8) {
        snprintf(buf + used, cap - used, "%s%s", *count ? ", " : "", name);
    } else if (*count == 8) {
        snprintf(buf + used, cap - used, ", ...");
    }
    (*count)++;
}

int mt_class_names_match(const char (*test)[MT_NAME_BYTES], uint16_t n_test,
                         const char (*head)[MT_NAME_BYTES], uint16_t k, int by_position,
                         uint16_t *map, char *err, size_t err_len) {
    if (by_position || !head) {
        if (n_test > k) {
            snprintf(err, err_len, "%u test classes, but the head knows %u", n_test, k);
            return -1;
        }
        if (!head && !by_position) {
            snprintf(err, err_len, "the head stores no class names; use --match-by-position");
            return -1;
        }
        for (uint16_t c = 0; c < n_test; c++) map[c] = c;
        return 0;
    }
    char missing[256] = "", known[256] = "";
    int n_missing = 0, n_known = 0;
    for (uint16_t c = 0; c < n_test; c++) {
        uint16_t h = 0;
        while (h < k && strcmp(head[h], test[c]) != 0) h++;
        if (h == k) {
            append_list(missing, sizeof missing, test[c], &n_missing);
        } else {
            map[c] = h;
        }
    }
    if (n_missing == 0) return 0;
    for (uint16_t h = 0; h < k; h++) append_list(known, sizeof known, head[h], &n_known);
    snprintf(err, err_len, "%d test class%s not in the head: %s (the head's: %s); rename the "
                           "folders, or use --match-by-position to match them in order",
             n_missing, n_missing == 1 ? "" : "es", missing, known);
    return -1;
}
