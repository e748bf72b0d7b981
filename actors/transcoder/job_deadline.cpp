#include "actors/transcoder/job_deadline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hlsfs {

ProgressDeadline::ProgressDeadline(std::chrono::milliseconds limit, std::string what, bool armed,
                                   Clock::time_point now)
    : limit_(limit), last_ns_(ns(now)), armed_(armed), what_(std::move(what)) {}

void ProgressDeadline::progress(Clock::time_point now) { last_ns_.store(ns(now)); }

void ProgressDeadline::arm(std::string what, Clock::time_point now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    what_ = std::move(what);
  }
  last_ns_.store(ns(now));
  armed_.store(true);
}

void ProgressDeadline::disarm() { armed_.store(false); }

void ProgressDeadline::set_what(std::string what) {
  std::lock_guard<std::mutex> lock(mu_);
  what_ = std::move(what);
}

std::string ProgressDeadline::what() const {
  std::lock_guard<std::mutex> lock(mu_);
  return what_;
}

double ProgressDeadline::idle_seconds(Clock::time_point now) const {
  return static_cast<double>(ns(now) - last_ns_.load()) / 1e9;
}

bool ProgressDeadline::over(Clock::time_point now) {
  if (expired_.load()) return true;
  if (!armed_.load() || ns(now) - last_ns_.load() <= std::chrono::nanoseconds(limit_).count()) return false;
  expire(now);
  return true;
}

void ProgressDeadline::expire(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (expired_.load()) return;
  char buf[160];
  snprintf(buf, sizeof buf, "no progress for %.1f s (limit %g s, transcoder.job_timeout)", idle_seconds(now),
           static_cast<double>(limit_.count()) / 1000.0);
  reason_ = what_.empty() ? std::string(buf) : what_ + ": " + buf;
  expired_.store(true);
}

void ProgressDeadline::check(Clock::time_point now) {
  if (over(now)) throw JobTimedOut(reason());
}

std::string ProgressDeadline::reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reason_;
}

namespace {
thread_local std::shared_ptr<ProgressDeadline> t_deadline;

int interrupt_when_over(void* opaque) { return static_cast<ProgressDeadline*>(opaque)->over() ? 1 : 0; }
}  // namespace

std::shared_ptr<ProgressDeadline> current_deadline() { return t_deadline; }

DeadlineScope::DeadlineScope(std::shared_ptr<ProgressDeadline> d) : previous_(std::move(t_deadline)) {
  t_deadline = std::move(d);
}

DeadlineScope::~DeadlineScope() { t_deadline = std::move(previous_); }

Reading::Reading(const std::string& what) : deadline_(t_deadline) {
  if (!deadline_) return;
  was_armed_ = deadline_->armed();
  previous_what_ = deadline_->what();
  if (was_armed_) deadline_->set_what(what);
  else deadline_->arm(what);
}

Reading::~Reading() {
  if (!deadline_) return;
  if (was_armed_) deadline_->set_what(previous_what_);
  else deadline_->disarm();
}

void note_progress() {
  if (t_deadline) t_deadline->progress();
}

void check_deadline() {
  if (t_deadline) t_deadline->check();
}

std::shared_ptr<ProgressDeadline> arm_interrupt(AVFormatContext* fmt) {
  if (!t_deadline || !fmt) return nullptr;
  fmt->interrupt_callback.callback = interrupt_when_over;
  fmt->interrupt_callback.opaque = t_deadline.get();
  return t_deadline;
}

std::chrono::milliseconds segment_job_limit(int64_t configured_ms, double segment_seconds) {
  if (configured_ms > 0) return std::chrono::milliseconds(configured_ms);
  if (!(segment_seconds > 0) || !std::isfinite(segment_seconds)) segment_seconds = 10;
  // At most 10 minutes: a segment however long makes progress frame by frame.
  const double seconds = std::min(10 * segment_seconds + 10, 600.0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}

std::chrono::milliseconds probe_limit(int64_t configured_ms) {
  return configured_ms > 0 ? std::chrono::milliseconds(configured_ms) : std::chrono::milliseconds(60000);
}

}  // namespace hlsfs
