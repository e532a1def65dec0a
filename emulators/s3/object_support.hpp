#pragma once
// What the object and multipart operations share: the stored metadata of a write (content
// headers, user metadata, storage class, tags, checksum) and its output members, the checksum
// a request asks for, the one-pass hashing of a payload (MD5, its checksum, SHA-256), multipart
// ETags and checksums, and the rules of reads and writes (Range, conditions) in object_rules.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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
  // Takes the digests the HTTP layer computed while the body arrived (a whole spooled file's,
  // PayloadFile::digests) when they include every digest this hasher needs: then nothing is to be
  // fed and finish() does nothing. False otherwise.
  bool adopt(const Payload& payload);
  void finish();
  const std::string& md5_raw() const { return md5_; }
  std::string md5_hex() const;
  const std::string& checksum() const { return checksum_; }  // base64, "" without algorithm
  const std::string& sha256_hex() const { return sha256_; }  // "" unless asked

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string md5_, checksum_, sha256_;
  bool adopted_ = false;
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

// ---- checksums of multipart uploads (object_support.cpp) ----
enum class ChecksumType : uint8_t { Composite, FullObject };
std::optional<ChecksumType> checksum_type_from_name(std::string_view name);  // "COMPOSITE", "FULL_OBJECT"
std::string checksum_type_name(ChecksumType t);
// CRC64NVME -> FULL_OBJECT; the others -> COMPOSITE.
ChecksumType default_checksum_type(ChecksumAlgorithm a);
// FULL_OBJECT: CRC32, CRC32C, CRC64NVME. COMPOSITE: CRC32, CRC32C, SHA1, SHA256.
bool supports_checksum_type(ChecksumAlgorithm a, ChecksumType t);
// CreateMultipartUpload's algorithm and type: a type without an algorithm, or a pair S3 does not
// support, is InvalidRequest with S3's message.
std::optional<AwsError> validate_checksum_type(std::optional<ChecksumAlgorithm> a, std::optional<ChecksumType> t);
// The ETag of a completed upload, unquoted: hex MD5 of the concatenated binary part MD5s, "-N".
// Part ETags are hex MD5s, quoted or not; nullopt when one is not.
std::optional<std::string> multipart_etag(std::span<const std::string> part_etags);
// COMPOSITE: the checksum of the concatenated raw part digests (base64 given), "<base64>-N";
// nullopt when a part checksum is not a digest of the algorithm.
std::optional<std::string> composite_checksum(ChecksumAlgorithm a, std::span<const std::string> part_checksums);
struct PartChecksum {
  std::string checksum_base64;
  uint64_t size = 0;
};
// FULL_OBJECT: the CRC of the whole object combined from the part CRCs and sizes, base64 (no
// suffix), without reading the bytes again; nullopt for SHA1 / SHA256 and a malformed part.
std::optional<std::string> full_object_checksum(ChecksumAlgorithm a, std::span<const PartChecksum> parts);
// crc(A + B) from crc(A), crc(B) and the length of B.
uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);
uint64_t crc64nvme_combine(uint64_t crc_a, uint64_t crc_b, uint64_t length_b);

// ---- object_rules.cpp ----
// A GetObject / HeadObject Range header resolved against the object's size.
struct ByteRange {
  uint64_t first = 0;  // inclusive
  uint64_t last = 0;   // inclusive
  uint64_t length() const { return last - first + 1; }
  bool operator==(const ByteRange&) const = default;
};
struct RangeResult {
  std::optional<ByteRange> range;  // 206 Partial Content
  std::optional<AwsError> error;   // 416 InvalidRange
  // Neither: 200 with the whole object.
};
//   "bytes=a-b" -> [a, min(b, size-1)]; "bytes=a-" -> [a, size-1]; "bytes=-n" -> the last n
//   bytes (all of them when n >= size); numbers past 2^64-1 saturate;
//   not one well-formed byte range (another unit, a list, a > b, garbage) -> ignored;
//   a >= size, or "bytes=-0" -> InvalidRange {"ActualObjectSize", "RangeRequested"} (the codec
//   adds Content-Range: bytes */size);
//   an empty object: "bytes=-n" (n > 0) is the whole, empty, object with 200.
RangeResult resolve_range(std::string_view header, uint64_t size);
// "bytes 0-99/1000" (Content-Range of a 206).
std::string content_range(uint64_t first, uint64_t last, uint64_t size);

// Conditional requests. Dates are IfModifiedSince / IfUnmodifiedSince members: epoch seconds
// as the codec decoded them, or the header's text when it could not (RFC 850 and asctime dates
// are read here; any other text is ignored, as S3 ignores it). Last-Modified compares in whole
// seconds.
// GetObject / HeadObject (RFC 7232 section 6): If-Match false -> 412; otherwise, without
// If-Match, If-Unmodified-Since false -> 412; If-None-Match false (a listed ETag matches, or
// "*") -> 304 NotModified; otherwise, without If-None-Match, If-Modified-Since false -> 304.
void check_read_conditions(const json& in, const ObjectRow& object);
// x-amz-copy-source-if-* of CopyObject / UploadPartCopy: the same order, but every failure is
// 412, naming x-amz-copy-source-If-Match ... in the Condition.
void check_copy_conditions(const json& in, const ObjectRow& source);
// IfNoneMatch / IfMatch of PutObject / CompleteMultipartUpload against the key's current
// version (null when none or a delete marker): If-None-Match other than "*", or both headers,
// -> 501 NotImplemented; "*" and an object -> 412; If-Match and no object -> NoSuchKey;
// If-Match not matching -> 412.
void check_write_conditions(const json& in, const ObjectRow* current);
// An entity-tag list ("\"a\", W/\"b\", c" or "*") against an ETag, quoted or not: strong and
// weak forms compare by the opaque tag; empty members are skipped.
bool etag_list_matches(std::string_view list, std::string_view etag);
// An HTTP date (RFC 1123, RFC 850, asctime) or ISO 8601, as epoch seconds; nullopt otherwise.
std::optional<int64_t> parse_condition_date(std::string_view text);

}  // namespace awan::s3
