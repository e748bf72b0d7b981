// Two nodes sharing one store (the real local plugin stands in for the
// bucket: the cluster code only GETs, PUTs and LISTs through it): a record
// read from the store is verified, published and cached in the node's state
// (a restart needs no bucket); a copy another node keeps reading is not
// expired, one nobody read is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "actors/cluster/bucket_title_finder.h"
#include "actors/cluster/cluster_node.h"
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

// A master of two renditions (hi, lo) in the bucket, with its record.
struct Master {
  std::string key = "out/m/master.m3u8";
  std::vector<std::string> tokens, uris;  // per variant
  MasterRecord record;
};
Master master_in(const std::string& root) {
  const std::string src = "file://" + root + "/src/a.mp4", out = "file://" + root + "/out/m/";
  const json request = json::parse(R"({"SourceURI":")" + src + R"(","MasterURI":")" + out + R"(master.m3u8","Targets":[
    {"URI":")" + out + R"(hi","Video":{"TranscodeVideo":{"CRF":26}}},
    {"URI":")" + out + R"(lo","Video":{"TranscodeVideo":{"CRF":30,"Resolution":"640x"}}}]})");
  const MediaInfo media = media_at(src);
  GeneratedPlaylists gen = generate_playlists(parse_request(request), media, EncoderConfig{},
                                              [](const RenditionSpec&) { return "avc1.64001f"; });
  const std::string source = src + "\n1000\n1700000000";
  Master m;
  json variants = json::array();
  for (const auto& v : gen.variants) {
    const RenditionSpec& spec = gen.renditions.at(v.rendition);
    json record{{"version", 1},
                {"request", request},
                {"origin", gen.origins.at(v.rendition)},
                {"encoder", {{"preset", "veryfast"}, {"threads", 2}, {"x264_params", ""}}},
                {"source", source}};
    m.record.renditions.push_back(
        TitleRecord{spec.token, "media", "out/m/" + spec.prefix_name() + ".m3u8", record, source, json(media)});
    m.tokens.push_back(spec.token);
    m.uris.push_back(v.relative_uri);
    variants.push_back({{"token", spec.token}, {"uri", v.relative_uri}, {"extra", v.extra}});
  }
  const std::string text = gen.files.at(out + "master.m3u8");
  m.record.state_key = "master:" + gen.token;
  m.record.record = json{{"version", 1}, {"store", "media"}, {"key", m.key}, {"text", text}, {"variants", variants}};
  std::filesystem::create_directories(root + "/out/m");
  std::ofstream(root + "/" + m.key) << text;
  return m;
}

// The BANDWIDTH a master's text gives the variant whose URI line is `uri` (0: none).
int64_t bandwidth_of(const std::string& text, const std::string& uri) {
  const std::regex line("#EXT-X-STREAM-INF:(?:.*,)?BANDWIDTH=([0-9]+)[^\n]*\n" + uri + "(\r?\n|$)");
  std::smatch m;
  return std::regex_search(text, m, line) ? std::stoll(m[1]) : 0;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

// Two nodes each made a segment far above the BANDWIDTH the master promised
// for its variant, each raising it from its own view of the master: the
// bucket's master must end with both raises (a plain write of each node's
// text keeps only the last).
TEST(ClusterNodes, TwoNodesRaisingOneMasterKeepBothRaisesInTheBucket) {
  hlsfs::testing::TempDir bucket;
  Node a(bucket.path), b(bucket.path);
  // One plugin instance stands for the bucket: two of the local plugin in
  // one process would pick the same temporary names for one key.
  b.svc->backends["media"] = a.svc->backends["media"];
  const Master m = master_in(bucket.path);
  start_cluster(*a.svc, "a", 60000, {});
  start_cluster(*b.svc, "b", 60000, {});
  for (Node* n : {&a, &b})
    adopt_bucket_record(*n->svc, BucketRecord{std::nullopt, m.record}, "media", "out/m/.hlsfs/master.m3u8.json");
  const std::string planned = read_file(bucket.path + "/" + m.key);
  ASSERT_GT(bandwidth_of(planned, m.uris[0]), 0) << planned;
  ASSERT_GT(bandwidth_of(planned, m.uris[1]), 0) << planned;
  // Segment 0 of "hi" made on a, of "lo" on b, at once; what measure_segment
  // returns is written into the store, as the segment cache does.
  auto made = [](Node& n, const std::string& token) {
    for (const PlaylistFile& f : measure_segment(*n.svc, token, 0, 50 << 20)) n.svc->backend(f.store)->write(f.key, f.text);
  };
  std::thread on_b([&] { made(b, m.tokens[1]); });
  made(a, m.tokens[0]);
  on_b.join();
  CatalogEntry on_a = a.svc->catalog->resolve("media/" + m.key);
  ASSERT_TRUE(on_a.text);
  ASSERT_GT(bandwidth_of(*on_a.text, m.uris[0]), bandwidth_of(planned, m.uris[0]));  // a raised hi
  std::string text;
  bool both = false;
  for (int i = 0; i < 100 && !both; ++i) {  // merged in the background: up to 10 s
    text = read_file(bucket.path + "/" + m.key);
    both = bandwidth_of(text, m.uris[0]) > bandwidth_of(planned, m.uris[0]) &&
           bandwidth_of(text, m.uris[1]) > bandwidth_of(planned, m.uris[1]);
    if (!both) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(both) << "planned:\n" << planned << "in the bucket:\n" << text;
  // Each node serves at least its own raise (another's it learns when it
  // reads the bucket's master: at its next merge).
  EXPECT_EQ(bandwidth_of(*a.svc->catalog->resolve("media/" + m.key).text, m.uris[0]), bandwidth_of(text, m.uris[0]));
  EXPECT_EQ(bandwidth_of(*b.svc->catalog->resolve("media/" + m.key).text, m.uris[1]), bandwidth_of(text, m.uris[1]));
}

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
