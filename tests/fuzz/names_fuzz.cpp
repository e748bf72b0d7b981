// Names that come from outside and are parsed back: FUSE paths under the
// mount ("media/out/movie/720p-<token>-3.ts", Catalog::resolve and
// parse_segment_name), URIs routed to a store (StoreRouter::locate), and the
// state store's binary keys (state_keys). Each must refuse or parse exactly:
//  - a segment name parses only in its one spelling (it rebuilds to itself);
//  - a path resolves to a segment only if it is that segment's own name;
//  - a located key is clean, belongs to the longest matching store root,
//    and maps back to the same URI;
//  - state keys parse back to the bytes they were made from.
#include <cstdint>
#include <memory>
#include <string>

#include <rocksdb/slice.h>

#include "actors/playlist/catalog.h"
#include "actors/playlist/token.h"
#include "actors/segment_cache/state_keys.h"
#include "actors/storage/store_router.h"
#include "tests/fuzz/fuzz_check.h"

using namespace hlsfs;

namespace {

const std::string kToken(32, 'b');
const std::string kSubToken = "0123456789abcdef0123456789abcdef";

struct World {
  Catalog catalog{std::vector<std::string>{"media", "empty"}};
  StoreRouter router;
  World() {
    auto r = std::make_shared<PublishedRendition>();
    r->spec.target_uri = "file:///srv/media/out/movie/720p";
    r->spec.token = kToken;
    r->spec.plan = SegmentPlan(Rational{1, 25}, {0, 50, 100, 150});
    r->store = "media";
    r->dir = "out/movie/";
    catalog.publish(r, "#EXTM3U\n");
    auto s = std::make_shared<PublishedRendition>(*r);  // a WebVTT track: .vtt segments
    s->spec.target_uri = "file:///srv/media/out/movie/master_sub0";
    s->spec.token = kSubToken;
    s->spec.subtitle = SubtitleSpec{};
    catalog.publish(s, "#EXTM3U\n");
    catalog.publish_text("media", "out/master.m3u8", "#EXTM3U master\n");
    router.add_local("media", "/srv/media");
    router.add_local("deep", "/srv/media/deep/");
    router.add_bucket("cloud", "s3", "bucket", "videos");
    router.add_bucket("oss", "oss", "b2");
  }
};

void segment_name(const std::string& name) {
  auto s = Catalog::parse_segment_name(name);
  if (!s) return;
  FUZZ_REQUIRE(is_token(s->token) && !s->prefix.empty(), name);
  // One spelling per segment: the parts give the name back (the extensions
  // parse_segment_name takes: TS, WebVTT, fMP4 and its init segment, sprite
  // sheets).
  auto ends_with = [&](const std::string& x) {
    return name.size() > x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0;
  };
  if (ends_with("-init.mp4")) {
    FUZZ_REQUIRE(s->index == kInitSegment && s->prefix + "-" + s->token + "-init.mp4" == name, name);
    return;
  }
  std::string ext;
  for (const char* e : {".ts", ".vtt", ".m4s", ".jpg"})
    if (ends_with(e)) ext = e;
  FUZZ_REQUIRE(!ext.empty(), name);
  FUZZ_REQUIRE(s->prefix + "-" + s->token + "-" + std::to_string(s->index) + ext == name, name);
}

void resolve(const World& w, const std::string& path) {
  CatalogEntry e = w.catalog.resolve(path);
  if (e.kind == CatalogEntry::segment_file) {
    FUZZ_REQUIRE(e.rendition && e.segment < e.rendition->spec.plan.size(), path);
    FUZZ_REQUIRE(path == "media/out/movie/" + e.rendition->spec.segment_name(e.segment), path);
  } else if (e.kind == CatalogEntry::text_file) {
    FUZZ_REQUIRE(e.text != nullptr, path);
  }
  for (const auto& child : w.catalog.list(path)) FUZZ_REQUIRE(!child.name.empty(), path);
  (void)w.catalog.renditions_in(path);
}

void locate(const World& w, const std::string& uri) {
  auto loc = w.router.locate(uri);
  if (!loc) return;
  FUZZ_REQUIRE(is_clean_key(loc->key), uri);
  FUZZ_REQUIRE(!(loc->store == "media" && loc->key.rfind("deep/", 0) == 0), "not the longest root: " + uri);
  auto back = w.router.uri_of(*loc);
  FUZZ_REQUIRE(back && *back == uri, uri);
}

void state_keys_of(const std::string& bytes) {
  std::string token;
  uint32_t n = 0;
  int64_t ms = 0;
  if (state_keys::parse_segment_key(rocksdb::Slice(bytes), &token, &n))
    FUZZ_REQUIRE(state_keys::segment_key(token, n) == bytes, state_keys::printable(bytes));
  if (state_keys::parse_atime_key(rocksdb::Slice(bytes), &ms, &token, &n)) {
    FUZZ_REQUIRE(ms >= 0, state_keys::printable(bytes));
    FUZZ_REQUIRE(state_keys::atime_key(ms, token, n) == bytes, state_keys::printable(bytes));
  }
  std::string shown = state_keys::printable(rocksdb::Slice(bytes));
  for (char c : shown) FUZZ_REQUIRE(c >= 0x20 && c < 0x7f, "printable() let a byte through");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const World w;
  const std::string in(reinterpret_cast<const char*>(data), size);
  segment_name(in);
  resolve(w, in);
  resolve(w, "media/out/movie/" + in);  // straight to the directory that has segments
  locate(w, in);
  locate(w, "file:///srv/media/" + in);
  state_keys_of(in);
  return 0;
}
