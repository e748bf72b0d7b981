// Prometheus metrics: counters, gauges and fixed-bucket histograms, rendered
// in the text exposition format 0.0.4 for GET /metrics. A library of its own
// below the actors, the FUSE adapter and the HTTP server (the standard library
// only): whoever records a metric does not link whoever serves it.
//
// Registering (get-or-create by name + labels) takes a lock and is meant for
// start-up; keep the returned reference, it stays valid for the registry's
// life. Updating is lock-free (relaxed atomics), cheap enough for the FUSE
// hot path:
//
//   auto& lookups = registry.counter("hlsfs_fuse_requests_total", "FUSE requests by operation.", {{"op", "lookup"}});
//   lookups.inc();
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hlsfs {

// The Content-Type of render()'s text.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Label names and values of one series, in the order they are rendered.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<uint64_t> value_{0};  // own cache line: no false sharing between hot counters
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d);
  void sub(double d) { add(-d); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<double> value_{0};
};

// Buckets are upper bounds (inclusive, "le"), strictly increasing; +Inf is
// implicit. A NaN observation is ignored.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; last = above every bound
  std::atomic<double> sum_{0};
};

// Observes the seconds from construction to destruction:
//   { HistogramTimer t(transcode_seconds); encode(...); }
class HistogramTimer {
 public:
  explicit HistogramTimer(Histogram& h) : h_(h), start_(std::chrono::steady_clock::now()) {}
  ~HistogramTimer() { h_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()); }
  HistogramTimer(const HistogramTimer&) = delete;
  HistogramTimer& operator=(const HistogramTimer&) = delete;

 private:
  Histogram& h_;
  std::chrono::steady_clock::time_point start_;
};

// Prometheus' default buckets, in seconds: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10.
std::vector<double> default_seconds_buckets();

class MetricsRegistry {
 public:
  // Get or create. The first registration of a name fixes its type and help;
  // using a name again with another type (or a histogram with other buckets)
  // throws std::logic_error; a bad name throws std::invalid_argument.
  Counter& counter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  // A gauge read at render time (e.g. the cache size, the queue depth). It
  // runs on the thread that renders, without the registry's lock; it must be
  // thread-safe. Registering the same name + labels again replaces it. A
  // callback that throws leaves its line out of that render.
  void gauge_callback(const std::string& name, const std::string& help, std::function<double()> read,
                      const MetricLabels& labels = {});
  // A counter read at render time, for totals kept elsewhere (the kernel's
  // CPU time of the process). Same rules as gauge_callback; the value must
  // never go down.
  void counter_callback(const std::string& name, const std::string& help, std::function<double()> read,
                        const MetricLabels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const std::vector<double>& buckets,
                       const MetricLabels& labels = {});

  // Labels every series carries when rendered, first (a cluster node's
  // node="a"); no series may use these names itself.
  void set_constant_labels(const MetricLabels& labels);

  // Every metric, families sorted by name, series by labels.
  std::string render() const;

 private:
  struct Series {
    std::string labels;  // rendered without braces: op="lookup"
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::shared_ptr<std::function<double()>> read;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string type;  // counter, gauge, histogram
    std::string help;
    std::vector<double> buckets;
    std::map<std::string, Series> series;
  };
  Series& series(const std::string& name, const std::string& type, const std::string& help, const MetricLabels& labels,
                 const std::vector<double>* buckets);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::string constant_labels_;  // rendered, without braces
};

}  // namespace hlsfs
