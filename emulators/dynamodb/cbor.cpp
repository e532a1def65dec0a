// The store's CBOR reader: a fast recursive path for what to_cbor writes, nlohmann's reader
// for the rest, both behind a nesting limit.
#include "dynamodb/cbor.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace awan::dynamodb {

namespace {

using json = nlohmann::json;

// Arrays, maps and tags nest at most this deep (the store writes items of 32 M/L levels, about
// 70 CBOR levels): both readers recurse once per level.
constexpr int kMaxDepth = 256;

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
  if (r.p >= r.end || depth > kMaxDepth) return false;
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

// True when arrays, maps and tags nest deeper than `limit`, scanning without recursion. Data
// malformed before that depth is reached answers false (nlohmann's reader then says why).
bool nesting_exceeds(const uint8_t* p, const uint8_t* end, int limit) {
  constexpr uint64_t kIndefinite = std::numeric_limits<uint64_t>::max();
  std::vector<uint64_t> open;  // items still expected by each open container
  auto item_done = [&] {
    while (!open.empty() && open.back() != kIndefinite) {
      if (--open.back() > 0) return;
      open.pop_back();
    }
  };
  while (p < end) {
    const uint8_t b = *p++;
    const uint8_t major = b >> 5, info = b & 31;
    if (b == 0xff) {  // "break": closes an indefinite-length container
      if (open.empty() || open.back() != kIndefinite) return false;
      open.pop_back();
      item_done();
      continue;
    }
    uint64_t n = 0;
    bool indefinite = info == 31;
    if (info < 24) {
      n = info;
    } else if (info <= 27) {
      int bytes = 1 << (info - 24);
      if (end - p < bytes) return false;
      for (int i = 0; i < bytes; ++i) n = (n << 8) | *p++;
    } else if (!indefinite || major < 2 || major == 6) {
      return false;
    }
    uint64_t children = 0;
    switch (major) {
      case 2:
      case 3:
        if (indefinite) {
          children = kIndefinite;
        } else {
          if (static_cast<uint64_t>(end - p) < n) return false;
          p += n;
        }
        break;
      case 4: children = indefinite ? kIndefinite : n; break;
      case 5:
        if (!indefinite && n > std::numeric_limits<uint64_t>::max() / 2 - 1) return false;
        children = indefinite ? kIndefinite : 2 * n;
        break;
      case 6: children = 1; break;
      default: break;  // integers, simple values, floats (their bytes are read above)
    }
    if (children == 0) {
      item_done();
      continue;
    }
    open.push_back(children);
    if (open.size() > static_cast<size_t>(limit)) return true;
  }
  return false;
}

}  // namespace

json decode_cbor(std::string_view data) {
  const auto* begin = reinterpret_cast<const uint8_t*>(data.data());
  Reader r{begin, begin + data.size()};
  json out;
  if (read_value(r, out, 0) && r.p == r.end) return out;
  if (nesting_exceeds(begin, begin + data.size(), kMaxDepth)) throw std::runtime_error("CBOR document nested too deeply");
  return json::from_cbor(begin, begin + data.size());
}


// ---- the writer ----

namespace {

void put_head(std::string& out, uint8_t major, uint64_t n) {
  uint8_t m = static_cast<uint8_t>(major << 5);
  if (n < 24) {
    out.push_back(static_cast<char>(m | n));
    return;
  }
  int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffULL ? 4 : 8;
  out.push_back(static_cast<char>(m | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27)));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

// False when the document needs nlohmann's writer (floats, binary values).
bool put_value(std::string& out, const json& j) {
  switch (j.type()) {
    case json::value_t::object:
      put_head(out, 5, j.size());
      for (auto it = j.begin(); it != j.end(); ++it) {
        put_head(out, 3, it.key().size());
        out.append(it.key());
        if (!put_value(out, it.value())) return false;
      }
      return true;
    case json::value_t::array:
      put_head(out, 4, j.size());
      for (const auto& v : j)
        if (!put_value(out, v)) return false;
      return true;
    case json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      put_head(out, 3, s.size());
      out.append(s);
      return true;
    }
    case json::value_t::boolean:
      out.push_back(static_cast<char>(j.get<bool>() ? 0xf5 : 0xf4));
      return true;
    case json::value_t::null:
      out.push_back(static_cast<char>(0xf6));
      return true;
    case json::value_t::number_unsigned:
      put_head(out, 0, j.get<uint64_t>());
      return true;
    case json::value_t::number_integer: {
      int64_t v = j.get<int64_t>();
      if (v >= 0) put_head(out, 0, static_cast<uint64_t>(v));
      else put_head(out, 1, static_cast<uint64_t>(-(v + 1)));
      return true;
    }
    default:  // number_float, binary, discarded
      return false;
  }
}

}  // namespace

void encode_cbor(const json& doc, std::string& out) {
  out.clear();
  if (put_value(out, doc)) return;
  std::vector<uint8_t> v = json::to_cbor(doc);
  out.assign(reinterpret_cast<const char*>(v.data()), v.size());
}

}  // namespace awan::dynamodb
