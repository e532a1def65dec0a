// IAM users and their access keys. Their tags, boundaries and policies are in
// entity_policies.cpp; the keys are resolved to callers by the service (iam_service.cpp).
#include "core/ids.hpp"
#include "iam/store.hpp"

namespace awan::iam {

namespace {

// ------------------------------------------------------------------ users

Result create_user(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto path = v.str("Path", false, 1, 512, Pattern::Path);
  auto name = v.str("UserName", true, 1, 64, Pattern::Name);
  auto boundary = v.str("PermissionsBoundary", false, 20, 2048);
  auto tags = v.tags("Tags", false);
  if (auto err = v.error()) return Result::fail(*err);
  if (auto err = check_tag_keys(tags)) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  if (boundary)
    if (auto err = s.check_attachable(acct, *boundary)) return Result::fail(*err);
  if (s.load_user(acct, *name)) return Result::fail(already_exists("User with name " + *name + " already exists."));
  UserRow u;
  u.name = *name;
  u.path = path.value_or("/");
  u.user_id = ids::iam_unique_id("AIDA");
  u.arn = "arn:aws:iam::" + acct + ":user" + u.path + u.name;
  u.create_date = s.now();
  u.boundary = boundary;
  storage::Transaction tx(s.db());
  s.run("INSERT INTO users (account, name, path, user_id, arn, create_date, boundary) VALUES (?, ?, ?, ?, ?, ?, ?)",
        acct, u.name, u.path, u.user_id, u.arn, u.create_date, u.boundary);
  if (auto err = s.add_tags(acct, "user", u.name, tags, "TagsPerUser")) return Result::fail(*err);
  tx.commit();
  return Result::ok({{"User", s.user_json(acct, u, true)}});
}

Result get_user(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("UserName", false, 1, 128, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  if (!name) {
    name = caller_user_name(ctx);
    if (!name) {
      // The account's root user.
      return Result::ok(
          {{"User", {{"UserId", acct}, {"Arn", "arn:aws:iam::" + acct + ":root"}, {"CreateDate", int64_t{0}}}}});
    }
  }
  auto u = s.load_user(acct, *name);
  if (!u) return Result::fail(entity_not_found(Kind::User, *name));
  return Result::ok({{"User", s.user_json(acct, *u, true)}});
}

Result list_users(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PathPrefix);
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  std::vector<Keyed> items;
  auto st = s.db().cached("SELECT " + std::string(kUserColumns) + " FROM users WHERE account = ?");
  st->bind(1, ctx.account_id);
  while (st->step()) {
    UserRow u = user_from(*st);
    if (prefix && !starts_with(u.path, *prefix)) continue;
    items.push_back({u.name, s.user_json(ctx.account_id, u, false)});
  }
  return page_result(items, in, "Users");
}

Result delete_user(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("UserName", true, 1, 128, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  auto u = s.load_user(acct, *name);
  if (!u) return Result::fail(entity_not_found(Kind::User, *name));
  if (s.count("SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_name = ?", acct, u->name) > 0)
    return Result::fail(delete_conflict("Cannot delete entity, must delete access keys first."));
  if (s.count("SELECT COUNT(*) FROM attachments WHERE account = ? AND kind = 'user' AND owner = ?", acct, u->name) > 0)
    return Result::fail(delete_conflict("Cannot delete entity, must detach all policies first."));
  if (s.count("SELECT COUNT(*) FROM inline_policies WHERE account = ? AND kind = 'user' AND owner = ?", acct,
              u->name) > 0)
    return Result::fail(delete_conflict("Cannot delete entity, must delete policies first."));
  storage::Transaction tx(s.db());
  s.run("DELETE FROM users WHERE account = ? AND name = ?", acct, u->name);
  s.delete_owner_rows(acct, "user", u->name);
  tx.commit();
  return Result::ok();
}

Result update_user(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("UserName", true, 1, 128, Pattern::Name);
  auto new_path = v.str("NewPath", false, 1, 512, Pattern::Path);
  auto new_name = v.str("NewUserName", false, 1, 64, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  auto u = s.load_user(acct, *name);
  if (!u) return Result::fail(entity_not_found(Kind::User, *name));
  std::string target = new_name.value_or(u->name);
  if (new_name && lower(*new_name) != lower(u->name) && s.load_user(acct, *new_name))
    return Result::fail(already_exists("User with name " + *new_name + " already exists."));
  std::string path = new_path.value_or(u->path);
  std::string arn = "arn:aws:iam::" + acct + ":user" + path + target;
  storage::Transaction tx(s.db());
  s.run("UPDATE users SET name = ?, path = ?, arn = ? WHERE account = ? AND name = ?", target, path, arn, acct, u->name);
  for (const char* sql : {"UPDATE tags SET owner = ?1 WHERE account = ?2 AND kind = 'user' AND owner = ?3",
                          "UPDATE inline_policies SET owner = ?1 WHERE account = ?2 AND kind = 'user' AND owner = ?3",
                          "UPDATE attachments SET owner = ?1 WHERE account = ?2 AND kind = 'user' AND owner = ?3",
                          "UPDATE access_keys SET user_name = ?1 WHERE account = ?2 AND user_name = ?3"})
    s.run(sql, target, acct, u->name);
  tx.commit();
  return Result::ok();
}

// ------------------------------------------------------------------ access keys

AwsError key_not_found(const std::string& id) {
  return no_such_entity("The Access Key with id " + id + " cannot be found.");
}

// The user an access-key call is about: UserName, else the calling user, else "" (root).
OrError<std::string> key_owner(Store& s, const RequestContext& ctx, const std::optional<std::string>& name) {
  std::optional<std::string> n = name ? name : caller_user_name(ctx);
  if (!n) return std::string();
  auto u = s.load_user(ctx.account_id, *n);
  if (!u) return entity_not_found(Kind::User, *n);
  return u->name;
}

Result create_access_key(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("UserName", false, 1, 128, Pattern::Name);
  if (auto err = v.error()) return Result::fail(*err);
  auto owner = key_owner(s, ctx, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  const std::string& user = std::get<std::string>(owner);
  const std::string& acct = ctx.account_id;
  if (s.count("SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_name = ?", acct, user) >= kAccessKeysPerUser)
    return Result::fail(limit_exceeded("Cannot exceed quota for AccessKeysPerUser: 2"));
  std::string id = "AKIA" + ids::random_upper_alnum(16);
  std::string secret = ids::random_string(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  int64_t created = s.now();
  s.run("INSERT INTO access_keys (access_key_id, account, user_name, secret, status, create_date) "
        "VALUES (?, ?, ?, ?, 'Active', ?)",
        id, acct, user, secret, created);
  json key = {{"AccessKeyId", id}, {"Status", "Active"}, {"SecretAccessKey", secret}, {"CreateDate", created}};
  if (!user.empty()) key["UserName"] = user;
  return Result::ok({{"AccessKey", key}});
}

Result list_access_keys(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("UserName", false, 1, 128, Pattern::Name);
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  auto owner = key_owner(s, ctx, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  const std::string& user = std::get<std::string>(owner);
  std::vector<Keyed> items;
  auto st = s.db().cached(
      "SELECT access_key_id, status, create_date, user_name FROM access_keys WHERE account = ? AND user_name = ?");
  bind_params(*st, ctx.account_id, user);
  while (st->step()) {
    json k = {{"AccessKeyId", st->text(0)}, {"Status", st->text(1)}, {"CreateDate", st->int64(2)}};
    if (!user.empty()) k["UserName"] = st->text(3);
    items.push_back({st->text(0), std::move(k)});
  }
  return page_result(items, in, "AccessKeyMetadata");
}

Result delete_access_key(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("UserName", false, 1, 128, Pattern::Name);
  auto id = v.str("AccessKeyId", true, 16, 128, Pattern::Id);
  if (auto err = v.error()) return Result::fail(*err);
  auto owner = key_owner(s, ctx, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  if (s.run("DELETE FROM access_keys WHERE access_key_id = ? AND account = ? AND user_name = ?", *id, ctx.account_id,
            std::get<std::string>(owner)) == 0)
    return Result::fail(key_not_found(*id));
  return Result::ok();
}

Result update_access_key(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("UserName", false, 1, 128, Pattern::Name);
  auto id = v.str("AccessKeyId", true, 16, 128, Pattern::Id);
  auto status = v.enumeration("Status", true, {"Active", "Inactive"});
  if (auto err = v.error()) return Result::fail(*err);
  auto owner = key_owner(s, ctx, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  if (s.run("UPDATE access_keys SET status = ? WHERE access_key_id = ? AND account = ? AND user_name = ?", *status, *id,
            ctx.account_id, std::get<std::string>(owner)) == 0)
    return Result::fail(key_not_found(*id));
  return Result::ok();
}

Result get_access_key_last_used(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto id = v.str("AccessKeyId", true, 16, 128, Pattern::Id);
  if (auto err = v.error()) return Result::fail(*err);
  auto st = s.db().cached("SELECT user_name FROM access_keys WHERE access_key_id = ? AND account = ?");
  bind_params(*st, *id, ctx.account_id);
  if (!st->step()) return Result::fail(key_not_found(*id));
  json out = {{"AccessKeyLastUsed", {{"ServiceName", "N/A"}, {"Region", "N/A"}}}};
  if (!st->text(0).empty()) out["UserName"] = st->text(0);
  return Result::ok(std::move(out));
}

}  // namespace

void add_user_operations(Operations& ops) {
  ops.insert({{"CreateUser", &create_user},
              {"GetUser", &get_user},
              {"ListUsers", &list_users},
              {"DeleteUser", &delete_user},
              {"UpdateUser", &update_user},
              {"CreateAccessKey", &create_access_key},
              {"ListAccessKeys", &list_access_keys},
              {"DeleteAccessKey", &delete_access_key},
              {"UpdateAccessKey", &update_access_key},
              {"GetAccessKeyLastUsed", &get_access_key_last_used}});
}

}  // namespace awan::iam
