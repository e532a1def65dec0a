// S3 multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload (EntityTooSmall, InvalidPart, InvalidPartOrder; multipart ETag and
// COMPOSITE / FULL_OBJECT checksums), AbortMultipartUpload, ListParts, ListMultipartUploads.
#include <climits>
#include <unordered_set>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "s3/errors.hpp"
#include "s3/object_support.hpp"
#include "s3/service_impl.hpp"
#include "s3/tags.hpp"

namespace awan::s3 {

namespace {
constexpr int64_t kMinPartSize = 5 * 1024 * 1024;


int part_number_of(const json& in) {
  int64_t n = in.value("PartNumber", int64_t{0});
  if (n < 1 || n > 10000)
    throw errors::invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                                   std::to_string(n));
  return static_cast<int>(n);
}

json initiator(const std::string& account) {
  return {{"ID", "arn:aws:iam::" + account + ":root"}, {"DisplayName", "awan"}};
}

void part_checksum_to_output(const json& meta, json& out) {
  if (auto a = checksum_from_name(meta.value("ChecksumAlgorithm", "")))
    out[checksum_member(*a)] = meta.value("Checksum", "");
}
}  // namespace

Result S3Service::create_multipart_upload(json& in) {
  BucketRow b = require_bucket(in);
  std::string key = in.value("Key", "");
  if (key.size() > 1024) throw AwsError("KeyTooLongError", "Your key is too long", 400);
  json meta = write_metadata(in);
  if (auto grants = object_acl_for_write(b, in)) meta["Grants"] = *grants;
  if (auto t = in.find("Tagging"); t != in.end() && t->is_string()) {
    json tags;
    if (auto err = parse_tagging_header(t->get<std::string>(), tags)) throw *err;
    if (!tags.empty()) meta["Tags"] = tags;
  }
  // The upload's checksum: the one named, else S3's default (CRC64NVME over the whole object).
  std::string alg_name = in.value("ChecksumAlgorithm", "");
  std::optional<ChecksumAlgorithm> alg = alg_name.empty() ? ChecksumAlgorithm::Crc64Nvme : checksum_from_name(alg_name);
  if (!alg) throw errors::invalid_argument("Checksum algorithm provided is unsupported.", "x-amz-checksum-algorithm", alg_name);
  std::optional<ChecksumType> type;
  if (std::string t = in.value("ChecksumType", ""); !t.empty()) {
    type = checksum_type_from_name(t);
    if (!type) throw errors::invalid_argument("Value for x-amz-checksum-type header is invalid.", "x-amz-checksum-type", t);
    if (auto err = validate_checksum_type(alg_name.empty() ? std::nullopt : alg, type)) throw *err;
  }
  if (!type) type = default_checksum_type(*alg);
  meta["UploadChecksum"] = {{"Algorithm", std::string(checksum_name(*alg))},
                            {"Type", checksum_type_name(*type)},
                            {"Explicit", !alg_name.empty()}};
  UploadRow u;
  u.id = crypto::base64_encode(crypto::random_bytes(48));
  for (char& c : u.id) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  u.bucket = b.name;
  u.key = key;
  u.initiated = now();
  u.meta = std::move(meta);
  store_.insert_upload(u);
  json out = {{"Bucket", b.name}, {"Key", key}, {"UploadId", u.id},
              {"ServerSideEncryption", u.meta.value("ServerSideEncryption", "AES256")}};
  if (!alg_name.empty()) {
    out["ChecksumAlgorithm"] = std::string(checksum_name(*alg));
    out["ChecksumType"] = checksum_type_name(*type);
  }
  return Result::ok(out);
}

namespace {
// The upload's checksum algorithm, and the check that a part names no other.
ChecksumAlgorithm part_algorithm(const UploadRow& u, const ChecksumClaim& claim) {
  json uc = u.meta.value("UploadChecksum", json::object());
  ChecksumAlgorithm alg = checksum_from_name(uc.value("Algorithm", "CRC64NVME")).value_or(ChecksumAlgorithm::Crc64Nvme);
  if (claim.algorithm && *claim.algorithm != alg && uc.value("Explicit", false)) {
    std::string expected(checksum_name(alg)), actual(checksum_name(*claim.algorithm));
    for (auto* s : {&expected, &actual})
      for (char& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    throw errors::invalid_request("Checksum Type mismatch occurred, expected checksum Type: " + expected +
                                  ", actual checksum Type: " + actual);
  }
  return claim.algorithm && !uc.value("Explicit", false) ? *claim.algorithm : alg;
}
}  // namespace

Result S3Service::upload_part(json& in) {
  int number = part_number_of(in);
  std::string upload_id = in.value("UploadId", "");
  UploadRow u;
  {
    std::lock_guard lock(mu_);
    require_bucket(in);
    auto row = store_.upload(upload_id);
    if (!row || row->key != in.value("Key", "")) throw errors::no_such_upload(upload_id);
    u = std::move(*row);
  }
  ChecksumClaim claim = checksum_claim(in, *ctx_, std::nullopt);
  ChecksumAlgorithm alg = part_algorithm(u, claim);
  claim.algorithm = alg;
  Payload empty;
  Payload& payload = ctx_->payload ? *ctx_->payload : empty;
  PartRow p;
  p.upload = upload_id;
  p.number = number;
  p.size = static_cast<int64_t>(payload.size());
  PayloadHasher hasher(alg, !ctx_->payload_sha256.empty());
  std::function<void(std::string_view)> feed;
  if (!hasher.adopt(payload)) feed = [&](std::string_view c) { hasher.update(c); };
  p.body = bodies_.ingest(payload, feed, /*keep_inline=*/false);  // the object will be made of part files
  hasher.finish();
  try {
    verify_payload(in, claim, hasher, *ctx_);
  } catch (...) {
    bodies_.remove(p.body);
    throw;
  }
  p.etag = quoted(hasher.md5_hex());
  p.meta = {{"ChecksumAlgorithm", std::string(checksum_name(alg))}, {"Checksum", hasher.checksum()}};
  std::optional<PartRow> old;
  try {
    std::lock_guard lock(mu_);
    if (!store_.upload(upload_id)) throw errors::no_such_upload(upload_id);  // aborted meanwhile
    old = store_.part(upload_id, number);
    p.modified = now();
    store_.put_part(p);
  } catch (...) {
    bodies_.remove(p.body);
    throw;
  }
  if (old) bodies_.remove(old->body);
  json out = {{"ETag", p.etag}, {"ServerSideEncryption", u.meta.value("ServerSideEncryption", "AES256")}};
  if (u.meta.value("UploadChecksum", json::object()).value("Explicit", false) || !claim.value.empty())
    part_checksum_to_output(p.meta, out);
  return Result::ok(out);
}

Result S3Service::upload_part_copy(json& in) {
  BucketRow b = require_bucket(in);
  int number = part_number_of(in);
  std::string upload_id = in.value("UploadId", "");
  auto u = store_.upload(upload_id);
  if (!u || u->key != in.value("Key", "")) throw errors::no_such_upload(upload_id);
  CopySource src = parse_copy_source(in.value("CopySource", ""));
  auto sb = store_.bucket(src.bucket);
  if (!sb) throw errors::no_such_bucket(src.bucket);
  json sel = {{"Key", src.key}};
  if (!src.version.empty()) sel["VersionId"] = src.version;
  ObjectRow source = require_object(*sb, sel);
  check_copy_conditions(in, source);
  uint64_t first = 0, length = static_cast<uint64_t>(source.size);
  if (auto r = in.find("CopySourceRange"); r != in.end() && r->is_string()) {
    std::string range = r->get<std::string>();
    unsigned long long a = 0, z = 0;
    char tail = 0;
    if (range.rfind("bytes=", 0) != 0 || std::sscanf(range.c_str() + 6, "%llu-%llu%c", &a, &z, &tail) != 2 || a > z)
      throw errors::invalid_argument(
          "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
          "zero-based offsets of the first and last bytes to copy",
          "x-amz-copy-source-range", range);
    if (z >= static_cast<uint64_t>(source.size))
      throw errors::invalid_argument("Range specified is not valid for source object of size: " +
                                         std::to_string(source.size),
                                     "x-amz-copy-source-range", range);
    first = a;
    length = z - a + 1;
  }
  ChecksumClaim none;
  ChecksumAlgorithm alg = part_algorithm(*u, none);
  PayloadHasher hasher(alg, false);
  PartRow p;
  p.upload = upload_id;
  p.number = number;
  p.size = static_cast<int64_t>(length);
  BodyStore::Piece piece{&source.body, first, length};
  p.body = bodies_.assemble({piece}, length, [&](std::string_view c) { hasher.update(c); }, /*keep_inline=*/false);
  hasher.finish();
  p.etag = quoted(hasher.md5_hex());
  p.meta = {{"ChecksumAlgorithm", std::string(checksum_name(alg))}, {"Checksum", hasher.checksum()}};
  p.modified = now();
  auto old = store_.part(upload_id, number);
  store_.put_part(p);
  if (old) bodies_.remove(old->body);
  json result = {{"ETag", p.etag}, {"LastModified", p.modified}};
  if (u->meta.value("UploadChecksum", json::object()).value("Explicit", false)) part_checksum_to_output(p.meta, result);
  json out = {{"CopyPartResult", result}, {"ServerSideEncryption", u->meta.value("ServerSideEncryption", "AES256")}};
  if (!sb->versioning.empty()) out["CopySourceVersionId"] = source.version;
  return Result::ok(out);
}

Result S3Service::complete_multipart_upload(json& in) {
  BucketRow b = require_bucket(in);
  std::string upload_id = in.value("UploadId", "");
  auto u = store_.upload(upload_id);
  if (!u || u->key != in.value("Key", "")) throw errors::no_such_upload(upload_id);
  json listed = in.value("MultipartUpload", json::object()).value("Parts", json::array());
  if (!listed.is_array() || listed.empty())
    throw errors::malformed_xml();
  json uc = u->meta.value("UploadChecksum", json::object());
  ChecksumAlgorithm alg = checksum_from_name(uc.value("Algorithm", "CRC64NVME")).value_or(ChecksumAlgorithm::Crc64Nvme);
  std::string type = uc.value("Type", "FULL_OBJECT");
  bool explicit_alg = uc.value("Explicit", false);
  std::vector<PartRow> parts;
  int previous = 0;
  for (const json& lp : listed) {
    int n = lp.value("PartNumber", 0);
    if (n <= previous)
      throw AwsError("InvalidPartOrder",
                     "The list of parts was not in ascending order. Parts must be ordered by part number.", 400);
    previous = n;
    std::string etag = lp.value("ETag", "");
    auto p = store_.part(upload_id, n);
    if (!p || unquoted(p->etag) != unquoted(etag))
      throw errors::with({"InvalidPart",
                          "One or more of the specified parts could not be found.  The part may not have been "
                          "uploaded, or the specified entity tag may not match the part's entity tag.",
                          400},
                         {{"UploadId", upload_id}, {"PartNumber", std::to_string(n)}, {"ETag", etag}});
    std::string member = checksum_member(alg);
    if (auto given = lp.find(member); given != lp.end() && given->is_string()) {
      if (given->get<std::string>() != p->meta.value("Checksum", ""))
        throw errors::with({"InvalidPart",
                            "One or more of the specified parts could not be found.  The part may not have been "
                            "uploaded, or the specified entity tag may not match the part's entity tag.",
                            400},
                           {{"UploadId", upload_id}, {"PartNumber", std::to_string(n)}, {"ETag", etag}});
    } else if (explicit_alg && type == "COMPOSITE") {
      std::string lower(checksum_name(alg));
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      throw errors::invalid_request("The upload was created using a " + lower +
                                    " checksum. The complete request must include the checksum for each part. It was "
                                    "missing for part " + std::to_string(n) + " in the request.");
    }
    parts.push_back(std::move(*p));
  }
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].size < kMinPartSize)
      throw errors::with({"EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400},
                         {{"ProposedSize", std::to_string(parts[i].size)},
                          {"MinSizeAllowed", std::to_string(kMinPartSize)},
                          {"PartNumber", std::to_string(parts[i].number)},
                          {"ETag", unquoted(parts[i].etag)}});
  }
  auto current = store_.latest(b.name, u->key);
  check_write_conditions(in, current && !current->delete_marker ? &*current : nullptr);
  uint64_t total = 0;
  std::vector<const BodyRef*> files;
  std::vector<uint64_t> lengths;
  std::vector<std::string> etags, sums;
  std::vector<PartChecksum> crcs;
  json sizes = json::array();
  for (const PartRow& p : parts) {
    total += static_cast<uint64_t>(p.size);
    files.push_back(&p.body);
    lengths.push_back(static_cast<uint64_t>(p.size));
    etags.push_back(p.etag);
    sums.push_back(p.meta.value("Checksum", ""));
    crcs.push_back({sums.back(), static_cast<uint64_t>(p.size)});
    sizes.push_back(p.size);
  }
  if (auto m = in.find("MpuObjectSize"); m != in.end() && m->is_number_integer() && m->get<uint64_t>() != total)
    throw errors::invalid_request("The provided 'x-amz-mp-object-size' header value " + std::to_string(m->get<uint64_t>()) +
                                  " does not match what was computed: " + std::to_string(total));
  auto etag = multipart_etag(etags);
  if (!etag) throw errors::internal();
  // The checksum comes from the parts' digests, so a wrong one is refused from them; parts
  // checked with another algorithm (an upload that named none) are read again to hash them.
  auto checksum = type == "FULL_OBJECT" ? full_object_checksum(alg, crcs) : composite_checksum(alg, sums);
  auto mismatch = [&](const std::string& computed) {
    auto given = in.find(checksum_member(alg));
    return given != in.end() && given->is_string() && *given != computed;
  };
  const AwsError bad_digest("BadDigest",
                            "The " + std::string(checksum_name(alg)) + " you specified did not match the calculated checksum.",
                            400);
  if (checksum && mismatch(*checksum)) throw bad_digest;
  std::optional<Checksummer> whole;
  if (!checksum) whole.emplace(alg);
  ObjectRow row;
  row.key = u->key;
  row.size = static_cast<int64_t>(total);
  row.etag = s3::quoted(*etag);
  row.meta = u->meta;
  row.meta.erase("UploadChecksum");
  row.meta["PartSizes"] = sizes;
  row.meta["PartChecksums"] = sums;  // in the upload's algorithm ("" for a part without one)
  // The object is its parts' files, in order: nothing is copied. Committing the row below is
  // the commit point (the part files were synced when their parts were stored); the rows of the
  // parts go in the same transaction, so each file always belongs to exactly one row.
  row.body = BodyStore::join(files, lengths);
  if (whole) {
    bodies_.scan(row.body, total, [&](std::string_view c) { whole->update(c); });
    checksum = whole->base64();
    if (mismatch(*checksum)) throw bad_digest;
  }
  row.meta["Checksum"] = {{"Algorithm", std::string(checksum_name(alg))}, {"Value", *checksum}, {"Type", type}};
  row.modified = now();
  std::vector<BodyRef> garbage;  // the parts not listed, the version replaced
  std::unordered_set<int> used;
  for (const PartRow& p : parts) used.insert(p.number);
  for (const PartRow& p : store_.parts(upload_id, 0, 10001))
    if (!used.count(p.number)) garbage.push_back(p.body);
  {
    // On failure nothing is removed: the files still belong to the parts.
    storage::Transaction tx(store_.db());
    write_version(b, row, garbage);
    store_.delete_upload(upload_id);
    tx.commit();
  }
  for (const BodyRef& g : garbage) bodies_.remove(g);
  std::string host = b.name + ".s3." + b.region + ".amazonaws.com";
  json out = {{"Location", "https://" + host + "/" + url_encode_key(u->key)},
              {"Bucket", b.name},
              {"Key", u->key},
              {"ETag", row.etag},
              {"ServerSideEncryption", row.meta.value("ServerSideEncryption", "AES256")}};
  if (explicit_alg) checksum_to_output(row.meta["Checksum"], out);
  if (b.versioning == "Enabled") out["VersionId"] = row.version;
  notify(b, "s3:ObjectCreated:CompleteMultipartUpload", row);
  return Result::ok(out);
}

Result S3Service::abort_multipart_upload(json& in) {
  require_bucket(in);
  std::string upload_id = in.value("UploadId", "");
  auto u = store_.upload(upload_id);
  if (!u || u->key != in.value("Key", "")) throw errors::no_such_upload(upload_id);
  std::vector<PartRow> parts = store_.parts(upload_id, 0, 10001);
  store_.delete_upload(upload_id);
  for (const PartRow& p : parts) bodies_.remove(p.body);
  return Result::ok();
}

Result S3Service::list_parts(json& in) {
  BucketRow b = require_bucket(in);
  std::string upload_id = in.value("UploadId", "");
  auto u = store_.upload(upload_id);
  if (!u || u->key != in.value("Key", "")) throw errors::no_such_upload(upload_id);
  int64_t max = std::clamp<int64_t>(in.value("MaxParts", int64_t{1000}), 0, 1000);
  int64_t marker = in.value("PartNumberMarker", int64_t{0});
  std::vector<PartRow> rows = store_.parts(upload_id, static_cast<int>(marker), static_cast<size_t>(max + 1));
  bool truncated = static_cast<int64_t>(rows.size()) > max;
  if (truncated) rows.resize(static_cast<size_t>(max));
  json uc = u->meta.value("UploadChecksum", json::object());
  json parts = json::array();
  for (const PartRow& p : rows) {
    json e = {{"PartNumber", p.number}, {"LastModified", p.modified}, {"ETag", p.etag}, {"Size", p.size}};
    if (uc.value("Explicit", false)) part_checksum_to_output(p.meta, e);
    parts.push_back(std::move(e));
  }
  json out = {{"Bucket", b.name},
              {"Key", u->key},
              {"UploadId", upload_id},
              {"PartNumberMarker", marker},
              {"MaxParts", max},
              {"IsTruncated", truncated},
              {"Initiator", initiator(b.account)},
              {"Owner", owner_of(b.account)},
              {"StorageClass", u->meta.value("StorageClass", "STANDARD")}};
  if (!parts.empty()) out["Parts"] = parts;
  if (!rows.empty()) out["NextPartNumberMarker"] = rows.back().number;
  if (uc.value("Explicit", false)) {
    out["ChecksumAlgorithm"] = uc.value("Algorithm", "");
    out["ChecksumType"] = uc.value("Type", "");
  }
  return Result::ok(out);
}

Result S3Service::list_multipart_uploads(json& in) {
  BucketRow b = require_bucket(in);
  bool url = in.value("EncodingType", "") == "url";
  std::string prefix = in.value("Prefix", ""), delimiter = in.value("Delimiter", "");
  std::string key_marker = in.value("KeyMarker", ""), id_marker = in.value("UploadIdMarker", "");
  int64_t max = std::clamp<int64_t>(in.value("MaxUploads", int64_t{1000}), 0, 1000);
  // Without an upload-id marker, every upload of the key marker is skipped.
  std::string after_id = id_marker.empty() ? std::string(1, '\x7f') : id_marker;
  json uploads = json::array(), prefixes = json::array();
  std::string last_key, last_id, last_cp;
  int64_t count = 0;
  bool truncated = false;
  std::string after_key = key_marker;
  while (!truncated) {
    std::vector<UploadRow> rows = store_.list_uploads(b.name, prefix, after_key, after_id, 1000);
    if (rows.empty()) break;
    bool jumped = false;
    for (const UploadRow& u : rows) {
      std::string cp;
      if (!delimiter.empty()) {
        size_t at = u.key.find(delimiter, prefix.size());
        if (at != std::string::npos) cp = u.key.substr(0, at + delimiter.size());
      }
      if (count == max) {
        truncated = true;
        break;
      }
      ++count;
      if (!cp.empty()) {
        prefixes.push_back({{"Prefix", url ? url_encode_key(cp) : cp}});
        last_key = cp;
        last_id.clear();
        after_key = cp + "\xff";
        after_id.clear();
        jumped = true;
        break;
      }
      json e = {{"UploadId", u.id},
                {"Key", url ? url_encode_key(u.key) : u.key},
                {"Initiated", u.initiated},
                {"StorageClass", u.meta.value("StorageClass", "STANDARD")},
                {"Owner", owner_of(b.account)},
                {"Initiator", initiator(b.account)}};
      json uc = u.meta.value("UploadChecksum", json::object());
      if (uc.value("Explicit", false)) {
        e["ChecksumAlgorithm"] = uc.value("Algorithm", "");
        e["ChecksumType"] = uc.value("Type", "");
      }
      uploads.push_back(std::move(e));
      last_key = u.key;
      last_id = u.id;
      after_key = u.key;
      after_id = u.id;
    }
    if (!jumped && rows.size() < 1000) break;
  }
  json out = {{"Bucket", b.name},
              {"KeyMarker", key_marker},
              {"UploadIdMarker", id_marker},
              {"MaxUploads", max},
              {"IsTruncated", truncated},
              {"Prefix", prefix}};
  if (!uploads.empty()) out["Uploads"] = uploads;
  if (!prefixes.empty()) out["CommonPrefixes"] = prefixes;
  if (!delimiter.empty()) out["Delimiter"] = delimiter;
  if (url) out["EncodingType"] = "url";
  if (truncated) {
    out["NextKeyMarker"] = last_key;
    if (!last_id.empty()) out["NextUploadIdMarker"] = last_id;
  }
  return Result::ok(out);
}

}  // namespace awan::s3
