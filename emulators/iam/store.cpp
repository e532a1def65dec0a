// The IAM state and the helpers the operation files share.
#include "iam/store.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/crypto.hpp"
#include "iam/aws_managed.hpp"

namespace awan::iam {

using validation::url_encode;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::optional<std::string> entity_name_arg(Kind kind, Validator& v, size_t user_max) {
  return kind == Kind::Role ? v.str("RoleName", true, 1, 64, Pattern::Name)
                            : v.str("UserName", true, 1, user_max, Pattern::Name);
}

// ------------------------------------------------------------------ pagination

void paging_members(Validator& v) {
  v.str("Marker", false, 1, 320, Pattern::Marker);
  v.integer("MaxItems", false, 1, 1000);
}

std::string ordinal_key(size_t i) {
  char key[16];
  std::snprintf(key, sizeof key, "%08zu", i);
  return key;
}

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

Result page_result(std::vector<Keyed>& items, const json& in, const char* list_member) {
  json out;
  if (auto err = paginate(items, in, list_member, out)) return Result::fail(*err);
  return Result::ok(std::move(out));
}

// ------------------------------------------------------------------ ARNs, small documents

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

json boundary_json(const std::string& arn) {
  return {{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"}, {"PermissionsBoundaryArn", arn}};
}

AwsError entity_not_found(Kind kind, const std::string& name) {
  return no_such_entity(std::string("The ") + kind_str(kind) + " with name " + name + " cannot be found.");
}

std::optional<std::string> caller_user_name(const RequestContext& ctx) {
  std::string prefix = "arn:aws:iam::" + ctx.account_id + ":user/";
  if (ctx.caller_arn.rfind(prefix, 0) != 0) return std::nullopt;
  auto slash = ctx.caller_arn.rfind('/');
  return ctx.caller_arn.substr(slash + 1);
}

std::optional<AwsError> check_tag_keys(const std::vector<Validator::Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i)
    for (size_t j = i + 1; j < tags.size(); ++j)
      if (lower(tags[i].key) == lower(tags[j].key))
        return invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  return std::nullopt;
}

// ------------------------------------------------------------------ schema

Store::Store(const std::string& db_path, const Clock* clock, storage::Database::Durability durability)
    : clock_(clock), db_(db_path, durability) { init_schema(); }

void Store::init_schema() {
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

void Store::reset() {
  storage::Transaction tx(db_);
  for (const char* t : {"roles", "users", "tags", "inline_policies", "policies", "policy_versions", "attachments",
                        "access_keys", "instance_profiles", "instance_profile_roles"})
    db_.exec(std::string("DELETE FROM ") + t);
  tx.commit();
}

// ------------------------------------------------------------------ rows

RoleRow role_from(const storage::Statement& st) {
  RoleRow r;
  r.name = st.text(0);
  r.path = st.text(1);
  r.role_id = st.text(2);
  r.arn = st.text(3);
  r.create_date = st.int64(4);
  r.trust = st.text(5);
  if (!st.is_null(6)) r.description = st.text(6);
  r.max_session = st.int64(7);
  if (!st.is_null(8)) r.boundary = st.text(8);
  return r;
}

UserRow user_from(const storage::Statement& st) {
  UserRow u;
  u.name = st.text(0);
  u.path = st.text(1);
  u.user_id = st.text(2);
  u.arn = st.text(3);
  u.create_date = st.int64(4);
  if (!st.is_null(5)) u.boundary = st.text(5);
  return u;
}

std::optional<RoleRow> Store::load_role(const std::string& account, const std::string& name) {
  auto st = db_.cached("SELECT " + std::string(kRoleColumns) + " FROM roles WHERE account = ? AND name = ?");
  bind_params(*st, account, name);
  if (!st->step()) return std::nullopt;
  return role_from(*st);
}

std::optional<UserRow> Store::load_user(const std::string& account, const std::string& name) {
  auto st = db_.cached("SELECT " + std::string(kUserColumns) + " FROM users WHERE account = ? AND name = ?");
  bind_params(*st, account, name);
  if (!st->step()) return std::nullopt;
  return user_from(*st);
}

std::optional<std::string> Store::entity_name(Kind kind, const std::string& account, const std::string& name) {
  if (kind == Kind::Role) {
    auto r = load_role(account, name);
    return r ? std::optional(r->name) : std::nullopt;
  }
  auto u = load_user(account, name);
  return u ? std::optional(u->name) : std::nullopt;
}

OrError<std::string> Store::owner(Kind kind, const std::string& account, const std::string& name) {
  auto stored = entity_name(kind, account, name);
  if (!stored) return entity_not_found(kind, name);
  return *stored;
}

OrError<std::string> Store::checked_owner(Kind kind, const RequestContext& ctx, const Validator& v,
                                         const std::optional<std::string>& name) {
  if (auto err = v.error()) return *err;
  return owner(kind, ctx.account_id, *name);
}

std::optional<PolicyRow> Store::load_policy(const std::string& account, const std::string& arn) {
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
  bind_params(*st, account, arn);
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

int64_t Store::attachment_count(const std::string& account, const std::string& arn) {
  return count("SELECT COUNT(*) FROM attachments WHERE account = ? AND policy_arn = ?", account, arn);
}

int64_t Store::boundary_count(const std::string& account, const std::string& arn) {
  return count(
      "SELECT (SELECT COUNT(*) FROM roles WHERE account = ?1 AND boundary = ?2) + "
      "(SELECT COUNT(*) FROM users WHERE account = ?1 AND boundary = ?2)",
      account, arn);
}

// ------------------------------------------------------------------ documents

json Store::tags_json(const std::string& account, const char* kind, const std::string& owner) {
  json arr = json::array();
  auto st = db_.cached("SELECT key, value FROM tags WHERE account = ? AND kind = ? AND owner = ? ORDER BY seq");
  bind_params(*st, account, kind, owner);
  while (st->step()) arr.push_back({{"Key", st->text(0)}, {"Value", st->text(1)}});
  return arr;
}

json Store::role_json(const std::string& account, const RoleRow& r, bool full) {
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

json Store::user_json(const std::string& account, const UserRow& u, bool full) {
  json j = {{"Path", u.path}, {"UserName", u.name}, {"UserId", u.user_id}, {"Arn", u.arn}, {"CreateDate", u.create_date}};
  if (full) {
    if (u.boundary) j["PermissionsBoundary"] = boundary_json(*u.boundary);
    json tags = tags_json(account, "user", u.name);
    if (!tags.empty()) j["Tags"] = std::move(tags);
  }
  return j;
}

json Store::policy_json(const std::string& account, const PolicyRow& p, bool full) {
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

// ------------------------------------------------------------------ tags

std::optional<AwsError> Store::add_tags(const std::string& account, const char* kind, const std::string& owner,
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
    int changed =
        run("UPDATE tags SET value = ? WHERE account = ? AND kind = ? AND owner = ? AND key = ?", t.value, account,
            kind, owner, t.key);
    if (changed == 0)
      run("INSERT INTO tags (account, kind, owner, key, value, seq) VALUES (?, ?, ?, ?, ?, "
          "(SELECT COALESCE(MAX(seq), 0) + 1 FROM tags WHERE account = ?1 AND kind = ?2 AND owner = ?3))",
          account, kind, owner, t.key, t.value);
  }
  return std::nullopt;
}

void Store::remove_tags(const std::string& account, const char* kind, const std::string& owner,
                        const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    run("DELETE FROM tags WHERE account = ? AND kind = ? AND owner = ? AND key = ?", account, kind, owner, k);
}

Result Store::list_tags_page(const std::string& account, const char* kind, const std::string& owner, const json& in) {
  // Tags keep their insertion order; the marker is the ordinal of the last one returned.
  json tags = tags_json(account, kind, owner);
  std::vector<Keyed> items;
  size_t i = 0;
  for (auto& t : tags) items.push_back({ordinal_key(i++), std::move(t)});
  return page_result(items, in, "Tags");
}

void Store::delete_owner_rows(const std::string& account, const char* kind, const std::string& owner) {
  for (const char* table : {"tags", "inline_policies", "attachments"})
    run(std::string("DELETE FROM ") + table + " WHERE account = ? AND kind = ? AND owner = ?", account, kind, owner);
}

// ------------------------------------------------------------------ policy arguments

std::optional<AwsError> Store::check_attachable(const std::string& account, const std::string& arn) {
  if (!parse_policy_arn(arn)) return invalid_input("ARN " + arn + " is not valid.");
  if (!load_policy(account, arn)) return no_such_entity("Policy " + arn + " does not exist or is not attachable.");
  return std::nullopt;
}

OrError<PolicyRow> Store::policy_arg(const std::string& account, const std::string& arn) {
  if (!parse_policy_arn(arn)) return invalid_input("ARN " + arn + " is not valid.");
  auto p = load_policy(account, arn);
  if (!p) return no_such_entity("Policy " + arn + " was not found.");
  return *p;
}

OrError<PolicyRow> Store::local_policy_arg(const RequestContext& ctx, Validator& v) {
  auto arn = v.str("PolicyArn", true, 20, 2048);
  if (auto err = v.error()) return *err;
  auto p = policy_arg(ctx.account_id, *arn);
  if (auto* e = std::get_if<AwsError>(&p)) return *e;
  if (std::get<PolicyRow>(p).aws_managed) return AwsError{"AccessDenied", "An AWS managed policy cannot be modified.", 403};
  return p;
}

}  // namespace awan::iam
