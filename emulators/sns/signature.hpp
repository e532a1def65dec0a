#pragma once
// SNS message signatures: the RSA key and self-signed certificate Awan signs notifications with
// (served at SigningCertURL), AWS's canonical string of a message, and Signature for
// SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA), so that standard SNS message
// validators accept Awan's messages. Neighbours: delivery.cpp builds the messages.
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace awan::sns {

// AWS's string to sign for a message document (the JSON SNS POSTs / puts in SQS): for
// "Notification": Message, MessageId, Subject (only when the message has one), Timestamp,
// TopicArn, Type; for "SubscriptionConfirmation" and "UnsubscribeConfirmation": Message,
// MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type — each as "<name>\n<value>\n".
std::string canonical_string(const nlohmann::json& message);

class Signer {
 public:
  // The key and certificate kept in `data_dir` (sns-signing-key.pem, sns-signing-cert.pem),
  // created there on first use; in memory when `data_dir` is empty. An RSA 2048 key; the
  // certificate is self-signed (CN sns.amazonaws.com), valid for 10 years.
  // nullptr (with the reason logged) if OpenSSL fails or the files cannot be read or written.
  static std::unique_ptr<Signer> open(const std::string& data_dir);
  ~Signer();

  const std::string& certificate_pem() const;
  // The Signature value (base64) of `message` for SignatureVersion "1" or "2".
  std::string sign(const nlohmann::json& message, int signature_version) const;

  struct Impl;

 private:
  Signer();
  std::unique_ptr<Impl> impl_;
};

}  // namespace awan::sns
