// The rules of reads and writes shared by the object operations (object_support.hpp): Range,
// conditional requests (RFC 7232 with S3's combinations, HTTP dates) and conditional writes.
#include <chrono>
#include <cmath>

#include "core/trim.hpp"
#include "core/text.hpp"
#include "core/timefmt.hpp"
#include "s3/errors.hpp"
#include "s3/object_support.hpp"

namespace awan::s3 {

namespace {
std::string_view trim(std::string_view s) { return text::trim_blanks(s); }

// Decimal digits only; a value past 2^64-1 saturates.
bool parse_digits(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  out = 0;
  bool overflow = false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    auto d = static_cast<uint64_t>(c - '0');
    if (!overflow && out > (UINT64_MAX - d) / 10) overflow = true;
    if (!overflow) out = out * 10 + d;
  }
  if (overflow) out = UINT64_MAX;
  return true;
}

AwsError invalid_range(std::string_view header, uint64_t size) {
  return errors::with({"InvalidRange", "The requested range is not satisfiable", 416},
                      {{"ActualObjectSize", std::to_string(size)}, {"RangeRequested", std::string(header)}});
}

// ---- entity tags ----

// The opaque part of one entity tag: W/ and the quotes removed.
std::string_view opaque_tag(std::string_view t) {
  t = trim(t);
  if (t.size() >= 2 && (t[0] == 'W' || t[0] == 'w') && t[1] == '/') t = trim(t.substr(2));
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
  return t;
}

// ---- dates ----

constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";

int month_number(std::string_view m) {
  if (m.size() != 3) return 0;
  for (int i = 0; i < 12; ++i)
    if (kMonths.substr(static_cast<size_t>(i) * 3, 3) == m) return i + 1;
  return 0;
}

bool number(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// "08:49:37"
bool clock_time(std::string_view s, int& h, int& mi, int& sec) {
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && number(s.substr(0, 2), h) && number(s.substr(3, 2), mi) &&
         number(s.substr(6, 2), sec) && h <= 23 && mi <= 59 && sec <= 60;
}

std::optional<int64_t> civil_seconds(int y, int mo, int d, int h, int mi, int sec) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto days = sys_days{ymd}.time_since_epoch().count();
  return static_cast<int64_t>(days) * 86400 + h * 3600 + mi * 60 + sec;
}

// Splits on runs of spaces into `out`; N + 1 when there are more than N fields.
template <size_t N>
size_t split_spaces(std::string_view s, std::string_view (&out)[N]) {
  size_t n = 0;
  while (!s.empty()) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (s.empty()) break;
    size_t end = s.find(' ');
    if (n == N) return N + 1;
    out[n++] = s.substr(0, end);
    s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  }
  return n;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<int64_t> parse_rfc850(std::string_view s) {
  std::string_view f[4];
  if (split_spaces(s, f) != 4 || !f[0].ends_with(",") || f[3] != "GMT") return std::nullopt;
  std::string_view date = f[1];
  if (date.size() != 9 || date[2] != '-' || date[6] != '-') return std::nullopt;
  int d = 0, yy = 0, h = 0, mi = 0, sec = 0;
  int mo = month_number(date.substr(3, 3));
  if (!number(date.substr(0, 2), d) || !mo || !number(date.substr(7, 2), yy) || !clock_time(f[2], h, mi, sec))
    return std::nullopt;
  return civil_seconds(yy < 70 ? 2000 + yy : 1900 + yy, mo, d, h, mi, sec);
}

// "Sun Nov  6 08:49:37 1994"
std::optional<int64_t> parse_asctime(std::string_view s) {
  std::string_view f[5];
  if (split_spaces(s, f) != 5 || f[0].size() != 3) return std::nullopt;
  int d = 0, y = 0, h = 0, mi = 0, sec = 0;
  int mo = month_number(f[1]);
  if (!mo || f[2].size() > 2 || !number(f[2], d) || f[4].size() != 4 || !number(f[4], y) ||
      !clock_time(f[3], h, mi, sec))
    return std::nullopt;
  return civil_seconds(y, mo, d, h, mi, sec);
}

int64_t whole_seconds(double t) { return static_cast<int64_t>(std::floor(t)); }

std::optional<int64_t> to_seconds(std::optional<timefmt::time_point> t) {
  if (!t) return std::nullopt;
  return whole_seconds(timefmt::epoch_seconds(*t));
}

// ---- members ----

std::optional<std::string> text(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> when(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end()) return std::nullopt;
  if (it->is_number()) return whole_seconds(it->get<double>());
  if (it->is_string()) return parse_condition_date(it->get<std::string>());
  return std::nullopt;
}

AwsError not_implemented_header(const std::string& header) {
  return errors::with({"NotImplemented", "A header you provided implies functionality that is not implemented", 501},
                      {{"Header", header},
                       {"additionalMessage", "We don't accept the provided value of " + header + " header for this API"}});
}

// The members and the names of a read's or a copy source's conditions.
struct Conditions {
  const char* if_match;
  const char* if_none_match;
  const char* if_modified_since;
  const char* if_unmodified_since;
};
constexpr Conditions kReadMembers{"IfMatch", "IfNoneMatch", "IfModifiedSince", "IfUnmodifiedSince"};
constexpr Conditions kReadNames{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"};
constexpr Conditions kCopyMembers{"CopySourceIfMatch", "CopySourceIfNoneMatch", "CopySourceIfModifiedSince",
                                  "CopySourceIfUnmodifiedSince"};
constexpr Conditions kCopyNames{"x-amz-copy-source-If-Match", "x-amz-copy-source-If-None-Match",
                                "x-amz-copy-source-If-Modified-Since", "x-amz-copy-source-If-Unmodified-Since"};

// The evaluation both share; for a copy source, what would be a 304 is a 412.
void check_conditions(const json& in, const ObjectRow& o, const Conditions& member, const Conditions& name,
                      bool copy) {
  const int64_t modified = whole_seconds(o.modified);
  auto if_match = text(in, member.if_match);
  auto unmodified_since = when(in, member.if_unmodified_since);
  if (if_match) {
    if (!etag_list_matches(*if_match, o.etag)) throw errors::precondition_failed(name.if_match);
  } else if (unmodified_since && modified > *unmodified_since) {
    throw errors::precondition_failed(name.if_unmodified_since);
  }
  auto if_none = text(in, member.if_none_match);
  auto modified_since = when(in, member.if_modified_since);
  const char* not_modified_by = nullptr;
  if (if_none) {
    if (etag_list_matches(*if_none, o.etag)) not_modified_by = name.if_none_match;
  } else if (modified_since && modified <= *modified_since) {
    not_modified_by = name.if_modified_since;
  }
  if (!not_modified_by) return;
  if (copy) throw errors::precondition_failed(not_modified_by);
  throw AwsError("NotModified", "Not Modified", 304);
}
}  // namespace

// ---------------------------------------------------------------- Range

RangeResult resolve_range(std::string_view header, uint64_t size) {
  RangeResult out;
  std::string_view s = trim(header);
  constexpr std::string_view kUnit = "bytes";
  if (s.size() < kUnit.size() || text::ascii_lower(s.substr(0, kUnit.size())) != kUnit) return out;
  s = trim(s.substr(kUnit.size()));
  if (s.empty() || s.front() != '=') return out;
  s = trim(s.substr(1));
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) return out;
  std::string_view a = s.substr(0, dash), b = s.substr(dash + 1);
  uint64_t first = 0, last = UINT64_MAX;
  if (a.empty()) {  // suffix: the last n bytes
    uint64_t n = 0;
    if (!parse_digits(b, n)) return out;
    if (n == 0) {
      out.error = invalid_range(header, size);
    } else if (size > 0) {
      out.range = ByteRange{n >= size ? 0 : size - n, size - 1};
    }
    return out;
  }
  if (!parse_digits(a, first)) return out;
  if (!b.empty() && (!parse_digits(b, last) || first > last)) return out;
  if (first >= size) {
    out.error = invalid_range(header, size);
    return out;
  }
  out.range = ByteRange{first, last >= size ? size - 1 : last};
  return out;
}

std::string content_range(uint64_t first, uint64_t last, uint64_t size) {
  return "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size);
}

// ---------------------------------------------------------------- conditions

bool etag_list_matches(std::string_view list, std::string_view etag) {
  const std::string_view mine = opaque_tag(etag);
  while (true) {
    size_t comma = list.find(',');
    std::string_view tag = opaque_tag(list.substr(0, comma));
    if (tag == "*" || (!tag.empty() && tag == mine)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

std::optional<int64_t> parse_condition_date(std::string_view date) {
  std::string_view s = trim(date);
  if (s.empty() || s.size() > 64) return std::nullopt;
  if (auto t = to_seconds(timefmt::parse_http_date(s))) return t;
  if (auto t = parse_rfc850(s)) return t;
  if (auto t = parse_asctime(s)) return t;
  if (s.front() >= '0' && s.front() <= '9') return to_seconds(timefmt::parse_iso8601(s));
  return std::nullopt;
}

void check_read_conditions(const json& in, const ObjectRow& object) {
  check_conditions(in, object, kReadMembers, kReadNames, false);
}

void check_copy_conditions(const json& in, const ObjectRow& source) {
  check_conditions(in, source, kCopyMembers, kCopyNames, true);
}

void check_write_conditions(const json& in, const ObjectRow* current) {
  auto if_none = text(in, "IfNoneMatch");
  auto if_match = text(in, "IfMatch");
  if (if_none && trim(*if_none) != "*") throw not_implemented_header("If-None-Match");
  if (if_none && if_match) throw not_implemented_header("If-Match");
  if (if_none && current) throw errors::precondition_failed("If-None-Match");
  if (if_match) {
    if (!current) throw errors::no_such_key(in.value("Key", ""));
    if (!etag_list_matches(*if_match, current->etag)) throw errors::precondition_failed("If-Match");
  }
}

}  // namespace awan::s3
