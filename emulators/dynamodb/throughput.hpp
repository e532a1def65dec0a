#pragma once
// --enforce-throughput: one token bucket per (table, index, read|write) of a PROVISIONED table.
// A bucket fills at the provisioned capacity units per second and holds at most kBurstSeconds
// of them (AWS keeps up to 300 s of unused capacity for bursts); a new bucket holds one second.
// A request is admitted while its bucket is not empty and is then charged what it consumed, so
// the balance may go below zero and the next requests wait for it to refill. Time is the
// service clock (epoch milliseconds), so tests drive refills with a ManualClock.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace awan::dynamodb {

class ThroughputBuckets {
 public:
  static constexpr double kBurstSeconds = 300.0;

  // Whether a request may run on the bucket of (table, index, write) provisioned at `rate`
  // capacity units per second.
  bool admit(int64_t table, const std::string& index, bool write, double rate, int64_t now_ms);
  // Takes `units` from that bucket (it may go below zero).
  void charge(int64_t table, const std::string& index, bool write, double rate, double units, int64_t now_ms);
  // Units in the bucket now (for tests and diagnostics).
  double balance(int64_t table, const std::string& index, bool write, double rate, int64_t now_ms);
  void forget(int64_t table);
  void clear() { buckets_.clear(); }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;
  };
  Bucket& refill(int64_t table, const std::string& index, bool write, double rate, int64_t now_ms);
  std::map<std::tuple<int64_t, std::string, bool>, Bucket> buckets_;
};

}  // namespace awan::dynamodb
