// Metric storage and the Prometheus text format 0.0.4.
#include "metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace hlsfs {

namespace {

bool valid_name(const std::string& s, bool allow_colon) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Shortest text that reads back as the same double; Prometheus spellings for the rest.
std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// A bucket's "le": spelt as Go's client spells it (%g's rule: 0.0005, not
// 5e-04), so that the same bucket has the same label here and in any
// exporter next to it.
std::string format_bound(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  return std::string(buf, res.ptr);
}

std::string escape(const std::string& s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

std::string render_labels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ',';
    out += name + "=\"" + escape(value, true) + "\"";
  }
  return out;
}

// "{inner}" or "{inner,extra}" or "{extra}" or "".
std::string braces(const std::string& inner, const std::string& extra = "") {
  if (inner.empty() && extra.empty()) return "";
  if (inner.empty()) return "{" + extra + "}";
  if (extra.empty()) return "{" + inner + "}";
  return "{" + inner + "," + extra + "}";
}

void add_double(std::atomic<double>& a, double d) {
  double old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + d, std::memory_order_relaxed)) {
  }
}

}  // namespace

void Gauge::add(double d) { add_double(value_, d); }

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i])) throw std::invalid_argument("histogram buckets must be finite (+Inf is implicit)");
    if (i > 0 && bounds_[i] <= bounds_[i - 1]) throw std::invalid_argument("histogram buckets must be strictly increasing");
  }
  counts_.reset(new std::atomic<uint64_t>[bounds_.size() + 1]);
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  // First bound >= v: "le" buckets include their upper bound.
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  add_double(sum_, v);
}

Histogram::Snapshot Histogram::snapshot() const {
  // Buckets are cumulated from one read of each counter, so +Inf and _count
  // always agree even while other threads observe; _sum may lag by a sample.
  Snapshot s;
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(total);
  }
  s.count = total;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> default_seconds_buckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

MetricsRegistry::Series& MetricsRegistry::series(const std::string& name, const std::string& type, const std::string& help,
                                                 const MetricLabels& labels, const std::vector<double>* buckets) {
  if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name \"" + name + "\"");
  for (const auto& [label, value] : labels) {
    if (!valid_name(label, false) || label.rfind("__", 0) == 0)
      throw std::invalid_argument("metric " + name + ": invalid label name \"" + label + "\"");
    if (type == "histogram" && label == "le") throw std::invalid_argument("metric " + name + ": label \"le\" is reserved for buckets");
  }
  // Caller holds mu_.
  auto [it, created] = families_.try_emplace(name);
  Family& f = it->second;
  if (created) {
    f.type = type;
    f.help = help;
    if (buckets) f.buckets = *buckets;
  } else if (f.type != type) {
    throw std::logic_error("metric " + name + " is a " + f.type + ", not a " + type);
  } else if (buckets && f.buckets != *buckets) {
    throw std::logic_error("metric " + name + " is already registered with other buckets");
  }
  std::string key = render_labels(labels);
  Series& s = f.series[key];
  s.labels = key;
  return s;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series(name, "counter", help, labels, nullptr);
  if (s.read) throw std::logic_error("metric " + name + " " + braces(s.labels) + " is read by a callback");
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series(name, "gauge", help, labels, nullptr);
  if (s.read) throw std::logic_error("metric " + name + " " + braces(s.labels) + " is read by a callback");
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

void MetricsRegistry::gauge_callback(const std::string& name, const std::string& help, std::function<double()> read,
                                     const MetricLabels& labels) {
  if (!read) throw std::invalid_argument("metric " + name + ": empty callback");
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series(name, "gauge", help, labels, nullptr);
  if (s.gauge) throw std::logic_error("metric " + name + " " + braces(s.labels) + " is already a settable gauge");
  s.read = std::make_shared<std::function<double()>>(std::move(read));
}

void MetricsRegistry::counter_callback(const std::string& name, const std::string& help, std::function<double()> read,
                                       const MetricLabels& labels) {
  if (!read) throw std::invalid_argument("metric " + name + ": empty callback");
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series(name, "counter", help, labels, nullptr);
  if (s.counter) throw std::logic_error("metric " + name + " " + braces(s.labels) + " is already a counter");
  s.read = std::make_shared<std::function<double()>>(std::move(read));
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help, const std::vector<double>& buckets,
                                      const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Histogram probe(buckets);  // validates before anything is registered
  Series& s = series(name, "histogram", help, labels, &buckets);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(buckets);
  return *s.histogram;
}

void MetricsRegistry::set_constant_labels(const MetricLabels& labels) {
  for (const auto& [label, value] : labels)
    if (!valid_name(label, false) || label.rfind("__", 0) == 0 || label == "le")
      throw std::invalid_argument("invalid constant label name \"" + label + "\"");
  std::lock_guard<std::mutex> lock(mu_);
  constant_labels_ = render_labels(labels);
}

std::string MetricsRegistry::render() const {
  // Copy what to read under the lock, then read without it: callbacks may be
  // slow or take their own locks.
  struct Item {
    std::string labels;
    const Counter* counter;
    const Gauge* gauge;
    std::shared_ptr<std::function<double()>> read;
    const Histogram* histogram;
  };
  struct Fam {
    std::string name, type, help;
    std::vector<Item> items;
  };
  std::vector<Fam> fams;
  std::string constant;
  {
    std::lock_guard<std::mutex> lock(mu_);
    constant = constant_labels_;
    for (const auto& [name, f] : families_) {
      Fam fam{name, f.type, f.help, {}};
      for (const auto& [key, s] : f.series)
        fam.items.push_back({s.labels, s.counter.get(), s.gauge.get(), s.read, s.histogram.get()});
      fams.push_back(std::move(fam));
    }
  }
  std::string out;
  for (const Fam& f : fams) {
    out += "# HELP " + f.name + " " + escape(f.help, false) + "\n";
    out += "# TYPE " + f.name + " " + f.type + "\n";
    for (const Item& it : f.items) {
      const std::string labels = constant.empty() ? it.labels : it.labels.empty() ? constant : constant + "," + it.labels;
      if (it.counter) {
        out += f.name + braces(labels) + " " + std::to_string(it.counter->value()) + "\n";
      } else if (it.gauge) {
        out += f.name + braces(labels) + " " + format_double(it.gauge->value()) + "\n";
      } else if (it.read) {
        double v;
        try {
          v = (*it.read)();
        } catch (...) {
          continue;
        }
        out += f.name + braces(labels) + " " + format_double(v) + "\n";
      } else if (it.histogram) {
        Histogram::Snapshot s = it.histogram->snapshot();
        const auto& bounds = it.histogram->bounds();
        for (size_t i = 0; i <= bounds.size(); ++i) {
          std::string le = i < bounds.size() ? format_bound(bounds[i]) : "+Inf";
          out += f.name + "_bucket" + braces(labels, "le=\"" + le + "\"") + " " + std::to_string(s.cumulative[i]) + "\n";
        }
        out += f.name + "_sum" + braces(labels) + " " + format_double(s.sum) + "\n";
        out += f.name + "_count" + braces(labels) + " " + std::to_string(s.count) + "\n";
      }
    }
  }
  return out;
}

}  // namespace hlsfs
