// The S3 emulator's SQLite schema and statements (store.hpp).
#include "s3/store.hpp"

#include "protocol/json_parse.hpp"
#include "storage/json_column.hpp"

namespace awan::s3 {

namespace {
using json = nlohmann::json;
using storage::Statement;

using storage::object_column;

constexpr size_t kBucketCacheSize = 4096;  // more buckets than this: the cache starts again
constexpr size_t kObjectCacheSize = 4096;   // latest object rows
constexpr size_t kObjectCacheBytes = 16u << 20;

std::string object_cache_key(std::string_view bucket, std::string_view key) {
  std::string k;
  k.reserve(bucket.size() + 1 + key.size());
  k.append(bucket).push_back('/');
  k.append(key);
  return k;
}

// A JSON object column read on every GET/HEAD (an object's metadata): simdjson's fast path,
// else nlohmann; {} when the text is not an object.
json meta_column(std::string_view text) {
  json v;
  if (!protocol::parse_json_fast(text, v)) return storage::object_column(text);
  return v.is_object() ? v : json::object();
}

constexpr const char* kObjectColumns =
    "bucket, key, version, seq, latest, marker, size, etag, modified, meta, data, path, segments";

// A segmented body's files as a column: [[path, offset, length], ...] (NULL for other bodies).
std::string segments_column(const std::vector<BodySegment>& segments) {
  json out = json::array();
  for (const BodySegment& g : segments) out.push_back(json::array({g.path, g.offset, g.length}));
  return out.dump();
}

std::vector<BodySegment> segments_of(std::string_view column) {
  std::vector<BodySegment> out;
  json doc = json::parse(column, nullptr, false);
  if (!doc.is_array()) return out;
  for (const json& g : doc) {
    if (!g.is_array() || g.size() != 3 || !g[0].is_string() || !g[1].is_number_unsigned() || !g[2].is_number_unsigned())
      continue;
    out.push_back({g[0].get<std::string>(), g[1].get<uint64_t>(), g[2].get<uint64_t>()});
  }
  return out;
}

ObjectRow read_object(Statement& s) {
  ObjectRow r;
  r.bucket = s.text(0);
  r.key = s.blob(1);
  r.version = s.text(2);
  r.seq = s.int64(3);
  r.latest = s.int64(4) != 0;
  r.delete_marker = s.int64(5) != 0;
  r.size = s.int64(6);
  r.etag = s.text(7);
  r.modified = s.real(8);
  r.meta = meta_column(s.text_view(9));
  if (!s.is_null(10)) r.body.data = s.blob(10);
  if (!s.is_null(11)) r.body.path = s.text(11);
  if (!s.is_null(12)) r.body.segments = segments_of(s.text_view(12));
  return r;
}

void bind_body(Statement& s, int idx, const BodyRef& b) {
  if (!b.path.empty()) {
    s.bind_null(idx);
    s.bind(idx + 1, b.path);
  } else if (!b.segments.empty()) {
    s.bind_null(idx);
    s.bind_null(idx + 1);
  } else {
    s.bind_blob(idx, b.data);
    s.bind_null(idx + 1);
  }
}

BodyRef read_body(Statement& s, int idx) {
  BodyRef b;
  if (!s.is_null(idx)) b.data = s.blob(idx);
  if (!s.is_null(idx + 1)) b.path = s.text(idx + 1);
  return b;
}

// The smallest blob greater than every key starting with `prefix` ("" = no bound).
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char c = static_cast<unsigned char>(end.back());
    if (c < 0xff) {
      end.back() = static_cast<char>(c + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}
}  // namespace

std::vector<std::string> BodyRef::files() const {
  std::vector<std::string> out;
  if (!path.empty()) out.push_back(path);
  for (const BodySegment& g : segments) out.push_back(g.path);
  return out;
}

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  create_schema();
}

void Store::create_schema() {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS buckets(
      name TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, created REAL NOT NULL,
      versioning TEXT NOT NULL DEFAULT '', config TEXT NOT NULL DEFAULT '{}');
    CREATE TABLE IF NOT EXISTS objects(
      bucket TEXT NOT NULL, key BLOB NOT NULL, version TEXT NOT NULL, seq INTEGER NOT NULL,
      latest INTEGER NOT NULL, marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
      modified REAL NOT NULL, meta TEXT NOT NULL, data BLOB, path TEXT, segments TEXT,
      PRIMARY KEY(bucket, key, version));
    CREATE INDEX IF NOT EXISTS objects_latest ON objects(bucket, key) WHERE latest = 1;
    CREATE INDEX IF NOT EXISTS objects_order ON objects(bucket, key, seq);
    CREATE TABLE IF NOT EXISTS uploads(
      id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key BLOB NOT NULL, initiated REAL NOT NULL,
      meta TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS uploads_order ON uploads(bucket, key, id);
    CREATE TABLE IF NOT EXISTS parts(
      upload TEXT NOT NULL, number INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
      modified REAL NOT NULL, meta TEXT NOT NULL, data BLOB, path TEXT,
      PRIMARY KEY(upload, number));
  )sql");
  // Data directories written before multipart objects kept their parts' files.
  bool has_segments = false;
  {
    auto s = db_.prepare("SELECT name FROM pragma_table_info('objects')");
    while (s.step()) has_segments = has_segments || s.text(0) == "segments";
  }
  if (!has_segments) db_.exec("ALTER TABLE objects ADD COLUMN segments TEXT");
}

void Store::reset() {
  bucket_cache_.clear();
  drop_object_cache();
  db_.exec("DELETE FROM parts; DELETE FROM uploads; DELETE FROM objects; DELETE FROM buckets;");
}

// ---------------------------------------------------------------- buckets

namespace {
BucketRow read_bucket(Statement& s) {
  BucketRow b;
  b.name = s.text(0);
  b.account = s.text(1);
  b.region = s.text(2);
  b.created = s.real(3);
  b.versioning = s.text(4);
  b.config = object_column(s.text_view(5));
  return b;
}
}  // namespace

std::vector<BucketRow> Store::buckets() {
  auto s = db_.cached("SELECT name, account, region, created, versioning, config FROM buckets ORDER BY name");
  std::vector<BucketRow> out;
  while (s->step()) out.push_back(read_bucket(*s));
  return out;
}

std::optional<BucketRow> Store::bucket(std::string_view name) {
  auto row = bucket_ref(name);
  if (!row) return std::nullopt;
  return *row;
}

std::shared_ptr<const BucketRow> Store::bucket_ref(std::string_view name) {
  if (auto it = bucket_cache_.find(name); it != bucket_cache_.end()) return it->second;
  auto s = db_.cached("SELECT name, account, region, created, versioning, config FROM buckets WHERE name = ?");
  s->bind(1, name);
  if (!s->step()) return nullptr;
  auto row = std::make_shared<const BucketRow>(read_bucket(*s));
  if (db_.in_transaction()) return row;
  if (bucket_cache_.size() >= kBucketCacheSize) bucket_cache_.clear();
  bucket_cache_.emplace(row->name, row);
  return row;
}

void Store::insert_bucket(const BucketRow& b) {
  bucket_cache_.erase(b.name);
  auto s = db_.cached("INSERT INTO buckets(name, account, region, created, versioning, config) VALUES(?,?,?,?,?,?)");
  s->bind(1, b.name).bind(2, b.account).bind(3, b.region).bind(4, b.created).bind(5, b.versioning).bind(6, b.config.dump());
  s->run();
}

void Store::update_bucket(const BucketRow& b) {
  bucket_cache_.erase(b.name);
  auto s = db_.cached("UPDATE buckets SET versioning = ?, config = ? WHERE name = ?");
  s->bind(1, b.versioning).bind(2, b.config.dump()).bind(3, b.name);
  s->run();
}

void Store::delete_bucket(std::string_view name) {
  if (auto it = bucket_cache_.find(name); it != bucket_cache_.end()) bucket_cache_.erase(it);
  drop_object_cache();  // an empty bucket has none, but a name is reused: nothing stays behind
  auto s = db_.cached("DELETE FROM buckets WHERE name = ?");
  s->bind(1, name);
  s->run();
}

bool Store::bucket_has_content(std::string_view name) {
  {
    auto s = db_.cached("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1");
    s->bind(1, name);
    if (s->step()) return true;
  }
  auto s = db_.cached("SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1");
  s->bind(1, name);
  return s->step();
}

// ---------------------------------------------------------------- objects

std::optional<ObjectRow> Store::latest(std::string_view bucket, std::string_view key) {
  auto row = latest_ref(bucket, key);
  if (!row) return std::nullopt;
  return *row;
}

std::shared_ptr<const ObjectRow> Store::latest_ref(std::string_view bucket, std::string_view key) {
  std::string ck = object_cache_key(bucket, key);
  if (auto it = object_cache_.find(ck); it != object_cache_.end()) return it->second.row;
  static const std::string kSql =
      std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ? AND latest = 1";
  auto s = db_.cached(kSql);
  s->bind(1, bucket).bind_blob(2, key);
  if (!s->step()) return nullptr;
  size_t bytes = ck.size() + s->text_view(9).size();
  auto row = std::make_shared<const ObjectRow>(read_object(*s));
  if (db_.in_transaction()) return row;
  bytes += row->body.data.size();
  if (bytes > kObjectCacheBytes / 16) return row;  // a large inline body stays in the table only
  if (object_cache_.size() >= kObjectCacheSize || object_cache_bytes_ + bytes > kObjectCacheBytes) drop_object_cache();
  object_cache_.emplace(std::move(ck), CachedObject{row, bytes});
  object_cache_bytes_ += bytes;
  return row;
}

void Store::drop_object_cache() {
  object_cache_.clear();
  object_cache_bytes_ = 0;
}

void Store::forget_object(std::string_view bucket, std::string_view key) {
  auto it = object_cache_.find(object_cache_key(bucket, key));
  if (it == object_cache_.end()) return;
  object_cache_bytes_ -= it->second.bytes;
  object_cache_.erase(it);
}

std::optional<ObjectRow> Store::version(std::string_view bucket, std::string_view key, std::string_view version) {
  auto s = db_.cached(std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ? AND version = ?");
  s->bind(1, bucket).bind_blob(2, key).bind(3, version);
  if (!s->step()) return std::nullopt;
  return read_object(*s);
}

void Store::put_version(ObjectRow& row) {
  forget_object(row.bucket, row.key);
  {
    auto s = db_.cached("UPDATE objects SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1");
    s->bind(1, row.bucket).bind_blob(2, row.key);
    s->run();
  }
  row.latest = true;
  auto s = db_.cached(std::string("INSERT OR REPLACE INTO objects(") + kObjectColumns +
                      ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s->bind(1, row.bucket).bind_blob(2, row.key).bind(3, row.version).bind(4, row.seq).bind(5, 1)
      .bind(6, row.delete_marker ? 1 : 0).bind(7, row.size).bind(8, row.etag).bind(9, row.modified)
      .bind(10, row.meta.dump());
  bind_body(*s, 11, row.body);
  if (row.body.segments.empty()) s->bind_null(13); else s->bind(13, segments_column(row.body.segments));
  s->run();
}

void Store::delete_version(std::string_view bucket, std::string_view key, std::string_view version) {
  forget_object(bucket, key);
  {
    auto s = db_.cached("DELETE FROM objects WHERE bucket = ? AND key = ? AND version = ?");
    s->bind(1, bucket).bind_blob(2, key).bind(3, version);
    s->run();
  }
  {
    auto s = db_.cached("SELECT 1 FROM objects WHERE bucket = ? AND key = ? AND latest = 1");
    s->bind(1, bucket).bind_blob(2, key);
    if (s->step()) return;
  }
  auto s = db_.cached(
      "UPDATE objects SET latest = 1 WHERE rowid = "
      "(SELECT rowid FROM objects WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1)");
  s->bind(1, bucket).bind_blob(2, key);
  s->run();
}

void Store::update_meta(std::string_view bucket, std::string_view key, std::string_view version, const json& meta) {
  forget_object(bucket, key);
  auto s = db_.cached("UPDATE objects SET meta = ? WHERE bucket = ? AND key = ? AND version = ?");
  s->bind(1, meta.dump()).bind(2, bucket).bind_blob(3, key).bind(4, version);
  s->run();
}

std::vector<ObjectRow> Store::list_latest(std::string_view bucket, std::string_view prefix, std::string_view after,
                                          size_t limit) {
  std::string lo = std::string(after) > std::string(prefix) ? std::string(after) : std::string();
  std::string end = prefix_end(prefix);
  auto s = db_.cached(std::string("SELECT ") + kObjectColumns +
                      " FROM objects WHERE bucket = ?1 AND latest = 1 AND marker = 0 AND key > ?2 AND key >= ?3"
                      " AND (?4 IS NULL OR key < ?4) ORDER BY key LIMIT ?5");
  s->bind(1, bucket).bind_blob(2, after).bind_blob(3, prefix);
  if (end.empty()) s->bind_null(4); else s->bind_blob(4, end);
  s->bind(5, static_cast<int64_t>(limit));
  std::vector<ObjectRow> out;
  while (s->step()) out.push_back(read_object(*s));
  return out;
}

std::vector<ObjectRow> Store::list_versions(std::string_view bucket, std::string_view prefix, std::string_view after_key,
                                            int64_t before_seq, size_t limit) {
  std::string end = prefix_end(prefix);
  auto s = db_.cached(std::string("SELECT ") + kObjectColumns +
                      " FROM objects WHERE bucket = ?1 AND key >= ?3 AND (?4 IS NULL OR key < ?4)"
                      " AND (key > ?2 OR (key = ?2 AND seq < ?5)) ORDER BY key, seq DESC LIMIT ?6");
  s->bind(1, bucket).bind_blob(2, after_key).bind_blob(3, prefix);
  if (end.empty()) s->bind_null(4); else s->bind_blob(4, end);
  s->bind(5, before_seq).bind(6, static_cast<int64_t>(limit));
  std::vector<ObjectRow> out;
  while (s->step()) out.push_back(read_object(*s));
  return out;
}

std::vector<std::string> Store::body_paths() {
  std::vector<std::string> out;
  {
    auto s = db_.cached("SELECT path FROM objects WHERE path IS NOT NULL");
    while (s->step()) out.push_back(s->text(0));
  }
  {
    auto s = db_.cached("SELECT segments FROM objects WHERE segments IS NOT NULL");
    while (s->step())
      for (BodySegment& g : segments_of(s->text_view(0))) out.push_back(std::move(g.path));
  }
  auto s = db_.cached("SELECT path FROM parts WHERE path IS NOT NULL");
  while (s->step()) out.push_back(s->text(0));
  return out;
}

int64_t Store::max_seq() {
  auto s = db_.cached("SELECT COALESCE(MAX(seq), 0) FROM objects");
  return s->step() ? s->int64(0) : 0;
}

// ---------------------------------------------------------------- multipart

void Store::insert_upload(const UploadRow& u) {
  auto s = db_.cached("INSERT INTO uploads(id, bucket, key, initiated, meta) VALUES(?,?,?,?,?)");
  s->bind(1, u.id).bind(2, u.bucket).bind_blob(3, u.key).bind(4, u.initiated).bind(5, u.meta.dump());
  s->run();
}

namespace {
UploadRow read_upload(Statement& s) {
  UploadRow u;
  u.id = s.text(0);
  u.bucket = s.text(1);
  u.key = s.blob(2);
  u.initiated = s.real(3);
  u.meta = object_column(s.text_view(4));
  return u;
}
PartRow read_part(Statement& s) {
  PartRow p;
  p.upload = s.text(0);
  p.number = static_cast<int>(s.int64(1));
  p.size = s.int64(2);
  p.etag = s.text(3);
  p.modified = s.real(4);
  p.meta = object_column(s.text_view(5));
  p.body = read_body(s, 6);
  return p;
}
}  // namespace

std::optional<UploadRow> Store::upload(std::string_view id) {
  auto s = db_.cached("SELECT id, bucket, key, initiated, meta FROM uploads WHERE id = ?");
  s->bind(1, id);
  if (!s->step()) return std::nullopt;
  return read_upload(*s);
}

void Store::delete_upload(std::string_view id) {
  {
    auto s = db_.cached("DELETE FROM parts WHERE upload = ?");
    s->bind(1, id);
    s->run();
  }
  auto s = db_.cached("DELETE FROM uploads WHERE id = ?");
  s->bind(1, id);
  s->run();
}

std::vector<UploadRow> Store::list_uploads(std::string_view bucket, std::string_view prefix, std::string_view after_key,
                                           std::string_view after_id, size_t limit) {
  std::string end = prefix_end(prefix);
  auto s = db_.cached(
      "SELECT id, bucket, key, initiated, meta FROM uploads WHERE bucket = ?1 AND key >= ?2 AND (?3 IS NULL OR key < ?3)"
      " AND (key > ?4 OR (key = ?4 AND id > ?5)) ORDER BY key, id LIMIT ?6");
  s->bind(1, bucket).bind_blob(2, prefix);
  if (end.empty()) s->bind_null(3); else s->bind_blob(3, end);
  s->bind_blob(4, after_key).bind(5, after_id).bind(6, static_cast<int64_t>(limit));
  std::vector<UploadRow> out;
  while (s->step()) out.push_back(read_upload(*s));
  return out;
}

void Store::put_part(const PartRow& p) {
  auto s = db_.cached(
      "INSERT OR REPLACE INTO parts(upload, number, size, etag, modified, meta, data, path) VALUES(?,?,?,?,?,?,?,?)");
  s->bind(1, p.upload).bind(2, p.number).bind(3, p.size).bind(4, p.etag).bind(5, p.modified).bind(6, p.meta.dump());
  bind_body(*s, 7, p.body);
  s->run();
}

std::optional<PartRow> Store::part(std::string_view upload, int number) {
  auto s = db_.cached("SELECT upload, number, size, etag, modified, meta, data, path FROM parts WHERE upload = ? AND number = ?");
  s->bind(1, upload).bind(2, number);
  if (!s->step()) return std::nullopt;
  return read_part(*s);
}

std::vector<PartRow> Store::parts(std::string_view upload, int after, size_t limit) {
  auto s = db_.cached(
      "SELECT upload, number, size, etag, modified, meta, data, path FROM parts WHERE upload = ? AND number > ?"
      " ORDER BY number LIMIT ?");
  s->bind(1, upload).bind(2, after).bind(3, static_cast<int64_t>(limit));
  std::vector<PartRow> out;
  while (s->step()) out.push_back(read_part(*s));
  return out;
}

}  // namespace awan::s3
