#include "dynamodb/cbor.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace awan::dynamodb {

namespace {

using json = nlohmann::json;

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
};

bool read_uint(Reader& r, uint8_t info, uint64_t& n) {
  if (info < 24) {
    n = info;
    return true;
  }
  int bytes = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
  if (bytes == 0 || r.end - r.p < bytes) return false;
  n = 0;
  for (int i = 0; i < bytes; ++i) n = (n << 8) | *r.p++;
  return true;
}

bool read_value(Reader& r, json& out, int depth) {
  if (r.p >= r.end || depth > 512) return false;
  const uint8_t b = *r.p++;
  const uint8_t major = b >> 5, info = b & 31;
  uint64_t n = 0;
  switch (major) {
    case 0:
      if (!read_uint(r, info, n)) return false;
      out = n;
      return true;
    case 1:
      if (!read_uint(r, info, n) || n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
      out = -1 - static_cast<int64_t>(n);
      return true;
    case 3:
      if (!read_uint(r, info, n) || static_cast<uint64_t>(r.end - r.p) < n) return false;
      out = std::string(reinterpret_cast<const char*>(r.p), n);
      r.p += n;
      return true;
    case 4: {
      if (!read_uint(r, info, n) || static_cast<uint64_t>(r.end - r.p) < n) return false;
      out = json::array();
      auto& arr = out.get_ref<json::array_t&>();
      arr.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        arr.emplace_back();
        if (!read_value(r, arr.back(), depth + 1)) return false;
      }
      return true;
    }
    case 5: {
      if (!read_uint(r, info, n) || static_cast<uint64_t>(r.end - r.p) < n) return false;
      out = json::object();
      auto& obj = out.get_ref<json::object_t&>();
      for (uint64_t i = 0; i < n; ++i) {
        if (r.p >= r.end || (*r.p >> 5) != 3) return false;  // text keys only
        uint8_t kinfo = *r.p++ & 31;
        uint64_t klen = 0;
        if (!read_uint(r, kinfo, klen) || static_cast<uint64_t>(r.end - r.p) < klen) return false;
        auto [it, inserted] = obj.emplace(std::string(reinterpret_cast<const char*>(r.p), klen), json());
        r.p += klen;
        if (!inserted) return false;
        if (!read_value(r, it->second, depth + 1)) return false;
      }
      return true;
    }
    case 7:
      switch (b) {
        case 0xf4: out = false; return true;
        case 0xf5: out = true; return true;
        case 0xf6: out = nullptr; return true;
        case 0xfa: {
          if (r.end - r.p < 4) return false;
          uint32_t bits = 0;
          for (int i = 0; i < 4; ++i) bits = (bits << 8) | *r.p++;
          float f;
          std::memcpy(&f, &bits, sizeof f);
          out = static_cast<double>(f);
          return true;
        }
        case 0xfb: {
          if (r.end - r.p < 8) return false;
          uint64_t bits = 0;
          for (int i = 0; i < 8; ++i) bits = (bits << 8) | *r.p++;
          double d;
          std::memcpy(&d, &bits, sizeof d);
          out = d;
          return true;
        }
        default:
          return false;
      }
    default:  // byte strings, tags
      return false;
  }
}

}  // namespace

json decode_cbor(std::string_view data) {
  const auto* begin = reinterpret_cast<const uint8_t*>(data.data());
  Reader r{begin, begin + data.size()};
  json out;
  if (read_value(r, out, 0) && r.p == r.end) return out;
  return json::from_cbor(begin, begin + data.size());
}

}  // namespace awan::dynamodb
