#pragma once
// Internal to the IAM emulator: its state (one SQLite database, partitioned by account), the
// rows read from it, and the helpers the operation files share: errors, pagination, tags,
// attachment tables, entity and policy lookups. Not part of the emulator's public API (iam.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"
#include "iam/validation.hpp"
#include "storage/sqlite.hpp"

namespace awan::iam {

using json = nlohmann::json;
using validation::Pattern;
using validation::Validator;

// A value, or the error that stands in its place.
template <class T>
using OrError = std::variant<T, AwsError>;

// ---- errors IAM answers with

inline AwsError no_such_entity(std::string m) { return {"NoSuchEntity", std::move(m), 404}; }
inline AwsError already_exists(std::string m) { return {"EntityAlreadyExists", std::move(m), 409}; }
inline AwsError delete_conflict(std::string m) { return {"DeleteConflict", std::move(m), 409}; }
inline AwsError limit_exceeded(std::string m) { return {"LimitExceeded", std::move(m), 409}; }
inline AwsError invalid_input(std::string m) { return {"InvalidInput", std::move(m), 400}; }

// ---- quotas

inline constexpr int64_t kDefaultMaxItems = 100;
inline constexpr size_t kRoleInlinePolicyQuota = 10240;
inline constexpr size_t kUserInlinePolicyQuota = 2048;
inline constexpr size_t kTrustPolicyQuota = 2048;
inline constexpr size_t kManagedPolicyQuota = 6144;
inline constexpr int64_t kAttachedPoliciesQuota = 10;
inline constexpr int64_t kAccessKeysPerUser = 2;
inline constexpr int64_t kPolicyVersionsQuota = 5;

// Role and user share inline policies, attachments, tags and boundaries.
enum class Kind { Role, User };
inline const char* kind_str(Kind k) { return k == Kind::Role ? "role" : "user"; }
inline const char* kind_title(Kind k) { return k == Kind::Role ? "Role" : "User"; }

std::string lower(std::string s);
bool starts_with(std::string_view s, std::string_view prefix);

// RoleName (1..64) or UserName (1..user_max: 128 for most calls, 64 for Attach/Detach/List).
std::optional<std::string> entity_name_arg(Kind kind, Validator& v, size_t user_max = 128);

// ---- pagination: items sorted by key; the marker is the (encoded) key of the last item returned

struct Keyed {
  std::string key;  // compared case-insensitively
  json item;
};

// The Marker and MaxItems members of a List* call.
void paging_members(Validator& v);
// A key that keeps items in the order they were produced.
std::string ordinal_key(size_t i);
std::optional<AwsError> paginate(std::vector<Keyed>& items, const json& in, const char* list_member, json& out);
// paginate() as the whole answer of a List* call.
Result page_result(std::vector<Keyed>& items, const json& in, const char* list_member);

// ---- ARNs and rows

struct PolicyArnParts {
  std::string account;  // 12 digits or "aws"
  std::string path;
  std::string name;
};

// arn:aws:iam::<account>:policy<path><name>
std::optional<PolicyArnParts> parse_policy_arn(const std::string& arn);

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

// The columns role_from() and user_from() read, in order.
inline constexpr std::string_view kRoleColumns =
    "name, path, role_id, arn, create_date, trust, description, max_session, boundary";
inline constexpr std::string_view kUserColumns = "name, path, user_id, arn, create_date, boundary";
RoleRow role_from(const storage::Statement& st);
UserRow user_from(const storage::Statement& st);

struct PolicyRow {
  std::string name, path, policy_id, arn, default_version;
  std::optional<std::string> description;
  int64_t create_date = 0, update_date = 0, next_version = 2;
  bool aws_managed = false;
};

// ---- SQL parameters: bind_params(st, a, b, c) binds ?1, ?2, ?3; an empty optional binds NULL

inline void bind_one(storage::Statement& st, int i, const std::optional<std::string>& v) {
  if (v) st.bind(i, *v); else st.bind_null(i);
}
template <class T>
void bind_one(storage::Statement& st, int i, const T& v) {
  st.bind(i, v);
}
template <class... A>
void bind_params(storage::Statement& st, const A&... args) {
  int i = 0;
  (bind_one(st, ++i, args), ...);
}

class Store {
 public:
  Store(const std::string& db_path, const Clock* clock,
        storage::Database::Durability durability = storage::Database::Durability::ProcessCrash);

  storage::Database& db() { return db_; }
  int64_t now() const { return clock_->epoch_seconds(); }
  void reset();

  // Runs a statement without rows; returns the number of rows it changed.
  template <class... A>
  int run(const std::string& sql, const A&... args) {
    auto st = db_.cached(sql);
    bind_params(*st, args...);
    st->run();
    return db_.changes();
  }
  // The first column of the first row (a COUNT(*)).
  template <class... A>
  int64_t count(const std::string& sql, const A&... args) {
    auto st = db_.cached(sql);
    bind_params(*st, args...);
    st->step();
    return st->int64(0);
  }

  // ---- rows
  std::optional<RoleRow> load_role(const std::string& account, const std::string& name);
  std::optional<UserRow> load_user(const std::string& account, const std::string& name);
  // Name of the entity when it exists (with its stored case), else nullopt.
  std::optional<std::string> entity_name(Kind kind, const std::string& account, const std::string& name);
  // The stored name of the entity, or NoSuchEntity.
  OrError<std::string> owner(Kind kind, const std::string& account, const std::string& name);
  // After the members `v` checked: their validation error, else owner(kind, account, *name).
  OrError<std::string> checked_owner(Kind kind, const RequestContext& ctx, const Validator& v,
                                     const std::optional<std::string>& name);
  std::optional<PolicyRow> load_policy(const std::string& account, const std::string& arn);
  int64_t attachment_count(const std::string& account, const std::string& arn);
  int64_t boundary_count(const std::string& account, const std::string& arn);

  // ---- documents
  json tags_json(const std::string& account, const char* kind, const std::string& owner);
  json role_json(const std::string& account, const RoleRow& r, bool full);
  json user_json(const std::string& account, const UserRow& u, bool full);
  json policy_json(const std::string& account, const PolicyRow& p, bool full);

  // ---- tags (kind: "role", "user", "policy", "instance-profile")
  std::optional<AwsError> add_tags(const std::string& account, const char* kind, const std::string& owner,
                                   const std::vector<Validator::Tag>& tags, const char* quota_name);
  void remove_tags(const std::string& account, const char* kind, const std::string& owner,
                   const std::vector<std::string>& keys);
  // One page of an owner's tags (insertion order).
  Result list_tags_page(const std::string& account, const char* kind, const std::string& owner, const json& in);
  // Tags, inline policies and attachments of a deleted role or user.
  void delete_owner_rows(const std::string& account, const char* kind, const std::string& owner);

  // ---- policy arguments
  // Resolves a policy ARN given to Attach*/boundary calls: NoSuchEntity "... does not exist or
  // is not attachable." as AWS words it. InvalidInput for something that is not a policy ARN.
  std::optional<AwsError> check_attachable(const std::string& account, const std::string& arn);
  // Validates a policy ARN argument and loads the policy (NoSuchEntity "... was not found.").
  OrError<PolicyRow> policy_arg(const std::string& account, const std::string& arn);
  // PolicyArn of a call that modifies a policy: validated (after the members `v` already
  // checked), loaded, and refused for AWS managed policies.
  OrError<PolicyRow> local_policy_arg(const RequestContext& ctx, Validator& v);

 private:
  void init_schema();

  const Clock* clock_;
  storage::Database db_;
};

// Tags of a create/tag call: duplicate keys (case-insensitive) are refused.
std::optional<AwsError> check_tag_keys(const std::vector<Validator::Tag>& tags);
AwsError entity_not_found(Kind kind, const std::string& name);
json boundary_json(const std::string& arn);
// The user name of a caller that is an IAM user of the request's account.
std::optional<std::string> caller_user_name(const RequestContext& ctx);

// ---- operations: each file of the emulator adds its own

using Operation = Result (*)(Store&, const RequestContext&, const json&);
using Operations = std::unordered_map<std::string, Operation>;

void add_role_operations(Operations& ops);
void add_entity_policy_operations(Operations& ops);  // tags, boundaries, inline and attached policies
void add_policy_operations(Operations& ops);
void add_user_operations(Operations& ops);            // users and access keys
void add_instance_profile_operations(Operations& ops);

}  // namespace awan::iam
