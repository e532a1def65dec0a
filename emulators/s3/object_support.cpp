// Write metadata, checksum claims and payload hashing shared by the object and multipart
// operations (object_support.hpp).
#include "s3/object_support.hpp"

#include <openssl/evp.h>

#include "core/crypto.hpp"
#include "s3/errors.hpp"

namespace awan::s3 {

namespace {
constexpr ChecksumAlgorithm kAlgorithms[] = {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c,
                                             ChecksumAlgorithm::Crc64Nvme, ChecksumAlgorithm::Sha1,
                                             ChecksumAlgorithm::Sha256};
// The content headers a write stores and a read returns, by member name.
constexpr const char* kContentMembers[] = {"ContentType",     "CacheControl", "ContentDisposition",
                                           "ContentEncoding", "ContentLanguage", "Expires",
                                           "WebsiteRedirectLocation"};
}  // namespace

std::string checksum_member(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::Crc32: return "ChecksumCRC32";
    case ChecksumAlgorithm::Crc32c: return "ChecksumCRC32C";
    case ChecksumAlgorithm::Crc64Nvme: return "ChecksumCRC64NVME";
    case ChecksumAlgorithm::Sha1: return "ChecksumSHA1";
    case ChecksumAlgorithm::Sha256: return "ChecksumSHA256";
  }
  return "";
}

ChecksumClaim checksum_claim(const json& in, const RequestContext& ctx, std::optional<ChecksumAlgorithm> fallback) {
  ChecksumClaim claim;
  int given = 0;
  for (ChecksumAlgorithm a : kAlgorithms) {
    auto it = in.find(checksum_member(a));
    if (it == in.end() || !it->is_string()) continue;
    ++given;
    claim.algorithm = a;
    claim.value = it->get<std::string>();
  }
  for (const auto& [name, value] : ctx.trailers) {
    if (auto a = checksum_from_header(name)) {
      ++given;
      claim.algorithm = a;
      claim.value = value;
      claim.trailing = true;
    }
  }
  if (given > 1)
    throw errors::invalid_request("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  if (auto named = in.find("ChecksumAlgorithm"); named != in.end() && named->is_string()) {
    auto a = checksum_from_name(named->get<std::string>());
    if (!a)
      throw errors::invalid_argument("Value for x-amz-sdk-checksum-algorithm header is invalid.",
                                     "x-amz-sdk-checksum-algorithm", named->get<std::string>());
    if (claim.algorithm && *claim.algorithm != *a)
      throw errors::invalid_request("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    if (!claim.algorithm) claim.algorithm = a;
  }
  if (!claim.algorithm) claim.algorithm = fallback;
  return claim;
}

// ---------------------------------------------------------------- hashing

struct PayloadHasher::Impl {
  EVP_MD_CTX* md5 = nullptr;
  EVP_MD_CTX* sha256 = nullptr;
  std::optional<Checksummer> checksum;
  ~Impl() {
    if (md5) EVP_MD_CTX_free(md5);
    if (sha256) EVP_MD_CTX_free(sha256);
  }
};

PayloadHasher::PayloadHasher(std::optional<ChecksumAlgorithm> algorithm, bool sha256) : impl_(std::make_unique<Impl>()) {
  impl_->md5 = EVP_MD_CTX_new();
  if (!impl_->md5 || EVP_DigestInit_ex(impl_->md5, EVP_md5(), nullptr) != 1) throw errors::internal();
  if (sha256) {
    impl_->sha256 = EVP_MD_CTX_new();
    if (!impl_->sha256 || EVP_DigestInit_ex(impl_->sha256, EVP_sha256(), nullptr) != 1) throw errors::internal();
  }
  if (algorithm) impl_->checksum.emplace(*algorithm);
}

PayloadHasher::~PayloadHasher() = default;

void PayloadHasher::update(std::string_view chunk) {
  EVP_DigestUpdate(impl_->md5, chunk.data(), chunk.size());
  if (impl_->sha256) EVP_DigestUpdate(impl_->sha256, chunk.data(), chunk.size());
  if (impl_->checksum) impl_->checksum->update(chunk);
}

void PayloadHasher::finish() {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->md5, buf, &n);
  md5_.assign(reinterpret_cast<const char*>(buf), n);
  if (impl_->sha256) {
    EVP_DigestFinal_ex(impl_->sha256, buf, &n);
    sha256_ = crypto::hex(std::string_view(reinterpret_cast<const char*>(buf), n));
  }
  if (impl_->checksum) checksum_ = impl_->checksum->base64();
}

std::string PayloadHasher::md5_hex() const { return crypto::hex(md5_); }

void verify_payload(const json& in, const ChecksumClaim& claim, const PayloadHasher& h, const RequestContext& ctx) {
  if (auto it = in.find("ContentMD5"); it != in.end() && it->is_string()) {
    std::string given = it->get<std::string>();
    auto raw = crypto::base64_decode(given);
    if (!raw || raw->size() != 16) throw errors::invalid_digest(given);
    if (*raw != h.md5_raw()) throw errors::bad_digest_md5(given, crypto::base64_encode(h.md5_raw()));
  }
  if (claim.algorithm && !claim.value.empty()) {
    if (auto err = check_checksum(*claim.algorithm, claim.value, h.checksum(), claim.trailing)) throw *err;
  }
  if (!ctx.payload_sha256.empty() && !h.sha256_hex().empty() && ctx.payload_sha256 != h.sha256_hex())
    throw errors::content_sha256_mismatch(ctx.payload_sha256, h.sha256_hex());
}

// "bucket/key?versionId=v" (optionally with a leading '/', URL-encoded) of x-amz-copy-source.
CopySource parse_copy_source(const std::string& raw) {
  std::string s = raw;
  std::string version;
  if (auto q = s.find("?versionId="); q != std::string::npos) {
    version = s.substr(q + 11);
    s = s.substr(0, q);
  }
  if (!s.empty() && s.front() == '/') s.erase(0, 1);
  std::string decoded;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto byte = crypto::unhex(s.substr(i + 1, 2));
      if (!byte) throw errors::invalid_argument("Invalid copy source encoding", "x-amz-copy-source", raw);
      decoded += *byte;
      i += 2;
    } else {
      decoded += s[i];
    }
  }
  auto slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size())
    throw errors::invalid_argument("Invalid copy source object key", "x-amz-copy-source", raw);
  return {decoded.substr(0, slash), decoded.substr(slash + 1), version};
}

json owner_of(const std::string& account) {
  return {{"DisplayName", "awan"}, {"ID", errors::canonical_id(account)}};
}

// ---------------------------------------------------------------- metadata

json write_metadata(const json& in) {
  json meta = json::object();
  for (const char* m : kContentMembers)
    if (auto it = in.find(m); it != in.end() && !it->is_null()) meta[m] = *it;
  if (!meta.contains("ContentType")) meta["ContentType"] = "binary/octet-stream";
  if (auto it = in.find("Metadata"); it != in.end() && it->is_object() && !it->empty()) meta["Metadata"] = *it;
  std::string storage = in.value("StorageClass", "STANDARD");
  static const char* kClasses[] = {"STANDARD",   "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                                   "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS",
                                   "GLACIER_IR", "SNOW",     "EXPRESS_ONEZONE"};
  bool known = false;
  for (const char* c : kClasses) known = known || storage == c;
  if (!known) throw AwsError("InvalidStorageClass", "The storage class you specified is not valid", 400);
  meta["StorageClass"] = storage;
  meta["ServerSideEncryption"] = in.value("ServerSideEncryption", "AES256");
  if (auto it = in.find("SSEKMSKeyId"); it != in.end()) meta["SSEKMSKeyId"] = *it;
  if (auto it = in.find("ACL"); it != in.end()) meta["ACL"] = *it;
  return meta;
}

void metadata_to_output(const json& meta, json& out) {
  for (const char* m : kContentMembers)
    if (auto it = meta.find(m); it != meta.end()) out[m] = *it;
  if (auto it = meta.find("Metadata"); it != meta.end()) out["Metadata"] = *it;
  std::string storage = meta.value("StorageClass", "STANDARD");
  if (storage != "STANDARD") out["StorageClass"] = storage;  // S3 omits the header for STANDARD
  out["ServerSideEncryption"] = meta.value("ServerSideEncryption", "AES256");
  if (auto it = meta.find("SSEKMSKeyId"); it != meta.end()) out["SSEKMSKeyId"] = *it;
}

void checksum_to_output(const json& checksum, json& out) {
  if (!checksum.is_object()) return;
  auto a = checksum_from_name(checksum.value("Algorithm", ""));
  if (!a) return;
  out[checksum_member(*a)] = checksum.value("Value", "");
  out["ChecksumType"] = checksum.value("Type", "FULL_OBJECT");
}

}  // namespace awan::s3
