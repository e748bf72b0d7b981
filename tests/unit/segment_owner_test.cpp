// The segment cache as the one owner of segment state (real RocksDB, real
// files, the real actor): a reader's open is one request answered with a
// descriptor and counted open; the GC's order to evict passes over what is
// open, and takes it once closed; sizes and directory pages come from it;
// what a job made gets its name in cache_dir from the owner only.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/messages.h"
#include "actors/playlist/catalog.h"
#include "actors/playlist/catalog_store.h"
#include "actors/segment_cache/segment_cache_actor.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/services.h"
#include "actors/storage/atomic_file.h"

using namespace hlsfs;

namespace {

class Owner : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/hlsfs-owner-test.XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl.data()));
    dir = tmpl;
    svc = std::make_shared<Services>();
    svc->cache_dir = dir + "/cache";
    svc->state = std::shared_ptr<StateStore>(StateStore::open(dir + "/state"));
    svc->segments = std::make_shared<SegmentStore>(svc->cache_dir, *svc->state);
    svc->catalog = std::make_shared<Catalog>(std::vector<std::string>{"media"}, state_catalog_store(svc->state, false),
                                             CatalogOptions{1 << 20});
    Tunables t;
    t.prefetch_segments = 0;  // no jobs: this test has no transcoder
    svc->set_tunables(t);
    auto r = std::make_shared<PublishedRendition>();
    r->spec.target_uri = "file:///srv/media/lib/t1/720p";
    r->spec.token = token;
    r->spec.plan = SegmentPlan(Rational{1, 25}, {0, 50, 100, 150});
    r->store = "media";
    r->dir = "lib/t1/";
    svc->catalog->publish(r, "#EXTM3U\n");
    write_file_atomic(svc->segments->path_of(token, 0), bytes);
    svc->segments->record(token, 0, static_cast<int64_t>(bytes.size()), "sum");
    owner = spawn_segment_cache(sys, svc, transcoder_actor{}, gc_actor{});
  }
  void TearDown() override {
    caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
    owner = nullptr;
    sys.await_all_actors_done();  // the actor holds the state: closed before its directory goes
    svc.reset();
    std::filesystem::remove_all(dir);
  }

  template <class Answer, class Request>
  Answer ask(Request request) {
    Answer out{};
    caf::scoped_actor self{sys};
    self->request(owner, std::chrono::seconds(10), std::move(request))
        .receive([&](Answer& a) { out = std::move(a); }, [&](caf::error& e) { ADD_FAILURE() << sys.render(e); });
    return out;
  }

  const std::string token = std::string(31, '0') + "2";
  const std::string bytes = std::string(3000, 's');
  std::string dir;
  std::shared_ptr<Services> svc;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  segment_cache_actor owner;
};

}  // namespace

TEST_F(Owner, AnOpenIsOneRequestAndAnOpenSegmentIsNeverEvicted) {
  OpenedSegment o = ask<OpenedSegment>(OpenSegment{token, 0});
  ASSERT_EQ(o.err, 0);
  ASSERT_GE(o.fd, 0);
  EXPECT_EQ(o.size, static_cast<int64_t>(bytes.size()));
  std::string got(bytes.size() + 1, '\0');
  EXPECT_EQ(pread(o.fd, got.data(), got.size(), 0), static_cast<ssize_t>(bytes.size()));

  // Everything must go (a free-space order larger than the cache): not what is open.
  GcReport kept = ask<GcReport>(EvictOrder{false, 1'000'000});
  EXPECT_EQ(kept.evicted, 0);
  EXPECT_EQ(kept.skipped_open, 1);
  EXPECT_TRUE(std::filesystem::exists(svc->segments->path_of(token, 0)));

  close(o.fd);
  caf::anon_send(owner, CloseSegment{token, 0});
  GcReport gone = ask<GcReport>(EvictOrder{false, 1'000'000});  // after the close: same sender, in order
  EXPECT_EQ(gone.evicted, 1);
  EXPECT_EQ(gone.freed_bytes, static_cast<int64_t>(bytes.size()));
  EXPECT_FALSE(std::filesystem::exists(svc->segments->path_of(token, 0)));
  EXPECT_EQ(svc->state->segment_count(), 0);
}

TEST_F(Owner, AnswersSizesAndErrnosForTheFuseAdapterToTranslate) {
  SegmentSize s = ask<SegmentSize>(StatSegment{token, 0});
  EXPECT_EQ(s.err, 0);
  EXPECT_EQ(s.size, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(ask<SegmentSize>(StatSegment{token, 3}).err, ENOENT);  // the plan has 3 segments: 0..2
  EXPECT_EQ(ask<OpenedSegment>(OpenSegment{std::string(32, 'f'), 0}).err, ENOENT);  // no such rendition
  // A dry run says what would go and takes nothing.
  GcReport dry = ask<GcReport>(EvictOrder{true, 1'000'000});
  EXPECT_TRUE(dry.dry_run);
  EXPECT_EQ(dry.evicted, 1);
  EXPECT_TRUE(std::filesystem::exists(svc->segments->path_of(token, 0)));
}

TEST_F(Owner, ListsADirectoryInPagesWithTheSegmentsThatExist) {
  DirPage all = ask<DirPage>(ListDirectory{"media/lib/t1", DirCursor{}, 0, 100});
  EXPECT_TRUE(all.error.empty()) << all.error;
  std::vector<std::string> names;
  for (const auto& e : all.entries) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{".", "..", "720p.m3u8", "720p-" + token + "-0.ts"}));
  // Two at a time, resumed from the last cursor; and from an offset counted from the start.
  DirPage first = ask<DirPage>(ListDirectory{"media/lib/t1", DirCursor{}, 0, 2});
  ASSERT_EQ(first.entries.size(), 2u);
  DirPage rest = ask<DirPage>(ListDirectory{"media/lib/t1", first.entries.back().after, 0, 2});
  ASSERT_EQ(rest.entries.size(), 2u);
  EXPECT_EQ(rest.entries[1].name, names[3]);
  DirPage skipped = ask<DirPage>(ListDirectory{"media/lib/t1", DirCursor{}, 3, 10});
  ASSERT_EQ(skipped.entries.size(), 1u);
  EXPECT_EQ(skipped.entries[0].name, names[3]);
}

namespace {

// Plays the transcoder's part for the owner: each job writes its segment to
// the temp area, as segment_job.cpp does, and hands the name back (err 0),
// or fails after writing part of one (a faulted job). What the owner does
// with the result is what is tested; the real transcoder's half runs in
// cache_lifecycle, daemon_playback and worker_faults.
transcoder_actor spawn_job_runner(caf::actor_system& sys, std::shared_ptr<Services> svc, std::string made,
                                  std::vector<std::string>* temps) {
  return sys.spawn([=]() -> transcoder_actor::behavior_type {
    return {
        [=](const SegmentJob& j) -> JobResult {
          const bool fault = j.n == 2;  // segment 2's job dies after writing half of it
          std::string temp = svc->segments->temp_path(j.token, j.n);
          write_file_synced(temp, fault ? made.substr(0, made.size() / 2) : made);
          temps->push_back(temp);
          if (fault) return JobResult{EIO, 0, std::string{}, 0.1, "the worker crashed (signal 11)", false, temp};
          return JobResult{0, static_cast<int64_t>(made.size()), "sum", 0.1, std::string{}, false, temp};
        },
        [](status_atom) -> std::string { return "{}"; },
    };
  });
}

std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_F(Owner, PlacesWhatAJobMadeAndAFailedJobLeavesNoNameInTheCache) {
  const std::string made = std::string(5000, 'm');
  std::vector<std::string> temps;  // touched by the job runner only while the owner waits for it
  caf::anon_send_exit(owner, caf::exit_reason::user_shutdown);
  owner = spawn_segment_cache(sys, svc, spawn_job_runner(sys, svc, made, &temps), gc_actor{});

  OpenedSegment o = ask<OpenedSegment>(OpenSegment{token, 1});
  ASSERT_EQ(o.err, 0);
  ASSERT_EQ(temps.size(), 1u);
  // The job wrote only in the temp area; the name is the owner's rename of it.
  EXPECT_EQ(temps[0].rfind(svc->cache_dir + "/.tmp/", 0), 0u) << temps[0];
  EXPECT_FALSE(std::filesystem::exists(temps[0]));
  EXPECT_EQ(o.size, static_cast<int64_t>(made.size()));
  std::string got(made.size(), '\0');
  EXPECT_EQ(pread(o.fd, got.data(), got.size(), 0), static_cast<ssize_t>(made.size()));
  EXPECT_EQ(got, made);
  close(o.fd);
  caf::anon_send(owner, CloseSegment{token, 1});
  auto rec = svc->state->get_segment(token, 1);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size, static_cast<int64_t>(made.size()));

  // A faulted job: its readers get the errno, and its half-written file is
  // gone, not placed. cache_dir holds segments 0 and 1, nothing else.
  EXPECT_EQ(ask<OpenedSegment>(OpenSegment{token, 2}).err, EIO);
  ASSERT_EQ(temps.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(temps[1]));
  EXPECT_FALSE(std::filesystem::exists(svc->segments->path_of(token, 2)));
  EXPECT_FALSE(svc->state->get_segment(token, 2));
  EXPECT_EQ(files_under(svc->cache_dir),
            (std::vector<std::string>{svc->segments->path_of(token, 0), svc->segments->path_of(token, 1)}));
}

TEST(SegmentStorePlace, RenamesOnlyFilesOfItsTempArea) {
  std::string tmpl = "/tmp/hlsfs-place-test.XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl.data()));
  const std::string dir = tmpl, token = std::string(32, 'a');
  {
    auto state = StateStore::open(dir + "/state");
    SegmentStore segments(dir + "/cache", *state);
    // Somebody else's file: refused, and left where it is.
    write_file_atomic(dir + "/cache/other", "x");
    EXPECT_THROW(segments.place(dir + "/cache/other", token, 0), std::runtime_error);
    EXPECT_TRUE(std::filesystem::exists(dir + "/cache/other"));
    EXPECT_FALSE(std::filesystem::exists(segments.path_of(token, 0)));
    // A job's file: renamed into place, its directory made.
    const std::string temp = segments.temp_path(token, 0);
    write_file_synced(temp, "segment");
    segments.place(temp, token, 0);
    EXPECT_FALSE(std::filesystem::exists(temp));
    EXPECT_EQ(read_file(segments.path_of(token, 0)), "segment");
    // Gone already (a crash's leftover was reconciled): an error naming it.
    EXPECT_THROW(segments.place(temp, token, 1), std::runtime_error);
  }
  std::filesystem::remove_all(dir);
}
