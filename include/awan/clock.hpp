#pragma once
// Injectable clock: TTL, visibility timeouts, retention and credential expiry are tested
// against a ManualClock instead of waiting.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace awan {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;

  int64_t epoch_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }
  int64_t epoch_millis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  }
  double epoch_seconds_fractional() const { return static_cast<double>(epoch_millis()) / 1000.0; }
};

class SystemClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = time_point{std::chrono::seconds(1'700'000'000)})
      : now_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count()) {}
  time_point now() const override {
    return time_point{std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds(now_ns_.load()))};
  }
  void advance(std::chrono::nanoseconds d) { now_ns_ += d.count(); }
  void set(time_point t) {
    now_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }

 private:
  std::atomic<int64_t> now_ns_;
};

}  // namespace awan
