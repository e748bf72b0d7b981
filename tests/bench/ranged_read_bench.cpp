// How many source bytes making one segment reads through the object-store
// path (BackendSourceOpener: ranged reads and the block cache), measured on a
// big file in a local store through the plugin ABI: bytes are the same over
// any transport, and this runs without the test S3 server (moto reads a
// whole object per ranged GET, which makes a 500 MB probe last ~15 minutes).
// Target: the last segment costs under 2x its share of the file.
// Usage: ranged_read_bench FILE [PLUGIN_DIR]
#include <cstdio>
#include <string>

#include "actors/playlist/rendition.h"
#include "actors/playlist/request.h"
#include "actors/storage/backend.h"
#include "actors/storage/backend_source.h"
#include "actors/transcoder/probe.h"
#include "actors/transcoder/segment_encoder.h"

using namespace hlsfs;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ranged_read_bench FILE [PLUGIN_DIR]\n");
    return 2;
  }
  std::string file = argv[1];
  std::string dir = file.substr(0, file.rfind('/')), key = file.substr(file.rfind('/') + 1);
  auto plugin_dirs = argc > 2 ? std::vector<std::string>{argv[2]} : Backend::default_plugin_dirs();
  auto store = Backend::load(plugin_dirs, "local", "bench", {{"root", dir}});
  auto resolver = [&](const std::string&) { return std::make_pair(store, key); };
  const std::string uri = "s3://bench/" + key;

  BackendSourceOpener probe_opener(resolver);
  MediaInfo media = probe_source(probe_opener, uri);
  PlaylistRequest req = parse_request_text(R"({"SourceURI": ")" + uri + R"(",
      "Targets": [{"URI": "file:///tmp/unused/v", "Duration": 10, "InitialSegments": [2, 2, 2],
                   "Video": {"TranscodeVideo": {"CRF": 26, "FrameRate": 25, "Resolution": "1280x"}},
                   "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 128000}}}]})");
  RenditionSpec spec = make_rendition(media, req, 0, EncoderConfig{"veryfast", 2, ""});
  const size_t last = spec.plan.size() - 1;
  const double total = spec.plan.duration();
  const int64_t size = media.source.size;
  std::printf("source %.0f MB, %.2f s; probe fetched %.1f MB (%.0f%%: it reads every packet once, at generate)\n",
              size / 1e6, total, probe_opener.stats().bytes_fetched / 1e6,
              100.0 * probe_opener.stats().bytes_fetched / size);
  for (size_t k : {size_t{0}, last / 2, last}) {
    BackendSourceOpener job(resolver);  // a fresh job: nothing cached
    encode_segment(job, media, spec, k);
    const double kshare = spec.plan.extinf(k) / total, frac = double(job.stats().bytes_fetched) / size;
    std::printf("segment %zu (%.2f s = %.2f%% of the file): fetched %.2f MB in %lld requests = %.2f%% of the source "
                "= %.2fx its share%s\n",
                k, spec.plan.extinf(k), 100 * kshare, job.stats().bytes_fetched / 1e6,
                static_cast<long long>(job.stats().read_requests.load()), 100 * frac, frac / kshare,
                k == last ? " (target < 2x)" : "");
  }
  return 0;
}
