// The S3 service: construction, reset, shared helpers and the operation dispatch. The
// operations live in buckets.cpp, objects.cpp, listing.cpp and multipart.cpp.
#include "s3/service_impl.hpp"

#include <cmath>

#include <spdlog/spdlog.h>

#include "core/ids.hpp"
#include "s3/cors.hpp"
#include "s3/errors.hpp"
#include "s3/object_support.hpp"

namespace awan::s3 {

thread_local const RequestContext* S3Service::ctx_ = nullptr;

S3Service::S3Service(const ServiceEnv& env)
    : env_(env),
      store_(env.db_path("s3"), storage::durability(env.sync_full)),
      bodies_(env.data_dir, env.sync_full) {
  seq_ = store_.max_seq();
  if (!env.data_dir.empty()) {
    // Bodies written before a crash whose metadata never committed.
    size_t removed = bodies_.sweep_orphans(store_.body_paths());
    if (removed) spdlog::info("s3: removed {} orphaned body files", removed);
  }
  schedule_sweep();
}

void S3Service::reset() {
  std::lock_guard lock(mu_);
  std::vector<std::string> paths = store_.body_paths();
  store_.reset();
  for (const auto& p : paths) {
    BodyRef b;
    b.path = p;
    bodies_.remove(b);
  }
}

std::optional<CorsAnswer> S3Service::cors(const CorsQuery& q) {
  std::lock_guard lock(mu_);
  auto b = store_.bucket(q.resource);
  if (!b) return std::nullopt;
  auto cfg = b->config.find("CORS");
  if (cfg == b->config.end()) return std::nullopt;
  CorsMatch m = q.preflight ? match_preflight(*cfg, q.origin, q.method, q.request_headers)
                            : match_actual(*cfg, q.origin, q.method);
  CorsAnswer a;
  if (!m.matched && q.preflight) a.refused = cors_forbidden(q.method, q.object);
  a.headers = std::move(m.headers);
  return a;
}

double S3Service::now() const {
  const Clock* clock = ctx_ && ctx_->clock ? ctx_->clock : env_.clock;
  return std::floor(std::chrono::duration<double>(clock->now().time_since_epoch()).count());
}

BucketRow S3Service::require_bucket(const json& in) { return *require_bucket_ref(in); }

std::shared_ptr<const BucketRow> S3Service::require_bucket_ref(const json& in) {
  auto it = in.find("Bucket");
  std::string_view name = it != in.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>()) : "";
  auto b = store_.bucket_ref(name);
  if (!b) throw errors::no_such_bucket(std::string(name));
  return b;
}

ObjectRow S3Service::require_object(const BucketRow& b, const json& in, const char* version_member) {
  std::string key = in.value("Key", "");
  std::string version = in.value(version_member, "");
  if (!version.empty()) {
    auto row = store_.version(b.name, key, version);
    if (!row) throw errors::no_such_version(key, version);
    return *row;
  }
  auto row = store_.latest(b.name, key);
  if (!row || row->delete_marker) throw errors::no_such_key(key);
  return *row;
}

std::string S3Service::new_version_id() const {
  return ids::random_string(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._");
}

json S3Service::owner() const { return owner_of(ctx_ ? ctx_->account_id : env_.default_account_id); }

void S3Service::write_version(const BucketRow& b, ObjectRow& row, std::vector<BodyRef>& garbage,
                              const ObjectRow* latest) {
  row.bucket = b.name;
  row.seq = ++seq_;
  if (b.versioning == "Enabled") {
    row.version = new_version_id();
  } else {
    // Unversioned and suspended buckets overwrite the "null" version.
    row.version = "null";
    if (latest && latest->key == row.key && latest->version == "null") {
      garbage.push_back(latest->body);
    } else if (auto old = store_.version(b.name, row.key, "null")) {
      garbage.push_back(old->body);
    }
  }
  store_.put_version(row);
}

Result S3Service::call(const RequestContext& ctx, const std::string& op, json input) {
  static const std::unordered_map<std::string, Handler> kOps = {
      {"CreateBucket", &S3Service::create_bucket},
      {"HeadBucket", &S3Service::head_bucket},
      {"DeleteBucket", &S3Service::delete_bucket},
      {"ListBuckets", &S3Service::list_buckets},
      {"GetBucketLocation", &S3Service::get_bucket_location},
      {"PutBucketVersioning", &S3Service::put_bucket_versioning},
      {"GetBucketVersioning", &S3Service::get_bucket_versioning},
      {"PutBucketTagging", &S3Service::put_bucket_tagging},
      {"GetBucketTagging", &S3Service::get_bucket_tagging},
      {"DeleteBucketTagging", &S3Service::delete_bucket_tagging},
      {"PutBucketPolicy", &S3Service::put_bucket_policy},
      {"GetBucketPolicy", &S3Service::get_bucket_policy},
      {"DeleteBucketPolicy", &S3Service::delete_bucket_policy},
      {"PutBucketCors", &S3Service::put_bucket_cors},
      {"GetBucketCors", &S3Service::get_bucket_cors},
      {"DeleteBucketCors", &S3Service::delete_bucket_cors},
      {"PutBucketLifecycleConfiguration", &S3Service::put_bucket_lifecycle},
      {"GetBucketLifecycleConfiguration", &S3Service::get_bucket_lifecycle},
      {"DeleteBucketLifecycle", &S3Service::delete_bucket_lifecycle},
      {"PutBucketNotificationConfiguration", &S3Service::put_bucket_notification},
      {"GetBucketNotificationConfiguration", &S3Service::get_bucket_notification},
      {"PutBucketAcl", &S3Service::put_bucket_acl},
      {"GetBucketAcl", &S3Service::get_bucket_acl},
      {"GetBucketOwnershipControls", &S3Service::get_bucket_ownership},
      {"PutBucketOwnershipControls", &S3Service::put_bucket_ownership},
      {"DeleteBucketOwnershipControls", &S3Service::delete_bucket_ownership},
      {"PutPublicAccessBlock", &S3Service::put_public_access_block},
      {"GetPublicAccessBlock", &S3Service::get_public_access_block},
      {"DeletePublicAccessBlock", &S3Service::delete_public_access_block},
      {"GetBucketPolicyStatus", &S3Service::get_bucket_policy_status},
      {"GetBucketEncryption", &S3Service::get_bucket_encryption},
      {"PutObject", &S3Service::put_object},
      {"PostObject", &S3Service::post_object},
      {"GetObject", &S3Service::get_object},
      {"HeadObject", &S3Service::head_object},
      {"DeleteObject", &S3Service::delete_object},
      {"DeleteObjects", &S3Service::delete_objects},
      {"CopyObject", &S3Service::copy_object},
      {"GetObjectAttributes", &S3Service::get_object_attributes},
      {"PutObjectTagging", &S3Service::put_object_tagging},
      {"GetObjectTagging", &S3Service::get_object_tagging},
      {"DeleteObjectTagging", &S3Service::delete_object_tagging},
      {"GetObjectAcl", &S3Service::get_object_acl},
      {"PutObjectAcl", &S3Service::put_object_acl},
      {"ListObjects", &S3Service::list_objects},
      {"ListObjectsV2", &S3Service::list_objects_v2},
      {"ListObjectVersions", &S3Service::list_object_versions},
      {"CreateMultipartUpload", &S3Service::create_multipart_upload},
      {"UploadPart", &S3Service::upload_part},
      {"UploadPartCopy", &S3Service::upload_part_copy},
      {"CompleteMultipartUpload", &S3Service::complete_multipart_upload},
      {"AbortMultipartUpload", &S3Service::abort_multipart_upload},
      {"ListParts", &S3Service::list_parts},
      {"ListMultipartUploads", &S3Service::list_multipart_uploads},
  };
  auto it = kOps.find(op);
  if (it == kOps.end()) return Result::fail(AwsError::not_implemented("The S3 operation " + op));
  if (!input.is_object()) input = json::object();
  // PutObject, PostObject and UploadPart hash and store their payload before they take the lock.
  const bool locks_itself = op == "PutObject" || op == "PostObject" || op == "UploadPart";
  ctx_ = &ctx;
  // No pointer to this request outlives it (background work on this thread sees none).
  struct ForgetRequest {
    ~ForgetRequest() { ctx_ = nullptr; }
  } forget;
  try {
    if (locks_itself) return (this->*(it->second))(input);
    std::lock_guard lock(mu_);
    return (this->*(it->second))(input);
  } catch (const AwsError& e) {
    return Result::fail(e);
  } catch (const storage::SqliteError& e) {
    spdlog::error("s3 {}: {}", op, e.what());
    return Result::fail(errors::internal());
  } catch (const json::exception& e) {
    spdlog::error("s3 {}: {}", op, e.what());
    return Result::fail(errors::malformed_xml());
  }
}

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<S3Service>(env); }

}  // namespace awan::s3
