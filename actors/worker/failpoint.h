// Fail points of the worker, for tests only (in the manner of FreeBSD's
// fail points and etcd's gofail): hlsfsd reads HLSFS_WORKER_FAILPOINT from
// its own environment, which only tests set, and hands it to every job; the
// worker does what it says when the job's source URI contains the text.
//
//   crash:TEXT    SIGSEGV
//   memory:TEXT   allocate and touch memory until the limit refuses it
//   hang:TEXT     stop making progress (sleep for ever)
//   socket:TEXT   call socket() (the sandbox kills the worker)
//   open:TEXT     open /etc/passwd (the sandbox refuses it)
//
// Several at once, comma-separated: "crash:a.mp4,hang:b.mp4".
#pragma once
#include <string>

namespace hlsfs {

// Does what `spec` says if it applies to `source_uri`; returns when it does
// not apply (or when the fault is one the worker survives: the open).
void run_failpoint(const std::string& spec, const std::string& source_uri);

}  // namespace hlsfs
