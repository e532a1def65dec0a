#pragma once
// The S3 service class. Operations by file: buckets.cpp (buckets, their configurations),
// objects.cpp (put, get, head, delete, copy, attributes, tagging), listing.cpp (ListObjects,
// ListObjectsV2, ListObjectVersions), multipart.cpp (multipart uploads); notifications.cpp (event delivery); service.cpp holds
// construction, reset and the dispatch table.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "awan/service.hpp"
#include "s3/body_store.hpp"
#include "s3/event_shapes.hpp"
#include "s3/store.hpp"

namespace awan::s3 {

using json = nlohmann::json;

class S3Service final : public Service {
 public:
  explicit S3Service(const ServiceEnv& env);
  std::string_view name() const override { return "s3"; }
  Result call(const RequestContext& ctx, const std::string& operation, json input) override;
  void reset() override;
  std::optional<CorsAnswer> cors(const CorsQuery& query) override;
  bool internal_endpoint(std::string_view method, std::string_view path, const std::string& body, int& status,
                         json& out) override;
  void shutdown() override { *alive_ = false; }
  ~S3Service() override { *alive_ = false; }

  using Handler = Result (S3Service::*)(json& in);

 private:
  // ---- shared helpers (service.cpp) ----
  double now() const;  // epoch seconds, whole seconds (S3's Last-Modified precision)
  BucketRow require_bucket(const json& in);
  std::shared_ptr<const BucketRow> require_bucket_ref(const json& in);  // the same, not copied
  ObjectRow require_object(const BucketRow& b, const json& in, const char* version_member = "VersionId");
  std::string new_version_id() const;
  json owner() const;
  // Replaces a key's current version (or adds one, versioning enabled) and removes what it
  // replaced; returns the body files to delete once committed.
  // `latest`: the key's latest row when the caller has just read it (spares a read).
  void write_version(const BucketRow& b, ObjectRow& row, std::vector<BodyRef>& garbage,
                     const ObjectRow* latest = nullptr);

  // ---- lifecycle_sweeper.cpp ----
  std::string expiration_header(const BucketRow& b, const ObjectRow& r) const;
  void schedule_sweep();
  // Applies every bucket's lifecycle rules as of `now`: (versions expired, uploads aborted).
  std::pair<size_t, size_t> sweep_lifecycle(std::chrono::system_clock::time_point now);

  // ---- notifications.cpp ----
  // Delivers `event` ("s3:ObjectCreated:Put") on `row` to the bucket's matching targets.
  void notify(const BucketRow& b, const std::string& event, const ObjectRow& row);
  void check_destinations(const NotificationConfig& config);  // InvalidArgument when one is missing
  void send_test_events(const NotificationConfig& config, const std::string& bucket);
  void deliver(const NotificationTarget& t, const std::string& message, const char* subject);
  RequestContext destination_context(const std::string& arn) const;

  // ---- buckets.cpp ----
  Result create_bucket(json& in);
  Result head_bucket(json& in);
  Result delete_bucket(json& in);
  Result list_buckets(json& in);
  Result get_bucket_location(json& in);
  Result put_bucket_versioning(json& in);
  Result get_bucket_versioning(json& in);
  Result put_bucket_tagging(json& in);
  Result get_bucket_tagging(json& in);
  Result delete_bucket_tagging(json& in);
  Result put_bucket_policy(json& in);
  Result get_bucket_policy(json& in);
  Result delete_bucket_policy(json& in);
  Result put_bucket_cors(json& in);
  Result get_bucket_cors(json& in);
  Result delete_bucket_cors(json& in);
  Result put_bucket_lifecycle(json& in);
  Result get_bucket_lifecycle(json& in);
  Result delete_bucket_lifecycle(json& in);
  Result put_bucket_notification(json& in);
  Result get_bucket_notification(json& in);
  Result get_bucket_encryption(json& in);

  // ---- access.cpp: ACLs, Object Ownership, Block Public Access, policy status ----
  Result put_bucket_acl(json& in);
  Result get_bucket_acl(json& in);
  Result put_bucket_ownership(json& in);
  Result get_bucket_ownership(json& in);
  Result delete_bucket_ownership(json& in);
  Result put_public_access_block(json& in);
  Result get_public_access_block(json& in);
  Result delete_public_access_block(json& in);
  Result get_bucket_policy_status(json& in);
  Result put_object_acl(json& in);
  Result get_object_acl(json& in);
  // The grants a CreateBucket sets (nullopt: none), checked against its ObjectOwnership.
  std::optional<json> bucket_acl_for_create(const BucketRow& b, const json& in);
  // The grants an object write (PutObject, CopyObject, CreateMultipartUpload) sets, checked
  // against the bucket's Object Ownership and Block Public Access; nullopt when it sets none.
  std::optional<json> object_acl_for_write(const BucketRow& b, const json& in);
  // AccessDenied when the bucket blocks public policies and `policy` is one.
  void check_policy_not_blocked(const BucketRow& b, const std::string& policy);
  // A stored bucket configuration document, or the error naming its absence.
  Result get_config(json& in, const char* key, const char* member, const char* code, const char* message);

  // ---- objects.cpp ----
  Result put_object(json& in);
  // PutObject's work; `event` is the notification it sends (s3:ObjectCreated:Put or :Post).
  Result write_object(json& in, const char* event);
  // POST Object: a browser form (form_data.hpp) checked by its policy (post_policy.hpp), then
  // stored as PutObject stores it.
  Result post_object(json& in);
  Result get_object(json& in);
  Result head_object(json& in);
  Result delete_object(json& in);
  Result delete_objects(json& in);
  Result copy_object(json& in);
  Result get_object_attributes(json& in);
  Result put_object_tagging(json& in);
  Result get_object_tagging(json& in);
  Result delete_object_tagging(json& in);
  Result read_object(json& in, bool head);

  // ---- listing.cpp ----
  Result list_objects(json& in);
  Result list_objects_v2(json& in);
  Result list_object_versions(json& in);

  // ---- multipart.cpp ----
  Result create_multipart_upload(json& in);
  Result upload_part(json& in);
  Result upload_part_copy(json& in);
  Result complete_multipart_upload(json& in);
  Result abort_multipart_upload(json& in);
  Result list_parts(json& in);
  Result list_multipart_uploads(json& in);

  ServiceEnv env_;
  std::mutex mu_;
  Store store_;
  BodyStore bodies_;
  int64_t seq_ = 0;
  Sequencer sequencer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // read by scheduled sweeps
  // The request being served on this thread (set by call(), before any lock).
  static thread_local const RequestContext* ctx_;
};

}  // namespace awan::s3
