#pragma once
// Token buckets for API Gateway throttling (usage plans, stage and route settings): `rate`
// requests per second on average, `burst` at once. Thread-safe; times from the caller's clock.
#include <algorithm>
#include <chrono>
#include <mutex>

namespace awan::apigateway {

class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_) {}
  // Takes a token at `now`: false when the bucket is empty (answer 429 Too Many Requests).
  bool take(std::chrono::system_clock::time_point now) {
    std::lock_guard lock(mu_);
    if (started_) {
      double elapsed = std::chrono::duration<double>(now - last_).count();
      if (elapsed > 0) tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    }
    started_ = true;
    last_ = std::max(last_, now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  void set(double rate, double burst) {
    std::lock_guard lock(mu_);
    rate_ = rate;
    burst_ = std::max(burst, 1.0);
    tokens_ = std::min(tokens_, burst_);
  }

 private:
  std::mutex mu_;
  double rate_, burst_, tokens_;
  bool started_ = false;
  std::chrono::system_clock::time_point last_{};
};

}  // namespace awan::apigateway
