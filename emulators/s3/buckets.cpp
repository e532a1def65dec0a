// S3 bucket operations: create, head, delete, list, location, and the bucket configurations
// (versioning, tagging, policy, CORS, lifecycle, notifications, ACL, ownership, encryption).
#include <algorithm>

#include "s3/bucket_name.hpp"
#include "s3/cors.hpp"
#include "s3/errors.hpp"
#include "s3/event_shapes.hpp"
#include "s3/lifecycle.hpp"
#include "s3/service_impl.hpp"
#include "s3/tags.hpp"

namespace awan::s3 {

namespace {
AwsError no_config(const char* code, const char* message, const std::string& bucket) {
  return errors::with({code, message, 404}, {{"BucketName", bucket}});
}
}  // namespace

Result S3Service::create_bucket(json& in) {
  std::string name = in.value("Bucket", "");
  if (auto err = validate_bucket_name(name)) throw *err;
  const std::string& request_region = ctx_->region;
  std::string constraint;
  if (auto cfg = in.find("CreateBucketConfiguration"); cfg != in.end() && cfg->is_object())
    constraint = cfg->value("LocationConstraint", "");
  if (auto err = validate_location_constraint(constraint, request_region)) throw *err;
  std::string region = constraint.empty() ? "us-east-1" : constraint == "EU" ? "eu-west-1" : constraint;
  if (auto existing = store_.bucket(name)) {
    if (existing->account != ctx_->account_id) throw errors::bucket_already_exists(name);
    // us-east-1 answers a repeated create of one's own bucket with success (legacy behaviour).
    if (existing->region == "us-east-1" && request_region == "us-east-1") return Result::ok({{"Location", "/" + name}});
    throw errors::bucket_already_owned(name);
  }
  BucketRow b;
  b.name = name;
  b.account = ctx_->account_id;
  b.region = region;
  b.created = now();
  b.config["ObjectOwnership"] = in.value("ObjectOwnership", "BucketOwnerEnforced");
  if (auto grants = bucket_acl_for_create(b, in)) b.config["Grants"] = *grants;
  // New buckets block public access (all four settings on, since April 2023).
  b.config["PublicAccessBlock"] = {{"BlockPublicAcls", true}, {"IgnorePublicAcls", true},
                                   {"BlockPublicPolicy", true}, {"RestrictPublicBuckets", true}};
  if (in.value("ObjectLockEnabledForBucket", false)) {
    b.config["ObjectLock"] = true;
    b.versioning = "Enabled";  // object lock turns versioning on
  }
  store_.insert_bucket(b);
  std::string location = region == "us-east-1" ? "/" + name : "http://" + name + ".s3.amazonaws.com/";
  return Result::ok({{"Location", location}, {"BucketArn", "arn:aws:s3:::" + name}});
}

Result S3Service::head_bucket(json& in) {
  BucketRow b = require_bucket(in);
  return Result::ok({{"BucketRegion", b.region}, {"AccessPointAlias", false}});
}

Result S3Service::delete_bucket(json& in) {
  BucketRow b = require_bucket(in);
  if (store_.bucket_has_content(b.name)) throw errors::bucket_not_empty(b.name);
  store_.delete_bucket(b.name);
  return Result::ok();
}

Result S3Service::list_buckets(json& in) {
  std::string prefix = in.value("Prefix", "");
  std::string region = in.value("BucketRegion", "");
  std::string after = in.value("ContinuationToken", "");
  int64_t max = in.value("MaxBuckets", int64_t{10000});
  if (max < 1 || max > 10000)
    throw errors::invalid_argument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets",
                                   std::to_string(max));
  json buckets = json::array();
  std::string last;
  bool truncated = false;
  for (const BucketRow& b : store_.buckets()) {
    if (b.account != ctx_->account_id) continue;
    if (!prefix.empty() && b.name.compare(0, prefix.size(), prefix) != 0) continue;
    if (!region.empty() && b.region != region) continue;
    if (!after.empty() && b.name <= after) continue;
    if (static_cast<int64_t>(buckets.size()) == max) {
      truncated = true;
      break;
    }
    buckets.push_back({{"Name", b.name}, {"CreationDate", b.created}, {"BucketRegion", b.region},
                       {"BucketArn", "arn:aws:s3:::" + b.name}});
    last = b.name;
  }
  json out = {{"Buckets", buckets}, {"Owner", owner()}};
  if (!prefix.empty()) out["Prefix"] = prefix;
  if (truncated) out["ContinuationToken"] = last;
  return Result::ok(out);
}

Result S3Service::get_bucket_location(json& in) {
  BucketRow b = require_bucket(in);
  json out = json::object();
  if (b.region != "us-east-1") out["LocationConstraint"] = b.region;  // us-east-1: an empty element
  return Result::ok(out);
}

// ---------------------------------------------------------------- versioning

Result S3Service::put_bucket_versioning(json& in) {
  BucketRow b = require_bucket(in);
  json cfg = in.value("VersioningConfiguration", json::object());
  std::string status = cfg.value("Status", "");
  if (status != "Enabled" && status != "Suspended") throw errors::malformed_xml();
  if (cfg.contains("MFADelete") && cfg["MFADelete"] == "Enabled")
    throw errors::invalid_request("DevPay and Mfa are mutually exclusive authorization methods.");
  if (b.config.value("ObjectLock", false) && status == "Suspended")
    throw errors::with({"InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.", 409},
                       {{"BucketName", b.name}});
  b.versioning = status;
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_versioning(json& in) {
  BucketRow b = require_bucket(in);
  json out = json::object();
  if (!b.versioning.empty()) out["Status"] = b.versioning;
  return Result::ok(out);
}

// ---------------------------------------------------------------- tagging

Result S3Service::put_bucket_tagging(json& in) {
  BucketRow b = require_bucket(in);
  json tags = in.value("Tagging", json::object()).value("TagSet", json::array());
  if (auto err = validate_tag_set(tags, 50)) throw *err;
  b.config["Tags"] = tags;
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_tagging(json& in) {
  BucketRow b = require_bucket(in);
  auto it = b.config.find("Tags");
  if (it == b.config.end()) throw no_config("NoSuchTagSet", "The TagSet does not exist", b.name);
  return Result::ok({{"TagSet", *it}});
}

Result S3Service::delete_bucket_tagging(json& in) {
  BucketRow b = require_bucket(in);
  b.config.erase("Tags");
  store_.update_bucket(b);
  return Result::ok();
}

// ---------------------------------------------------------------- policy

Result S3Service::put_bucket_policy(json& in) {
  BucketRow b = require_bucket(in);
  std::string text = in.value("Policy", "");
  size_t first = text.find_first_not_of(" \t\r\n");
  json doc = json::parse(text, nullptr, false);
  if (first == std::string::npos || text[first] != '{' || !doc.is_object())
    throw AwsError("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'", 400);
  if (!doc.contains("Statement"))
    throw AwsError("MalformedPolicy", "Missing required field Statement", 400);
  check_policy_not_blocked(b, text);
  b.config["Policy"] = text;
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_policy(json& in) {
  BucketRow b = require_bucket(in);
  auto it = b.config.find("Policy");
  if (it == b.config.end()) throw no_config("NoSuchBucketPolicy", "The bucket policy does not exist", b.name);
  return Result::ok({{"Policy", *it}});
}

Result S3Service::delete_bucket_policy(json& in) {
  BucketRow b = require_bucket(in);
  b.config.erase("Policy");
  store_.update_bucket(b);
  return Result::ok();
}

// ---------------------------------------------------------------- stored configurations

Result S3Service::get_config(json& in, const char* key, const char* member, const char* code, const char* message) {
  BucketRow b = require_bucket(in);
  auto it = b.config.find(key);
  if (it == b.config.end()) throw no_config(code, message, b.name);
  json out = json::object();
  if (it->is_object()) {
    out = *it;
  } else {
    out[member] = *it;
  }
  return Result::ok(out);
}

Result S3Service::put_bucket_cors(json& in) {
  BucketRow b = require_bucket(in);
  json cfg = in.value("CORSConfiguration", json::object());
  if (auto err = validate_cors(cfg)) throw *err;
  b.config["CORS"] = cfg;
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_cors(json& in) {
  return get_config(in, "CORS", "CORSRules", "NoSuchCORSConfiguration", "The CORS configuration does not exist");
}

Result S3Service::delete_bucket_cors(json& in) {
  BucketRow b = require_bucket(in);
  b.config.erase("CORS");
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::put_bucket_lifecycle(json& in) {
  BucketRow b = require_bucket(in);
  json cfg = in.value("LifecycleConfiguration", json::object());
  LifecycleConfig parsed;
  json normalized;
  if (auto err = parse_lifecycle_configuration(cfg, parsed, &normalized)) throw *err;
  b.config["Lifecycle"] = normalized;
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::get_bucket_lifecycle(json& in) {
  return get_config(in, "Lifecycle", "Rules", "NoSuchLifecycleConfiguration",
                    "The lifecycle configuration does not exist");
}

Result S3Service::delete_bucket_lifecycle(json& in) {
  BucketRow b = require_bucket(in);
  b.config.erase("Lifecycle");
  store_.update_bucket(b);
  return Result::ok();
}

Result S3Service::put_bucket_notification(json& in) {
  BucketRow b = require_bucket(in);
  NotificationConfig parsed;
  if (auto err = parse_notification_configuration(in.value("NotificationConfiguration", json::object()), parsed))
    throw *err;
  if (!in.value("SkipDestinationValidation", false)) check_destinations(parsed);
  b.config["Notification"] = notification_configuration_document(parsed);
  store_.update_bucket(b);
  send_test_events(parsed, b.name);
  return Result::ok();
}

Result S3Service::get_bucket_notification(json& in) {
  BucketRow b = require_bucket(in);
  return Result::ok(b.config.value("Notification", json::object()));
}

// ---------------------------------------------------------------- encryption

Result S3Service::get_bucket_encryption(json& in) {
  require_bucket(in);
  // Every bucket encrypts new objects with SSE-S3 by default (since January 2023).
  json rule = {{"ApplyServerSideEncryptionByDefault", {{"SSEAlgorithm", "AES256"}}}, {"BucketKeyEnabled", false}};
  return Result::ok({{"ServerSideEncryptionConfiguration", {{"Rules", json::array({rule})}}}});
}

}  // namespace awan::s3
