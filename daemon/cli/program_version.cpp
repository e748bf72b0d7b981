#include "daemon/cli/program_version.h"

#include <caf/config.hpp>
#include <rocksdb/version.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}

#include <algorithm>

namespace hlsfs {

namespace {

std::string dotted(unsigned v) {  // AV_VERSION_INT's packing
  return std::to_string(AV_VERSION_MAJOR(v)) + "." + std::to_string(AV_VERSION_MINOR(v)) + "." +
         std::to_string(AV_VERSION_MICRO(v));
}

LibraryVersion loaded(const char* name, unsigned running, unsigned built) {
  std::string source = "runtime";
  if (running != built) source += ", built against " + dotted(built);
  return {name, dotted(running), source};
}

}  // namespace

const char* hlsfs_version() { return HLSFS_VERSION; }

std::vector<LibraryVersion> libav_versions() {
  return {
      {"FFmpeg", av_version_info(), "runtime"},
      loaded("libavformat", avformat_version(), LIBAVFORMAT_VERSION_INT),
      loaded("libavcodec", avcodec_version(), LIBAVCODEC_VERSION_INT),
      loaded("libavutil", avutil_version(), LIBAVUTIL_VERSION_INT),
  };
}

LibraryVersion caf_version_built(const std::string& note) {
  std::string v = std::to_string(CAF_MAJOR_VERSION) + "." + std::to_string(CAF_MINOR_VERSION) + "." +
                  std::to_string(CAF_PATCH_VERSION);
  return {"CAF", v, "compile-time" + (note.empty() ? "" : ": " + note)};
}

LibraryVersion rocksdb_version_built(const std::string& note) {
  std::string v = std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) + "." +
                  std::to_string(ROCKSDB_PATCH);
  return {"RocksDB", v, "compile-time" + (note.empty() ? "" : ": " + note)};
}

std::string version_text(const std::string& program, const std::vector<LibraryVersion>& libraries) {
  size_t width = 0;
  for (const auto& l : libraries) width = std::max(width, l.name.size());
  std::string out = program + " " + hlsfs_version() + "\n";
  for (const auto& l : libraries)
    out += "  " + l.name + std::string(width + 2 - l.name.size(), ' ') + l.version + " (" + l.source + ")\n";
  return out;
}

}  // namespace hlsfs
