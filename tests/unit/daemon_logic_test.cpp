// Pure logic of the daemon: routing URIs to stores, the catalog behind the
// mount, the transcoder's queue, the configuration file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "actors/playlist/catalog.h"
#include "actors/segment_cache/recent_segments.h"
#include "actors/playlist/playlist_service.h"
#include "actors/storage/store_router.h"
#include "actors/transcoder/job_queue.h"
#include "daemon/config/config.h"
#include "daemon/config/reload.h"

using namespace hlsfs;

TEST(StoreRouter, LongestLocalRootWinsAndEscapesAreRefused) {
  StoreRouter r;
  r.add_local("media", "/srv/media");
  r.add_local("hot", "/srv/media/hot/");
  r.add_bucket("cloud", "s3", "videos", "lib");
  auto a = r.locate("file:///srv/media/movies/a.mp4");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->store, "media");
  EXPECT_EQ(a->key, "movies/a.mp4");
  auto b = r.locate("file:///srv/media/hot/b.mkv");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->store, "hot");
  EXPECT_EQ(b->key, "b.mkv");
  auto c = r.locate("s3://videos/lib/x/y.mp4");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->store, "cloud");
  EXPECT_EQ(c->key, "x/y.mp4");
  EXPECT_FALSE(r.locate("file:///srv/mediax/a.mp4"));
  EXPECT_FALSE(r.locate("file:///srv/media/../etc/passwd"));
  EXPECT_FALSE(r.locate("file:///srv/media/a//b.mp4"));
  EXPECT_FALSE(r.locate("oss://videos/lib/x.mp4"));
  EXPECT_EQ(*r.uri_of({"media", "out/a.m3u8"}), "file:///srv/media/out/a.m3u8");
}

TEST(Catalog, SegmentNamesParseStrictly) {
  std::string tok(32, 'a');
  auto s = Catalog::parse_segment_name("720p-x-" + tok + "-12.ts");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prefix, "720p-x");
  EXPECT_EQ(s->token, tok);
  EXPECT_EQ(s->index, 12u);
  EXPECT_FALSE(Catalog::parse_segment_name("720p-" + tok + "-012.ts"));  // one spelling per segment
  EXPECT_FALSE(Catalog::parse_segment_name("720p-" + tok + "-1.tsx"));
  EXPECT_FALSE(Catalog::parse_segment_name("720p-" + std::string(32, 'g') + "-1.ts"));
  EXPECT_FALSE(Catalog::parse_segment_name(tok + "-1.ts"));
}

TEST(Catalog, ResolvesPlaylistsDirectoriesAndSegments) {
  Catalog c({"media", "empty"});
  auto r = std::make_shared<PublishedRendition>();
  r->spec.target_uri = "file:///srv/media/out/movie/720p";
  r->spec.token = std::string(32, 'b');
  r->spec.plan = SegmentPlan(Rational{1, 25}, {0, 50, 100, 150});
  r->store = "media";
  r->dir = "out/movie/";
  c.publish(r, "#EXTM3U\n");
  c.publish_text("media", "out/master.m3u8", "#EXTM3U master\n");
  EXPECT_EQ(c.resolve("").kind, CatalogEntry::directory);
  EXPECT_EQ(c.resolve("media").kind, CatalogEntry::directory);
  EXPECT_EQ(c.resolve("empty").kind, CatalogEntry::directory);
  EXPECT_EQ(c.resolve("media/out").kind, CatalogEntry::directory);
  EXPECT_EQ(c.resolve("media/out/movie").kind, CatalogEntry::directory);
  auto pl = c.resolve("media/out/movie/720p.m3u8");
  ASSERT_EQ(pl.kind, CatalogEntry::text_file);
  EXPECT_EQ(*pl.text, "#EXTM3U\n");
  auto seg = c.resolve("media/out/movie/720p-" + r->spec.token + "-2.ts");
  ASSERT_EQ(seg.kind, CatalogEntry::segment_file);
  EXPECT_EQ(seg.segment, 2u);
  EXPECT_EQ(c.resolve("media/out/movie/720p-" + r->spec.token + "-3.ts").kind, CatalogEntry::none);  // past the end
  EXPECT_EQ(c.resolve("media/out/720p-" + r->spec.token + "-1.ts").kind, CatalogEntry::none);        // wrong dir
  EXPECT_EQ(c.resolve("media/out/movie/480p-" + r->spec.token + "-1.ts").kind, CatalogEntry::none);  // wrong prefix
  EXPECT_EQ(c.resolve("media/nothing").kind, CatalogEntry::none);
  auto root = c.list("");
  ASSERT_EQ(root.size(), 2u);
  auto out = c.list("media/out");
  ASSERT_EQ(out.size(), 2u);  // movie/ and master.m3u8
  EXPECT_EQ(c.renditions_in("media/out/movie").size(), 1u);
  EXPECT_EQ(c.by_token(r->spec.token), r);
}

TEST(JobQueue, PriorityOrderDedupeAndUpgrade) {
  JobQueue q;
  EXPECT_TRUE(q.push({"t", 5}, Priority::initial));
  EXPECT_TRUE(q.push({"t", 3}, Priority::prefetch));
  EXPECT_TRUE(q.push({"t", 9}, Priority::on_demand));
  EXPECT_FALSE(q.push({"t", 9}, Priority::prefetch));  // queued at a higher priority already
  EXPECT_TRUE(q.push({"t", 5}, Priority::on_demand));  // upgraded: a reader asks
  auto a = q.pop();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first.segment, 9u);
  auto b = q.pop();
  EXPECT_EQ(b->first.segment, 5u);
  EXPECT_EQ(b->second, Priority::on_demand);
  EXPECT_FALSE(q.push({"t", 5}, Priority::on_demand));  // running: one job per segment
  EXPECT_TRUE(q.is_running({"t", 5}));
  q.finish({"t", 5});
  EXPECT_FALSE(q.is_running({"t", 5}));
  EXPECT_EQ(q.pop()->first.segment, 3u);
  EXPECT_FALSE(q.pop());
}

TEST(JobQueue, ASeekDropsThePrefetchOfTheOldPosition) {
  JobQueue q;
  for (uint32_t i = 1; i <= 4; ++i) q.push({"t", i}, Priority::prefetch);
  q.push({"t", 2}, Priority::on_demand);
  q.push({"u", 1}, Priority::prefetch);
  auto dropped = q.drop_prefetch_outside("t", 20, 23);
  EXPECT_EQ(dropped.size(), 3u);           // 1, 3, 4 (2 is a reader's now)
  EXPECT_TRUE(q.is_queued({"t", 2}));
  EXPECT_TRUE(q.is_queued({"u", 1}));      // other playlists keep theirs
  EXPECT_EQ(q.depth(), 2u);
}

TEST(JobQueue, SiblingsAreTakenTogetherAndBecomeRunning) {
  JobQueue q;
  q.push({"hi", 0}, Priority::on_demand);
  q.push({"mid", 0}, Priority::on_demand);
  q.push({"lo", 0}, Priority::initial);
  q.push({"lo", 1}, Priority::on_demand);
  q.push({"sd", 0}, Priority::on_demand);
  auto lead = q.pop();
  ASSERT_TRUE(lead);
  EXPECT_EQ(lead->first.token, "hi");
  auto same_segment_and_priority = [](const JobKey& k, Priority p) {
    return k.segment == 0 && p == Priority::on_demand;
  };
  auto taken = q.take_queued(same_segment_and_priority, 5);
  ASSERT_EQ(taken.size(), 2u);  // mid and sd, in queue order; not lo/1 (segment), not lo/0 (priority)
  EXPECT_EQ(taken[0].token, "mid");
  EXPECT_EQ(taken[1].token, "sd");
  EXPECT_TRUE(q.is_running({"mid", 0}));
  EXPECT_FALSE(q.is_queued({"mid", 0}));
  EXPECT_FALSE(q.push({"mid", 0}, Priority::on_demand));  // running: a reader waits for it
  EXPECT_EQ(q.depth(), 2u);
  EXPECT_EQ(q.take_queued([](const JobKey&, Priority) { return true; }, 1).size(), 1u);  // the limit
  EXPECT_EQ(q.depth(), 1u);
  q.finish({"mid", 0});
  EXPECT_FALSE(q.is_running({"mid", 0}));
}

TEST(Catalog, WebVttSegmentNamesParse) {
  std::string tok(32, 'b');
  auto s = Catalog::parse_segment_name("master_sub0-" + tok + "-3.vtt");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->prefix, "master_sub0");
  EXPECT_EQ(s->index, 3u);
  EXPECT_FALSE(Catalog::parse_segment_name("master_sub0-" + tok + "-3.vt"));
}

TEST(Config, ParsesTheDocumentedKeysAndRefusesTypos) {
  Config c = parse_config(R"(
mount: /srv/hlsfs/
state_dir: /var/lib/hlsfs
cache_dir: /var/cache/hlsfs
control: {socket: /run/hlsfs/control.sock, listen: 127.0.0.1:9479}
metrics: {listen: 127.0.0.1:9480}
transcoder: {workers: 3, preset: faster, prefetch_segments: 4}
stores:
  media: {plugin: local, root: /srv/media/}
)", "test.yaml");
  EXPECT_EQ(c.mount, "/srv/hlsfs");
  EXPECT_EQ(c.workers, 3);
  EXPECT_EQ(c.preset, "faster");
  EXPECT_EQ(c.prefetch_segments, 4);
  EXPECT_EQ(c.control_listen.port, 9479);
  ASSERT_EQ(c.stores.size(), 1u);
  EXPECT_EQ(c.stores[0].options.at("root"), "/srv/media");
  auto err = [](const std::string& yaml) -> std::string {
    try {
      parse_config(yaml, "f.yaml");
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(err("mount: /m\nstores: {m: {plugin: local, root: /x}}\ntranscodr: {}\n"), "f.yaml: transcodr: unknown key");
  EXPECT_EQ(err("stores: {m: {plugin: local, root: /x}}\ntranscoder: {workers: 0}\n"),
            "f.yaml: transcoder.workers: must be between 1 and 64");
  EXPECT_EQ(err("stores: {m: {plugin: local, root: x}}\n"),
            "f.yaml: stores.m.root: a local store needs an absolute root directory");
  EXPECT_EQ(err("mount: /m\n"), "f.yaml: stores: needs at least one store, e.g. media: {plugin: local, root: /srv/media}");
  EXPECT_NE(err("stores: [\n"), "");
  EXPECT_EQ(err("stores: {m: {plugin: local, root: /x}}\ntranscoder: {preset: turbo}\n"),
            "f.yaml: transcoder.preset: unknown x264 preset \"turbo\"");
}

TEST(Config, CacheSection) {
  Config c = parse_config("cache: {max_bytes: 20GiB, max_idle: 7d, high_water: 0.9, low_water: 0.5}\n"
                          "stores: {m: {plugin: local, root: /x}}\n", "f.yaml");
  EXPECT_EQ(c.cache_max_bytes, 20LL << 30);
  EXPECT_EQ(c.cache_max_idle_ms, 7LL * 86400000);
  EXPECT_DOUBLE_EQ(c.cache_low_water, 0.5);
  try {
    parse_config("cache: {max_bytes: lots}\nstores: {m: {plugin: local, root: /x}}\n", "f.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("f.yaml: cache.max_bytes:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_config("cache: {high_water: 0.5, low_water: 0.8}\nstores: {m: {plugin: local, root: /x}}\n", "f"),
               ConfigError);
}

// Found by tests/fuzz (config_fuzz): YAML that parses but holds what no key
// can be (a list or a mapping as a key, a mapping as a plugin_dir), and
// numbers no double holds, are ConfigErrors naming the file and the key, not
// yaml-cpp's "bad conversion" or std::out_of_range escaping parse_config.
TEST(Config, OddYamlIsAConfigErrorNamingTheKey) {
  const std::string stores = "stores: {m: {plugin: local, root: /x}}\n";
  auto err = [](const std::string& yaml) -> std::string {
    try {
      parse_config(yaml, "f.yaml");
    } catch (const ConfigError& e) {
      return e.what();
    } catch (const std::exception& e) {
      return std::string("not a ConfigError: ") + e.what();
    }
    return "(accepted)";
  };
  auto starts = [](const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; };
  EXPECT_PRED2(starts, err(stores + "? [a, b]\n: 1\n"), "f.yaml: ");
  EXPECT_PRED2(starts, err(stores + "cache: {{x: 1}: 2}\n"), "f.yaml: cache");
  EXPECT_PRED2(starts, err("stores: {[m]: {plugin: local, root: /x}}\n"), "f.yaml: stores");
  EXPECT_PRED2(starts, err("stores: {m: {plugin: local, root: /x, [k]: v}}\n"), "f.yaml: stores.m");
  EXPECT_PRED2(starts, err(stores + "plugin_dir: [{a: b}]\n"), "f.yaml: plugin_dir");
  EXPECT_PRED2(starts, err(stores + "cache: {max_bytes: 1" + std::string(400, '0') + "}\n"), "f.yaml: cache.max_bytes: ");
  EXPECT_PRED2(starts, err(stores + "cache: {max_idle: 1" + std::string(400, '0') + "d}\n"), "f.yaml: cache.max_idle: ");
  EXPECT_NE(err(stores + "cache: {gc_interval: .}\n").find("\".\""), std::string::npos) << err(stores + "cache: {gc_interval: .}\n");
}

TEST(Config, RemoteCopiesExpireByStoreOrByTheCacheDefault) {
  Config c = parse_config("cache: {remote_max_age: 30d}\n"
                          "stores: {m: {plugin: local, root: /x},\n"
                          "  s3: {plugin: s3, bucket: b},\n"
                          "  keep: {plugin: s3, bucket: k, remote_max_age: 0},\n"
                          "  oss: {plugin: oss, bucket: o, remote_max_age: 2h}}\n", "f.yaml");
  EXPECT_EQ(c.cache_remote_max_age_ms, 30LL * 86400000);
  EXPECT_EQ(c.store("oss")->remote_max_age_ms, 7200000);
  EXPECT_EQ(c.store("oss")->options.count("remote_max_age"), 0u);  // hlsfsd's key, not the plugin's
  Tunables t = tunables_of(c);
  EXPECT_EQ(t.remote_max_age_ms, (std::map<std::string, int64_t>{{"oss", 7200000}, {"s3", 30LL * 86400000}}));
  auto err = [](const std::string& yaml) {
    try {
      parse_config(yaml, "f.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err("stores: {m: {plugin: local, root: /x, remote_max_age: 1d}}\n"),
            "f.yaml: stores.m.remote_max_age: applies to object stores (s3, oss), not to a local store");
  EXPECT_NE(err("stores: {s: {plugin: s3, bucket: b, remote_max_age: soon}}\n").find("stores.s.remote_max_age"),
            std::string::npos);
  // Both change live on SIGHUP.
  Config d = parse_config("stores: {m: {plugin: local, root: /x},\n  s3: {plugin: s3, bucket: b},\n"
                          "  keep: {plugin: s3, bucket: k, remote_max_age: 1h},\n"
                          "  oss: {plugin: oss, bucket: o, remote_max_age: 2h}}\n", "f.yaml");
  ReloadPlan p = plan_reload(c, d);
  EXPECT_EQ(p.applied, (std::vector<std::string>{"cache.remote_max_age", "stores.*.remote_max_age"}));
  EXPECT_TRUE(p.need_restart.empty());
  EXPECT_EQ(tunables_of(with_live_changes(c, d)).remote_max_age_ms,
            (std::map<std::string, int64_t>{{"keep", 3600000}, {"oss", 7200000}}));
}

TEST(Config, ReloadAppliesLiveKeysAndNamesTheRest) {
  const std::string stores = "stores: {m: {plugin: local, root: /x}}\n";
  Config a = parse_config("log: {level: info}\ncache: {max_bytes: 1GiB}\ntranscoder: {workers: 2}\n" + stores, "f");
  Config b = parse_config("log: {level: debug}\ncache: {max_bytes: 2GiB, max_idle: 1h}\n"
                          "transcoder: {workers: 4, prefetch_segments: 5}\nsigning: {secret: 0123456789abcdefXYZ}\n" +
                              stores, "f");
  ReloadPlan p = plan_reload(a, b);
  EXPECT_EQ(p.applied, (std::vector<std::string>{"log.level", "cache.max_bytes", "cache.max_idle",
                                                 "transcoder.prefetch_segments"}));
  EXPECT_EQ(p.need_restart, std::vector<std::string>{"transcoder.workers"});
  EXPECT_EQ(p.for_nginx, std::vector<std::string>{"signing.secret"});
  Config now = with_live_changes(a, b);
  EXPECT_EQ(now.workers, 2);  // still the running pool
  EXPECT_EQ(now.cache_max_bytes, 2LL << 30);
  Tunables t = tunables_of(now);
  EXPECT_EQ(t.prefetch_segments, 5);
  EXPECT_EQ(t.gc.max_idle_ms, 3600000);
  // A later reload still reports the pending restart, and nothing else.
  ReloadPlan again = plan_reload(now, b);
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.need_restart, std::vector<std::string>{"transcoder.workers"});
  EXPECT_TRUE(plan_reload(a, a).applied.empty());
}

TEST(InitialTranscode, SegmentsCoveringTheFirstSeconds) {
  RenditionSpec r;
  r.plan = SegmentPlan(Rational{1, 25}, {0, 50, 100, 150, 400, 650, 900});  // 0,2,4,6,16,26,36 s
  EXPECT_EQ(initial_segment_count(r, 0), 0u);
  EXPECT_EQ(initial_segment_count(r, 6), 3u);
  EXPECT_EQ(initial_segment_count(r, 7), 4u);  // a segment cut by the limit is made whole
  EXPECT_EQ(initial_segment_count(r, 36), 6u);
  EXPECT_EQ(initial_segment_count(r, -1), 6u);
  EXPECT_EQ(initial_segment_count(r, 1000), 6u);
}

TEST(RecentSegments, BoundedRingReadAfterAnIdAndByToken) {
  RecentSegments r(3);
  for (uint32_t n = 0; n < 5; ++n) r.add(SegmentEvent{0, 1000 + n, n % 2 ? "odd" : "even", n, 0.5, 100, 1, "on-demand", {}, ""});
  auto all = r.after(0);
  ASSERT_EQ(all.size(), 3u);  // the oldest two fell out
  EXPECT_EQ(all.front().n, 2u);
  EXPECT_EQ(all.back().id, 5u);
  auto later = r.after(3);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later.front().id, 4u);
  auto odd = r.after(0, "odd");
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_EQ(odd[0].n, 3u);
  EXPECT_TRUE(r.after(5).empty());
}

// Anyone who can read a secret of hlsfs.yaml can sign URLs for every video
// or read and overwrite the object stores: with any secret in it, the file
// must be neither readable by every user nor writable by its group.
TEST(Config, AnySecretNeedsAFileOthersCannotRead) {
  char dir[] = "/tmp/hlsfs-config-test.XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/hlsfs.yaml";
  auto load_with = [&](const std::string& yaml, mode_t mode) -> std::string {
    std::ofstream(path) << yaml;
    chmod(path.c_str(), mode);
    try {
      load_config(path);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  const std::string local = "stores: {m: {plugin: local, root: /x}}\n";
  const std::string s3 = "stores: {m: {plugin: local, root: /x},\n"
                         "  s3: {plugin: s3, bucket: b, access_key_id: AKIA, secret_access_key: hunter2}}\n";
  std::string err = load_with(s3, 0644);
  EXPECT_NE(err.find("stores.s3.secret_access_key"), std::string::npos) << err;
  EXPECT_NE(err.find("chmod 640 " + path), std::string::npos) << err;
  EXPECT_NE(load_with(s3, 0620), "") << "group-writable";
  EXPECT_NE(load_with(s3, 0602), "") << "world-writable";
  EXPECT_EQ(load_with(s3, 0640), "");
  EXPECT_EQ(load_with(s3, 0600), "");
  err = load_with("stores: {o: {plugin: oss, bucket: b, access_key_id: LTAI, access_key_secret: x,"
                  " security_token: t}}\n", 0604);
  EXPECT_NE(err.find("stores.o.access_key_secret"), std::string::npos) << err;
  EXPECT_NE(err.find("stores.o.security_token"), std::string::npos) << err;
  EXPECT_NE(load_with("stores: {s: {plugin: s3, bucket: b, session_token: t}}\n", 0644).find("stores.s.session_token"),
            std::string::npos);
  err = load_with("signing: {secret: 0123456789abcdefXYZ}\n" + local, 0644);
  EXPECT_NE(err.find("signing.secret"), std::string::npos) << err;
  // No secret: nothing to hide (the access key id alone signs nothing).
  EXPECT_EQ(load_with("stores: {s: {plugin: s3, bucket: b, access_key_id: AKIA}}\n", 0644), "");
  EXPECT_EQ(load_with(local, 0644), "");
  unlink(path.c_str());
  rmdir(dir);
}
