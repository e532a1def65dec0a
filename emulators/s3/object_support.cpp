// Write metadata, checksum claims, payload hashing and multipart checksums (COMPOSITE, and
// FULL_OBJECT by CRC combination) shared by the object and multipart operations
// (object_support.hpp).
#include "s3/object_support.hpp"

#include <openssl/evp.h>

#include <array>
#include <unordered_map>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "s3/errors.hpp"

namespace awan::s3 {

namespace {
constexpr ChecksumAlgorithm kAlgorithms[] = {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c,
                                             ChecksumAlgorithm::Crc64Nvme, ChecksumAlgorithm::Sha1,
                                             ChecksumAlgorithm::Sha256};
// CRC combination: crc(A + B) = crc(A) * x^(8 |B|) + crc(B) mod P, multiplied in GF(2) with the
// reflected polynomials (the top bit is x^0).
struct CrcPoly {
  uint64_t reflected;
  int width;
};
constexpr CrcPoly kCrc32{0xEDB88320ULL, 32};
constexpr CrcPoly kCrc32c{0x82F63B78ULL, 32};
constexpr CrcPoly kCrc64Nvme{0x9A6C9329AC4BC9B5ULL, 64};

uint64_t mult_mod_p(uint64_t a, uint64_t b, const CrcPoly& p) {
  uint64_t product = 0;
  for (uint64_t m = 1ULL << (p.width - 1); m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ p.reflected : b >> 1;
  }
  return product;
}

// x^(8 * bytes) mod P, from the squares x^(2^k) (k up to 67: 8 * 2^64 bits).
uint64_t x_pow_8n_mod_p(uint64_t bytes, const CrcPoly& p) {
  std::array<uint64_t, 68> powers{};
  powers[0] = 1ULL << (p.width - 2);  // x^1
  for (size_t k = 1; k < powers.size(); ++k) powers[k] = mult_mod_p(powers[k - 1], powers[k - 1], p);
  uint64_t result = 1ULL << (p.width - 1);  // x^0
  for (size_t k = 3; bytes != 0; bytes >>= 1, ++k)
    if (bytes & 1) result = mult_mod_p(powers[k], result, p);
  return result;
}

uint64_t crc_combine(uint64_t crc_a, uint64_t crc_b, uint64_t length_b, const CrcPoly& p) {
  return mult_mod_p(x_pow_8n_mod_p(length_b, p), crc_a, p) ^ crc_b;
}

// The raw digest of a base64 part checksum, when it has the algorithm's size.
std::optional<std::string> part_digest(ChecksumAlgorithm a, std::string_view base64) {
  auto raw = crypto::base64_decode(base64);
  if (!raw || raw->size() != checksum_size(a)) return std::nullopt;
  return raw;
}

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

bool PayloadHasher::adopt(const Payload& payload) {
  if (!payload.in_file() || payload.offset != 0 || payload.length != payload.file->size()) return false;
  const PayloadDigests* d = payload.file->digests();
  if (!d) return false;
  const std::string* md5 = d->find("MD5");
  const std::string* sum = impl_->checksum ? d->find(checksum_name(impl_->checksum->algorithm())) : nullptr;
  const std::string* sha = impl_->sha256 ? d->find("SHA256") : nullptr;
  if (!md5 || (impl_->checksum && !sum) || (impl_->sha256 && !sha)) return false;
  md5_ = *md5;
  if (sum) checksum_ = crypto::base64_encode(*sum);
  if (sha) sha256_ = crypto::hex(*sha);
  adopted_ = true;
  return true;
}

void PayloadHasher::finish() {
  if (adopted_) return;
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
    if (*raw != h.md5_raw()) throw errors::bad_digest_md5(crypto::hex(*raw), crypto::base64_encode(h.md5_raw()));
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

namespace errors {
std::string canonical_id(const std::string& account) {
  // Every write and ACL read names an owner: a SHA-256 each time was 12k instructions of a PUT.
  thread_local std::unordered_map<std::string, std::string> ids;
  auto it = ids.find(account);
  if (it != ids.end()) return it->second;
  if (ids.size() >= 1024) ids.clear();
  return ids.emplace(account, crypto::sha256_hex("awan-canonical:" + account)).first->second;
}
}  // namespace errors

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

// ---------------------------------------------------------------- multipart checksums

std::optional<ChecksumType> checksum_type_from_name(std::string_view name) {
  if (name == "COMPOSITE") return ChecksumType::Composite;
  if (name == "FULL_OBJECT") return ChecksumType::FullObject;
  return std::nullopt;
}

std::string checksum_type_name(ChecksumType t) { return t == ChecksumType::Composite ? "COMPOSITE" : "FULL_OBJECT"; }

ChecksumType default_checksum_type(ChecksumAlgorithm a) {
  return a == ChecksumAlgorithm::Crc64Nvme ? ChecksumType::FullObject : ChecksumType::Composite;
}

bool supports_checksum_type(ChecksumAlgorithm a, ChecksumType t) {
  switch (a) {
    case ChecksumAlgorithm::Crc32:
    case ChecksumAlgorithm::Crc32c: return true;
    case ChecksumAlgorithm::Crc64Nvme: return t == ChecksumType::FullObject;
    case ChecksumAlgorithm::Sha1:
    case ChecksumAlgorithm::Sha256: return t == ChecksumType::Composite;
  }
  return false;
}

std::optional<AwsError> validate_checksum_type(std::optional<ChecksumAlgorithm> a, std::optional<ChecksumType> t) {
  if (!t) return std::nullopt;
  if (!a)
    return errors::invalid_request(
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
  if (!supports_checksum_type(*a, *t))
    return errors::invalid_request("The " + checksum_type_name(*t) + " checksum type cannot be used with the " +
                                   text::ascii_lower(checksum_name(*a)) + " checksum algorithm.");
  return std::nullopt;
}

std::optional<std::string> multipart_etag(std::span<const std::string> part_etags) {
  if (part_etags.empty()) return std::nullopt;
  std::string md5s;
  md5s.reserve(part_etags.size() * 16);
  for (const std::string& etag : part_etags) {
    std::string hex = unquoted(etag);
    auto raw = hex.size() == 32 ? crypto::unhex(hex) : std::nullopt;
    if (!raw) return std::nullopt;
    md5s += *raw;
  }
  return crypto::md5_hex(md5s) + "-" + std::to_string(part_etags.size());
}

std::optional<std::string> composite_checksum(ChecksumAlgorithm a, std::span<const std::string> part_checksums) {
  if (part_checksums.empty()) return std::nullopt;
  std::string raw;
  for (const std::string& c : part_checksums) {
    auto d = part_digest(a, c);
    if (!d) return std::nullopt;
    raw += *d;
  }
  return checksum_base64(a, raw) + "-" + std::to_string(part_checksums.size());
}

std::optional<std::string> full_object_checksum(ChecksumAlgorithm a, std::span<const PartChecksum> parts) {
  const CrcPoly* poly = nullptr;
  switch (a) {
    case ChecksumAlgorithm::Crc32: poly = &kCrc32; break;
    case ChecksumAlgorithm::Crc32c: poly = &kCrc32c; break;
    case ChecksumAlgorithm::Crc64Nvme: poly = &kCrc64Nvme; break;
    case ChecksumAlgorithm::Sha1:
    case ChecksumAlgorithm::Sha256: return std::nullopt;
  }
  const size_t n = checksum_size(a);
  uint64_t crc = 0;  // the CRC of nothing
  for (const PartChecksum& part : parts) {
    auto raw = part_digest(a, part.checksum_base64);
    if (!raw) return std::nullopt;
    uint64_t part_crc = 0;
    for (char c : *raw) part_crc = (part_crc << 8) | static_cast<uint8_t>(c);
    crc = crc_combine(crc, part_crc, part.size, *poly);
  }
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[n - 1 - i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  return crypto::base64_encode(out);
}

uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  return static_cast<uint32_t>(crc_combine(crc_a, crc_b, length_b, kCrc32));
}

uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  return static_cast<uint32_t>(crc_combine(crc_a, crc_b, length_b, kCrc32c));
}

uint64_t crc64nvme_combine(uint64_t crc_a, uint64_t crc_b, uint64_t length_b) {
  return crc_combine(crc_a, crc_b, length_b, kCrc64Nvme);
}

}  // namespace awan::s3
