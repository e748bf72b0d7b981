// How the process's heap (glibc malloc) is used by segment jobs.
#pragma once

namespace hlsfs {

// Every segment job allocates and frees the same large buffers (x264's
// frames, decoder pools). glibc hands blocks that big back to the kernel at
// once, so each job paid page faults and page zeroing again (~5 % of a
// whole-file render). Keep them in the heap instead.
void keep_large_allocations();

// glibc gives each thread that allocates at the same time as others an arena
// of its own, up to 8 per core, and with keep_large_allocations each keeps
// its peak. A daemon's jobs (job thread, decoder and x264 threads) would
// spread over 16 arenas on 2 cores; `arenas` bounds that (the threads of the
// jobs share them: they allocate at opening, rarely per frame).
void bound_heap_arenas(int arenas);

// Gives the heap's free memory back to the system (malloc_trim): the daemon
// calls it when no job runs or waits, so an idle daemon does not keep the
// peak of its last busy spell.
void return_free_memory();

}  // namespace hlsfs
