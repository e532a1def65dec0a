#pragma once
// Who is calling. The gateway resolves the access key of a request into a Principal through
// the registered CredentialResolvers (STS temporary credentials, IAM user access keys, the
// configured default pair); an unknown key maps to an account by the design's rule
// (a 12-digit key id is the account id, anything else the default account).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace awan {

struct Principal {
  std::string access_key_id;
  std::string secret_access_key;  // for signature verification
  std::string session_token;      // required with temporary credentials ("" otherwise)
  std::string account_id;
  std::string arn;      // arn:aws:iam::123456789012:root | :user/Name | arn:aws:sts::…:assumed-role/R/S
  std::string user_id;  // account id for root, AIDA… for users, AROA…:session for roles
  std::optional<std::chrono::system_clock::time_point> expires;  // temporary credentials
};

class CredentialResolver {
 public:
  virtual ~CredentialResolver() = default;
  // The principal owning this access key id, if this resolver issued it.
  virtual std::optional<Principal> lookup(std::string_view access_key_id) const = 0;
};

}  // namespace awan
