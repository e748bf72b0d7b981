// The metrics registry and its Prometheus text (exposition format 0.0.4).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "metrics/metrics.h"

using namespace hlsfs;

TEST(Metrics, RendersTheDaemonsMetricsExactly) {
  MetricsRegistry reg;
  Counter& made = reg.counter("hlsfs_segments_transcoded_total", "Segments transcoded.");
  made.inc();
  made.inc(2);
  reg.counter("hlsfs_fuse_requests_total", "FUSE requests by operation.", {{"op", "read"}}).inc();
  Counter& lookups = reg.counter("hlsfs_fuse_requests_total", "FUSE requests by operation.", {{"op", "lookup"}});
  lookups.inc(5);
  EXPECT_EQ(&lookups, &reg.counter("hlsfs_fuse_requests_total", "", {{"op", "lookup"}})) << "get-or-create";
  std::atomic<int> depth{7};
  reg.gauge_callback("hlsfs_transcode_queue_depth", "Transcode jobs waiting.", [&] { return double(depth.load()); });
  reg.gauge("hlsfs_cache_bytes", "Bytes of segments in the local cache.").set(123456789);
  Histogram& h = reg.histogram("hlsfs_segment_transcode_seconds", "Time to make one segment.", {0.5, 1, 2.5});
  h.observe(0.25);
  h.observe(1);  // "le" is inclusive
  h.observe(3);
  depth = 9;  // read at render time

  EXPECT_EQ(reg.render(),
            "# HELP hlsfs_cache_bytes Bytes of segments in the local cache.\n"
            "# TYPE hlsfs_cache_bytes gauge\n"
            "hlsfs_cache_bytes 123456789\n"
            "# HELP hlsfs_fuse_requests_total FUSE requests by operation.\n"
            "# TYPE hlsfs_fuse_requests_total counter\n"
            "hlsfs_fuse_requests_total{op=\"lookup\"} 5\n"
            "hlsfs_fuse_requests_total{op=\"read\"} 1\n"
            "# HELP hlsfs_segment_transcode_seconds Time to make one segment.\n"
            "# TYPE hlsfs_segment_transcode_seconds histogram\n"
            "hlsfs_segment_transcode_seconds_bucket{le=\"0.5\"} 1\n"
            "hlsfs_segment_transcode_seconds_bucket{le=\"1\"} 2\n"
            "hlsfs_segment_transcode_seconds_bucket{le=\"2.5\"} 2\n"
            "hlsfs_segment_transcode_seconds_bucket{le=\"+Inf\"} 3\n"
            "hlsfs_segment_transcode_seconds_sum 4.25\n"
            "hlsfs_segment_transcode_seconds_count 3\n"
            "# HELP hlsfs_segments_transcoded_total Segments transcoded.\n"
            "# TYPE hlsfs_segments_transcoded_total counter\n"
            "hlsfs_segments_transcoded_total 3\n"
            "# HELP hlsfs_transcode_queue_depth Transcode jobs waiting.\n"
            "# TYPE hlsfs_transcode_queue_depth gauge\n"
            "hlsfs_transcode_queue_depth 9\n");
}

TEST(Metrics, LabelledHistogramAndEscaping) {
  MetricsRegistry reg;
  Histogram& h = reg.histogram("x_seconds", "Line one\nback\\slash", {0.005, 0.1}, {{"store", "a\"b\\c\nd"}});
  h.observe(0.005);
  h.observe(std::nan(""));  // ignored
  EXPECT_EQ(reg.render(),
            "# HELP x_seconds Line one\\nback\\\\slash\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{store=\"a\\\"b\\\\c\\nd\",le=\"0.005\"} 1\n"
            "x_seconds_bucket{store=\"a\\\"b\\\\c\\nd\",le=\"0.1\"} 1\n"
            "x_seconds_bucket{store=\"a\\\"b\\\\c\\nd\",le=\"+Inf\"} 1\n"
            "x_seconds_sum{store=\"a\\\"b\\\\c\\nd\"} 0.005\n"
            "x_seconds_count{store=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, GaugeValuesAndCallbacks) {
  MetricsRegistry reg;
  Gauge& g = reg.gauge("g", "G.", {{"k", "v"}});
  g.set(1.5);
  g.add(2);
  g.sub(0.25);
  EXPECT_DOUBLE_EQ(g.value(), 3.25);
  reg.gauge("inf", "I.").set(std::numeric_limits<double>::infinity());
  reg.gauge_callback("nan", "N.", [] { return std::nan(""); });
  reg.gauge_callback("broken", "B.", []() -> double { throw std::runtime_error("gone"); });
  reg.gauge_callback("replaced", "R.", [] { return 1.0; });
  reg.gauge_callback("replaced", "R.", [] { return 2.0; });
  EXPECT_EQ(reg.render(),
            "# HELP broken B.\n# TYPE broken gauge\n"  // the throwing callback's line is left out
            "# HELP g G.\n# TYPE g gauge\ng{k=\"v\"} 3.25\n"
            "# HELP inf I.\n# TYPE inf gauge\ninf +Inf\n"
            "# HELP nan N.\n# TYPE nan gauge\nnan NaN\n"
            "# HELP replaced R.\n# TYPE replaced gauge\nreplaced 2\n");
}

TEST(Metrics, MisuseIsRefused) {
  MetricsRegistry reg;
  reg.counter("c_total", "C.");
  EXPECT_THROW(reg.gauge("c_total", "C."), std::logic_error);
  EXPECT_THROW(reg.counter("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(reg.counter("ok", "x", {{"bad label", "v"}}), std::invalid_argument);
  EXPECT_THROW(reg.counter("ok", "x", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(reg.histogram("h", "x", {1, 0.5}), std::invalid_argument);
  EXPECT_THROW(reg.histogram("h", "x", {1, std::numeric_limits<double>::infinity()}), std::invalid_argument);
  EXPECT_THROW(reg.histogram("h", "x", {1}, {{"le", "1"}}), std::invalid_argument);
  reg.histogram("h", "x", {1, 2});
  EXPECT_THROW(reg.histogram("h", "x", {1, 3}), std::logic_error);
  reg.gauge_callback("cb", "x", [] { return 1.0; });
  EXPECT_THROW(reg.gauge("cb", "x"), std::logic_error);
}

TEST(Metrics, ConcurrentUpdatesAreExactAndConsistent) {
  MetricsRegistry reg;
  Counter& c = reg.counter("hits_total", "Hits.", {{"op", "read"}});
  Histogram& h = reg.histogram("t_seconds", "T.", default_seconds_buckets());
  std::atomic<bool> stop{false};
  // A scraper renders while the writers run: every render must be coherent.
  std::thread scraper([&] {
    while (!stop) {
      std::string text = reg.render();
      size_t inf = text.find("t_seconds_bucket{le=\"+Inf\"} ");
      size_t count = text.find("t_seconds_count ");
      ASSERT_NE(inf, std::string::npos);
      ASSERT_NE(count, std::string::npos);
      EXPECT_EQ(std::stoull(text.substr(inf + 27)), std::stoull(text.substr(count + 16)));
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        c.inc();
        if (i % 10 == 0) h.observe(0.5);
      }
    });
  for (auto& w : writers) w.join();
  stop = true;
  scraper.join();
  EXPECT_EQ(c.value(), 800000u);
  Histogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.count, 80000u);
  EXPECT_DOUBLE_EQ(s.sum, 40000.0);
  EXPECT_NE(reg.render().find("hits_total{op=\"read\"} 800000\n"), std::string::npos);
}

TEST(Metrics, HistogramTimer) {
  MetricsRegistry reg;
  Histogram& h = reg.histogram("d_seconds", "D.", {0.001, 10});
  {
    HistogramTimer t(h);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Histogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{0, 1, 1}));
  EXPECT_GE(s.sum, 0.005);
}

TEST(Metrics, SeriesExistAtZeroFromRegistration) {
  // Registered, never updated: every line is there, at 0, so that rate()
  // and alerts see the series before its first event.
  MetricsRegistry reg;
  reg.counter("e_total", "E.", {{"errno", "EIO"}});
  reg.histogram("w_seconds", "W.", {0.1, 1}, {{"kind", "cold"}});
  EXPECT_EQ(reg.render(),
            "# HELP e_total E.\n# TYPE e_total counter\n"
            "e_total{errno=\"EIO\"} 0\n"
            "# HELP w_seconds W.\n# TYPE w_seconds histogram\n"
            "w_seconds_bucket{kind=\"cold\",le=\"0.1\"} 0\n"
            "w_seconds_bucket{kind=\"cold\",le=\"1\"} 0\n"
            "w_seconds_bucket{kind=\"cold\",le=\"+Inf\"} 0\n"
            "w_seconds_sum{kind=\"cold\"} 0\n"
            "w_seconds_count{kind=\"cold\"} 0\n");
}

TEST(Metrics, HistogramBucketsCountAtTheirBounds) {
  MetricsRegistry reg;
  Histogram& h = reg.histogram("b_seconds", "B.", {0.001, 0.5, 2});
  for (double v : {0.0, 0.001, 0.0011, 0.5, 2.0, 2.0001, 1e9, -1.0}) h.observe(v);
  EXPECT_EQ(reg.render(),
            "# HELP b_seconds B.\n# TYPE b_seconds histogram\n"
            "b_seconds_bucket{le=\"0.001\"} 3\n"  // 0, 0.001, and -1 (below every bound)
            "b_seconds_bucket{le=\"0.5\"} 5\n"
            "b_seconds_bucket{le=\"2\"} 6\n"
            "b_seconds_bucket{le=\"+Inf\"} 8\n"
            "b_seconds_sum 1000000003.5022\n"
            "b_seconds_count 8\n");
}

TEST(Metrics, CounterCallbacksRenderAsCounters) {
  MetricsRegistry reg;
  double cpu = 1.25;
  reg.counter_callback("cpu_seconds_total", "CPU.", [&] { return cpu; });
  cpu = 2.5;  // read at render time
  EXPECT_EQ(reg.render(), "# HELP cpu_seconds_total CPU.\n# TYPE cpu_seconds_total counter\ncpu_seconds_total 2.5\n");
  EXPECT_THROW(reg.counter("cpu_seconds_total", "CPU."), std::logic_error);
  EXPECT_THROW(reg.gauge_callback("cpu_seconds_total", "CPU.", [] { return 1.0; }), std::logic_error);
  reg.counter("plain_total", "P.");
  EXPECT_THROW(reg.counter_callback("plain_total", "P.", [] { return 1.0; }), std::logic_error);
  EXPECT_THROW(reg.counter_callback("empty_total", "E.", nullptr), std::invalid_argument);
}

TEST(Metrics, BucketBoundsAreSpeltAsGosClientSpellsThem) {
  MetricsRegistry reg;
  reg.histogram("s_seconds", "S.", {0.00001, 0.0005, 2.5, 1e9});
  const std::string text = reg.render();
  for (const char* le : {"le=\"1e-05\"", "le=\"0.0005\"", "le=\"2.5\"", "le=\"1e+09\""})
    EXPECT_NE(text.find(le), std::string::npos) << le << " not in\n" << text;
}
