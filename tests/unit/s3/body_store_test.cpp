// Bodies made of several files (emulators/s3/body_store.cpp: join, open, read, scan, assemble,
// remove) and their rows (store.cpp: the segments column, body_paths, the column's migration).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "s3/body_store.hpp"
#include "s3/store.hpp"

namespace awan::s3 {
namespace {
namespace fs = std::filesystem;

class BodyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("awan-body-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A file body of `bytes` stored by `bodies` (as UploadPart stores a part).
  BodyRef part(BodyStore& bodies, const std::string& bytes) {
    Payload p = Payload::of_bytes(bytes);
    return bodies.ingest(p, {}, /*keep_inline=*/false);
  }

  fs::path dir_;
};

TEST_F(BodyStoreTest, PartsStayFilesEvenWhenSmall) {
  BodyStore bodies("", false);
  BodyRef small = part(bodies, "abc");
  EXPECT_TRUE(small.in_file());
  EXPECT_FALSE(small.path.empty());
  Payload inline_ok = Payload::of_bytes("abc");
  EXPECT_FALSE(bodies.ingest(inline_ok, {}).in_file());
}

TEST_F(BodyStoreTest, JoinNamesThePartFilesInOrder) {
  BodyStore bodies(dir_.string(), false);
  BodyRef a = part(bodies, "hello "), b = part(bodies, "multipart "), c = part(bodies, "world");
  BodyRef joined = BodyStore::join({&a, &b, &c}, {6, 10, 5});
  ASSERT_EQ(joined.segments.size(), 3u);
  EXPECT_TRUE(joined.path.empty());
  EXPECT_EQ(joined.segments[1].path, b.path);
  EXPECT_EQ(joined.files(), (std::vector<std::string>{a.path, b.path, c.path}));
  // One part: its file.
  EXPECT_EQ(BodyStore::join({&a}, {6}).path, a.path);

  EXPECT_EQ(bodies.read(joined, 0, 21), "hello multipart world");
  EXPECT_EQ(bodies.read(joined, 4, 10), "o multipar");  // across the first boundary
  EXPECT_EQ(bodies.read(joined, 5, 13), " multipart wo");  // across both
  EXPECT_EQ(bodies.read(joined, 16, 5), "world");
  EXPECT_EQ(bodies.read(joined, 21, 0), "");
  std::string scanned;
  bodies.scan(joined, 21, [&](std::string_view c) { scanned.append(c); });
  EXPECT_EQ(scanned, "hello multipart world");
}

TEST_F(BodyStoreTest, OpenAnswersTheRangesOfTheFiles) {
  BodyStore bodies(dir_.string(), false);
  BodyRef a = part(bodies, "0123456789"), b = part(bodies, "abcdefghij");
  BodyRef joined = BodyStore::join({&a, &b}, {10, 10});
  Payload whole = bodies.open(joined, 0, 20);
  ASSERT_EQ(whole.segments.size(), 2u);
  EXPECT_EQ(whole.size(), 20u);
  EXPECT_EQ(whole.read_all(), "0123456789abcdefghij");
  // A range within one part is a single file range.
  Payload inside = bodies.open(joined, 12, 3);
  EXPECT_TRUE(inside.in_file());
  EXPECT_EQ(inside.offset, 2u);
  EXPECT_EQ(inside.read_all(), "cde");
  Payload across = bodies.open(joined, 8, 4);
  ASSERT_EQ(across.segments.size(), 2u);
  EXPECT_EQ(across.segments[0].offset, 8u);
  EXPECT_EQ(across.segments[0].length, 2u);
  EXPECT_EQ(across.segments[1].offset, 0u);
  EXPECT_EQ(across.read_all(), "89ab");
  // Opened: removing the files does not cut the answer short.
  bodies.remove(joined);
  EXPECT_FALSE(fs::exists(a.path));
  EXPECT_FALSE(fs::exists(b.path));
  EXPECT_EQ(whole.read_all(), "0123456789abcdefghij");
}

TEST_F(BodyStoreTest, OpenHoldsABoundedNumberOfDescriptors) {
  BodyStore bodies(dir_.string(), false);
  std::vector<BodyRef> parts;
  std::string expected;
  for (size_t i = 0; i < BodyStore::kOpenedSegments + 6; ++i) {
    std::string bytes(3, static_cast<char>('a' + i % 26));
    parts.push_back(part(bodies, bytes));
    expected += bytes;
  }
  std::vector<const BodyRef*> refs;
  for (const BodyRef& p : parts) refs.push_back(&p);
  BodyRef joined = BodyStore::join(refs, std::vector<uint64_t>(parts.size(), 3));
  Payload p = bodies.open(joined, 0, expected.size());
  ASSERT_EQ(p.segments.size(), parts.size());
  EXPECT_GE(p.segments[BodyStore::kOpenedSegments - 1].file->fd(), 0);
  EXPECT_EQ(p.segments[BodyStore::kOpenedSegments].file->fd(), -1);  // opened when reached
  EXPECT_FALSE(p.segments.back().file->owned());                    // never removed by the payload
  EXPECT_EQ(p.read_all(), expected);
  p = Payload();
  EXPECT_TRUE(fs::exists(parts.back().path));
}

TEST_F(BodyStoreTest, FilesNotYetOpenedOutliveARemoveUntilTheirAnswerGoes) {
  BodyStore bodies(dir_.string(), false);
  std::vector<BodyRef> parts;
  std::string expected;
  for (size_t i = 0; i < BodyStore::kOpenedSegments + 3; ++i) {
    std::string bytes(2, static_cast<char>('A' + i % 26));
    parts.push_back(part(bodies, bytes));
    expected += bytes;
  }
  std::vector<const BodyRef*> refs;
  for (const BodyRef& p : parts) refs.push_back(&p);
  BodyRef joined = BodyStore::join(refs, std::vector<uint64_t>(parts.size(), 2));
  auto answer = std::make_unique<Payload>(bodies.open(joined, 0, expected.size()));
  auto second = std::make_unique<Payload>(bodies.open(joined, 0, expected.size()));
  bodies.remove(joined);  // the object is deleted while both answers are in flight
  EXPECT_FALSE(fs::exists(parts.front().path));  // opened: its descriptor keeps the bytes
  EXPECT_TRUE(fs::exists(parts.back().path));    // pinned by the answers
  EXPECT_EQ(answer->read_all(), expected);
  answer.reset();
  EXPECT_TRUE(fs::exists(parts.back().path));  // still named by the second answer
  EXPECT_EQ(second->read_all(), expected);
  second.reset();
  EXPECT_FALSE(fs::exists(parts.back().path));
  EXPECT_FALSE(fs::exists(parts[BodyStore::kOpenedSegments].path));
  // A pinned file that is not removed stays when its answer goes.
  BodyRef kept = part(bodies, "kept");
  std::vector<const BodyRef*> again(BodyStore::kOpenedSegments + 1, &kept);
  BodyRef many = BodyStore::join(again, std::vector<uint64_t>(again.size(), 4));
  { Payload p = bodies.open(many, 0, 4 * again.size()); }
  EXPECT_TRUE(fs::exists(kept.path));
}

TEST_F(BodyStoreTest, AssembleCopiesFromASegmentedBody) {
  BodyStore bodies(dir_.string(), false);
  BodyRef a = part(bodies, "0123456789"), b = part(bodies, "abcdefghij");
  BodyRef joined = BodyStore::join({&a, &b}, {10, 10});
  std::string fed;
  BodyRef copy = bodies.assemble({{&joined, 7, 6}}, 6, [&](std::string_view c) { fed.append(c); });
  EXPECT_EQ(fed, "789abc");
  EXPECT_EQ(bodies.read(copy, 0, 6), "789abc");
  BodyRef kernel = bodies.assemble({{&joined, 0, 20}}, 20, {});  // copy_file_range per file
  EXPECT_NE(kernel.path, a.path);
  bodies.remove(joined);
  EXPECT_EQ(bodies.read(kernel, 0, 20), "0123456789abcdefghij");
}

TEST_F(BodyStoreTest, IngestCopiesASegmentedPayload) {
  BodyStore bodies("", false);
  BodyRef a = part(bodies, "first,"), b = part(bodies, "second");
  BodyRef joined = BodyStore::join({&a, &b}, {6, 6});
  // Another object's answer, handed to a PutObject in process.
  Payload answer = bodies.open(joined, 3, 7);
  std::string fed;
  BodyRef copy = bodies.ingest(answer, [&](std::string_view c) { fed.append(c); });
  EXPECT_EQ(fed, "st,seco");
  ASSERT_FALSE(copy.path.empty());
  bodies.remove(joined);
  EXPECT_EQ(bodies.read(copy, 0, 7), "st,seco");
}

TEST_F(BodyStoreTest, StoreKeepsTheSegmentsOfARow) {
  Store store(":memory:");
  ObjectRow row;
  row.bucket = "b";
  row.key = "k";
  row.size = 20;
  row.body.segments = {{"/x/1", 0, 10}, {"/x/2", 5, 10}};
  store.put_version(row);
  ObjectRow plain;
  plain.bucket = "b";
  plain.key = "p";
  plain.body.path = "/x/3";
  store.put_version(plain);
  auto got = store.latest("b", "k");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->body.segments.size(), 2u);
  EXPECT_EQ(got->body.segments[1].path, "/x/2");
  EXPECT_EQ(got->body.segments[1].offset, 5u);
  EXPECT_EQ(got->body.segments[1].length, 10u);
  EXPECT_TRUE(got->body.path.empty());
  EXPECT_TRUE(got->body.data.empty());
  EXPECT_TRUE(store.latest("b", "p")->body.segments.empty());
  auto paths = store.body_paths();
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/x/1", "/x/2", "/x/3"}));
}

TEST_F(BodyStoreTest, MalformedSegmentsColumnsNameNoFile) {
  Store store(":memory:");
  ObjectRow row;
  row.bucket = "b";
  row.key = "k";
  row.body.segments = {{"/x/1", 0, 10}};
  store.put_version(row);
  // The column is rewritten under the store (no write of its own): read through version(), which
  // has no cache.
  for (const char* bad : {"", "not json", "{}", "[1]", "[[\"/x\", -1, 2]]", "[[\"/x\", 0]]", "[[1, 0, 2]]",
                          "[[\"/x\", 0, 2, 3]]", "[[\"/x\", 0, 2.5]]", "[\"/x\"]"}) {
    auto s = store.db().prepare("UPDATE objects SET segments = ?");
    s.bind(1, std::string(bad));
    s.run();
    auto got = store.version("b", "k", "null");
    ASSERT_TRUE(got) << bad;
    EXPECT_TRUE(got->body.segments.empty()) << bad;
    EXPECT_TRUE(store.body_paths().empty()) << bad;
  }
  auto s = store.db().prepare("UPDATE objects SET segments = ?");
  s.bind(1, std::string("[[\"/x\", 0, 2], 7, [\"/y\", 1, 1]]"));  // the well-formed entries stay
  s.run();
  EXPECT_EQ(store.version("b", "k", "null")->body.segments.size(), 2u);
}

TEST_F(BodyStoreTest, OlderDatabasesGainTheSegmentsColumn) {
  std::string path = (dir_ / "s3.db").string();
  {
    storage::Database db(path);
    db.exec(
        "CREATE TABLE objects(bucket TEXT NOT NULL, key BLOB NOT NULL, version TEXT NOT NULL, seq INTEGER NOT NULL,"
        " latest INTEGER NOT NULL, marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,"
        " modified REAL NOT NULL, meta TEXT NOT NULL, data BLOB, path TEXT, PRIMARY KEY(bucket, key, version));"
        "INSERT INTO objects VALUES('b', X'6b', 'null', 1, 1, 0, 3, '\"e\"', 0, '{}', NULL, '/old/file');");
  }
  Store store(path);
  auto got = store.latest("b", "k");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body.path, "/old/file");
  EXPECT_EQ(store.body_paths(), (std::vector<std::string>{"/old/file"}));
  Store again(path);  // the column is added once
  EXPECT_TRUE(again.latest("b", "k"));
}

}  // namespace
}  // namespace awan::s3
