#include "storage/sqlite.hpp"

#include <sqlite3.h>

namespace awan::storage {

namespace {
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view where) {
  std::string msg = std::string(where) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  throw SqliteError(rc, msg);
}
}  // namespace

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    owner_ = o.owner_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int idx, std::string_view text) {
  // A null pointer would bind SQL NULL: an empty view (e.g. read from a zero-length column)
  // must bind the empty value.
  int rc = sqlite3_bind_text64(stmt_, idx, text.data() ? text.data() : "", text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind text");
  return *this;
}
Statement& Statement::bind_blob(int idx, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_, idx, bytes.data() ? bytes.data() : "", bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind blob");
  return *this;
}
Statement& Statement::bind(int idx, int64_t v) {
  int rc = sqlite3_bind_int64(stmt_, idx, v);
  if (rc != SQLITE_OK) fail(db_, rc, "bind int");
  return *this;
}
Statement& Statement::bind(int idx, double v) {
  int rc = sqlite3_bind_double(stmt_, idx, v);
  if (rc != SQLITE_OK) fail(db_, rc, "bind double");
  return *this;
}
Statement& Statement::bind_null(int idx) {
  int rc = sqlite3_bind_null(stmt_, idx);
  if (rc != SQLITE_OK) fail(db_, rc, "bind null");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    if (owner_ && !sqlite3_stmt_readonly(stmt_)) owner_->after_write();
    return false;
  }
  fail(db_, rc, "step");
}
void Statement::run() {
  while (step()) {
  }
}
void Statement::reset() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Statement::text(int col) const { return std::string(text_view(col)); }
std::string_view Statement::text_view(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
}
std::string Statement::blob(int col) const { return std::string(blob_view(col)); }
std::string_view Statement::blob_view(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
}

// glibc's allocator under its own names: reachable even when the daemon links another malloc.
extern "C" {
void* __libc_malloc(size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
}

namespace {

// SQLite's memory, taken from the C library's allocator with an 8-byte size prefix. The
// daemon links jemalloc for the request path, whose size classes round SQLite's page-cache
// allocations (a page plus its header: just over 4 KiB) up to 5 KiB; in-memory databases are
// all page cache, so that would cost 15% more memory per stored item. glibc packs them.
void* sq_malloc(int n) {
  auto* p = static_cast<int64_t*>(__libc_malloc(static_cast<size_t>(n) + 8));
  if (!p) return nullptr;
  p[0] = n;
  return p + 1;
}
void sq_free(void* p) {
  if (p) __libc_free(static_cast<int64_t*>(p) - 1);
}
void* sq_realloc(void* p, int n) {
  if (!p) return sq_malloc(n);
  auto* q = static_cast<int64_t*>(__libc_realloc(static_cast<int64_t*>(p) - 1, static_cast<size_t>(n) + 8));
  if (!q) return nullptr;
  q[0] = n;
  return q + 1;
}
int sq_size(void* p) { return p ? static_cast<int>(static_cast<int64_t*>(p)[-1]) : 0; }
int sq_roundup(int n) { return (n + 7) & ~7; }
int sq_init(void*) { return SQLITE_OK; }
void sq_shutdown(void*) {}

// Process-wide settings, before the first connection: the allocator above, and no memory
// statistics (they put a global mutex around every allocation SQLite makes).
void configure_sqlite_once() {
  static const bool done = [] {
    static const sqlite3_mem_methods methods = {sq_malloc, sq_free,  sq_realloc,  sq_size,
                                                sq_roundup, sq_init, sq_shutdown, nullptr};
    sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

}  // namespace

Database::Database(const std::string& path, Durability durability) : path_(path), in_memory_(path == ":memory:" || path.empty()) {
  configure_sqlite_once();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(in_memory_ ? ":memory:" : path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  if (!in_memory_) {
    // WAL + synchronous=NORMAL: a committed write is in the WAL file before COMMIT returns, so
    // it survives kill -9 (the OS keeps the file's pages), but the WAL is fsynced only at
    // checkpoints: a power loss may lose the last commits (never corrupt the database).
    // synchronous=FULL fsyncs the WAL at every commit and survives power loss too.
    exec(durability == Durability::PowerLoss ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                             : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  }
  exec("PRAGMA foreign_keys=ON;");
  batching_ = in_memory_;
}

Database::~Database() {
  cache_.clear();
  if (db_) sqlite3_close(db_);
}

void Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(rc, "exec: " + msg);
  }
}

Statement Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "prepare");
  return Statement(db_, stmt, batching_ ? this : nullptr);
}

void Database::open_batch() {
  if (sqlite3_get_autocommit(db_)) {
    exec("BEGIN");
    batched_ = 0;
  }
}

bool Database::statements_busy() const {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s; s = sqlite3_next_stmt(db_, s))
    if (sqlite3_stmt_busy(s)) return true;
  return false;
}

// The first write after a commit runs on its own and opens the next batch; the batch commits
// once it holds kWriteBatch writes and no statement is mid-way (a scan that writes as it goes
// keeps it open until it ends). A statement that failed so badly that SQLite rolled the whole
// transaction back leaves autocommit on: the next write opens a new batch.
void Database::after_write() {
  if (tx_depth_ > 0) return;
  if (sqlite3_get_autocommit(db_)) {
    open_batch();
    return;
  }
  count_batched_write();
}

void Database::count_batched_write() {
  if (++batched_ >= kWriteBatch && !statements_busy()) {
    exec("COMMIT");
    batched_ = 0;
  }
}

CachedStatement Database::cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(prepare(sql))).first;
  }
  return CachedStatement(*it->second);
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

// Cached statements: BEGIN/COMMIT are on every write's path (no re-parse per transaction).
// Transactions do not nest (a second BEGIN fails), so in memory there is one savepoint at most.
Transaction::Transaction(Database& db) : db_(db) {
  if (!db_.batching_) {
    db_.cached("BEGIN IMMEDIATE")->run();
    return;
  }
  if (db_.tx_depth_ > 0) throw SqliteError(SQLITE_ERROR, "cannot start a transaction within a transaction");
  db_.open_batch();
  db_.cached("SAVEPOINT awan_tx")->run();
  db_.tx_depth_ = 1;
}
Transaction::~Transaction() {
  if (done_) return;
  try {
    if (!db_.batching_) {
      db_.cached("ROLLBACK")->run();
      return;
    }
    db_.tx_depth_ = 0;
    if (!sqlite3_get_autocommit(db_.db_)) {  // else SQLite already rolled the transaction back
      db_.cached("ROLLBACK TO awan_tx")->run();
      db_.cached("RELEASE awan_tx")->run();
    }
  } catch (...) {
  }
}
void Transaction::commit() {
  if (!db_.batching_) {
    db_.cached("COMMIT")->run();
  } else {
    // Autocommit on here means SQLite rolled back the whole batch after an error: say so
    // rather than report a commit that did not happen.
    if (sqlite3_get_autocommit(db_.db_)) {
      db_.tx_depth_ = 0;
      done_ = true;
      throw SqliteError(SQLITE_ABORT, "commit: the transaction was rolled back");
    }
    db_.cached("RELEASE awan_tx")->run();
    db_.tx_depth_ = 0;
    db_.count_batched_write();
  }
  done_ = true;
}

}  // namespace awan::storage
