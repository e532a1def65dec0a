// IAM managed policies: the policies themselves, their versions, their tags, and the entities
// they are attached to. AWS managed policies (aws_managed.cpp) are read-only.
#include "core/ids.hpp"
#include "iam/aws_managed.hpp"
#include "iam/policy_document.hpp"
#include "iam/store.hpp"

namespace awan::iam {

namespace {

using validation::url_encode;

std::optional<AwsError> check_managed_document(const std::string& doc) {
  if (auto err = check_policy_document(doc, PolicyKind::Identity)) return err;
  if (policy_size(doc) > kManagedPolicyQuota) return limit_exceeded("Cannot exceed quota for PolicySize: 6144");
  return std::nullopt;
}

AwsError version_not_found(const std::string& arn, const std::string& version) {
  return no_such_entity("Policy " + arn + " version " + version + " does not exist or is not attachable.");
}

json version_json(const std::string& version, const std::string& doc, bool is_default, int64_t created,
                  bool with_document) {
  json j = {{"VersionId", version}, {"IsDefaultVersion", is_default}, {"CreateDate", created}};
  if (with_document) j["Document"] = url_encode(doc);
  return j;
}

void insert_version(Store& s, const std::string& acct, const std::string& arn, const std::string& version, int64_t seq,
                    const std::string& doc, int64_t created) {
  s.run("INSERT INTO policy_versions (account, policy_arn, version_id, seq, document, create_date) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        acct, arn, version, seq, doc, created);
}

int64_t version_count(Store& s, const std::string& acct, const std::string& arn) {
  return s.count("SELECT COUNT(*) FROM policy_versions WHERE account = ? AND policy_arn = ?", acct, arn);
}

// ------------------------------------------------------------------ policies

Result create_policy(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto name = v.str("PolicyName", true, 1, 128, Pattern::Name);
  auto path = v.str("Path", false, 1, 512, Pattern::PolicyPath);
  auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
  auto desc = v.str("Description", false, 0, 1000);
  auto tags = v.tags("Tags", false);
  if (auto err = v.error()) return Result::fail(*err);
  if (auto err = check_managed_document(*doc)) return Result::fail(*err);
  if (auto err = check_tag_keys(tags)) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  if (s.count("SELECT COUNT(*) FROM policies WHERE account = ? AND name = ?", acct, *name) > 0)
    return Result::fail(already_exists("A policy called " + *name + " already exists. Duplicate names are not allowed."));
  PolicyRow p;
  p.name = *name;
  p.path = path.value_or("/");
  p.policy_id = ids::iam_unique_id("ANPA");
  p.arn = "arn:aws:iam::" + acct + ":policy" + p.path + p.name;
  p.description = desc;
  p.create_date = p.update_date = s.now();
  p.default_version = "v1";
  p.next_version = 2;
  storage::Transaction tx(s.db());
  s.run("INSERT INTO policies (account, name, path, policy_id, arn, description, create_date, update_date, "
        "default_version, next_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        acct, p.name, p.path, p.policy_id, p.arn, p.description, p.create_date, p.update_date, p.default_version,
        p.next_version);
  insert_version(s, acct, p.arn, "v1", 1, *doc, p.create_date);
  if (auto err = s.add_tags(acct, "policy", p.arn, tags, "TagsPerPolicy")) return Result::fail(*err);
  tx.commit();
  json pol = s.policy_json(acct, p, true);
  pol.erase("Description");  // CreatePolicy does not echo the description
  return Result::ok({{"Policy", pol}});
}

Result get_policy(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto arn = v.str("PolicyArn", true, 20, 2048);
  if (auto err = v.error()) return Result::fail(*err);
  auto p = s.policy_arg(ctx.account_id, *arn);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  return Result::ok({{"Policy", s.policy_json(ctx.account_id, std::get<PolicyRow>(p), true)}});
}

Result list_policies(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto scope = v.enumeration("Scope", false, {"All", "AWS", "Local"});
  auto only_attached = v.boolean("OnlyAttached");
  auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::PolicyPath);
  auto usage = v.enumeration("PolicyUsageFilter", false, {"PermissionsPolicy", "PermissionsBoundary"});
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  std::vector<PolicyRow> rows;
  std::string sc = scope.value_or("All");
  if (sc != "Local")
    for (const auto& m : aws_managed_policies()) rows.push_back(*s.load_policy(acct, m.arn));
  if (sc != "AWS") {
    std::vector<std::string> arns;
    auto st = s.db().cached("SELECT arn FROM policies WHERE account = ?");
    st->bind(1, acct);
    while (st->step()) arns.push_back(st->text(0));
    for (const auto& a : arns)
      if (auto p = s.load_policy(acct, a)) rows.push_back(*p);
  }
  bool attached_only = only_attached.value_or(false);
  std::vector<Keyed> items;
  for (const auto& p : rows) {
    if (prefix && !starts_with(p.path, *prefix)) continue;
    json j = s.policy_json(acct, p, false);
    int64_t attached = j["AttachmentCount"].get<int64_t>();
    int64_t bounded = j["PermissionsBoundaryUsageCount"].get<int64_t>();
    if (attached_only && attached == 0 && bounded == 0) continue;
    if (usage && *usage == "PermissionsPolicy" && attached_only && attached == 0) continue;
    if (usage && *usage == "PermissionsBoundary" && attached_only && bounded == 0) continue;
    items.push_back({p.name + "\x01" + p.policy_id, std::move(j)});  // markers stay short
  }
  return page_result(items, in, "Policies");
}

Result delete_policy(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto p = s.local_policy_arg(ctx, v);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  const auto& pol = std::get<PolicyRow>(p);
  const std::string& acct = ctx.account_id;
  if (s.attachment_count(acct, pol.arn) > 0 || s.boundary_count(acct, pol.arn) > 0)
    return Result::fail(delete_conflict("Cannot delete a policy attached to entities."));
  if (version_count(s, acct, pol.arn) > 1)
    return Result::fail(delete_conflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's "
        "versions. The default version is deleted with the policy."));
  storage::Transaction tx(s.db());
  for (const char* sql : {"DELETE FROM policies WHERE account = ? AND arn = ?",
                          "DELETE FROM policy_versions WHERE account = ? AND policy_arn = ?",
                          "DELETE FROM tags WHERE account = ? AND kind = 'policy' AND owner = ?"})
    s.run(sql, acct, pol.arn);
  tx.commit();
  return Result::ok();
}

// ------------------------------------------------------------------ versions

Result create_policy_version(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto doc = v.str("PolicyDocument", true, 1, 131072, Pattern::PolicyDocument);
  auto set_default = v.boolean("SetAsDefault");
  auto p = s.local_policy_arg(ctx, v);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  auto pol = std::get<PolicyRow>(p);
  const std::string& acct = ctx.account_id;
  if (auto err = check_managed_document(*doc)) return Result::fail(*err);
  if (version_count(s, acct, pol.arn) >= kPolicyVersionsQuota)
    return Result::fail(limit_exceeded(
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
        "existing version."));
  std::string version = "v" + std::to_string(pol.next_version);
  int64_t created = s.now();
  bool is_default = set_default.value_or(false);
  storage::Transaction tx(s.db());
  insert_version(s, acct, pol.arn, version, pol.next_version, *doc, created);
  s.run("UPDATE policies SET next_version = next_version + 1, default_version = CASE WHEN ?1 THEN ?2 ELSE "
        "default_version END, update_date = CASE WHEN ?1 THEN ?3 ELSE update_date END WHERE account = ?4 AND arn = ?5",
        is_default ? 1 : 0, version, created, acct, pol.arn);
  tx.commit();
  return Result::ok({{"PolicyVersion", version_json(version, *doc, is_default, created, false)}});
}

Result get_policy_version(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto arn = v.str("PolicyArn", true, 20, 2048);
  auto version = v.str("VersionId", true, 0, 1 << 20, Pattern::VersionId);
  if (auto err = v.error()) return Result::fail(*err);
  auto p = s.policy_arg(ctx.account_id, *arn);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  const auto& pol = std::get<PolicyRow>(p);
  if (pol.aws_managed) {
    const AwsManagedPolicy* m = find_aws_managed_policy(pol.arn);
    if (*version != m->default_version) return Result::fail(version_not_found(pol.arn, *version));
    return Result::ok({{"PolicyVersion", version_json(*version, m->document, true, m->create_date, true)}});
  }
  auto st = s.db().cached(
      "SELECT document, create_date FROM policy_versions WHERE account = ? AND policy_arn = ? AND version_id = ?");
  bind_params(*st, ctx.account_id, pol.arn, *version);
  if (!st->step()) return Result::fail(version_not_found(pol.arn, *version));
  return Result::ok(
      {{"PolicyVersion", version_json(*version, st->text(0), *version == pol.default_version, st->int64(1), true)}});
}

Result list_policy_versions(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto arn = v.str("PolicyArn", true, 20, 2048);
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  auto p = s.policy_arg(ctx.account_id, *arn);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  const auto& pol = std::get<PolicyRow>(p);
  std::vector<Keyed> items;
  if (pol.aws_managed) {
    items.push_back({"0", version_json(pol.default_version, "", true, pol.create_date, false)});
  } else {
    // Newest first, as IAM lists them.
    auto st = s.db().cached(
        "SELECT version_id, create_date, seq FROM policy_versions WHERE account = ? AND policy_arn = ? "
        "ORDER BY seq DESC");
    bind_params(*st, ctx.account_id, pol.arn);
    size_t i = 0;
    while (st->step()) {
      std::string vid = st->text(0);
      items.push_back({ordinal_key(i++), version_json(vid, "", vid == pol.default_version, st->int64(1), false)});
    }
  }
  return page_result(items, in, "Versions");
}

Result delete_policy_version(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto version = v.str("VersionId", true, 0, 1 << 20, Pattern::VersionId);
  auto p = s.local_policy_arg(ctx, v);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  const auto& pol = std::get<PolicyRow>(p);
  if (*version == pol.default_version)
    return Result::fail(delete_conflict("Cannot delete the default version of a policy."));
  if (s.run("DELETE FROM policy_versions WHERE account = ? AND policy_arn = ? AND version_id = ?", ctx.account_id,
            pol.arn, *version) == 0)
    return Result::fail(version_not_found(pol.arn, *version));
  return Result::ok();
}

Result set_default_policy_version(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto version = v.str("VersionId", true, 0, 1 << 20, Pattern::VersionId);
  auto p = s.local_policy_arg(ctx, v);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  const auto& pol = std::get<PolicyRow>(p);
  if (s.count("SELECT COUNT(*) FROM policy_versions WHERE account = ? AND policy_arn = ? AND version_id = ?",
              ctx.account_id, pol.arn, *version) == 0)
    return Result::fail(version_not_found(pol.arn, *version));
  s.run("UPDATE policies SET default_version = ?, update_date = ? WHERE account = ? AND arn = ?", *version, s.now(),
        ctx.account_id, pol.arn);
  return Result::ok();
}

// ------------------------------------------------------------------ tags

Result tag_policy(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto tags = v.tags("Tags", true);
  auto p = s.local_policy_arg(ctx, v);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  storage::Transaction tx(s.db());
  if (auto err = s.add_tags(ctx.account_id, "policy", std::get<PolicyRow>(p).arn, tags, "TagsPerPolicy"))
    return Result::fail(*err);
  tx.commit();
  return Result::ok();
}

Result untag_policy(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto keys = v.string_list("TagKeys", true, 50, 1, 128, Pattern::TagKey);
  auto p = s.local_policy_arg(ctx, v);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  storage::Transaction tx(s.db());
  s.remove_tags(ctx.account_id, "policy", std::get<PolicyRow>(p).arn, keys);
  tx.commit();
  return Result::ok();
}

Result list_policy_tags(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  paging_members(v);
  auto p = s.local_policy_arg(ctx, v);
  if (auto* e = std::get_if<AwsError>(&p)) return Result::fail(*e);
  return s.list_tags_page(ctx.account_id, "policy", std::get<PolicyRow>(p).arn, in);
}

// ------------------------------------------------------------------ entities

Result list_entities_for_policy(Store& s, const RequestContext& ctx, const json& in) {
  Validator v(in);
  auto arn = v.str("PolicyArn", true, 20, 2048);
  auto filter = v.enumeration("EntityFilter", false, {"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"});
  auto prefix = v.str("PathPrefix", false, 1, 512, Pattern::Path);
  auto usage = v.enumeration("PolicyUsageFilter", false, {"PermissionsPolicy", "PermissionsBoundary"});
  paging_members(v);
  if (auto err = v.error()) return Result::fail(*err);
  const std::string& acct = ctx.account_id;
  auto p = s.policy_arg(acct, *arn);
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
    auto st = s.db().cached(sql);
    bind_params(*st, acct, *arn, permissions ? 1 : 0, kind_str(kind), boundaries ? 1 : 0);
    while (st->step()) {
      std::string path = st->text(2);
      if (prefix && !starts_with(path, *prefix)) continue;
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

}  // namespace

void add_policy_operations(Operations& ops) {
  ops.insert({{"CreatePolicy", &create_policy},
              {"GetPolicy", &get_policy},
              {"ListPolicies", &list_policies},
              {"DeletePolicy", &delete_policy},
              {"CreatePolicyVersion", &create_policy_version},
              {"GetPolicyVersion", &get_policy_version},
              {"ListPolicyVersions", &list_policy_versions},
              {"DeletePolicyVersion", &delete_policy_version},
              {"SetDefaultPolicyVersion", &set_default_policy_version},
              {"TagPolicy", &tag_policy},
              {"UntagPolicy", &untag_policy},
              {"ListPolicyTags", &list_policy_tags},
              {"ListEntitiesForPolicy", &list_entities_for_policy}});
}

}  // namespace awan::iam
