#pragma once
// SQLite persistence of the S3 emulator: buckets (global names, owner account, region, their
// configurations as one JSON document), object versions keyed by (bucket, key, version id) with
// the newest version of each key marked `latest`, multipart uploads and their parts. Bodies are
// not here unless small and in memory: rows name a file of body_store.hpp otherwise.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::s3 {

struct BucketRow {
  std::string name;
  std::string account;
  std::string region;
  double created = 0;
  std::string versioning;  // "" (never enabled), "Enabled", "Suspended"
  nlohmann::json config = nlohmann::json::object();  // tagging, cors, policy, lifecycle, ...
};

// A byte range of a body file.
struct BodySegment {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Where a body lives: inline bytes (in-memory daemons, small bodies), a file path, or — a
// completed multipart upload — the files of its parts, in order (`segments`; data and path
// empty). Every file belongs to exactly one row: copies get files of their own.
struct BodyRef {
  std::string data;
  std::string path;
  std::vector<BodySegment> segments;
  bool in_file() const { return !path.empty() || !segments.empty(); }
  std::vector<std::string> files() const;  // every file it names
};

struct ObjectRow {
  std::string bucket;
  std::string key;
  std::string version = "null";  // "null" for unversioned writes, as S3 names them
  int64_t seq = 0;                // write order: the newest version has the highest
  bool latest = true;
  bool delete_marker = false;
  int64_t size = 0;
  std::string etag;               // quoted, as S3 returns it
  double modified = 0;            // epoch seconds (ms precision)
  nlohmann::json meta = nlohmann::json::object();  // content headers, metadata, checksum, tags, ...
  BodyRef body;
};

struct UploadRow {
  std::string id;
  std::string bucket;
  std::string key;
  double initiated = 0;
  nlohmann::json meta = nlohmann::json::object();
};

struct PartRow {
  std::string upload;
  int number = 0;
  int64_t size = 0;
  std::string etag;
  double modified = 0;
  nlohmann::json meta = nlohmann::json::object();  // checksum
  BodyRef body;
};

class Store {
 public:
  explicit Store(const std::string& path,
                 storage::Database::Durability durability = storage::Database::Durability::ProcessCrash);
  storage::Database& db() { return db_; }
  void reset();

  // ---- buckets ----
  std::vector<BucketRow> buckets();
  std::optional<BucketRow> bucket(std::string_view name);  // from a cache of the rows read (every request reads one)
  std::shared_ptr<const BucketRow> bucket_ref(std::string_view name);  // the same, without a copy (null: none)
  void insert_bucket(const BucketRow& b);
  void update_bucket(const BucketRow& b);  // versioning and config
  void delete_bucket(std::string_view name);
  bool bucket_has_content(std::string_view name);  // any version, marker or upload

  // ---- objects ----
  std::optional<ObjectRow> latest(std::string_view bucket, std::string_view key);
  // The same from a cache of the latest rows read (GET and HEAD read one each), without a copy;
  // null when the key has no version.
  std::shared_ptr<const ObjectRow> latest_ref(std::string_view bucket, std::string_view key);
  std::optional<ObjectRow> version(std::string_view bucket, std::string_view key, std::string_view version);
  // Inserts (or replaces the same version id of) a version and makes it the key's latest.
  void put_version(ObjectRow& row);
  // Removes one version; when it was the latest, the newest remaining one becomes latest.
  void delete_version(std::string_view bucket, std::string_view key, std::string_view version);
  void update_meta(std::string_view bucket, std::string_view key, std::string_view version, const nlohmann::json& meta);
  // Latest versions (delete markers excluded) with key > after, in key order, at most `limit`.
  std::vector<ObjectRow> list_latest(std::string_view bucket, std::string_view prefix, std::string_view after,
                                     size_t limit);
  // Every version and marker with (key, seq) after the given position (key order, newest first).
  std::vector<ObjectRow> list_versions(std::string_view bucket, std::string_view prefix, std::string_view after_key,
                                       int64_t before_seq, size_t limit);
  // Every body file referenced (for the orphan sweep).
  std::vector<std::string> body_paths();
  int64_t max_seq();

  // ---- multipart ----
  void insert_upload(const UploadRow& u);
  std::optional<UploadRow> upload(std::string_view id);
  void delete_upload(std::string_view id);  // and its parts
  std::vector<UploadRow> list_uploads(std::string_view bucket, std::string_view prefix, std::string_view after_key,
                                      std::string_view after_id, size_t limit);
  void put_part(const PartRow& p);
  std::optional<PartRow> part(std::string_view upload, int number);
  std::vector<PartRow> parts(std::string_view upload, int after, size_t limit);

 private:
  void create_schema();
  storage::Database db_;
  void forget_object(std::string_view bucket, std::string_view key);
  void drop_object_cache();
  // Bucket rows as last read, by name, and the latest object rows by "<bucket>/<key>" (bucket
  // names have no '/'). A write drops the entry it touches; rows are cached only when read
  // outside a Transaction, so a rolled-back write is never kept. Both start again when full.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Cache = std::unordered_map<std::string, std::shared_ptr<const BucketRow>, NameHash, std::equal_to<>>;
  Cache bucket_cache_;
  struct CachedObject {
    std::shared_ptr<const ObjectRow> row;
    size_t bytes = 0;  // its key, metadata text and inline body
  };
  std::unordered_map<std::string, CachedObject, NameHash, std::equal_to<>> object_cache_;
  size_t object_cache_bytes_ = 0;
};

}  // namespace awan::s3
