// library_scale's filler: N titles written straight into a stopped
// daemon's state, as GenerateVideoPlaylist would record them (records,
// probe, catalog index), in seconds instead of an API call each. The state
// must hold one title generated through the API: its request, probe and
// encoder settings are the template, and title i gets the same targets under
// <root>/lib/t<i>/ (so its tokens, playlists and segments are real ones).
//
// usage: library_scale_fill STATE_DIR STORE ROOT FIRST COUNT [OWN_PROBE_EVERY]
// With OWN_PROBE_EVERY k, every k-th title gets a probe record of its own
// (a copy under its own key), as titles of different sources have: loading
// such a title parses its probe (the others share the template's, which a
// loader parses once). Copies for all would cost the probe's size per title.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/playlist/catalog.h"
#include "actors/playlist/catalog_keys.h"
#include "actors/playlist/generate.h"
#include "actors/segment_cache/state_store.h"
#include "actors/storage/store_router.h"
#include "actors/transcoder/codec_string.h"

using namespace hlsfs;
using json = nlohmann::json;

namespace {
std::string dir_of_key(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash + 1);
}
std::string last_part(const std::string& uri) { return uri.substr(uri.rfind('/') + 1); }
}  // namespace

int main(int argc, char** argv) {
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr, "usage: library_scale_fill STATE_DIR STORE ROOT FIRST COUNT [OWN_PROBE_EVERY]\n");
    return 2;
  }
  const std::string state_dir = argv[1], store = argv[2], root = argv[3];
  const long first = std::atol(argv[4]), count = std::atol(argv[5]), own_every = argc == 7 ? std::atol(argv[6]) : 0;
  try {
    auto t0 = std::chrono::steady_clock::now();
    auto state = std::shared_ptr<StateStore>(StateStore::open(state_dir));
    json tmpl;
    state->for_each_playlist([&](const std::string& key, const std::string& value) {
      if (key.rfind("master:", 0) == 0) return true;
      tmpl = json::parse(value);
      return false;
    });
    if (tmpl.is_null()) throw std::runtime_error(state_dir + ": no generated title to copy");
    const std::string source = tmpl.at("source");
    auto probe = state->get_source(source);
    if (!probe) throw std::runtime_error("the template's probe is missing");
    const MediaInfo media = json::parse(*probe).get<MediaInfo>();
    const EncoderConfig enc{tmpl.at("encoder").at("preset"), tmpl.at("encoder").at("threads"),
                            tmpl.at("encoder").at("x264_params")};
    StoreRouter router;
    router.add_local(store, root);
    Catalog catalog({store}, state_catalog_store(state, false), CatalogOptions{8 << 20});
    auto shared_media = std::make_shared<const MediaInfo>(media);
    const auto src = router.locate(tmpl.at("request").at("SourceURI").get<std::string>());
    if (!src) throw std::runtime_error("the template's source is not in store " + store);
    for (long i = first; i < first + count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "t%06ld", i);
      const std::string dir = "file://" + root + "/lib/" + name + "/";
      json body = tmpl.at("request");
      if (body.contains("MasterURI")) body["MasterURI"] = dir + last_part(body["MasterURI"]);
      for (auto& t : body.at("Targets")) t["URI"] = dir + last_part(t.at("URI"));
      PlaylistRequest req = parse_request(body);
      std::string source_of_title = source;
      if (own_every > 0 && i % own_every == 0) {
        source_of_title = source + "#" + name;
        state->put_source(source_of_title, *probe);
      }
      // The daemon's memo: one x264 open (and banner) per settings, not per title.
      GeneratedPlaylists gen = generate_playlists(
          req, media, enc, [&](const RenditionSpec& r) { return codecs_cached(r, media); });
      for (size_t k = 0; k < gen.renditions.size(); ++k) {
        const RenditionSpec& spec = gen.renditions[k];
        auto loc = router.locate(spec.playlist_uri());
        json record{{"version", 1}, {"request", body}, {"origin", gen.origins[k]}, {"encoder", tmpl.at("encoder")},
                    {"source", source_of_title}};
        state->put_playlist(spec.token, record.dump(), false);
        auto pub = std::make_shared<PublishedRendition>();
        pub->spec = spec;
        pub->media = shared_media;
        pub->store = loc->store;
        pub->dir = dir_of_key(loc->key);
        pub->source_store = src->store;
        pub->source_key = src->key;
        catalog.publish(pub, gen.files.at(spec.playlist_uri()), Catalog::TextIs::derived);
      }
      if (req.master_uri) {
        auto loc = router.locate(*req.master_uri);
        json variants = json::array();
        std::vector<std::pair<std::string, std::optional<std::string>>> refs;
        for (const auto& v : gen.variants) {
          variants.push_back({{"token", gen.renditions[v.rendition].token}, {"uri", v.relative_uri}, {"extra", v.extra}});
          refs.emplace_back(catalog_keys::master_key(gen.renditions[v.rendition].token, "master:" + gen.token), "");
        }
        json record{{"version", 1}, {"store", loc->store}, {"key", loc->key},
                    {"text", gen.files.at(*req.master_uri)}, {"variants", variants}};
        catalog.publish_text(loc->store, loc->key, gen.files.at(*req.master_uri));
        state->put_playlist("master:" + gen.token, record.dump(), false);
        state->write_catalog(refs, false);
      }
    }
    state->put_playlist("bench:filled", "{}", true);  // one fsync for the lot
    state->delete_playlist("bench:filled");
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"titles\": %ld, \"seconds\": %.2f, \"renditions\": %zu}\n", count, s, catalog.rendition_count());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "library_scale_fill: %s\n", e.what());
    return 1;
  }
  return 0;
}
