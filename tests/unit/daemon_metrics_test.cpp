// The daemon's metric set: every series at 0 from the start, the handles
// recording into the rendered text, and a real store plugin's requests.
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "actors/daemon_metrics.h"
#include "actors/storage/backend.h"
#include "tests/unit/storage_test_support.h"

using namespace hlsfs;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST(DaemonMetrics, EverySeriesExistsAtZeroFromTheStart) {
  MetricsRegistry reg;
  DaemonMetrics m(reg);
  const std::string text = reg.render();
  for (const char* line : {
           "hlsfs_fuse_requests_total{op=\"lookup\"} 0",
           "hlsfs_fuse_requests_total{op=\"read\"} 0",
           "hlsfs_read_errors_total{errno=\"EIO\"} 0",
           "hlsfs_read_errors_total{errno=\"EBUSY\"} 0",
           "hlsfs_read_errors_total{errno=\"ENOENT\"} 0",
           "hlsfs_reader_wait_seconds_count{kind=\"cached\"} 0",
           "hlsfs_reader_wait_seconds_bucket{kind=\"cold\",le=\"+Inf\"} 0",
           "hlsfs_readers_refused_total 0",
           "hlsfs_segments_transcoded_total 0",
           "hlsfs_segment_failures_total 0",
           "hlsfs_segment_timeouts_total 0",
           "hlsfs_segment_transcode_seconds_count 0",
           "hlsfs_jobs_refused_total{priority=\"on-demand\",reason=\"queue_full\"} 0",
           "hlsfs_jobs_refused_total{priority=\"initial\",reason=\"stuck_jobs\"} 0",
           "hlsfs_transcode_queue_depth 0",
           "hlsfs_gc_pass_seconds_count 0",
           "hlsfs_gc_evicted_total 0",
           "hlsfs_cache_enospc_total 0",
           "hlsfs_generate_seconds_count 0",
           "hlsfs_generate_requests_total{result=\"failed\"} 0",
           "hlsfs_write_back_failures_total 0",
       })
    EXPECT_TRUE(has_line(text, line)) << line << "\nnot in:\n" << text;
  // Nothing but zeros: no series waits for an event to appear.
  std::istringstream in(text);
  int samples = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    ++samples;
    EXPECT_EQ(line.substr(line.rfind(' ')), " 0") << line;
  }
  EXPECT_GT(samples, 100);
}

TEST(DaemonMetrics, HandlesRecordIntoTheRegistry) {
  MetricsRegistry reg;
  DaemonMetrics m(reg);
  m.cache.wait(SegmentFound::cold).observe(2.5);
  m.cache.wait(SegmentFound::cached).observe(0.0002);
  for (int e : {EIO, EBUSY, ENOENT, ETIMEDOUT, ENOSPC}) m.fuse.read_error(e).inc();
  m.transcoder.refused_job(Priority::prefetch, RefusedReason::queue_full).inc();
  for (int status : {200, 400, 404, 500, 503, 504}) m.generate.result(status).inc();
  (m.fuse.*(&DaemonMetrics::Fuse::getattr))->inc();
  const std::string text = reg.render();
  for (const char* line : {
           "hlsfs_reader_wait_seconds_bucket{kind=\"cold\",le=\"2\"} 0",
           "hlsfs_reader_wait_seconds_bucket{kind=\"cold\",le=\"3\"} 1",
           "hlsfs_reader_wait_seconds_sum{kind=\"cold\"} 2.5",
           "hlsfs_reader_wait_seconds_bucket{kind=\"cached\",le=\"0.0005\"} 1",
           "hlsfs_read_errors_total{errno=\"EIO\"} 3",  // EIO, and what readers get as EIO
           "hlsfs_read_errors_total{errno=\"EBUSY\"} 1",
           "hlsfs_read_errors_total{errno=\"ENOENT\"} 1",
           "hlsfs_jobs_refused_total{priority=\"prefetch\",reason=\"queue_full\"} 1",
           "hlsfs_jobs_refused_total{priority=\"prefetch\",reason=\"stuck_jobs\"} 0",
           "hlsfs_generate_requests_total{result=\"ok\"} 1",
           "hlsfs_generate_requests_total{result=\"refused\"} 2",
           "hlsfs_generate_requests_total{result=\"failed\"} 3",
           "hlsfs_fuse_requests_total{op=\"getattr\"} 1",
       })
    EXPECT_TRUE(has_line(text, line)) << line << "\nnot in:\n" << text;
}

TEST(DaemonMetrics, StoreRequestsAreTimedAndTheirFailuresCounted) {
  hlsfs::testing::TempDir root;
  std::ofstream(root.path + "/a.txt") << "hello";
  MetricsRegistry reg;
  auto store = Backend::load({hlsfs::testing::plugin_dir()}, "local", "media", {{"root", root.path}});
  store->set_metrics(backend_metrics(reg, "media"));
  // Every operation of the store at 0 before its first request.
  EXPECT_TRUE(has_line(reg.render(), "hlsfs_backend_request_seconds_count{store=\"media\",op=\"list\"} 0"));
  EXPECT_TRUE(has_line(reg.render(), "hlsfs_backend_errors_total{store=\"media\",op=\"write\"} 0"));

  EXPECT_TRUE(store->stat("a.txt"));
  EXPECT_FALSE(store->stat("missing.txt"));  // an answer, not a failure
  EXPECT_EQ(store->read_all("a.txt"), "hello");
  EXPECT_THROW(store->read("missing.txt", 0, 10), BackendError);
  EXPECT_THROW(store->stat(std::string("a\0b", 3)), BackendError);  // refused before any request
  if (auto fd = store->open_read("a.txt")) close(*fd);
  const std::string text = reg.render();
  for (const char* line : {
           "hlsfs_backend_request_seconds_count{store=\"media\",op=\"stat\"} 3",  // two, and read_all's
           "hlsfs_backend_errors_total{store=\"media\",op=\"stat\"} 0",
           "hlsfs_backend_request_seconds_count{store=\"media\",op=\"read\"} 2",
           "hlsfs_backend_errors_total{store=\"media\",op=\"read\"} 1",
           "hlsfs_backend_request_seconds_count{store=\"media\",op=\"open\"} 1",
           "hlsfs_backend_request_seconds_count{store=\"media\",op=\"write\"} 0",
       })
    EXPECT_TRUE(has_line(text, line)) << line << "\nnot in:\n" << text;
}
