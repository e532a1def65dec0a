#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "awan/clock.hpp"
#include "core/crypto.hpp"
#include "iam/service_fixture.hpp"
#include "sts/sts.hpp"

namespace {

using json = nlohmann::json;

using StsTest = awan::test_support::ServiceTest<&awan::sts::make_service>;

TEST_F(StsTest, CallerIdentityDefaultsToRoot) {
  auto out = ok("GetCallerIdentity");
  EXPECT_EQ(out["Account"], "111122223333");
  EXPECT_EQ(out["Arn"], "arn:aws:iam::111122223333:root");
  EXPECT_EQ(out["UserId"], "111122223333");
}

TEST_F(StsTest, CallerIdentityFromContext) {
  ctx_.caller_arn = "arn:aws:iam::111122223333:user/alice";
  ctx_.caller_user_id = "AIDAEXAMPLEEXAMPLE1";
  auto out = ok("GetCallerIdentity");
  EXPECT_EQ(out["Arn"], "arn:aws:iam::111122223333:user/alice");
  EXPECT_EQ(out["UserId"], "AIDAEXAMPLEEXAMPLE1");
}

TEST_F(StsTest, AssumeRoleIssuesCredentials) {
  auto out = ok("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/app/deployer"},
                               {"RoleSessionName", "ci-run"},
                               {"DurationSeconds", 1800}});
  const auto& creds = out["Credentials"];
  std::string key = creds["AccessKeyId"];
  EXPECT_EQ(key.substr(0, 4), "ASIA");
  EXPECT_EQ(key.size(), 20u);
  EXPECT_EQ(creds["SecretAccessKey"].get<std::string>().size(), 40u);
  EXPECT_GT(creds["SessionToken"].get<std::string>().size(), 100u);
  EXPECT_EQ(creds["Expiration"], 1'700'000'000 + 1800);
  std::string assumed_id = out["AssumedRoleUser"]["AssumedRoleId"];
  EXPECT_EQ(assumed_id.substr(0, 4), "AROA");
  EXPECT_EQ(assumed_id.substr(21), ":ci-run");
  EXPECT_EQ(out["AssumedRoleUser"]["Arn"], "arn:aws:sts::444455556666:assumed-role/deployer/ci-run");
  EXPECT_FALSE(out.contains("PackedPolicySize"));
  // The same role always has the same role id.
  auto again = ok("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/app/deployer"}, {"RoleSessionName", "x2"}});
  EXPECT_EQ(again["AssumedRoleUser"]["AssumedRoleId"], assumed_id.substr(0, 21) + ":x2");
  EXPECT_EQ(again["Credentials"]["Expiration"], 1'700'000'000 + 3600);  // default one hour
  EXPECT_NE(again["Credentials"]["AccessKeyId"], key);
}

TEST_F(StsTest, AssumedRoleCredentialsResolveAndExpire) {
  auto out = ok("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", "s1"},
                               {"DurationSeconds", 900}});
  auto& resolver = awan::sts::credential_resolver(*svc_);
  auto p = resolver.lookup(out["Credentials"]["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->account_id, "444455556666");
  EXPECT_EQ(p->arn, "arn:aws:sts::444455556666:assumed-role/r/s1");
  EXPECT_EQ(p->user_id, out["AssumedRoleUser"]["AssumedRoleId"]);
  EXPECT_EQ(p->secret_access_key, out["Credentials"]["SecretAccessKey"]);
  EXPECT_EQ(p->session_token, out["Credentials"]["SessionToken"]);
  ASSERT_TRUE(p->expires.has_value());
  EXPECT_GT(*p->expires, clock_.now());
  clock_.advance(std::chrono::seconds(901));
  p = resolver.lookup(out["Credentials"]["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(p.has_value());
  EXPECT_LT(*p->expires, clock_.now());
  EXPECT_FALSE(resolver.lookup("ASIANOTISSUEDBYAWAN0").has_value());
}

TEST_F(StsTest, LongExpiredSessionsArePurged) {
  auto out = ok("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", "old"},
                               {"DurationSeconds", 900}});
  std::string key = out["Credentials"]["AccessKeyId"];
  clock_.advance(std::chrono::hours(48));
  ok("GetSessionToken");  // any issue purges sessions expired more than a day ago
  EXPECT_FALSE(awan::sts::credential_resolver(*svc_).lookup(key).has_value());
}

TEST_F(StsTest, AssumeRoleValidation) {
  auto e = err("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", "bad name"}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message,
            "1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: [\\w+=,.@-]*");
  std::string long_name(65, 's');
  e = err("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", long_name}});
  EXPECT_EQ(e.message, "1 validation error detected: Value '" + long_name +
                           "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or "
                           "equal to 64");
  e = err("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", "s"},
                         {"DurationSeconds", 43201}});
  EXPECT_EQ(e.message,
            "2 validation errors detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must "
            "have length greater than or equal to 2; Value '43201' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value less than or equal to 43200");
  e = err("AssumeRole", {{"RoleSessionName", "ok"}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be "
            "null");
  e = err("AssumeRole", {{"RoleArn", "arn:aws:s3:::some-bucket-name"}, {"RoleSessionName", "ok"}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message, "arn:aws:s3:::some-bucket-name is invalid");
  e = err("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", "ok"},
                         {"Policy", "{broken"}});
  EXPECT_EQ(e.code, "MalformedPolicyDocument");
}

TEST_F(StsTest, SessionPolicyReportsPackedSize) {
  auto out = ok("AssumeRole",
                {{"RoleArn", "arn:aws:iam::444455556666:role/r"},
                 {"RoleSessionName", "ok"},
                 {"Policy", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"},
                 {"SourceIdentity", "alice"}});
  ASSERT_TRUE(out.contains("PackedPolicySize"));
  EXPECT_GE(out["PackedPolicySize"].get<int64_t>(), 1);
  EXPECT_LE(out["PackedPolicySize"].get<int64_t>(), 100);
  EXPECT_EQ(out["SourceIdentity"], "alice");
}

TEST_F(StsTest, RoleChainingIsLimitedToOneHour) {
  ctx_.caller_arn = "arn:aws:sts::111122223333:assumed-role/first/s";
  ctx_.session_token = "token";
  auto e = err("AssumeRole", {{"RoleArn", "arn:aws:iam::111122223333:role/second"}, {"RoleSessionName", "s2"},
                              {"DurationSeconds", 7200}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  ok("AssumeRole", {{"RoleArn", "arn:aws:iam::111122223333:role/second"}, {"RoleSessionName", "s2"}});
}

TEST_F(StsTest, GetSessionTokenForUserAndRoot) {
  ctx_.caller_arn = "arn:aws:iam::111122223333:user/alice";
  ctx_.caller_user_id = "AIDAEXAMPLEEXAMPLE1";
  auto out = ok("GetSessionToken", {{"DurationSeconds", 7200}});
  EXPECT_EQ(out["Credentials"]["Expiration"], 1'700'000'000 + 7200);
  auto p = awan::sts::credential_resolver(*svc_).lookup(out["Credentials"]["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->arn, "arn:aws:iam::111122223333:user/alice");
  EXPECT_EQ(p->user_id, "AIDAEXAMPLEEXAMPLE1");
  EXPECT_EQ(p->account_id, "111122223333");
  // Root sessions last at most an hour; the default is 12 hours for users.
  ctx_.caller_arn.clear();
  ctx_.caller_user_id.clear();
  EXPECT_EQ(ok("GetSessionToken", {{"DurationSeconds", 7200}})["Credentials"]["Expiration"], 1'700'000'000 + 3600);
  ctx_.caller_arn = "arn:aws:iam::111122223333:user/alice";
  EXPECT_EQ(ok("GetSessionToken")["Credentials"]["Expiration"], 1'700'000'000 + 43200);
  EXPECT_EQ(err("GetSessionToken", {{"DurationSeconds", 600}}).code, "ValidationError");
  ctx_.session_token = "x";
  auto e = err("GetSessionToken");
  EXPECT_EQ(e.code, "AccessDenied");
  EXPECT_EQ(e.http_status, 403);
}

TEST_F(StsTest, GetFederationToken) {
  ctx_.caller_arn = "arn:aws:iam::111122223333:user/alice";
  auto out = ok("GetFederationToken", {{"Name", "bob"}});
  EXPECT_EQ(out["FederatedUser"]["Arn"], "arn:aws:sts::111122223333:federated-user/bob");
  EXPECT_EQ(out["FederatedUser"]["FederatedUserId"], "111122223333:bob");
  EXPECT_EQ(out["Credentials"]["Expiration"], 1'700'000'000 + 43200);
  EXPECT_EQ(err("GetFederationToken", {{"Name", "b"}}).code, "ValidationError");
}

TEST_F(StsTest, AssumeRoleWithWebIdentityReadsTheJwtClaims) {
  auto b64url = [](const std::string& s) {
    std::string b = awan::crypto::base64_encode(s);
    for (auto& c : b) {
      if (c == '+') c = '-';
      else if (c == '/') c = '_';
    }
    while (!b.empty() && b.back() == '=') b.pop_back();
    return b;
  };
  std::string jwt = b64url(R"({"alg":"RS256"})") + "." +
                    b64url(R"({"sub":"user-123","aud":"my-client","iss":"https://issuer.example.com"})") + ".sig";
  auto out = ok("AssumeRoleWithWebIdentity", {{"RoleArn", "arn:aws:iam::444455556666:role/web"},
                                              {"RoleSessionName", "web-session"},
                                              {"WebIdentityToken", jwt}});
  EXPECT_EQ(out["SubjectFromWebIdentityToken"], "user-123");
  EXPECT_EQ(out["Audience"], "my-client");
  EXPECT_EQ(out["Provider"], "https://issuer.example.com");
  EXPECT_EQ(out["AssumedRoleUser"]["Arn"], "arn:aws:sts::444455556666:assumed-role/web/web-session");
  auto e = err("AssumeRoleWithWebIdentity", {{"RoleArn", "arn:aws:iam::444455556666:role/web"},
                                             {"RoleSessionName", "web-session"},
                                             {"WebIdentityToken", "not-a-jwt"}});
  EXPECT_EQ(e.code, "InvalidIdentityToken");
}

TEST_F(StsTest, GetAccessKeyInfo) {
  auto creds = ok("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", "s0"}});
  EXPECT_EQ(ok("GetAccessKeyInfo", {{"AccessKeyId", creds["Credentials"]["AccessKeyId"]}})["Account"], "444455556666");
  EXPECT_EQ(ok("GetAccessKeyInfo", {{"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}})["Account"], "000000000000");
  EXPECT_EQ(err("GetAccessKeyInfo", {{"AccessKeyId", "short"}}).code, "ValidationError");
}

TEST_F(StsTest, DecodeAuthorizationMessage) {
  std::string encoded = awan::crypto::base64_encode(R"({"allowed":false})");
  EXPECT_EQ(ok("DecodeAuthorizationMessage", {{"EncodedMessage", encoded}})["DecodedMessage"], R"({"allowed":false})");
  EXPECT_EQ(err("DecodeAuthorizationMessage", {{"EncodedMessage", "@@@"}}).code, "InvalidAuthorizationMessageException");
}

TEST_F(StsTest, DecodeAuthorizationMessageNestedDeeply) {
  std::string deep = "{\"a\":" + std::string(3800, '[') + std::string(3800, ']') + "}";
  std::string encoded = awan::crypto::base64_encode(deep);
  ASSERT_LE(encoded.size(), 10240u);
  EXPECT_EQ(ok("DecodeAuthorizationMessage", {{"EncodedMessage", encoded}})["DecodedMessage"], deep);
}

TEST_F(StsTest, UnknownAndUnsupportedOperations) {
  EXPECT_EQ(err("Nope").code, "InvalidAction");
  EXPECT_EQ(err("AssumeRoleWithSAML").code, "NotImplemented");
}

TEST_F(StsTest, ResetForgetsSessions) {
  auto out = ok("AssumeRole", {{"RoleArn", "arn:aws:iam::444455556666:role/r"}, {"RoleSessionName", "s0"}});
  svc_->reset();
  EXPECT_FALSE(
      awan::sts::credential_resolver(*svc_).lookup(out["Credentials"]["AccessKeyId"].get<std::string>()).has_value());
}

TEST(StsPersistence, SessionsSurviveReopen) {
  auto dir = std::filesystem::temp_directory_path() / ("awan-sts-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  awan::ManualClock clock;
  awan::ServiceEnv env;
  env.data_dir = dir.string();
  env.clock = &clock;
  awan::RequestContext ctx;
  std::string key, token;
  {
    auto svc = awan::sts::make_service(env);
    auto r = svc->call(ctx, "AssumeRole", {{"RoleArn", "arn:aws:iam::123456789012:role/r"}, {"RoleSessionName", "s0"}});
    ASSERT_FALSE(r.is_error());
    key = r.output["Credentials"]["AccessKeyId"];
    token = r.output["Credentials"]["SessionToken"];
  }
  {
    auto svc = awan::sts::make_service(env);
    auto p = awan::sts::credential_resolver(*svc).lookup(key);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->session_token, token);
    EXPECT_EQ(p->account_id, "123456789012");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
