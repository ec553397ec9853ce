/* Class names of a data set and of a head: at most 15 characters each (the head store's
 * field), unique after that cut, and matched between a head and a test set by name (or,
 * when asked, by position), with errors that list the differences. Host only, no I/O. */
#ifndef MICROT_TOOLS_CLASS_NAMES_H
#define MICROT_TOOLS_CLASS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "microt/stage.h"

/* Names[i] are the stored (cut) names; full[i] (may be NULL) what they were cut from, for
 * the message. Returns 0 when all n are distinct, else -1 with err naming the first pair. */
int mt_class_names_unique(const char (*names)[MT_NAME_BYTES], const char *const *full, uint16_t n,
                          char *err, size_t err_len);

/* Parses "A,B,C" (--names) into out[max]: every name non-empty and at most 15 characters.
 * Returns the count, or -1 with err. */
int mt_class_names_parse(const char *list, char (*out)[MT_NAME_BYTES], uint16_t max, char *err,
                         size_t err_len);

/* Maps each of the n_test test classes to a head class: map[c] = the head class of the same
 * name, or c itself when by_position. A test class without a head class of its name, or more
 * test classes than the head has (by position), is an error listing the differences (head
 * NULL means the head stores no names: then only by_position works). Returns 0 or -1. */
int mt_class_names_match(const char (*test)[MT_NAME_BYTES], uint16_t n_test,
                         const char (*head)[MT_NAME_BYTES], uint16_t k, int by_position,
                         uint16_t *map, char *err, size_t err_len);

#endif
