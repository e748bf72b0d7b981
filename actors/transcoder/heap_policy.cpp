#include "actors/transcoder/heap_policy.h"

#include <malloc.h>

#include <algorithm>

namespace hlsfs {

void keep_large_allocations() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);  // glibc's maximum
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}

void bound_heap_arenas(int arenas) { mallopt(M_ARENA_MAX, std::max(arenas, 1)); }

void return_free_memory() { malloc_trim(0); }

}  // namespace hlsfs
