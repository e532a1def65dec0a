// What roles and users share, written once for both (Kind): tags, permissions boundaries,
// inline policies and attached managed policies.
#include "iam/policy_document.hpp"
#include "iam/store.hpp"

namespace awan::iam {

namespace {

using validation::url_encode;

// ------------------------------------------------------------------ tags

template <Kind K>
Result tag_entity(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  auto tags = v.tags("Tags", true);
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  storage::Transaction tx(s.db());
  if (auto err = s.add_tags(ctx.account_id, kind_str(K), std::get<std::string>(owner), tags,
                            K == Kind::Role ? "TagsPerRole" : "TagsPerUser"))
    return Result::fail(*err);
  tx.commit();
  return Result::ok();
}

template <Kind K>
Result untag_entity(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  auto keys = v.string_list("TagKeys", true, 50, 1, 128, Pattern::TagKey);
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  storage::Transaction tx(s.db());
  s.remove_tags(ctx.account_id, kind_str(K), std::get<std::string>(owner), keys);
  tx.commit();
  return Result::ok();
}

template <Kind K>
Result list_entity_tags(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  paging_members(v);
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  return s.list_tags_page(ctx.account_id, kind_str(K), std::get<std::string>(owner), in);
}

// ------------------------------------------------------------------ permissions boundaries

const char* entity_table(Kind kind) { return kind == Kind::Role ? "roles" : "users"; }

template <Kind K>
Result put_boundary(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  auto arn = v.str("PermissionsBoundary", true, 20, 2048);
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  if (auto err = s.check_attachable(ctx.account_id, *arn)) return Result::fail(*err);
  s.run(std::string("UPDATE ") + entity_table(K) + " SET boundary = ? WHERE account = ? AND name = ?", *arn,
        ctx.account_id, std::get<std::string>(owner));
  return Result::ok();
}

template <Kind K>
Result delete_boundary(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  s.run(std::string("UPDATE ") + entity_table(K) + " SET boundary = NULL WHERE account = ? AND name = ?",
        ctx.account_id, std::get<std::string>(owner));
  return Result::ok();
}

// ------------------------------------------------------------------ inline policies

AwsError inline_policy_not_found(Kind kind, const std::string& policy_name) {
  return no_such_entity(std::string("The ") + kind_str(kind) + " policy with name " + policy_name +
                        " cannot be found.");
}

template <Kind K>
Result put_inline(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  auto pname = v.str("PolicyName", true, 1, 128, Pattern::Name);
  auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
  const std::string& acct = ctx.account_id;
  auto found = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&found)) return Result::fail(*e);
  const auto& owner = std::get<std::string>(found);
  if (auto err = check_policy_document(*doc, PolicyKind::Identity)) return Result::fail(*err);
  // Aggregate size of the entity's inline policies, the replaced one excluded.
  size_t total = policy_size(*doc);
  {
    auto st = s.db().cached("SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? AND owner = ?");
    bind_params(*st, acct, kind_str(K), owner);
    while (st->step())
      if (lower(st->text(0)) != lower(*pname)) total += policy_size(st->text_view(1));
  }
  size_t quota = K == Kind::Role ? kRoleInlinePolicyQuota : kUserInlinePolicyQuota;
  if (total > quota)
    return Result::fail(limit_exceeded("Maximum policy size of " + std::to_string(quota) + " bytes exceeded for " +
                                       kind_str(K) + " " + owner));
  s.run("INSERT INTO inline_policies (account, kind, owner, name, document) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account, kind, owner, name) DO UPDATE SET document = excluded.document",
        acct, kind_str(K), owner, *pname, *doc);
  return Result::ok();
}

template <Kind K>
Result get_inline(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  auto pname = v.str("PolicyName", true, 1, 128, Pattern::Name);
  auto found = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&found)) return Result::fail(*e);
  const auto& owner = std::get<std::string>(found);
  auto st = s.db().cached(
      "SELECT name, document FROM inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?");
  bind_params(*st, ctx.account_id, kind_str(K), owner, *pname);
  if (!st->step()) return Result::fail(inline_policy_not_found(K, *pname));
  json out = {{K == Kind::Role ? "RoleName" : "UserName", owner},
              {"PolicyName", st->text(0)},
              {"PolicyDocument", url_encode(st->text(1))}};
  return Result::ok(std::move(out));
}

template <Kind K>
Result list_inline(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  paging_members(v);
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  std::vector<Keyed> items;
  auto st = s.db().cached("SELECT name FROM inline_policies WHERE account = ? AND kind = ? AND owner = ?");
  bind_params(*st, ctx.account_id, kind_str(K), std::get<std::string>(owner));
  while (st->step()) items.push_back({st->text(0), st->text(0)});
  return page_result(items, in, "PolicyNames");
}

template <Kind K>
Result delete_inline(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v);
  auto pname = v.str("PolicyName", true, 1, 128, Pattern::Name);
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  if (s.run("DELETE FROM inline_policies WHERE account = ? AND kind = ? AND owner = ? AND name = ?", ctx.account_id,
            kind_str(K), std::get<std::string>(owner), *pname) == 0)
    return Result::fail(inline_policy_not_found(K, *pname));
  return Result::ok();
}

// ------------------------------------------------------------------ attached managed policies

template <Kind K>
Result attach(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v, 64);
  auto arn = v.str("PolicyArn", true, 20, 2048);
  const std::string& acct = ctx.account_id;
  auto found = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&found)) return Result::fail(*e);
  const auto& owner = std::get<std::string>(found);
  if (auto err = s.check_attachable(acct, *arn)) return Result::fail(*err);
  if (K == Kind::Role && arn->find(":policy/aws-service-role/") != std::string::npos)
    return Result::fail({"PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400});
  if (s.count("SELECT COUNT(*) FROM attachments WHERE account = ? AND kind = ? AND owner = ? AND policy_arn = ?", acct,
              kind_str(K), owner, *arn) > 0)
    return Result::ok();  // attaching twice is a no-op
  auto count = s.db().cached(
      "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM attachments WHERE account = ? AND kind = ? AND owner = ?");
  bind_params(*count, acct, kind_str(K), owner);
  count->step();
  if (count->int64(0) >= kAttachedPoliciesQuota)
    return Result::fail(limit_exceeded(std::string("Cannot exceed quota for PoliciesPer") + kind_title(K) + ": " +
                                       std::to_string(kAttachedPoliciesQuota)));
  int64_t seq = count->int64(1) + 1;
  s.run("INSERT INTO attachments (account, kind, owner, policy_arn, seq) VALUES (?, ?, ?, ?, ?)", acct, kind_str(K),
        owner, *arn, seq);
  return Result::ok();
}

template <Kind K>
Result detach(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v, 64);
  auto arn = v.str("PolicyArn", true, 20, 2048);
  const std::string& acct = ctx.account_id;
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  if (!parse_policy_arn(*arn)) return Result::fail(invalid_input("ARN " + *arn + " is not valid."));
  if (s.run("DELETE FROM attachments WHERE account = ? AND kind = ? AND owner = ? AND policy_arn = ?", acct,
            kind_str(K), std::get<std::string>(owner), *arn) == 0)
    return Result::fail(no_such_entity("Policy " + *arn + " was not found."));
  return Result::ok();
}

template <Kind K>
Result list_attached(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = entity_name_arg(K, v, 64);
  auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PolicyPath);
  paging_members(v);
  const std::string& acct = ctx.account_id;
  auto owner = s.checked_owner(K, ctx, v, name);
  if (auto* e = std::get_if<AwsError>(&owner)) return Result::fail(*e);
  std::vector<std::string> arns;
  {
    auto st =
        s.db().cached("SELECT policy_arn FROM attachments WHERE account = ? AND kind = ? AND owner = ? ORDER BY seq");
    bind_params(*st, acct, kind_str(K), std::get<std::string>(owner));
    while (st->step()) arns.push_back(st->text(0));
  }
  std::vector<Keyed> items;
  size_t i = 0;
  for (const auto& arn : arns) {
    auto p = s.load_policy(acct, arn);
    if (!p) continue;
    if (prefix && !starts_with(p->path, *prefix)) continue;
    items.push_back({ordinal_key(i++), {{"PolicyName", p->name}, {"PolicyArn", p->arn}}});
  }
  return page_result(items, in, "AttachedPolicies");
}

}  // namespace

void add_entity_policy_operations(Operations& ops) {
  ops.insert({{"TagRole", &tag_entity<Kind::Role>},
              {"UntagRole", &untag_entity<Kind::Role>},
              {"ListRoleTags", &list_entity_tags<Kind::Role>},
              {"TagUser", &tag_entity<Kind::User>},
              {"UntagUser", &untag_entity<Kind::User>},
              {"ListUserTags", &list_entity_tags<Kind::User>},
              {"PutRolePermissionsBoundary", &put_boundary<Kind::Role>},
              {"DeleteRolePermissionsBoundary", &delete_boundary<Kind::Role>},
              {"PutUserPermissionsBoundary", &put_boundary<Kind::User>},
              {"DeleteUserPermissionsBoundary", &delete_boundary<Kind::User>},
              {"PutRolePolicy", &put_inline<Kind::Role>},
              {"GetRolePolicy", &get_inline<Kind::Role>},
              {"ListRolePolicies", &list_inline<Kind::Role>},
              {"DeleteRolePolicy", &delete_inline<Kind::Role>},
              {"PutUserPolicy", &put_inline<Kind::User>},
              {"GetUserPolicy", &get_inline<Kind::User>},
              {"ListUserPolicies", &list_inline<Kind::User>},
              {"DeleteUserPolicy", &delete_inline<Kind::User>},
              {"AttachRolePolicy", &attach<Kind::Role>},
              {"DetachRolePolicy", &detach<Kind::Role>},
              {"ListAttachedRolePolicies", &list_attached<Kind::Role>},
              {"AttachUserPolicy", &attach<Kind::User>},
              {"DetachUserPolicy", &detach<Kind::User>},
              {"ListAttachedUserPolicies", &list_attached<Kind::User>}});
}

}  // namespace awan::iam
