// SNS message signatures: the canonical strings of each message type, SHA1withRSA and
// SHA256withRSA verified with the certificate's public key, the key kept across restarts.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/crypto.hpp"
#include "sns/signature.hpp"

using namespace awan::sns;
using nlohmann::json;

namespace {

json notification() {
  return {{"Type", "Notification"},
          {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
          {"TopicArn", "arn:aws:sns:us-west-2:123456789012:MyTopic"},
          {"Subject", "My First Message"},
          {"Message", "Hello world!\nline two"},
          {"Timestamp", "2012-05-02T00:54:06.655Z"},
          {"SignatureVersion", "1"},
          {"SigningCertURL", "http://localhost/cert.pem"},
          {"UnsubscribeURL", "http://localhost/unsubscribe"}};
}

json confirmation(const std::string& type) {
  return {{"Type", type},
          {"MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"},
          {"Token", "2336412f37f"},
          {"TopicArn", "arn:aws:sns:us-west-2:123456789012:MyTopic"},
          {"Message", "You have chosen to subscribe to the topic."},
          {"SubscribeURL", "http://localhost/?Action=ConfirmSubscription&Token=2336412f37f"},
          {"Timestamp", "2012-04-26T20:45:04.751Z"}};
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/awan-sns-sig-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Verifies `signature` (base64) of the canonical string of `message` with the certificate.
bool verifies(const std::string& cert_pem, const json& message, const std::string& signature, int version) {
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) return false;
  EVP_PKEY* key = X509_get_pubkey(cert);
  auto raw = awan::crypto::base64_decode(signature);
  std::string text = canonical_string(message);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = raw && key &&
            EVP_DigestVerifyInit(ctx, nullptr, version == 2 ? EVP_sha256() : EVP_sha1(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(raw->data()), raw->size(),
                             reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  X509_free(cert);
  return ok;
}

}  // namespace

TEST(SnsCanonicalString, NotificationWithSubject) {
  EXPECT_EQ(canonical_string(notification()),
            "Message\nHello world!\nline two\n"
            "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
            "Subject\nMy First Message\n"
            "Timestamp\n2012-05-02T00:54:06.655Z\n"
            "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
            "Type\nNotification\n");
}

TEST(SnsCanonicalString, NotificationWithoutSubject) {
  const std::string expected =
      "Message\nHello world!\nline two\n"
      "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
      "Timestamp\n2012-05-02T00:54:06.655Z\n"
      "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
      "Type\nNotification\n";
  json m = notification();
  m.erase("Subject");
  EXPECT_EQ(canonical_string(m), expected);
  m["Subject"] = nullptr;
  EXPECT_EQ(canonical_string(m), expected);
}

TEST(SnsCanonicalString, SubscriptionAndUnsubscribeConfirmation) {
  for (std::string type : {"SubscriptionConfirmation", "UnsubscribeConfirmation"}) {
    EXPECT_EQ(canonical_string(confirmation(type)),
              "Message\nYou have chosen to subscribe to the topic.\n"
              "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
              "SubscribeURL\nhttp://localhost/?Action=ConfirmSubscription&Token=2336412f37f\n"
              "Timestamp\n2012-04-26T20:45:04.751Z\n"
              "Token\n2336412f37f\n"
              "TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
              "Type\n" + type + "\n")
        << type;
  }
}

TEST(SnsCanonicalString, NotAnObjectIsEmpty) {
  EXPECT_EQ(canonical_string(json::array()), "");
  EXPECT_EQ(canonical_string("text"), "");
}

TEST(SnsSigner, SignsBothVersionsVerifiably) {
  auto signer = Signer::open("");
  ASSERT_NE(signer, nullptr);
  EXPECT_NE(signer->certificate_pem().find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  for (int version : {1, 2}) {
    for (const json& m : {notification(), confirmation("SubscriptionConfirmation")}) {
      std::string sig = signer->sign(m, version);
      ASSERT_FALSE(sig.empty());
      EXPECT_TRUE(verifies(signer->certificate_pem(), m, sig, version)) << version;
      EXPECT_FALSE(verifies(signer->certificate_pem(), m, sig, 3 - version)) << "digest must differ";
    }
  }
}

TEST(SnsSigner, AlteredMessageFailsVerification) {
  auto signer = Signer::open("");
  ASSERT_NE(signer, nullptr);
  json m = notification();
  std::string sig = signer->sign(m, 2);
  m["Message"] = "Hello world?\nline two";
  EXPECT_FALSE(verifies(signer->certificate_pem(), m, sig, 2));
  json no_subject = notification();
  no_subject.erase("Subject");
  EXPECT_FALSE(verifies(signer->certificate_pem(), no_subject, sig, 2));
}

TEST(SnsSigner, CertificateNamesSnsForTenYears) {
  auto signer = Signer::open("");
  ASSERT_NE(signer, nullptr);
  const std::string& pem = signer->certificate_pem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(cert, nullptr);
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "sns.amazonaws.com");
  int days = 0, secs = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)), 1);
  EXPECT_GE(days, 3650);
  EXPECT_LE(days, 3653);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)), 0);
  X509_free(cert);
}

TEST(SnsSigner, KeyPersistsInDataDir) {
  TempDir dir;
  auto first = Signer::open(dir.path());
  ASSERT_NE(first, nullptr);
  struct stat st{};
  ASSERT_EQ(stat((dir.path() + "/sns-signing-key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(std::filesystem::exists(dir.path() + "/sns-signing-cert.pem"));
  std::string cert = first->certificate_pem();
  first.reset();

  auto second = Signer::open(dir.path());
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->certificate_pem(), cert);
  EXPECT_TRUE(verifies(cert, notification(), second->sign(notification(), 1), 1));
}

TEST(SnsSigner, MissingCertificateIsRemadeForTheKeptKey) {
  TempDir dir;
  auto first = Signer::open(dir.path());
  ASSERT_NE(first, nullptr);
  std::filesystem::remove(dir.path() + "/sns-signing-cert.pem");
  auto second = Signer::open(dir.path());
  ASSERT_NE(second, nullptr);
  std::string sig = first->sign(notification(), 2);
  EXPECT_TRUE(verifies(second->certificate_pem(), notification(), sig, 2));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/sns-signing-cert.pem"));
}

TEST(SnsSigner, CorruptKeyFileFailsToOpen) {
  TempDir dir;
  std::ofstream(dir.path() + "/sns-signing-key.pem") << "not a key";
  EXPECT_EQ(Signer::open(dir.path()), nullptr);
}

TEST(SnsSigner, ConcurrentSignsAllVerify) {
  auto signer = Signer::open("");
  ASSERT_NE(signer, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        json m = notification();
        m["MessageId"] = std::to_string(t * 100 + i);
        if (verifies(signer->certificate_pem(), m, signer->sign(m, 1 + i % 2), 1 + i % 2)) ++good[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int g : good) EXPECT_EQ(g, 10);
}
