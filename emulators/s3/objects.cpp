// S3 object operations: PutObject, POST Object (browser forms), GetObject, HeadObject,
// DeleteObject, DeleteObjects, CopyObject, GetObjectAttributes, object tagging and ACLs.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "protocol/codec.hpp"
#include "s3/errors.hpp"
#include "s3/form_data.hpp"
#include "s3/object_support.hpp"
#include "s3/post_policy.hpp"
#include "s3/service_impl.hpp"
#include "s3/tags.hpp"

namespace awan::s3 {

namespace {

// Removes bodies whose metadata is gone (after the commit).
void discard(BodyStore& bodies, const std::vector<BodyRef>& garbage) {
  for (const BodyRef& b : garbage) bodies.remove(b);
}

}  // namespace

// ---------------------------------------------------------------- PutObject

Result S3Service::put_object(json& in) { return write_object(in, "s3:ObjectCreated:Put"); }

Result S3Service::write_object(json& in, const char* event) {
  std::string key = in.value("Key", "");
  if (key.size() > 1024) throw AwsError("KeyTooLongError", "Your key is too long", 400);
  json grants;
  {
    std::lock_guard lock(mu_);
    auto b = require_bucket_ref(in);  // before the payload is stored
    grants = object_acl_for_write(*b, in).value_or(json());
  }
  json meta = write_metadata(in);
  if (!grants.is_null()) meta["Grants"] = std::move(grants);
  json tags = json::array();
  if (auto t = in.find("Tagging"); t != in.end() && t->is_string()) {
    if (auto err = parse_tagging_header(t->get<std::string>(), tags)) throw *err;
  }
  ChecksumClaim claim = checksum_claim(in, *ctx_, ChecksumAlgorithm::Crc64Nvme);
  Payload empty;
  Payload& payload = ctx_->payload ? *ctx_->payload : empty;
  int64_t size = static_cast<int64_t>(payload.size());
  PayloadHasher hasher(claim.algorithm, !ctx_->payload_sha256.empty());
  std::function<void(std::string_view)> feed;
  if (!hasher.adopt(payload)) feed = [&](std::string_view c) { hasher.update(c); };
  BodyRef body = bodies_.ingest(payload, feed);
  hasher.finish();
  try {
    verify_payload(in, claim, hasher, *ctx_);
  } catch (...) {
    bodies_.remove(body);
    throw;
  }
  if (!tags.empty()) meta["Tags"] = tags;
  meta["Checksum"] = {{"Algorithm", std::string(checksum_name(*claim.algorithm))},
                      {"Value", hasher.checksum()},
                      {"Type", "FULL_OBJECT"}};
  ObjectRow row;
  row.key = key;
  row.size = size;
  row.etag = quoted(hasher.md5_hex());
  row.meta = std::move(meta);
  row.body = std::move(body);
  std::vector<BodyRef> garbage;
  std::shared_ptr<const BucketRow> bucket;
  try {
    std::lock_guard lock(mu_);
    bucket = require_bucket_ref(in);
    auto current = store_.latest_ref(bucket->name, key);
    check_write_conditions(in, current && !current->delete_marker ? current.get() : nullptr);
    row.modified = now();
    storage::Transaction tx(store_.db());
    write_version(*bucket, row, garbage, current.get());
    tx.commit();
  } catch (...) {
    bodies_.remove(row.body);
    throw;
  }
  const BucketRow& b = *bucket;
  discard(bodies_, garbage);
  json out = {{"ETag", row.etag}, {"ServerSideEncryption", row.meta.value("ServerSideEncryption", "AES256")}};
  if (b.versioning == "Enabled") out["VersionId"] = row.version;
  if (std::string e = expiration_header(b, row); !e.empty()) out["Expiration"] = std::move(e);
  // The checksum is echoed when the client sent or named one.
  if (!claim.value.empty() || in.contains("ChecksumAlgorithm")) checksum_to_output(row.meta["Checksum"], out);
  notify(b, event, row);
  return Result::ok(out);
}

// ---------------------------------------------------------------- POST Object

namespace {
// The form fields that become PutObject members.
constexpr std::pair<const char*, const char*> kPostFields[] = {
    {"content-type", "ContentType"},
    {"cache-control", "CacheControl"},
    {"content-disposition", "ContentDisposition"},
    {"content-encoding", "ContentEncoding"},
    {"content-language", "ContentLanguage"},
    {"expires", "Expires"},
    {"acl", "ACL"},
    {"x-amz-storage-class", "StorageClass"},
    {"x-amz-website-redirect-location", "WebsiteRedirectLocation"},
    {"x-amz-server-side-encryption", "ServerSideEncryption"},
    {"x-amz-checksum-algorithm", "ChecksumAlgorithm"},
    {"x-amz-checksum-crc32", "ChecksumCRC32"},
    {"x-amz-checksum-crc32c", "ChecksumCRC32C"},
    {"x-amz-checksum-crc64nvme", "ChecksumCRC64NVME"},
    {"x-amz-checksum-sha1", "ChecksumSHA1"},
    {"x-amz-checksum-sha256", "ChecksumSHA256"}};

// A form's `tagging` field (a <Tagging><TagSet><Tag><Key>…</Key><Value>…</Value></Tag>…
// document, decoded by the protocol layer) as PutObject's Tagging member (the URL-encoded form of
// the x-amz-tagging header).
std::string post_tagging(const std::string& xml) {
  auto doc = protocol::decode_xml_shape("s3", "Tagging", xml);
  if (!doc) throw errors::malformed_xml();
  std::string out;
  for (const auto& tag : doc->value("TagSet", json::array())) {
    if (!out.empty()) out += '&';
    out += text::percent_encode(tag.value("Key", "")) + "=" + text::percent_encode(tag.value("Value", ""));
  }
  return out;
}

// The PutObject input of a form: its key (${filename} expanded), content headers and metadata.
json post_put_input(const std::string& bucket, const PostForm& form) {
  json in = {{"Bucket", bucket}, {"Key", form.object_key()}};
  for (const auto& [field, member] : kPostFields)
    if (const std::string* v = form.get(field)) in[member] = form.expand_filename(*v);
  json meta = json::object();
  for (const FormField& f : form.fields)
    if (f.name.rfind("x-amz-meta-", 0) == 0 && f.name.size() > 11) meta[f.name.substr(11)] = form.expand_filename(f.value);
  if (!meta.empty()) in["Metadata"] = meta;
  if (const std::string* t = form.get("tagging")) in["Tagging"] = post_tagging(*t);
  return in;
}
}  // namespace

Result S3Service::post_object(json& in) {
  const std::string bucket = in.value("Bucket", "");
  BucketRow b;
  {
    std::lock_guard lock(mu_);
    b = require_bucket(in);
  }
  std::string boundary;
  if (auto err = form_boundary(in.value("ContentType", ""), boundary)) throw *err;
  Payload empty;
  const Payload& body = ctx_->payload ? *ctx_->payload : empty;
  std::unique_ptr<ByteSource> source;
  if (body.in_file()) {
    auto file = std::make_unique<FileSource>(body.file->path());
    if (!file->ok()) throw errors::internal();
    source = std::move(file);
  } else {
    source = std::make_unique<MemorySource>(body.bytes);
  }
  PostForm form;
  if (auto err = parse_post_form(*source, boundary, form)) throw *err;
  if (auto err = require_key_field(form)) throw *err;
  if (env_.verify_signatures) {
    if (!has_post_authentication(form)) throw AwsError("AccessDenied", "Access Denied", 403);
    auto secret_of = [&](const std::string& key) {
      auto secret = env_.secret_for ? env_.secret_for(key) : std::nullopt;
      if (!secret)
        throw errors::with({"InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403},
                           {{"AWSAccessKeyId", key}});
      return *secret;
    };
    std::string signed_policy;
    if (is_post_sigv2(form)) {
      PostSigV2 sig;
      if (auto err = read_post_sigv2(form, b.region, sig)) throw *err;
      if (auto err = verify_post_sigv2(sig, secret_of(sig.access_key_id))) throw *err;
      signed_policy = sig.policy;
    } else {
      PostSigV4 sig;
      if (auto err = read_post_sigv4(form, sig)) throw *err;
      if (auto err = verify_post_sigv4(sig, secret_of(sig.access_key_id), b.region)) throw *err;
      signed_policy = sig.policy;
    }
    PostPolicy policy;
    if (auto err = parse_post_policy(signed_policy, policy)) throw *err;
    const Clock* clock = ctx_->clock ? ctx_->clock : env_.clock;
    if (auto err = evaluate_post_policy(policy, form, bucket, form.file.length, clock->now())) throw *err;
  }
  json put = post_put_input(bucket, form);
  // The file part is stored as a PutObject body: a range of the spooled form, not a copy.
  RequestContext upload = *ctx_;
  upload.payload = std::make_shared<Payload>(
      body.in_file() ? Payload::of_file(body.file, body.offset + form.file.offset, form.file.length)
                     : Payload::of_bytes(body.bytes.substr(form.file.offset, form.file.length)));
  upload.payload_sha256.clear();
  upload.trailers.clear();
  struct Restore {
    const RequestContext* saved;
    ~Restore() { ctx_ = saved; }
  } restore{ctx_};
  ctx_ = &upload;
  Result stored = write_object(put, "s3:ObjectCreated:Post");
  const std::string key = put.value("Key", "");
  std::string host = in.value("Host", "");
  std::string url = "http://" + (host.empty() ? std::string("localhost") : host) + "/" + bucket + "/" + url_encode_key(key);
  PostAnswer answer = post_success_answer(form, bucket, key, stored.output.value("ETag", ""), url);
  json headers = json::object();
  for (const auto& [name, value] : answer.headers) headers[name] = value;
  if (stored.output.contains("VersionId")) headers["x-amz-version-id"] = stored.output["VersionId"];
  return Result::ok({{"Status", answer.status}, {"Headers", headers}}).with_payload(Payload::of_bytes(answer.body));
}

// ---------------------------------------------------------------- GetObject / HeadObject

Result S3Service::read_object(json& in, bool head) {
  const auto bucket = require_bucket_ref(in);
  const BucketRow& b = *bucket;
  std::string key = in.value("Key", "");
  std::string version = in.value("VersionId", "");
  std::shared_ptr<const ObjectRow> row;  // the latest from the store's cache, not copied
  if (!version.empty()) {
    auto v = store_.version(b.name, key, version);
    if (!v) {
      if (version != "null" && version.size() != 32)
        throw errors::invalid_argument("Invalid version id specified", "versionId", version);
      throw errors::no_such_version(key, version);
    }
    if (v->delete_marker)
      throw AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);
    row = std::make_shared<const ObjectRow>(std::move(*v));
  } else {
    row = store_.latest_ref(b.name, key);
    if (!row || row->delete_marker) throw errors::no_such_key(key);
  }
  const ObjectRow& obj = *row;
  check_read_conditions(in, obj);

  uint64_t size = static_cast<uint64_t>(obj.size);
  uint64_t first = 0, length = size;
  json out = json::object();
  const json parts = obj.meta.value("PartSizes", json::array());
  if (auto pn = in.find("PartNumber"); pn != in.end() && pn->is_number_integer()) {
    int64_t n = pn->get<int64_t>();
    int64_t count = parts.empty() ? 1 : static_cast<int64_t>(parts.size());
    if (n < 1 || n > 10000)
      throw errors::invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                                     std::to_string(n));
    if (n > count) throw AwsError("InvalidPartNumber", "The requested partnumber is not satisfiable", 416);
    if (!parts.empty()) {
      for (int64_t i = 0; i + 1 < n; ++i) first += parts[static_cast<size_t>(i)].get<uint64_t>();
      length = parts[static_cast<size_t>(n - 1)].get<uint64_t>();
    }
    out["PartsCount"] = count;
    if (length > 0) out["ContentRange"] = content_range(first, first + length - 1, size);
  } else if (auto range = in.find("Range"); range != in.end() && range->is_string()) {
    RangeResult r = resolve_range(range->get<std::string>(), size);
    if (r.error) throw *r.error;
    if (r.range) {
      first = r.range->first;
      length = r.range->length();
      out["ContentRange"] = content_range(r.range->first, r.range->last, size);
    }
  }
  metadata_to_output(obj.meta, out);
  out["AcceptRanges"] = "bytes";
  out["LastModified"] = obj.modified;
  out["ContentLength"] = static_cast<int64_t>(length);
  out["ETag"] = obj.etag;
  if (!b.versioning.empty()) out["VersionId"] = obj.version;
  if (obj.latest) {
    if (std::string e = expiration_header(b, obj); !e.empty()) out["Expiration"] = std::move(e);
  }
  if (auto tags = obj.meta.find("Tags"); !head && tags != obj.meta.end() && !tags->empty())
    out["TagCount"] = static_cast<int64_t>(tags->size());
  if (in.value("ChecksumMode", "") == "ENABLED" && length == size) checksum_to_output(obj.meta.value("Checksum", json()), out);
  // response-* query parameters override the stored headers (signed requests only, on AWS).
  static const std::pair<const char*, const char*> kOverrides[] = {
      {"ResponseCacheControl", "CacheControl"},       {"ResponseContentDisposition", "ContentDisposition"},
      {"ResponseContentEncoding", "ContentEncoding"}, {"ResponseContentLanguage", "ContentLanguage"},
      {"ResponseContentType", "ContentType"},         {"ResponseExpires", "Expires"}};
  for (const auto& [param, member] : kOverrides)
    if (auto it = in.find(param); it != in.end()) out[member] = *it;
  if (head) return Result::ok(out);
  return Result::ok(out).with_payload(bodies_.open(obj.body, first, length));
}

Result S3Service::get_object(json& in) { return read_object(in, false); }
Result S3Service::head_object(json& in) { return read_object(in, true); }

// ---------------------------------------------------------------- DeleteObject(s)

namespace {
struct DeleteOutcome {
  std::string version;         // the version deleted or the marker created
  bool delete_marker = false;  // a marker was created, or the deleted version was one
};
}  // namespace

Result S3Service::delete_object(json& in) {
  BucketRow b = require_bucket(in);
  std::string key = in.value("Key", "");
  std::string version = in.value("VersionId", "");
  std::vector<BodyRef> garbage;
  json out = json::object();
  std::optional<ObjectRow> removed;  // for the notification
  const char* event = "s3:ObjectRemoved:Delete";
  storage::Transaction tx(store_.db());
  if (!version.empty()) {
    auto row = store_.version(b.name, key, version);
    if (row) {
      removed = row;
      garbage.push_back(row->body);
      store_.delete_version(b.name, key, version);
      if (row->delete_marker) out["DeleteMarker"] = true;
    } else if (version != "null" && version.size() != 32) {
      throw errors::invalid_argument("Invalid version id specified", "versionId", version);
    }
    out["VersionId"] = version;
  } else if (b.versioning.empty()) {
    if (auto row = store_.version(b.name, key, "null")) {
      removed = row;
      garbage.push_back(row->body);
      store_.delete_version(b.name, key, "null");
    }
  } else {
    // Versioned: a delete marker becomes the current version (Suspended: the "null" one).
    ObjectRow marker;
    marker.key = key;
    marker.delete_marker = true;
    marker.etag = "";
    marker.modified = now();
    write_version(b, marker, garbage);
    out["DeleteMarker"] = true;
    if (b.versioning == "Enabled") out["VersionId"] = marker.version;
    else out["VersionId"] = "null";
    removed = marker;
    event = "s3:ObjectRemoved:DeleteMarkerCreated";
  }
  tx.commit();
  discard(bodies_, garbage);
  if (removed) notify(b, event, *removed);
  return Result::ok(out);
}

Result S3Service::delete_objects(json& in) {
  BucketRow b = require_bucket(in);
  json del = in.value("Delete", json::object());
  json objects = del.value("Objects", json::array());
  if (!objects.is_array() || objects.empty() || objects.size() > 1000) throw errors::malformed_xml();
  bool quiet = del.value("Quiet", false);
  json deleted = json::array(), failed = json::array();
  for (const json& o : objects) {
    json one = {{"Bucket", b.name}, {"Key", o.value("Key", "")}};
    if (o.contains("VersionId")) one["VersionId"] = o["VersionId"];
    try {
      Result r = delete_object(one);
      json d = {{"Key", one["Key"]}};
      if (o.contains("VersionId")) d["VersionId"] = o["VersionId"];
      if (r.output.value("DeleteMarker", false)) {
        d["DeleteMarker"] = true;
        if (!o.contains("VersionId") && r.output.contains("VersionId")) d["DeleteMarkerVersionId"] = r.output["VersionId"];
      }
      if (!quiet) deleted.push_back(std::move(d));
    } catch (const AwsError& e) {
      json f = {{"Key", one["Key"]}, {"Code", e.code}, {"Message", e.message}};
      if (o.contains("VersionId")) f["VersionId"] = o["VersionId"];
      failed.push_back(std::move(f));
    }
  }
  json out = json::object();
  if (!deleted.empty()) out["Deleted"] = deleted;
  if (!failed.empty()) out["Errors"] = failed;
  return Result::ok(out);
}

// ---------------------------------------------------------------- CopyObject

Result S3Service::copy_object(json& in) {
  BucketRow dest = require_bucket(in);
  std::string key = in.value("Key", "");
  CopySource src = parse_copy_source(in.value("CopySource", ""));
  auto src_bucket = store_.bucket(src.bucket);
  if (!src_bucket) throw errors::no_such_bucket(src.bucket);
  json sel = {{"Key", src.key}};
  if (!src.version.empty()) sel["VersionId"] = src.version;
  ObjectRow source = require_object(*src_bucket, sel);
  if (source.delete_marker) throw errors::invalid_request("The source of a copy request may not specifically refer to a delete marker by version id.");
  check_copy_conditions(in, source);
  std::string directive = in.value("MetadataDirective", "COPY");
  std::string tag_directive = in.value("TaggingDirective", "COPY");
  if (directive != "COPY" && directive != "REPLACE")
    throw errors::invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", directive);
  if (tag_directive != "COPY" && tag_directive != "REPLACE")
    throw errors::invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", tag_directive);
  const bool same = src.bucket == dest.name && src.key == key && src.version.empty();
  if (same && directive == "COPY" && !in.contains("StorageClass") && !in.contains("WebsiteRedirectLocation") &&
      !in.contains("ServerSideEncryption"))
    throw errors::invalid_request(
        "This copy request is illegal because it is trying to copy an object to itself without changing the "
        "object's metadata, storage class, website redirect location or encryption attributes.");
  json meta = directive == "REPLACE" ? write_metadata(in) : source.meta;
  meta.erase("Grants");  // a copy gets the ACL its request sets, not the source's
  if (auto grants = object_acl_for_write(dest, in)) meta["Grants"] = *grants;
  if (directive == "COPY") {
    if (in.contains("StorageClass")) meta["StorageClass"] = in["StorageClass"];
    meta.erase("PartSizes");
  }
  meta.erase("Tags");
  if (tag_directive == "COPY") {
    if (source.meta.contains("Tags")) meta["Tags"] = source.meta["Tags"];
  } else if (auto t = in.find("Tagging"); t != in.end() && t->is_string()) {
    json tags;
    if (auto err = parse_tagging_header(t->get<std::string>(), tags)) throw *err;
    if (!tags.empty()) meta["Tags"] = tags;
  }
  // The copy's checksum: the one asked for, else the source's algorithm (CRC64NVME by default).
  std::optional<ChecksumAlgorithm> alg =
      checksum_from_name(in.value("ChecksumAlgorithm", source.meta.value("Checksum", json::object()).value("Algorithm", "CRC64NVME")));
  PayloadHasher hasher(alg, false);
  BodyStore::Piece piece{&source.body, 0, static_cast<uint64_t>(source.size)};
  ObjectRow row;
  row.key = key;
  row.size = source.size;
  row.body = bodies_.assemble({piece}, static_cast<uint64_t>(source.size), [&](std::string_view c) { hasher.update(c); });
  hasher.finish();
  row.etag = quoted(hasher.md5_hex());
  if (alg) meta["Checksum"] = {{"Algorithm", std::string(checksum_name(*alg))}, {"Value", hasher.checksum()}, {"Type", "FULL_OBJECT"}};
  row.meta = std::move(meta);
  row.modified = now();
  std::vector<BodyRef> garbage;
  try {
    storage::Transaction tx(store_.db());
    write_version(dest, row, garbage);
    tx.commit();
  } catch (...) {
    bodies_.remove(row.body);
    throw;
  }
  discard(bodies_, garbage);
  json result = {{"ETag", row.etag}, {"LastModified", row.modified}};
  if (in.contains("ChecksumAlgorithm")) checksum_to_output(row.meta["Checksum"], result);
  json out = {{"CopyObjectResult", result}, {"ServerSideEncryption", row.meta.value("ServerSideEncryption", "AES256")}};
  if (!src_bucket->versioning.empty()) out["CopySourceVersionId"] = source.version;
  if (dest.versioning == "Enabled") out["VersionId"] = row.version;
  notify(dest, "s3:ObjectCreated:Copy", row);
  return Result::ok(out);
}

// ---------------------------------------------------------------- GetObjectAttributes

namespace {
// GetObjectAttributes' ObjectParts of a multipart object: a page of its parts (MaxParts,
// default 1000; PartNumberMarker) with their sizes and checksums.
json object_parts(const ObjectRow& obj, const json& in) {
  const json sizes = obj.meta.value("PartSizes", json::array());
  const json sums = obj.meta.value("PartChecksums", json::array());
  auto alg = checksum_from_name(obj.meta.value("Checksum", json::object()).value("Algorithm", ""));
  int64_t max = in.value("MaxParts", int64_t{1000});
  if (max < 0) max = 0;
  int64_t marker = in.value("PartNumberMarker", int64_t{0});
  json parts = json::array();
  int64_t last = marker;
  bool truncated = false;
  for (size_t i = static_cast<size_t>(std::max<int64_t>(marker, 0)); i < sizes.size(); ++i) {
    if (static_cast<int64_t>(parts.size()) == max) {
      truncated = true;
      break;
    }
    json p = {{"PartNumber", static_cast<int64_t>(i) + 1}, {"Size", sizes[i]}};
    if (alg && i < sums.size() && sums[i].is_string() && !sums[i].get<std::string>().empty())
      p[checksum_member(*alg)] = sums[i];
    last = static_cast<int64_t>(i) + 1;
    parts.push_back(std::move(p));
  }
  json out = {{"TotalPartsCount", sizes.size()}, {"PartNumberMarker", marker}, {"MaxParts", max},
              {"IsTruncated", truncated}, {"Parts", std::move(parts)}};
  if (truncated) out["NextPartNumberMarker"] = last;
  return out;
}
}  // namespace

Result S3Service::get_object_attributes(json& in) {
  BucketRow b = require_bucket(in);
  ObjectRow obj = require_object(b, in);
  json wanted = in.value("ObjectAttributes", json::array());
  if (!wanted.is_array() || wanted.empty())
    throw errors::invalid_request("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty");
  json out = {{"LastModified", obj.modified}};
  if (!b.versioning.empty()) out["VersionId"] = obj.version;
  for (const json& w : wanted) {
    std::string a = w.is_string() ? w.get<std::string>() : "";
    if (a == "ETag") {
      out["ETag"] = unquoted(obj.etag);
    } else if (a == "Checksum") {
      json c = json::object();
      checksum_to_output(obj.meta.value("Checksum", json()), c);
      if (!c.empty()) out["Checksum"] = c;
    } else if (a == "ObjectParts") {
      json parts = obj.meta.value("PartSizes", json::array());
      if (!parts.empty()) out["ObjectParts"] = object_parts(obj, in);
    } else if (a == "StorageClass") {
      out["StorageClass"] = obj.meta.value("StorageClass", "STANDARD");
    } else if (a == "ObjectSize") {
      out["ObjectSize"] = obj.size;
    } else {
      throw errors::invalid_argument("Invalid attribute name specified.", "x-amz-object-attributes", a);
    }
  }
  return Result::ok(out);
}

// ---------------------------------------------------------------- tagging

Result S3Service::put_object_tagging(json& in) {
  BucketRow b = require_bucket(in);
  ObjectRow obj = require_object(b, in);
  json tags = in.value("Tagging", json::object()).value("TagSet", json::array());
  if (auto err = validate_tag_set(tags, 10)) throw *err;
  obj.meta["Tags"] = tags;
  store_.update_meta(b.name, obj.key, obj.version, obj.meta);
  notify(b, "s3:ObjectTagging:Put", obj);
  json out = json::object();
  if (!b.versioning.empty()) out["VersionId"] = obj.version;
  return Result::ok(out);
}

Result S3Service::get_object_tagging(json& in) {
  BucketRow b = require_bucket(in);
  ObjectRow obj = require_object(b, in);
  json out = {{"TagSet", obj.meta.value("Tags", json::array())}};
  if (!b.versioning.empty()) out["VersionId"] = obj.version;
  return Result::ok(out);
}

Result S3Service::delete_object_tagging(json& in) {
  BucketRow b = require_bucket(in);
  ObjectRow obj = require_object(b, in);
  obj.meta.erase("Tags");
  store_.update_meta(b.name, obj.key, obj.version, obj.meta);
  notify(b, "s3:ObjectTagging:Delete", obj);
  json out = json::object();
  if (!b.versioning.empty()) out["VersionId"] = obj.version;
  return Result::ok(out);
}

}  // namespace awan::s3
