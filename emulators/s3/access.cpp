// S3 access settings: bucket and object ACLs, Object Ownership, Block Public Access and the
// policy status (acl.hpp has the grant lists and the public checks).
#include "s3/acl.hpp"
#include "s3/errors.hpp"
#include "s3/object_support.hpp"
#include "s3/service_impl.hpp"

namespace awan::s3 {

namespace {

AwsError bucket_error(const char* code, const char* message, int status, const std::string& bucket) {
  return errors::with({code, message, status}, {{"BucketName", bucket}});
}
AwsError acls_not_supported() { return {"AccessControlListNotSupported", "The bucket does not allow ACLs", 400}; }
AwsError acl_with_enforced_ownership() {
  return {"InvalidBucketAclWithObjectOwnership",
          "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400};
}
AwsError access_denied() { return {"AccessDenied", "Access Denied", 403}; }

bool enforced(const BucketRow& b) { return b.config.value("ObjectOwnership", "") == "BucketOwnerEnforced"; }
bool blocks(const BucketRow& b, const char* setting) {
  auto it = b.config.find("PublicAccessBlock");
  return it != b.config.end() && it->is_object() && it->value(setting, false);
}

}  // namespace

std::optional<json> S3Service::bucket_acl_for_create(const BucketRow& b, const json& in) {
  json o = owner_of(b.account);
  auto grants = acl::requested(in, o, o);
  if (!grants) return std::nullopt;
  if (enforced(b) && !acl::owner_full_control_only(*grants, o)) throw acl_with_enforced_ownership();
  return grants;
}

std::optional<json> S3Service::object_acl_for_write(const BucketRow& b, const json& in) {
  auto grants = acl::requested(in, owner(), owner_of(b.account));
  if (!grants) return std::nullopt;
  // ACLs disabled: only "the bucket owner has full control" is accepted (and changes nothing).
  if (enforced(b)) {
    if (!acl::owner_full_control_only(*grants, owner_of(b.account))) throw acls_not_supported();
    return std::nullopt;
  }
  if (acl::is_public(*grants) && blocks(b, "BlockPublicAcls")) throw access_denied();
  return grants;
}

void S3Service::check_policy_not_blocked(const BucketRow& b, const std::string& policy) {
  if (!blocks(b, "BlockPublicPolicy") || !acl::policy_is_public(policy)) return;
  std::string who = ctx_ && !ctx_->caller_arn.empty() ? ctx_->caller_arn
                                                      : "arn:aws:iam::" + (ctx_ ? ctx_->account_id : b.account) + ":root";
  throw AwsError("AccessDenied",
                 "User: " + who + " is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::" +
                     b.name + "\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
                 403);
}

// ---------------------------------------------------------------- bucket ACL

Result S3Service::put_bucket_acl(json& in) {
  BucketRow b = require_bucket(in);
  json o = owner_of(b.account);
  auto grants = acl::requested(in, o, o, "AccessControlPolicy");
  if (!grants)
    throw errors::with({"MissingSecurityHeader", "Your request was missing a required header", 400},
                       {{"MissingHeaderName", "x-amz-acl"}});
  if (enforced(b)) {
    if (!acl::owner_full_control_only(*grants, o)) throw acls_not_supported();
    return Result::ok();
  }
  if (acl::is_public(*grants) && blocks(b, "BlockPublicAcls")) throw access_denied();
  b.config["Grants"] = *grants;
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_acl(json& in) {
  BucketRow b = require_bucket(in);
  json o = owner_of(b.account);
  json grants = enforced(b) ? acl::owner_grants(o) : b.config.value("Grants", acl::owner_grants(o));
  return Result::ok({{"Owner", o}, {"Grants", grants}});
}

// ---------------------------------------------------------------- Object Ownership

Result S3Service::put_bucket_ownership(json& in) {
  BucketRow b = require_bucket(in);
  json rules = in.value("OwnershipControls", json::object()).value("Rules", json::array());
  if (!rules.is_array() || rules.size() != 1 || !rules[0].is_object()) throw errors::malformed_xml();
  std::string ownership = rules[0].value("ObjectOwnership", "");
  if (ownership != "BucketOwnerEnforced" && ownership != "BucketOwnerPreferred" && ownership != "ObjectWriter")
    throw errors::malformed_xml();
  json o = owner_of(b.account);
  if (ownership == "BucketOwnerEnforced" && !acl::owner_full_control_only(b.config.value("Grants", acl::owner_grants(o)), o))
    throw acl_with_enforced_ownership();
  b.config["ObjectOwnership"] = ownership;
  if (ownership == "BucketOwnerEnforced") b.config.erase("Grants");
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_ownership(json& in) {
  BucketRow b = require_bucket(in);
  std::string ownership = b.config.value("ObjectOwnership", "");
  if (ownership.empty())
    throw bucket_error("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404, b.name);
  return Result::ok({{"OwnershipControls", {{"Rules", json::array({{{"ObjectOwnership", ownership}}})}}}});
}

Result S3Service::delete_bucket_ownership(json& in) {
  BucketRow b = require_bucket(in);
  b.config.erase("ObjectOwnership");  // the bucket then behaves as ObjectWriter
  store_.update_bucket(b);
  return Result::ok();
}

// ---------------------------------------------------------------- Block Public Access

Result S3Service::put_public_access_block(json& in) {
  BucketRow b = require_bucket(in);
  auto cfg = in.find("PublicAccessBlockConfiguration");
  if (cfg == in.end() || !cfg->is_object()) throw errors::malformed_xml();
  json stored = json::object();
  for (const char* k : {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}) {
    auto v = cfg->find(k);
    if (v != cfg->end() && !v->is_boolean()) throw errors::malformed_xml();
    stored[k] = v != cfg->end() && v->get<bool>();
  }
  b.config["PublicAccessBlock"] = stored;
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_public_access_block(json& in) {
  BucketRow b = require_bucket(in);
  auto it = b.config.find("PublicAccessBlock");
  if (it == b.config.end())
    throw bucket_error("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404,
                       b.name);
  return Result::ok({{"PublicAccessBlockConfiguration", *it}});
}

Result S3Service::delete_public_access_block(json& in) {
  BucketRow b = require_bucket(in);
  b.config.erase("PublicAccessBlock");
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_policy_status(json& in) {
  BucketRow b = require_bucket(in);
  auto it = b.config.find("Policy");
  if (it == b.config.end() || !it->is_string())
    throw bucket_error("NoSuchBucketPolicy", "The bucket policy does not exist", 404, b.name);
  return Result::ok({{"PolicyStatus", {{"IsPublic", acl::policy_is_public(it->get<std::string>())}}}});
}

// ---------------------------------------------------------------- object ACL

Result S3Service::put_object_acl(json& in) {
  BucketRow b = require_bucket(in);
  ObjectRow obj = require_object(b, in);
  auto grants = acl::requested(in, owner(), owner_of(b.account), "AccessControlPolicy");
  if (!grants)
    throw errors::with({"MissingSecurityHeader", "Your request was missing a required header", 400},
                       {{"MissingHeaderName", "x-amz-acl"}});
  if (enforced(b)) {
    if (!acl::owner_full_control_only(*grants, owner_of(b.account))) throw acls_not_supported();
    return Result::ok();
  }
  if (acl::is_public(*grants) && blocks(b, "BlockPublicAcls")) throw access_denied();
  obj.meta["Grants"] = *grants;
  store_.update_meta(b.name, obj.key, obj.version, obj.meta);
  notify(b, "s3:ObjectAcl:Put", obj);
  json out = json::object();
  if (!b.versioning.empty()) out["VersionId"] = obj.version;
  return Result::ok(out);
}

Result S3Service::get_object_acl(json& in) {
  BucketRow b = require_bucket(in);
  ObjectRow obj = require_object(b, in);
  json o = owner_of(b.account);
  json grants = enforced(b) ? acl::owner_grants(o) : obj.meta.value("Grants", acl::owner_grants(o));
  json out = {{"Owner", o}, {"Grants", grants}};
  return Result::ok(out);
}

}  // namespace awan::s3
