#pragma once
// What the object and multipart operations share: the stored metadata of a write (content
// headers, user metadata, storage class, tags, checksum) and its output members, the checksum
// a request asks for, and the one-pass hashing of a payload (MD5, its checksum, SHA-256).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"
#include "core/checksum.hpp"
#include "s3/store.hpp"

namespace awan::s3 {

using json = nlohmann::json;

// The checksum a write carries: its algorithm and, when the client sent one, the claimed value
// (from an x-amz-checksum-* header or an aws-chunked trailer).
struct ChecksumClaim {
  std::optional<ChecksumAlgorithm> algorithm;
  std::string value;      // base64, "" when the client only named the algorithm
  bool trailing = false;  // the value came from a trailer
};

// Reads the Checksum* members and the trailers; InvalidRequest for more than one. When the
// request names no algorithm, `fallback` (S3 computes CRC64NVME for every new object).
ChecksumClaim checksum_claim(const json& in, const RequestContext& ctx,
                             std::optional<ChecksumAlgorithm> fallback);
// "ChecksumCRC32" for the algorithm.
std::string checksum_member(ChecksumAlgorithm a);

// One pass over a payload: MD5 always, the claimed checksum's algorithm, SHA-256 when asked.
class PayloadHasher {
 public:
  PayloadHasher(std::optional<ChecksumAlgorithm> algorithm, bool sha256);
  ~PayloadHasher();
  PayloadHasher(const PayloadHasher&) = delete;
  PayloadHasher& operator=(const PayloadHasher&) = delete;
  void update(std::string_view chunk);
  void finish();
  const std::string& md5_raw() const { return md5_; }
  std::string md5_hex() const;
  const std::string& checksum() const { return checksum_; }  // base64, "" without algorithm
  const std::string& sha256_hex() const { return sha256_; }  // "" unless asked

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string md5_, checksum_, sha256_;
};

// Checks Content-MD5, the claimed checksum and x-amz-content-sha256 against the hashes.
void verify_payload(const json& in, const ChecksumClaim& claim, const PayloadHasher& h, const RequestContext& ctx);

// ETags as S3 writes them ("\"<hex>\"") and as GetObjectAttributes and part lists compare them.
inline std::string quoted(const std::string& hex) { return "\"" + hex + "\""; }
inline std::string unquoted(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}
// The Owner (and listing Owner) document of an account: its stable canonical id.
json owner_of(const std::string& account);

// x-amz-copy-source: "bucket/key?versionId=v", optionally with a leading '/', URL-encoded.
struct CopySource {
  std::string bucket, key, version;
};
CopySource parse_copy_source(const std::string& raw);

// The stored metadata of a PutObject / CreateMultipartUpload / CopyObject(REPLACE) request.
json write_metadata(const json& in);
// Copies the stored metadata's content headers, user metadata and storage class into an output.
void metadata_to_output(const json& meta, json& out);
// The Checksum* and ChecksumType members of a stored checksum ({"Algorithm","Value","Type"}).
void checksum_to_output(const json& checksum, json& out);

// ---- object_rules.cpp ----
// The byte range a GetObject asks for (Range), inclusive; nullopt for the whole object.
// Throws InvalidRange (416) when unsatisfiable.
std::optional<std::pair<uint64_t, uint64_t>> requested_range(const json& in, uint64_t size);
// If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since of a GET or HEAD: throws
// 304 NotModified or 412 PreconditionFailed.
void check_read_conditions(const json& in, const ObjectRow& object);
// x-amz-copy-source-if-* of CopyObject / UploadPartCopy: throws 412 PreconditionFailed.
void check_copy_conditions(const json& in, const ObjectRow& source);
// If-None-Match: * / If-Match of a write against the key's current version (null when none).
void check_write_conditions(const json& in, const ObjectRow* current);
// The COMPOSITE checksum of a completed multipart upload: the checksum of its parts' raw
// digests (base64 given), "<base64>-N".
std::string composite_checksum(ChecksumAlgorithm a, const std::vector<std::string>& part_checksums);

}  // namespace awan::s3
