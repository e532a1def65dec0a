// S3 listings: ListObjects (v1), ListObjectsV2 and ListObjectVersions — prefixes, delimiters
// and common prefixes, markers and continuation tokens, encoding-type=url.
#include <climits>

#include "core/crypto.hpp"
#include "s3/errors.hpp"
#include "s3/object_support.hpp"
#include "s3/service_impl.hpp"
#include "s3/tags.hpp"

namespace awan::s3 {

namespace {
// No key contains a 0xFF byte (keys are UTF-8): cp + "\xff" follows every key under cp.
const std::string kAfterPrefix = "\xff";

struct Page {
  std::vector<ObjectRow> rows;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string last;          // the last key or common prefix returned
  std::string last_version;  // version lists: the last version returned ("" after a prefix)
};

int64_t max_keys_of(const json& in) {
  int64_t max = in.value("MaxKeys", int64_t{1000});
  if (max < 0)
    throw errors::invalid_argument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys",
                                   std::to_string(max));
  return std::min<int64_t>(max, 1000);
}

// Walks rows from `fetch(after_key, before_seq)` (ordered), folding keys with the delimiter into
// common prefixes, until `max` entries.
template <class Fetch>
Page walk(const std::string& prefix, const std::string& delimiter, std::string after, int64_t before_seq, int64_t max,
          Fetch fetch) {
  Page page;
  int64_t count = 0;
  // A marker that is itself a common prefix resumes after everything under it.
  if (!delimiter.empty() && before_seq == INT64_MIN && after.size() > prefix.size() &&
      after.compare(0, prefix.size(), prefix) == 0) {
    size_t at = after.find(delimiter, prefix.size());
    if (at != std::string::npos && at + delimiter.size() == after.size()) after += kAfterPrefix;
  }
  const size_t batch = static_cast<size_t>(std::max<int64_t>(max + 1, 100));
  while (true) {
    std::vector<ObjectRow> rows = fetch(after, before_seq, batch);
    bool jumped = false;
    for (ObjectRow& r : rows) {
      std::string cp;
      if (!delimiter.empty()) {
        size_t at = r.key.find(delimiter, prefix.size());
        if (at != std::string::npos) cp = r.key.substr(0, at + delimiter.size());
      }
      if (count == max) {
        page.truncated = true;
        return page;
      }
      ++count;
      if (!cp.empty()) {
        page.prefixes.push_back(cp);
        page.last = cp;
        page.last_version.clear();
        after = cp + kAfterPrefix;
        before_seq = INT64_MIN;
        jumped = true;
        break;
      }
      page.last = r.key;
      page.last_version = r.version;
      after = r.key;
      before_seq = r.seq;
      page.rows.push_back(std::move(r));
    }
    if (!jumped && rows.size() < batch) return page;
  }
}

std::string maybe_encode(const std::string& s, bool url) { return url ? url_encode_key(s) : s; }


json content_entry(const ObjectRow& r, bool url, bool with_owner, const std::string& account) {
  json c = {{"Key", maybe_encode(r.key, url)},
            {"LastModified", r.modified},
            {"ETag", r.etag},
            {"Size", r.size},
            {"StorageClass", r.meta.value("StorageClass", "STANDARD")}};
  if (auto ck = r.meta.find("Checksum"); ck != r.meta.end() && ck->is_object()) {
    c["ChecksumAlgorithm"] = json::array({ck->value("Algorithm", "CRC64NVME")});
    c["ChecksumType"] = ck->value("Type", "FULL_OBJECT");
  }
  if (with_owner) c["Owner"] = owner_of(account);
  return c;
}

void check_encoding(const json& in) {
  if (auto e = in.find("EncodingType"); e != in.end() && *e != "url")
    throw errors::invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", e->get<std::string>());
}

json common_prefixes(const Page& p, bool url) {
  json cps = json::array();
  for (const auto& cp : p.prefixes) cps.push_back({{"Prefix", maybe_encode(cp, url)}});
  return cps;
}
}  // namespace

Result S3Service::list_objects_v2(json& in) {
  BucketRow b = require_bucket(in);
  check_encoding(in);
  bool url = in.value("EncodingType", "") == "url";
  std::string prefix = in.value("Prefix", ""), delimiter = in.value("Delimiter", "");
  std::string start_after = in.value("StartAfter", "");
  std::string token = in.value("ContinuationToken", "");
  int64_t max = max_keys_of(in);
  std::string after = start_after;
  if (in.contains("ContinuationToken")) {
    auto raw = crypto::base64_decode(token);
    if (!raw || raw->rfind("awan1:", 0) != 0)
      throw errors::invalid_argument("The continuation token provided is incorrect", "continuation-token", token);
    after = raw->substr(6);
  }
  Page page = walk(prefix, delimiter, after, INT64_MIN, max, [&](const std::string& a, int64_t, size_t n) {
    return store_.list_latest(b.name, prefix, a, n);
  });
  bool fetch_owner = in.value("FetchOwner", false);
  json contents = json::array();
  for (const auto& r : page.rows) contents.push_back(content_entry(r, url, fetch_owner, b.account));
  json out = {{"Name", b.name},
              {"Prefix", maybe_encode(prefix, url)},
              {"MaxKeys", max},
              {"KeyCount", static_cast<int64_t>(page.rows.size() + page.prefixes.size())},
              {"IsTruncated", page.truncated}};
  if (!contents.empty()) out["Contents"] = contents;
  if (!page.prefixes.empty()) out["CommonPrefixes"] = common_prefixes(page, url);
  if (!delimiter.empty()) out["Delimiter"] = maybe_encode(delimiter, url);
  if (url) out["EncodingType"] = "url";
  if (in.contains("ContinuationToken")) out["ContinuationToken"] = token;
  if (in.contains("StartAfter")) out["StartAfter"] = maybe_encode(start_after, url);
  if (page.truncated) {
    bool cp = !page.prefixes.empty() && page.last == page.prefixes.back() && page.last_version.empty();
    out["NextContinuationToken"] = crypto::base64_encode("awan1:" + (cp ? page.last + kAfterPrefix : page.last));
  }
  return Result::ok(out);
}

Result S3Service::list_objects(json& in) {
  BucketRow b = require_bucket(in);
  check_encoding(in);
  bool url = in.value("EncodingType", "") == "url";
  std::string prefix = in.value("Prefix", ""), delimiter = in.value("Delimiter", "");
  std::string marker = in.value("Marker", "");
  int64_t max = max_keys_of(in);
  std::string after = marker;
  Page page = walk(prefix, delimiter, after, INT64_MIN, max, [&](const std::string& a, int64_t, size_t n) {
    return store_.list_latest(b.name, prefix, a, n);
  });
  json contents = json::array();
  for (const auto& r : page.rows) contents.push_back(content_entry(r, url, true, b.account));
  json out = {{"Name", b.name},
              {"Prefix", maybe_encode(prefix, url)},
              {"Marker", maybe_encode(marker, url)},
              {"MaxKeys", max},
              {"IsTruncated", page.truncated}};
  if (!contents.empty()) out["Contents"] = contents;
  if (!page.prefixes.empty()) out["CommonPrefixes"] = common_prefixes(page, url);
  if (!delimiter.empty()) out["Delimiter"] = maybe_encode(delimiter, url);
  if (url) out["EncodingType"] = "url";
  // NextMarker only with a delimiter; without one, clients resume from the last key.
  if (page.truncated && !delimiter.empty()) out["NextMarker"] = maybe_encode(page.last, url);
  return Result::ok(out);
}

Result S3Service::list_object_versions(json& in) {
  BucketRow b = require_bucket(in);
  check_encoding(in);
  bool url = in.value("EncodingType", "") == "url";
  std::string prefix = in.value("Prefix", ""), delimiter = in.value("Delimiter", "");
  std::string key_marker = in.value("KeyMarker", ""), version_marker = in.value("VersionIdMarker", "");
  int64_t max = max_keys_of(in);
  if (!version_marker.empty() && key_marker.empty())
    throw errors::invalid_argument("A version-id marker cannot be specified without a key marker.", "version-id-marker",
                                   version_marker);
  int64_t before = INT64_MIN;
  if (!version_marker.empty()) {
    auto v = store_.version(b.name, key_marker, version_marker);
    if (!v) throw errors::invalid_argument("Invalid version id specified", "version-id-marker", version_marker);
    before = v->seq;
  }
  Page page = walk(prefix, delimiter, key_marker, before, max, [&](const std::string& a, int64_t s, size_t n) {
    return store_.list_versions(b.name, prefix, a, s == INT64_MIN ? INT64_MIN : s, n);
  });
  json versions = json::array(), markers = json::array();
  for (const auto& r : page.rows) {
    json e = {{"Key", maybe_encode(r.key, url)}, {"VersionId", r.version}, {"IsLatest", r.latest},
              {"LastModified", r.modified}, {"Owner", owner_of(b.account)}};
    if (r.delete_marker) {
      markers.push_back(std::move(e));
      continue;
    }
    e["ETag"] = r.etag;
    e["Size"] = r.size;
    e["StorageClass"] = r.meta.value("StorageClass", "STANDARD");
    if (auto ck = r.meta.find("Checksum"); ck != r.meta.end() && ck->is_object()) {
      e["ChecksumAlgorithm"] = json::array({ck->value("Algorithm", "CRC64NVME")});
      e["ChecksumType"] = ck->value("Type", "FULL_OBJECT");
    }
    versions.push_back(std::move(e));
  }
  json out = {{"Name", b.name},
              {"Prefix", maybe_encode(prefix, url)},
              {"KeyMarker", maybe_encode(key_marker, url)},
              {"VersionIdMarker", version_marker},
              {"MaxKeys", max},
              {"IsTruncated", page.truncated}};
  if (!versions.empty()) out["Versions"] = versions;
  if (!markers.empty()) out["DeleteMarkers"] = markers;
  if (!page.prefixes.empty()) out["CommonPrefixes"] = common_prefixes(page, url);
  if (!delimiter.empty()) out["Delimiter"] = maybe_encode(delimiter, url);
  if (url) out["EncodingType"] = "url";
  if (page.truncated) {
    out["NextKeyMarker"] = maybe_encode(page.last, url);
    if (!page.last_version.empty()) out["NextVersionIdMarker"] = page.last_version;
  }
  return Result::ok(out);
}

}  // namespace awan::s3
