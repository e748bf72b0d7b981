// A generate's writes, batched (issue 14: one synced RocksDB batch per
// request, the playlist files flushed once per store) yet as durable as
// before: a generate that answered 200 survives a SIGKILL right after the
// answer with its playlists, records and catalog index. Real things: the
// local store plugin, a clip made by the ffmpeg CLI, the state store, the
// probe and the generate.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/playlist/catalog.h"
#include "actors/playlist/catalog_store.h"
#include "actors/playlist/playlist_service.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "actors/storage/backend.h"
#include "tests/unit/storage_test_support.h"

namespace hlsfs {
namespace {

using namespace hlsfs::testing;
using json = nlohmann::json;
namespace fs = std::filesystem;

const char* const kChildDir = "HLSFS_DURABILITY_DIR";  // set: this process is the child of SurvivesSigkill...

bool make_clip(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=160x90:rate=25 "
                    "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 4 -c:v libx264 -preset ultrafast -g 25 "
                    "-c:a aac '" + path + "'";
  return system(cmd.c_str()) == 0;
}

std::shared_ptr<Services> services(const std::string& dir) {
  auto svc = std::make_shared<Services>();
  const std::string root = dir + "/media";
  fs::create_directories(root);
  svc->router.add_local("media", root);
  svc->backends["media"] = Backend::load({plugin_dir()}, "local", "media", {{"root", root}});
  svc->state = std::shared_ptr<StateStore>(StateStore::open(dir + "/state"));
  svc->catalog = std::make_shared<Catalog>(std::vector<std::string>{"media"}, state_catalog_store(svc->state, false),
                                           CatalogOptions{});
  return svc;
}

std::string request(const std::string& dir, const std::string& title) {
  const std::string t = "file://" + dir + "/media/out/" + title;
  auto target = [&](const char* name, int width) {
    return json{{"URI", t + "/" + name},
                {"Video", {{"TranscodeVideo", {{"CRF", 30}, {"Resolution", std::to_string(width) + "x"}}}}},
                {"Audio", {{"TranscodeAudio", {{"Codec", "aac"}, {"Bitrate", 64000}}}}}};
  };
  return json{{"SourceURI", "file://" + dir + "/media/clip.mp4"},
              {"MasterURI", t + "/master.m3u8"},
              {"Targets", {target("160p", 160), target("80p", 80), target("64p", 64)}}}
      .dump();
}

// The child's half: generate, say so on stdout, wait for the SIGKILL.
TEST(GenerateDurability, ChildGeneratesThenWaits) {
  const char* dir = getenv(kChildDir);
  if (!dir) GTEST_SKIP() << "run by SurvivesSigkillRightAfterTheAnswer";
  auto svc = services(dir);
  GenerateOutcome out = generate_playlist(*svc, request(dir, "killed"));
  std::cout << "ANSWERED " << out.status << " " << out.body.dump() << std::endl;
  for (;;) pause();
}

TEST(GenerateDurability, SurvivesSigkillRightAfterTheAnswer) {
  TempDir dir;
  ASSERT_TRUE(make_clip(dir.path + "/media/clip.mp4"));
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    setenv(kChildDir, dir.path.c_str(), 1);
    execl("/proc/self/exe", "generate_durability_child", "--gtest_filter=GenerateDurability.ChildGeneratesThenWaits",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1) {  // the answer line, then the kill at once
    if (c == '\n' && line.rfind("ANSWERED ", 0) == 0) break;
    line = c == '\n' ? "" : line + c;
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out[0]);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child ended otherwise: " << status;
  ASSERT_EQ(line.rfind("ANSWERED 200 ", 0), 0u) << line;
  json body = json::parse(line.substr(13));

  // Everything the answer names is there after the kill.
  auto state = std::shared_ptr<StateStore>(StateStore::open(dir.path + "/state"));
  const std::string master_token = body.at("Token");
  EXPECT_TRUE(state->get_playlist("master:" + master_token)) << "master record lost";
  ASSERT_EQ(body.at("VideoPlaylist").size(), 3u);
  for (const auto& v : body.at("VideoPlaylist")) {
    EXPECT_TRUE(state->get_playlist(v.at("Token").get<std::string>())) << "record of " << v.at("URI") << " lost";
    const std::string path = v.at("URI").get<std::string>().substr(7);  // file://
    std::ifstream f(path);
    std::stringstream text;
    text << f.rdbuf();
    EXPECT_NE(text.str().find("#EXT-X-ENDLIST"), std::string::npos) << path << " lost or cut";
  }
  std::ifstream m(dir.path + "/media/out/killed/master.m3u8");
  std::stringstream master;
  master << m.rdbuf();
  EXPECT_NE(master.str().find("#EXT-X-STREAM-INF"), std::string::npos) << "master.m3u8 lost or cut";
  Catalog catalog({"media"}, state_catalog_store(state, false), CatalogOptions{});
  CatalogEntry e = catalog.resolve("media/out/killed/master.m3u8");
  ASSERT_EQ(e.kind, CatalogEntry::text_file) << "the master is not in the catalog's index";
  EXPECT_EQ(*e.text, master.str());
  for (const auto& entry : fs::directory_iterator(dir.path + "/media/out/killed"))
    EXPECT_EQ(entry.path().filename().string().find(".hlsfs-tmp-"), std::string::npos) << "left: " << entry.path();
}

// One fsync of the state per request (was one per playlist record: four
// for three renditions and a master), and the files through the store's
// batch (written unsynced, one flush).
TEST(GenerateDurability, OneSyncedStateWritePerRequest) {
  TempDir dir;
  ASSERT_TRUE(make_clip(dir.path + "/media/clip.mp4"));
  auto svc = services(dir.path);
  ASSERT_TRUE(svc->backend("media")->defers_sync());
  ASSERT_EQ(generate_playlist(*svc, request(dir.path, "first")).status, 200);  // probes: unsynced source write
  const int64_t before = svc->state->write_stats().wal_syncs;
  GenerateOutcome again = generate_playlist(*svc, request(dir.path, "second"));
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(svc->state->write_stats().wal_syncs - before, 1);
  EXPECT_TRUE(fs::exists(dir.path + "/media/out/second/master.m3u8"));
  EXPECT_TRUE(fs::exists(dir.path + "/media/out/second/64p.m3u8"));
}

}  // namespace
}  // namespace hlsfs
