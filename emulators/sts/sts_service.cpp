// The STS emulator: caller identity and temporary credentials.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <cctype>
#include <unordered_map>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "iam/service_support.hpp"
#include "iam/validation.hpp"
#include "storage/sqlite.hpp"
#include "sts/sts.hpp"

namespace awan::sts {

namespace {

using json = nlohmann::json;
using iam::validation::Pattern;
using iam::validation::Validator;

constexpr int64_t kDefaultRoleDuration = 3600;
constexpr int64_t kDefaultTokenDuration = 43200;
constexpr int64_t kRootMaxDuration = 3600;
constexpr int64_t kChainedMaxDuration = 3600;
constexpr int64_t kPurgeAfter = 86400;  // expired sessions are forgotten a day after expiry

std::string stable_id(std::string_view prefix, std::string_view seed) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string h = crypto::sha256(seed);
  std::string out(prefix);
  for (size_t i = 0; out.size() < prefix.size() + 17; ++i) out.push_back(alphabet[static_cast<unsigned char>(h[i]) % 32]);
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct RoleArn {
  std::string partition;
  std::string account;
  std::string name;  // last path segment
};

// arn:<partition>:iam::<12 digits>:role/<path/>name
std::optional<RoleArn> parse_role_arn(const std::string& arn) {
  auto a = parse_arn(arn);
  if (!a || a->partition.empty() || a->service != "iam" || !a->region.empty()) return std::nullopt;
  if (a->account.size() != 12 || !std::all_of(a->account.begin(), a->account.end(), ::isdigit)) return std::nullopt;
  const std::string& resource = a->resource;
  if (resource.rfind("role/", 0) != 0) return std::nullopt;
  auto slash = resource.rfind('/');
  std::string name = resource.substr(slash + 1);
  if (name.empty()) return std::nullopt;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_+=,.@-").find(c) != std::string_view::npos))
      return std::nullopt;
  return RoleArn{a->partition, a->account, name};
}

std::optional<std::string> base64url_decode(std::string s) {
  for (auto& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  while (s.size() % 4) s.push_back('=');
  return crypto::base64_decode(s);
}

AwsError access_denied(std::string m) { return {"AccessDenied", std::move(m), 403}; }
AwsError malformed_policy(std::string m) { return {"MalformedPolicyDocument", std::move(m), 400}; }

class StsService final : public Service, public CredentialResolver {
 public:
  explicit StsService(const ServiceEnv& env) : env_(env), db_(env.db_path("sts"), storage::durability(env.sync_full)) {
    db_.exec(R"SQL(
      CREATE TABLE IF NOT EXISTS sessions (
        access_key_id TEXT PRIMARY KEY, secret TEXT NOT NULL, token TEXT NOT NULL, account TEXT NOT NULL,
        arn TEXT NOT NULL, user_id TEXT NOT NULL, expires INTEGER NOT NULL, kind TEXT NOT NULL,
        created INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
    )SQL");
  }

  std::string_view name() const override { return "sts"; }

  Result call(const RequestContext& ctx, const std::string& operation, json input) override {
    using Handler = Result (StsService::*)(const RequestContext&, const json&);
    static const std::unordered_map<std::string, Handler> handlers = {
        {"GetCallerIdentity", &StsService::get_caller_identity},
        {"AssumeRole", &StsService::assume_role},
        {"AssumeRoleWithWebIdentity", &StsService::assume_role_with_web_identity},
        {"GetSessionToken", &StsService::get_session_token},
        {"GetFederationToken", &StsService::get_federation_token},
        {"GetAccessKeyInfo", &StsService::get_access_key_info},
        {"DecodeAuthorizationMessage", &StsService::decode_authorization_message},
    };
    if (operation == "AssumeRoleWithSAML") return Result::fail(AwsError::not_implemented("AssumeRoleWithSAML"));
    auto it = handlers.find(operation);
    if (it == handlers.end()) return Result::fail(AwsError::invalid_action(operation));
    if (!input.is_object()) input = json::object();
    return iam::run_locked(mu_, "sts", operation, [&] { return (this->*(it->second))(ctx, input); });
  }

  void reset() override {
    std::lock_guard lock(mu_);
    db_.exec("DELETE FROM sessions");
  }

  std::optional<Principal> lookup(std::string_view access_key_id) const override {
    // Every request asks; only keys of the form this service issues reach the database.
    if (access_key_id.substr(0, 4) != "ASIA") return std::nullopt;
    std::lock_guard lock(mu_);
    try {
      auto st = db_.cached("SELECT secret, token, account, arn, user_id, expires FROM sessions WHERE access_key_id = ?");
      st->bind(1, access_key_id);
      if (!st->step()) return std::nullopt;
      Principal p;
      p.access_key_id = std::string(access_key_id);
      p.secret_access_key = st->text(0);
      p.session_token = st->text(1);
      p.account_id = st->text(2);
      p.arn = st->text(3);
      p.user_id = st->text(4);
      p.expires = std::chrono::system_clock::time_point{std::chrono::seconds(st->int64(5))};
      return p;
    } catch (const std::exception& e) {
      spdlog::error("sts credential lookup: {}", e.what());
      return std::nullopt;
    }
  }

 private:
  int64_t now() const { return env_.clock->epoch_seconds(); }

  static std::string caller_arn(const RequestContext& ctx) {
    return ctx.caller_arn.empty() ? "arn:aws:iam::" + ctx.account_id + ":root" : ctx.caller_arn;
  }
  static std::string caller_user_id(const RequestContext& ctx) {
    return ctx.caller_user_id.empty() ? ctx.account_id : ctx.caller_user_id;
  }
  static bool caller_is_root(const RequestContext& ctx) { return caller_arn(ctx) == "arn:aws:iam::" + ctx.account_id + ":root"; }
  static bool caller_is_session(const RequestContext& ctx) {
    return !ctx.session_token.empty() || ctx.caller_arn.find(":assumed-role/") != std::string::npos ||
           ctx.caller_arn.find(":federated-user/") != std::string::npos;
  }

  // Issues and stores a session; returns the Credentials document.
  json issue(const std::string& kind, const std::string& account, const std::string& arn, const std::string& user_id,
             int64_t duration) {
    int64_t created = now();
    int64_t expires = created + duration;
    std::string key = "ASIA" + ids::random_upper_alnum(16);
    std::string secret = ids::random_string(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    // Real session tokens are long opaque base64 blobs; so are these.
    std::string token = "IQoJb3JpZ2luX2Vj" + crypto::base64_encode(crypto::random_bytes(270));
    storage::Transaction tx(db_);
    {
      auto purge = db_.cached("DELETE FROM sessions WHERE expires < ?");
      purge->bind(1, created - kPurgeAfter);
      purge->run();
    }
    auto st = db_.cached(
        "INSERT INTO sessions (access_key_id, secret, token, account, arn, user_id, expires, kind, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, key).bind(2, secret).bind(3, token).bind(4, account).bind(5, arn).bind(6, user_id);
    st->bind(7, expires).bind(8, kind).bind(9, created);
    st->run();
    tx.commit();
    return {{"AccessKeyId", key}, {"SecretAccessKey", secret}, {"SessionToken", token}, {"Expiration", expires}};
  }

  // Session policy arguments shared by AssumeRole*, GetFederationToken. Returns the packed
  // size (percent of the allowed size) when any session policy or tag was given.
  std::variant<std::optional<int64_t>, AwsError> session_policies(const json& in, size_t tag_count) {
    size_t size = 0;
    bool any = tag_count > 0;
    if (auto it = in.find("Policy"); it != in.end() && it->is_string()) {
      json doc = json::parse(it->get<std::string>(), nullptr, false);
      if (doc.is_discarded()) return malformed_policy("This policy contains invalid Json");
      if (!doc.is_object() || !doc.contains("Statement")) return malformed_policy("Syntax errors in policy.");
      size += it->get<std::string>().size();
      any = true;
    }
    if (auto it = in.find("PolicyArns"); it != in.end() && it->is_array()) {
      for (const auto& p : *it) {
        std::string arn = p.is_object() && p.contains("arn") && p["arn"].is_string() ? p["arn"].get<std::string>() : "";
        if (arn.rfind("arn:", 0) != 0) return AwsError::validation_error("Invalid policy ARN: " + arn);
        size += arn.size();
      }
      any = any || !it->empty();
    }
    if (!any) return std::optional<int64_t>{};
    int64_t percent = static_cast<int64_t>((size + tag_count * 64) * 100 / 2048);
    return std::optional<int64_t>{std::max<int64_t>(1, percent)};
  }

  void validate_session_policy_members(Validator& v, const json& in) {
    v.str("Policy", false, 1, 2048, Pattern::PolicyDocument);
    if (auto it = in.find("PolicyArns"); it != in.end() && it->is_array()) {
      size_t i = 0;
      for (const auto& p : *it) {
        ++i;
        std::string at = "policyArns." + std::to_string(i) + ".member.arn";
        if (p.is_object() && p.contains("arn") && p["arn"].is_string())
          v.check_string(at, p["arn"].get<std::string>(), 20, 2048, Pattern::StsArn);
      }
    }
  }

  // ------------------------------------------------------------------ operations

  Result get_caller_identity(const RequestContext& ctx, const json&) {
    return Result::ok({{"UserId", caller_user_id(ctx)}, {"Account", ctx.account_id}, {"Arn", caller_arn(ctx)}});
  }

  Result assume_role(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto role_arn = v.str("RoleArn", true, 20, 2048, Pattern::StsArn);
    auto session = v.str("RoleSessionName", true, 2, 64, Pattern::SessionName);
    validate_session_policy_members(v, in);
    auto duration = v.integer("DurationSeconds", false, 900, 43200);
    auto tags = v.tags("Tags", false);
    v.string_list("TransitiveTagKeys", false, 50, 1, 128, Pattern::TagKey);
    v.str("ExternalId", false, 2, 1224, Pattern::ExternalId);
    v.str("SerialNumber", false, 9, 256, Pattern::SerialNumber);
    v.str("TokenCode", false, 6, 6, Pattern::TokenCode);
    auto source_identity = v.str("SourceIdentity", false, 2, 64, Pattern::SessionName);
    if (auto err = v.error()) return Result::fail(*err);
    auto role = parse_role_arn(*role_arn);
    if (!role) return Result::fail(AwsError::validation_error(*role_arn + " is invalid"));
    int64_t secs = duration.value_or(kDefaultRoleDuration);
    if (caller_is_session(ctx) && secs > kChainedMaxDuration)
      return Result::fail(AwsError::validation_error(
          "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."));
    auto packed = session_policies(in, tags.size());
    if (auto* e = std::get_if<AwsError>(&packed)) return Result::fail(*e);
    return assumed_role_result(*role_arn, *role, *session, secs, std::get<std::optional<int64_t>>(packed),
                               source_identity, "AssumeRole");
  }

  Result assumed_role_result(const std::string& role_arn, const RoleArn& role, const std::string& session,
                             int64_t secs, std::optional<int64_t> packed, const std::optional<std::string>& source,
                             const char* kind) {
    std::string role_id = stable_id("AROA", lower(role.account + ":" + role_arn));
    std::string assumed_id = role_id + ":" + session;
    std::string arn = "arn:" + role.partition + ":sts::" + role.account + ":assumed-role/" + role.name + "/" + session;
    json out = {{"Credentials", issue(kind, role.account, arn, assumed_id, secs)},
                {"AssumedRoleUser", {{"AssumedRoleId", assumed_id}, {"Arn", arn}}}};
    if (packed) out["PackedPolicySize"] = *packed;
    if (source) out["SourceIdentity"] = *source;
    return Result::ok(std::move(out));
  }

  Result assume_role_with_web_identity(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto role_arn = v.str("RoleArn", true, 20, 2048, Pattern::StsArn);
    auto session = v.str("RoleSessionName", true, 2, 64, Pattern::SessionName);
    auto token = v.str("WebIdentityToken", true, 4, 20000);
    auto provider_id = v.str("ProviderId", false, 4, 2048);
    validate_session_policy_members(v, in);
    auto duration = v.integer("DurationSeconds", false, 900, 43200);
    if (auto err = v.error()) return Result::fail(*err);
    auto role = parse_role_arn(*role_arn);
    if (!role) return Result::fail(AwsError::validation_error(*role_arn + " is invalid"));
    // The token must be a JWT; its signature is not verified.
    json claims;
    {
      std::string t = *token;
      auto d1 = t.find('.');
      auto d2 = d1 == std::string::npos ? std::string::npos : t.find('.', d1 + 1);
      std::optional<std::string> payload;
      if (d2 != std::string::npos) payload = base64url_decode(t.substr(d1 + 1, d2 - d1 - 1));
      if (payload) claims = json::parse(*payload, nullptr, false);
      if (!payload || claims.is_discarded() || !claims.is_object())
        return Result::fail({"InvalidIdentityToken",
                             "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access "
                             "Token)",
                             400});
    }
    auto packed = session_policies(in, 0);
    if (auto* e = std::get_if<AwsError>(&packed)) return Result::fail(*e);
    auto r = assumed_role_result(*role_arn, *role, *session, duration.value_or(kDefaultRoleDuration),
                                 std::get<std::optional<int64_t>>(packed), std::nullopt, "AssumeRoleWithWebIdentity");
    if (claims.contains("sub") && claims["sub"].is_string()) r.output["SubjectFromWebIdentityToken"] = claims["sub"];
    if (claims.contains("aud")) {
      const json& aud = claims["aud"];
      if (aud.is_string()) r.output["Audience"] = aud;
      else if (aud.is_array() && !aud.empty() && aud[0].is_string()) r.output["Audience"] = aud[0];
    }
    if (provider_id) r.output["Provider"] = *provider_id;
    else if (claims.contains("iss") && claims["iss"].is_string()) r.output["Provider"] = claims["iss"];
    return r;
  }

  Result get_session_token(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto duration = v.integer("DurationSeconds", false, 900, 129600);
    v.str("SerialNumber", false, 9, 256, Pattern::SerialNumber);
    v.str("TokenCode", false, 6, 6, Pattern::TokenCode);
    if (auto err = v.error()) return Result::fail(*err);
    if (caller_is_session(ctx)) return Result::fail(access_denied("Cannot call GetSessionToken with session credentials"));
    int64_t secs = duration.value_or(kDefaultTokenDuration);
    if (caller_is_root(ctx)) secs = std::min(secs, kRootMaxDuration);  // root sessions last at most an hour
    return Result::ok(
        {{"Credentials", issue("GetSessionToken", ctx.account_id, caller_arn(ctx), caller_user_id(ctx), secs)}});
  }

  Result get_federation_token(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("Name", true, 2, 32, Pattern::SessionName);
    validate_session_policy_members(v, in);
    auto duration = v.integer("DurationSeconds", false, 900, 129600);
    auto tags = v.tags("Tags", false);
    if (auto err = v.error()) return Result::fail(*err);
    if (caller_is_session(ctx))
      return Result::fail(access_denied("Cannot call GetFederationToken with session credentials"));
    int64_t secs = duration.value_or(kDefaultTokenDuration);
    if (caller_is_root(ctx)) secs = std::min(secs, kRootMaxDuration);
    auto packed = session_policies(in, tags.size());
    if (auto* e = std::get_if<AwsError>(&packed)) return Result::fail(*e);
    std::string arn = "arn:aws:sts::" + ctx.account_id + ":federated-user/" + *name;
    std::string fed_id = ctx.account_id + ":" + *name;
    json out = {{"Credentials", issue("GetFederationToken", ctx.account_id, arn, fed_id, secs)},
                {"FederatedUser", {{"FederatedUserId", fed_id}, {"Arn", arn}}}};
    if (auto p = std::get<std::optional<int64_t>>(packed)) out["PackedPolicySize"] = *p;
    return Result::ok(std::move(out));
  }

  Result get_access_key_info(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto key = v.str("AccessKeyId", true, 16, 128, Pattern::IdStar);
    if (auto err = v.error()) return Result::fail(*err);
    auto st = db_.cached("SELECT account FROM sessions WHERE access_key_id = ?");
    st->bind(1, *key);
    if (st->step()) return Result::ok({{"Account", st->text(0)}});
    if (key->size() == 12 && std::all_of(key->begin(), key->end(), ::isdigit)) return Result::ok({{"Account", *key}});
    return Result::ok({{"Account", env_.default_account_id}});
  }

  Result decode_authorization_message(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto msg = v.str("EncodedMessage", true, 1, 10240);
    if (auto err = v.error()) return Result::fail(*err);
    // Awan never encodes authorization messages; a base64 JSON document is accepted as one.
    auto decoded = crypto::base64_decode(*msg);
    if (decoded) {
      json doc = json::parse(*decoded, nullptr, false);
      // The text as it was encoded (a re-serialisation would recurse once per nesting level).
      if (!doc.is_discarded() && doc.is_object()) return Result::ok({{"DecodedMessage", *decoded}});
    }
    return Result::fail({"InvalidAuthorizationMessageException", "Message is not valid", 400});
  }

  ServiceEnv env_;
  mutable std::mutex mu_;
  mutable storage::Database db_;
};

}  // namespace

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<StsService>(env); }

CredentialResolver& credential_resolver(Service& service) { return iam::resolver_of<StsService>(service, "STS"); }

}  // namespace awan::sts
