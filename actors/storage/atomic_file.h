// Files that are never seen half-written: write a temporary beside the
// target, fsync, rename over it.
#pragma once
#include <string>

namespace hlsfs {

// Creates parent directories as needed. Throws std::runtime_error with the
// path and errno text.
void write_file_atomic(const std::string& path, const std::string& bytes);
// The first half of write_file_atomic: bytes written to a new file at path,
// fsynced and closed (removed again on any failure), for someone else to
// rename into place (a segment job's file, placed by the segment cache).
void write_file_synced(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path);
void make_dirs(const std::string& dir);

}  // namespace hlsfs
