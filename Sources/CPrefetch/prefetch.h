#ifndef NBRUN_PREFETCH_H
#define NBRUN_PREFETCH_H

/// Asks the CPU to start loading the cache line holding `address` into L2 (not L1, where
/// it would evict the block the kernel is still reusing). Swift has no prefetch of its own;
/// the packed products use this to fetch the next block of weights while they compute on
/// the current one. A hint only: it never faults, even past the end of an allocation, and
/// changes no result.
static inline void nbrun_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 2);
}

#endif
