// IAM instance profiles and the (at most one) role each holds.
#include "core/ids.hpp"
#include "iam/store.hpp"

namespace awan::iam {

namespace {

std::optional<json> load_instance_profile(Store& s, const std::string& acct, const std::string& name) {
  auto st = s.db().cached(
      "SELECT name, path, profile_id, arn, create_date FROM instance_profiles WHERE account = ? AND name = ?");
  bind_params(*st, acct, name);
  if (!st->step()) return std::nullopt;
  json j = {{"InstanceProfileName", st->text(0)},
            {"Path", st->text(1)},
            {"InstanceProfileId", st->text(2)},
            {"Arn", st->text(3)},
            {"CreateDate", st->int64(4)},
            {"Roles", json::array()}};
  std::string stored = st->text(0);
  std::vector<std::string> roles;
  {
    auto rs = s.db().cached("SELECT role FROM instance_profile_roles WHERE account = ? AND profile = ?");
    bind_params(*rs, acct, stored);
    while (rs->step()) roles.push_back(rs->text(0));
  }
  for (const auto& r : roles)
    if (auto row = s.load_role(acct, r)) j["Roles"].push_back(s.role_json(acct, *row, false));
  json tags = s.tags_json(acct, "instance-profile", stored);
  if (!tags.empty()) j["Tags"] = std::move(tags);
  return j;
}

AwsError profile_not_found(const std::string& name) {
  return no_such_entity("Instance Profile " + name + " cannot be found.");
}

// A page of the named profiles (those that still exist).
Result profiles_page(Store& s, const std::string& acct, const std::vector<std::string>& names, const json& in) {
  std::vector<Keyed> items;
  for (const auto& n : names)
    if (auto j = load_instance_profile(s, acct, n)) items.push_back({n, std::move(*j)});
  return page_result(items, in, "InstanceProfiles");
}

Result create_instance_profile(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
  auto path = v.str("Path", false, 1, 512, Pattern::Path);
  auto tags = v.tags("Tags", false);
  if (auto err = v.error()) return Result::fail(*err);
  if (auto err = check_tag_keys(tags)) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  if (load_instance_profile(s, acct, *name))
    return Result::fail(already_exists("Instance Profile " + *name + " already exists."));
  std::string p = path.value_or("/");
  storage::Transaction tx(s.db());
  s.run("INSERT INTO instance_profiles (account, name, path, profile_id, arn, create_date) VALUES (?, ?, ?, ?, ?, ?)",
        acct, *name, p, ids::iam_unique_id("AIPA"), "arn:aws:iam::" + acct + ":instance-profile" + p + *name, s.now());
  if (auto err = s.add_tags(acct, "instance-profile", *name, tags, "TagsPerInstanceProfile")) return Result::fail(*err);
  tx.commit();
  return Result::ok({{"InstanceProfile", *load_instance_profile(s, acct, *name)}});
}

Result get_instance_profile(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  auto j = load_instance_profile(s, ctx.account_id, *name);
  if (!j) return Result::fail(profile_not_found(*name));
  return Result::ok({{"InstanceProfile", *j}});
}

Result delete_instance_profile(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  auto j = load_instance_profile(s, acct, *name);
  if (!j) return Result::fail(profile_not_found(*name));
  if (!(*j)["Roles"].empty())
    return Result::fail(delete_conflict("Cannot delete entity, must remove roles from instance profile first."));
  std::string stored = (*j)["InstanceProfileName"];
  storage::Transaction tx(s.db());
  for (const char* sql : {"DELETE FROM instance_profiles WHERE account = ? AND name = ?",
                          "DELETE FROM tags WHERE account = ? AND kind = 'instance-profile' AND owner = ?"})
    s.run(sql, acct, stored);
  tx.commit();
  return Result::ok();
}

Result list_instance_profiles(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PathPrefix);
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  std::vector<std::string> names;
  {
    auto st = s.db().cached("SELECT name, path FROM instance_profiles WHERE account = ?");
    st->bind(1, ctx.account_id);
    while (st->step())
      if (!prefix || starts_with(st->text(1), *prefix)) names.push_back(st->text(0));
  }
  return profiles_page(s, ctx.account_id, names, in);
}

Result add_role_to_instance_profile(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
  auto role = v.str("RoleName", true, 1, 64, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  auto j = load_instance_profile(s, acct, *name);
  if (!j) return Result::fail(profile_not_found(*name));
  auto r = s.load_role(acct, *role);
  if (!r) return Result::fail(entity_not_found(Kind::Role, *role));
  if (!(*j)["Roles"].empty())
    return Result::fail(limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"));
  s.run("INSERT INTO instance_profile_roles (account, profile, role) VALUES (?, ?, ?)", acct,
        (*j)["InstanceProfileName"].get<std::string>(), r->name);
  return Result::ok();
}

Result remove_role_from_instance_profile(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("InstanceProfileName", true, 1, 128, Pattern::Name);
  auto role = v.str("RoleName", true, 1, 64, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  if (!load_instance_profile(s, acct, *name)) return Result::fail(profile_not_found(*name));
  if (!s.load_role(acct, *role)) return Result::fail(entity_not_found(Kind::Role, *role));
  if (s.run("DELETE FROM instance_profile_roles WHERE account = ? AND profile = ? AND role = ?", acct, *name, *role) == 0)
    return Result::fail(
        no_such_entity("The role with name " + *role + " cannot be found in instance profile " + *name + "."));
  return Result::ok();
}

Result list_instance_profiles_for_role(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto role = v.str("RoleName", true, 1, 64, Pattern::Name);
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  if (!s.load_role(acct, *role)) return Result::fail(entity_not_found(Kind::Role, *role));
  std::vector<std::string> names;
  {
    auto st = s.db().cached("SELECT profile FROM instance_profile_roles WHERE account = ? AND role = ?");
    bind_params(*st, acct, *role);
    while (st->step()) names.push_back(st->text(0));
  }
  return profiles_page(s, acct, names, in);
}

}  // namespace

void add_instance_profile_operations(Operations& ops) {
  ops.insert({{"CreateInstanceProfile", &create_instance_profile},
              {"GetInstanceProfile", &get_instance_profile},
              {"DeleteInstanceProfile", &delete_instance_profile},
              {"ListInstanceProfiles", &list_instance_profiles},
              {"AddRoleToInstanceProfile", &add_role_to_instance_profile},
              {"RemoveRoleFromInstanceProfile", &remove_role_from_instance_profile},
              {"ListInstanceProfilesForRole", &list_instance_profiles_for_role}});
}

}  // namespace awan::iam
