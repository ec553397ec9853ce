/* Instruction-count markers for benchmarks on emulated Cortex-M (docs/cortex-m.md):
 * mt_count_begin(id) ... mt_count_end(id) brackets a region; the mt_icount QEMU plugin adds
 * the instructions executed in between to region `id` (0..255). Elsewhere they do nothing. */
#ifndef MT_COUNT_H
#define MT_COUNT_H

#define MT_COUNT_IDS 256u

#if defined(__arm__) && defined(MT_HAVE_COUNT)
void mt_count_begin(unsigned id);
void mt_count_end(unsigned id);
#else
static inline void mt_count_begin(unsigned id) { (void)id; }
static inline void mt_count_end(unsigned id) { (void)id; }
#endif

#endif
