#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

#include "storage/sqlite.hpp"

using awan::storage::Database;
using awan::storage::SqliteError;
using awan::storage::Transaction;

TEST(Sqlite, PreparedStatementsBindAndRead) {
  Database db(":memory:");
  db.exec("CREATE TABLE t (k BLOB PRIMARY KEY, v TEXT, n INTEGER, r REAL)");
  auto ins = db.prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  ins.bind_blob(1, std::string("\x00\x01", 2)).bind(2, "hello").bind(3, int64_t{42}).bind(4, 1.5);
  ins.run();
  auto sel = db.prepare("SELECT k, v, n, r FROM t");
  ASSERT_TRUE(sel.step());
  EXPECT_EQ(sel.blob(0), std::string("\x00\x01", 2));
  EXPECT_EQ(sel.text(1), "hello");
  EXPECT_EQ(sel.int64(2), 42);
  EXPECT_DOUBLE_EQ(sel.real(3), 1.5);
  EXPECT_FALSE(sel.step());
}

TEST(Sqlite, CachedStatementIsResetAndReused) {
  Database db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER)");
  for (int i = 0; i < 3; ++i) {
    auto s = db.cached("INSERT INTO t VALUES (?)");
    s->bind(1, i);
    s->run();
  }
  auto c = db.cached("SELECT count(*) FROM t");
  ASSERT_TRUE(c->step());
  EXPECT_EQ(c->int64(0), 3);
}

TEST(Sqlite, TransactionRollsBackUnlessCommitted) {
  Database db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER)");
  {
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES (1)");
  }
  {
    Transaction tx(db);
    db.exec("INSERT INTO t VALUES (2)");
    tx.commit();
  }
  auto c = db.prepare("SELECT group_concat(a) FROM t");
  ASSERT_TRUE(c.step());
  EXPECT_EQ(c.text(0), "2");
}

TEST(Sqlite, ErrorsAreExceptions) {
  Database db(":memory:");
  EXPECT_THROW(db.exec("NOT SQL"), SqliteError);
  EXPECT_THROW(db.prepare("SELECT * FROM missing"), SqliteError);
  db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY)");
  db.exec("INSERT INTO t VALUES (1)");
  EXPECT_THROW(db.exec("INSERT INTO t VALUES (1)"), SqliteError);
}

TEST(Sqlite, FileDatabaseSurvivesReopenInWalMode) {
  auto dir = std::filesystem::temp_directory_path() / ("awan-sqlite-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "x.db").string();
  {
    Database db(path);
    db.exec("CREATE TABLE t (a TEXT)");
    db.exec("INSERT INTO t VALUES ('kept')");
    auto m = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(m.step());
    EXPECT_EQ(m.text(0), "wal");
  }
  {
    Database db(path);
    auto s = db.prepare("SELECT a FROM t");
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.text(0), "kept");
  }
  std::filesystem::remove_all(dir);
}

TEST(Sqlite, EmptyViewsBindEmptyValuesNotNull) {
  Database db(":memory:");
  db.exec("CREATE TABLE t (b BLOB, s TEXT)");
  auto ins = db.prepare("INSERT INTO t VALUES (?, ?)");
  ins.bind_blob(1, std::string_view()).bind(2, std::string_view());
  ins.run();
  auto sel = db.prepare("SELECT b IS NULL, s IS NULL, length(b), length(s) FROM t");
  ASSERT_TRUE(sel.step());
  EXPECT_EQ(sel.int64(0), 0);
  EXPECT_EQ(sel.int64(1), 0);
  EXPECT_EQ(sel.int64(2), 0);
  EXPECT_EQ(sel.int64(3), 0);
}

// In memory, writes run inside one batch transaction, committed every kWriteBatch writes.
namespace {
int64_t count_rows(Database& db) {
  auto c = db.cached("SELECT count(*) FROM t");
  c->step();
  return c->int64(0);
}
void insert(Database& db, int64_t v) {
  auto s = db.cached("INSERT INTO t VALUES (?)");
  s->bind(1, v);
  s->run();
}
}  // namespace

TEST(Sqlite, InMemoryWritesAreBatchedAndCommittedPeriodically) {
  Database db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY)");
  insert(db, 0);  // runs on its own, then opens the batch
  EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0);
  for (int i = 1; i < Database::kWriteBatch; ++i) insert(db, i);
  EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0);
  insert(db, Database::kWriteBatch);  // the batch is full: committed
  EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
  EXPECT_EQ(count_rows(db), Database::kWriteBatch + 1);
}

TEST(Sqlite, InMemoryTransactionIsASavepointOfTheBatch) {
  Database db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY)");
  for (int i = 0; i < 10; ++i) insert(db, i);
  {
    Transaction tx(db);
    insert(db, 100);
    EXPECT_THROW(insert(db, 3), SqliteError);  // duplicate key: only that statement fails
    EXPECT_THROW(Transaction nested(db), SqliteError);
  }  // rolled back: 100 is gone, the batch's earlier writes stay
  EXPECT_EQ(count_rows(db), 10);
  {
    Transaction tx(db);
    insert(db, 200);
    tx.commit();
  }
  EXPECT_EQ(count_rows(db), 11);
  EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0);  // still inside the batch
}

TEST(Sqlite, InMemoryBatchWaitsForAScanThatWritesAsItGoes) {
  Database db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY); CREATE TABLE u (a INTEGER)");
  for (int i = 0; i < 3 * Database::kWriteBatch; ++i) insert(db, i);
  auto scan = db.prepare("SELECT a FROM t ORDER BY a");
  int seen = 0;
  while (scan.step()) {
    auto w = db.cached("INSERT INTO u VALUES (?)");
    w->bind(1, scan.int64(0));
    w->run();
    ++seen;
  }
  EXPECT_EQ(seen, 3 * Database::kWriteBatch);
  insert(db, -1);  // the scan is over: this write commits the overfull batch
  EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
  auto c = db.prepare("SELECT count(*) FROM u");
  ASSERT_TRUE(c.step());
  EXPECT_EQ(c.int64(0), 3 * Database::kWriteBatch);
}

TEST(Sqlite, FileDatabaseCommitsEveryWrite) {
  auto dir = std::filesystem::temp_directory_path() / ("awan-sqlite-batch-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    Database db((dir / "x.db").string());
    db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY)");
    insert(db, 1);
    EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
  }
  std::filesystem::remove_all(dir);
}
