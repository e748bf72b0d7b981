// What a generate's probe costs: time and bytes read, for a local file
// (bytes through its guarded input) and through the object-store path
// (BackendSourceOpener over a local store: ranged reads and the block cache,
// the same bytes an S3 store would serve). One JSON line per run, so tests
// (tests/integration/long_sources.sh) and the library_scale figures can
// assert on it.
// Usage: probe_bench FILE [RUNS] [--store] [--plugin-dir DIR]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "actors/storage/backend.h"
#include "actors/storage/backend_source.h"
#include "actors/transcoder/probe.h"

using namespace hlsfs;

namespace {

void print(const char* via, const MediaInfo& m, double seconds, int64_t bytes) {
  const StreamInfo* v = m.nth(StreamKind::video, 0);
  const StreamInfo* main = v ? v : m.nth(StreamKind::audio, 0);
  std::printf(
      "{\"via\": \"%s\", \"method\": \"%s\", \"seconds\": %.4f, \"bytes_read\": %lld, \"size\": %lld, "
      "\"format\": \"%s\", \"duration\": %.3f, \"start\": %.6f, \"end\": %.6f, \"keyframes\": %zu, \"packets\": %lld}\n",
      via, m.probe_method.c_str(), seconds, static_cast<long long>(bytes), static_cast<long long>(m.source.size),
      m.format.c_str(), m.container_duration, main ? main->start_seconds() : 0.0, main ? main->end_seconds() : 0.0,
      v ? v->keyframes.size() : size_t{0}, main ? static_cast<long long>(main->packets) : 0LL);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: probe_bench FILE [RUNS] [--store] [--plugin-dir DIR]\n");
    return 2;
  }
  std::string file = argv[1];
  int runs = 1;
  bool via_store = false;
  std::vector<std::string> plugin_dirs = Backend::default_plugin_dirs();
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--store")) via_store = true;
    else if (!std::strcmp(argv[i], "--plugin-dir") && i + 1 < argc) plugin_dirs = {argv[++i]};
    else runs = std::atoi(argv[i]);
  }
  try {
    for (int r = 0; r < runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      if (via_store) {
        std::string dir = file.substr(0, file.rfind('/')), key = file.substr(file.rfind('/') + 1);
        auto store = Backend::load(plugin_dirs, "local", "bench", {{"root", dir}});
        auto resolver = [&](const std::string&) { return std::make_pair(store, key); };
        BackendSourceOpener opener(resolver);
        MediaInfo m = probe_source(opener, "s3://bench/" + key);
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        print("store", m, s, opener.stats().bytes_fetched);
      } else {
        LocalFileOpener opener;
        MediaInfo m = probe_source(opener, "file://" + file);
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        print("file", m, s, m.probe_bytes_read);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
