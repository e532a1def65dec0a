// IAM roles: CreateRole, GetRole, ListRoles, DeleteRole, UpdateRole, UpdateRoleDescription,
// UpdateAssumeRolePolicy. Their tags, boundaries and policies are in entity_policies.cpp.
#include "core/ids.hpp"
#include "iam/policy_document.hpp"
#include "iam/store.hpp"

namespace awan::iam {

namespace {

std::optional<AwsError> check_trust_policy(const std::string& doc) {
  if (auto err = check_policy_document(doc, PolicyKind::Trust)) return err;
  if (policy_size(doc) > kTrustPolicyQuota) return limit_exceeded("Cannot exceed quota for ACLSizePerRole: 2048");
  return std::nullopt;
}

// Validates RoleName and loads the role.
OrError<RoleRow> role_arg(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
  if (auto err = v.error()) return *err;
  auto r = s.load_role(ctx.account_id, *name);
  if (!r) return entity_not_found(Kind::Role, *name);
  return *r;
}

Result create_role(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto path = v.str("Path", false, 1, 512, Pattern::Path);
  auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
  auto doc = v.str("AssumeRolePolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
  auto desc = v.str("Description", false, 0, 1000, Pattern::Description);
  auto max_session = v.integer("MaxSessionDuration", false, 3600, 43200);
  auto boundary = v.str("PermissionsBoundary", false, 20, 2048);
  auto tags = v.tags("Tags", false);
  if (auto err = v.error()) return Result::fail(*err);
  if (auto err = check_trust_policy(*doc)) return Result::fail(*err);
  if (auto err = check_tag_keys(tags)) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  if (boundary)
    if (auto err = s.check_attachable(acct, *boundary)) return Result::fail(*err);
  if (s.load_role(acct, *name)) return Result::fail(already_exists("Role with name " + *name + " already exists."));

  RoleRow r;
  r.name = *name;
  r.path = path.value_or("/");
  r.role_id = ids::iam_unique_id("AROA");
  r.arn = "arn:aws:iam::" + acct + ":role" + r.path + r.name;
  r.create_date = s.now();
  r.trust = *doc;
  r.description = desc;
  r.max_session = max_session.value_or(3600);
  r.boundary = boundary;
  storage::Transaction tx(s.db());
  s.run("INSERT INTO roles (account, name, path, role_id, arn, create_date, trust, description, max_session, boundary) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        acct, r.name, r.path, r.role_id, r.arn, r.create_date, r.trust, r.description, r.max_session, r.boundary);
  if (auto err = s.add_tags(acct, "role", r.name, tags, "TagsPerRole")) return Result::fail(*err);
  tx.commit();
  json role = s.role_json(acct, r, true);
  role.erase("RoleLastUsed");
  return Result::ok({{"Role", role}});
}

Result get_role(Store& s, const RequestContext& ctx, const json& in) {
  auto r = role_arg(s, ctx, in);
  if (auto* e = std::get_if<AwsError>(&r)) return Result::fail(*e);
  return Result::ok({{"Role", s.role_json(ctx.account_id, std::get<RoleRow>(r), true)}});
}

Result list_roles(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PathPrefix);
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  std::vector<Keyed> items;
  auto st = s.db().cached("SELECT " + std::string(kRoleColumns) + " FROM roles WHERE account = ?");
  st->bind(1, ctx.account_id);
  while (st->step()) {
    RoleRow r = role_from(*st);
    if (prefix && !starts_with(r.path, *prefix)) continue;
    items.push_back({r.name, s.role_json(ctx.account_id, r, false)});
  }
  return page_result(items, in, "Roles");
}

Result delete_role(Store& s, const RequestContext& ctx, const json& in) {
  auto r = role_arg(s, ctx, in);
  if (auto* e = std::get_if<AwsError>(&r)) return Result::fail(*e);
  const auto& role = std::get<RoleRow>(r);
  const std::string& acct = ctx.account_id;
  if (s.count("SELECT COUNT(*) FROM instance_profile_roles WHERE account = ? AND role = ?", acct, role.name) > 0)
    return Result::fail(delete_conflict("Cannot delete entity, must remove roles from instance profile first."));
  if (s.count("SELECT COUNT(*) FROM attachments WHERE account = ? AND kind = 'role' AND owner = ?", acct, role.name) > 0)
    return Result::fail(delete_conflict("Cannot delete entity, must detach all policies first."));
  if (s.count("SELECT COUNT(*) FROM inline_policies WHERE account = ? AND kind = 'role' AND owner = ?", acct,
              role.name) > 0)
    return Result::fail(delete_conflict("Cannot delete entity, must delete policies first."));
  storage::Transaction tx(s.db());
  s.run("DELETE FROM roles WHERE account = ? AND name = ?", acct, role.name);
  s.delete_owner_rows(acct, "role", role.name);
  tx.commit();
  return Result::ok();
}

Result update_role(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
  auto desc = v.str("Description", false, 0, 1000, Pattern::Description);
  auto max_session = v.integer("MaxSessionDuration", false, 3600, 43200);
  if (auto err = v.error()) return Result::fail(*err);
  auto role = s.load_role(ctx.account_id, *name);
  if (!role) return Result::fail(entity_not_found(Kind::Role, *name));
  if (desc) s.run("UPDATE roles SET description = ? WHERE account = ? AND name = ?", *desc, ctx.account_id, role->name);
  if (max_session)
    s.run("UPDATE roles SET max_session = ? WHERE account = ? AND name = ?", *max_session, ctx.account_id, role->name);
  return Result::ok();
}

Result update_role_description(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
  auto desc = v.str("Description", true, 0, 1000, Pattern::Description);
  if (auto err = v.error()) return Result::fail(*err);
  auto role = s.load_role(ctx.account_id, *name);
  if (!role) return Result::fail(entity_not_found(Kind::Role, *name));
  s.run("UPDATE roles SET description = ? WHERE account = ? AND name = ?", *desc, ctx.account_id, role->name);
  role->description = *desc;
  return Result::ok({{"Role", s.role_json(ctx.account_id, *role, true)}});
}

Result update_assume_role_policy(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("RoleName", true, 1, 64, Pattern::Name);
  auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
  if (auto err = v.error()) return Result::fail(*err);
  auto role = s.load_role(ctx.account_id, *name);
  if (!role) return Result::fail(entity_not_found(Kind::Role, *name));
  if (auto err = check_trust_policy(*doc)) return Result::fail(*err);
  s.run("UPDATE roles SET trust = ? WHERE account = ? AND name = ?", *doc, ctx.account_id, role->name);
  return Result::ok();
}

}  // namespace

void add_role_operations(Operations& ops) {
  ops.insert({{"CreateRole", &create_role},
              {"GetRole", &get_role},
              {"ListRoles", &list_roles},
              {"DeleteRole", &delete_role},
              {"UpdateRole", &update_role},
              {"UpdateRoleDescription", &update_role_description},
              {"UpdateAssumeRolePolicy", &update_assume_role_policy}});
}

}  // namespace awan::iam
