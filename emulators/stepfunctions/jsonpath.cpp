// JSONPath parsing and evaluation for Step Functions paths (see jsonpath.hpp).
#include "stepfunctions/jsonpath.hpp"

#include <cctype>
#include <charconv>

namespace awan::stepfunctions::jsonpath {

using json = nlohmann::json;

namespace {

constexpr size_t kMaxSegments = 256;
constexpr int kMaxDescentDepth = 64;

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$' || c == '@' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool parse_int(std::string_view s, long long& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

struct Parser {
  std::string_view s;
  size_t i = 0;
  std::string why;

  bool fail(std::string m) {
    why = std::move(m);
    return false;
  }

  bool bracket(Path& p) {
    ++i;  // '['
    if (i < s.size() && (s[i] == '\'' || s[i] == '"')) {
      char q = s[i++];
      std::string name;
      while (i < s.size() && s[i] != q) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        name += s[i++];
      }
      if (i >= s.size()) return fail("unterminated quoted name");
      ++i;
      if (i >= s.size() || s[i] != ']') return fail("expected ']'");
      ++i;
      Segment seg;
      seg.name = std::move(name);
      p.segments.push_back(std::move(seg));
      return true;
    }
    size_t close = s.find(']', i);
    if (close == std::string_view::npos) return fail("expected ']'");
    std::string_view body = s.substr(i, close - i);
    i = close + 1;
    Segment seg;
    if (body == "*") {
      seg.kind = Segment::Wildcard;
    } else if (body.find(':') != std::string_view::npos) {
      seg.kind = Segment::Slice;
      auto colon = body.find(':');
      auto a = body.substr(0, colon), b = body.substr(colon + 1);
      if (b.find(':') != std::string_view::npos) b = b.substr(0, b.find(':'));
      if (!a.empty()) {
        if (!parse_int(a, seg.start)) return fail("bad slice");
        seg.has_start = true;
      }
      if (!b.empty()) {
        if (!parse_int(b, seg.end)) return fail("bad slice");
        seg.has_end = true;
      }
    } else if (body.find(',') != std::string_view::npos) {
      seg.kind = Segment::Union;
      size_t start = 0;
      while (start <= body.size()) {
        size_t comma = body.find(',', start);
        auto part = body.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        long long v;
        if (!parse_int(part, v)) return fail("bad index list");
        seg.indexes.push_back(v);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else {
      seg.kind = Segment::Index;
      if (!parse_int(body, seg.index)) return fail("unsupported bracket expression");
    }
    p.segments.push_back(std::move(seg));
    return true;
  }

  bool run(Path& p) {
    if (s.empty() || s[0] != '$') return fail("a path must begin with '$'");
    i = 1;
    if (i < s.size() && s[i] == '$') {
      p.context = true;
      ++i;
    }
    while (i < s.size()) {
      if (p.segments.size() >= kMaxSegments) return fail("path too long");
      char c = s[i];
      if (c == '.') {
        ++i;
        if (i < s.size() && s[i] == '.') {
          ++i;
          Segment d;
          d.kind = Segment::Descend;
          p.segments.push_back(d);
          if (i < s.size() && s[i] == '[') {
            if (!bracket(p)) return false;
            continue;
          }
        }
        if (i < s.size() && s[i] == '*') {
          ++i;
          Segment w;
          w.kind = Segment::Wildcard;
          p.segments.push_back(w);
          continue;
        }
        size_t start = i;
        while (i < s.size() && name_char(s[i])) ++i;
        if (i == start) return fail("expected a name after '.'");
        Segment seg;
        seg.name = std::string(s.substr(start, i - start));
        p.segments.push_back(std::move(seg));
      } else if (c == '[') {
        if (!bracket(p)) return false;
      } else {
        return fail(std::string("unexpected character '") + c + "'");
      }
    }
    return true;
  }
};

void collect(const Segment* seg, const Segment* end, const json& v, std::vector<json>& out, int depth);

void descend_all(const Segment* seg, const Segment* end, const json& v, std::vector<json>& out, int depth) {
  if (depth > kMaxDescentDepth) return;
  collect(seg, end, v, out, depth + 1);
  if (v.is_object() || v.is_array())
    for (const auto& child : v) descend_all(seg, end, child, out, depth + 1);
}

void collect(const Segment* seg, const Segment* end, const json& v, std::vector<json>& out, int depth) {
  if (seg == end) {
    out.push_back(v);
    return;
  }
  switch (seg->kind) {
    case Segment::Name:
      if (v.is_object())
        if (auto it = v.find(seg->name); it != v.end()) collect(seg + 1, end, *it, out, depth);
      return;
    case Segment::Index:
      if (v.is_array()) {
        long long n = static_cast<long long>(v.size()), k = seg->index < 0 ? n + seg->index : seg->index;
        if (k >= 0 && k < n) collect(seg + 1, end, v[static_cast<size_t>(k)], out, depth);
      }
      return;
    case Segment::Wildcard:
      if (v.is_array() || v.is_object())
        for (const auto& child : v) collect(seg + 1, end, child, out, depth);
      return;
    case Segment::Slice:
      if (v.is_array()) {
        long long n = static_cast<long long>(v.size());
        long long a = seg->has_start ? seg->start : 0, b = seg->has_end ? seg->end : n;
        if (a < 0) a += n;
        if (b < 0) b += n;
        a = std::max(0LL, std::min(a, n));
        b = std::max(0LL, std::min(b, n));
        for (long long k = a; k < b; ++k) collect(seg + 1, end, v[static_cast<size_t>(k)], out, depth);
      }
      return;
    case Segment::Union:
      if (v.is_array())
        for (long long k : seg->indexes) {
          long long n = static_cast<long long>(v.size()), j = k < 0 ? n + k : k;
          if (j >= 0 && j < n) collect(seg + 1, end, v[static_cast<size_t>(j)], out, depth);
        }
      return;
    case Segment::Descend:
      descend_all(seg + 1, end, v, out, depth);
      return;
  }
}

}  // namespace

bool Path::definite() const {
  for (const auto& s : segments)
    if (s.kind != Segment::Name && s.kind != Segment::Index) return false;
  return true;
}

std::optional<Path> parse(std::string_view text, std::string* why) {
  Parser p{text, 0, {}};
  Path path;
  if (!p.run(path)) {
    if (why) *why = p.why;
    return std::nullopt;
  }
  return path;
}

bool is_reference_path(std::string_view text) {
  auto p = parse(text);
  return p && !p->context && p->definite();
}

std::optional<json> read(const Path& path, const json& input, const json& context) {
  const json& root = path.context ? context : input;
  if (path.definite()) {
    const json* v = &root;
    for (const auto& seg : path.segments) {
      if (seg.kind == Segment::Name) {
        if (!v->is_object()) return std::nullopt;
        auto it = v->find(seg.name);
        if (it == v->end()) return std::nullopt;
        v = &*it;
      } else {
        if (!v->is_array()) return std::nullopt;
        long long n = static_cast<long long>(v->size()), k = seg.index < 0 ? n + seg.index : seg.index;
        if (k < 0 || k >= n) return std::nullopt;
        v = &(*v)[static_cast<size_t>(k)];
      }
    }
    return *v;
  }
  std::vector<json> out;
  collect(path.segments.data(), path.segments.data() + path.segments.size(), root, out, 0);
  return json(std::move(out));
}

std::optional<json> read(std::string_view text, const json& input, const json& context) {
  auto p = parse(text);
  if (!p) return std::nullopt;
  return read(*p, input, context);
}

bool write(json& root, std::string_view text, json value) {
  auto p = parse(text);
  if (!p || p->context || !p->definite()) return false;
  json* v = &root;
  for (const auto& seg : p->segments) {
    if (seg.kind == Segment::Name) {
      if (v->is_null()) *v = json::object();
      if (!v->is_object()) return false;
      v = &(*v)[seg.name];
    } else {
      if (!v->is_array()) return false;
      long long n = static_cast<long long>(v->size()), k = seg.index < 0 ? n + seg.index : seg.index;
      if (k < 0 || k >= n) return false;
      v = &(*v)[static_cast<size_t>(k)];
    }
  }
  *v = std::move(value);
  return true;
}

}  // namespace awan::stepfunctions::jsonpath
