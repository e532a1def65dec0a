#include "protocol/json_parse.hpp"

#include <cstdint>
#include <cstring>

#include <simdjson.h>

namespace awan::protocol {

namespace {

constexpr size_t kFastMax = 64 * 1024;  // larger bodies go to the worker pool and to nlohmann

// What the fast path must leave to nlohmann (see the header).
bool declined(std::string_view body) {
  if (body.size() > kFastMax) return true;
  for (size_t i = 0; i < body.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c < 0x20) return true;
    if (c == '\\' && i + 1 < body.size() && body[i + 1] == 'u') return true;
    if (c == '-' && i + 1 < body.size() && body[i + 1] == '0') return true;
  }
  return false;
}

// simdjson's DOM to nlohmann's, typed as nlohmann's parser types them (non-negative integers are
// unsigned; a duplicate key keeps its last value). Depth is bounded by the caller's check.
bool convert(simdjson::dom::element e, nlohmann::json& out) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      out = nlohmann::json::object();
      for (auto field : simdjson::dom::object(e)) {
        if (!convert(field.value, out[std::string(field.key)])) return false;
      }
      return true;
    }
    case element_type::ARRAY: {
      out = nlohmann::json::array();
      for (auto v : simdjson::dom::array(e)) {
        out.push_back(nullptr);
        if (!convert(v, out.back())) return false;
      }
      return true;
    }
    case element_type::STRING:
      out = std::string(std::string_view(e));
      return true;
    case element_type::INT64: {
      int64_t v = int64_t(e);
      if (v >= 0) out = static_cast<uint64_t>(v);
      else out = v;
      return true;
    }
    case element_type::UINT64:
      out = uint64_t(e);
      return true;
    case element_type::DOUBLE:
      out = double(e);
      return true;
    case element_type::BOOL:
      out = bool(e);
      return true;
    case element_type::NULL_VALUE:
      out = nullptr;
      return true;
  }
  return false;
}

}  // namespace

bool parse_json_fast(std::string_view body, nlohmann::json& out) {
  if (declined(body)) return false;
  // Sized once for the largest body it takes and the depth it accepts: it keeps its buffers.
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    if (p.allocate(kFastMax, kFastMaxDepth) != simdjson::SUCCESS) throw std::bad_alloc();
    return p;
  }();
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size(), true).get(root) != simdjson::SUCCESS) return false;
  nlohmann::json doc;
  if (!convert(root, doc)) return false;
  out = std::move(doc);
  return true;
}

nlohmann::json parse_json(std::string_view body) {
  nlohmann::json out;
  if (parse_json_fast(body, out)) return out;
  return nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
}

}  // namespace awan::protocol
