// SNS message signatures: the canonical string of a message, and the Signer's RSA key and
// self-signed certificate (OpenSSL 3 EVP), kept as PEM files in the data directory.
#include "sns/signature.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "core/crypto.hpp"

namespace awan::sns {

namespace {

constexpr const char* kKeyFile = "sns-signing-key.pem";
constexpr const char* kCertFile = "sns-signing-cert.pem";
constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertPtr = std::unique_ptr<X509, CertDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string field_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

KeyPtr generate_key() { return KeyPtr(EVP_RSA_gen(2048)); }

// A self-signed X.509 v3 certificate for `key`: CN sns.amazonaws.com, valid for 10 years.
CertPtr make_certificate(EVP_PKEY* key) {
  CertPtr cert(X509_new());
  if (!cert) return nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return nullptr;
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_set_version(cert.get(), 2) == 1 &&
       X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) != nullptr &&
       X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) != nullptr &&
       X509_set_pubkey(cert.get(), key) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>("sns.amazonaws.com"), -1, -1, 0) == 1 &&
       X509_set_issuer_name(cert.get(), name) == 1 && X509_sign(cert.get(), key, EVP_sha256()) > 0;
  return ok ? std::move(cert) : nullptr;
}

std::string key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `text` to `path` with permissions `mode`, through a temporary file renamed over it.
bool write_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  std::string tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == text.size() && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return true;
  ::unlink(tmp.c_str());
  return false;
}

KeyPtr parse_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

CertPtr parse_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return CertPtr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

}  // namespace

std::string canonical_string(const nlohmann::json& message) {
  if (!message.is_object()) return "";
  auto type = message.find("Type");
  bool confirmation = type != message.end() && type->is_string() &&
                      (*type == "SubscriptionConfirmation" || *type == "UnsubscribeConfirmation");
  static const std::initializer_list<const char*> kNotification = {"Message",   "MessageId", "Subject",
                                                                   "Timestamp", "TopicArn",  "Type"};
  static const std::initializer_list<const char*> kConfirmation = {
      "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"};
  std::string out;
  for (const char* name : confirmation ? kConfirmation : kNotification) {
    auto it = message.find(name);
    if (it == message.end() || it->is_null()) continue;  // Subject only when the message has one
    out.append(name).append("\n").append(field_text(*it)).append("\n");
  }
  return out;
}

struct Signer::Impl {
  KeyPtr key;
  CertPtr cert;
  std::string certificate_pem;
};

Signer::Signer() : impl_(std::make_unique<Impl>()) {}
Signer::~Signer() = default;

const std::string& Signer::certificate_pem() const { return impl_->certificate_pem; }

std::unique_ptr<Signer> Signer::open(const std::string& data_dir) {
  std::unique_ptr<Signer> signer(new Signer());
  Impl& s = *signer->impl_;
  std::filesystem::path dir(data_dir), key_path = dir / kKeyFile, cert_path = dir / kCertFile;
  if (!data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (auto pem = read_file(key_path)) {
      s.key = parse_key(*pem);
      if (!s.key) {
        spdlog::error("sns: {} is not a PEM private key", key_path.string());
        return nullptr;
      }
      if (auto cert = read_file(cert_path)) s.cert = parse_cert(*cert);
      if (s.cert && X509_check_private_key(s.cert.get(), s.key.get()) != 1) s.cert.reset();
    }
  }
  bool new_key = !s.key;
  if (new_key) s.key = generate_key();
  if (!s.key) {
    spdlog::error("sns: cannot generate the RSA signing key");
    return nullptr;
  }
  bool new_cert = !s.cert;
  if (new_cert) s.cert = make_certificate(s.key.get());
  if (!s.cert) {
    spdlog::error("sns: cannot make the signing certificate");
    return nullptr;
  }
  s.certificate_pem = cert_pem(s.cert.get());
  if (data_dir.empty()) return signer;
  if ((new_key && !write_file(key_path, key_pem(s.key.get()), 0600)) ||
      (new_cert && !write_file(cert_path, s.certificate_pem, 0644))) {
    spdlog::error("sns: cannot write the signing key and certificate in {}: {}", data_dir, std::strerror(errno));
    return nullptr;
  }
  return signer;
}

std::string Signer::sign(const nlohmann::json& message, int signature_version) const {
  std::string text = canonical_string(message);
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = signature_version == 2 ? EVP_sha256() : EVP_sha1();
  size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) != 1)
    return "";
  std::string sig(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1)
    return "";
  sig.resize(size);
  return crypto::base64_encode(sig);
}

}  // namespace awan::sns
