// Two nodes sharing one store (the real local plugin stands in for the
// bucket: the cluster code only GETs, PUTs and LISTs through it): a record
// read from the store is verified, published and cached in the node's state
// (a restart needs no bucket); a copy another node keeps reading is not
// expired, one nobody read is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "actors/cluster/bucket_title_finder.h"
#include "actors/cluster/shared_usage.h"
#include "actors/playlist/generate.h"
#include "actors/playlist/playlist_service.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "tests/unit/sample_media.h"
#include "tests/unit/storage_test_support.h"

using namespace hlsfs;
using json = nlohmann::json;

namespace {

struct Node {
  hlsfs::testing::TempDir state_dir{"hlsfs-cluster-state"};
  std::shared_ptr<Services> svc = std::make_shared<Services>();
  explicit Node(const std::string& root) {
    svc->backends["media"] = Backend::load({hlsfs::testing::plugin_dir()}, "local", "media", {{"root", root}});
    svc->router.add_local("media", root);
    svc->state = std::shared_ptr<StateStore>(StateStore::open(state_dir.path));
    svc->catalog = std::make_shared<Catalog>(std::vector<std::string>{"media"});
  }
};

MediaInfo media_at(const std::string& uri) {
  MediaInfo m = test::sample_media(1280, 720, uri);
  m.streams.resize(1);  // video only, 25 fps
  m.streams[0].avg_frame_rate = m.streams[0].r_frame_rate = {25, 1};
  return m;
}

TitleRecord record_in(const std::string& root) {
  const std::string src = "file://" + root + "/src/a.mp4";
  const json request = json::parse(R"({"SourceURI":")" + src + R"(","Targets":[{"URI":"file://)" + root +
                                   R"(/out/a/720p","Video":{"TranscodeVideo":{"CRF":26}}}]})");
  const MediaInfo media = media_at(src);
  GeneratedPlaylists gen = generate_playlists(parse_request(request), media, EncoderConfig{},
                                              [](const RenditionSpec&) { return "avc1.64001f"; });
  const std::string source = src + "\n1000\n1700000000";
  json record{{"version", 1},
              {"request", request},
              {"origin", gen.origins.at(0)},
              {"encoder", {{"preset", "veryfast"}, {"threads", 2}, {"x264_params", ""}}},
              {"source", source}};
  return TitleRecord{gen.renditions.at(0).token, "media", "out/a/720p.m3u8", record, source, json(media)};
}

}  // namespace

TEST(ClusterNodes, ARecordFromTheBucketIsPublishedAndSurvivesARestartWithoutIt) {
  hlsfs::testing::TempDir bucket;
  Node node(bucket.path);
  TitleRecord r = record_in(bucket.path);
  adopt_bucket_record(*node.svc, BucketRecord{r, std::nullopt}, "media", "out/a/.hlsfs/" + r.token + ".json");

  auto pub = node.svc->catalog->by_token(r.token);
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->store, "media");
  EXPECT_EQ(pub->dir, "out/a/");
  EXPECT_EQ(node.svc->catalog->resolve("media/out/a/720p.m3u8").kind, CatalogEntry::text_file);
  EXPECT_EQ(node.svc->catalog->resolve("media/out/a/" + pub->spec.segment_name(2)).kind, CatalogEntry::segment_file);
  EXPECT_TRUE(node.svc->state->get_playlist(r.token));
  EXPECT_TRUE(node.svc->state->get_source(r.source_key));

  // A restart: a new catalog filled from the state alone.
  node.svc->catalog = std::make_shared<Catalog>(std::vector<std::string>{"media"});
  EXPECT_EQ(restore_catalog(*node.svc), 1u);
  EXPECT_TRUE(node.svc->catalog->by_token(r.token));
}

TEST(ClusterNodes, ARecordThatDoesNotVerifyChangesNothing) {
  hlsfs::testing::TempDir bucket;
  Node node(bucket.path);
  TitleRecord r = record_in(bucket.path);
  r.playlist_record["request"]["Targets"][0]["Video"]["TranscodeVideo"]["CRF"] = 30;
  EXPECT_THROW(adopt_bucket_record(*node.svc, BucketRecord{r, std::nullopt}, "media", "out/a/.hlsfs/" + r.token + ".json"),
               TitleRecordError);
  EXPECT_FALSE(node.svc->catalog->by_token(r.token));
  EXPECT_FALSE(node.svc->state->get_playlist(r.token));
  EXPECT_EQ(node.svc->catalog->resolve("media/out/a/720p.m3u8").kind, CatalogEntry::none);
}

// Whoever can write one directory of the bucket must not publish titles
// elsewhere through it: a record describes titles in its own directory (or
// below: dir.json), in the store it was read from.
TEST(ClusterNodes, ARecordPublishesOnlyUnderItsOwnDirectory) {
  hlsfs::testing::TempDir bucket;
  Node node(bucket.path);
  std::filesystem::create_directories(bucket.path + "/x");
  node.svc->backends["other"] = Backend::load({hlsfs::testing::plugin_dir()}, "local", "other", {{"root", bucket.path + "/x"}});
  TitleRecord r = record_in(bucket.path);  // its playlist: out/a/720p.m3u8
  auto refused = [&](const std::string& store, const std::string& key) {
    try {
      adopt_bucket_record(*node.svc, BucketRecord{r, std::nullopt}, store, key);
    } catch (const TitleRecordError& e) {
      return std::string(e.what()).find("outside") != std::string::npos;
    }
    return false;
  };
  EXPECT_TRUE(refused("media", "elsewhere/.hlsfs/" + r.token + ".json"));
  EXPECT_TRUE(refused("media", "out/a/b/.hlsfs/dir.json"));  // a parent's title, not a child's
  EXPECT_TRUE(refused("other", "out/a/.hlsfs/" + r.token + ".json"));  // found through another store
  EXPECT_FALSE(node.svc->catalog->by_token(r.token));
  // A parent directory's record may name a title below it.
  adopt_bucket_record(*node.svc, BucketRecord{r, std::nullopt}, "media", "out/.hlsfs/dir.json");
  EXPECT_TRUE(node.svc->catalog->by_token(r.token));
}

TEST(ClusterNodes, ACopyAnotherNodeReadsIsNotExpiredOneNobodyReadIs) {
  hlsfs::testing::TempDir bucket;
  Node one(bucket.path), two(bucket.path);
  SharedUsage usage_one(*one.svc, "one", 1000), usage_two(*two.svc, "two", 1000);
  const std::string tok = "0123456789abcdef0123456789abcdef";
  auto key = [&](uint32_t n) { return "out/a/720p-" + tok + "-" + std::to_string(n) + ".ts"; };
  std::filesystem::create_directories(bucket.path + "/out/a");
  for (uint32_t n : {0u, 1u}) std::ofstream(bucket.path + "/" + key(n)) << "segment";
  const int64_t now = now_ms(), hour = 3600 * 1000;
  // Node one made both, two hours ago; node two fetched segment 0 and read it a minute ago.
  for (uint32_t n : {0u, 1u}) one.svc->state->put_remote(tok, n, RemoteCopy{"media", key(n), 7, now - 2 * hour});
  two.svc->state->put_remote(tok, 0, RemoteCopy{"media", key(0), 7, now - 60000});
  usage_two.publish_due(now);
  EXPECT_TRUE(std::filesystem::exists(bucket.path + "/out/a/.hlsfs/used/" + tok + "/two.json"));
  usage_two.publish_due(now + 10);  // batched: nothing until its interval has passed
  EXPECT_EQ(usage_two.stats().published, 1u);

  std::vector<std::string> removed;
  auto remove = [&](const std::string& store, const std::string& k) {
    removed.push_back(k);
    one.svc->backend(store)->remove(k);
  };
  RemoteExpiryReport r =
      expire_remote_copies(*one.svc->state, {{"media", hour}}, now, remove, false, &usage_one);
  EXPECT_EQ(removed, std::vector<std::string>{key(1)});
  EXPECT_EQ(r.deleted, 1);
  EXPECT_EQ(r.kept_for_others, 1);
  EXPECT_TRUE(std::filesystem::exists(bucket.path + "/" + key(0)));
  EXPECT_FALSE(std::filesystem::exists(bucket.path + "/" + key(1)));
  // Its last use here moved up to node two's: the next walks stop before it.
  EXPECT_EQ(one.svc->state->get_remote(tok, 0)->last_use_ms, now - 60000);

  // Without the cluster's view (a lone node), both would have gone.
  Node lone(bucket.path);
  for (uint32_t n : {0u, 1u}) lone.svc->state->put_remote(tok, n, RemoteCopy{"media", key(n), 7, now - 2 * hour});
  RemoteExpiryReport alone = expire_remote_copies(*lone.svc->state, {{"media", hour}}, now,
                                                  [](const std::string&, const std::string&) {}, true);
  EXPECT_EQ(alone.deleted, 2);
}
