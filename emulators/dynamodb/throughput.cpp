// Token buckets of --enforce-throughput (throughput.hpp).
#include "dynamodb/throughput.hpp"

#include <algorithm>

namespace awan::dynamodb {

ThroughputBuckets::Bucket& ThroughputBuckets::refill(int64_t table, const std::string& index, bool write, double rate,
                                                     int64_t now_ms) {
  auto [it, fresh] = buckets_.try_emplace({table, index, write});
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = rate;
    b.at_ms = now_ms;
    return b;
  }
  if (now_ms > b.at_ms) {
    b.tokens += rate * static_cast<double>(now_ms - b.at_ms) / 1000.0;
    b.at_ms = now_ms;
  }
  b.tokens = std::min(b.tokens, rate * kBurstSeconds);  // also when the rate was lowered
  return b;
}

bool ThroughputBuckets::admit(int64_t table, const std::string& index, bool write, double rate, int64_t now_ms) {
  return refill(table, index, write, rate, now_ms).tokens > 0;
}

void ThroughputBuckets::charge(int64_t table, const std::string& index, bool write, double rate, double units,
                               int64_t now_ms) {
  refill(table, index, write, rate, now_ms).tokens -= units;
}

double ThroughputBuckets::balance(int64_t table, const std::string& index, bool write, double rate, int64_t now_ms) {
  return refill(table, index, write, rate, now_ms).tokens;
}

void ThroughputBuckets::forget(int64_t table) {
  for (auto it = buckets_.begin(); it != buckets_.end();)
    it = std::get<0>(it->first) == table ? buckets_.erase(it) : std::next(it);
}

}  // namespace awan::dynamodb
