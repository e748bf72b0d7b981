// What `hlsfsctl --version` and `hlsfsd --version` print: hlsfs's version and
// the version of each library that does the work, as it runs where the
// library can say so, else as it was built against (each line says which).
#pragma once
#include <string>
#include <vector>

namespace hlsfs {

struct LibraryVersion {
  std::string name;     // "libavformat"
  std::string version;  // "59.27.100"
  std::string source;   // "runtime", "compile-time: ...": where the number comes from
};

const char* hlsfs_version();  // CMake's project(VERSION)

// FFmpeg's release and libavformat, libavcodec, libavutil as loaded now
// (av_version_info(), *_version()); a library loaded at another version than
// the one built against says both.
std::vector<LibraryVersion> libav_versions();

// CAF and RocksDB as the build saw them (their headers' macros): for a
// program that does not load them (hlsfsctl), or CAF, which has no runtime query.
LibraryVersion caf_version_built(const std::string& note);
LibraryVersion rocksdb_version_built(const std::string& note);

// "hlsfsd 0.1.0\n  libavformat  59.27.100 (runtime)\n..."
std::string version_text(const std::string& program, const std::vector<LibraryVersion>& libraries);

}  // namespace hlsfs
