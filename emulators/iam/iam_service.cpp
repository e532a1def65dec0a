// The IAM emulator. Operations take and return documents shaped like the model's shapes;
// policy documents go out URL-encoded, as IAM puts them on the wire.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <variant>

#include <spdlog/spdlog.h>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "iam/aws_managed.hpp"
#include "iam/iam.hpp"
#include "iam/policy_document.hpp"
#include "iam/validation.hpp"
#include "storage/sqlite.hpp"

namespace awan::iam {

namespace {

using json = nlohmann::json;
using validation::Pattern;
using validation::url_encode;
using validation::Validator;

AwsError no_such_entity(std::string m) { return {"NoSuchEntity", std::move(m), 404}; }
AwsError already_exists(std::string m) { return {"EntityAlreadyExists", std::move(m), 409}; }
AwsError delete_conflict(std::string m) { return {"DeleteConflict", std::move(m), 409}; }
AwsError limit_exceeded(std::string m) { return {"LimitExceeded", std::move(m), 409}; }
AwsError invalid_input(std::string m) { return {"InvalidInput", std::move(m), 400}; }

constexpr int64_t kDefaultMaxItems = 100;
constexpr size_t kRoleInlinePolicyQuota = 10240;
constexpr size_t kUserInlinePolicyQuota = 2048;
constexpr size_t kTrustPolicyQuota = 2048;
constexpr size_t kManagedPolicyQuota = 6144;
constexpr int64_t kAttachedPoliciesQuota = 10;
constexpr int64_t kAccessKeysPerUser = 2;
constexpr int64_t kPolicyVersionsQuota = 5;

// Role and user share inline policies, attachments, tags and boundaries.
enum class Kind { Role, User };
const char* kind_str(Kind k) { return k == Kind::Role ? "role" : "user"; }
const char* kind_title(Kind k) { return k == Kind::Role ? "Role" : "User"; }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---- pagination: items sorted by key; the marker is the (encoded) key of the last item returned
struct Keyed {
  std::string key;  // compared case-insensitively
  json item;
};

std::optional<AwsError> paginate(std::vector<Keyed>& items, const json& in, const char* list_member, json& out) {
  std::stable_sort(items.begin(), items.end(),
                   [](const Keyed& a, const Keyed& b) { return lower(a.key) < lower(b.key); });
  int64_t max_items = kDefaultMaxItems;
  if (auto it = in.find("MaxItems"); it != in.end() && it->is_number_integer()) max_items = it->get<int64_t>();
  size_t start = 0;
  if (auto it = in.find("Marker"); it != in.end() && it->is_string()) {
    auto decoded = crypto::base64_decode(it->get<std::string>());
    if (!decoded) return AwsError::validation_error("Invalid Marker.");
    std::string after = lower(*decoded);
    while (start < items.size() && lower(items[start].key) <= after) ++start;
  }
  json arr = json::array();
  size_t i = start;
  for (; i < items.size() && static_cast<int64_t>(arr.size()) < max_items; ++i) arr.push_back(std::move(items[i].item));
  out[list_member] = std::move(arr);
  bool truncated = i < items.size();
  out["IsTruncated"] = truncated;
  if (truncated) out["Marker"] = crypto::base64_encode(items[i - 1].key);
  return std::nullopt;
}

struct PolicyArnParts {
  std::string account;  // 12 digits or "aws"
  std::string path;
  std::string name;
};

// arn:aws:iam::<account>:policy<path><name>
std::optional<PolicyArnParts> parse_policy_arn(const std::string& arn) {
  static const std::string prefix = "arn:aws:iam::";
  if (arn.rfind(prefix, 0) != 0) return std::nullopt;
  auto colon = arn.find(':', prefix.size());
  if (colon == std::string::npos) return std::nullopt;
  PolicyArnParts p;
  p.account = arn.substr(prefix.size(), colon - prefix.size());
  std::string rest = arn.substr(colon + 1);
  if (rest.rfind("policy/", 0) != 0) return std::nullopt;
  auto slash = rest.rfind('/');
  p.path = rest.substr(6, slash - 6 + 1);
  p.name = rest.substr(slash + 1);
  if (p.name.empty()) return std::nullopt;
  return p;
}

struct RoleRow {
  std::string name, path, role_id, arn, trust;
  int64_t create_date = 0;
  std::optional<std::string> description;
  int64_t max_session = 3600;
  std::optional<std::string> boundary;
};

struct UserRow {
  std::string name, path, user_id, arn;
  int64_t create_date = 0;
  std::optional<std::string> boundary;
};

struct PolicyRow {
  std::string name, path, policy_id, arn, default_version;
  std::optional<std::string> description;
  int64_t create_date = 0, update_date = 0, next_version = 2;
  bool aws_managed = false;
};

json boundary_json(const std::string& arn) {
  return {{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"}, {"PermissionsBoundaryArn", arn}};
}

class IamService final : public Service, public CredentialResolver {
 public:
  explicit IamService(const ServiceEnv& env) : env_(env), db_(env.db_path("iam")) { init_schema(); }

  std::string_view name() const override { return "iam"; }

  Result call(const RequestContext& ctx, const std::string& operation, json input) override {
    using Handler = Result (IamService::*)(const RequestContext&, const json&);
    static const std::unordered_map<std::string, Handler> handlers = {
        {"CreateRole", &IamService::create_role},
        {"GetRole", &IamService::get_role},
        {"ListRoles", &IamService::list_roles},
        {"DeleteRole", &IamService::delete_role},
        {"UpdateRole", &IamService::update_role},
        {"UpdateRoleDescription", &IamService::update_role_description},
        {"UpdateAssumeRolePolicy", &IamService::update_assume_role_policy},
        {"TagRole", &IamService::tag_role},
        {"UntagRole", &IamService::untag_role},
        {"ListRoleTags", &IamService::list_role_tags},
        {"PutRolePermissionsBoundary", &IamService::put_role_boundary},
        {"DeleteRolePermissionsBoundary", &IamService::delete_role_boundary},
        {"PutRolePolicy", &IamService::put_role_policy},
        {"GetRolePolicy", &IamService::get_role_policy},
        {"ListRolePolicies", &IamService::list_role_policies},
        {"DeleteRolePolicy", &IamService::delete_role_policy},
        {"AttachRolePolicy", &IamService::attach_role_policy},
        {"DetachRolePolicy", &IamService::detach_role_policy},
        {"ListAttachedRolePolicies", &IamService::list_attached_role_policies},
        {"CreatePolicy", &IamService::create_policy},
        {"GetPolicy", &IamService::get_policy},
        {"ListPolicies", &IamService::list_policies},
        {"DeletePolicy", &IamService::delete_policy},
        {"CreatePolicyVersion", &IamService::create_policy_version},
        {"GetPolicyVersion", &IamService::get_policy_version},
        {"ListPolicyVersions", &IamService::list_policy_versions},
        {"DeletePolicyVersion", &IamService::delete_policy_version},
        {"SetDefaultPolicyVersion", &IamService::set_default_policy_version},
        {"TagPolicy", &IamService::tag_policy},
        {"UntagPolicy", &IamService::untag_policy},
        {"ListPolicyTags", &IamService::list_policy_tags},
        {"ListEntitiesForPolicy", &IamService::list_entities_for_policy},
        {"CreateUser", &IamService::create_user},
        {"GetUser", &IamService::get_user},
        {"ListUsers", &IamService::list_users},
        {"DeleteUser", &IamService::delete_user},
        {"UpdateUser", &IamService::update_user},
        {"TagUser", &IamService::tag_user},
        {"UntagUser", &IamService::untag_user},
        {"ListUserTags", &IamService::list_user_tags},
        {"PutUserPermissionsBoundary", &IamService::put_user_boundary},
        {"DeleteUserPermissionsBoundary", &IamService::delete_user_boundary},
        {"PutUserPolicy", &IamService::put_user_policy},
        {"GetUserPolicy", &IamService::get_user_policy},
        {"ListUserPolicies", &IamService::list_user_policies},
        {"DeleteUserPolicy", &IamService::delete_user_policy},
        {"AttachUserPolicy", &IamService::attach_user_policy},
        {"DetachUserPolicy", &IamService::detach_user_policy},
        {"ListAttachedUserPolicies", &IamService::list_attached_user_policies},
        {"CreateAccessKey", &IamService::create_access_key},
        {"ListAccessKeys", &IamService::list_access_keys},
        {"DeleteAccessKey", &IamService::delete_access_key},
        {"UpdateAccessKey", &IamService::update_access_key},
        {"GetAccessKeyLastUsed", &IamService::get_access_key_last_used},
        {"CreateInstanceProfile", &IamService::create_instance_profile},
        {"GetInstanceProfile", &IamService::get_instance_profile},
        {"DeleteInstanceProfile", &IamService::delete_instance_profile},
        {"ListInstanceProfiles", &IamService::list_instance_profiles},
        {"AddRoleToInstanceProfile", &IamService::add_role_to_instance_profile},
        {"RemoveRoleFromInstanceProfile", &IamService::remove_role_from_instance_profile},
        {"ListInstanceProfilesForRole", &IamService::list_instance_profiles_for_role},
    };
    auto it = handlers.find(operation);
    if (it == handlers.end()) return Result::fail(AwsError::invalid_action(operation));
    if (!input.is_object()) input = json::object();
    std::lock_guard lock(mu_);
    try {
      return (this->*(it->second))(ctx, input);
    } catch (const std::exception& e) {
      spdlog::error("iam {}: {}", operation, e.what());
      return Result::fail(AwsError::internal());
    }
  }

  void reset() override {
    std::lock_guard lock(mu_);
    storage::Transaction tx(db_);
    for (const char* t : {"roles", "users", "tags", "inline_policies", "policies", "policy_versions", "attachments",
                          "access_keys", "instance_profiles", "instance_profile_roles"})
      db_.exec(std::string("DELETE FROM ") + t);
    tx.commit();
  }

  std::optional<Principal> lookup(std::string_view access_key_id) const override {
    // Every request asks; only keys of the form this service issues reach the database.
    if (access_key_id.substr(0, 4) != "AKIA") return std::nullopt;
    std::lock_guard lock(mu_);
    try {
      auto st = db_.cached(
          "SELECT k.secret, k.account, k.user_name, k.status, u.user_id, u.arn FROM access_keys k "
          "LEFT JOIN users u ON u.account = k.account AND u.name = k.user_name WHERE k.access_key_id = ?");
      st->bind(1, access_key_id);
      if (!st->step()) return std::nullopt;
      if (st->text(3) != "Active") return std::nullopt;
      Principal p;
      p.access_key_id = std::string(access_key_id);
      p.secret_access_key = st->text(0);
      p.account_id = st->text(1);
      if (st->text(2).empty()) {  // the account's root keys
        p.arn = "arn:aws:iam::" + p.account_id + ":root";
        p.user_id = p.account_id;
      } else {
        if (st->is_null(4)) return std::nullopt;
        p.user_id = st->text(4);
        p.arn = st->text(5);
      }
      return p;
    } catch (const std::exception& e) {
      spdlog::error("iam credential lookup: {}", e.what());
      return std::nullopt;
    }
  }

 private:
  int64_t now() const { return env_.clock->epoch_seconds(); }

  void init_schema() {
    db_.exec(R"SQL(
      CREATE TABLE IF NOT EXISTS roles (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, role_id TEXT NOT NULL,
        arn TEXT NOT NULL, create_date INTEGER NOT NULL, trust TEXT NOT NULL, description TEXT,
        max_session INTEGER NOT NULL, boundary TEXT,
        PRIMARY KEY (account, name));
      CREATE TABLE IF NOT EXISTS users (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, user_id TEXT NOT NULL,
        arn TEXT NOT NULL, create_date INTEGER NOT NULL, boundary TEXT,
        PRIMARY KEY (account, name));
      CREATE TABLE IF NOT EXISTS tags (
        account TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE,
        key TEXT NOT NULL COLLATE NOCASE, value TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, kind, owner, key));
      CREATE TABLE IF NOT EXISTS inline_policies (
        account TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE,
        name TEXT NOT NULL COLLATE NOCASE, document TEXT NOT NULL,
        PRIMARY KEY (account, kind, owner, name));
      CREATE TABLE IF NOT EXISTS policies (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, policy_id TEXT NOT NULL,
        arn TEXT NOT NULL, description TEXT, create_date INTEGER NOT NULL, update_date INTEGER NOT NULL,
        default_version TEXT NOT NULL, next_version INTEGER NOT NULL,
        PRIMARY KEY (account, name));
      CREATE UNIQUE INDEX IF NOT EXISTS policies_arn ON policies (account, arn);
      CREATE TABLE IF NOT EXISTS policy_versions (
        account TEXT NOT NULL, policy_arn TEXT NOT NULL, version_id TEXT NOT NULL, seq INTEGER NOT NULL,
        document TEXT NOT NULL, create_date INTEGER NOT NULL,
        PRIMARY KEY (account, policy_arn, version_id));
      CREATE TABLE IF NOT EXISTS attachments (
        account TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (account, kind, owner, policy_arn));
      CREATE INDEX IF NOT EXISTS attachments_policy ON attachments (account, policy_arn);
      CREATE TABLE IF NOT EXISTS access_keys (
        access_key_id TEXT PRIMARY KEY, account TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE,
        secret TEXT NOT NULL, status TEXT NOT NULL, create_date INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS access_keys_user ON access_keys (account, user_name);
      CREATE TABLE IF NOT EXISTS instance_profiles (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, path TEXT NOT NULL, profile_id TEXT NOT NULL,
        arn TEXT NOT NULL, create_date INTEGER NOT NULL,
        PRIMARY KEY (account, name));
      CREATE TABLE IF NOT EXISTS instance_profile_roles (
        account TEXT NOT NULL, profile TEXT NOT NULL COLLATE NOCASE, role TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (account, profile, role));
    )SQL");
  }

  // ------------------------------------------------------------------ rows

  std::optional<RoleRow> load_role(const std::string& account, const std::string& name) {
    auto st = db_.cached(
        "SELECT name, path, role_id, arn, create_date, trust, description, max_session, boundary FROM roles "
        "WHERE account = ? AND name = ?");
    st->bind(1, account).bind(2, name);
    if (!st->step()) return std::nullopt;
    RoleRow r;
    r.name = st->text(0);
    r.path = st->text(1);
    r.role_id = st->text(2);
    r.arn = st->text(3);
    r.create_date = st->int64(4);
    r.trust = st->text(5);
    if (!st->is_null(6)) r.description = st->text(6);
    r.max_session = st->int64(7);
    if (!st->is_null(8)) r.boundary = st->text(8);
    return r;
  }

  std::optional<UserRow> load_user(const std::string& account, const std::string& name) {
    auto st = db_.cached(
        "SELECT name, path, user_id, arn, create_date, boundary FROM users WHERE account = ? AND name = ?");
    st->bind(1, account).bind(2, name);
    if (!st->step()) return std::nullopt;
    UserRow u;
    u.name = st->text(0);
    u.path = st->text(1);
    u.user_id = st->text(2);
    u.arn = st->text(3);
    u.create_date = st->int64(4);
    if (!st->is_null(5)) u.boundary = st->text(5);
    return u;
  }

  // Name of the entity when it exists (with its stored case), else nullopt.
  std::optional<std::string> entity_name(Kind kind, const std::string& account, const std::string& name) {
    if (kind == Kind::Role) {
      auto r = load_role(account, name);
      return r ? std::optional(r->name) : std::nullopt;
    }
    auto u = load_user(account, name);
    return u ? std::optional(u->name) : std::nullopt;
  }

  static AwsError entity_not_found(Kind kind, const std::string& name) {
    return no_such_entity(std::string("The ") + kind_str(kind) + " with name " + name + " cannot be found.");
  }

  std::optional<PolicyRow> load_policy(const std::string& account, const std::string& arn) {
    if (const AwsManagedPolicy* m = find_aws_managed_policy(arn)) {
      PolicyRow p;
      p.name = m->name;
      p.path = m->path;
      p.policy_id = m->policy_id;
      p.arn = m->arn;
      p.default_version = m->default_version;
      p.description = m->description;
      p.create_date = m->create_date;
      p.update_date = m->update_date;
      p.aws_managed = true;
      return p;
    }
    auto st = db_.cached(
        "SELECT name, path, policy_id, arn, description, create_date, update_date, default_version, next_version "
        "FROM policies WHERE account = ? AND arn = ?");
    st->bind(1, account).bind(2, arn);
    if (!st->step()) return std::nullopt;
    PolicyRow p;
    p.name = st->text(0);
    p.path = st->text(1);
    p.policy_id = st->text(2);
    p.arn = st->text(3);
    if (!st->is_null(4)) p.description = st->text(4);
    p.create_date = st->int64(5);
    p.update_date = st->int64(6);
    p.default_version = st->text(7);
    p.next_version = st->int64(8);
    return p;
  }

  int64_t attachment_count(const std::string& account, const std::string& arn) {
    auto st = db_.cached("SELECT COUNT(*) FROM attachments WHERE account = ? AND policy_arn = ?");
    st->bind(1, account).bind(2, arn);
    st->step();
    return st->int64(0);
  }

  int64_t boundary_count(const std::string& account, const std::string& arn) {
    auto st = db_.cached(
        "SELECT (SELECT COUNT(*) FROM roles WHERE account = ?1 AND boundary = ?2) + "
        "(SELECT COUNT(*) FROM users WHERE account = ?1 AND boundary = ?2)");
    st->bind(1, account).bind(2, arn);
    st->step();
    return st->int64(0);
  }

  json tags_json(const std::string& account, const char* kind, const std::string& owner) {
    json arr = json::array();
    auto st = db_.cached("SELECT key, value FROM tags WHERE account = ? AND kind = ? AND owner = ? ORDER BY seq");
    st->bind(1, account).bind(2, kind).bind(3, owner);
    while (st->step()) arr.push_back({{"Key", st->text(0)}, {"Value", st->text(1)}});
    return arr;
  }

  json role_json(const std::string& account, const RoleRow& r, bool full) {
    json j = {{"Path", r.path},
              {"RoleName", r.name},
              {"RoleId", r.role_id},
              {"Arn", r.arn},
              {"CreateDate", r.create_date},
              {"AssumeRolePolicyDocument", url_encode(r.trust)},
              {"MaxSessionDuration", r.max_session}};
    if (r.description) j["Description"] = *r.description;
    if (full) {
      if (r.boundary) j["PermissionsBoundary"] = boundary_json(*r.boundary);
      json tags = tags_json(account, "role", r.name);
      if (!tags.empty()) j["Tags"] = std::move(tags);
      j["RoleLastUsed"] = json::object();
    }
    return j;
  }

  json user_json(const std::string& account, const UserRow& u, bool full) {
    json j = {{"Path", u.path},
              {"UserName", u.name},
              {"UserId", u.user_id},
              {"Arn", u.arn},
              {"CreateDate", u.create_date}};
    if (full) {
      if (u.boundary) j["PermissionsBoundary"] = boundary_json(*u.boundary);
      json tags = tags_json(account, "user", u.name);
      if (!tags.empty()) j["Tags"] = std::move(tags);
    }
    return j;
  }

  json policy_json(const std::string& account, const PolicyRow& p, bool full) {
    json j = {{"PolicyName", p.name},
              {"PolicyId", p.policy_id},
              {"Arn", p.arn},
              {"Path", p.path},
              {"DefaultVersionId", p.default_version},
              {"AttachmentCount", attachment_count(account, p.arn)},
              {"PermissionsBoundaryUsageCount", boundary_count(account, p.arn)},
              {"IsAttachable", true},
              {"CreateDate", p.create_date},
              {"UpdateDate", p.update_date}};
    if (full) {
      if (p.description) j["Description"] = *p.description;
      if (!p.aws_managed) {
        json tags = tags_json(account, "policy", p.arn);
        if (!tags.empty()) j["Tags"] = std::move(tags);
      }
    }
    return j;
  }

  // ------------------------------------------------------------------ shared checks

  // Tags of a create/tag call: duplicate keys (case-insensitive) are refused.
  std::optional<AwsError> check_tag_keys(const std::vector<Validator::Tag>& tags) {
    for (size_t i = 0; i < tags.size(); ++i)
      for (size_t j = i + 1; j < tags.size(); ++j)
        if (lower(tags[i].key) == lower(tags[j].key))
          return invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    return std::nullopt;
  }

  std::optional<AwsError> add_tags(const std::string& account, const char* kind, const std::string& owner,
                                   const std::vector<Validator::Tag>& tags, const char* quota_name) {
    if (auto err = check_tag_keys(tags)) return err;
    // Count the keys the result would hold.
    json existing = tags_json(account, kind, owner);
    size_t total = existing.size();
    for (const auto& t : tags) {
      bool found = false;
      for (const auto& e : existing)
        if (lower(e["Key"].get<std::string>()) == lower(t.key)) found = true;
      if (!found) ++total;
    }
    if (total > 50) return limit_exceeded(std::string("Cannot exceed quota for ") + quota_name + ": 50");
    for (const auto& t : tags) {
      auto up = db_.cached("UPDATE tags SET value = ? WHERE account = ? AND kind = ? AND owner = ? AND key = ?");
      up->bind(1, t.value).bind(2, account).bind(3, kind).bind(4, owner).bind(5, t.key);
      up->run();
      if (db_.changes() == 0) {
        auto ins = db_.cached(
            "INSERT INTO tags (account, kind, owner, key, value, seq) VALUES (?, ?, ?, ?, ?, "
            "(SELECT COALESCE(MAX(seq), 0) + 1 FROM tags WHERE account = ?1 AND kind = ?2 AND owner = ?3))");
        ins->bind(1, account).bind(2, kind).bind(3, owner).bind(4, t.key).bind(5, t.value);
        ins->run();
      }
    }
    return std::nullopt;
  }

  void remove_tags(const std::string& account, const char* kind, const std::string& owner,
                   const std::vector<std::string>& keys) {
    for (const auto& k : keys) {
      auto st = db_.cached("DELETE FROM tags WHERE account = ? AND kind = ? AND owner = ? AND key = ?");
      st->bind(1, account).bind(2, kind).bind(3, owner).bind(4, k);
      st->run();
    }
  }

  void delete_owner_rows(const std::string& account, const char* kind, const std::string& owner) {
    for (const char* table : {"tags", "inline_policies", "attachments"}) {
      auto st = db_.cached(std::string("DELETE FROM ") + table + " WHERE account = ? AND kind = ? AND owner = ?");
      st->bind(1, account).bind(2, kind).bind(3, owner);
      st->run();
    }
  }

  // Resolves a policy ARN given to Attach*/boundary calls: NoSuchEntity "... does not exist or
  // is not attachable." as AWS words it. InvalidInput for something that is not a policy ARN.
  std::optional<AwsError> check_attachable(const std::string& account, const std::string& arn) {
    if (!parse_policy_arn(arn)) return invalid_input("ARN " + arn + " is not valid.");
    if (!load_policy(account, arn)) return no_such_entity("Policy " + arn + " does not exist or is not attachable.");
    return std::nullopt;
  }

  // Validates a policy ARN argument and loads the policy (NoSuchEntity "... was not found.").
  std::variant<PolicyRow, AwsError> policy_arg(const std::string& account, const std::string& arn) {
    if (!parse_policy_arn(arn)) return invalid_input("ARN " + arn + " is not valid.");
    auto p = load_policy(account, arn);
    if (!p) return no_such_entity("Policy " + arn + " was not found.");
    return *p;
  }

  static std::optional<std::string> caller_user_name(const RequestContext& ctx) {
    std::string prefix = "arn:aws:iam::" + ctx.account_id + ":user/";
    if (ctx.caller_arn.rfind(prefix, 0) != 0) return std::nullopt;
    auto slash = ctx.caller_arn.rfind('/');
    return ctx.caller_arn.substr(slash + 1);
  }

  // ------------------------------------------------------------------ roles

  Result create_role(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto path = v.str("Path", false, 1, 512, Pattern::Path);
    auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
    auto doc = v.str("AssumeRolePolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
    auto desc = v.str("Description", false, 0, 1000, Pattern::Description);
    auto max_session = v.integer("MaxSessionDuration", false, 3600, 43200);
    auto boundary = v.str("PermissionsBoundary", false, 20, 2048);
    auto tags = v.tags("Tags", false);
    if (auto err = v.error()) return Result::fail(*err);
    if (auto err = check_policy_document(*doc, PolicyKind::Trust)) return Result::fail(*err);
    if (policy_size(*doc) > kTrustPolicyQuota)
      return Result::fail(limit_exceeded("Cannot exceed quota for ACLSizePerRole: 2048"));
    if (auto err = check_tag_keys(tags)) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    if (boundary)
      if (auto err = check_attachable(acct, *boundary)) return Result::fail(*err);
    if (load_role(acct, *name)) return Result::fail(already_exists("Role with name " + *name + " already exists."));

    RoleRow r;
    r.name = *name;
    r.path = path.value_or("/");
    r.role_id = ids::iam_unique_id("AROA");
    r.arn = "arn:aws:iam::" + acct + ":role" + r.path + r.name;
    r.create_date = now();
    r.trust = *doc;
    r.description = desc;
    r.max_session = max_session.value_or(3600);
    r.boundary = boundary;
    storage::Transaction tx(db_);
    auto st = db_.cached(
        "INSERT INTO roles (account, name, path, role_id, arn, create_date, trust, description, max_session, boundary) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, acct).bind(2, r.name).bind(3, r.path).bind(4, r.role_id).bind(5, r.arn).bind(6, r.create_date);
    st->bind(7, r.trust);
    if (r.description) st->bind(8, *r.description); else st->bind_null(8);
    st->bind(9, r.max_session);
    if (r.boundary) st->bind(10, *r.boundary); else st->bind_null(10);
    st->run();
    if (auto err = add_tags(acct, "role", r.name, tags, "TagsPerRole")) return Result::fail(*err);
    tx.commit();
    json role = role_json(acct, r, true);
    role.erase("RoleLastUsed");
    return Result::ok({{"Role", role}});
  }

  // Validates RoleName and loads the role.
  std::variant<RoleRow, AwsError> role_arg(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
    if (auto err = v.error()) return *err;
    auto r = load_role(ctx.account_id, *name);
    if (!r) return entity_not_found(Kind::Role, *name);
    return *r;
  }

  Result get_role(const RequestContext& ctx, const json& in) {
    auto r = role_arg(ctx, in);
    if (auto* e = std::get_if<AwsError>(&r)) return Result::fail(*e);
    return Result::ok({{"Role", role_json(ctx.account_id, std::get<RoleRow>(r), true)}});
  }

  Result list_roles(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PathPrefix);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    std::vector<Keyed> items;
    auto st = db_.cached(
        "SELECT name, path, role_id, arn, create_date, trust, description, max_session, boundary FROM roles "
        "WHERE account = ?");
    st->bind(1, ctx.account_id);
    while (st->step()) {
      RoleRow r;
      r.name = st->text(0);
      r.path = st->text(1);
      if (prefix && r.path.rfind(*prefix, 0) != 0) continue;
      r.role_id = st->text(2);
      r.arn = st->text(3);
      r.create_date = st->int64(4);
      r.trust = st->text(5);
      if (!st->is_null(6)) r.description = st->text(6);
      r.max_session = st->int64(7);
      items.push_back({r.name, role_json(ctx.account_id, r, false)});
    }
    json out;
    if (auto err = paginate(items, in, "Roles", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result delete_role(const RequestContext& ctx, const json& in) {
    auto r = role_arg(ctx, in);
    if (auto* e = std::get_if<AwsError>(&r)) return Result::fail(*e);
    const auto& role = std::get<RoleRow>(r);
    const std::string& acct = ctx.account_id;
    {
      auto st = db_.cached("SELECT COUNT(*) FROM instance_profile_roles WHERE account = ? AND role = ?");
      st->bind(1, acct).bind(2, role.name);
      st->step();
      if (st->int64(0) > 0)
        return Result::fail(delete_conflict("Cannot delete entity, must remove roles from instance profile first."));
    }
    {
      auto st = db_.cached("SELECT COUNT(*) FROM attachments WHERE account = ? AND kind = 'role' AND owner = ?");
      st->bind(1, acct).bind(2, role.name);
      st->step();
      if (st->int64(0) > 0) return Result::fail(delete_conflict("Cannot delete entity, must detach all policies first."));
    }
    {
      auto st = db_.cached("SELECT COUNT(*) FROM inline_policies WHERE account = ? AND kind = 'role' AND owner = ?");
      st->bind(1, acct).bind(2, role.name);
      st->step();
      if (st->int64(0) > 0) return Result::fail(delete_conflict("Cannot delete entity, must delete policies first."));
    }
    storage::Transaction tx(db_);
    auto st = db_.cached("DELETE FROM roles WHERE account = ? AND name = ?");
    st->bind(1, acct).bind(2, role.name);
    st->run();
    delete_owner_rows(acct, "role", role.name);
    tx.commit();
    return Result::ok();
  }

  Result update_role(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
    auto desc = v.str("Description", false, 0, 1000, Pattern::Description);
    auto max_session = v.integer("MaxSessionDuration", false, 3600, 43200);
    if (auto err = v.error()) return Result::fail(*err);
    auto role = load_role(ctx.account_id, *name);
    if (!role) return Result::fail(entity_not_found(Kind::Role, *name));
    if (desc) {
      auto st = db_.cached("UPDATE roles SET description = ? WHERE account = ? AND name = ?");
      st->bind(1, *desc).bind(2, ctx.account_id).bind(3, role->name);
      st->run();
    }
    if (max_session) {
      auto st = db_.cached("UPDATE roles SET max_session = ? WHERE account = ? AND name = ?");
      st->bind(1, *max_session).bind(2, ctx.account_id).bind(3, role->name);
      st->run();
    }
    return Result::ok();
  }

  Result update_role_description(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
    auto desc = v.str("Description", true, 0, 1000, Pattern::Description);
    if (auto err = v.error()) return Result::fail(*err);
    auto role = load_role(ctx.account_id, *name);
    if (!role) return Result::fail(entity_not_found(Kind::Role, *name));
    auto st = db_.cached("UPDATE roles SET description = ? WHERE account = ? AND name = ?");
    st->bind(1, *desc).bind(2, ctx.account_id).bind(3, role->name);
    st->run();
    role->description = *desc;
    return Result::ok({{"Role", role_json(ctx.account_id, *role, true)}});
  }

  Result update_assume_role_policy(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
    auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
    if (auto err = v.error()) return Result::fail(*err);
    auto role = load_role(ctx.account_id, *name);
    if (!role) return Result::fail(entity_not_found(Kind::Role, *name));
    if (auto err = check_policy_document(*doc, PolicyKind::Trust)) return Result::fail(*err);
    if (policy_size(*doc) > kTrustPolicyQuota)
      return Result::fail(limit_exceeded("Cannot exceed quota for ACLSizePerRole: 2048"));
    auto st = db_.cached("UPDATE roles SET trust = ? WHERE account = ? AND name = ?");
    st->bind(1, *doc).bind(2, ctx.account_id).bind(3, role->name);
    st->run();
    return Result::ok();
  }

  // ---- tags of roles, users and policies

  Result tag_entity(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 128, Pattern::Name);
    auto tags = v.tags("Tags", true);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    storage::Transaction tx(db_);
    if (auto err = add_tags(ctx.account_id, kind_str(kind), *owner, tags,
                            kind == Kind::Role ? "TagsPerRole" : "TagsPerUser"))
      return Result::fail(*err);
    tx.commit();
    return Result::ok();
  }

  Result untag_entity(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 128, Pattern::Name);
    auto keys = v.string_list("TagKeys", true, 50, 1, 128, Pattern::TagKey);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    storage::Transaction tx(db_);
    remove_tags(ctx.account_id, kind_str(kind), *owner, keys);
    tx.commit();
    return Result::ok();
  }

  Result list_entity_tags(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 128, Pattern::Name);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    return list_tags_page(ctx.account_id, kind_str(kind), *owner, in);
  }

  Result list_tags_page(const std::string& account, const char* kind, const std::string& owner, const json& in) {
    // Tags keep their insertion order; the marker is the ordinal of the last one returned.
    json tags = tags_json(account, kind, owner);
    std::vector<Keyed> items;
    size_t i = 0;
    for (auto& t : tags) {
      char key[16];
      std::snprintf(key, sizeof key, "%08zu", i++);
      items.push_back({key, std::move(t)});
    }
    json out;
    if (auto err = paginate(items, in, "Tags", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result tag_role(const RequestContext& c, const json& in) { return tag_entity(Kind::Role, c, in); }
  Result untag_role(const RequestContext& c, const json& in) { return untag_entity(Kind::Role, c, in); }
  Result list_role_tags(const RequestContext& c, const json& in) { return list_entity_tags(Kind::Role, c, in); }
  Result tag_user(const RequestContext& c, const json& in) { return tag_entity(Kind::User, c, in); }
  Result untag_user(const RequestContext& c, const json& in) { return untag_entity(Kind::User, c, in); }
  Result list_user_tags(const RequestContext& c, const json& in) { return list_entity_tags(Kind::User, c, in); }

  std::variant<PolicyRow, AwsError> local_policy_arg(const RequestContext& ctx, const json& in, Validator& v) {
    auto arn = v.str("PolicyArn", true, 20, 2048);
    if (auto err = v.error()) return *err;
    auto p = policy_arg(ctx.account_id, *arn);
    if (auto* e = std::get_if<AwsError>(&p)) return *e;
    if (std::get<PolicyRow>(p).aws_managed)
      return AwsError{"AccessDenied", "An AWS managed policy cannot be modified.", 403};
    return p;
  }

  Result tag_policy(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto tags = v.tags("Tags", true);
    auto p = local_policy_arg(ctx, in, v);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    storage::Transaction tx(db_);
    if (auto err = add_tags(ctx.account_id, "policy", std::get<PolicyRow>(p).arn, tags, "TagsPerPolicy"))
      return Result::fail(*err);
    tx.commit();
    return Result::ok();
  }

  Result untag_policy(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto keys = v.string_list("TagKeys", true, 50, 1, 128, Pattern::TagKey);
    auto p = local_policy_arg(ctx, in, v);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    storage::Transaction tx(db_);
    remove_tags(ctx.account_id, "policy", std::get<PolicyRow>(p).arn, keys);
    tx.commit();
    return Result::ok();
  }

  Result list_policy_tags(const RequestContext& ctx, const json& in) {
    Validator v(in);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    auto p = local_policy_arg(ctx, in, v);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    return list_tags_page(ctx.account_id, "policy", std::get<PolicyRow>(p).arn, in);
  }

  // ---- permissions boundaries

  Result put_boundary(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 128, Pattern::Name);
    auto arn = v.str("PermissionsBoundary", true, 20, 2048);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    if (auto err = check_attachable(ctx.account_id, *arn)) return Result::fail(*err);
    auto st = db_.cached(std::string("UPDATE ") + (kind == Kind::Role ? "roles" : "users") +
                         " SET boundary = ? WHERE account = ? AND name = ?");
    st->bind(1, *arn).bind(2, ctx.account_id).bind(3, *owner);
    st->run();
    return Result::ok();
  }

  Result delete_boundary(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    auto st = db_.cached(std::string("UPDATE ") + (kind == Kind::Role ? "roles" : "users") +
                         " SET boundary = NULL WHERE account = ? AND name = ?");
    st->bind(1, ctx.account_id).bind(2, *owner);
    st->run();
    return Result::ok();
  }

  Result put_role_boundary(const RequestContext& c, const json& in) { return put_boundary(Kind::Role, c, in); }
  Result delete_role_boundary(const RequestContext& c, const json& in) { return delete_boundary(Kind::Role, c, in); }
  Result put_user_boundary(const RequestContext& c, const json& in) { return put_boundary(Kind::User, c, in); }
  Result delete_user_boundary(const RequestContext& c, const json& in) { return delete_boundary(Kind::User, c, in); }

  // ------------------------------------------------------------------ inline policies

  std::optional<std::string> entity_name_arg(Kind kind, Validator& v) {
    return kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                              : v.str("UserName", true, 1, 128, Pattern::Name);
  }

  Result put_inline(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = entity_name_arg(kind, v);
    auto pname = v.str("PolicyName", true, 1, 128, Pattern::Name);
    auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto owner = entity_name(kind, acct, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    if (auto err = check_policy_document(*doc, PolicyKind::Identity)) return Result::fail(*err);
    // Aggregate size of the entity's inline policies, the replaced one excluded.
    size_t total = policy_size(*doc);
    {
      auto st = db_.cached(
          "SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? AND owner = ?");
      st->bind(1, acct).bind(2, kind_str(kind)).bind(3, *owner);
      while (st->step())
        if (lower(st->text(0)) != lower(*pname)) total += policy_size(st->text_view(1));
    }
    size_t quota = kind == Kind::Role ? kRoleInlinePolicyQuota : kUserInlinePolicyQuota;
    if (total > quota)
      return Result::fail(limit_exceeded("Maximum policy size of " + std::to_string(quota) + " bytes exceeded for " +
                                         kind_str(kind) + " " + *owner));
    auto st = db_.cached(
        "INSERT INTO inline_policies (account, kind, owner, name, document) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account, kind, owner, name) DO UPDATE SET document = excluded.document");
    st->bind(1, acct).bind(2, kind_str(kind)).bind(3, *owner).bind(4, *pname).bind(5, *doc);
    st->run();
    return Result::ok();
  }

  Result get_inline(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = entity_name_arg(kind, v);
    auto pname = v.str("PolicyName", true, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    auto st = db_.cached(
        "SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?");
    st->bind(1, ctx.account_id).bind(2, kind_str(kind)).bind(3, *owner).bind(4, *pname);
    if (!st->step())
      return Result::fail(no_such_entity(std::string("The ") + kind_str(kind) + " policy with name " + *pname +
                                         " cannot be found."));
    json out = {{kind == Kind::Role ? "RoleName" : "UserName", *owner},
                {"PolicyName", st->text(0)},
                {"PolicyDocument", url_encode(st->text(1))}};
    return Result::ok(std::move(out));
  }

  Result list_inline(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = entity_name_arg(kind, v);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    std::vector<Keyed> items;
    auto st = db_.cached("SELECT name FROM inline_policies WHERE account = ? AND kind = ? AND owner = ?");
    st->bind(1, ctx.account_id).bind(2, kind_str(kind)).bind(3, *owner);
    while (st->step()) items.push_back({st->text(0), st->text(0)});
    json out;
    if (auto err = paginate(items, in, "PolicyNames", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result delete_inline(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = entity_name_arg(kind, v);
    auto pname = v.str("PolicyName", true, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = entity_name(kind, ctx.account_id, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    auto st = db_.cached("DELETE FROM inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?");
    st->bind(1, ctx.account_id).bind(2, kind_str(kind)).bind(3, *owner).bind(4, *pname);
    st->run();
    if (db_.changes() == 0)
      return Result::fail(no_such_entity(std::string("The ") + kind_str(kind) + " policy with name " + *pname +
                                         " cannot be found."));
    return Result::ok();
  }

  Result put_role_policy(const RequestContext& c, const json& in) { return put_inline(Kind::Role, c, in); }
  Result get_role_policy(const RequestContext& c, const json& in) { return get_inline(Kind::Role, c, in); }
  Result list_role_policies(const RequestContext& c, const json& in) { return list_inline(Kind::Role, c, in); }
  Result delete_role_policy(const RequestContext& c, const json& in) { return delete_inline(Kind::Role, c, in); }
  Result put_user_policy(const RequestContext& c, const json& in) { return put_inline(Kind::User, c, in); }
  Result get_user_policy(const RequestContext& c, const json& in) { return get_inline(Kind::User, c, in); }
  Result list_user_policies(const RequestContext& c, const json& in) { return list_inline(Kind::User, c, in); }
  Result delete_user_policy(const RequestContext& c, const json& in) { return delete_inline(Kind::User, c, in); }

  // ------------------------------------------------------------------ attachments

  Result attach(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 64, Pattern::Name);
    auto arn = v.str("PolicyArn", true, 20, 2048);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto owner = entity_name(kind, acct, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    if (auto err = check_attachable(acct, *arn)) return Result::fail(*err);
    if (kind == Kind::Role && arn->find(":policy/aws-service-role/") != std::string::npos)
      return Result::fail(
          {"PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400});
    auto exists = db_.cached(
        "SELECT COUNT(*) FROM attachments WHERE account = ? AND kind = ? AND owner = ? AND policy_arn = ?");
    exists->bind(1, acct).bind(2, kind_str(kind)).bind(3, *owner).bind(4, *arn);
    exists->step();
    if (exists->int64(0) > 0) return Result::ok();  // attaching twice is a no-op
    auto count = db_.cached("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM attachments WHERE account = ? AND kind = ? "
                            "AND owner = ?");
    count->bind(1, acct).bind(2, kind_str(kind)).bind(3, *owner);
    count->step();
    if (count->int64(0) >= kAttachedPoliciesQuota)
      return Result::fail(limit_exceeded(std::string("Cannot exceed quota for PoliciesPer") + kind_title(kind) +
                                         ": " + std::to_string(kAttachedPoliciesQuota)));
    int64_t seq = count->int64(1) + 1;
    auto st = db_.cached("INSERT INTO attachments (account, kind, owner, policy_arn, seq) VALUES (?, ?, ?, ?, ?)");
    st->bind(1, acct).bind(2, kind_str(kind)).bind(3, *owner).bind(4, *arn).bind(5, seq);
    st->run();
    return Result::ok();
  }

  Result detach(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 64, Pattern::Name);
    auto arn = v.str("PolicyArn", true, 20, 2048);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto owner = entity_name(kind, acct, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    if (!parse_policy_arn(*arn)) return Result::fail(invalid_input("ARN " + *arn + " is not valid."));
    auto st = db_.cached("DELETE FROM attachments WHERE account = ? AND kind = ? AND owner = ? AND policy_arn = ?");
    st->bind(1, acct).bind(2, kind_str(kind)).bind(3, *owner).bind(4, *arn);
    st->run();
    if (db_.changes() == 0) return Result::fail(no_such_entity("Policy " + *arn + " was not found."));
    return Result::ok();
  }

  Result list_attached(Kind kind, const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                                   : v.str("UserName", true, 1, 64, Pattern::Name);
    auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PolicyPath);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto owner = entity_name(kind, acct, *name);
    if (!owner) return Result::fail(entity_not_found(kind, *name));
    std::vector<std::string> arns;
    {
      auto st = db_.cached(
          "SELECT policy_arn FROM attachments WHERE account = ? AND kind = ? AND owner = ? ORDER BY seq");
      st->bind(1, acct).bind(2, kind_str(kind)).bind(3, *owner);
      while (st->step()) arns.push_back(st->text(0));
    }
    std::vector<Keyed> items;
    size_t i = 0;
    for (const auto& arn : arns) {
      auto p = load_policy(acct, arn);
      if (!p) continue;
      if (prefix && p->path.rfind(*prefix, 0) != 0) continue;
      char key[16];
      std::snprintf(key, sizeof key, "%08zu", i++);
      items.push_back({key, {{"PolicyName", p->name}, {"PolicyArn", p->arn}}});
    }
    json out;
    if (auto err = paginate(items, in, "AttachedPolicies", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result attach_role_policy(const RequestContext& c, const json& in) { return attach(Kind::Role, c, in); }
  Result detach_role_policy(const RequestContext& c, const json& in) { return detach(Kind::Role, c, in); }
  Result list_attached_role_policies(const RequestContext& c, const json& in) { return list_attached(Kind::Role, c, in); }
  Result attach_user_policy(const RequestContext& c, const json& in) { return attach(Kind::User, c, in); }
  Result detach_user_policy(const RequestContext& c, const json& in) { return detach(Kind::User, c, in); }
  Result list_attached_user_policies(const RequestContext& c, const json& in) { return list_attached(Kind::User, c, in); }

  Result list_entities_for_policy(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto arn = v.str("PolicyArn", true, 20, 2048);
    auto filter = v.enumeration("EntityFilter", false, {"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"});
    auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::Path);
    auto usage = v.enumeration("PolicyUsageFilter", false, {"PermissionsPolicy", "PermissionsBoundary"});
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto p = policy_arg(acct, *arn);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    bool want_roles = !filter || *filter == "Role";
    bool want_users = !filter || *filter == "User";
    if (filter && (*filter == "LocalManagedPolicy" || *filter == "AWSManagedPolicy")) {
      bool aws = std::get<PolicyRow>(p).aws_managed;
      want_roles = want_users = (*filter == "AWSManagedPolicy") == aws;
    }
    bool permissions = !usage || *usage == "PermissionsPolicy";
    bool boundaries = !usage || *usage == "PermissionsBoundary";
    // One sorted list; each item remembers which output list it belongs to.
    std::vector<Keyed> items;
    auto collect = [&](Kind kind) {
      const char* table = kind == Kind::Role ? "roles" : "users";
      const char* id_col = kind == Kind::Role ? "role_id" : "user_id";
      std::string sql = std::string("SELECT e.name, e.") + id_col + ", e.path FROM " + table +
                        " e WHERE e.account = ?1 AND ((?3 AND EXISTS (SELECT 1 FROM attachments a WHERE a.account = "
                        "e.account AND a.kind = ?4 AND a.owner = e.name AND a.policy_arn = ?2)) OR (?5 AND e.boundary = ?2))";
      auto st = db_.cached(sql);
      st->bind(1, acct).bind(2, *arn).bind(3, permissions ? 1 : 0).bind(4, kind_str(kind)).bind(5, boundaries ? 1 : 0);
      while (st->step()) {
        std::string path = st->text(2);
        if (prefix && path.rfind(*prefix, 0) != 0) continue;
        json item = kind == Kind::Role ? json{{"RoleName", st->text(0)}, {"RoleId", st->text(1)}}
                                       : json{{"UserName", st->text(0)}, {"UserId", st->text(1)}};
        items.push_back({std::string(kind == Kind::Role ? "r:" : "u:") + st->text(0), std::move(item)});
      }
    };
    if (want_roles) collect(Kind::Role);
    if (want_users) collect(Kind::User);
    json page;
    if (auto err = paginate(items, in, "Items", page)) return Result::fail(*err);
    json out = {{"PolicyGroups", json::array()}, {"PolicyUsers", json::array()}, {"PolicyRoles", json::array()}};
    for (auto& item : page["Items"]) {
      if (item.contains("RoleName"))
        out["PolicyRoles"].push_back(std::move(item));
      else
        out["PolicyUsers"].push_back(std::move(item));
    }
    out["IsTruncated"] = page["IsTruncated"];
    if (page.contains("Marker")) out["Marker"] = page["Marker"];
    return Result::ok(std::move(out));
  }

  // ------------------------------------------------------------------ managed policies

  Result create_policy(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("PolicyName", true, 1, 128, Pattern::Name);
    auto path = v.str("Path", false, 1, 512, Pattern::PolicyPath);
    auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
    auto desc = v.str("Description", false, 0, 1000);
    auto tags = v.tags("Tags", false);
    if (auto err = v.error()) return Result::fail(*err);
    if (auto err = check_policy_document(*doc, PolicyKind::Identity)) return Result::fail(*err);
    if (policy_size(*doc) > kManagedPolicyQuota)
      return Result::fail(limit_exceeded("Cannot exceed quota for PolicySize: 6144"));
    if (auto err = check_tag_keys(tags)) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    {
      auto st = db_.cached("SELECT COUNT(*) FROM policies WHERE account = ? AND name = ?");
      st->bind(1, acct).bind(2, *name);
      st->step();
      if (st->int64(0) > 0)
        return Result::fail(
            already_exists("A policy called " + *name + " already exists. Duplicate names are not allowed."));
    }
    PolicyRow p;
    p.name = *name;
    p.path = path.value_or("/");
    p.policy_id = ids::iam_unique_id("ANPA");
    p.arn = "arn:aws:iam::" + acct + ":policy" + p.path + p.name;
    p.description = desc;
    p.create_date = p.update_date = now();
    p.default_version = "v1";
    p.next_version = 2;
    storage::Transaction tx(db_);
    auto st = db_.cached(
        "INSERT INTO policies (account, name, path, policy_id, arn, description, create_date, update_date, "
        "default_version, next_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, acct).bind(2, p.name).bind(3, p.path).bind(4, p.policy_id).bind(5, p.arn);
    if (p.description) st->bind(6, *p.description); else st->bind_null(6);
    st->bind(7, p.create_date).bind(8, p.update_date).bind(9, p.default_version).bind(10, p.next_version);
    st->run();
    insert_version(acct, p.arn, "v1", 1, *doc, p.create_date);
    if (auto err = add_tags(acct, "policy", p.arn, tags, "TagsPerPolicy")) return Result::fail(*err);
    tx.commit();
    json pol = policy_json(acct, p, true);
    pol.erase("Description");  // CreatePolicy does not echo the description
    return Result::ok({{"Policy", pol}});
  }

  void insert_version(const std::string& acct, const std::string& arn, const std::string& version, int64_t seq,
                      const std::string& doc, int64_t created) {
    auto st = db_.cached(
        "INSERT INTO policy_versions (account, policy_arn, version_id, seq, document, create_date) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    st->bind(1, acct).bind(2, arn).bind(3, version).bind(4, seq).bind(5, doc).bind(6, created);
    st->run();
  }

  Result get_policy(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto arn = v.str("PolicyArn", true, 20, 2048);
    if (auto err = v.error()) return Result::fail(*err);
    auto p = policy_arg(ctx.account_id, *arn);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    return Result::ok({{"Policy", policy_json(ctx.account_id, std::get<PolicyRow>(p), true)}});
  }

  Result list_policies(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto scope = v.enumeration("Scope", false, {"All", "AWS", "Local"});
    auto only_attached = v.boolean("OnlyAttached");
    auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PolicyPath);
    auto usage = v.enumeration("PolicyUsageFilter", false, {"PermissionsPolicy", "PermissionsBoundary"});
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    std::vector<PolicyRow> rows;
    std::string sc = scope.value_or("All");
    if (sc != "Local")
      for (const auto& m : aws_managed_policies()) rows.push_back(*load_policy(acct, m.arn));
    if (sc != "AWS") {
      std::vector<std::string> arns;
      auto st = db_.cached("SELECT arn FROM policies WHERE account = ?");
      st->bind(1, acct);
      while (st->step()) arns.push_back(st->text(0));
      for (const auto& a : arns)
        if (auto p = load_policy(acct, a)) rows.push_back(*p);
    }
    std::vector<Keyed> items;
    for (const auto& p : rows) {
      if (prefix && p.path.rfind(*prefix, 0) != 0) continue;
      json j = policy_json(acct, p, false);
      int64_t attached = j["AttachmentCount"].get<int64_t>();
      int64_t bounded = j["PermissionsBoundaryUsageCount"].get<int64_t>();
      if (only_attached.value_or(false) && attached == 0 && bounded == 0) continue;
      if (usage && *usage == "PermissionsPolicy" && only_attached.value_or(false) && attached == 0) continue;
      if (usage && *usage == "PermissionsBoundary" && only_attached.value_or(false) && bounded == 0) continue;
      items.push_back({p.name + "\x01" + p.policy_id, std::move(j)});  // markers stay short
    }
    json out;
    if (auto err = paginate(items, in, "Policies", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result delete_policy(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto p = local_policy_arg(ctx, in, v);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    const auto& pol = std::get<PolicyRow>(p);
    const std::string& acct = ctx.account_id;
    if (attachment_count(acct, pol.arn) > 0 || boundary_count(acct, pol.arn) > 0)
      return Result::fail(delete_conflict("Cannot delete a policy attached to entities."));
    {
      auto st = db_.cached("SELECT COUNT(*) FROM policy_versions WHERE account = ? AND policy_arn = ?");
      st->bind(1, acct).bind(2, pol.arn);
      st->step();
      if (st->int64(0) > 1)
        return Result::fail(delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy."));
    }
    storage::Transaction tx(db_);
    for (const char* sql : {"DELETE FROM policies WHERE account = ? AND arn = ?",
                            "DELETE FROM policy_versions WHERE account = ? AND policy_arn = ?",
                            "DELETE FROM tags WHERE account = ? AND kind = 'policy' AND owner = ?"}) {
      auto st = db_.cached(sql);
      st->bind(1, acct).bind(2, pol.arn);
      st->run();
    }
    tx.commit();
    return Result::ok();
  }

  json version_json(const std::string& version, const std::string& doc, bool is_default, int64_t created,
                    bool with_document) {
    json j = {{"VersionId", version}, {"IsDefaultVersion", is_default}, {"CreateDate", created}};
    if (with_document) j["Document"] = url_encode(doc);
    return j;
  }

  Result create_policy_version(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
    auto set_default = v.boolean("SetAsDefault");
    auto p = local_policy_arg(ctx, in, v);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    auto pol = std::get<PolicyRow>(p);
    const std::string& acct = ctx.account_id;
    if (auto err = check_policy_document(*doc, PolicyKind::Identity)) return Result::fail(*err);
    if (policy_size(*doc) > kManagedPolicyQuota)
      return Result::fail(limit_exceeded("Cannot exceed quota for PolicySize: 6144"));
    {
      auto st = db_.cached("SELECT COUNT(*) FROM policy_versions WHERE account = ? AND policy_arn = ?");
      st->bind(1, acct).bind(2, pol.arn);
      st->step();
      if (st->int64(0) >= kPolicyVersionsQuota)
        return Result::fail(limit_exceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
            "existing version."));
    }
    std::string version = "v" + std::to_string(pol.next_version);
    int64_t created = now();
    bool is_default = set_default.value_or(false);
    storage::Transaction tx(db_);
    insert_version(acct, pol.arn, version, pol.next_version, *doc, created);
    auto st = db_.cached(
        "UPDATE policies SET next_version = next_version + 1, default_version = CASE WHEN ?1 THEN ?2 ELSE "
        "default_version END, update_date = CASE WHEN ?1 THEN ?3 ELSE update_date END WHERE account = ?4 AND arn = ?5");
    st->bind(1, is_default ? 1 : 0).bind(2, version).bind(3, created).bind(4, acct).bind(5, pol.arn);
    st->run();
    tx.commit();
    return Result::ok({{"PolicyVersion", version_json(version, *doc, is_default, created, false)}});
  }

  Result get_policy_version(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto arn = v.str("PolicyArn", true, 20, 2048);
    auto version = v.str("VersionId", true, 0, 1 << 20, Pattern::VersionId);
    if (auto err = v.error()) return Result::fail(*err);
    auto p = policy_arg(ctx.account_id, *arn);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    const auto& pol = std::get<PolicyRow>(p);
    if (pol.aws_managed) {
      const AwsManagedPolicy* m = find_aws_managed_policy(pol.arn);
      if (*version != m->default_version) return Result::fail(version_not_found(pol.arn, *version));
      return Result::ok({{"PolicyVersion", version_json(*version, m->document, true, m->create_date, true)}});
    }
    auto st = db_.cached(
        "SELECT document, create_date FROM policy_versions WHERE account = ? AND policy_arn = ? AND version_id = ?");
    st->bind(1, ctx.account_id).bind(2, pol.arn).bind(3, *version);
    if (!st->step()) return Result::fail(version_not_found(pol.arn, *version));
    return Result::ok({{"PolicyVersion",
                        version_json(*version, st->text(0), *version == pol.default_version, st->int64(1), true)}});
  }

  static AwsError version_not_found(const std::string& arn, const std::string& version) {
    return no_such_entity("Policy " + arn + " version " + version + " does not exist or is not attachable.");
  }

  Result list_policy_versions(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto arn = v.str("PolicyArn", true, 20, 2048);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    auto p = policy_arg(ctx.account_id, *arn);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    const auto& pol = std::get<PolicyRow>(p);
    std::vector<Keyed> items;
    if (pol.aws_managed) {
      items.push_back({"0", version_json(pol.default_version, "", true, pol.create_date, false)});
    } else {
      // Newest first, as IAM lists them.
      auto st = db_.cached(
          "SELECT version_id, create_date, seq FROM policy_versions WHERE account = ? AND policy_arn = ? "
          "ORDER BY seq DESC");
      st->bind(1, ctx.account_id).bind(2, pol.arn);
      size_t i = 0;
      while (st->step()) {
        char key[16];
        std::snprintf(key, sizeof key, "%08zu", i++);
        std::string vid = st->text(0);
        items.push_back({key, version_json(vid, "", vid == pol.default_version, st->int64(1), false)});
      }
    }
    json out;
    if (auto err = paginate(items, in, "Versions", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result delete_policy_version(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto version = v.str("VersionId", true, 0, 1 << 20, Pattern::VersionId);
    auto p = local_policy_arg(ctx, in, v);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    const auto& pol = std::get<PolicyRow>(p);
    if (*version == pol.default_version)
      return Result::fail(delete_conflict("Cannot delete the default version of a policy."));
    auto st = db_.cached("DELETE FROM policy_versions WHERE account = ? AND policy_arn = ? AND version_id = ?");
    st->bind(1, ctx.account_id).bind(2, pol.arn).bind(3, *version);
    st->run();
    if (db_.changes() == 0) return Result::fail(version_not_found(pol.arn, *version));
    return Result::ok();
  }

  Result set_default_policy_version(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto version = v.str("VersionId", true, 0, 1 << 20, Pattern::VersionId);
    auto p = local_policy_arg(ctx, in, v);
    if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
    const auto& pol = std::get<PolicyRow>(p);
    {
      auto st = db_.cached(
          "SELECT COUNT(*) FROM policy_versions WHERE account = ? AND policy_arn = ? AND version_id = ?");
      st->bind(1, ctx.account_id).bind(2, pol.arn).bind(3, *version);
      st->step();
      if (st->int64(0) == 0) return Result::fail(version_not_found(pol.arn, *version));
    }
    auto st = db_.cached("UPDATE policies SET default_version = ?, update_date = ? WHERE account = ? AND arn = ?");
    st->bind(1, *version).bind(2, now()).bind(3, ctx.account_id).bind(4, pol.arn);
    st->run();
    return Result::ok();
  }

  // ------------------------------------------------------------------ users

  Result create_user(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto path = v.str("Path", false, 1, 512, Pattern::Path);
    auto name = v.str("UserName", true, 1, 64, Pattern::Name);
    auto boundary = v.str("PermissionsBoundary", false, 20, 2048);
    auto tags = v.tags("Tags", false);
    if (auto err = v.error()) return Result::fail(*err);
    if (auto err = check_tag_keys(tags)) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    if (boundary)
      if (auto err = check_attachable(acct, *boundary)) return Result::fail(*err);
    if (load_user(acct, *name)) return Result::fail(already_exists("User with name " + *name + " already exists."));
    UserRow u;
    u.name = *name;
    u.path = path.value_or("/");
    u.user_id = ids::iam_unique_id("AIDA");
    u.arn = "arn:aws:iam::" + acct + ":user" + u.path + u.name;
    u.create_date = now();
    u.boundary = boundary;
    storage::Transaction tx(db_);
    auto st = db_.cached(
        "INSERT INTO users (account, name, path, user_id, arn, create_date, boundary) VALUES (?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, acct).bind(2, u.name).bind(3, u.path).bind(4, u.user_id).bind(5, u.arn).bind(6, u.create_date);
    if (u.boundary) st->bind(7, *u.boundary); else st->bind_null(7);
    st->run();
    if (auto err = add_tags(acct, "user", u.name, tags, "TagsPerUser")) return Result::fail(*err);
    tx.commit();
    return Result::ok({{"User", user_json(acct, u, true)}});
  }

  Result get_user(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("UserName", false, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    if (!name) {
      name = caller_user_name(ctx);
      if (!name) {
        // The account's root user.
        return Result::ok({{"User",
                            {{"UserId", acct},
                             {"Arn", "arn:aws:iam::" + acct + ":root"},
                             {"CreateDate", int64_t{0}}}}});
      }
    }
    auto u = load_user(acct, *name);
    if (!u) return Result::fail(entity_not_found(Kind::User, *name));
    return Result::ok({{"User", user_json(acct, *u, true)}});
  }

  Result list_users(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PathPrefix);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    std::vector<Keyed> items;
    auto st = db_.cached("SELECT name, path, user_id, arn, create_date FROM users WHERE account = ?");
    st->bind(1, ctx.account_id);
    while (st->step()) {
      UserRow u;
      u.name = st->text(0);
      u.path = st->text(1);
      if (prefix && u.path.rfind(*prefix, 0) != 0) continue;
      u.user_id = st->text(2);
      u.arn = st->text(3);
      u.create_date = st->int64(4);
      items.push_back({u.name, user_json(ctx.account_id, u, false)});
    }
    json out;
    if (auto err = paginate(items, in, "Users", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result delete_user(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("UserName", true, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto u = load_user(acct, *name);
    if (!u) return Result::fail(entity_not_found(Kind::User, *name));
    auto count = [&](const char* sql) {
      auto st = db_.cached(sql);
      st->bind(1, acct).bind(2, u->name);
      st->step();
      return st->int64(0);
    };
    if (count("SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_name = ?") > 0)
      return Result::fail(delete_conflict("Cannot delete entity, must delete access keys first."));
    if (count("SELECT COUNT(*) FROM attachments WHERE account = ? AND kind = 'user' AND owner = ?") > 0)
      return Result::fail(delete_conflict("Cannot delete entity, must detach all policies first."));
    if (count("SELECT COUNT(*) FROM inline_policies WHERE account = ? AND kind = 'user' AND owner = ?") > 0)
      return Result::fail(delete_conflict("Cannot delete entity, must delete policies first."));
    storage::Transaction tx(db_);
    auto st = db_.cached("DELETE FROM users WHERE account = ? AND name = ?");
    st->bind(1, acct).bind(2, u->name);
    st->run();
    delete_owner_rows(acct, "user", u->name);
    tx.commit();
    return Result::ok();
  }

  Result update_user(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("UserName", true, 1, 128, Pattern::Name);
    auto new_path = v.str("NewPath", false, 1, 512, Pattern::Path);
    auto new_name = v.str("NewUserName", false, 1, 64, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto u = load_user(acct, *name);
    if (!u) return Result::fail(entity_not_found(Kind::User, *name));
    std::string target = new_name.value_or(u->name);
    if (new_name && lower(*new_name) != lower(u->name) && load_user(acct, *new_name))
      return Result::fail(already_exists("User with name " + *new_name + " already exists."));
    std::string path = new_path.value_or(u->path);
    std::string arn = "arn:aws:iam::" + acct + ":user" + path + target;
    storage::Transaction tx(db_);
    {
      auto st = db_.cached("UPDATE users SET name = ?, path = ?, arn = ? WHERE account = ? AND name = ?");
      st->bind(1, target).bind(2, path).bind(3, arn).bind(4, acct).bind(5, u->name);
      st->run();
    }
    for (const char* sql : {"UPDATE tags SET owner = ?1 WHERE account = ?2 AND kind = 'user' AND owner = ?3",
                            "UPDATE inline_policies SET owner = ?1 WHERE account = ?2 AND kind = 'user' AND owner = ?3",
                            "UPDATE attachments SET owner = ?1 WHERE account = ?2 AND kind = 'user' AND owner = ?3",
                            "UPDATE access_keys SET user_name = ?1 WHERE account = ?2 AND user_name = ?3"}) {
      auto st = db_.cached(sql);
      st->bind(1, target).bind(2, acct).bind(3, u->name);
      st->run();
    }
    tx.commit();
    return Result::ok();
  }

  // ------------------------------------------------------------------ access keys

  // The user an access-key call is about: UserName, else the calling user, else "" (root).
  std::variant<std::string, AwsError> key_owner(const RequestContext& ctx, const std::optional<std::string>& name) {
    std::optional<std::string> n = name ? name : caller_user_name(ctx);
    if (!n) return std::string();
    auto u = load_user(ctx.account_id, *n);
    if (!u) return entity_not_found(Kind::User, *n);
    return u->name;
  }

  Result create_access_key(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("UserName", false, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = key_owner(ctx, name);
    if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
    const std::string& user = std::get<std::string>(owner);
    const std::string& acct = ctx.account_id;
    {
      auto st = db_.cached("SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_name = ?");
      st->bind(1, acct).bind(2, user);
      st->step();
      if (st->int64(0) >= kAccessKeysPerUser)
        return Result::fail(limit_exceeded("Cannot exceed quota for AccessKeysPerUser: 2"));
    }
    std::string id = "AKIA" + ids::random_upper_alnum(16);
    std::string secret =
        ids::random_string(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    int64_t created = now();
    auto st = db_.cached(
        "INSERT INTO access_keys (access_key_id, account, user_name, secret, status, create_date) "
        "VALUES (?, ?, ?, ?, 'Active', ?)");
    st->bind(1, id).bind(2, acct).bind(3, user).bind(4, secret).bind(5, created);
    st->run();
    json key = {{"AccessKeyId", id}, {"Status", "Active"}, {"SecretAccessKey", secret}, {"CreateDate", created}};
    if (!user.empty()) key["UserName"] = user;
    return Result::ok({{"AccessKey", key}});
  }

  Result list_access_keys(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("UserName", false, 1, 128, Pattern::Name);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = key_owner(ctx, name);
    if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
    const std::string& user = std::get<std::string>(owner);
    std::vector<Keyed> items;
    auto st = db_.cached(
        "SELECT access_key_id, status, create_date, user_name FROM access_keys WHERE account = ? AND user_name = ?");
    st->bind(1, ctx.account_id).bind(2, user);
    while (st->step()) {
      json k = {{"AccessKeyId", st->text(0)}, {"Status", st->text(1)}, {"CreateDate", st->int64(2)}};
      if (!user.empty()) k["UserName"] = st->text(3);
      items.push_back({st->text(0), std::move(k)});
    }
    json out;
    if (auto err = paginate(items, in, "AccessKeyMetadata", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result delete_access_key(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("UserName", false, 1, 128, Pattern::Name);
    auto id = v.str("AccessKeyId", true, 16, 128, Pattern::Id);
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = key_owner(ctx, name);
    if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
    auto st = db_.cached("DELETE FROM access_keys WHERE access_key_id = ? AND account = ? AND user_name = ?");
    st->bind(1, *id).bind(2, ctx.account_id).bind(3, std::get<std::string>(owner));
    st->run();
    if (db_.changes() == 0)
      return Result::fail(no_such_entity("The Access Key with id " + *id + " cannot be found."));
    return Result::ok();
  }

  Result update_access_key(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("UserName", false, 1, 128, Pattern::Name);
    auto id = v.str("AccessKeyId", true, 16, 128, Pattern::Id);
    auto status = v.enumeration("Status", true, {"Active", "Inactive"});
    if (auto err = v.error()) return Result::fail(*err);
    auto owner = key_owner(ctx, name);
    if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
    auto st = db_.cached(
        "UPDATE access_keys SET status = ? WHERE access_key_id = ? AND account = ? AND user_name = ?");
    st->bind(1, *status).bind(2, *id).bind(3, ctx.account_id).bind(4, std::get<std::string>(owner));
    st->run();
    if (db_.changes() == 0)
      return Result::fail(no_such_entity("The Access Key with id " + *id + " cannot be found."));
    return Result::ok();
  }

  Result get_access_key_last_used(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto id = v.str("AccessKeyId", true, 16, 128, Pattern::Id);
    if (auto err = v.error()) return Result::fail(*err);
    auto st = db_.cached("SELECT user_name FROM access_keys WHERE access_key_id = ? AND account = ?");
    st->bind(1, *id).bind(2, ctx.account_id);
    if (!st->step()) return Result::fail(no_such_entity("The Access Key with id " + *id + " cannot be found."));
    json out = {{"AccessKeyLastUsed", {{"ServiceName", "N/A"}, {"Region", "N/A"}}}};
    if (!st->text(0).empty()) out["UserName"] = st->text(0);
    return Result::ok(std::move(out));
  }

  // ------------------------------------------------------------------ instance profiles

  std::optional<json> load_instance_profile(const std::string& acct, const std::string& name) {
    auto st = db_.cached(
        "SELECT name, path, profile_id, arn, create_date FROM instance_profiles WHERE account = ? AND name = ?");
    st->bind(1, acct).bind(2, name);
    if (!st->step()) return std::nullopt;
    json j = {{"InstanceProfileName", st->text(0)},
              {"Path", st->text(1)},
              {"InstanceProfileId", st->text(2)},
              {"Arn", st->text(3)},
              {"CreateDate", st->int64(4)},
              {"Roles", json::array()}};
    std::vector<std::string> roles;
    {
      auto rs = db_.cached("SELECT role FROM instance_profile_roles WHERE account = ? AND profile = ?");
      rs->bind(1, acct).bind(2, j["InstanceProfileName"].get<std::string>());
      while (rs->step()) roles.push_back(rs->text(0));
    }
    for (const auto& r : roles)
      if (auto row = load_role(acct, r)) j["Roles"].push_back(role_json(acct, *row, false));
    json tags = tags_json(acct, "instance-profile", j["InstanceProfileName"].get<std::string>());
    if (!tags.empty()) j["Tags"] = std::move(tags);
    return j;
  }

  static AwsError profile_not_found(const std::string& name) {
    return no_such_entity("Instance Profile " + name + " cannot be found.");
  }

  Result create_instance_profile(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
    auto path = v.str("Path", false, 1, 512, Pattern::Path);
    auto tags = v.tags("Tags", false);
    if (auto err = v.error()) return Result::fail(*err);
    if (auto err = check_tag_keys(tags)) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    if (load_instance_profile(acct, *name))
      return Result::fail(already_exists("Instance Profile " + *name + " already exists."));
    std::string p = path.value_or("/");
    storage::Transaction tx(db_);
    auto st = db_.cached(
        "INSERT INTO instance_profiles (account, name, path, profile_id, arn, create_date) VALUES (?, ?, ?, ?, ?, ?)");
    st->bind(1, acct).bind(2, *name).bind(3, p).bind(4, ids::iam_unique_id("AIPA"));
    st->bind(5, "arn:aws:iam::" + acct + ":instance-profile" + p + *name).bind(6, now());
    st->run();
    if (auto err = add_tags(acct, "instance-profile", *name, tags, "TagsPerInstanceProfile"))
      return Result::fail(*err);
    tx.commit();
    return Result::ok({{"InstanceProfile", *load_instance_profile(acct, *name)}});
  }

  Result get_instance_profile(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    auto j = load_instance_profile(ctx.account_id, *name);
    if (!j) return Result::fail(profile_not_found(*name));
    return Result::ok({{"InstanceProfile", *j}});
  }

  Result delete_instance_profile(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto j = load_instance_profile(acct, *name);
    if (!j) return Result::fail(profile_not_found(*name));
    if (!(*j)["Roles"].empty())
      return Result::fail(delete_conflict("Cannot delete entity, must remove roles from instance profile first."));
    std::string stored = (*j)["InstanceProfileName"];
    storage::Transaction tx(db_);
    for (const char* sql : {"DELETE FROM instance_profiles WHERE account = ? AND name = ?",
                            "DELETE FROM tags WHERE account = ? AND kind = 'instance-profile' AND owner = ?"}) {
      auto st = db_.cached(sql);
      st->bind(1, acct).bind(2, stored);
      st->run();
    }
    tx.commit();
    return Result::ok();
  }

  Result list_instance_profiles(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PathPrefix);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    std::vector<std::string> names;
    {
      auto st = db_.cached("SELECT name, path FROM instance_profiles WHERE account = ?");
      st->bind(1, ctx.account_id);
      while (st->step())
        if (!prefix || st->text(1).rfind(*prefix, 0) == 0) names.push_back(st->text(0));
    }
    std::vector<Keyed> items;
    for (const auto& n : names) items.push_back({n, *load_instance_profile(ctx.account_id, n)});
    json out;
    if (auto err = paginate(items, in, "InstanceProfiles", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  Result add_role_to_instance_profile(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
    auto role = v.str("RoleName", true, 1, 64, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    auto j = load_instance_profile(acct, *name);
    if (!j) return Result::fail(profile_not_found(*name));
    auto r = load_role(acct, *role);
    if (!r) return Result::fail(entity_not_found(Kind::Role, *role));
    if (!(*j)["Roles"].empty())
      return Result::fail(limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"));
    auto st = db_.cached("INSERT INTO instance_profile_roles (account, profile, role) VALUES (?, ?, ?)");
    st->bind(1, acct).bind(2, (*j)["InstanceProfileName"].get<std::string>()).bind(3, r->name);
    st->run();
    return Result::ok();
  }

  Result remove_role_from_instance_profile(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
    auto role = v.str("RoleName", true, 1, 64, Pattern::Name);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    if (!load_instance_profile(acct, *name)) return Result::fail(profile_not_found(*name));
    if (!load_role(acct, *role)) return Result::fail(entity_not_found(Kind::Role, *role));
    auto st = db_.cached("DELETE FROM instance_profile_roles WHERE account = ? AND profile = ? AND role = ?");
    st->bind(1, acct).bind(2, *name).bind(3, *role);
    st->run();
    if (db_.changes() == 0)
      return Result::fail(no_such_entity("The role with name " + *role + " cannot be found in instance profile " +
                                         *name + "."));
    return Result::ok();
  }

  Result list_instance_profiles_for_role(const RequestContext& ctx, const json& in) {
    Validator v(in);
    auto role = v.str("RoleName", true, 1, 64, Pattern::Name);
    v.str("Marker", false, 1, 320, Pattern::Marker);
    v.integer("MaxItems", false, 1, 1000);
    if (auto err = v.error()) return Result::fail(*err);
    const std::string& acct = ctx.account_id;
    if (!load_role(acct, *role)) return Result::fail(entity_not_found(Kind::Role, *role));
    std::vector<std::string> names;
    {
      auto st = db_.cached("SELECT profile FROM instance_profile_roles WHERE account = ? AND role = ?");
      st->bind(1, acct).bind(2, *role);
      while (st->step()) names.push_back(st->text(0));
    }
    std::vector<Keyed> items;
    for (const auto& n : names)
      if (auto j = load_instance_profile(acct, n)) items.push_back({n, std::move(*j)});
    json out;
    if (auto err = paginate(items, in, "InstanceProfiles", out)) return Result::fail(*err);
    return Result::ok(std::move(out));
  }

  ServiceEnv env_;
  mutable std::mutex mu_;
  mutable storage::Database db_;
};

}  // namespace

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<IamService>(env); }

CredentialResolver& credential_resolver(Service& service) {
  auto* iam = dynamic_cast<IamService*>(&service);
  if (!iam) throw std::invalid_argument("credential_resolver: not the IAM service");
  return *iam;
}

}  // namespace awan::iam
