#include "core/ids.hpp"

#include <random>

#include "core/crypto.hpp"

namespace awan::ids {

namespace {
// Per-thread fast generator seeded from the OS; ids need uniqueness, not secrecy.
std::mt19937_64& rng() {
  thread_local std::mt19937_64 gen{[] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }()};
  return gen;
}
}  // namespace

std::string uuid4() {
  uint64_t a = rng()(), b = rng()();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  // 8-4-4-4-12 hex digits written in place: one allocation per id (on every request's path).
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  auto put = [&](uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[pos++] = kHex[(v >> (4 * i)) & 15];
    }
  };
  put(a, 16);
  put(b, 16);
  return out;
}

std::string random_string(size_t n, std::string_view alphabet) {
  std::string out(n, '\0');
  std::uniform_int_distribution<size_t> dist(0, alphabet.size() - 1);
  for (auto& c : out) c = alphabet[dist(rng())];
  return out;
}

std::string random_upper_alnum(size_t n) {
  return random_string(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}

std::string iam_unique_id(std::string_view prefix) {
  return std::string(prefix) + random_upper_alnum(17);
}

}  // namespace awan::ids
