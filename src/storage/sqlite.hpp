#pragma once
// A small SQLite layer: RAII connection, prepared statements (cached), transactions.
// ":memory:" by default; a file (WAL mode, synchronous=NORMAL... FULL for durability) when
// persistence is asked for. An in-memory database batches its writes: they run inside one long
// transaction committed every kWriteBatch writes (a commit there buys no durability, and each
// one would copy every page a write touches into the rollback journal again); a Transaction
// inside the batch is a SAVEPOINT, with the same all-or-nothing effect.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace awan::storage {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt, class Database* owner = nullptr) : db_(db), stmt_(stmt), owner_(owner) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_), owner_(o.owner_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& bind(int idx, std::string_view text);
  Statement& bind_blob(int idx, std::string_view bytes);
  Statement& bind(int idx, int64_t v);
  Statement& bind(int idx, int v) { return bind(idx, static_cast<int64_t>(v)); }
  Statement& bind(int idx, double v);
  Statement& bind_null(int idx);
  Statement& bind(int idx, const char* text) { return bind(idx, std::string_view(text)); }
  Statement& bind(int idx, const std::string& text) { return bind(idx, std::string_view(text)); }

  // Steps once: true when a row is available.
  bool step();
  // Runs to completion (for statements without rows).
  void run();
  void reset();

  bool is_null(int col) const;
  int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::string_view text_view(int col) const;  // valid until the next step/reset
  std::string blob(int col) const;
  std::string_view blob_view(int col) const;  // valid until the next step/reset

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  class Database* owner_ = nullptr;  // told of each completed write (the in-memory write batch)
};

// A cached prepared statement, reset (not finalized) when the guard goes out of scope.
class CachedStatement {
 public:
  explicit CachedStatement(Statement& s) : s_(&s) {}
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement() { s_->reset(); }
  Statement* operator->() { return s_; }
  Statement& operator*() { return *s_; }

 private:
  Statement* s_;
};

class Database {
 public:
  // What an acknowledged (committed) write survives, for file databases (WAL mode):
  //   ProcessCrash: kill -9 or a crash of the daemon (synchronous=NORMAL: the commit is in the
  //                 WAL, in the OS's page cache; a power loss may drop the last commits).
  //   PowerLoss:    also a power loss or an OS crash (synchronous=FULL: the WAL is fsynced at
  //                 every commit; slower writes).
  enum class Durability { ProcessCrash, PowerLoss };

  // path: ":memory:" or a file path (created, WAL mode).
  explicit Database(const std::string& path, Durability durability = Durability::ProcessCrash);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);  // one or more statements, no parameters
  Statement prepare(std::string_view sql);
  // Prepared once per connection and cached by SQL text.
  CachedStatement cached(const std::string& sql);
  int64_t last_insert_rowid() const;
  int changes() const;
  bool in_memory() const { return in_memory_; }
  // A Transaction is open: what is read now may still be rolled back (caches must not keep it).
  bool in_transaction() const { return tx_depth_ > 0; }
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Writes an in-memory database runs between two commits of its batch.
  static constexpr int kWriteBatch = 512;

 private:
  friend class Statement;
  friend class Transaction;
  void after_write();     // a write statement ran to completion
  void open_batch();      // BEGIN the batch when none is open
  void count_batched_write();  // one more write in the batch: COMMIT it when full and idle
  bool statements_busy() const;

  sqlite3* db_ = nullptr;
  std::string path_;
  bool in_memory_ = true;
  bool batching_ = false;  // in memory: writes batched (see the top of this file)
  int batched_ = 0;       // writes in the open batch
  int tx_depth_ = 0;      // open Transactions (savepoints inside the batch)
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// The durability a service asks for from ServiceEnv::sync_full (--sync full).
inline Database::Durability durability(bool sync_full) {
  return sync_full ? Database::Durability::PowerLoss : Database::Durability::ProcessCrash;
}

// BEGIN IMMEDIATE ... COMMIT (in memory: SAVEPOINT ... RELEASE inside the write batch); rolls
// back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace awan::storage
