// Certificates of the HTTPS listener (http/tls_cert.hpp): the local CA, the server certificate
// it issues (chain, names, key usage), persistence of the CA in a directory, and the operator's
// PEM files (mismatched, missing, corrupt).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "http/tls_cert.hpp"

namespace awan::http {
namespace {

struct Certs {
  std::vector<X509*> chain;
  ~Certs() {
    for (auto* c : chain) X509_free(c);
  }
};

void read_chain(const std::string& pem, Certs& out) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.chain.push_back(c);
  BIO_free(bio);
}

// Whether the first certificate of `chain_pem` verifies against `ca_pem` as a TLS server
// certificate.
bool verifies(const std::string& chain_pem, const std::string& ca_pem) {
  Certs chain, ca;
  read_chain(chain_pem, chain);
  read_chain(ca_pem, ca);
  if (chain.chain.empty() || ca.chain.empty()) return false;
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.chain[0]);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, chain.chain[0], nullptr);
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

bool covers_host(const std::string& chain_pem, const std::string& host) {
  Certs c;
  read_chain(chain_pem, c);
  return !c.chain.empty() && X509_check_host(c.chain[0], host.data(), host.size(), 0, nullptr) == 1;
}

bool covers_ip(const std::string& chain_pem, const std::string& ip) {
  Certs c;
  read_chain(chain_pem, c);
  return !c.chain.empty() && X509_check_ip_asc(c.chain[0], ip.c_str(), 0) == 1;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("awan-tls-test-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    std::string p = (path / name).string();
    std::ofstream(p) << text;
    return p;
  }
};

TEST(TlsCert, IssuedCertificateVerifiesAgainstItsCa) {
  auto ca = make_certificate_authority("Test CA");
  auto server = issue_server_certificate(ca, {"localhost", "127.0.0.1"});
  EXPECT_TRUE(verifies(server.cert_pem, ca.cert_pem));
  auto other = make_certificate_authority("Other CA");
  EXPECT_FALSE(verifies(server.cert_pem, other.cert_pem));
  Certs chain;
  read_chain(server.cert_pem, chain);
  ASSERT_EQ(chain.chain.size(), 2u);  // the server certificate, then the CA's
  EXPECT_NO_THROW(check_certificate_and_key(server));
}

TEST(TlsCert, DefaultNamesCoverLocalHostsAndHostnames) {
  auto names = default_certificate_names("127.0.0.1", {"dev.example.com"}, "eu-west-1");
  auto ca = make_certificate_authority("Test CA");
  auto server = issue_server_certificate(ca, names);
  EXPECT_TRUE(covers_host(server.cert_pem, "localhost"));
  // "*.localhost" is in the certificate, but OpenSSL (and so Python, curl) matches no wildcard
  // over a single-label suffix: "sqs.localhost" is not covered for them.
  EXPECT_FALSE(covers_host(server.cert_pem, "sqs.localhost"));
  EXPECT_TRUE(covers_host(server.cert_pem, "bucket.s3.localhost"));
  EXPECT_TRUE(covers_host(server.cert_pem, "sqs.eu-west-1.localhost"));
  EXPECT_TRUE(covers_host(server.cert_pem, "dev.example.com"));
  EXPECT_TRUE(covers_host(server.cert_pem, "api.dev.example.com"));
  EXPECT_TRUE(covers_ip(server.cert_pem, "127.0.0.1"));
  EXPECT_TRUE(covers_ip(server.cert_pem, "::1"));
  EXPECT_FALSE(covers_host(server.cert_pem, "example.com"));
  EXPECT_FALSE(covers_host(server.cert_pem, "sns.us-east-1.amazonaws.com"));
  EXPECT_FALSE(covers_ip(server.cert_pem, "10.0.0.1"));
}

TEST(TlsCert, WildcardBindAddressIsNotAName) {
  auto names = default_certificate_names("0.0.0.0", {}, "us-east-1");
  EXPECT_EQ(std::count(names.begin(), names.end(), "0.0.0.0"), 0);
  names = default_certificate_names("192.168.1.5", {}, "");
  EXPECT_EQ(std::count(names.begin(), names.end(), "192.168.1.5"), 1);
}

TEST(TlsCert, BadNamesAndBadCaAreRefused) {
  auto ca = make_certificate_authority("Test CA");
  EXPECT_THROW(issue_server_certificate(ca, {}), std::runtime_error);
  EXPECT_THROW(issue_server_certificate(ca, {"a,DNS:b"}), std::runtime_error);
  EXPECT_THROW(issue_server_certificate({"garbage", "garbage"}, {"localhost"}), std::runtime_error);
  auto other = make_certificate_authority("Other CA");
  EXPECT_THROW(issue_server_certificate({ca.cert_pem, other.key_pem}, {"localhost"}), std::runtime_error);
}

TEST(TlsCert, MismatchedKeyIsRefused) {
  auto a = make_certificate_authority("A");
  auto b = make_certificate_authority("B");
  EXPECT_THROW(check_certificate_and_key({a.cert_pem, b.key_pem}), std::runtime_error);
  EXPECT_THROW(check_certificate_and_key({"", a.key_pem}), std::runtime_error);
  EXPECT_THROW(check_certificate_and_key({a.cert_pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n"}), std::runtime_error);
}

TEST(TlsCert, CaIsKeptInTheDirectoryAcrossStarts) {
  TempDir dir;
  std::string d = (dir.path / "tls").string();
  auto first = load_or_create_tls_material("", "", d, {"localhost"});
  ASSERT_FALSE(first.ca_pem.empty());
  EXPECT_TRUE(verifies(first.server.cert_pem, first.ca_pem));
  struct stat st {};
  ASSERT_EQ(::stat((d + "/ca-key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = load_or_create_tls_material("", "", d, {"localhost"});
  EXPECT_EQ(second.ca_pem, first.ca_pem);                    // the same CA ...
  EXPECT_NE(second.server.cert_pem, first.server.cert_pem);  // ... issues a new server certificate
  EXPECT_TRUE(verifies(second.server.cert_pem, first.ca_pem));
}

TEST(TlsCert, InMemoryCaIsNewEachTime) {
  auto a = load_or_create_tls_material("", "", "", {"localhost"});
  auto b = load_or_create_tls_material("", "", "", {"localhost"});
  EXPECT_NE(a.ca_pem, b.ca_pem);
  EXPECT_TRUE(verifies(a.server.cert_pem, a.ca_pem));
}

TEST(TlsCert, CorruptCaFileIsReportedNotReplaced) {
  TempDir dir;
  dir.file("ca.pem", "not a certificate");
  dir.file("ca-key.pem", "not a key");
  try {
    load_or_create_tls_material("", "", dir.path.string(), {"localhost"});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("ca.pem"), std::string::npos) << e.what();
  }
  std::ifstream in(dir.path / "ca.pem");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "not a certificate");
}

TEST(TlsCert, GivenFilesAreLoadedAndChecked) {
  TempDir dir;
  auto ca = make_certificate_authority("Operator CA");
  auto server = issue_server_certificate(ca, {"localhost"});
  std::string cert = dir.file("cert.pem", server.cert_pem), key = dir.file("key.pem", server.key_pem);
  auto m = load_or_create_tls_material(cert, key, "", {"ignored"});
  EXPECT_EQ(m.server.cert_pem, server.cert_pem);
  EXPECT_EQ(m.server.key_pem, server.key_pem);
  EXPECT_TRUE(m.ca_pem.empty());

  std::string wrong = dir.file("wrong.pem", ca.key_pem);
  EXPECT_THROW(load_or_create_tls_material(cert, wrong, "", {}), std::runtime_error);
  try {
    load_or_create_tls_material((dir.path / "missing.pem").string(), key, "", {});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_or_create_tls_material(cert, "", "", {}), std::runtime_error);
}

}  // namespace
}  // namespace awan::http
