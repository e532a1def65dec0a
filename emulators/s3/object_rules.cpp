// The rules of reads and writes shared by the object operations (object_support.hpp): Range,
// conditional requests (RFC 7232 with S3's combinations), conditional writes, and COMPOSITE
// multipart checksums.
#include <charconv>

#include "core/crypto.hpp"
#include "s3/errors.hpp"
#include "s3/object_support.hpp"

namespace awan::s3 {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view bare_etag(std::string_view e) {
  e = trim(e);
  if (e.substr(0, 2) == "W/") e.remove_prefix(2);
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

// An If-Match / If-None-Match list ("a", "b" or *) against the object's ETag.
bool etag_matches(std::string_view list, std::string_view etag) {
  if (trim(list) == "*") return true;
  std::string_view mine = bare_etag(etag);
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    if (bare_etag(list.substr(pos, comma - pos)) == mine) return true;
    pos = comma + 1;
  }
  return false;
}

std::optional<std::string> text(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<double> when(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

bool parse_u64(std::string_view s, uint64_t& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

AwsError not_modified() { return {"NotModified", "Not Modified", 304}; }
}  // namespace

std::optional<std::pair<uint64_t, uint64_t>> requested_range(const json& in, uint64_t size) {
  auto header = text(in, "Range");
  if (!header) return std::nullopt;
  std::string_view r = trim(*header);
  // Anything but one well-formed byte range is ignored: the whole object is sent.
  if (r.substr(0, 6) != "bytes=" || r.find(',') != std::string_view::npos) return std::nullopt;
  r.remove_prefix(6);
  size_t dash = r.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view a = trim(r.substr(0, dash)), b = trim(r.substr(dash + 1));
  uint64_t first = 0, last = 0;
  auto unsatisfiable = [&]() {
    return errors::with({"InvalidRange", "The requested range is not satisfiable", 416},
                        {{"ActualObjectSize", std::to_string(size)}, {"RangeRequested", *header}});
  };
  if (a.empty()) {  // suffix: the last N bytes
    uint64_t n = 0;
    if (!parse_u64(b, n)) return std::nullopt;
    if (n == 0 || size == 0) throw unsatisfiable();
    first = n >= size ? 0 : size - n;
    last = size - 1;
    return std::make_pair(first, last);
  }
  if (!parse_u64(a, first)) return std::nullopt;
  if (b.empty()) {
    last = size ? size - 1 : 0;
  } else if (!parse_u64(b, last) || last < first) {
    return std::nullopt;
  }
  if (first >= size) throw unsatisfiable();
  if (last >= size) last = size - 1;
  return std::make_pair(first, last);
}

void check_read_conditions(const json& in, const ObjectRow& object) {
  auto if_match = text(in, "IfMatch");
  auto if_none = text(in, "IfNoneMatch");
  auto unmodified_since = when(in, "IfUnmodifiedSince");
  auto modified_since = when(in, "IfModifiedSince");
  // If-Match decides over If-Unmodified-Since, If-None-Match over If-Modified-Since.
  if (if_match) {
    if (!etag_matches(*if_match, object.etag)) throw errors::precondition_failed("If-Match");
  } else if (unmodified_since && object.modified > *unmodified_since) {
    throw errors::precondition_failed("If-Unmodified-Since");
  }
  if (if_none) {
    if (etag_matches(*if_none, object.etag)) throw not_modified();
  } else if (modified_since && object.modified <= *modified_since) {
    throw not_modified();
  }
}

void check_copy_conditions(const json& in, const ObjectRow& source) {
  auto if_match = text(in, "CopySourceIfMatch");
  auto if_none = text(in, "CopySourceIfNoneMatch");
  auto unmodified_since = when(in, "CopySourceIfUnmodifiedSince");
  auto modified_since = when(in, "CopySourceIfModifiedSince");
  if (if_match) {
    if (!etag_matches(*if_match, source.etag)) throw errors::precondition_failed("x-amz-copy-source-If-Match");
  } else if (unmodified_since && source.modified > *unmodified_since) {
    throw errors::precondition_failed("x-amz-copy-source-If-Unmodified-Since");
  }
  if (if_none) {
    if (etag_matches(*if_none, source.etag)) throw errors::precondition_failed("x-amz-copy-source-If-None-Match");
  } else if (modified_since && source.modified <= *modified_since) {
    throw errors::precondition_failed("x-amz-copy-source-If-Modified-Since");
  }
}

void check_write_conditions(const json& in, const ObjectRow* current) {
  if (auto if_none = text(in, "IfNoneMatch")) {
    if (trim(*if_none) != "*")
      throw errors::with({"NotImplemented", "A header you provided implies functionality that is not implemented", 501},
                         {{"Header", "If-None-Match"}});
    if (current) throw errors::precondition_failed("If-None-Match");
  }
  if (auto if_match = text(in, "IfMatch")) {
    if (!current) throw errors::no_such_key(in.value("Key", ""));
    if (!etag_matches(*if_match, current->etag)) throw errors::precondition_failed("If-Match");
  }
}

std::string composite_checksum(ChecksumAlgorithm a, const std::vector<std::string>& part_checksums) {
  std::string raw;
  for (const std::string& c : part_checksums) raw += crypto::base64_decode(c).value_or("");
  return checksum_base64(a, raw) + "-" + std::to_string(part_checksums.size());
}

}  // namespace awan::s3
