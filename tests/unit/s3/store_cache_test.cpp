// The S3 store's caches of bucket rows and latest object rows (emulators/s3/store.cpp): every
// write of a row is seen by the next read, and a write rolled back is never kept.
#include <gtest/gtest.h>

#include "s3/store.hpp"

namespace awan::s3 {
namespace {

// "<prefix><i>" (appended, not operator+(const char*, std::string), which GCC 12's -Wrestrict
// misreads).
std::string numbered(const char* prefix, int i) { return std::string(prefix).append(std::to_string(i)); }

BucketRow bucket_b() {
  BucketRow b;
  b.name.push_back('b');
  return b;
}

ObjectRow object(const std::string& key, const std::string& etag, const std::string& version = "null") {
  ObjectRow r;
  r.bucket = "b";
  r.key = key;
  r.version = version;
  r.etag = etag;
  r.body.data = etag;
  r.meta = {{"ContentType", etag}};
  return r;
}

class StoreCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store.insert_bucket(bucket_b());
  }
  std::string etag_of(const std::string& key) {
    auto row = store.latest_ref("b", key);
    return row ? row->etag : "(none)";
  }
  Store store{":memory:"};
};

TEST_F(StoreCacheTest, EveryWriteOfAnObjectIsSeenByTheNextRead) {
  ObjectRow a = object("k", "one");
  store.put_version(a);
  EXPECT_EQ(etag_of("k"), "one");
  EXPECT_EQ(store.latest_ref("b", "k"), store.latest_ref("b", "k"));  // the cached row, not a copy
  ObjectRow b = object("k", "two");
  store.put_version(b);
  EXPECT_EQ(etag_of("k"), "two");
  store.update_meta("b", "k", "null", {{"ContentType", "x/y"}});
  EXPECT_EQ(store.latest_ref("b", "k")->meta.value("ContentType", ""), "x/y");
  EXPECT_EQ(store.latest("b", "k")->meta.value("ContentType", ""), "x/y");
  store.delete_version("b", "k", "null");
  EXPECT_EQ(etag_of("k"), "(none)");
}

TEST_F(StoreCacheTest, DeletingTheLatestVersionShowsThePreviousOne) {
  ObjectRow v1 = object("k", "v1", "1");
  v1.seq = 1;
  store.put_version(v1);
  ObjectRow v2 = object("k", "v2", "2");
  v2.seq = 2;
  store.put_version(v2);
  EXPECT_EQ(etag_of("k"), "v2");
  store.delete_version("b", "k", "2");
  EXPECT_EQ(etag_of("k"), "v1");
}

TEST_F(StoreCacheTest, ARolledBackWriteIsNeverKept) {
  ObjectRow a = object("k", "kept");
  store.put_version(a);
  EXPECT_EQ(etag_of("k"), "kept");
  {
    storage::Transaction tx(store.db());
    ObjectRow b = object("k", "rolled-back");
    store.put_version(b);
    EXPECT_EQ(etag_of("k"), "rolled-back");  // read inside the transaction: not cached
    BucketRow changed = *store.bucket("b");
    changed.versioning = "Enabled";
    store.update_bucket(changed);
    EXPECT_EQ(store.bucket_ref("b")->versioning, "Enabled");
  }  // no commit
  EXPECT_EQ(etag_of("k"), "kept");
  EXPECT_EQ(store.bucket_ref("b")->versioning, "");
}

TEST_F(StoreCacheTest, ARecreatedBucketShowsNoObjectOfTheOldOne) {
  ObjectRow a = object("k", "old");
  store.put_version(a);
  EXPECT_EQ(etag_of("k"), "old");
  store.delete_version("b", "k", "null");
  store.delete_bucket("b");
  EXPECT_EQ(store.bucket_ref("b"), nullptr);
  store.insert_bucket(bucket_b());
  EXPECT_EQ(etag_of("k"), "(none)");
}

TEST_F(StoreCacheTest, ManyObjectsStayCorrectWhenTheCacheStartsAgain) {
  for (int i = 0; i < 5000; ++i) {
    ObjectRow r = object(numbered("k", i), numbered("e", i));
    store.put_version(r);
    ASSERT_EQ(etag_of(r.key), r.etag);
  }
  for (int i = 0; i < 5000; i += 499) EXPECT_EQ(etag_of(numbered("k", i)), numbered("e", i));
  store.reset();
  EXPECT_EQ(etag_of("k1"), "(none)");
}

}  // namespace
}  // namespace awan::s3
