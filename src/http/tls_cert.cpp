// Certificates of the HTTPS listener (tls_cert.hpp): a local CA, the server certificate it
// issues, and the operator's PEM files. OpenSSL only; the listener is tls_listener.cpp.
#include "http/tls_cert.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace awan::http {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

[[noreturn]] void fail(const std::string& what) {
  unsigned long e = ERR_get_error();
  std::string msg = what;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  throw std::runtime_error(msg);
}

KeyPtr make_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an EC key");
  return key;
}

std::string key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("cannot write a private key");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail("cannot write a certificate");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

KeyPtr read_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

CertPtr read_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return CertPtr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("cannot add the certificate extension " + value);
}

// A certificate with a random serial, the subject CN, validity from a day ago, the public key.
CertPtr new_certificate(EVP_PKEY* key, const std::string& common_name, std::chrono::hours validity) {
  CertPtr cert(X509_new());
  if (!cert) fail("cannot allocate a certificate");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("no random bytes for a serial number");
  serial[0] &= 0x7f;  // positive
  std::unique_ptr<BIGNUM, Free> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  X509_NAME* name = X509_get_subject_name(cert.get());
  constexpr long kDay = 24 * 3600;
  bool ok = bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr &&
            X509_set_version(cert.get(), 2) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kDay) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(validity.count()) * 3600) != nullptr &&
            X509_set_pubkey(cert.get(), key) == 1 &&
            X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Awan"), -1, -1,
                                       0) == 1 &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1;
  if (!ok) fail("cannot fill in a certificate");
  return cert;
}

bool is_ip_literal(const std::string& name) {
  if (name.find(':') != std::string::npos) return true;
  return !name.empty() && name.find_first_not_of("0123456789.") == std::string::npos;
}

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read the TLS ") + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `path` through a temporary file, so that a crash leaves the old or new file.
void write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + err);
  }
}

}  // namespace

CertificateAndKey make_certificate_authority(const std::string& common_name, std::chrono::hours validity) {
  KeyPtr key = make_key();
  CertPtr cert = new_certificate(key.get(), common_name, validity);
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) fail("cannot set the CA's issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("cannot sign the CA certificate");
  return {cert_pem(cert.get()), key_pem(key.get())};
}

CertificateAndKey issue_server_certificate(const CertificateAndKey& ca, const std::vector<std::string>& names,
                                           std::chrono::hours validity) {
  if (names.empty()) throw std::runtime_error("a server certificate needs at least one name");
  CertPtr ca_cert = read_cert(ca.cert_pem);
  KeyPtr ca_key = read_key(ca.key_pem);
  if (!ca_cert || !ca_key) fail("the CA certificate or key is not valid PEM");
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) fail("the CA key does not match its certificate");
  KeyPtr key = make_key();
  CertPtr cert = new_certificate(key.get(), names.front(), validity);
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1) fail("cannot set the issuer");
  std::string san;
  for (const auto& n : names) {
    if (n.empty() || n.find_first_of(", \t\r\n") != std::string::npos) {
      throw std::runtime_error("invalid certificate name '" + n + "'");
    }
    if (!san.empty()) san += ",";
    san += (is_ip_literal(n) ? "IP:" : "DNS:") + n;
  }
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid");
  add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, san);
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) fail("cannot sign the server certificate");
  return {cert_pem(cert.get()) + cert_pem(ca_cert.get()), key_pem(key.get())};
}

std::vector<std::string> default_certificate_names(const std::string& bind_host, const std::vector<std::string>& hostnames,
                                                   const std::string& region) {
  std::vector<std::string> names = {"localhost", "*.localhost", "*.s3.localhost", "127.0.0.1", "::1"};
  if (!region.empty()) {
    names.push_back("*." + region + ".localhost");
    names.push_back("*.s3." + region + ".localhost");
  }
  auto add = [&](std::string n) {
    if (n.size() > 2 && n.front() == '[' && n.back() == ']') n = n.substr(1, n.size() - 2);
    if (n.empty() || n == "0.0.0.0" || n == "::") return;
    for (const auto& have : names)
      if (have == n) return;
    names.push_back(std::move(n));
  };
  add(bind_host);
  for (const auto& h : hostnames) {
    add(h);
    if (!is_ip_literal(h)) add("*." + h);
  }
  return names;
}

void check_certificate_and_key(const CertificateAndKey& ck) {
  CertPtr cert = read_cert(ck.cert_pem);
  if (!cert) fail("no PEM certificate");
  KeyPtr key = read_key(ck.key_pem);
  if (!key) fail("no PEM private key");
  if (X509_check_private_key(cert.get(), key.get()) != 1) fail("the private key does not match the certificate");
}

TlsMaterial load_or_create_tls_material(const std::string& cert_file, const std::string& key_file,
                                        const std::string& dir, const std::vector<std::string>& names) {
  TlsMaterial m;
  if (!cert_file.empty() || !key_file.empty()) {
    if (cert_file.empty() || key_file.empty()) throw std::runtime_error("--tls-cert and --tls-key go together");
    m.server.cert_pem = read_file(cert_file, "certificate");
    m.server.key_pem = read_file(key_file, "key");
    try {
      check_certificate_and_key(m.server);
    } catch (const std::exception& e) {
      throw std::runtime_error(cert_file + " / " + key_file + ": " + e.what());
    }
    return m;
  }
  CertificateAndKey ca;
  if (!dir.empty()) {
    std::string ca_file = dir + "/ca.pem", ca_key_file = dir + "/ca-key.pem";
    std::error_code ec;
    if (std::filesystem::exists(ca_file, ec) && std::filesystem::exists(ca_key_file, ec)) {
      ca.cert_pem = read_file(ca_file, "CA certificate");
      ca.key_pem = read_file(ca_key_file, "CA key");
      try {
        check_certificate_and_key(ca);
      } catch (const std::exception& e) {
        throw std::runtime_error(ca_file + ": " + e.what() + " (remove " + ca_file + " and " + ca_key_file +
                                 " to make a new CA)");
      }
    } else {
      std::filesystem::create_directories(dir, ec);
      if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
      ca = make_certificate_authority("Awan local CA");
      write_file(ca_key_file, ca.key_pem, 0600);
      write_file(ca_file, ca.cert_pem, 0644);
    }
  } else {
    ca = make_certificate_authority("Awan local CA");
  }
  m.server = issue_server_certificate(ca, names);
  m.ca_pem = ca.cert_pem;
  return m;
}

}  // namespace awan::http
